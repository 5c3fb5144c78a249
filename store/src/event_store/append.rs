//! Appending a command's events, with its vault rows, in one commit. On
//! PostgreSQL it is one statement (no `BEGIN`/`COMMIT` round trips, one WAL
//! flush); postgres-es's `commit` sends `BEGIN`, an `INSERT` per event and
//! `COMMIT`, and has no place for the vault rows, hence this module. The
//! primary key is the version check: a concurrent writer's events make the
//! insert fail, and the whole command with it.

use cqrs_es::{Aggregate, DomainEvent, EventEnvelope};
use sqlx::{PgPool, SqlitePool};

use crate::backend::micros;
use crate::database::Database;
use crate::error::StoreError;
use crate::vault::SideRows;

const POSTGRES_APPEND: &str = include_str!("sql/postgres/append.sql");
const SQLITE_APPEND: &str = include_str!("sql/sqlite/append.sql");

/// PostgreSQL's unique violation; SQLite's primary-key constraint.
const POSTGRES_DUPLICATE: &str = "23505";
const SQLITE_DUPLICATE: &str = "1555";

/// Why an append did not happen.
pub(crate) enum AppendError {
    /// Another writer appended to the stream first.
    Conflict,
    Store(StoreError),
}

impl From<sqlx::Error> for AppendError {
    fn from(error: sqlx::Error) -> Self {
        let duplicate = error
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| code == POSTGRES_DUPLICATE || code == SQLITE_DUPLICATE);
        if duplicate {
            AppendError::Conflict
        } else {
            AppendError::Store(error.into())
        }
    }
}

impl From<serde_json::Error> for AppendError {
    fn from(error: serde_json::Error) -> Self {
        AppendError::Store(StoreError::Malformed(format!(
            "an event to append: {error}"
        )))
    }
}

/// One event as stored: type, version, payload text.
struct Row {
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: String,
}

/// Appends `events` (numbered on from the stream's history) and `side_rows`.
pub(crate) async fn append<A: Aggregate>(
    database: &Database,
    events: &[EventEnvelope<A>],
    side_rows: Option<&SideRows<'_>>,
) -> Result<(), AppendError> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    let metadata = serde_json::to_string(&first.metadata)?;
    let rows = events
        .iter()
        .map(|e| {
            Ok(Row {
                sequence: e.sequence as i64,
                event_type: e.payload.event_type(),
                event_version: e.payload.event_version(),
                payload: serde_json::to_string(&e.payload)?,
            })
        })
        .collect::<Result<Vec<_>, AppendError>>()?;
    let id = first.aggregate_id.as_str();
    match database {
        Database::Postgres(pool) => postgres::<A>(pool, id, &rows, &metadata, side_rows).await,
        Database::Sqlite(pool) => sqlite::<A>(pool, id, &rows, &metadata, side_rows).await,
    }
}

async fn postgres<A: Aggregate>(
    pool: &PgPool,
    id: &str,
    rows: &[Row],
    metadata: &str,
    side_rows: Option<&SideRows<'_>>,
) -> Result<(), AppendError> {
    let patron = side_rows.and_then(|s| s.patron);
    let note = side_rows.and_then(|s| s.note);
    sqlx::query(POSTGRES_APPEND)
        .bind(A::TYPE)
        .bind(id)
        .bind(rows.iter().map(|r| r.sequence).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.event_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.event_version.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| r.payload.as_str()).collect::<Vec<_>>())
        .bind(metadata)
        .bind(side_rows.map(|s| s.request_id))
        .bind(patron.map(|(patron_ref, _)| patron_ref))
        .bind(patron.map(|(_, p)| p.barcode.as_str()))
        .bind(patron.and_then(|(_, p)| p.name.as_deref()))
        .bind(patron.and_then(|(_, p)| p.email.as_deref()))
        .bind(side_rows.map(|s| micros(s.saved_at)))
        .bind(note.map(|(note_id, _)| note_id))
        .bind(note.map(|(_, text)| text))
        .execute(pool)
        .await?;
    Ok(())
}

/// SQLite: one transaction on the one writer, prepared inserts.
async fn sqlite<A: Aggregate>(
    pool: &SqlitePool,
    id: &str,
    rows: &[Row],
    metadata: &str,
    side_rows: Option<&SideRows<'_>>,
) -> Result<(), AppendError> {
    let mut tx = pool.begin().await?;
    if let Some(side_rows) = side_rows {
        side_rows.save_in(&mut tx).await?;
    }
    for row in rows {
        sqlx::query(SQLITE_APPEND)
            .bind(A::TYPE)
            .bind(id)
            .bind(row.sequence)
            .bind(&row.event_type)
            .bind(&row.event_version)
            .bind(&row.payload)
            .bind(metadata)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
