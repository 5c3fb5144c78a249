//! A generated history (`simulation`: its network and a year of its
//! traffic): the rows a bulk rebuild writes are, table by table and row for
//! row, the rows the incremental projector wrote, on both backends; the
//! network's statistics read alone are those read with every library's.

use domain::Calendar;
use projections::queries::{self, LibraryRows};
use projections::{rebuild, Projector};
use simulation::{generate, Shape};
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, Database};

/// Every table the three projections keep.
const TABLES: [&str; 9] = [
    "request_views",
    "library_directory",
    "stats_requests",
    "stats_library_day",
    "stats_declines_day",
    "stats_durations",
    "stats_network_day",
    "stats_network_declines_day",
    "stats_receive_blocks",
];

async fn row_counts(db: &Database) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT count(*) FROM {table}");
        counts.push(
            match db {
                Database::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await,
                Database::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await,
            }
            .unwrap(),
        );
    }
    counts
}

/// Verify builds the twins in one bulk pass and compares every row, every
/// column, with the tables the projector kept batch by batch; the rebuild
/// then swaps in the same rows, and the statistics answer as before.
async fn a_bulk_rebuild_writes_the_projectors_rows(backend: Backend) {
    let db = fresh_database(backend).await;
    let shape = Shape {
        libraries: 24,
        requests: 200,
        ..Shape::default()
    };
    let generated = generate(&db, &shape).await.expect("generate a history");
    let calendar = Calendar::default();
    let projector = Projector::new(db.clone(), calendar).with_batch_size(97);
    assert_eq!(projector.catch_up().await.unwrap() as u64, generated.events);
    let counts = row_counts(&db).await;
    assert!(
        counts.iter().all(|n| *n > 0),
        "every table holds rows: {counts:?}"
    );
    let (from, to) = (shape.start.date_naive(), shape.end().date_naive());
    let statistics = queries::statistics(&db, from, to, None).await.unwrap();
    assert!(!statistics.libraries.is_empty());
    // The network's figures alone read no library's rows and are the same.
    for (from, to) in [(from, to), (to - chrono::Days::new(30), to), (to, to)] {
        let mut every = queries::statistics(&db, from, to, None).await.unwrap();
        every.libraries.clear();
        let network = queries::statistics_of(&db, from, to, LibraryRows::None);
        assert_eq!(network.await.unwrap(), every);
    }

    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
    let summary = rebuild::rebuild(&db, calendar, None).await.unwrap();
    assert!(summary
        .projections
        .iter()
        .all(|p| p.events == generated.events));
    assert_eq!(row_counts(&db).await, counts);
    assert_eq!(
        queries::statistics(&db, from, to, None).await.unwrap(),
        statistics
    );
    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
}
on_both_backends!(a_bulk_rebuild_writes_the_projectors_rows);
