//! Projection "statistics"'s rows in the database: loading what it tracks of
//! a batch's requests, and adding the batch's counts, on PostgreSQL (a
//! statement per table) and on SQLite (a statement per row) side by side.

use std::collections::HashMap;
use std::sync::LazyLock;

use domain::LibraryId;
use uuid::Uuid;

use super::{Batch, Counts, Tracked};
use crate::read_models::Target;
use store::backend::Tx;
use store::StoreError;

/// One backend's statements on the projection's tables.
pub(super) struct Dialect {
    load: String,
    upsert_requests: String,
    add_days: String,
    add_declines: String,
    add_durations: String,
    add_network_days: String,
    add_network_declines: String,
    add_blocks: String,
}

/// The projection's statements, for the live tables or their rebuild twins:
/// PostgreSQL's take a batch's rows in one statement per table, SQLite's one
/// row.
pub(super) struct Statements {
    pub postgres: Dialect,
    pub sqlite: Dialect,
}

impl Statements {
    /// The statements on `target`'s tables.
    fn new(target: Target) -> Statements {
        let expand = |text: &str| {
            TABLES
                .iter()
                .fold(text.to_owned(), |sql, (placeholder, live)| {
                    sql.replace(placeholder, &target.table(live))
                })
        };
        Statements {
            postgres: Dialect {
                load: expand(include_str!("../sql/statistics/postgres/load.sql")),
                upsert_requests: expand(include_str!(
                    "../sql/statistics/postgres/upsert_requests.sql"
                )),
                add_days: expand(include_str!("../sql/statistics/postgres/add_days.sql")),
                add_declines: expand(include_str!("../sql/statistics/postgres/add_declines.sql")),
                add_durations: expand(include_str!("../sql/statistics/postgres/add_durations.sql")),
                add_network_days: expand(include_str!(
                    "../sql/statistics/postgres/add_network_days.sql"
                )),
                add_network_declines: expand(include_str!(
                    "../sql/statistics/postgres/add_network_declines.sql"
                )),
                add_blocks: expand(include_str!("../sql/statistics/postgres/add_blocks.sql")),
            },
            sqlite: Dialect {
                load: expand(include_str!("../sql/statistics/sqlite/load.sql")),
                upsert_requests: expand(include_str!(
                    "../sql/statistics/sqlite/upsert_requests.sql"
                )),
                add_days: expand(include_str!("../sql/statistics/sqlite/add_days.sql")),
                add_declines: expand(include_str!("../sql/statistics/sqlite/add_declines.sql")),
                add_durations: expand(include_str!("../sql/statistics/sqlite/add_durations.sql")),
                add_network_days: expand(include_str!(
                    "../sql/statistics/sqlite/add_network_days.sql"
                )),
                add_network_declines: expand(include_str!(
                    "../sql/statistics/sqlite/add_network_declines.sql"
                )),
                add_blocks: expand(include_str!("../sql/statistics/sqlite/add_blocks.sql")),
            },
        }
    }

    pub(super) fn of(target: Target) -> &'static Statements {
        match target {
            Target::Live => &LIVE,
            Target::Scratch => &SCRATCH,
        }
    }
}

/// Each placeholder of the statements and the live table it names.
const TABLES: [(&str, &str); 7] = [
    ("{requests}", "stats_requests"),
    ("{days}", "stats_library_day"),
    ("{declines}", "stats_declines_day"),
    ("{durations}", "stats_durations"),
    ("{network_days}", "stats_network_day"),
    ("{network_declines}", "stats_network_declines_day"),
    ("{blocks}", "stats_receive_blocks"),
];

static LIVE: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Live));
static SCRATCH: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Scratch));

#[derive(sqlx::FromRow)]
struct Row {
    request_id: Uuid,
    version: i64,
    borrower: String,
    placed_at_us: i64,
    routed_at_us: Option<i64>,
}

/// The tracked requests of `ids` (PostgreSQL: in one statement); absent ones
/// are left out.
pub(super) async fn load(
    tx: &mut Tx<'_>,
    sql: &Statements,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Option<Tracked>>, StoreError> {
    let rows: Vec<Row> = match tx {
        Tx::Postgres(c) => {
            sqlx::query_as(&sql.postgres.load)
                .bind(ids)
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Sqlite(c) => {
            let mut rows = Vec::new();
            for id in ids {
                let row: Option<Row> = sqlx::query_as(&sql.sqlite.load)
                    .bind(id)
                    .fetch_optional(&mut **c)
                    .await?;
                rows.extend(row);
            }
            rows
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let tracked = Tracked {
                version: r.version,
                borrower: LibraryId::from(r.borrower),
                placed_at_us: r.placed_at_us,
                routed_at_us: r.routed_at_us,
                changed: false,
            };
            (r.request_id, Some(tracked))
        })
        .collect())
}

/// PostgreSQL: the batch's rows in one statement per table.
pub(super) async fn write_postgres(
    c: &mut sqlx::PgConnection,
    sql: &Dialect,
    requests: &[(Uuid, &Tracked)],
    batch: &Batch,
) -> Result<(), StoreError> {
    if !requests.is_empty() {
        sqlx::query(&sql.upsert_requests)
            .bind(requests.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .bind(requests.iter().map(|(_, r)| r.version).collect::<Vec<_>>())
            .bind(
                requests
                    .iter()
                    .map(|(_, r)| r.borrower.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                requests
                    .iter()
                    .map(|(_, r)| r.placed_at_us)
                    .collect::<Vec<_>>(),
            )
            .bind(
                requests
                    .iter()
                    .map(|(_, r)| r.routed_at_us)
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *c)
            .await?;
    }
    if !batch.counts.is_empty() {
        let counts = &batch.counts;
        let column = |f: fn(&Counts) -> i64| counts.values().map(f).collect::<Vec<_>>();
        sqlx::query(&sql.add_days)
            .bind(counts.keys().map(|(l, _)| l.as_str()).collect::<Vec<_>>())
            .bind(counts.keys().map(|(_, d)| *d).collect::<Vec<_>>())
            .bind(column(|n| n.placed))
            .bind(column(|n| n.filled))
            .bind(column(|n| n.unfilled))
            .bind(column(|n| n.cancelled))
            .bind(column(|n| n.received))
            .bind(column(|n| n.shipped))
            .bind(column(|n| n.declined))
            .bind(column(|n| n.timed_out))
            .execute(&mut *c)
            .await?;
    }
    if !batch.declines.is_empty() {
        let declines = &batch.declines;
        sqlx::query(&sql.add_declines)
            .bind(
                declines
                    .keys()
                    .map(|(l, _, _)| l.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(declines.keys().map(|(_, d, _)| *d).collect::<Vec<_>>())
            .bind(
                declines
                    .keys()
                    .map(|(_, _, r)| r.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(declines.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    if !batch.durations.is_empty() {
        let durations = &batch.durations;
        sqlx::query(&sql.add_durations)
            .bind(durations.iter().map(|d| d.request_id).collect::<Vec<_>>())
            .bind(durations.iter().map(|d| d.sequence).collect::<Vec<_>>())
            .bind(durations.iter().map(|d| d.kind).collect::<Vec<_>>())
            .bind(
                durations
                    .iter()
                    .map(|d| d.library.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(durations.iter().map(|d| d.day).collect::<Vec<_>>())
            .bind(durations.iter().map(|d| d.micros).collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    let network = batch.network_counts();
    if !network.is_empty() {
        let column = |f: fn(&Counts) -> i64| network.values().map(f).collect::<Vec<_>>();
        sqlx::query(&sql.add_network_days)
            .bind(network.keys().copied().collect::<Vec<_>>())
            .bind(column(|n| n.placed))
            .bind(column(|n| n.filled))
            .bind(column(|n| n.unfilled))
            .bind(column(|n| n.cancelled))
            .bind(column(|n| n.received))
            .bind(column(|n| n.shipped))
            .bind(column(|n| n.declined))
            .bind(column(|n| n.timed_out))
            .execute(&mut *c)
            .await?;
    }
    let declines = batch.network_declines();
    if !declines.is_empty() {
        sqlx::query(&sql.add_network_declines)
            .bind(declines.keys().map(|(d, _)| *d).collect::<Vec<_>>())
            .bind(declines.keys().map(|(_, r)| r.as_str()).collect::<Vec<_>>())
            .bind(declines.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    let blocks = batch.receive_blocks();
    if !blocks.is_empty() {
        sqlx::query(&sql.add_blocks)
            .bind(blocks.keys().map(|(b, _)| *b).collect::<Vec<_>>())
            .bind(blocks.keys().map(|(_, b)| *b).collect::<Vec<_>>())
            .bind(blocks.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// SQLite: the batch's rows one statement each.
pub(super) async fn write_sqlite(
    c: &mut sqlx::SqliteConnection,
    sql: &Dialect,
    requests: &[(Uuid, &Tracked)],
    batch: &Batch,
) -> Result<(), StoreError> {
    for (id, request) in requests {
        sqlx::query(&sql.upsert_requests)
            .bind(*id)
            .bind(request.version)
            .bind(request.borrower.as_str())
            .bind(request.placed_at_us)
            .bind(request.routed_at_us)
            .execute(&mut *c)
            .await?;
    }
    for ((library, day), n) in &batch.counts {
        sqlx::query(&sql.add_days)
            .bind(library.as_str())
            .bind(*day)
            .bind(n.placed)
            .bind(n.filled)
            .bind(n.unfilled)
            .bind(n.cancelled)
            .bind(n.received)
            .bind(n.shipped)
            .bind(n.declined)
            .bind(n.timed_out)
            .execute(&mut *c)
            .await?;
    }
    for ((library, day, reason), n) in &batch.declines {
        sqlx::query(&sql.add_declines)
            .bind(library.as_str())
            .bind(*day)
            .bind(reason.as_str())
            .bind(*n)
            .execute(&mut *c)
            .await?;
    }
    for d in &batch.durations {
        sqlx::query(&sql.add_durations)
            .bind(d.request_id)
            .bind(d.sequence)
            .bind(d.kind)
            .bind(d.library.as_str())
            .bind(d.day)
            .bind(d.micros)
            .execute(&mut *c)
            .await?;
    }
    for (day, n) in batch.network_counts() {
        sqlx::query(&sql.add_network_days)
            .bind(day)
            .bind(n.placed)
            .bind(n.filled)
            .bind(n.unfilled)
            .bind(n.cancelled)
            .bind(n.received)
            .bind(n.shipped)
            .bind(n.declined)
            .bind(n.timed_out)
            .execute(&mut *c)
            .await?;
    }
    for ((day, reason), n) in batch.network_declines() {
        sqlx::query(&sql.add_network_declines)
            .bind(day)
            .bind(reason.as_str())
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    for ((block, bucket), n) in batch.receive_blocks() {
        sqlx::query(&sql.add_blocks)
            .bind(block)
            .bind(bucket)
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
