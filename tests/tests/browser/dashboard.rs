//! The statistics dashboard of a `--demo` network: its CSV is the
//! statistics query's, row by row; and in headless Chromium (Debian's
//! `chromium`) /stats and /stats/LIBRARY load without console errors, draw
//! non-empty SVG charts, follow the period picker, and leave screenshots
//! under target/dashboard/ for people to look at.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use domain::{Calendar, ManualClock};
use ill_tests::browser::chromium;
use ill_tests::{test_epoch, Backend};
use projections::queries::{self, BorrowingStats, LibraryStats, Statistics};
use store::testing::fresh_url;
use store::Database;

/// Requests in the test's demo year (the real demo has many more).
const DEMO_REQUESTS: usize = 2_500;

struct Demo {
    base: String,
    server: api::RunningServer,
}

impl Demo {
    fn db(&self) -> &Database {
        self.server.state.database()
    }

    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = reqwest::get(format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
        (status, kind, response.text().await.unwrap())
    }
}

/// A server started with `--demo` on an empty store, at the tests' clock.
async fn spawn_demo(backend: Backend) -> Demo {
    let settings = api::Settings {
        database_url: fresh_url(backend).await,
        listen: "127.0.0.1:0".parse().unwrap(),
        calendar: Calendar::default(),
        lender_response_days: 5,
        demo: Some(DEMO_REQUESTS),
        bootstrap_admin_token: None,
        patron_retention_days: 90,
        request_timeout: Duration::from_secs(30),
        scheduler_interval: Duration::from_millis(100),
        private_stats: false,
        max_rota: 5,
        security: Default::default(),
    };
    let clock = Arc::new(ManualClock::new(test_epoch()));
    let server = api::start(settings, clock)
        .await
        .expect("start with --demo");
    Demo {
        base: format!("http://{}", server.addr),
        server,
    }
}

/// RFC 4180, as much as the dashboard writes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

fn number(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

fn borrowing(b: &BorrowingStats) -> Vec<String> {
    vec![
        b.placed.to_string(),
        b.filled.to_string(),
        b.unfilled.to_string(),
        b.cancelled.to_string(),
        number(b.fill_rate),
        number(b.median_days_to_receive),
    ]
}

fn library_row(l: &LibraryStats) -> Vec<String> {
    let mut row = vec![
        l.library.id.to_string(),
        l.library.name.clone(),
        l.library.lends.to_string(),
        l.library.suspended.to_string(),
    ];
    row.extend(borrowing(&l.borrowing));
    row.extend([
        l.lending.received.to_string(),
        l.lending.shipped.to_string(),
        l.lending.declined.to_string(),
        l.lending.timed_out.to_string(),
        number(l.lending.fill_rate),
        number(l.lending.median_days_to_ship),
        number(l.lend_borrow_ratio),
    ]);
    row
}

/// The CSV's rows without the header; the numbers parse back to exactly
/// the query's (Rust prints the shortest text that reads back the same).
async fn csv_rows(demo: &Demo, query: &str) -> Vec<Vec<String>> {
    let (status, kind, body) = demo.get(&format!("/stats.csv?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut rows = parse_csv(&body);
    assert!(!rows.is_empty(), "{query}: a header at least");
    rows.remove(0);
    rows
}

fn dates(from: &str, to: &str) -> (NaiveDate, NaiveDate) {
    (from.parse().unwrap(), to.parse().unwrap())
}

async fn the_csv_is_the_statistics_query_row_by_row(backend: Backend) {
    let demo = spawn_demo(backend).await;
    let db = demo.db();
    for (from, to) in [("2025-03-03", "2026-03-02"), ("2025-06-15", "2025-09-10")] {
        let (f, t) = dates(from, to);
        let period = format!("from={from}&to={to}");
        let stats: Statistics = queries::statistics(db, f, t, None).await.unwrap();
        assert!(stats.libraries.len() > 150, "a populated network");

        let rows = csv_rows(&demo, &format!("table=libraries&{period}")).await;
        let expected: Vec<Vec<String>> = stats.libraries.iter().map(library_row).collect();
        assert_eq!(rows.len(), expected.len());
        for (row, expected) in rows.iter().zip(&expected) {
            assert_eq!(row, expected);
        }

        let rows = csv_rows(&demo, &format!("table=network&{period}")).await;
        let mut expected = vec![from.to_owned(), to.to_owned()];
        expected.extend(borrowing(&stats.network));
        assert_eq!(rows, vec![expected]);

        let rows = csv_rows(&demo, &format!("table=monthly&{period}")).await;
        let expected: Vec<Vec<String>> = stats
            .monthly
            .iter()
            .map(|m| {
                vec![
                    m.month.clone(),
                    m.placed.to_string(),
                    m.filled.to_string(),
                    m.unfilled.to_string(),
                    m.shipped.to_string(),
                ]
            })
            .collect();
        assert_eq!(rows, expected);

        let rows = csv_rows(&demo, &format!("table=declines&{period}")).await;
        let expected: Vec<Vec<String>> = stats
            .declined_by_reason
            .iter()
            .map(|(r, n)| vec![r.as_str().to_owned(), n.to_string()])
            .collect();
        assert_eq!(rows, expected);

        // One statistics call per month, the first and last cut to the period.
        let rows = csv_rows(&demo, &format!("table=trend&{period}")).await;
        assert_eq!(rows.len(), stats.monthly.len());
        for row in &rows {
            let (f, t) = dates(&row[1], &row[2]);
            let month = queries::statistics(db, f, t, None).await.unwrap();
            let mut expected = vec![row[0].clone(), row[1].clone(), row[2].clone()];
            expected.extend(borrowing(&month.network));
            assert_eq!(row, &expected);
        }
        assert_eq!(rows.first().unwrap()[1], from);
        assert_eq!(rows.last().unwrap()[2], to);

        // One library: its row, its declines as a lender.
        let busiest = stats
            .libraries
            .iter()
            .max_by_key(|l| (l.borrowing.placed, l.library.id.clone()))
            .unwrap();
        let id = busiest.library.id.as_str();
        let rows = csv_rows(&demo, &format!("table=libraries&library={id}&{period}")).await;
        assert_eq!(rows, vec![library_row(busiest)]);
        let rows = csv_rows(&demo, &format!("table=declines&library={id}&{period}")).await;
        let expected: Vec<Vec<String>> = busiest
            .lending
            .declined_by_reason
            .iter()
            .map(|(r, n)| vec![r.as_str().to_owned(), n.to_string()])
            .collect();
        assert_eq!(rows, expected);
    }

    let (status, _, body) = demo.get("/stats.csv?table=patrons").await;
    assert_eq!(status, 400, "{body}");
    let (status, _, _) = demo.get("/stats.csv?from=2026-01-01&to=2025-01-01").await;
    assert_eq!(status, 400);
    let (status, _, _) = demo.get("/stats/NO-SUCH-LIBRARY").await;
    assert_eq!(status, 404);
    demo.server.stop().await;
}
store::on_both_backends!(the_csv_is_the_statistics_query_row_by_row);

struct Browser {
    binary: PathBuf,
    profile: PathBuf,
}

/// What one headless run printed: the DOM (or nothing) and the console.
struct Run {
    stdout: String,
    console: Vec<String>,
}

impl Browser {
    fn new(binary: PathBuf) -> Browser {
        let profile =
            std::env::temp_dir().join(format!("ill-chromium-{}", uuid::Uuid::new_v4().simple()));
        Browser { binary, profile }
    }

    async fn run(&self, extra: &[String], url: &str) -> Run {
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // A fresh profile per run: runs never share state.
        let profile = self.profile.join(uuid::Uuid::new_v4().simple().to_string());
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra.iter().cloned());
        args.push(url.to_owned());
        let binary = self.binary.clone();
        let output = tokio::task::spawn_blocking(move || Command::new(binary).args(&args).output())
            .await
            .unwrap()
            .expect("run chromium");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "chromium failed on {url}: {stderr}"
        );
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            console: stderr
                .lines()
                .filter(|l| l.contains("CONSOLE"))
                .map(str::to_owned)
                .collect(),
        }
    }

    async fn dom(&self, url: &str) -> String {
        let run = self.run(&["--dump-dom".to_owned()], url).await;
        assert!(
            run.console.is_empty(),
            "console messages on {url}: {:#?}",
            run.console
        );
        run.stdout
    }

    async fn screenshot(&self, url: &str, file: &Path, width: u32, height: u32) {
        let _ = std::fs::remove_file(file);
        let run = self
            .run(
                &[
                    format!("--screenshot={}", file.display()),
                    format!("--window-size={width},{height}"),
                ],
                url,
            )
            .await;
        assert!(
            run.console.is_empty(),
            "console messages on {url}: {:#?}",
            run.console
        );
        let png = std::fs::read(file).expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "{} is a PNG", file.display());
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The SVG charts of a page: each must draw something.
fn charts(dom: &str) -> Vec<&str> {
    dom.split("<svg")
        .skip(1)
        .filter(|s| s.starts_with(" class=\"chart\""))
        .map(|s| &s[..s.find("</svg>").expect("a closed svg")])
        .collect()
}

fn assert_charts_drawn(dom: &str, at_least: usize) {
    let charts = charts(dom);
    assert!(charts.len() >= at_least, "{} charts", charts.len());
    for chart in charts {
        let marks = chart.matches("<rect").count() + chart.matches("<circle").count();
        assert!(marks > 0, "an empty chart: {chart}");
    }
}

/// The raw value of a `<data id=…>` number.
fn data(dom: &str, id: &str) -> String {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"));
    let rest = &dom[start..];
    let value = &rest[rest.find("value=\"").unwrap() + 7..];
    value[..value.find('"').unwrap()].to_owned()
}

/// The `href` of the link whose text is `text`.
fn link(dom: &str, text: &str) -> String {
    let end = dom
        .find(&format!(">{text}</a>"))
        .unwrap_or_else(|| panic!("no link {text}"));
    let start = dom[..end].rfind("href=\"").unwrap() + 6;
    dom[start..end]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_headless_chromium() {
    let binary = chromium().expect(
        "the dashboard's browser test needs Chromium: scripts/test.sh installs Debian's `chromium`",
    );
    let browser = Browser::new(binary);
    // The harness hears console messages: a page that logs one is caught.
    let probe = browser
        .run(
            &["--dump-dom".to_owned()],
            "data:text/html,<script>console.error('probe')</script>",
        )
        .await;
    assert!(
        probe.console.iter().any(|l| l.contains("probe")),
        "Chromium's console does not reach stderr"
    );

    let demo = spawn_demo(Backend::Sqlite).await;
    let db = demo.db();

    // Readable without JavaScript, and nothing fetched from elsewhere.
    let (status, _, html) = demo.get("/stats").await;
    assert_eq!(status, 200);
    for outside in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "src=\"//",
        "href=\"//",
    ] {
        assert!(!html.contains(outside), "the page loads {outside}…");
    }
    assert_charts_drawn(&html, 4);

    let dom = browser.dom(&format!("{}/stats", demo.base)).await;
    assert_charts_drawn(&dom, 4);
    let year = queries::statistics(
        db,
        "2025-03-03".parse().unwrap(),
        "2026-03-02".parse().unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        data(&dom, "network-placed"),
        year.network.placed.to_string()
    );
    assert_eq!(
        data(&dom, "network-filled"),
        year.network.filled.to_string()
    );
    assert!(
        dom.contains("class=\"net-borrower\""),
        "net borrowers are marked"
    );
    assert!(dom.contains("id=\"library-table\""));

    // The period picker: its "Last 90 days" changes the numbers, to the
    // query's for that period.
    let href = link(&dom, "Last 90 days");
    assert!(href.contains("from=2025-12-03&to=2026-03-02"), "{href}");
    let quarter_dom = browser.dom(&format!("{}{href}", demo.base)).await;
    let quarter = queries::statistics(
        db,
        "2025-12-03".parse().unwrap(),
        "2026-03-02".parse().unwrap(),
        None,
    )
    .await
    .unwrap();
    let placed = data(&quarter_dom, "network-placed");
    assert_eq!(placed, quarter.network.placed.to_string());
    assert_ne!(placed, data(&dom, "network-placed"));
    assert_charts_drawn(&quarter_dom, 4);
    // The form asks the same way: from and to in the query string.
    assert!(dom.contains("name=\"from\"") && dom.contains("name=\"to\""));

    // Sorted by another column on the server.
    let sorted = browser
        .dom(&format!("{}/stats?sort=shipped&dir=desc", demo.base))
        .await;
    let most = year
        .libraries
        .iter()
        .map(|l| l.lending.shipped)
        .max()
        .unwrap();
    let table = &sorted[sorted.find("id=\"library-table\"").unwrap()..];
    let first_row = &table[table.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(
        first_row.contains(&format!("data-value=\"{most}\"")),
        "{first_row}"
    );

    // One library's page.
    let busiest = year
        .libraries
        .iter()
        .max_by_key(|l| (l.borrowing.placed, l.library.id.clone()))
        .unwrap();
    let url = format!("{}/stats/{}", demo.base, busiest.library.id);
    let library_dom = browser.dom(&url).await;
    assert_charts_drawn(&library_dom, 4);
    assert_eq!(
        data(&library_dom, "borrowing-placed"),
        busiest.borrowing.placed.to_string()
    );
    assert_eq!(
        data(&library_dom, "lending-shipped"),
        busiest.lending.shipped.to_string()
    );

    let dir = screenshots();
    browser
        .screenshot(
            &format!("{}/stats", demo.base),
            &dir.join("stats.png"),
            1280,
            2600,
        )
        .await;
    browser
        .screenshot(
            &format!("{}/stats", demo.base),
            &dir.join("stats-phone.png"),
            390,
            2400,
        )
        .await;
    browser
        .screenshot(&url, &dir.join("stats-library.png"), 1280, 2200)
        .await;
    println!("screenshots in {}", dir.display());
    demo.server.stop().await;
}
