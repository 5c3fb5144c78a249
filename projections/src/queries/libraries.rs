//! The library directory as projected.

use domain::library::LibraryRecord;
use domain::LibraryId;

use store::backend::on_db;
use store::Database;
use store::StoreError;

const LIBRARIES: &str = "SELECT id, name, lends, suspended FROM library_directory";

#[derive(sqlx::FromRow)]
struct LibraryRow {
    id: String,
    name: String,
    lends: bool,
    suspended: bool,
}

/// Every registered library, ordered by id.
pub async fn libraries(db: &Database) -> Result<Vec<LibraryRecord>, StoreError> {
    let rows: Vec<LibraryRow> =
        on_db!(db, pool => sqlx::query_as(LIBRARIES).fetch_all(pool).await)?;
    let mut libraries: Vec<LibraryRecord> = rows
        .into_iter()
        .map(|row| LibraryRecord {
            id: LibraryId::from(row.id),
            name: row.name,
            lends: row.lends,
            suspended: row.suspended,
            closures: Vec::new(),
        })
        .collect();
    // In Rust: PostgreSQL's text order follows the database's collation.
    libraries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(libraries)
}
