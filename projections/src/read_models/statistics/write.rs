//! Projection "statistics"'s rows in the database: loading what it tracks of
//! a batch's requests, and adding the batch's counts, on PostgreSQL (a
//! statement per table) and on SQLite (a statement per row) side by side.

use std::collections::HashMap;

use domain::LibraryId;
use uuid::Uuid;

use super::{Batch, Counts, Tracked};
use store::backend::Tx;
use store::StoreError;

pub(super) struct Sql {
    load: &'static str,
    upsert_request: &'static str,
    add_day: &'static str,
    add_decline: &'static str,
    add_duration: &'static str,
    /// PostgreSQL: a batch's rows in one statement each.
    load_many: &'static str,
    upsert_requests: &'static str,
    add_days: &'static str,
    add_declines: &'static str,
    add_durations: &'static str,
    add_network_day: &'static str,
    add_network_decline: &'static str,
    add_block: &'static str,
    add_network_days: &'static str,
    add_network_declines: &'static str,
    add_blocks: &'static str,
}

/// A count's update on conflict: it adds the new row's.
macro_rules! add_to {
    ($table:literal, $column:literal) => {
        concat!(
            $column,
            " = ",
            $table,
            ".",
            $column,
            " + excluded.",
            $column
        )
    };
}

/// The day counts' update on conflict: each column adds the new row's.
macro_rules! add_counts {
    ($days:literal) => {
        concat!(
            add_to!($days, "placed"),
            ", ",
            add_to!($days, "filled"),
            ", ",
            add_to!($days, "unfilled"),
            ", ",
            add_to!($days, "cancelled"),
            ", ",
            add_to!($days, "received"),
            ", ",
            add_to!($days, "shipped"),
            ", ",
            add_to!($days, "declined"),
            ", ",
            add_to!($days, "timed_out")
        )
    };
}

macro_rules! sql {
    ($requests:literal, $days:literal, $declines:literal, $durations:literal,
     $network_days:literal, $network_declines:literal, $blocks:literal) => {
        Sql {
            add_network_day: concat!(
                "INSERT INTO ",
                $network_days,
                " (day, placed, filled, unfilled, cancelled, received, shipped, declined,
                   timed_out)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (day) DO UPDATE SET ",
                add_counts!($network_days)
            ),
            add_network_decline: concat!(
                "INSERT INTO ",
                $network_declines,
                " (day, reason, declined) VALUES ($1, $2, $3)
                 ON CONFLICT (day, reason) DO UPDATE SET ",
                add_to!($network_declines, "declined")
            ),
            add_block: concat!(
                "INSERT INTO ",
                $blocks,
                " (block, bucket, n) VALUES ($1, $2, $3)
                 ON CONFLICT (block, bucket) DO UPDATE SET ",
                add_to!($blocks, "n")
            ),
            add_network_days: concat!(
                "INSERT INTO ",
                $network_days,
                " (day, placed, filled, unfilled, cancelled, received, shipped, declined,
                   timed_out)
                 SELECT * FROM UNNEST($1::date[], $2::bigint[], $3::bigint[], $4::bigint[],
                                      $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                                      $9::bigint[])
                 ON CONFLICT (day) DO UPDATE SET ",
                add_counts!($network_days)
            ),
            add_network_declines: concat!(
                "INSERT INTO ",
                $network_declines,
                " (day, reason, declined)
                 SELECT * FROM UNNEST($1::date[], $2::text[], $3::bigint[])
                 ON CONFLICT (day, reason) DO UPDATE SET ",
                add_to!($network_declines, "declined")
            ),
            add_blocks: concat!(
                "INSERT INTO ",
                $blocks,
                " (block, bucket, n)
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[])
                 ON CONFLICT (block, bucket) DO UPDATE SET ",
                add_to!($blocks, "n")
            ),
            load: concat!(
                "SELECT request_id, version, borrower, placed_at_us, routed_at_us FROM ",
                $requests,
                " WHERE request_id = $1"
            ),
            upsert_request: concat!(
                "INSERT INTO ",
                $requests,
                " (request_id, version, borrower, placed_at_us, routed_at_us)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (request_id) DO UPDATE SET
                     version = excluded.version, routed_at_us = excluded.routed_at_us"
            ),
            add_day: concat!(
                "INSERT INTO ",
                $days,
                " (library, day, placed, filled, unfilled, cancelled, received, shipped,
                   declined, timed_out)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (library, day) DO UPDATE SET ",
                add_counts!($days)
            ),
            add_decline: concat!(
                "INSERT INTO ",
                $declines,
                " (library, day, reason, declined) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (library, day, reason) DO UPDATE SET ",
                add_to!($declines, "declined")
            ),
            add_duration: concat!(
                "INSERT INTO ",
                $durations,
                " (request_id, sequence, kind, library, day, micros)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (request_id, sequence, kind) DO NOTHING"
            ),
            load_many: concat!(
                "SELECT request_id, version, borrower, placed_at_us, routed_at_us FROM ",
                $requests,
                " WHERE request_id = ANY($1)"
            ),
            upsert_requests: concat!(
                "INSERT INTO ",
                $requests,
                " (request_id, version, borrower, placed_at_us, routed_at_us)
                 SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::bigint[],
                                      $5::bigint[])
                 ON CONFLICT (request_id) DO UPDATE SET
                     version = excluded.version, routed_at_us = excluded.routed_at_us"
            ),
            add_days: concat!(
                "INSERT INTO ",
                $days,
                " (library, day, placed, filled, unfilled, cancelled, received, shipped,
                   declined, timed_out)
                 SELECT * FROM UNNEST($1::text[], $2::date[], $3::bigint[], $4::bigint[],
                                      $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                                      $9::bigint[], $10::bigint[])
                 ON CONFLICT (library, day) DO UPDATE SET ",
                add_counts!($days)
            ),
            add_declines: concat!(
                "INSERT INTO ",
                $declines,
                " (library, day, reason, declined)
                 SELECT * FROM UNNEST($1::text[], $2::date[], $3::text[], $4::bigint[])
                 ON CONFLICT (library, day, reason) DO UPDATE SET ",
                add_to!($declines, "declined")
            ),
            add_durations: concat!(
                "INSERT INTO ",
                $durations,
                " (request_id, sequence, kind, library, day, micros)
                 SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[],
                                      $5::date[], $6::bigint[])
                 ON CONFLICT (request_id, sequence, kind) DO NOTHING"
            ),
        }
    };
}

pub(super) const LIVE: Sql = sql!(
    "stats_requests",
    "stats_library_day",
    "stats_declines_day",
    "stats_durations",
    "stats_network_day",
    "stats_network_declines_day",
    "stats_receive_blocks"
);
pub(super) const SCRATCH: Sql = sql!(
    "stats_requests_rebuild",
    "stats_library_day_rebuild",
    "stats_declines_day_rebuild",
    "stats_durations_rebuild",
    "stats_network_day_rebuild",
    "stats_network_declines_day_rebuild",
    "stats_receive_blocks_rebuild"
);

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
    sql: &Sql,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Option<Tracked>>, StoreError> {
    let rows: Vec<Row> = match tx {
        Tx::Postgres(c) => {
            sqlx::query_as(sql.load_many)
                .bind(ids)
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Sqlite(c) => {
            let mut rows = Vec::new();
            for id in ids {
                let row: Option<Row> = sqlx::query_as(sql.load)
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

pub(super) async fn write_postgres(
    c: &mut sqlx::PgConnection,
    sql: &Sql,
    requests: &[(Uuid, &Tracked)],
    batch: &Batch,
) -> Result<(), StoreError> {
    if !requests.is_empty() {
        sqlx::query(sql.upsert_requests)
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
        sqlx::query(sql.add_days)
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
        sqlx::query(sql.add_declines)
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
        sqlx::query(sql.add_durations)
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
        sqlx::query(sql.add_network_days)
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
        sqlx::query(sql.add_network_declines)
            .bind(declines.keys().map(|(d, _)| *d).collect::<Vec<_>>())
            .bind(declines.keys().map(|(_, r)| r.as_str()).collect::<Vec<_>>())
            .bind(declines.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    let blocks = batch.receive_blocks();
    if !blocks.is_empty() {
        sqlx::query(sql.add_blocks)
            .bind(blocks.keys().map(|(b, _)| *b).collect::<Vec<_>>())
            .bind(blocks.keys().map(|(_, b)| *b).collect::<Vec<_>>())
            .bind(blocks.values().copied().collect::<Vec<_>>())
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

pub(super) async fn write_sqlite(
    c: &mut sqlx::SqliteConnection,
    sql: &Sql,
    requests: &[(Uuid, &Tracked)],
    batch: &Batch,
) -> Result<(), StoreError> {
    for (id, request) in requests {
        sqlx::query(sql.upsert_request)
            .bind(*id)
            .bind(request.version)
            .bind(request.borrower.as_str())
            .bind(request.placed_at_us)
            .bind(request.routed_at_us)
            .execute(&mut *c)
            .await?;
    }
    for ((library, day), n) in &batch.counts {
        sqlx::query(sql.add_day)
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
        sqlx::query(sql.add_decline)
            .bind(library.as_str())
            .bind(*day)
            .bind(reason.as_str())
            .bind(*n)
            .execute(&mut *c)
            .await?;
    }
    for d in &batch.durations {
        sqlx::query(sql.add_duration)
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
        sqlx::query(sql.add_network_day)
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
        sqlx::query(sql.add_network_decline)
            .bind(day)
            .bind(reason.as_str())
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    for ((block, bucket), n) in batch.receive_blocks() {
        sqlx::query(sql.add_block)
            .bind(block)
            .bind(bucket)
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}
