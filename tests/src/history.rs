//! A benchmark's store: a generated year of traffic with its read models
//! built (or the server's `--demo`), kept between runs in
//! `ILL_BENCH_DATABASE_URL` / `ILL_BENCH_SQLITE_URL` or made afresh.

use std::time::Instant;

use domain::{Calendar, LibraryId, Role};
use projections::rebuild;
use simulation::{generate, Shape};
use store::accounts::Account;
use store::backend::on_db;
use store::testing::{fresh_url, Backend};
use store::Database;

use crate::{spawn_app_on, TestApp};

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

/// A server started with `--demo` of `requests` on the benchmark's store
/// ([`store_url`]: a store that holds requests is used as it is). `what`
/// names the benchmark in what it prints.
pub async fn demo_server(backend: Backend, requests: usize, what: &str) -> TestApp {
    let url = store_url(backend).await;
    let started = Instant::now();
    let app = spawn_app_on(url, |settings| {
        settings.demo = Some(requests);
        settings.bootstrap_admin_token = None;
    })
    .await;
    println!(
        "{what} {backend:?}: the demo store ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    app
}

/// A new staff token of each of `libraries`, in their order.
pub async fn staff_tokens(db: &Database, libraries: &[LibraryId], name: &str) -> Vec<String> {
    let mut tokens = Vec::with_capacity(libraries.len());
    for library in libraries {
        let (token, hash) = api::auth::new_token();
        let account = Account {
            library: library.clone(),
            name: name.into(),
            role: Role::Staff,
        };
        store::accounts::add_token(db, &account, &hash)
            .await
            .expect("add a staff token");
        tokens.push(token);
    }
    tokens
}
