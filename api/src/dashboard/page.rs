//! The dashboard's HTML: a period picker, the totals, charts over the
//! months, declines by reason, and the lend/borrow balance per library.

use std::cmp::Ordering;
use std::fmt::Write;

use axum::http::StatusCode;
use chrono::{Datelike, Days, Months, NaiveDate};
use projections::queries::{BorrowingStats, LibraryStats, Statistics};

use super::charts::{self, Series, Unit};
use super::{Params, Period, Report};

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

/// A library "borrows far more than it lends" when it received more than
/// twice what it shipped, over at least this many filled requests.
const NET_BORROWER_MIN_FILLED: i64 = 10;
const NET_BORROWER_RATIO: f64 = 0.5;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `24013` → `24,013`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

fn percent(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn days(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.1}"))
}

fn ratio(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.2}"))
}

fn raw(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// A query string: `?from=…&to=…` and more.
fn query(period: Period, more: &[(&str, &str)]) -> String {
    let mut q = format!("?from={}&to={}", period.from, period.to);
    for (key, value) in more {
        let _ = write!(q, "&{key}={}", encode(value));
    }
    q
}

pub fn error(status: StatusCode, message: &str) -> String {
    layout(
        &format!("{status}"),
        &format!(
            "<main><section><h2>{}</h2><p>{}</p><p><a href=\"/stats\">Back to the statistics</a></p></section></main>",
            escape(&status.to_string()),
            escape(message)
        ),
    )
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<link rel="icon" href="data:,">
<style>{STYLE}</style>
</head>
<body>
{body}
<footer><p>Counts are of events whose date in the network's time zone falls in the period; medians are over exact durations, in days. The numbers are those of the GraphQL <code>statistics</code> query. Public: the statistics hold no patron data.</p></footer>
<script>{SCRIPT}</script>
</body>
</html>
"#,
        escape(title)
    )
}

fn header(report: &Report, params: &Params, heading: &str, sub: &str) -> String {
    let path = report.library.as_ref().map_or("/stats".to_owned(), |l| {
        format!("/stats/{}", encode(l.id.as_str()))
    });
    let mut html = format!(
        r#"<header><p class="brand"><a href="/stats{}">ILL network statistics</a></p><h1>{}</h1><p class="sub">{}</p></header>"#,
        query(report.period, &[]),
        escape(heading),
        sub
    );
    html.push_str(&picker(report, params, &path));
    html
}

/// The period picker: presets as links, any dates through the form.
fn picker(report: &Report, params: &Params, path: &str) -> String {
    let today = report.today;
    let last_month_end = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let this_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last_year_end = this_year.pred_opt().unwrap_or(this_year);
    let presets = [
        ("Last 12 months", today - Days::new(364), today),
        ("Last 90 days", today - Days::new(89), today),
        ("Last 30 days", today - Days::new(29), today),
        (
            "Last month",
            last_month_end.with_day(1).unwrap_or(last_month_end),
            last_month_end,
        ),
        ("This year", this_year, today),
        (
            "Last year",
            last_year_end - Months::new(12) + Days::new(1),
            last_year_end,
        ),
    ];
    let mut keep = String::new();
    let mut keep_pairs: Vec<(&str, &str)> = Vec::new();
    for (key, value) in [("sort", &params.sort), ("dir", &params.dir)] {
        if let Some(value) = value {
            let _ = write!(
                keep,
                r#"<input type="hidden" name="{key}" value="{}">"#,
                escape(value)
            );
            keep_pairs.push((key, value));
        }
    }
    let mut html = format!(
        r#"<nav class="period" aria-label="Period"><form method="get" action="{path}" id="period"><label>From <input type="date" name="from" value="{}" required></label><label>To <input type="date" name="to" value="{}" required></label>{keep}<button type="submit">Show</button></form><ul class="presets">"#,
        report.period.from, report.period.to
    );
    for (name, from, to) in presets {
        let period = Period { from, to };
        let current = if period == report.period {
            r#" aria-current="true""#
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<li><a href="{path}{}"{current}>{name}</a></li>"#,
            query(period, &keep_pairs)
        );
    }
    let _ = write!(
        html,
        r#"</ul><p class="showing">{} – {} ({} days)</p></nav>"#,
        report.period.from,
        report.period.to,
        (report.period.to - report.period.from).num_days() + 1
    );
    html
}

fn csv_link(report: &Report, table: &str) -> String {
    let mut more = vec![("table", table)];
    if let Some(library) = &report.library {
        more.push(("library", library.id.as_str()));
    }
    format!(
        r#"<a class="csv" href="/stats.csv{}" download>CSV</a>"#,
        query(report.period, &more)
    )
}

/// A headline number: `value` is the raw number, for scripts and tests.
/// The six borrowing figures as cards, their ids prefixed with `prefix`.
fn borrowing_cards(prefix: &str, placed: &str, filled: &str, stats: &BorrowingStats) -> String {
    let figures = [
        (
            "placed",
            placed,
            stats.placed.to_string(),
            count(stats.placed),
        ),
        (
            "filled",
            filled,
            stats.filled.to_string(),
            count(stats.filled),
        ),
        (
            "unfilled",
            "Unfilled",
            stats.unfilled.to_string(),
            count(stats.unfilled),
        ),
        (
            "fill-rate",
            "Fill rate",
            raw(stats.fill_rate),
            percent(stats.fill_rate),
        ),
        (
            "median-days",
            "Median days to receive",
            raw(stats.median_days_to_receive),
            days(stats.median_days_to_receive),
        ),
        (
            "cancelled",
            "Cancelled",
            stats.cancelled.to_string(),
            count(stats.cancelled),
        ),
    ];
    figures
        .iter()
        .map(|(id, label, value, shown)| card(&format!("{prefix}-{id}"), label, value, shown))
        .collect()
}

fn card(id: &str, label: &str, value: &str, shown: &str) -> String {
    format!(
        r#"<div class="card"><span class="label">{label}</span><data id="{id}" value="{}">{}</data></div>"#,
        escape(value),
        escape(shown)
    )
}

fn section(id: &str, title: &str, csv: &str, body: &str) -> String {
    format!(
        r#"<section id="{id}"><div class="section-head"><h2>{title}</h2>{csv}</div>{body}</section>"#
    )
}

fn months(report: &Report) -> Vec<String> {
    report.months.iter().map(|(m, _)| m.clone()).collect()
}

/// `/stats`.
pub fn overview(report: &Report, params: &Params) -> String {
    let stats = &report.stats;
    let network = &stats.network;
    let libraries = stats.libraries.len();
    let mut body = header(
        report,
        params,
        "Interlibrary loan statistics",
        &format!(
            "The whole network: {} libraries with activity in the period.",
            count(libraries as i64)
        ),
    );
    body.push_str("<main>");

    let cards = borrowing_cards("network", "Requests placed", "Filled", network);
    body.push_str(&section(
        "totals",
        "Network totals",
        &csv_link(report, "network"),
        &format!(r#"<div class="cards">{cards}</div>"#),
    ));

    let labels: Vec<String> = stats.monthly.iter().map(|m| m.month.clone()).collect();
    let volume = charts::bars(
        "Requests per month: placed, filled, unfilled",
        &labels,
        &[
            Series {
                name: "Placed",
                class: "s-placed",
                values: stats
                    .monthly
                    .iter()
                    .map(|m| Some(m.placed as f64))
                    .collect(),
            },
            Series {
                name: "Filled",
                class: "s-filled",
                values: stats
                    .monthly
                    .iter()
                    .map(|m| Some(m.filled as f64))
                    .collect(),
            },
            Series {
                name: "Unfilled",
                class: "s-unfilled",
                values: stats
                    .monthly
                    .iter()
                    .map(|m| Some(m.unfilled as f64))
                    .collect(),
            },
        ],
        Unit::Count,
    );
    let mut table = table_head(&["Month", "Placed", "Filled", "Unfilled", "Shipped"]);
    for m in &stats.monthly {
        let _ = write!(
            table,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            m.month,
            count(m.placed),
            count(m.filled),
            count(m.unfilled),
            count(m.shipped)
        );
    }
    table.push_str("</tbody></table></div>");
    body.push_str(&section(
        "volume",
        "Monthly volume",
        &csv_link(report, "monthly"),
        &format!("{volume}<details><summary>Table</summary>{table}</details>"),
    ));

    body.push_str(&trend_section(report, |s| {
        (s.network.fill_rate, s.network.median_days_to_receive)
    }));
    body.push_str(&declines_section(
        report,
        &stats.declined_by_reason,
        "Declines by reason",
        "Every decline in the network, by its ISO 18626 reason.",
    ));
    body.push_str(&libraries_section(report, params));
    body.push_str("</main>");
    layout(
        &format!(
            "ILL statistics {} – {}",
            report.period.from, report.period.to
        ),
        &body,
    )
}

fn table_head(columns: &[&str]) -> String {
    let mut html = String::from(r#"<div class="scroll"><table><thead><tr>"#);
    for c in columns {
        let _ = write!(html, r#"<th scope="col">{c}</th>"#);
    }
    html.push_str("</tr></thead><tbody>");
    html
}

/// Fill rate and median days to receive, month by month.
fn trend_section(
    report: &Report,
    pick: impl Fn(&Statistics) -> (Option<f64>, Option<f64>),
) -> String {
    let labels = months(report);
    let values: Vec<(Option<f64>, Option<f64>)> =
        report.months.iter().map(|(_, s)| pick(s)).collect();
    let fill = charts::lines(
        "Fill rate per month",
        &labels,
        &[Series {
            name: "Fill rate",
            class: "s-filled",
            values: values.iter().map(|v| v.0).collect(),
        }],
        Unit::Percent,
    );
    let turnaround = charts::lines(
        "Median days to receive per month",
        &labels,
        &[Series {
            name: "Median days to receive",
            class: "s-placed",
            values: values.iter().map(|v| v.1).collect(),
        }],
        Unit::Days,
    );
    let mut table = table_head(&[
        "Month",
        "Placed",
        "Filled",
        "Unfilled",
        "Fill rate",
        "Median days to receive",
    ]);
    for (month, s) in &report.months {
        let n = &s.network;
        let _ = write!(
            table,
            "<tr><th scope=\"row\">{month}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            count(n.placed),
            count(n.filled),
            count(n.unfilled),
            percent(n.fill_rate),
            days(n.median_days_to_receive)
        );
    }
    table.push_str("</tbody></table></div>");
    section(
        "trend",
        "Fill rate and turnaround over time",
        &csv_link(report, "trend"),
        &format!(
            r#"<div class="pair"><figure><figcaption>Fill rate</figcaption>{fill}</figure><figure><figcaption>Median days to receive</figcaption>{turnaround}</figure></div><details><summary>Table</summary>{table}</details>"#
        ),
    )
}

fn declines_section(
    report: &Report,
    reasons: &[(domain::UnfilledReason, i64)],
    title: &str,
    note: &str,
) -> String {
    let mut sorted: Vec<(String, i64)> = reasons
        .iter()
        .map(|(r, n)| (reason_name(*r).to_owned(), *n))
        .collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    let chart = charts::horizontal(title, &sorted);
    let mut table = table_head(&["Reason", "Declines", "Share"]);
    for (name, n) in &sorted {
        let _ = write!(
            table,
            "<tr><th scope=\"row\">{name}</th><td>{}</td><td>{}</td></tr>",
            count(*n),
            percent((total > 0).then(|| *n as f64 / total as f64))
        );
    }
    table.push_str("</tbody></table></div>");
    section(
        "declines",
        title,
        &csv_link(report, "declines"),
        &format!(
            r#"<p class="note">{note} {} in all.</p>{chart}<details><summary>Table</summary>{table}</details>"#,
            count(total)
        ),
    )
}

fn reason_name(reason: domain::UnfilledReason) -> &'static str {
    use domain::UnfilledReason as R;
    match reason {
        R::NotHeld => "Not held",
        R::NotOnShelf => "Not on shelf",
        R::NonCirculating => "Non-circulating",
        R::PoorCondition => "Poor condition",
        R::PolicyProblem => "Policy problem",
        R::NotAvailableForIll => "Not available for ILL",
        R::Other => "Other",
    }
}

/// A column of the library table: its key in `?sort=`, its heading, and
/// the value it sorts by.
struct Column {
    key: &'static str,
    title: &'static str,
    value: fn(&LibraryStats) -> Key,
}

#[derive(PartialEq, PartialOrd)]
enum Key {
    Text(String),
    Number(Option<f64>),
}

fn balance(l: &LibraryStats) -> i64 {
    l.lending.shipped - l.borrowing.filled
}

const COLUMNS: [Column; 13] = [
    Column {
        key: "library",
        title: "Library",
        value: |l| Key::Text(l.library.id.to_string()),
    },
    Column {
        key: "placed",
        title: "Placed",
        value: |l| Key::Number(Some(l.borrowing.placed as f64)),
    },
    Column {
        key: "filled",
        title: "Received",
        value: |l| Key::Number(Some(l.borrowing.filled as f64)),
    },
    Column {
        key: "borrow-rate",
        title: "Borrowing fill rate",
        value: |l| Key::Number(l.borrowing.fill_rate),
    },
    Column {
        key: "receive-days",
        title: "Median days to receive",
        value: |l| Key::Number(l.borrowing.median_days_to_receive),
    },
    Column {
        key: "asked",
        title: "Asked to lend",
        value: |l| Key::Number(Some(l.lending.received as f64)),
    },
    Column {
        key: "shipped",
        title: "Supplied",
        value: |l| Key::Number(Some(l.lending.shipped as f64)),
    },
    Column {
        key: "declined",
        title: "Declined",
        value: |l| Key::Number(Some(l.lending.declined as f64)),
    },
    Column {
        key: "timed-out",
        title: "Did not answer",
        value: |l| Key::Number(Some(l.lending.timed_out as f64)),
    },
    Column {
        key: "lend-rate",
        title: "Lending fill rate",
        value: |l| Key::Number(l.lending.fill_rate),
    },
    Column {
        key: "ship-days",
        title: "Median days to ship",
        value: |l| Key::Number(l.lending.median_days_to_ship),
    },
    Column {
        key: "ratio",
        title: "Lent per borrowed",
        value: |l| Key::Number(l.lend_borrow_ratio),
    },
    Column {
        key: "balance",
        title: "Balance (lent − borrowed)",
        value: |l| Key::Number(Some(balance(l) as f64)),
    },
];

/// Orders by the column, values missing last either way, then by id.
fn compare(column: &Column, descending: bool, a: &LibraryStats, b: &LibraryStats) -> Ordering {
    let (x, y) = ((column.value)(a), (column.value)(b));
    let order = match (&x, &y) {
        (Key::Number(None), Key::Number(Some(_))) => return Ordering::Greater,
        (Key::Number(Some(_)), Key::Number(None)) => return Ordering::Less,
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    };
    let order = if descending { order.reverse() } else { order };
    order.then_with(|| a.library.id.cmp(&b.library.id))
}

/// Borrows far more than it lends: how to say so, or `None`.
fn net_borrower(l: &LibraryStats) -> Option<String> {
    let ratio = l.lend_borrow_ratio?;
    if l.borrowing.filled < NET_BORROWER_MIN_FILLED || ratio >= NET_BORROWER_RATIO {
        return None;
    }
    Some(if l.lending.shipped == 0 {
        if l.library.lends {
            "lent nothing".to_owned()
        } else {
            "borrows only".to_owned()
        }
    } else {
        format!("borrows {:.1}× what it lends", 1.0 / ratio)
    })
}

fn libraries_section(report: &Report, params: &Params) -> String {
    let column = COLUMNS
        .iter()
        .find(|c| Some(c.key) == params.sort.as_deref())
        .unwrap_or(&COLUMNS[12]);
    let descending = params.dir.as_deref() == Some("desc");
    let mut rows: Vec<&LibraryStats> = report.stats.libraries.iter().collect();
    rows.sort_by(|a, b| compare(column, descending, a, b));

    let mut borrowers: Vec<&LibraryStats> = report
        .stats
        .libraries
        .iter()
        .filter(|l| net_borrower(l).is_some())
        .collect();
    borrowers.sort_by_key(|l| (balance(l), l.library.id.clone()));
    let mut callout = format!(
        r#"<p class="callout"><strong>{} {}</strong> received more than twice what they supplied (at least {NET_BORROWER_MIN_FILLED} items received)"#,
        borrowers.len(),
        if borrowers.len() == 1 {
            "library"
        } else {
            "libraries"
        }
    );
    if !borrowers.is_empty() {
        callout.push_str(": ");
        let names: Vec<String> = borrowers
            .iter()
            .take(8)
            .map(|l| {
                format!(
                    r#"<a href="/stats/{}{}">{}</a> ({} received, {} supplied)"#,
                    encode(l.library.id.as_str()),
                    query(report.period, &[]),
                    escape(&l.library.name),
                    count(l.borrowing.filled),
                    count(l.lending.shipped)
                )
            })
            .collect();
        callout.push_str(&names.join(", "));
        if borrowers.len() > 8 {
            let _ = write!(callout, " and {} more", borrowers.len() - 8);
        }
    }
    callout.push_str(". They are marked in the table.</p>");

    let mut html = String::from(
        r#"<div class="scroll"><table class="sortable" id="library-table"><thead><tr>"#,
    );
    for c in &COLUMNS {
        let here = c.key == column.key;
        let next = if here && !descending { "desc" } else { "asc" };
        let sort = match (here, descending) {
            (true, true) => r#" aria-sort="descending""#,
            (true, false) => r#" aria-sort="ascending""#,
            _ => "",
        };
        let _ = write!(
            html,
            r##"<th scope="col"{sort} data-key="{}"><a href="/stats{}#libraries">{}</a></th>"##,
            c.key,
            query(report.period, &[("sort", c.key), ("dir", next)]),
            c.title
        );
    }
    html.push_str("</tr></thead><tbody>");
    for l in rows {
        let warning = net_borrower(l);
        let _ = write!(
            html,
            r#"<tr{}><th scope="row" data-value="{}"><a href="/stats/{}{}">{}</a><span class="name">{}</span>{}{}</th>"#,
            if warning.is_some() {
                r#" class="net-borrower""#
            } else {
                ""
            },
            escape(l.library.id.as_str()),
            encode(l.library.id.as_str()),
            query(report.period, &[]),
            escape(l.library.id.as_str()),
            escape(&l.library.name),
            warning.map_or(String::new(), |w| format!(
                r#"<span class="badge">{}</span>"#,
                escape(&w)
            )),
            if l.library.suspended {
                r#"<span class="badge muted">lending suspended</span>"#
            } else {
                ""
            },
        );
        let cells = [
            (Some(l.borrowing.placed as f64), count(l.borrowing.placed)),
            (Some(l.borrowing.filled as f64), count(l.borrowing.filled)),
            (l.borrowing.fill_rate, percent(l.borrowing.fill_rate)),
            (
                l.borrowing.median_days_to_receive,
                days(l.borrowing.median_days_to_receive),
            ),
            (Some(l.lending.received as f64), count(l.lending.received)),
            (Some(l.lending.shipped as f64), count(l.lending.shipped)),
            (Some(l.lending.declined as f64), count(l.lending.declined)),
            (Some(l.lending.timed_out as f64), count(l.lending.timed_out)),
            (l.lending.fill_rate, percent(l.lending.fill_rate)),
            (
                l.lending.median_days_to_ship,
                days(l.lending.median_days_to_ship),
            ),
            (l.lend_borrow_ratio, ratio(l.lend_borrow_ratio)),
            (Some(balance(l) as f64), count(balance(l))),
        ];
        for (value, shown) in cells {
            let _ = write!(html, r#"<td data-value="{}">{shown}</td>"#, raw(value));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    section(
        "libraries",
        "Lending and borrowing by library",
        &csv_link(report, "libraries"),
        &format!(
            r#"<p class="note">Received: items and copies that reached the library as borrower. Supplied: what it shipped or delivered as lender. Sort by any column.</p>{callout}{html}"#
        ),
    )
}

/// `/stats/LIBRARY`.
pub fn library(report: &Report, params: &Params) -> String {
    let Some(record) = &report.library else {
        return overview(report, params);
    };
    let empty = LibraryStats {
        library: record.clone(),
        borrowing: Default::default(),
        lending: Default::default(),
        lend_borrow_ratio: None,
    };
    let row = report.stats.libraries.first().unwrap_or(&empty);
    let mut flags = vec![if record.lends {
        "lends and borrows"
    } else {
        "borrows only"
    }];
    if record.suspended {
        flags.push("lending suspended");
    }
    let mut body = header(
        report,
        params,
        &record.name,
        &format!(
            r#"{} · {} · <a href="/stats{}">the whole network</a>"#,
            escape(record.id.as_str()),
            flags.join(" · "),
            query(report.period, &[])
        ),
    );
    body.push_str("<main>");
    let (b, l) = (&row.borrowing, &row.lending);
    let borrowing = borrowing_cards("borrowing", "Placed", "Received", b);
    let lending = [
        card(
            "lending-received",
            "Asked to lend",
            &l.received.to_string(),
            &count(l.received),
        ),
        card(
            "lending-shipped",
            "Supplied",
            &l.shipped.to_string(),
            &count(l.shipped),
        ),
        card(
            "lending-declined",
            "Declined",
            &l.declined.to_string(),
            &count(l.declined),
        ),
        card(
            "lending-timed-out",
            "Did not answer",
            &l.timed_out.to_string(),
            &count(l.timed_out),
        ),
        card(
            "lending-fill-rate",
            "Fill rate",
            &raw(l.fill_rate),
            &percent(l.fill_rate),
        ),
        card(
            "lending-median-days",
            "Median days to ship",
            &raw(l.median_days_to_ship),
            &days(l.median_days_to_ship),
        ),
        card(
            "lend-borrow-ratio",
            "Lent per borrowed",
            &raw(row.lend_borrow_ratio),
            &ratio(row.lend_borrow_ratio),
        ),
    ]
    .concat();
    let warning = net_borrower(row).map_or(String::new(), |w| {
        format!(r#"<p class="callout">This library {}.</p>"#, escape(&w))
    });
    body.push_str(&section(
        "totals",
        "Totals",
        &csv_link(report, "libraries"),
        &format!(
            r#"{warning}<h3>Borrowing</h3><div class="cards">{borrowing}</div><h3>Lending</h3><div class="cards">{lending}</div>"#
        ),
    ));

    let labels = months(report);
    let of = |pick: fn(&LibraryStats) -> Option<f64>| -> Vec<Option<f64>> {
        report
            .months
            .iter()
            .map(|(_, s)| Some(s.libraries.first().and_then(pick).unwrap_or(0.0)))
            .collect()
    };
    let rate = |pick: fn(&LibraryStats) -> Option<f64>| -> Vec<Option<f64>> {
        report
            .months
            .iter()
            .map(|(_, s)| s.libraries.first().and_then(pick))
            .collect()
    };
    let volume = charts::bars(
        "Per month: requests placed and received as borrower, items supplied as lender",
        &labels,
        &[
            Series {
                name: "Placed",
                class: "s-placed",
                values: of(|l| Some(l.borrowing.placed as f64)),
            },
            Series {
                name: "Received",
                class: "s-filled",
                values: of(|l| Some(l.borrowing.filled as f64)),
            },
            Series {
                name: "Supplied",
                class: "s-shipped",
                values: of(|l| Some(l.lending.shipped as f64)),
            },
        ],
        Unit::Count,
    );
    let fill = charts::lines(
        "Fill rates per month",
        &labels,
        &[
            Series {
                name: "Borrowing fill rate",
                class: "s-filled",
                values: rate(|l| l.borrowing.fill_rate),
            },
            Series {
                name: "Lending fill rate",
                class: "s-shipped",
                values: rate(|l| l.lending.fill_rate),
            },
        ],
        Unit::Percent,
    );
    let turnaround = charts::lines(
        "Median days per month",
        &labels,
        &[
            Series {
                name: "Days to receive",
                class: "s-placed",
                values: rate(|l| l.borrowing.median_days_to_receive),
            },
            Series {
                name: "Days to ship",
                class: "s-shipped",
                values: rate(|l| l.lending.median_days_to_ship),
            },
        ],
        Unit::Days,
    );
    let mut table = table_head(&[
        "Month",
        "Placed",
        "Received",
        "Borrowing fill rate",
        "Days to receive",
        "Asked",
        "Supplied",
        "Lending fill rate",
        "Days to ship",
    ]);
    for (month, s) in &report.months {
        let row = s.libraries.first().unwrap_or(&empty);
        let _ = write!(
            table,
            "<tr><th scope=\"row\">{month}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            count(row.borrowing.placed),
            count(row.borrowing.filled),
            percent(row.borrowing.fill_rate),
            days(row.borrowing.median_days_to_receive),
            count(row.lending.received),
            count(row.lending.shipped),
            percent(row.lending.fill_rate),
            days(row.lending.median_days_to_ship)
        );
    }
    table.push_str("</tbody></table></div>");
    body.push_str(&section(
        "trend",
        "Month by month",
        &csv_link(report, "trend"),
        &format!(
            r#"{volume}<div class="pair"><figure><figcaption>Fill rates</figcaption>{fill}</figure><figure><figcaption>Median days</figcaption>{turnaround}</figure></div><details><summary>Table</summary>{table}</details>"#
        ),
    ));
    body.push_str(&declines_section(
        report,
        &row.lending.declined_by_reason,
        "Its declines by reason",
        "This library's declines as a lender, by ISO 18626 reason.",
    ));
    body.push_str("</main>");
    layout(
        &format!(
            "{} – ILL statistics {} – {}",
            record.name, report.period.from, report.period.to
        ),
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(24_013), "24,013");
        assert_eq!(count(-1_234_567), "−1,234,567");
        assert_eq!(percent(Some(0.8534)), "85.3%");
        assert_eq!(percent(None), "—");
        assert_eq!(days(Some(6.66)), "6.7");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(encode("CT-HFD a&b"), "CT-HFD%20a%26b");
    }
}
