//! The dashboard's HTML building blocks: escaping and number formats,
//! links, the page layout, the header with its period picker, cards,
//! sections and tables.

use std::fmt::Write;

use axum::http::StatusCode;
use chrono::{Datelike, Days, Months, NaiveDate};
use projections::queries::BorrowingStats;

use super::{Params, Period, Report};

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("script.js");

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

pub fn layout(title: &str, body: &str) -> String {
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

pub fn header(report: &Report, params: &Params, heading: &str, sub: &str) -> String {
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

pub fn csv_link(report: &Report, table: &str) -> String {
    let mut more = vec![("table", table)];
    if let Some(library) = &report.library {
        more.push(("library", library.id.as_str()));
    }
    format!(
        r#"<a class="csv" href="/stats.csv{}" download>CSV</a>"#,
        query(report.period, &more)
    )
}

/// The six borrowing figures as cards, their ids prefixed with `prefix`.
pub fn borrowing_cards(prefix: &str, placed: &str, filled: &str, stats: &BorrowingStats) -> String {
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

/// A headline number: `value` is the raw number, for scripts and tests.
pub fn card(id: &str, label: &str, value: &str, shown: &str) -> String {
    format!(
        r#"<div class="card"><span class="label">{label}</span><data id="{id}" value="{}">{}</data></div>"#,
        escape(value),
        escape(shown)
    )
}

pub fn section(id: &str, title: &str, csv: &str, body: &str) -> String {
    format!(
        r#"<section id="{id}"><div class="section-head"><h2>{title}</h2>{csv}</div>{body}</section>"#
    )
}

pub fn months(report: &Report) -> Vec<String> {
    report.months.iter().map(|(m, _)| m.clone()).collect()
}

pub fn table_head(columns: &[&str]) -> String {
    let mut html = String::from(r#"<div class="scroll"><table><thead><tr>"#);
    for c in columns {
        let _ = write!(html, r#"<th scope="col">{c}</th>"#);
    }
    html.push_str("</tr></thead><tbody>");
    html
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
