//! Patron data and note texts: ordinary tables outside the event log (events
//! carry only `patron_ref` and `note_id`). Rebuild, verify and export leave
//! them alone. Both are purged some days after their request ended, and when
//! their request never appeared.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use cqrs_es::Aggregate;
use domain::{IllRequest, PatronInput};
use sqlx::query::Query;
use sqlx::{Encode, Type};
use uuid::Uuid;

use crate::backend::{micros, on_db};
use crate::database::Database;
use crate::error::StoreError;

/// The default of `purge`'s `keep_days`.
pub const DEFAULT_KEEP_DAYS: u32 = 90;

/// A row is written just before its request's events; one whose request has
/// not appeared after this long never will.
const ORPHAN_AFTER: Duration = Duration::days(1);

const SAVE_PATRON: &str = include_str!("sql/save_patron.sql");
const PATRON: &str = "SELECT barcode, name, email FROM patrons WHERE patron_ref = $1";
const SAVE_NOTE: &str = include_str!("sql/save_note.sql");
const NOTES: &str = "SELECT note_id, text FROM notes WHERE request_id = $1";

// Candidates only: the projector may lag, so the log itself decides.
const UNSEEN_REQUESTS: &str = include_str!("sql/unseen_requests.sql");
const IN_LOG: &str = include_str!("sql/in_log.sql");

/// The statements written once for both tables, `{table}` expanded.
struct Statements {
    /// The rows of requests that ended before `$1`.
    purge_ended: String,
    /// The rows of request `$1` saved before `$2`.
    purge_unseen: String,
}

impl Statements {
    fn new(table: &str) -> Statements {
        Statements {
            purge_ended: format!(include_str!("sql/purge_ended.sql"), table = table),
            purge_unseen: format!(include_str!("sql/purge_unseen.sql"), table = table),
        }
    }
}

static FOR_PATRONS: LazyLock<Statements> = LazyLock::new(|| Statements::new("patrons"));
static FOR_NOTES: LazyLock<Statements> = LazyLock::new(|| Statements::new("notes"));

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    pub patrons: u64,
    pub notes: u64,
}

#[derive(sqlx::FromRow)]
struct PatronRow {
    barcode: String,
    name: Option<String>,
    email: Option<String>,
}

/// Stores a request's patron; call before appending the request's events.
/// The first save of a `patron_ref` stands.
pub async fn save_patron(
    db: &Database,
    patron_ref: Uuid,
    request_id: Uuid,
    patron: &PatronInput,
) -> Result<(), StoreError> {
    let saved_at = micros(Utc::now());
    on_db!(db, pool => insert_patron(patron_ref, request_id, patron, saved_at)
        .execute(pool)
        .await
        .map(drop))?;
    Ok(())
}

/// Stores many requests' patrons, each `(patron_ref, request_id, patron)`,
/// as saved at `saved_at`, in one transaction: a bulk load's `save_patron`.
pub async fn save_patrons(
    db: &Database,
    patrons: &[(Uuid, Uuid, PatronInput)],
    saved_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let saved_at = micros(saved_at);
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        for (patron_ref, request_id, patron) in patrons {
            insert_patron(*patron_ref, *request_id, patron, saved_at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The one insert of a patron, bound for either backend.
fn insert_patron<DB: sqlx::Database>(
    patron_ref: Uuid,
    request_id: Uuid,
    patron: &PatronInput,
    saved_at_us: i64,
) -> Query<'_, DB, DB::Arguments<'_>>
where
    for<'q> Uuid: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    sqlx::query(SAVE_PATRON)
        .bind(patron_ref)
        .bind(request_id)
        .bind(&patron.barcode)
        .bind(&patron.name)
        .bind(&patron.email)
        .bind(saved_at_us)
}

/// The patron, `None` once purged (or never saved).
pub async fn patron(db: &Database, patron_ref: Uuid) -> Result<Option<PatronInput>, StoreError> {
    let row: Option<PatronRow> = on_db!(db, pool => sqlx::query_as(PATRON)
        .bind(patron_ref)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|r| PatronInput {
        barcode: r.barcode,
        name: r.name,
        email: r.email,
    }))
}

/// Stores a note's text; saving the same `note_id` again keeps the first.
pub async fn save_note(
    db: &Database,
    note_id: Uuid,
    request_id: Uuid,
    text: &str,
) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(SAVE_NOTE)
        .bind(note_id)
        .bind(request_id)
        .bind(text)
        .bind(micros(Utc::now()))
        .execute(pool)
        .await
        .map(drop))?;
    Ok(())
}

/// The texts of a request's notes still kept, by note id.
pub async fn notes(db: &Database, request_id: Uuid) -> Result<HashMap<Uuid, String>, StoreError> {
    let rows: Vec<(Uuid, String)> = on_db!(db, pool => sqlx::query_as(NOTES)
        .bind(request_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().collect())
}

/// Deletes the patrons and notes of requests that ended more than
/// `keep_days` before `now` (by the request views), and those saved more
/// than a day before `now` whose request is not in the event log.
pub async fn purge(
    db: &Database,
    now: DateTime<Utc>,
    keep_days: u32,
) -> Result<PurgeCounts, StoreError> {
    let ended_before = micros(now - Duration::days(i64::from(keep_days)));
    let saved_before = micros(now - ORPHAN_AFTER);
    let mut purged = PurgeCounts {
        patrons: execute(db, &FOR_PATRONS.purge_ended, ended_before).await?,
        notes: execute(db, &FOR_NOTES.purge_ended, ended_before).await?,
    };
    let unseen: Vec<Uuid> = on_db!(db, pool => sqlx::query_scalar(UNSEEN_REQUESTS)
        .bind(saved_before)
        .fetch_all(pool)
        .await)?;
    for request_id in unseen {
        let events: i64 = on_db!(db, pool => sqlx::query_scalar(IN_LOG)
            .bind(IllRequest::TYPE)
            .bind(request_id.to_string())
            .fetch_one(pool)
            .await)?;
        if events == 0 {
            purged.patrons +=
                delete_of(db, &FOR_PATRONS.purge_unseen, request_id, saved_before).await?;
            purged.notes +=
                delete_of(db, &FOR_NOTES.purge_unseen, request_id, saved_before).await?;
        }
    }
    Ok(purged)
}

async fn execute(db: &Database, sql: &str, before: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query(sql)
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
}

async fn delete_of(
    db: &Database,
    sql: &str,
    request_id: Uuid,
    before: i64,
) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query(sql)
        .bind(request_id)
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
}
