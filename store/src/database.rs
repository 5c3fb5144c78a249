//! One handle for either backend; the URL scheme picks it.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, SqlitePool};

use crate::error::StoreError;

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub enum Database {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// How long a caller waits for a pooled connection before the store counts
/// as unreachable: requests fail fast while the database is down.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// A pooled PostgreSQL connection idle longer than this is pinged before
/// use. sqlx pings every connection as it goes back to the pool, so one in
/// steady use was checked a moment ago; pinging it again when it is taken
/// out (sqlx's default) would add a round trip to every statement. It is
/// shorter than any restart of the server: a connection idle across one is
/// pinged and replaced, not handed to a command to fail.
const PING_IDLE_AFTER: Duration = Duration::from_millis(100);

impl Database {
    /// Connects and brings the schema up to date. `sqlite://PATH` creates the
    /// file (and its directory) when absent.
    pub async fn connect(url: &str) -> Result<Database, StoreError> {
        let database = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Database::Postgres(connect_postgres(url).await?)
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or(url.strip_prefix("sqlite:"))
        {
            Database::Sqlite(connect_sqlite(path).await?)
        } else {
            return Err(StoreError::BadUrl(url.to_owned()));
        };
        database.migrate().await?;
        Ok(database)
    }

    /// [`Database::connect`] to a store that exists: a `sqlite://PATH` that
    /// names no file is refused, not created (for tools that only read a
    /// store, where a mistyped path must not answer from an empty one).
    pub async fn connect_existing(url: &str) -> Result<Database, StoreError> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or(url.strip_prefix("sqlite:"))
        {
            if !Path::new(path).is_file() {
                return Err(StoreError::NoStore(path.to_owned()));
            }
        }
        Database::connect(url).await
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Database::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
            Database::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// True when the store answers a trivial query.
    pub async fn is_healthy(&self) -> bool {
        match self {
            Database::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
            Database::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
        }
    }

    /// After a bulk load of the log (import, the generator): PostgreSQL's
    /// advice, VACUUM ANALYZE, so the planner knows the log's size and a
    /// rebuild can count each stream from the primary key's index alone
    /// (autovacuum would get there later, where it runs); SQLite's ANALYZE
    /// (it has no autovacuum at all).
    pub async fn settle_bulk_load(&self) -> Result<(), StoreError> {
        match self {
            Database::Postgres(pool) => run(pool, "VACUUM (ANALYZE) events").await,
            Database::Sqlite(pool) => run(pool, "ANALYZE events").await,
        }
    }

    /// After a bulk load of the read models (the demo's first catch-up):
    /// planner statistics for every table, so the first queries do not
    /// plan for the empty tables they saw last. On PostgreSQL a VACUUM too:
    /// the catch-up rewrote each request's view row many times, and until
    /// autovacuum comes (if it is on) every index entry of a dead version
    /// sends a queue page to the heap (BENCHMARKS.md: at 100,000 requests,
    /// the queue page's p99 25.3 ms with ANALYZE alone, 11.4 ms after).
    pub async fn settle_read_models(&self) -> Result<(), StoreError> {
        match self {
            Database::Postgres(pool) => run(pool, "VACUUM (ANALYZE)").await,
            Database::Sqlite(pool) => run(pool, "ANALYZE").await,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Database::Postgres(_) => "postgres",
            Database::Sqlite(_) => "sqlite",
        }
    }

    pub async fn close(&self) {
        match self {
            Database::Postgres(pool) => pool.close().await,
            Database::Sqlite(pool) => pool.close().await,
        }
    }
}

async fn connect_postgres(url: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|_| StoreError::BadUrl(url.to_owned()))?
        // The projectors read below the oldest running transaction: an idle
        // one must not hold every projector back for long.
        .options([("idle_in_transaction_session_timeout", "30s")]);
    PgPoolOptions::new()
        .max_connections(20)
        .test_before_acquire(false)
        .before_acquire(|connection, meta| {
            Box::pin(async move {
                if meta.idle_for > PING_IDLE_AFTER {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(StoreError::Unreachable)
}

async fn connect_sqlite(path: &str) -> Result<SqlitePool, StoreError> {
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL can lose acknowledged commits on power loss.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    // A file does not hang up: no ping before use.
    SqlitePoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(StoreError::Unreachable)
}

/// Runs one statement that answers nothing.
async fn run<DB: sqlx::Database>(pool: &sqlx::Pool<DB>, sql: &str) -> Result<(), StoreError>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    sqlx::query(sql).execute(pool).await?;
    Ok(())
}
