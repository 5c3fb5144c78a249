//! Patron data and note texts: ordinary tables outside the event log (events
//! carry only `patron_ref` and `note_id`). Rebuild, verify and export leave
//! them alone. Both are purged some days after their request ended, and when
//! their request never appeared.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use cqrs_es::Aggregate;
use domain::{IllRequest, PatronInput};
use uuid::Uuid;

use crate::backend::{micros, on_db};
use crate::database::Database;
use crate::error::StoreError;

/// The default of `purge`'s `keep_days`.
pub const DEFAULT_KEEP_DAYS: u32 = 90;

/// A row is written just before its request's events; one whose request has
/// not appeared after this long never will.
const ORPHAN_AFTER: Duration = Duration::days(1);

const SAVE_PATRON: &str = "
INSERT INTO patrons (patron_ref, request_id, barcode, name, email, saved_at_us)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (patron_ref) DO NOTHING";
const PATRON: &str = "SELECT barcode, name, email FROM patrons WHERE patron_ref = $1";
const SAVE_NOTE: &str = "
INSERT INTO notes (note_id, request_id, text, saved_at_us) VALUES ($1, $2, $3, $4)
ON CONFLICT (note_id) DO NOTHING";
const NOTES: &str = "SELECT note_id, text FROM notes WHERE request_id = $1";

const PURGE_ENDED_PATRONS: &str = "
DELETE FROM patrons WHERE EXISTS (
    SELECT 1 FROM request_views r
     WHERE r.id = patrons.request_id AND r.ended_at_us < $1)";
const PURGE_ENDED_NOTES: &str = "
DELETE FROM notes WHERE EXISTS (
    SELECT 1 FROM request_views r
     WHERE r.id = notes.request_id AND r.ended_at_us < $1)";
// Candidates only: the projector may lag, so the log itself decides.
const UNSEEN_REQUESTS: &str = "
SELECT request_id FROM patrons p
 WHERE saved_at_us < $1
   AND NOT EXISTS (SELECT 1 FROM request_views r WHERE r.id = p.request_id)
UNION
SELECT request_id FROM notes n
 WHERE saved_at_us < $1
   AND NOT EXISTS (SELECT 1 FROM request_views r WHERE r.id = n.request_id)";
const IN_LOG: &str = "
SELECT count(*) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2";
const PURGE_PATRONS_OF: &str = "DELETE FROM patrons WHERE request_id = $1 AND saved_at_us < $2";
const PURGE_NOTES_OF: &str = "DELETE FROM notes WHERE request_id = $1 AND saved_at_us < $2";

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
    on_db!(db, pool => sqlx::query(SAVE_PATRON)
        .bind(patron_ref)
        .bind(request_id)
        .bind(&patron.barcode)
        .bind(&patron.name)
        .bind(&patron.email)
        .bind(micros(Utc::now()))
        .execute(pool)
        .await
        .map(drop))?;
    Ok(())
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
        patrons: execute(db, PURGE_ENDED_PATRONS, ended_before).await?,
        notes: execute(db, PURGE_ENDED_NOTES, ended_before).await?,
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
            purged.patrons += delete_of(db, PURGE_PATRONS_OF, request_id, saved_before).await?;
            purged.notes += delete_of(db, PURGE_NOTES_OF, request_id, saved_before).await?;
        }
    }
    Ok(purged)
}

async fn execute(db: &Database, sql: &'static str, before: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query(sql)
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
}

async fn delete_of(
    db: &Database,
    sql: &'static str,
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
