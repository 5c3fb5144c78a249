//! The global-order reader: every committed event exactly once, in order,
//! however late its transaction commits.

use std::collections::HashSet;
use std::time::Duration;

use rand::Rng;
use sqlx::PgPool;
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, Database, Position};

const INSERT_PG: &str = "
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
VALUES ('Test', $1, 1, 'Tested', '1.0', '{}', '{}')";

async fn read_all(db: &Database, mut after: Position, batch: i64) -> (Vec<String>, Position) {
    let mut ids = Vec::new();
    loop {
        let events = store::log::read_after(db, after, batch)
            .await
            .expect("read");
        let Some(last) = events.last() else {
            return (ids, after);
        };
        assert!(last.position > after, "positions move forward");
        after = last.position;
        ids.extend(events.into_iter().map(|e| e.aggregate_id));
    }
}

async fn reads_in_global_order_after_a_position(backend: Backend) {
    let db = fresh_database(backend).await;
    let insert = |id: String| {
        let db = db.clone();
        async move {
            match &db {
                Database::Postgres(pool) => {
                    sqlx::query(INSERT_PG).bind(id).execute(pool).await.unwrap();
                }
                Database::Sqlite(pool) => {
                    sqlx::query(
                        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                         event_version, payload, metadata) VALUES ('Test', ?1, 1, 'Tested', '1.0', '{}', '{}')",
                    )
                    .bind(id)
                    .execute(pool)
                    .await
                    .unwrap();
                }
            }
        }
    };
    for i in 0..25 {
        insert(format!("e{i:02}")).await;
    }
    let (first, middle) = read_at_least(&db, Position::START, 25).await;
    assert_eq!(
        first,
        (0..25).map(|i| format!("e{i:02}")).collect::<Vec<_>>()
    );
    for i in 25..30 {
        insert(format!("e{i:02}")).await;
    }
    let (rest, _) = read_at_least(&db, middle, 5).await;
    assert_eq!(
        rest,
        (25..30).map(|i| format!("e{i:02}")).collect::<Vec<_>>()
    );
}

/// Reads until `count` events came. The xmin horizon is cluster-wide: a
/// transaction held open by another test on the same server holds these
/// rows back until it ends.
async fn read_at_least(
    db: &Database,
    mut after: Position,
    count: usize,
) -> (Vec<String>, Position) {
    let mut ids = Vec::new();
    for _ in 0..500 {
        let (more, next) = read_all(db, after, 7).await;
        ids.extend(more);
        after = next;
        if ids.len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (ids, after)
}
on_both_backends!(reads_in_global_order_after_a_position);

/// One transaction takes its position first and commits last while others
/// commit around it; a reader tailing all the while must still see it, and
/// see every event exactly once. A `global_position > N` tail fails this.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_commit_is_never_skipped() {
    let db = fresh_database(Backend::Postgres).await;
    let Database::Postgres(pool) = &db else {
        unreachable!()
    };
    let mut position = Position::START;
    let mut seen = HashSet::new();
    for round in 0..100 {
        let mut expected = HashSet::new();
        let slow_id = format!("slow-{round}");
        let mut slow = pool.begin().await.unwrap();
        sqlx::query(INSERT_PG)
            .bind(&slow_id)
            .execute(&mut *slow)
            .await
            .unwrap();
        expected.insert(slow_id);

        let fast: Vec<String> = (0..5).map(|i| format!("fast-{round}-{i}")).collect();
        expected.extend(fast.iter().cloned());
        let writers = tokio::spawn(commit_each_after_a_delay(pool.clone(), fast));
        // Tail while the fast writers commit and the slow one is still open.
        for _ in 0..3 {
            let (ids, after) = read_all(&db, position, 4).await;
            position = after;
            record(&mut seen, ids);
            tokio::time::sleep(Duration::from_micros(rand::rng().random_range(0..800))).await;
        }
        writers.await.unwrap();
        slow.commit().await.unwrap();

        let unseen = expected.iter().filter(|id| !seen.contains(*id)).count();
        let (ids, after) = read_at_least(&db, position, unseen).await;
        position = after;
        record(&mut seen, ids);
        for id in &expected {
            assert!(seen.contains(id), "round {round}: {id} was skipped");
        }
    }
}

async fn commit_each_after_a_delay(pool: PgPool, ids: Vec<String>) {
    for id in ids {
        let delay = rand::rng().random_range(0..500);
        tokio::time::sleep(Duration::from_micros(delay)).await;
        sqlx::query(INSERT_PG)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
}

fn record(seen: &mut HashSet<String>, ids: Vec<String>) {
    for id in ids {
        assert!(seen.insert(id.clone()), "{id} was read twice");
    }
}
