//! A benchmark's store: a generated year of traffic with its read models
//! built, kept between runs in `ILL_BENCH_DATABASE_URL` /
//! `ILL_BENCH_SQLITE_URL` or made afresh.

use std::time::Instant;

use domain::Calendar;
use projections::rebuild;
use simulation::{generate, Shape};
use store::backend::on_db;
use store::testing::{fresh_url, Backend};
use store::Database;

pub const COUNT_VIEWS: &str = "SELECT count(*) FROM request_views";

pub async fn count_views(db: &Database) -> i64 {
    on_db!(db, pool => sqlx::query_scalar(COUNT_VIEWS).fetch_one(pool).await).unwrap()
}

/// A benchmark store's URL: the kept one (`ILL_BENCH_DATABASE_URL` /
/// `ILL_BENCH_SQLITE_URL`) or a fresh one.
pub async fn store_url(backend: Backend) -> String {
    let kept = match backend {
        Backend::Postgres => std::env::var("ILL_BENCH_DATABASE_URL"),
        Backend::Sqlite => std::env::var("ILL_BENCH_SQLITE_URL"),
    };
    match kept {
        Ok(url) => url,
        Err(_) => fresh_url(backend).await,
    }
}

/// The store's URL ([`store_url`]). An empty store gets the history `shape`
/// and its rebuilt read models; one that holds requests is used as it is.
/// `what` names the benchmark in what it prints.
pub async fn generated_history(backend: Backend, shape: &Shape, what: &str) -> String {
    let url = store_url(backend).await;
    let db = Database::connect(&url).await.expect("connect to the store");
    if count_views(&db).await > 0 {
        println!("{what} {backend:?}: reusing the history in {url}");
        return url;
    }
    let started = Instant::now();
    let generated = generate(&db, shape).await.expect("generate a history");
    let generating = started.elapsed();
    let started = Instant::now();
    rebuild::rebuild(&db, Calendar::default(), None)
        .await
        .expect("rebuild the read models");
    println!(
        "{what} {backend:?}: generated {} events of {} requests in {generating:.1?}, \
         read models rebuilt in {:.1?}",
        generated.events,
        shape.requests,
        started.elapsed()
    );
    url
}
