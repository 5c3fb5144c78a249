//! A generated history (`simulation`: its network and a year of its
//! traffic): the rows a bulk rebuild writes are, table by table and row for
//! row, the rows the incremental projector wrote, on both backends; the
//! network's statistics read alone are those read with every library's; and
//! the requests waiting at each lender, kept apart from the views, are the
//! views' count on either side.

use domain::Calendar;
use projections::queries::{self, LibraryRows};
use projections::{rebuild, Projector};
use simulation::{generate, Shape};
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, on_db, Database};

/// Every table the three projections keep.
const TABLES: [&str; 10] = [
    "request_views",
    "lender_waiting",
    "library_directory",
    "stats_requests",
    "stats_library_day",
    "stats_declines_day",
    "stats_durations",
    "stats_network_day",
    "stats_network_declines_day",
    "stats_receive_blocks",
];

/// `lender_waiting`'s rows, and the same counted from the views.
const KEPT_WAITING: &str = "SELECT library, waiting FROM lender_waiting ORDER BY library";
const COUNTED_WAITING: &str = "SELECT lender, count(*) FROM request_views
 WHERE status IN ('REQUESTED', 'CONDITIONAL', 'WILL_SUPPLY') GROUP BY lender ORDER BY lender";

/// The waiting counts the projection keeps, after checking them against
/// the views.
async fn waiting_counts(db: &Database) -> Vec<(String, i64)> {
    let [kept, counted]: [Vec<(String, i64)>; 2] = [
        on_db!(db, pool => sqlx::query_as(KEPT_WAITING).fetch_all(pool).await).unwrap(),
        on_db!(db, pool => sqlx::query_as(COUNTED_WAITING).fetch_all(pool).await).unwrap(),
    ];
    assert_eq!(kept, counted, "lender_waiting against request_views");
    kept
}

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
    let waiting = waiting_counts(&db).await;

    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
    let summary = rebuild::rebuild(&db, calendar, None).await.unwrap();
    assert!(summary
        .projections
        .iter()
        .all(|p| p.events == generated.events));
    assert_eq!(row_counts(&db).await, counts);
    assert_eq!(waiting_counts(&db).await, waiting);
    assert_eq!(
        queries::statistics(&db, from, to, None).await.unwrap(),
        statistics
    );
    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");

    // A count the log does not give is found.
    let tamper = "UPDATE lender_waiting SET waiting = waiting + 1";
    on_db!(&db, pool => sqlx::query(tamper).execute(pool).await.map(drop)).unwrap();
    let differences = rebuild::verify(&db, calendar, drop).await.unwrap();
    assert!(
        differences.iter().any(|d| d.table == "lender_waiting"),
        "{differences:#?}"
    );
}
on_both_backends!(a_bulk_rebuild_writes_the_projectors_rows);
