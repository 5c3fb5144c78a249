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

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simulation::{generate, Shape};
use store::testing::bench::{copy_events, env_or};
use store::testing::{fresh_url, Backend};
use store::Database;

const SMALL: usize = 300;
const COUNT_EVENTS: &str = "SELECT count(*) FROM events";
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
