//! `/stats`: the network's totals, its months, fill rate and turnaround
//! over time, declines by reason, and the lend/borrow balance per library.

use std::cmp::Ordering;
use std::fmt::Write;

use projections::queries::{LibraryStats, Statistics};

use super::charts::{self, Series, Unit};
use super::html::{
    borrowing_cards, count, csv_link, days, encode, escape, header, layout, months, percent, query,
    ratio, raw, section, table_head,
};
use super::{Params, Report};

/// A library "borrows far more than it lends" when it received more than
/// twice what it shipped, over at least this many filled requests.
const NET_BORROWER_MIN_FILLED: i64 = 10;
const NET_BORROWER_RATIO: f64 = 0.5;

/// `/stats`.
pub fn page(report: &Report, params: &Params) -> String {
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

pub fn declines_section(
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

pub fn balance(l: &LibraryStats) -> i64 {
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
pub fn net_borrower(l: &LibraryStats) -> Option<String> {
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
