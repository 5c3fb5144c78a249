//! PostgreSQL's plan of a bulk pass (`bulk::Plan`): each request's last
//! sequence, hinted or counted.
//!
//! - Hinted: when the live requests projection stands close to the end of
//!   the log, the live views' versions are those last sequences up to its
//!   checkpoint. The pass stops there; the few events after it go through
//!   the incremental path with the rest committed meanwhile (`advance`).
//!   Reading a million versions costs a fraction of counting nine million
//!   events. Should a view's version be short of its stream (a damaged
//!   row), the request would be closed early: the pass notices its next
//!   event and starts over counted.
//! - Counted: one grouped scan of the whole log in the snapshot (of the
//!   primary key's index, where the log is all-visible: 1.5 s rather than
//!   5–7 s at 9 M events).

use futures::StreamExt;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::projector::live_checkpoint_on;
use crate::read_models::{FastMap, Projection};
use crate::rebuild::bulk::{Plan, LAST_SEQUENCES};
use store::log::Position;
use store::StoreError;

/// Events after the live checkpoint up to which its views are used as
/// hints: those go through the slower incremental path.
const HINT_GAP: i64 = 50_000;

/// Events after `($1, $2)` in the snapshot, counted up to `$3`.
const EVENTS_AFTER: &str = include_str!("events_after.sql");
const VERSIONS: &str = "SELECT id, version FROM request_views";
/// The events of the libraries' streams the directory holds.
const DIRECTORY_EVENTS: &str =
    "SELECT CAST(coalesce(sum(version), 0) AS BIGINT) FROM library_directory";

/// Hinted when it can be, inside `reader`'s snapshot.
pub(super) async fn plan(reader: &mut PgConnection) -> Result<Plan, StoreError> {
    let live = live_checkpoint_on(&mut *reader, Projection::Requests).await?;
    if live == Position::START {
        return counted(reader).await;
    }
    let behind: i64 = sqlx::query_scalar(EVENTS_AFTER)
        .bind(live.tx)
        .bind(live.global)
        .bind(HINT_GAP + 1)
        .fetch_one(&mut *reader)
        .await?;
    if behind > HINT_GAP {
        return counted(reader).await;
    }
    let mut lasts = FastMap::default();
    let mut total: i64 = sqlx::query_scalar(DIRECTORY_EVENTS)
        .fetch_one(&mut *reader)
        .await?;
    let mut versions = sqlx::query_as::<_, (Uuid, i64)>(VERSIONS).fetch(&mut *reader);
    while let Some((id, version)) = versions.next().await.transpose()? {
        lasts.insert(id, version);
        total += version;
    }
    drop(versions);
    Ok(Plan {
        lasts,
        total: total.max(0) as u64,
        upto: Some(live),
    })
}

/// Counted: every stream's last sequence from the log itself. Events
/// beyond the horizon the pass stops at count too: their requests are then
/// written at the end of the pass instead, which changes nothing.
pub(super) async fn counted(reader: &mut PgConnection) -> Result<Plan, StoreError> {
    Plan::counted(sqlx::query_as(LAST_SEQUENCES).fetch(reader)).await
}
