//! One request's history, each step with the request as it stood after it:
//! the same fold the server uses (`RequestView::fold`).

use domain::{HistoryEntry, IllRequest, RequestView};
use store::{Database, EventStore, StoreError};
use uuid::Uuid;

pub struct Step {
    pub entry: HistoryEntry,
    pub after: RequestView,
}

/// Every event of the request in order (up to `limit`, when given).
pub async fn load(
    database: &Database,
    id: Uuid,
    limit: Option<usize>,
) -> Result<Vec<Step>, StoreError> {
    let events = EventStore::new(database.clone())
        .history::<IllRequest>(&id.to_string())
        .await?;
    let mut view = None;
    let mut steps = Vec::new();
    for envelope in events.iter().take(limit.unwrap_or(usize::MAX)) {
        let entry = HistoryEntry::from_envelope(envelope)?;
        RequestView::fold(
            &mut view,
            id,
            envelope.payload.clone(),
            entry.metadata.occurred_at,
        );
        let Some(after) = view.clone() else {
            return Err(StoreError::Malformed(format!(
                "request {id} does not start with RequestPlaced"
            )));
        };
        steps.push(Step { entry, after });
    }
    Ok(steps)
}
