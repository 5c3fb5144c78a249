//! How fast one library's import runs on each backend, against the least a
//! load of the same rows costs: a bulk `COPY` (PostgreSQL) or one
//! transaction of prepared `INSERT`s (SQLite) of the same records and
//! copies, in the same run; and the import's peak RSS
//! (benchmarks/catalogue/import.sh; BENCHMARKS.md).

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use catalogue::formats::{self, Entry, Format, ItemMapping};
use catalogue::import::{self, ImportRequest};
use catalogue::record::SourceRecord;
use store::testing::{fresh_url, Backend};
use store::Database;

const BASELINE_TABLE: &str = "CREATE TABLE baseline (position bigint, title text, author text, \
    isbns text, oclc_numbers text, local_id text, call_number text, lendable boolean)";

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn rows(
    path: &str,
    format: Format,
) -> Result<Vec<(i64, SourceRecord)>, Box<dyn std::error::Error>> {
    let items = ItemMapping::default();
    let input = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut rows = Vec::new();
    for (position, entry) in formats::read(format, input, &items)?.enumerate() {
        if let Entry::Record(record) = entry? {
            rows.push((position as i64 + 1, record));
        }
    }
    Ok(rows)
}

fn csv_cell(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

async fn baseline(
    db: &Database,
    rows: &[(i64, SourceRecord)],
) -> Result<f64, Box<dyn std::error::Error>> {
    let started = Instant::now();
    match db {
        Database::Postgres(pool) => {
            sqlx::query(BASELINE_TABLE).execute(pool).await?;
            let mut text = String::new();
            for (position, r) in rows {
                for copy in &r.copies {
                    text.push_str(&format!(
                        "{position},{},{},{},{},{},{},{}\n",
                        csv_cell(&r.title),
                        csv_cell(r.author.as_deref().unwrap_or_default()),
                        csv_cell(&r.isbns.join(" ")),
                        csv_cell(&r.oclc_numbers.join(" ")),
                        csv_cell(copy.local_id.as_deref().unwrap_or_default()),
                        csv_cell(copy.call_number.as_deref().unwrap_or_default()),
                        copy.lendable
                    ));
                }
            }
            let mut connection = pool.acquire().await?;
            let mut copy = connection
                .copy_in_raw("COPY baseline FROM STDIN WITH (FORMAT csv)")
                .await?;
            copy.send(text.into_bytes()).await?;
            copy.finish().await?;
        }
        Database::Sqlite(pool) => {
            sqlx::query(BASELINE_TABLE).execute(pool).await?;
            let mut tx = pool.begin().await?;
            for (position, r) in rows {
                for copy in &r.copies {
                    sqlx::query("INSERT INTO baseline VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .bind(position)
                        .bind(&r.title)
                        .bind(&r.author)
                        .bind(r.isbns.join(" "))
                        .bind(r.oclc_numbers.join(" "))
                        .bind(&copy.local_id)
                        .bind(&copy.call_number)
                        .bind(copy.lendable)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: import_speed FILE marc|marcxml|csv postgres|sqlite";
    let path = args.next().ok_or(usage)?;
    let format = args
        .next()
        .and_then(|f| Format::from_name(&f))
        .ok_or(usage)?;
    let backend = match args.next().as_deref() {
        Some("postgres") => Backend::Postgres,
        Some("sqlite") => Backend::Sqlite,
        _ => return Err(usage.into()),
    };
    // The import's phases (read and stage, each step of the switch).
    tracing_subscriber::fmt()
        .with_env_filter(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "catalogue::import=debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let db = Database::connect(&fresh_url(backend).await).await?;
    let request = ImportRequest {
        library: "BENCH".into(),
        by: "import_speed".into(),
        format,
        items: ItemMapping::default(),
        at: chrono::Utc::now(),
        lending: true,
    };
    let started = Instant::now();
    let input = BufReader::with_capacity(256 * 1024, File::open(&path)?);
    let summary = import::import(&db, request, input).await?;
    let import_secs = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let rows = rows(&path, format)?;
    let copies: usize = rows.iter().map(|(_, r)| r.copies.len()).sum();
    let baseline_secs = baseline(&db, &rows).await?;
    let import_rate = summary.holdings as f64 / import_secs;
    let baseline_rate = copies as f64 / baseline_secs;
    println!(
        "{}: {} records, {} holdings, {} rejected; import {import_secs:.1} s ({import_rate:.0} holdings/s), \
         baseline {baseline_secs:.1} s ({baseline_rate:.0} rows/s), ratio {:.2}; import peak RSS {peak:.0} MiB",
        db.backend_name(),
        summary.records,
        summary.holdings,
        summary.rejected,
        import_rate / baseline_rate
    );
    Ok(())
}
