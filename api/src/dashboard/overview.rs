//! `/stats`: the network's totals, its months, fill rate and turnaround
//! over time, declines by reason, and the lend/borrow balance per library.

use std::cmp::Ordering;

use maud::{html, Markup};
use projections::queries::{LibraryStats, Statistics};

use super::charts::{self, Series, Unit};
use super::html::{
    borrowing_cards, count, csv_link, days, details, encode, header, layout, months, percent,
    query, ratio, raw, section, table,
};
use super::{Params, Report};

/// A library "borrows far more than it lends" when it received more than
/// twice what it shipped, over at least this many filled requests.
const NET_BORROWER_MIN_FILLED: i64 = 10;
const NET_BORROWER_RATIO: f64 = 0.5;

/// `/stats`.
pub fn page(report: &Report, params: &Params) -> Markup {
    let stats = &report.stats;
    let network = &stats.network;
    let sub = html! {
        "The whole network: " (count(stats.libraries.len() as i64)) " libraries with activity in the period."
    };
    let totals = section(
        "totals",
        "Network totals",
        csv_link(report, "network"),
        html! { div.cards { (borrowing_cards("network", "Requests placed", "Filled", network)) } },
    );

    let labels: Vec<String> = stats.monthly.iter().map(|m| m.month.clone()).collect();
    let per_month = |pick: fn(&projections::queries::MonthStats) -> i64| -> Vec<Option<f64>> {
        stats.monthly.iter().map(|m| Some(pick(m) as f64)).collect()
    };
    let volume = charts::bars(
        "Requests per month: placed, filled, unfilled",
        &labels,
        &[
            Series {
                name: "Placed",
                class: "s-placed",
                values: per_month(|m| m.placed),
            },
            Series {
                name: "Filled",
                class: "s-filled",
                values: per_month(|m| m.filled),
            },
            Series {
                name: "Unfilled",
                class: "s-unfilled",
                values: per_month(|m| m.unfilled),
            },
        ],
        Unit::Count,
    );
    let rows = html! {
        @for m in &stats.monthly {
            tr {
                th scope="row" { (m.month) }
                td { (count(m.placed)) }
                td { (count(m.filled)) }
                td { (count(m.unfilled)) }
                td { (count(m.shipped)) }
            }
        }
    };
    let monthly = section(
        "volume",
        "Monthly volume",
        csv_link(report, "monthly"),
        html! {
            (volume)
            (details(table(&["Month", "Placed", "Filled", "Unfilled", "Shipped"], rows)))
        },
    );

    let body = html! {
        (header(report, params, "Interlibrary loan statistics", sub))
        main {
            (totals)
            (monthly)
            (trend_section(report, |s| (s.network.fill_rate, s.network.median_days_to_receive)))
            (declines_section(
                report,
                &stats.declined_by_reason,
                "Declines by reason",
                "Every decline in the network, by its ISO 18626 reason.",
            ))
            (libraries_section(report, params))
        }
    };
    layout(
        &format!(
            "ILL statistics {} – {}",
            report.period.from, report.period.to
        ),
        body,
    )
}

/// Fill rate and median days to receive, month by month.
fn trend_section(
    report: &Report,
    pick: impl Fn(&Statistics) -> (Option<f64>, Option<f64>),
) -> Markup {
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
    let rows = html! {
        @for (month, s) in &report.months {
            @let n = &s.network;
            tr {
                th scope="row" { (month) }
                td { (count(n.placed)) }
                td { (count(n.filled)) }
                td { (count(n.unfilled)) }
                td { (percent(n.fill_rate)) }
                td { (days(n.median_days_to_receive)) }
            }
        }
    };
    let columns = [
        "Month",
        "Placed",
        "Filled",
        "Unfilled",
        "Fill rate",
        "Median days to receive",
    ];
    section(
        "trend",
        "Fill rate and turnaround over time",
        csv_link(report, "trend"),
        html! {
            div.pair {
                figure { figcaption { "Fill rate" } (fill) }
                figure { figcaption { "Median days to receive" } (turnaround) }
            }
            (details(table(&columns, rows)))
        },
    )
}

pub fn declines_section(
    report: &Report,
    reasons: &[(domain::UnfilledReason, i64)],
    title: &str,
    note: &str,
) -> Markup {
    let mut sorted: Vec<(String, i64)> = reasons
        .iter()
        .map(|(r, n)| (reason_name(*r).to_owned(), *n))
        .collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    let rows = html! {
        @for (name, n) in &sorted {
            tr {
                th scope="row" { (name) }
                td { (count(*n)) }
                td { (percent((total > 0).then(|| *n as f64 / total as f64))) }
            }
        }
    };
    section(
        "declines",
        title,
        csv_link(report, "declines"),
        html! {
            p.note { (note) " " (count(total)) " in all." }
            (charts::horizontal(title, &sorted))
            (details(table(&["Reason", "Declines", "Share"], rows)))
        },
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

/// The callout that names the net borrowers, busiest first.
fn borrowers_callout(report: &Report) -> Markup {
    let mut borrowers: Vec<&LibraryStats> = report
        .stats
        .libraries
        .iter()
        .filter(|l| net_borrower(l).is_some())
        .collect();
    borrowers.sort_by_key(|l| (balance(l), l.library.id.clone()));
    let noun = if borrowers.len() == 1 {
        "library"
    } else {
        "libraries"
    };
    html! {
        p.callout {
            strong { (borrowers.len()) " " (noun) }
            " received more than twice what they supplied (at least " (NET_BORROWER_MIN_FILLED) " items received)"
            @if !borrowers.is_empty() {
                ": "
                @for (i, l) in borrowers.iter().take(8).enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/stats/" (encode(l.library.id.as_str())) (query(report.period, &[])) } {
                        (l.library.name)
                    }
                    " (" (count(l.borrowing.filled)) " received, " (count(l.lending.shipped)) " supplied)"
                }
                @if borrowers.len() > 8 {
                    " and " (borrowers.len() - 8) " more"
                }
            }
            ". They are marked in the table."
        }
    }
}

/// One library's row of the library table.
fn library_row(report: &Report, l: &LibraryStats) -> Markup {
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
    let warning = net_borrower(l);
    let id = l.library.id.as_str();
    html! {
        tr class=[warning.is_some().then_some("net-borrower")] {
            th scope="row" data-value=(id) {
                a href={ "/stats/" (encode(id)) (query(report.period, &[])) } { (id) }
                span.name { (l.library.name) }
                @if let Some(warning) = warning {
                    span.badge { (warning) }
                }
                @if l.library.suspended {
                    span class="badge muted" { "lending suspended" }
                }
            }
            @for (value, shown) in cells {
                td data-value=(raw(value)) { (shown) }
            }
        }
    }
}

fn libraries_section(report: &Report, params: &Params) -> Markup {
    let column = COLUMNS
        .iter()
        .find(|c| Some(c.key) == params.sort.as_deref())
        .unwrap_or(&COLUMNS[12]);
    let descending = params.dir.as_deref() == Some("desc");
    let mut rows: Vec<&LibraryStats> = report.stats.libraries.iter().collect();
    rows.sort_by(|a, b| compare(column, descending, a, b));
    let table = html! {
        div.scroll {
            table.sortable id="library-table" {
                thead {
                    tr {
                        @for c in &COLUMNS {
                            @let here = c.key == column.key;
                            @let next = if here && !descending { "desc" } else { "asc" };
                            @let sort = match (here, descending) {
                                (true, true) => Some("descending"),
                                (true, false) => Some("ascending"),
                                _ => None,
                            };
                            th scope="col" aria-sort=[sort] data-key=(c.key) {
                                a href={ "/stats" (query(report.period, &[("sort", c.key), ("dir", next)])) "#libraries" } {
                                    (c.title)
                                }
                            }
                        }
                    }
                }
                tbody {
                    @for l in rows {
                        (library_row(report, l))
                    }
                }
            }
        }
    };
    section(
        "libraries",
        "Lending and borrowing by library",
        csv_link(report, "libraries"),
        html! {
            p.note {
                "Received: items and copies that reached the library as borrower. Supplied: what it shipped or delivered as lender. Sort by any column."
            }
            (borrowers_callout(report))
            (table)
        },
    )
}
