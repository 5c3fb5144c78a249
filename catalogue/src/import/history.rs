//! The imports recorded: `holdingsImports`.

use chrono::{DateTime, Utc};
use sqlx::Row;
use store::backend::on_db;
use store::Database;
use uuid::Uuid;

use super::ImportError;
use crate::error::CatalogueError;

/// One finished import (live, or replaced by a later one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: Uuid,
    pub library: String,
    pub by: String,
    pub format: String,
    pub at: DateTime<Utc>,
    pub records: i64,
    pub holdings: i64,
    pub rejected: i64,
    pub errors: Vec<ImportError>,
}

const IMPORTS: &str = include_str!("sql/imports.sql");

/// The finished imports of `library` (every library's without one), the
/// latest first.
pub async fn imports(
    db: &Database,
    library: Option<&str>,
) -> Result<Vec<ImportRecord>, CatalogueError> {
    let rows: Vec<(String, String, String, String, i64, i64, i64, i64, String)> = on_db!(db, pool => {
        sqlx::query(IMPORTS)
            .bind(library.unwrap_or_default())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("id")?,
                    row.try_get("library")?,
                    row.try_get("by_account")?,
                    row.try_get("format")?,
                    row.try_get("at_us")?,
                    row.try_get::<i64, _>("records")?,
                    row.try_get::<i64, _>("holdings")?,
                    row.try_get::<i64, _>("rejected")?,
                    row.try_get("errors")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?
    });
    rows.into_iter()
        .map(
            |(id, library, by, format, at, records, holdings, rejected, errors)| {
                let malformed = |what: String| {
                    CatalogueError::Store(store::StoreError::Malformed(format!(
                        "holdings import {id}: {what}"
                    )))
                };
                Ok(ImportRecord {
                    id: Uuid::parse_str(&id).map_err(|e| malformed(e.to_string()))?,
                    library,
                    by,
                    format,
                    at: DateTime::from_timestamp_micros(at)
                        .ok_or_else(|| malformed("time out of range".into()))?,
                    records,
                    holdings,
                    rejected,
                    errors: serde_json::from_str(&errors).map_err(|e| malformed(e.to_string()))?,
                })
            },
        )
        .collect()
}
