//! What the scheduler acts on: requests whose answer is overdue, and
//! requests waiting for one library's answer.

use chrono::{DateTime, Utc};
use domain::LibraryId;
use uuid::Uuid;

use store::backend::{micros, on_db};
use store::Database;
use store::StoreError;

const UNANSWERED: &str = include_str!("sql/unanswered.sql");
const WAITING_AT: &str = include_str!("sql/waiting_at.sql");

/// Requests whose lender (or whose borrower, asked about conditions) has
/// not answered by `now`: the scheduler times them out. As projected, so a
/// request answered meanwhile may be among them (the command then refuses).
pub async fn unanswered(db: &Database, now: DateTime<Utc>) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(UNANSWERED)
        .bind(micros(now))
        .fetch_all(pool)
        .await)?)
}

/// Requests waiting for `library`'s answer (REQUESTED with it as the
/// current lender): moved on when its lending is suspended.
pub async fn waiting_at(db: &Database, library: &LibraryId) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(WAITING_AT)
        .bind(library.as_str())
        .fetch_all(pool)
        .await)?)
}
