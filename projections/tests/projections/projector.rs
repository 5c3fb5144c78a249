//! The catch-up projector: all-or-nothing batches, one runner per projection
//! across processes with takeover, the background loop and the change feed,
//! queue pagination while requests arrive, rebuild beside a running projector.

use std::collections::HashSet;
use std::time::Duration;

use crate::world::{
    self, all_events, assert_read_models, coordinator, id, staff, Reference, Step, World,
};
use chrono::Duration as Days;
use domain::testing::{BOR, L1, L2, L3};
use domain::{Action, LibraryChange, RequestStatus, ServiceType, UnfilledReason};
use projections::projector::checkpoint;
use projections::queries::{self, QueueOrder, QueueQuery};
use projections::{
    rebuild, Change, ChangeFeed, Projection, Projector, QueryError, QueueChange, QueueSide,
};
use store::testing::{fresh_database, fresh_url, Backend};
use store::{on_both_backends, Database, Position};
use tokio::sync::{broadcast, watch};

/// A deterministic mixed history: `n` rounds of placing and acting.
async fn some_history(world: &mut World, n: u16) {
    for i in 0..n {
        let steps = [
            Step::Place {
                borrower: i as u8,
                rota: i.wrapping_mul(7919),
                copy: i % 4 == 0,
            },
            Step::Advance {
                minutes: 97 + u32::from(i) * 13,
            },
            Step::Act {
                request: i as u8,
                pick: i.wrapping_mul(31),
                coordinator: false,
            },
            Step::Act {
                request: (i / 2) as u8,
                pick: i.wrapping_mul(17) + 3,
                coordinator: i % 5 == 0,
            },
            Step::Advance {
                minutes: 600 + u32::from(i) * 211,
            },
        ];
        for step in &steps {
            world.step(step).await;
        }
    }
}

async fn projection_checkpoints(db: &Database) -> Vec<Position> {
    let mut positions = Vec::new();
    for projection in Projection::ALL {
        positions.push(checkpoint(db, projection).await.unwrap());
    }
    positions
}

/// A batch that fails after writing its tables leaves neither tables nor
/// checkpoint moved; the next run applies it exactly once.
async fn a_failed_batch_changes_nothing(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    some_history(&mut world, 6).await;
    let events = all_events(&db).await;
    let projector = Projector::new(db.clone(), world.calendar).with_batch_size(4);

    // The very first batch fails: nothing anywhere.
    projector.fail_commit_after(0);
    assert!(projector.catch_up().await.is_err());
    assert_eq!(projection_checkpoints(&db).await, vec![Position::START; 3]);
    assert!(queries::libraries(&db).await.unwrap().is_empty());
    let empty = Reference::from_events(&[], &world.calendar);
    for (id, _) in &world.requests {
        assert_eq!(queries::request(&db, *id).await.unwrap(), None);
    }
    let (from, to) = (world::start().date_naive(), world.now().date_naive());
    world::assert_statistics(
        &queries::statistics(&db, from, to, None).await.unwrap(),
        &empty.statistics(from, to, None),
    );

    // Three batches commit, the fourth fails: exactly twelve events applied.
    projector.fail_commit_after(3);
    assert!(projector.catch_up().await.is_err());
    let requests = checkpoint(&db, Projection::Requests).await.unwrap();
    assert_eq!(requests, events[11].position);
    let prefix = Reference::from_events(&events[..12], &world.calendar);
    for (id, _) in &world.requests {
        assert_eq!(
            queries::request(&db, *id).await.unwrap().as_ref(),
            prefix.views.get(id),
            "request {id} after twelve events"
        );
    }

    // The rest, once.
    projector.catch_up().await.expect("catch up");
    let reference = Reference::from_events(&events, &world.calendar);
    assert_read_models(&db, &reference, (3, 40)).await;
    let differences = rebuild::verify(&db, world.calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
    let status = projector.status();
    for projection in Projection::ALL {
        assert_eq!(
            status.of(projection).events_applied(),
            events.len() as u64,
            "{projection}: every event applied once"
        );
    }
}
on_both_backends!(a_failed_batch_changes_nothing);

/// Polls `condition` for up to 20 s.
async fn eventually(what: &str, mut condition: impl AsyncFnMut() -> bool) {
    for _ in 0..400 {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn caught_up(projector: &Projector, db: &Database) -> bool {
    let head = store::log::head(db).await.unwrap().unwrap_or_default();
    Projection::ALL
        .iter()
        .all(|p| projector.status().of(*p).position() >= head)
}

/// Two processes on one PostgreSQL: one applies each projection; when its
/// session is killed the other takes over, and no event is applied twice or
/// skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_runner_per_projection_and_takeover() {
    let url = fresh_url(Backend::Postgres).await;
    // Named sessions tell the processes apart in pg_stat_activity.
    let (db_a, db_b) = (
        Database::connect(&format!("{url}?application_name=ill_a"))
            .await
            .unwrap(),
        Database::connect(&format!("{url}?application_name=ill_b"))
            .await
            .unwrap(),
    );
    let mut world = World::new(db_a.clone()).await;
    let (stop, stopped) = watch::channel(false);
    let a = Projector::new(db_a.clone(), world.calendar);
    let b = Projector::new(db_b.clone(), world.calendar);
    let runs = [a.clone().spawn(stopped.clone()), b.clone().spawn(stopped)];

    some_history(&mut world, 5).await;
    eventually("both see the head", async || {
        caught_up(&a, &db_a).await && caught_up(&b, &db_a).await
    })
    .await;
    let events = all_events(&db_a).await.len() as u64;
    for projection in Projection::ALL {
        let (a, b) = (a.status(), b.status());
        let (a, b) = (a.of(projection), b.of(projection));
        assert!(a.is_leader() != b.is_leader(), "{projection}: one runner");
        let (leader, standby) = if a.is_leader() { (a, b) } else { (b, a) };
        assert_eq!(leader.events_applied(), events, "{projection}");
        assert_eq!(standby.events_applied(), 0, "{projection}");
    }

    // Kill the session of whoever runs the request views.
    let (victim, survivor, name) = if a.status().of(Projection::Requests).is_leader() {
        (&a, &b, "ill_a")
    } else {
        (&b, &a, "ill_b")
    };
    let Database::Postgres(pool) = &db_a else {
        unreachable!()
    };
    let sessions: Vec<i32> = sqlx::query_scalar(
        "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = $1",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(sessions.len(), 1, "one session holds a process's locks");
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(sessions[0])
        .execute(pool)
        .await
        .unwrap();

    some_history(&mut world, 5).await;
    eventually("the other process takes over and catches up", async || {
        Projection::ALL
            .iter()
            .all(|p| survivor.status().of(*p).is_leader())
            && caught_up(survivor, &db_a).await
    })
    .await;
    assert!(!victim.status().is_leader());
    let events = all_events(&db_a).await;
    for projection in Projection::ALL {
        let applied = victim.status().of(projection).events_applied()
            + survivor.status().of(projection).events_applied();
        assert_eq!(applied, events.len() as u64, "{projection}: once each");
    }
    let reference = Reference::from_events(&events, &world.calendar);
    assert_read_models(&db_a, &reference, (1, 9)).await;
    let differences = rebuild::verify(&db_a, world.calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");

    stop.send_replace(true);
    for run in runs {
        run.await.unwrap();
    }
}

async fn next_changes(changes: &mut broadcast::Receiver<Change>, n: usize) -> Vec<Change> {
    let mut heard = Vec::new();
    while heard.len() < n {
        let change = tokio::time::timeout(Duration::from_secs(5), changes.recv())
            .await
            .expect("a change within seconds")
            .expect("the feed is open");
        heard.push(change);
    }
    heard
}

/// The spawned loop follows the log (NOTIFY on PostgreSQL, `wake` on
/// SQLite), tells the feed what changed, and flushes when stopped.
async fn the_running_projector_feeds_changes(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    let feed = ChangeFeed::start(&db);
    feed.ready().await;
    let mut changes = feed.subscribe();
    let projector = Projector::new(db.clone(), world.calendar).with_feed(&feed);
    let (stop, stopped) = watch::channel(false);
    let run = projector.clone().spawn(stopped);
    let library_changes = next_changes(&mut changes, world::all_libraries().len()).await;
    assert!(library_changes
        .iter()
        .all(|c| matches!(c, Change::Library(_))));

    let (bor, l1, l2) = (id(BOR), id(L1), id(L2));
    let request = world
        .place(&bor, vec![l1.clone(), l2.clone()], ServiceType::Loan)
        .await;
    projector.wake();
    let queue_change = |library: &domain::LibraryId, side, status, in_queue| {
        Change::Queue(QueueChange {
            request_id: request,
            library: library.clone(),
            side,
            status,
            in_queue,
        })
    };
    assert_eq!(
        next_changes(&mut changes, 2).await,
        [
            queue_change(&bor, QueueSide::Borrowing, RequestStatus::Requested, true),
            queue_change(&l1, QueueSide::Lending, RequestStatus::Requested, true),
        ]
    );
    world
        .act(
            request,
            staff(&l1),
            Action::Decline {
                reason: UnfilledReason::NotOnShelf,
                note: None,
            },
        )
        .await
        .unwrap();
    projector.wake();
    assert_eq!(
        next_changes(&mut changes, 3).await,
        [
            queue_change(&bor, QueueSide::Borrowing, RequestStatus::Requested, true),
            queue_change(&l2, QueueSide::Lending, RequestStatus::Requested, true),
            queue_change(&l1, QueueSide::Lending, RequestStatus::Requested, false),
        ]
    );
    world
        .library(coordinator(), L3, LibraryChange::SetLendingSuspended(true))
        .await
        .unwrap();
    projector.wake();
    assert_eq!(
        next_changes(&mut changes, 1).await,
        [Change::Library(id(L3))]
    );
    assert!(projector.status().is_leader());
    assert!(projector.status().lag_seconds() >= 0.0);

    // Committed just before the stop, without a nudge: flushed on the way out.
    let last = world.place(&bor, vec![l2.clone()], ServiceType::Copy).await;
    stop.send_replace(true);
    run.await.unwrap();
    assert!(queries::request(&db, last).await.unwrap().is_some());
    assert!(!projector.status().is_leader());
}
on_both_backends!(the_running_projector_feeds_changes);

/// Walking every page of a queue yields each request exactly once while new
/// requests keep arriving; a malformed cursor is refused.
async fn pagination_while_requests_arrive(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    let projector = Projector::new(db.clone(), world.calendar);
    let (bor, l1) = (id(BOR), id(L1));
    let mut before = Vec::new();
    for i in 0..23 {
        before.push(world.place(&bor, vec![l1.clone()], ServiceType::Loan).await);
        // Several share a timestamp: the id breaks the tie.
        if i % 3 == 0 {
            world.advance(Days::minutes(5));
        }
    }
    projector.catch_up().await.unwrap();

    for side in [QueueSide::Borrowing, QueueSide::Lending] {
        let library = if side == QueueSide::Borrowing {
            &bor
        } else {
            &l1
        };
        let mut query = QueueQuery {
            library: library.clone(),
            side,
            statuses: None,
            order: QueueOrder::Updated,
            first: 4,
            after: None,
        };
        let mut seen = Vec::new();
        loop {
            let page = queries::queue(&db, &query).await.unwrap();
            assert!(page.total_count >= before.len() as i64);
            seen.extend(
                page.edges
                    .iter()
                    .map(|(_, view)| (view.updated_at, view.id)),
            );
            query.after = page.edges.last().map(|(cursor, _)| cursor.clone());
            if !page.has_next_page {
                break;
            }
            // New requests arrive between pages, some at the same instant.
            for _ in 0..2 {
                world.place(&bor, vec![l1.clone()], ServiceType::Copy).await;
            }
            world.advance(Days::seconds(1));
            projector.catch_up().await.unwrap();
        }
        let ids: Vec<_> = seen.iter().map(|(_, id)| *id).collect();
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len(),
            ids.len(),
            "no request twice"
        );
        for id in &before {
            assert!(ids.contains(id), "{id} was skipped");
        }
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "oldest first");
    }

    let bad = QueueQuery {
        library: bor,
        side: QueueSide::Borrowing,
        statuses: None,
        order: QueueOrder::Updated,
        first: 4,
        after: Some("not a cursor".into()),
    };
    assert!(matches!(
        queries::queue(&db, &bad).await,
        Err(QueryError::BadCursor)
    ));
}
on_both_backends!(pagination_while_requests_arrive);

const INDEX_NAMES: &str = "
SELECT tablename || ' ' || indexname FROM pg_indexes
 WHERE schemaname = 'public' AND (tablename LIKE 'request%' OR tablename LIKE 'stats%'
       OR tablename LIKE 'library_directory%')
 ORDER BY 1";

async fn index_names(db: &Database) -> Vec<String> {
    match db {
        Database::Postgres(pool) => sqlx::query_scalar(INDEX_NAMES)
            .fetch_all(pool)
            .await
            .unwrap(),
        Database::Sqlite(_) => Vec::new(),
    }
}

/// Rebuild runs while the projector runs and commands keep coming: the
/// swapped-in tables equal the reference, and every index keeps its name.
async fn rebuild_beside_a_running_projector(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    some_history(&mut world, 12).await;
    let indexes = index_names(&db).await;
    let projector = Projector::new(db.clone(), world.calendar).with_batch_size(7);
    let (stop, stopped) = watch::channel(false);
    let run = projector.clone().spawn(stopped);

    let rebuilding = tokio::spawn({
        let (db, calendar) = (db.clone(), world.calendar);
        async move {
            let mut reports = 0;
            let summary = rebuild::rebuild_with_progress(&db, calendar, None, |_| reports += 1)
                .await
                .expect("rebuild");
            (summary, reports)
        }
    });
    for i in 0..30u16 {
        world
            .step(&Step::Act {
                request: i as u8,
                pick: i * 7,
                coordinator: false,
            })
            .await;
        projector.wake();
    }
    let (summary, reports) = rebuilding.await.unwrap();
    assert_eq!(summary.projections.len(), 3);
    assert!(reports >= 3);
    assert!(matches!(
        rebuild::rebuild(&db, world.calendar, Some("nonsense")).await,
        Err(store::StoreError::UnknownProjection(_))
    ));

    projector.catch_up().await.unwrap();
    let reference = Reference::from_events(&all_events(&db).await, &world.calendar);
    assert_read_models(&db, &reference, (2, 11)).await;
    let differences = rebuild::verify(&db, world.calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
    assert_eq!(index_names(&db).await, indexes);
    stop.send_replace(true);
    run.await.unwrap();
}
on_both_backends!(rebuild_beside_a_running_projector);

/// Verify's first look finds the projected tables as a rebuild writes
/// them; a row that differs from what the log says fails it, and verify
/// then names the row.
async fn verify_finds_a_tampered_row(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    some_history(&mut world, 3).await;
    Projector::new(db.clone(), world.calendar)
        .catch_up()
        .await
        .unwrap();
    assert!(rebuild::fingerprints_match(&db, world.calendar, drop)
        .await
        .unwrap());
    const TAMPER: &str = "UPDATE library_directory SET name = 'Tampered' WHERE id = 'L2'";
    match &db {
        Database::Postgres(pool) => sqlx::query(TAMPER).execute(pool).await.map(drop),
        Database::Sqlite(pool) => sqlx::query(TAMPER).execute(pool).await.map(drop),
    }
    .unwrap();
    assert!(!rebuild::fingerprints_match(&db, world.calendar, drop)
        .await
        .unwrap());
    let differences = rebuild::verify(&db, world.calendar, drop).await.unwrap();
    assert_eq!(differences.len(), 2, "{differences:#?}");
    assert!(differences
        .iter()
        .all(|d| d.projection == Projection::Libraries && d.table == "library_directory"));
    assert!(differences
        .iter()
        .any(|d| d.only_stored && d.row.contains("Tampered")));
    rebuild::rebuild(&db, world.calendar, None).await.unwrap();
    assert!(rebuild::fingerprints_match(&db, world.calendar, drop)
        .await
        .unwrap());
}
on_both_backends!(verify_finds_a_tampered_row);

/// A fresh PostgreSQL store with a mixed history, projected.
async fn projected_postgres_history() -> (Database, sqlx::PgPool, World) {
    let db = fresh_database(Backend::Postgres).await;
    let Database::Postgres(pool) = &db else {
        unreachable!()
    };
    let pool = pool.clone();
    let mut world = World::new(db.clone()).await;
    some_history(&mut world, 3).await;
    Projector::new(db.clone(), world.calendar)
        .catch_up()
        .await
        .unwrap();
    (db, pool, world)
}

/// PostgreSQL: verify's first look compares stored rows byte for byte, so
/// a view whose text differs only in form (as a migration from `jsonb`
/// leaves it) sends verify the thorough way, which finds them equal; a
/// projector that is behind is compared at its checkpoint; a tampered row
/// fails the first look and is named.
#[tokio::test]
async fn fingerprints_decide_only_when_rows_match_byte_for_byte() {
    let (db, pool, mut world) = projected_postgres_history().await;
    let pool = &pool;
    let projector = Projector::new(db.clone(), world.calendar);
    let calendar = world.calendar;
    assert!(rebuild::fingerprints_match(&db, calendar, drop)
        .await
        .unwrap());

    // The same view, re-rendered by jsonb: other key order and spacing.
    sqlx::query("UPDATE request_views SET view = CAST(CAST(view AS jsonb) AS json)")
        .execute(pool)
        .await
        .unwrap();
    assert!(!rebuild::fingerprints_match(&db, calendar, drop)
        .await
        .unwrap());
    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
    rebuild::rebuild(&db, calendar, None).await.unwrap();
    assert!(rebuild::fingerprints_match(&db, calendar, drop)
        .await
        .unwrap());

    // Events the projector has not applied yet: the stored tables are the
    // log up to their checkpoint, where the first look stops.
    some_history(&mut world, 1).await;
    assert!(rebuild::fingerprints_match(&db, calendar, drop)
        .await
        .unwrap());
    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
    projector.catch_up().await.unwrap();
    assert!(rebuild::fingerprints_match(&db, calendar, drop)
        .await
        .unwrap());

    let tampered = sqlx::query("UPDATE stats_requests SET placed_at_us = placed_at_us + 1")
        .execute(pool)
        .await
        .unwrap();
    assert!(tampered.rows_affected() > 0);
    assert!(!rebuild::fingerprints_match(&db, calendar, drop)
        .await
        .unwrap());
    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(
        !differences.is_empty() && differences.iter().all(|d| d.table == "stats_requests"),
        "{differences:#?}"
    );
}

/// PostgreSQL: a rebuild takes each request's last event from the live
/// views' versions; a version short of its stream (a damaged row) makes it
/// start over counting the log, and the result is still the log's.
#[tokio::test]
async fn a_rebuild_mends_a_view_whose_version_is_short() {
    let (db, pool, world) = projected_postgres_history().await;
    let pool = &pool;
    let damaged = sqlx::query(
        "UPDATE request_views SET version = 1
          WHERE id = (SELECT id FROM request_views WHERE version > 2 LIMIT 1)",
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(damaged.rows_affected(), 1);
    rebuild::rebuild(&db, world.calendar, None).await.unwrap();
    let reference = Reference::from_events(&all_events(&db).await, &world.calendar);
    assert_read_models(&db, &reference, (2, 11)).await;
    let differences = rebuild::verify(&db, world.calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
}

/// Servers spawn these: their futures must be `Send` (built, never polled).
#[tokio::test]
async fn public_futures_are_send() {
    fn is_send<T: Send>(_: T) {}
    let db = Database::Sqlite(sqlx::SqlitePool::connect_lazy("sqlite::memory:").unwrap());
    let (calendar, day) = (world::calendar(), world::start().date_naive());
    is_send(rebuild::rebuild(&db, calendar, None));
    is_send(rebuild::verify(&db, calendar, drop));
    is_send(rebuild::fingerprints_match(&db, calendar, drop));
    is_send(Projector::new(db.clone(), calendar).catch_up());
    is_send(store::vault::purge(&db, chrono::Utc::now(), 90));
    is_send(queries::statistics(&db, day, day, None));
}
