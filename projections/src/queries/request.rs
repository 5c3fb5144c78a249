//! One request: its projected view, and its history read from the log.

use domain::IllRequest;
use sqlx::types::Json;
use uuid::Uuid;

use domain::{HistoryEntry, RequestView};
use store::backend::on_db;
use store::event_store::EventStore;
use store::Database;
use store::StoreError;

const REQUEST: &str = "SELECT view FROM request_views WHERE id = $1";

/// The projected view of a request, `None` when the projector has not seen it.
pub async fn request(db: &Database, id: Uuid) -> Result<Option<RequestView>, StoreError> {
    let view: Option<Json<RequestView>> =
        on_db!(db, pool => sqlx::query_scalar(REQUEST).bind(id).fetch_optional(pool).await)?;
    Ok(view.map(|v| v.0))
}

/// A request's events as people read them, in order. The history is the
/// request's stream in the log, read by primary key: no copy is projected.
pub async fn history(db: &Database, id: Uuid) -> Result<Vec<HistoryEntry>, StoreError> {
    EventStore::new(db.clone())
        .history::<IllRequest>(&id.to_string())
        .await?
        .iter()
        .map(HistoryEntry::from_envelope)
        .collect::<Result<_, _>>()
        .map_err(StoreError::from)
}
