//! The dashboard's HTML building blocks: number formats, links, the page
//! layout, the header with its period picker, cards, sections and tables.
//! Templates are `maud`'s: text is escaped by construction.

use std::fmt::Write;

use axum::http::StatusCode;
use chrono::{Datelike, Days, Months, NaiveDate};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use projections::queries::BorrowingStats;

use super::{Params, Period, Report};

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

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

pub fn percent(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

pub fn days(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.1}"))
}

pub fn ratio(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.2}"))
}

pub fn raw(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

pub fn encode(text: &str) -> String {
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
pub fn query(period: Period, more: &[(&str, &str)]) -> String {
    let mut q = format!("?from={}&to={}", period.from, period.to);
    for (key, value) in more {
        let _ = write!(q, "&{key}={}", encode(value));
    }
    q
}

pub fn error(status: StatusCode, message: &str) -> Markup {
    layout(
        &status.to_string(),
        html! {
            main {
                section {
                    h2 { (status) }
                    p { (message) }
                    p { a href="/stats" { "Back to the statistics" } }
                }
            }
        },
    )
}

pub fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="data:,";
                style { (PreEscaped(STYLE)) }
            }
            body {
                (body)
                footer {
                    p {
                        "Counts are of events whose date in the network's time zone falls in the period; medians are over exact durations, in days. The numbers are those of the GraphQL "
                        code { "statistics" }
                        " query. Public: the statistics hold no patron data."
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

pub fn header(report: &Report, params: &Params, heading: &str, sub: Markup) -> Markup {
    let path = report.library.as_ref().map_or("/stats".to_owned(), |l| {
        format!("/stats/{}", encode(l.id.as_str()))
    });
    html! {
        header {
            p.brand { a href={ "/stats" (query(report.period, &[])) } { "ILL network statistics" } }
            h1 { (heading) }
            p.sub { (sub) }
        }
        (picker(report, params, &path))
    }
}

/// The period picker: presets as links, any dates through the form.
fn picker(report: &Report, params: &Params, path: &str) -> Markup {
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
    // The table's sort order survives a change of period.
    let keep: Vec<(&str, &str)> = [("sort", &params.sort), ("dir", &params.dir)]
        .into_iter()
        .filter_map(|(key, value)| value.as_deref().map(|value| (key, value)))
        .collect();
    let period = report.period;
    html! {
        nav.period aria-label="Period" {
            form method="get" action=(path) id="period" {
                label { "From " input type="date" name="from" value=(period.from) required; }
                label { "To " input type="date" name="to" value=(period.to) required; }
                @for (key, value) in &keep {
                    input type="hidden" name=(key) value=(value);
                }
                button type="submit" { "Show" }
            }
            ul.presets {
                @for (name, from, to) in presets {
                    @let preset = Period { from, to };
                    li {
                        a href={ (path) (query(preset, &keep)) }
                            aria-current=[(preset == period).then_some("true")] { (name) }
                    }
                }
            }
            p.showing {
                (period.from) " – " (period.to) " (" ((period.to - period.from).num_days() + 1) " days)"
            }
        }
    }
}

pub fn csv_link(report: &Report, table: &str) -> Markup {
    let mut more = vec![("table", table)];
    if let Some(library) = &report.library {
        more.push(("library", library.id.as_str()));
    }
    html! {
        a.csv href={ "/stats.csv" (query(report.period, &more)) } download { "CSV" }
    }
}

/// The six borrowing figures as cards, their ids prefixed with `prefix`.
pub fn borrowing_cards(prefix: &str, placed: &str, filled: &str, stats: &BorrowingStats) -> Markup {
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
    html! {
        @for (id, label, value, shown) in &figures {
            (card(&format!("{prefix}-{id}"), label, value, shown))
        }
    }
}

/// A headline number: `value` is the raw number, for scripts and tests.
pub fn card(id: &str, label: &str, value: &str, shown: &str) -> Markup {
    html! {
        div.card {
            span.label { (label) }
            data id=(id) value=(value) { (shown) }
        }
    }
}

pub fn section(id: &str, title: &str, csv: Markup, body: Markup) -> Markup {
    html! {
        section id=(id) {
            div.section-head { h2 { (title) } (csv) }
            (body)
        }
    }
}

pub fn months(report: &Report) -> Vec<String> {
    report.months.iter().map(|(m, _)| m.clone()).collect()
}

/// A table under a row of column headings; `rows` are its `<tr>`s.
pub fn table(columns: &[&str], rows: Markup) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr { @for c in columns { th scope="col" { (c) } } } }
                tbody { (rows) }
            }
        }
    }
}

/// A "Table" disclosure under a chart, for screen readers and exact figures.
pub fn details(table: Markup) -> Markup {
    html! { details { summary { "Table" } (table) } }
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
    fn text_is_escaped_and_links_encoded() {
        let page = card("x", "<b>", "\"1\"", "a&b").into_string();
        assert!(
            page.contains("&lt;b&gt;")
                && page.contains("value=\"&quot;1&quot;\"")
                && page.contains(">a&amp;b<"),
            "{page}"
        );
        assert_eq!(encode("CT-HFD a&b"), "CT-HFD%20a%26b");
    }
}
