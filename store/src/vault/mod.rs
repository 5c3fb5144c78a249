//! Patron data and note texts: ordinary tables outside the event log (events
//! carry only `patron_ref` and `note_id`). A command writes its rows in its
//! append's own statement or transaction (`SideRows`), so a refused or failed
//! command leaves none. Rebuild, verify and export leave them alone. Both are
//! purged some days after their request ended.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use domain::{Action, PatronInput, RequestCommand};
use sqlx::query::Query;
use sqlx::{Encode, SqliteConnection, Type};
use uuid::Uuid;

use crate::backend::{micros, on_db};
use crate::database::Database;
use crate::error::StoreError;

/// The default of `purge`'s `keep_days`.
pub const DEFAULT_KEEP_DAYS: u32 = 90;

const SAVE_PATRON: &str = include_str!("sql/save_patron.sql");
const PATRON: &str = "SELECT barcode, name, email FROM patrons WHERE patron_ref = $1";
const SAVE_NOTE: &str = include_str!("sql/save_note.sql");
const NOTES: &str = "SELECT note_id, text FROM notes WHERE request_id = $1";

/// The rows of requests that ended before `$1`, per table.
static PURGE_PATRONS: LazyLock<String> =
    LazyLock::new(|| format!(include_str!("sql/purge_ended.sql"), table = "patrons"));
static PURGE_NOTES: LazyLock<String> =
    LazyLock::new(|| format!(include_str!("sql/purge_ended.sql"), table = "notes"));

/// A request command's rows outside the log, written with its events.
#[derive(Debug, Clone, Copy)]
pub struct SideRows<'a> {
    pub request_id: Uuid,
    /// `(patron_ref, patron)` of a placed request.
    pub patron: Option<(Uuid, &'a PatronInput)>,
    /// `(note_id, text)` of a command's note.
    pub note: Option<(Uuid, &'a str)>,
    /// When they are saved (the purge's clock).
    pub saved_at: DateTime<Utc>,
}

impl<'a> SideRows<'a> {
    /// The rows `command` on request `request_id` carries, if any.
    pub fn of(request_id: Uuid, command: &'a RequestCommand) -> Option<SideRows<'a>> {
        let patron = match &command.action {
            Action::Place(place) => Some((place.patron_ref, &place.patron)),
            _ => None,
        };
        let note = command.action.note().map(|n| (n.id, n.text.as_str()));
        (patron.is_some() || note.is_some()).then(|| SideRows {
            request_id,
            patron,
            note,
            saved_at: Utc::now(),
        })
    }

    /// Writes them in `tx` (SQLite; PostgreSQL writes them in the append's
    /// own statement). The first save of a `patron_ref` or `note_id` stands.
    pub(crate) async fn save_in(&self, tx: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        let saved_at = micros(self.saved_at);
        if let Some((patron_ref, patron)) = self.patron {
            insert_patron(patron_ref, self.request_id, patron, saved_at)
                .execute(&mut *tx)
                .await?;
        }
        if let Some((note_id, text)) = self.note {
            sqlx::query(SAVE_NOTE)
                .bind(note_id)
                .bind(self.request_id)
                .bind(text)
                .bind(saved_at)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }
}

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

/// Stores many requests' patrons, each `(patron_ref, request_id, patron)`,
/// as saved at `saved_at`, in one transaction: a bulk load's side rows.
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

/// The texts of a request's notes still kept, by note id.
pub async fn notes(db: &Database, request_id: Uuid) -> Result<HashMap<Uuid, String>, StoreError> {
    let rows: Vec<(Uuid, String)> = on_db!(db, pool => sqlx::query_as(NOTES)
        .bind(request_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().collect())
}

/// Deletes the patrons and notes of requests that ended more than
/// `keep_days` before `now` (by the request views).
pub async fn purge(
    db: &Database,
    now: DateTime<Utc>,
    keep_days: u32,
) -> Result<PurgeCounts, StoreError> {
    let ended_before = micros(now - Duration::days(i64::from(keep_days)));
    Ok(PurgeCounts {
        patrons: execute(db, &PURGE_PATRONS, ended_before).await?,
        notes: execute(db, &PURGE_NOTES, ended_before).await?,
    })
}

async fn execute(db: &Database, sql: &str, before: i64) -> Result<u64, StoreError> {
    Ok(on_db!(db, pool => sqlx::query(sql)
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
}
