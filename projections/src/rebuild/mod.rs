//! Rebuild and verify: the projector's own code, from position 0, into each
//! projection's `_rebuild` twin tables (so the live tables keep serving and
//! the live projector keeps running), then one short transaction that swaps
//! the twins in (rebuild) or compares them with the stored rows (verify).
//!
//! That transaction first takes the live checkpoint's row (PostgreSQL: a row
//! lock; SQLite: the write lock), so no live batch runs across it; it brings
//! the twins to the live checkpoint, swaps, and sets the live checkpoint to
//! the twins'. The live projector's next compare-and-set then fails, and it
//! rereads the checkpoint and goes on on the new tables.
//!
//! On PostgreSQL, verify first compares fingerprints of the rows a rebuild
//! would write with the stored rows (`fingerprint.rs`) and builds twins
//! only when they differ.
//!
//! The patron vault and notes are not projections: never touched here.

mod bulk;
mod decode;
mod fingerprint;
mod plan;

use std::time::{Duration, Instant};

use domain::Calendar;
use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, PgConnection, Row, TypeInfo, ValueRef};

use crate::projector::{move_checkpoint, set_checkpoint, Projector, Writer};
use crate::read_models::{self, Projection, Target};
use store::backend::Tx;
use store::log::Position;
use store::Database;
use store::StoreError;
use store::{on_db, on_tx};

/// Events per rebuild batch.
const BATCH: u32 = 5000;
/// Rows shown per table and side when verification finds differences.
const SHOWN: usize = 20;

const COUNT_EVENTS: &str = "SELECT count(*) FROM events";
const ANALYZE_EVENTS: &str = "ANALYZE events";
/// Whether the log's planner statistics are missing or stale by
/// autovacuum's own measure (a tenth of the table changed since).
const EVENTS_STATS_STALE: &str = "
SELECT coalesce(bool_or(s.n_mod_since_analyze > greatest(c.reltuples, 1000) / 10
                        OR (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL)), true)
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
 WHERE s.relid = CAST('events' AS regclass)";
const TRY_LOCK: &str = "SELECT pg_try_advisory_lock($1)";
const ENSURE_CHECKPOINT: &str = "
INSERT INTO projector_checkpoints (projection, tx, global_position) VALUES ($1, 0, 0)
ON CONFLICT (projection) DO NOTHING";
const LOCK_CHECKPOINT: &str = "
UPDATE projector_checkpoints SET tx = tx WHERE projection = $1
RETURNING tx, global_position";

fn swap_script(projection: Projection, postgres: bool) -> &'static str {
    match (projection, postgres) {
        (Projection::Requests, true) => include_str!("postgres/requests_swap.sql"),
        (Projection::Statistics, true) => include_str!("postgres/statistics_swap.sql"),
        (Projection::Libraries, true) => include_str!("postgres/libraries_swap.sql"),
        (Projection::Requests, false) => include_str!("sqlite/requests_swap.sql"),
        (Projection::Statistics, false) => include_str!("sqlite/statistics_swap.sql"),
        (Projection::Libraries, false) => include_str!("sqlite/libraries_swap.sql"),
    }
}

fn clear_script(projection: Projection, postgres: bool) -> &'static str {
    match (projection, postgres) {
        (Projection::Requests, true) => include_str!("postgres/requests_clear.sql"),
        (Projection::Statistics, true) => include_str!("postgres/statistics_clear.sql"),
        (Projection::Libraries, true) => include_str!("postgres/libraries_clear.sql"),
        (Projection::Requests, false) => include_str!("sqlite/requests_clear.sql"),
        (Projection::Statistics, false) => include_str!("sqlite/statistics_clear.sql"),
        (Projection::Libraries, false) => include_str!("sqlite/libraries_clear.sql"),
    }
}

/// A table and its twin, and (SQLite) the statements that list the rows only
/// one of them holds, rendered here; PostgreSQL's are built in `compare`.
struct Compared {
    table: &'static str,
    /// PostgreSQL: a row as the text compared (alias `t`).
    postgres_row: &'static str,
    sqlite: [&'static str; 2],
    /// Statistics for the twin before it is swapped in.
    analyze: &'static str,
}

macro_rules! compared {
    ($table:literal) => {
        compared!($table, "CAST(t AS text)")
    };
    ($table:literal, $postgres_row:literal) => {
        Compared {
            table: $table,
            postgres_row: $postgres_row,
            sqlite: [
                concat!(
                    "SELECT * FROM ",
                    $table,
                    " EXCEPT SELECT * FROM ",
                    $table,
                    "_rebuild LIMIT 20"
                ),
                concat!(
                    "SELECT * FROM ",
                    $table,
                    "_rebuild EXCEPT SELECT * FROM ",
                    $table,
                    " LIMIT 20"
                ),
            ],
            analyze: concat!("ANALYZE ", $table, "_rebuild"),
        }
    };
}

fn compared_tables(projection: Projection) -> &'static [Compared] {
    // A view is compared as `jsonb`: equal whatever its text's key order
    // or spacing (e.g. the text a migration from `jsonb` left).
    const REQUESTS: [Compared; 1] = [compared!(
        "request_views",
        "CAST((t.id, t.version, t.borrower, t.lender, t.status, t.updated_at_us,
               t.ended_at_us, t.respond_by_us, CAST(t.view AS jsonb)) AS text)"
    )];
    const STATISTICS: [Compared; 7] = [
        compared!("stats_requests"),
        compared!("stats_library_day"),
        compared!("stats_declines_day"),
        compared!("stats_durations"),
        compared!("stats_network_day"),
        compared!("stats_network_declines_day"),
        compared!("stats_receive_blocks"),
    ];
    const LIBRARIES: [Compared; 1] = [compared!("library_directory")];
    match projection {
        Projection::Requests => &REQUESTS,
        Projection::Statistics => &STATISTICS,
        Projection::Libraries => &LIBRARIES,
    }
}

/// Where a rebuild stands, after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub projection: Projection,
    /// Events applied to the twins so far.
    pub applied: u64,
    /// Events in the log when the projection's rebuild began.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuiltProjection {
    pub projection: Projection,
    pub events: u64,
    /// The checkpoint the swapped-in tables start from.
    pub position: Position,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildSummary {
    pub projections: Vec<RebuiltProjection>,
}

/// A row only one side holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub projection: Projection,
    pub table: &'static str,
    /// True: only the stored (live) table has the row; false: only the rebuild.
    pub only_stored: bool,
    pub row: String,
}

/// Rebuilds `projection` (every projection for `None`) and swaps it in.
pub async fn rebuild(
    db: &Database,
    calendar: Calendar,
    projection: Option<&str>,
) -> Result<RebuildSummary, StoreError> {
    rebuild_with_progress(db, calendar, projection, |_| {}).await
}

/// [`rebuild`], telling `progress` after each batch.
pub async fn rebuild_with_progress(
    db: &Database,
    calendar: Calendar,
    projection: Option<&str>,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<RebuildSummary, StoreError> {
    let mut summary = RebuildSummary::default();
    let projections = selected(projection)?;
    if let Database::Postgres(pool) = db {
        // One pass over the log for all of them.
        let started = Instant::now();
        let mut locks = Vec::new();
        for projection in &projections {
            locks.push(RebuildLock::take(db, *projection).await?);
        }
        let (events, built) = build_bulk(db, pool, calendar, &projections, &mut progress).await?;
        for projection in projections {
            let position = swap(db, calendar, projection, built).await?;
            clear(db, projection).await?;
            summary.projections.push(RebuiltProjection {
                projection,
                events,
                position,
                elapsed: started.elapsed(),
            });
        }
        for lock in locks {
            lock.release().await;
        }
        return Ok(summary);
    }
    for projection in projections {
        let started = Instant::now();
        let lock = RebuildLock::take(db, projection).await?;
        let (events, built) = build(db, calendar, projection, &mut progress).await?;
        analyze_twins(db, projection).await?;
        let position = swap(db, calendar, projection, built).await?;
        clear(db, projection).await?;
        lock.release().await;
        summary.projections.push(RebuiltProjection {
            projection,
            events,
            position,
            elapsed: started.elapsed(),
        });
    }
    Ok(summary)
}

/// The swapped-in tables are queried at once: give the planner their
/// statistics (it would otherwise wait for autovacuum, if it runs).
async fn analyze_twins(db: &Database, projection: Projection) -> Result<(), StoreError> {
    for compared in compared_tables(projection) {
        on_db!(db, pool => sqlx::query(compared.analyze).execute(pool).await.map(drop))?;
    }
    Ok(())
}

/// Fresh planner statistics for the log when they are stale: right after a
/// bulk import the planner takes the log for small, and sorts all of it
/// instead of walking the (tx_id, global_position) index.
async fn analyze_events(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    let stale: bool = sqlx::query_scalar(EVENTS_STATS_STALE)
        .fetch_one(pool)
        .await?;
    if stale {
        sqlx::query(ANALYZE_EVENTS).execute(pool).await?;
    }
    Ok(())
}

/// Moves the twins' checkpoints of `projections` to `position`, together.
async fn set_twin_checkpoints(
    db: &Database,
    projections: &[Projection],
    position: Position,
) -> Result<(), StoreError> {
    let mut tx = begin(db).await?;
    for projection in projections {
        set_checkpoint(&mut tx, projection.checkpoint(Target::Scratch), position).await?;
    }
    tx.commit().await
}

/// PostgreSQL: resets the twins' checkpoints, projects the log into every
/// twin of `projections` in one pass (`bulk.rs`, which also analyzes them),
/// and sets the checkpoints to where that pass stopped.
async fn build_bulk(
    db: &Database,
    pool: &sqlx::PgPool,
    calendar: Calendar,
    projections: &[Projection],
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    analyze_events(pool).await?;
    set_twin_checkpoints(db, projections, Position::START).await?;
    let (events, built) = bulk::build(pool, calendar, projections, progress).await?;
    set_twin_checkpoints(db, projections, built).await?;
    Ok((events, built))
}

/// Rebuilds every projection into its twins and compares them with the
/// stored tables at one checkpoint; the rows that differ (at most twenty per
/// table and side). Changes nothing stored. When the fingerprints match
/// ([`fingerprints_match`]) there is nothing to name and no twin is built.
pub async fn verify(
    db: &Database,
    calendar: Calendar,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<Vec<Difference>, StoreError> {
    let mut differences = Vec::new();
    if fingerprints_match(db, calendar, &mut progress).await? {
        return Ok(differences);
    }
    if let Database::Postgres(pool) = db {
        let mut locks = Vec::new();
        for projection in Projection::ALL {
            locks.push(RebuildLock::take(db, projection).await?);
        }
        let (_, built) = build_bulk(db, pool, calendar, &Projection::ALL, &mut progress).await?;
        for projection in Projection::ALL {
            differences.extend(compare(db, calendar, projection, built).await?);
            clear(db, projection).await?;
        }
        for lock in locks {
            lock.release().await;
        }
        return Ok(differences);
    }
    for projection in Projection::ALL {
        let lock = RebuildLock::take(db, projection).await?;
        let (_, built) = build(db, calendar, projection, &mut progress).await?;
        differences.extend(compare(db, calendar, projection, built).await?);
        clear(db, projection).await?;
        lock.release().await;
    }
    Ok(differences)
}

/// Verify's first look (PostgreSQL, `fingerprint.rs`): whether every stored
/// table holds exactly the rows a rebuild would write, with every live
/// checkpoint where that pass stopped. One read of the log and of the
/// tables, nothing written. False on SQLite, which verifies the thorough way
/// only.
pub async fn fingerprints_match(
    db: &Database,
    calendar: Calendar,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<bool, StoreError> {
    let Database::Postgres(pool) = db else {
        return Ok(false);
    };
    analyze_events(pool).await?;
    bulk::matches_stored(pool, calendar, &mut progress).await
}

fn selected(projection: Option<&str>) -> Result<Vec<Projection>, StoreError> {
    match projection {
        None => Ok(Projection::ALL.to_vec()),
        Some(name) => Projection::parse(name)
            .map(|p| vec![p])
            .ok_or_else(|| StoreError::UnknownProjection(name.to_owned())),
    }
}

/// One rebuild of a projection at a time. PostgreSQL: an advisory lock on a
/// session of its own. SQLite (one process): overlapping rebuilds share the
/// twins through the checkpoint compare-and-set and stay correct.
struct RebuildLock(Option<PgConnection>);

impl RebuildLock {
    async fn take(db: &Database, projection: Projection) -> Result<RebuildLock, StoreError> {
        let Database::Postgres(pool) = db else {
            return Ok(RebuildLock(None));
        };
        let mut session = PgConnection::connect_with(&pool.connect_options()).await?;
        let locked: bool = sqlx::query_scalar(TRY_LOCK)
            .bind(projection.lock_key(Target::Scratch))
            .fetch_one(&mut session)
            .await?;
        if !locked {
            return Err(StoreError::Busy(format!(
                "another rebuild of projection {projection} is running"
            )));
        }
        Ok(RebuildLock(Some(session)))
    }

    async fn release(self) {
        if let Some(session) = self.0 {
            // Ending the session releases the lock; an error here ends it too.
            drop(session.close().await);
        }
    }
}

/// Empties the twins and projects the whole log into them; the events
/// applied and the twins' checkpoint.
async fn build(
    db: &Database,
    calendar: Calendar,
    projection: Projection,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<(u64, Position), StoreError> {
    if let Database::Postgres(pool) = db {
        analyze_events(pool).await?;
    }
    let total: i64 = on_db!(db, pool => sqlx::query_scalar(COUNT_EVENTS).fetch_one(pool).await)?;
    let total = total.max(0) as u64;
    let name = projection.checkpoint(Target::Scratch);
    let mut tx = begin(db).await?;
    let postgres = matches!(tx, Tx::Postgres(_));
    on_tx!(&mut tx, c => sqlx::Executor::execute(&mut **c, clear_script(projection, postgres))
        .await
        .map(drop))?;
    set_checkpoint(&mut tx, name, Position::START).await?;
    tx.commit().await?;

    let projector = Projector::new(db.clone(), calendar).with_batch_size(BATCH);
    let head = store::log::head(db).await?;
    let mut applied = 0;
    progress(RebuildProgress {
        projection,
        applied,
        total,
    });
    projector
        .run_to(
            projection,
            Target::Scratch,
            head,
            &mut Writer::Pool,
            |events| {
                applied += events as u64;
                progress(RebuildProgress {
                    projection,
                    applied,
                    total,
                });
            },
        )
        .await?;
    let built = crate::projector::load_checkpoint(db, name).await?;
    Ok((applied, built))
}

/// Takes the live checkpoint for the rest of `tx`; where it stands.
async fn hold_live(tx: &mut Tx<'_>, projection: Projection) -> Result<Position, StoreError> {
    let name = projection.checkpoint(Target::Live);
    on_tx!(&mut *tx, c => sqlx::query(ENSURE_CHECKPOINT)
        .bind(name)
        .execute(&mut **c)
        .await
        .map(drop))?;
    let (tx_id, global): (i64, i64) = on_tx!(&mut *tx, c => sqlx::query_as(LOCK_CHECKPOINT)
        .bind(name)
        .fetch_one(&mut **c)
        .await)?;
    Ok(Position { tx: tx_id, global })
}

/// Checks that the twins are still where this rebuild left them.
async fn hold_twins(
    tx: &mut Tx<'_>,
    projection: Projection,
    built: Position,
) -> Result<(), StoreError> {
    if move_checkpoint(tx, projection.checkpoint(Target::Scratch), built, built).await? {
        Ok(())
    } else {
        Err(StoreError::Busy(format!(
            "another rebuild of projection {projection} took over its tables"
        )))
    }
}

async fn swap(
    db: &Database,
    calendar: Calendar,
    projection: Projection,
    built: Position,
) -> Result<Position, StoreError> {
    let mut tx = begin(db).await?;
    let live = hold_live(&mut tx, projection).await?;
    hold_twins(&mut tx, projection, built).await?;
    let mut twins = built;
    advance(
        &mut tx,
        db,
        &calendar,
        projection,
        Target::Scratch,
        &mut twins,
        live,
    )
    .await?;
    let postgres = matches!(tx, Tx::Postgres(_));
    on_tx!(&mut tx, c => sqlx::Executor::execute(&mut **c, swap_script(projection, postgres))
        .await
        .map(drop))?;
    set_checkpoint(&mut tx, projection.checkpoint(Target::Live), twins).await?;
    // The twins now hold the old rows, emptied next.
    set_checkpoint(
        &mut tx,
        projection.checkpoint(Target::Scratch),
        Position::START,
    )
    .await?;
    tx.commit().await?;
    Ok(twins)
}

async fn compare(
    db: &Database,
    calendar: Calendar,
    projection: Projection,
    built: Position,
) -> Result<Vec<Difference>, StoreError> {
    let mut tx = begin(db).await?;
    let mut live = hold_live(&mut tx, projection).await?;
    hold_twins(&mut tx, projection, built).await?;
    let mut twins = built;
    // Both to the same checkpoint, whichever is behind; rolled back after.
    advance(
        &mut tx,
        db,
        &calendar,
        projection,
        Target::Scratch,
        &mut twins,
        live,
    )
    .await?;
    advance(
        &mut tx,
        db,
        &calendar,
        projection,
        Target::Live,
        &mut live,
        twins,
    )
    .await?;
    let mut differences = Vec::new();
    for compared in compared_tables(projection) {
        // PostgreSQL: only the rows of the hash buckets whose counts or sums
        // differ are compared row by row.
        let buckets = match &mut tx {
            Tx::Postgres(c) => Some(differing_buckets(c, compared).await?),
            Tx::Sqlite(_) => None,
        };
        if buckets.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        for (side, only_stored) in [(0, true), (1, false)] {
            let rows: Vec<String> = match &mut tx {
                Tx::Postgres(c) => {
                    let (table, twin) = (compared.table, format!("{}_rebuild", compared.table));
                    let (from, other) = if only_stored {
                        (table, twin.as_str())
                    } else {
                        (twin.as_str(), table)
                    };
                    let (row, bucket) = (compared.postgres_row, bucket_of(compared));
                    let sql = format!(
                        "SELECT {row} FROM {from} t WHERE {bucket} = ANY($1)
                         EXCEPT SELECT {row} FROM {other} t WHERE {bucket} = ANY($1)
                         LIMIT {SHOWN}"
                    );
                    sqlx::query_scalar(&sql)
                        .bind(buckets.clone().unwrap_or_default())
                        .fetch_all(&mut **c)
                        .await?
                }
                Tx::Sqlite(c) => sqlx::query(compared.sqlite[side])
                    .fetch_all(&mut **c)
                    .await?
                    .iter()
                    .map(render)
                    .collect(),
            };
            differences.extend(rows.into_iter().take(SHOWN).map(|row| Difference {
                projection,
                table: compared.table,
                only_stored,
                row,
            }));
        }
    }
    Ok(differences)
}

/// A row's hash bucket (PostgreSQL), from its compared text.
fn bucket_of(compared: &Compared) -> String {
    format!("(hashtextextended({}, 0) & 1023)", compared.postgres_row)
}

/// The hash buckets (of a row's text) in which `table` and its twin differ
/// in row count or in the sum of a second hash of their rows: one
/// sequential scan of each, instead of sorting both whole tables. Equal
/// tables have no such bucket; a difference shows unless two different
/// sets of rows collide in both count and a 64-bit hash sum.
async fn differing_buckets(
    c: &mut sqlx::PgConnection,
    compared: &Compared,
) -> Result<Vec<i64>, StoreError> {
    let (row, bucket) = (compared.postgres_row, bucket_of(compared));
    let mut sums = Vec::new();
    for name in [
        compared.table.to_owned(),
        format!("{}_rebuild", compared.table),
    ] {
        let sql = format!(
            "SELECT {bucket}, count(*), CAST(sum(CAST(hashtextextended({row}, 1)
                    AS numeric)) AS text)
               FROM {name} t GROUP BY 1"
        );
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(&sql).fetch_all(&mut *c).await?;
        sums.push(
            rows.into_iter()
                .map(|(bucket, n, sum)| (bucket, (n, sum)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        );
    }
    let mut differing: Vec<i64> = sums[0]
        .iter()
        .filter(|(bucket, value)| sums[1].get(bucket) != Some(value))
        .map(|(bucket, _)| *bucket)
        .chain(
            sums[1]
                .keys()
                .filter(|bucket| !sums[0].contains_key(bucket))
                .copied(),
        )
        .collect();
    differing.sort_unstable();
    Ok(differing)
}

/// Applies the events after `*from` up to `upto` to `target` within `tx`.
async fn advance(
    tx: &mut Tx<'_>,
    db: &Database,
    calendar: &Calendar,
    projection: Projection,
    target: Target,
    from: &mut Position,
    upto: Position,
) -> Result<(), StoreError> {
    while *from < upto {
        let mut events = store::log::read_after(db, *from, i64::from(BATCH)).await?;
        events.retain(|e| e.position <= upto);
        // Events a projector already applied are below every later horizon.
        let Some(last) = events.last() else {
            return Err(StoreError::Busy(format!(
                "events up to {upto:?} are not readable"
            )));
        };
        let to = last.position;
        if !move_checkpoint(tx, projection.checkpoint(target), *from, to).await? {
            return Err(StoreError::Busy(format!(
                "projection {projection}'s checkpoint moved during the swap"
            )));
        }
        read_models::apply(projection, tx, target, calendar, &events).await?;
        *from = to;
    }
    Ok(())
}

async fn clear(db: &Database, projection: Projection) -> Result<(), StoreError> {
    let postgres = matches!(db, Database::Postgres(_));
    on_db!(db, pool => sqlx::Executor::execute(pool, clear_script(projection, postgres))
        .await
        .map(drop))?;
    Ok(())
}

async fn begin(db: &Database) -> Result<Tx<'static>, StoreError> {
    Ok(match db {
        Database::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        Database::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
    })
}

/// An SQLite row as `(value, …)`: blobs in hex, text quoted.
fn render(row: &SqliteRow) -> String {
    let values: Vec<String> = (0..row.columns().len())
        .map(|i| {
            let Ok(raw) = row.try_get_raw(i) else {
                return "?".to_owned();
            };
            if raw.is_null() {
                return "NULL".to_owned();
            }
            let decoded = match raw.type_info().name() {
                "INTEGER" => row.try_get::<i64, _>(i).map(|v| v.to_string()),
                "REAL" => row.try_get::<f64, _>(i).map(|v| v.to_string()),
                "BLOB" => row
                    .try_get::<Vec<u8>, _>(i)
                    .map(|v| v.iter().map(|b| format!("{b:02x}")).collect()),
                _ => row.try_get::<String, _>(i).map(|v| format!("{v:?}")),
            };
            decoded.unwrap_or_else(|_| "?".to_owned())
        })
        .collect();
    format!("({})", values.join(", "))
}
