//! `ill-replay verify` and `rebuild`: the stored read models equal a rebuild
//! from the log, a hand-altered row is named, and a rebuild beside running
//! writers leaves nothing missing or doubled.

use std::time::Duration;

use crate::common::{lifecycle, project, replay, stdout};
use domain::testing::{place, services, staff, BOR, LENDERS};
use domain::Calendar;
use projections::Projector;
use store::testing::{fresh_url, run, Backend};
use store::{on_both_backends, Database, EventStore};
use uuid::Uuid;

async fn verify_names_an_altered_row_and_rebuild_mends_it(backend: Backend) {
    let url = fresh_url(backend).await;
    let id = lifecycle(&url).await;
    lifecycle(&url).await;
    project(&url).await;
    let healthy = replay(&url, &["verify"]);
    assert_eq!(
        healthy.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&healthy.stdout)
    );

    let database = Database::connect(&url).await.unwrap();
    let alter = "UPDATE request_views SET status = 'LOST' WHERE borrower = 'BOR' AND version = 10";
    match &database {
        Database::Postgres(pool) => sqlx_execute_pg(pool, alter).await,
        Database::Sqlite(pool) => sqlx_execute_sqlite(pool, alter).await,
    }
    let broken = replay(&url, &["verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let report = String::from_utf8_lossy(&broken.stdout);
    assert!(report.contains("request_views"), "{report}");
    assert!(
        report.contains(&id.to_string()) || report.contains("LOST"),
        "{report}"
    );

    let rebuilt = stdout(&replay(&url, &["rebuild"]));
    assert!(rebuilt.starts_with("rebuilt "), "{rebuilt}");
    let mended = replay(&url, &["verify"]);
    assert_eq!(
        mended.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&mended.stdout)
    );
}
on_both_backends!(verify_names_an_altered_row_and_rebuild_mends_it);

async fn sqlx_execute_pg(pool: &sqlx::PgPool, statement: &str) {
    let done = sqlx::query(statement).execute(pool).await.unwrap();
    assert_eq!(done.rows_affected(), 2);
}

async fn sqlx_execute_sqlite(pool: &sqlx::SqlitePool, statement: &str) {
    let done = sqlx::query(statement).execute(pool).await.unwrap();
    assert_eq!(done.rows_affected(), 2);
}

async fn rebuild_while_requests_are_written(backend: Backend) {
    let url = fresh_url(backend).await;
    let database = Database::connect(&url).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let projector = Projector::new(database.clone(), Calendar::default());
    let running = projector.clone().spawn(stopped);

    let writer = {
        let store = EventStore::new(database.clone());
        tokio::spawn(async move {
            let services = services();
            let mut placed = 0;
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(3) {
                run(
                    &store,
                    &services,
                    Uuid::new_v4(),
                    staff(BOR),
                    None,
                    place(&LENDERS),
                )
                .await
                .unwrap();
                placed += 1;
            }
            placed
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rebuild = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || replay(&url, &["rebuild"]))
    };
    let rebuilt = rebuild.await.unwrap();
    let placed = writer.await.unwrap();
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert!(placed > 10, "the writer kept writing ({placed} requests)");

    projector.catch_up().await.unwrap();
    stop.send(true).unwrap();
    running.await.unwrap();
    let verified = replay(&url, &["verify"]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    let count = "SELECT count(*) FROM request_views";
    let views: i64 = match &database {
        Database::Postgres(pool) => sqlx::query_scalar(count).fetch_one(pool).await.unwrap(),
        Database::Sqlite(pool) => sqlx::query_scalar(count).fetch_one(pool).await.unwrap(),
    };
    assert_eq!(views, placed, "every request once");
}
on_both_backends!(rebuild_while_requests_are_written);

/// After an import nothing is projected: verify passes only by applying the
/// log to the projections inside its own transaction, says so, and says
/// they are still behind until a rebuild (or a server) brings them up.
async fn verify_after_an_import_says_the_projections_are_behind(backend: Backend) {
    let source = fresh_url(Backend::Sqlite).await;
    lifecycle(&source).await;
    lifecycle(&source).await;
    let export = std::env::temp_dir()
        .join("ill-tests")
        .join(format!("{}.ndjson", Uuid::new_v4()));
    let export_path = export.to_str().unwrap();
    stdout(&replay(&source, &["export", "--out", export_path]));
    let url = fresh_url(backend).await;
    stdout(&replay(&url, &["import", export_path]));
    drop(std::fs::remove_file(&export));

    let report = stdout(&replay(&url, &["verify"]));
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert_eq!(
        lines[0],
        "verified: every projection equals a rebuild from the log, once brought up to date: \
         verify first applied the events that requests, statistics, libraries lacked, inside \
         its own transaction, and kept none of them"
    );
    assert_eq!(
        lines[1],
        "behind the log: requests (nothing projected), statistics (nothing projected), \
         libraries (nothing projected); run `ill-replay rebuild` or start a server to bring \
         them up to date"
    );

    stdout(&replay(&url, &["rebuild"]));
    assert_eq!(
        stdout(&replay(&url, &["verify"])),
        "verified: every projection equals a rebuild from the log\n"
    );
}
on_both_backends!(verify_after_an_import_says_the_projections_are_behind);

#[tokio::test]
async fn rebuild_of_an_unknown_projection_lists_the_known_ones() {
    let url = fresh_url(Backend::Sqlite).await;
    let output = replay(&url, &["rebuild", "--projection", "bogus"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[possible values: requests, statistics, libraries]"),
        "{stderr}"
    );
}
