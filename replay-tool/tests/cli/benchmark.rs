//! `ill-replay`'s benchmark (issue 5): small in CI, large on request, e.g.
//!
//!     ILL_BENCH_REQUESTS=100000 cargo test --release -p replay-tool --test cli \
//!         -- --nocapture benchmark::
//!
//! On PostgreSQL, over a generated history (`simulation`,
//! `ILL_BENCH_LIBRARIES` libraries, default 200, `ILL_BENCH_REQUESTS`
//! requests, default 300), it runs the real binary's `rebuild`, `verify` and
//! `export` as child processes and reports each one's rate in events/s as a
//! ratio to a raw `COPY (SELECT … FROM events ORDER BY global_position) TO
//! STDOUT` of the same rows measured in the same run, and each child's peak
//! RSS (`VmHWM`, sampled from /proc every 5 ms while it runs).
//!
//! `ILL_BENCH_DATABASE_URL` (an existing database) reuses the history the
//! projections benchmark left there; it is generated only when the store is
//! empty.
//!
//! `as-of --queue` is timed against the replay of the whole log it replaced
//! (`--whole-log`) on one store in one run: `ILL_BENCH_AS_OF_URL`, e.g. the
//! demo store from the workspace's root,
//!
//!     ILL_BENCH_AS_OF_URL=sqlite://$PWD/ill-data/ill.sqlite cargo test --release \
//!         -p replay-tool --test cli -- --nocapture benchmark::as_of
//!
//! or, without it, a small generated history on SQLite.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use simulation::{generate, Shape};
use store::testing::bench::{copy_events, env_or};
use store::testing::{fresh_url, Backend};
use store::{on_db, Database};

use crate::common::project;

const SMALL: usize = 300;
const COUNT_EVENTS: &str = "SELECT count(*) FROM events";
const LAST_METADATA: &str = "SELECT metadata FROM events ORDER BY global_position DESC LIMIT 1";
const BUSIEST_BORROWER: &str = "
SELECT borrower FROM request_views GROUP BY borrower ORDER BY count(*) DESC, borrower LIMIT 1";
const BUSIEST_LENDER: &str = "
SELECT lender FROM request_views WHERE lender IS NOT NULL
 GROUP BY lender ORDER BY count(*) DESC, lender LIMIT 1";
/// A child's peak RSS in MiB as /proc shows it, `None` once it is gone.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

struct Run {
    elapsed: Duration,
    peak_mib: f64,
    stdout: String,
}

/// Runs `ill-replay ARGS` against `url`, sampling its peak RSS.
fn replay(url: &str, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ill-replay"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ill-replay");
    let pid = child.id();
    let reader = {
        let mut out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut out, &mut text).unwrap();
            text
        })
    };
    let mut peak: f64 = 0.0;
    let status = loop {
        if let Some(mib) = peak_rss_mib(pid) {
            peak = peak.max(mib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    let stdout = reader.join().unwrap();
    assert!(status.success(), "ill-replay {args:?}: {status}: {stdout}");
    Run {
        elapsed,
        peak_mib: peak,
        stdout,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_tool_rates_against_raw_copy() {
    let requests = env_or("ILL_BENCH_REQUESTS", SMALL);
    let url = match std::env::var("ILL_BENCH_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => fresh_url(Backend::Postgres).await,
    };
    let db = Database::connect(&url).await.expect("connect");
    let Database::Postgres(pool) = &db else {
        panic!("the replay benchmark runs on PostgreSQL");
    };
    let count = || async {
        sqlx::query_scalar::<_, i64>(COUNT_EVENTS)
            .fetch_one(pool)
            .await
            .unwrap() as u64
    };
    if count().await == 0 {
        let shape = Shape {
            requests,
            libraries: env_or("ILL_BENCH_LIBRARIES", 200),
            ..Shape::default()
        };
        let started = Instant::now();
        let generated = generate(&db, &shape).await.expect("generate a history");
        println!(
            "replay benchmark: generated {} events of {requests} requests in {:.1?}",
            generated.events,
            started.elapsed()
        );
    }
    let events = count().await;

    let (copy, bytes) = copy_events(pool).await;
    let copy_rate = events as f64 / copy.as_secs_f64();
    println!(
        "replay benchmark: {events} events; raw COPY of the log {copy:.2?} \
         ({copy_rate:.0} events/s, {:.0} MiB)",
        bytes as f64 / 1048576.0
    );
    let export_file = std::env::temp_dir().join(format!("ill-bench-{}.ndjson", std::process::id()));
    let export_path = export_file.to_string_lossy().into_owned();
    for (name, args) in [
        ("rebuild", vec!["rebuild"]),
        ("verify", vec!["verify"]),
        ("export", vec!["export", "--out", &export_path]),
    ] {
        let run = replay(&url, &args);
        if name == "verify" {
            assert!(run.stdout.starts_with("verified"), "{}", run.stdout);
        }
        let rate = events as f64 / run.elapsed.as_secs_f64();
        // Rebuild and verify project every event into each of the three
        // projections; the ratio counts each event once, as the COPY does.
        println!(
            "  ill-replay {name}: {:.2?} ({rate:.0} events/s), {:.3} × the raw COPY rate \
             (target ≥ 0.3 for rebuild and verify); peak RSS {:.0} MiB (target ≤ 512)",
            run.elapsed,
            rate / copy_rate,
            run.peak_mib,
        );
        assert!(run.peak_mib > 0.0, "no RSS sample of ill-replay {name}");
    }
    let exported = std::fs::metadata(&export_file).map_or(0, |m| m.len());
    println!("  export file: {:.0} MiB", exported as f64 / 1048576.0);
    drop(std::fs::remove_file(&export_file));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_of_queue_from_streams_against_whole_log() {
    let url = match std::env::var("ILL_BENCH_AS_OF_URL") {
        Ok(url) => url,
        Err(_) => {
            let url = fresh_url(Backend::Sqlite).await;
            let shape = Shape {
                requests: env_or("ILL_BENCH_REQUESTS", SMALL),
                ..Shape::default()
            };
            let db = Database::connect(&url).await.expect("connect");
            generate(&db, &shape).await.expect("generate a history");
            project(&url).await;
            url
        }
    };
    let db = Database::connect_existing(&url).await.expect("connect");
    let events: i64 =
        on_db!(&db, pool => sqlx::query_scalar(COUNT_EVENTS).fetch_one(pool).await).unwrap();
    let last: Value =
        on_db!(&db, pool => sqlx::query_scalar(LAST_METADATA).fetch_one(pool).await).unwrap();
    let last: DateTime<Utc> = last["occurred_at"].as_str().unwrap().parse().unwrap();
    let at = (last - chrono::Duration::days(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let borrower: String =
        on_db!(&db, pool => sqlx::query_scalar(BUSIEST_BORROWER).fetch_one(pool).await).unwrap();
    let lender: String =
        on_db!(&db, pool => sqlx::query_scalar(BUSIEST_LENDER).fetch_one(pool).await).unwrap();
    db.close().await;
    println!("as-of benchmark: {events} events, as of {at} (30 days before the last event)");
    for (library, side) in [(borrower, "borrowing"), (lender, "lending")] {
        let args = ["as-of", &at, "--queue", &library, "--side", side, "--json"];
        let streams = replay(&url, &args);
        let whole_log = replay(&url, &[&args[..], &["--whole-log"]].concat());
        assert_eq!(streams.stdout, whole_log.stdout, "{args:?}");
        println!(
            "  --queue {library} --side {side}: {} requests; the queue's streams {:.2?} \
             (peak RSS {:.0} MiB), the whole log {:.2?} (peak RSS {:.0} MiB): {:.0}× faster",
            streams.stdout.lines().count(),
            streams.elapsed,
            streams.peak_mib,
            whole_log.elapsed,
            whole_log.peak_mib,
            whole_log.elapsed.as_secs_f64() / streams.elapsed.as_secs_f64(),
        );
    }
}
