//! The search benchmark (BENCHMARKS.md, "Catalogue search"): the 250,000
//! Library of Congress records of pymarc 5.4.0's `BooksAll.2016.part01.utf8`
//! imported as one library's file (and every fourth record again as a
//! second library's, so that `lendable_by` varies), then the 1,000 queries
//! of `benchmarks/catalogue/queries.txt`, each timed as a first page of 20,
//! against `SELECT 1` on the same pool in the same run. Ignored: it needs
//! the file (never committed) and a release build:
//!
//!     ILL_BENCH_LC=PATH/BooksAll.2016.part01.utf8 cargo test --release -p catalogue \
//!         --test catalogue -- --ignored --nocapture search::benchmark

use std::io::Cursor;
use std::time::{Duration, Instant};

use catalogue::formats::{Format, ItemMapping};
use catalogue::import::{import, ImportRequest};
use catalogue::search::search;
use store::backend::on_db;
use store::testing::{fresh_database, Backend};
use store::Database;

const QUERIES: &str = include_str!("../../../../benchmarks/catalogue/queries.txt");

/// The target for p99.
const TARGET: Duration = Duration::from_millis(20);

/// The classes of `queries.txt`, in its order (make_queries.py).
const CLASSES: [(&str, usize); 5] = [
    ("single words", 300),
    ("two words", 250),
    ("prefixes", 150),
    ("ISBNs", 150),
    ("OCLC numbers", 150),
];

/// Every fourth record of a MARC file (ISO 2709 records say their length).
fn every_fourth(file: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut n = 0;
    while start + 5 <= file.len() {
        let length: usize = std::str::from_utf8(&file[start..start + 5])
            .unwrap()
            .parse()
            .unwrap();
        if n % 4 == 0 {
            out.extend_from_slice(&file[start..start + length]);
        }
        start += length;
        n += 1;
    }
    out
}

async fn load(db: &Database, library: &str, file: Vec<u8>) {
    let started = Instant::now();
    let summary = import(
        db,
        ImportRequest {
            library: library.to_owned(),
            by: "benchmark".to_owned(),
            format: Format::Marc,
            items: ItemMapping::default(),
            at: chrono::Utc::now(),
            lending: true,
        },
        Cursor::new(file),
    )
    .await
    .expect("import the LC records");
    println!(
        "{}: {library} imported {} records ({} rejected) in {:.0?}",
        db.backend_name(),
        summary.records,
        summary.rejected,
        started.elapsed()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn row(name: &str, times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "| {name} | {} | {} | {} | {} |",
        times.len(),
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99)),
        ms(*times.last().unwrap())
    )
}

async fn measure(backend: Backend, file: &[u8]) {
    let db = fresh_database(backend).await;
    load(&db, "LC1", file.to_vec()).await;
    load(&db, "LC2", every_fourth(file)).await;
    db.settle_read_models().await.unwrap();
    let queries: Vec<&str> = QUERIES.lines().collect();
    assert_eq!(queries.len(), 1000);
    // Warm the caches once, as a running server's would be.
    for query in &queries {
        search(&db, query, 20, None).await.unwrap();
    }
    let mut times = Vec::new();
    let mut baseline = Vec::new();
    let mut found = Vec::new();
    for query in &queries {
        let started = Instant::now();
        on_db!(&db, pool => {
            sqlx::query("SELECT 1").execute(pool).await.unwrap();
        });
        baseline.push(started.elapsed());
        let started = Instant::now();
        let page = search(&db, query, 20, None).await.unwrap();
        times.push(started.elapsed());
        found.push(page.total_count);
    }
    println!(
        "\n{} (release), 1,000 queries, first page of 20:\n",
        db.backend_name()
    );
    println!("| queries | n | p50 | p99 | max |\n|---|---:|---:|---:|---:|");
    println!("{}", row("`SELECT 1` (baseline)", &mut baseline.clone()));
    println!("{}", row("all", &mut times.clone()));
    let mut at = 0;
    for (class, n) in CLASSES {
        println!("{}", row(class, &mut times[at..at + n].to_vec()));
        at += n;
    }
    let over: Vec<usize> = (0..queries.len()).filter(|&i| times[i] > TARGET).collect();
    println!(
        "\nover {}: {} of {} queries; the fewest records one of them found: {}",
        ms(TARGET),
        over.len(),
        queries.len(),
        over.iter()
            .map(|&i| found[i])
            .min()
            .map_or_else(|| "-".to_owned(), |n| n.to_string())
    );
    let mut slowest: Vec<usize> = (0..queries.len()).collect();
    slowest.sort_by_key(|&i| std::cmp::Reverse(times[i]));
    println!("\nslowest:");
    for &i in &slowest[..10] {
        println!(
            "  {:>10}  {:?} ({} found)",
            ms(times[i]),
            queries[i],
            found[i]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ILL_BENCH_LC and a release build"]
async fn search_latency_over_the_lc_records() {
    let path =
        std::env::var("ILL_BENCH_LC").expect("ILL_BENCH_LC: the path of BooksAll.2016.part01.utf8");
    let file = std::fs::read(path).expect("read the LC records");
    for backend in [Backend::Postgres, Backend::Sqlite] {
        measure(backend, &file).await;
    }
}
