//! What the scheduler acts on: requests whose answer is overdue, requests
//! waiting for one library's answer, and requests past their needed-by date.

use chrono::{DateTime, NaiveDate, Utc};
use domain::LibraryId;
use uuid::Uuid;

use store::backend::{micros, on_db};
use store::Database;
use store::StoreError;

const UNANSWERED: &str = include_str!("sql/unanswered.sql");
const WAITING_AT: &str = include_str!("sql/waiting_at.sql");
const EXPIRING_POSTGRES: &str = include_str!("sql/expiring/postgres.sql");
const EXPIRING_SQLITE: &str = include_str!("sql/expiring/sqlite.sql");

/// A request whose answer was due, as projected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub id: Uuid,
    /// Who must answer: the lender while REQUESTED, the borrower while
    /// CONDITIONAL (`None` if the view names no lender).
    pub answering: Option<LibraryId>,
    /// The window's end as it was set, before closures extend it.
    pub respond_by: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct UnansweredRow {
    id: Uuid,
    answering: Option<String>,
    respond_by_us: i64,
}

/// Requests whose lender (or whose borrower, asked about conditions) has
/// not answered by `now` within the window as set: the scheduler times out
/// those whose window no closure extends past `now`. As projected, so a
/// request answered meanwhile may be among them (the command then refuses).
pub async fn unanswered(db: &Database, now: DateTime<Utc>) -> Result<Vec<Unanswered>, StoreError> {
    let rows: Vec<UnansweredRow> = on_db!(db, pool => sqlx::query_as(UNANSWERED)
        .bind(micros(now))
        .fetch_all(pool)
        .await)?;
    rows.into_iter()
        .map(|row| {
            let respond_by =
                DateTime::from_timestamp_micros(row.respond_by_us).ok_or_else(|| {
                    StoreError::Malformed(format!("respond_by {}", row.respond_by_us))
                })?;
            Ok(Unanswered {
                id: row.id,
                answering: row.answering.map(LibraryId::from),
                respond_by,
            })
        })
        .collect()
}

/// Requests waiting for `library`'s answer (REQUESTED with it as the
/// current lender): moved on when its lending is suspended.
pub async fn waiting_at(db: &Database, library: &LibraryId) -> Result<Vec<Uuid>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(WAITING_AT)
        .bind(library.as_str())
        .fetch_all(pool)
        .await)?)
}

/// Requests whose needed-by date is before `today` and that expiry still
/// acts on (REQUESTED, CONDITIONAL; WILL_SUPPLY with no cancel asked for
/// this date). As projected: the command decides again on the stream.
pub async fn expiring(db: &Database, today: NaiveDate) -> Result<Vec<Uuid>, StoreError> {
    let today = today.to_string();
    Ok(match db {
        Database::Postgres(pool) => {
            sqlx::query_scalar(EXPIRING_POSTGRES)
                .bind(today)
                .fetch_all(pool)
                .await
        }
        Database::Sqlite(pool) => {
            sqlx::query_scalar(EXPIRING_SQLITE)
                .bind(today)
                .fetch_all(pool)
                .await
        }
    }?)
}
