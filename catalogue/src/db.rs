//! Statements built at run time (multi-row inserts, value lists) on either
//! backend's transaction, with their parameters as values; rows inserted in
//! bulk (`COPY` on PostgreSQL).

use sqlx::Row;
use store::backend::{on_tx, Tx};
use store::Database;

use crate::error::CatalogueError;

/// One bound parameter.
#[derive(Debug, Clone)]
pub enum Param {
    Text(Option<String>),
    Int(i64),
    Bool(bool),
}

impl From<&str> for Param {
    fn from(text: &str) -> Param {
        Param::Text(Some(text.to_owned()))
    }
}

impl From<String> for Param {
    fn from(text: String) -> Param {
        Param::Text(Some(text))
    }
}

impl From<Option<String>> for Param {
    fn from(text: Option<String>) -> Param {
        Param::Text(text)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Param {
        Param::Int(value)
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Param {
        Param::Bool(value)
    }
}

/// Binds `params`, in order, to a query of whichever backend.
macro_rules! bound {
    ($sql:expr, $params:expr) => {{
        let mut query = sqlx::query($sql);
        for param in $params {
            query = match param {
                Param::Text(text) => query.bind(text.clone()),
                Param::Int(value) => query.bind(*value),
                Param::Bool(value) => query.bind(*value),
            };
        }
        query
    }};
}
pub(crate) use bound;

/// A transaction on `db` that writes. On SQLite it takes the writer's lock
/// first (`BEGIN IMMEDIATE`), waiting for it as long as the busy timeout
/// allows: deferred, it asks for the lock at its first write, and an
/// import's switch failed so now and then ("database is locked", at once)
/// while commands were appending.
pub async fn begin(db: &Database) -> Result<Tx<'static>, CatalogueError> {
    Ok(match db {
        Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
    })
}

/// A transaction on `db` that only reads: on SQLite it leaves the writer
/// free while it runs.
pub async fn read(db: &Database) -> Result<Tx<'static>, CatalogueError> {
    Ok(match db {
        Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
    })
}

/// Runs one statement; the rows it changed.
pub async fn execute(tx: &mut Tx<'_>, sql: &str, params: &[Param]) -> Result<u64, CatalogueError> {
    Ok(on_tx!(tx, c => bound!(sql, params).execute(&mut **c).await?.rows_affected()))
}

/// Runs one query whose rows are one text column.
pub async fn strings(
    tx: &mut Tx<'_>,
    sql: &str,
    params: &[Param],
) -> Result<Vec<String>, CatalogueError> {
    Ok(on_tx!(tx, c => {
        bound!(sql, params)
            .fetch_all(&mut **c)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()?
    }))
}

/// Runs one query whose one row is one integer.
pub async fn integer(tx: &mut Tx<'_>, sql: &str, params: &[Param]) -> Result<i64, CatalogueError> {
    Ok(on_tx!(tx, c => bound!(sql, params).fetch_one(&mut **c).await?.try_get::<i64, _>(0)?))
}

/// The parameters `first`, `first + 1`, … (`count` of them) as a backend
/// writes them in a long generated statement. SQLite looks a `$N` parameter
/// up by name in a list, once per parameter when binding, which grows with
/// the square of a thousand-row insert's parameters; a bare `?` takes the
/// next number at no cost. A generated statement has no parameters but
/// these, in order, so `?` means the same (sqlx numbers a bare `?` by its
/// place among the bare ones only: never mix the two).
fn parameters(sqlite: bool, first: usize, count: usize) -> impl Iterator<Item = String> {
    (first..first + count).map(move |n| {
        if sqlite {
            "?".to_owned()
        } else {
            format!("${n}")
        }
    })
}

fn on_sqlite(tx: &Tx<'_>) -> bool {
    matches!(tx, Tx::Sqlite(_))
}

fn groups(sqlite: bool, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let numbers: Vec<String> = parameters(sqlite, 1 + row * columns, columns).collect();
            format!("({})", numbers.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, …), (…)`: `rows` groups of `columns` parameters, a
/// statement's only ones.
pub fn placeholders(tx: &Tx<'_>, rows: usize, columns: usize) -> String {
    groups(on_sqlite(tx), rows, columns)
}

/// `$1, …`: a list of `count` parameters for `IN (…)`, a statement's only
/// ones.
pub fn list(tx: &Tx<'_>, count: usize) -> String {
    parameters(on_sqlite(tx), 1, count)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row INSERT on SQLite: within its limit on parameters.
const ROWS_PER_INSERT: usize = 1_000;

/// Inserts rows of `width` values each (`params`, row after row) into
/// `table_and_columns` ("table (a, b, …)"): on PostgreSQL with one `COPY`,
/// on SQLite with multi-row INSERTs.
pub async fn insert_rows(
    tx: &mut Tx<'_>,
    table_and_columns: &str,
    width: usize,
    params: &[Param],
) -> Result<(), CatalogueError> {
    if params.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Postgres(c) => {
            let sql = format!("COPY {table_and_columns} FROM STDIN");
            let mut copy = c.copy_in_raw(&sql).await?;
            copy.send(copy_text(params, width).into_bytes()).await?;
            copy.finish().await?;
        }
        Tx::Sqlite(_) => {
            for rows in params.chunks(ROWS_PER_INSERT * width) {
                let sql = format!(
                    "INSERT INTO {table_and_columns} VALUES {}",
                    placeholders(tx, rows.len() / width, width)
                );
                execute(tx, &sql, rows).await?;
            }
        }
    }
    Ok(())
}

/// `params` as PostgreSQL's COPY text: a row a line, values separated by
/// tabs, `\N` for NULL, backslash escapes for what would break a value.
fn copy_text(params: &[Param], width: usize) -> String {
    let mut text = String::new();
    for row in params.chunks(width) {
        for (i, param) in row.iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            match param {
                Param::Text(None) => text.push_str("\\N"),
                Param::Text(Some(value)) => {
                    for c in value.chars() {
                        match c {
                            '\\' => text.push_str("\\\\"),
                            '\t' => text.push_str("\\t"),
                            '\n' => text.push_str("\\n"),
                            '\r' => text.push_str("\\r"),
                            c => text.push(c),
                        }
                    }
                }
                Param::Int(value) => text.push_str(&value.to_string()),
                Param::Bool(value) => text.push(if *value { 't' } else { 'f' }),
            }
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(groups(false, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(groups(true, 2, 2), "(?, ?), (?, ?)");
        let list: Vec<String> = parameters(false, 2, 3).collect();
        assert_eq!(list, ["$2", "$3", "$4"]);
    }

    #[test]
    fn copy_text_escapes_what_would_break_a_value() {
        let row = [
            Param::from("a\tb\nc\\"),
            Param::Text(None),
            Param::Int(7),
            Param::Bool(true),
        ];
        assert_eq!(copy_text(&row, 4), "a\\tb\\nc\\\\\t\\N\t7\tt\n");
    }
}
