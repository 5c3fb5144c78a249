//! `/stats/LIBRARY`: one library's borrowing and lending, month by month,
//! and its declines by reason.

use maud::{html, Markup};
use projections::queries::LibraryStats;

use super::charts::{self, Series, Unit};
use super::html::{
    borrowing_cards, card, count, csv_link, days, details, header, layout, months, percent, query,
    ratio, raw, section, table,
};
use super::overview::{self, declines_section, net_borrower};
use super::{Params, Report};

/// `/stats/LIBRARY`.
pub fn page(report: &Report, params: &Params) -> Markup {
    let Some(record) = &report.library else {
        return overview::page(report, params);
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
    let sub = html! {
        (record.id) " · " (flags.join(" · ")) " · "
        a href={ "/stats" (query(report.period, &[])) } { "the whole network" }
    };
    let (b, l) = (&row.borrowing, &row.lending);
    let borrowing = borrowing_cards("borrowing", "Placed", "Received", b);
    let lending = [
        (
            "lending-received",
            "Asked to lend",
            l.received.to_string(),
            count(l.received),
        ),
        (
            "lending-shipped",
            "Supplied",
            l.shipped.to_string(),
            count(l.shipped),
        ),
        (
            "lending-declined",
            "Declined",
            l.declined.to_string(),
            count(l.declined),
        ),
        (
            "lending-timed-out",
            "Did not answer",
            l.timed_out.to_string(),
            count(l.timed_out),
        ),
        (
            "lending-fill-rate",
            "Fill rate",
            raw(l.fill_rate),
            percent(l.fill_rate),
        ),
        (
            "lending-median-days",
            "Median days to ship",
            raw(l.median_days_to_ship),
            days(l.median_days_to_ship),
        ),
        (
            "lend-borrow-ratio",
            "Lent per borrowed",
            raw(row.lend_borrow_ratio),
            ratio(row.lend_borrow_ratio),
        ),
    ];
    let lending = html! {
        @for (id, label, value, shown) in &lending {
            (card(id, label, value, shown))
        }
    };
    let totals = section(
        "totals",
        "Totals",
        csv_link(report, "libraries"),
        html! {
            @if let Some(warning) = net_borrower(row) {
                p.callout { "This library " (warning) "." }
            }
            h3 { "Borrowing" }
            div.cards { (borrowing) }
            h3 { "Lending" }
            div.cards { (lending) }
        },
    );

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
    let columns = [
        "Month",
        "Placed",
        "Received",
        "Borrowing fill rate",
        "Days to receive",
        "Asked",
        "Supplied",
        "Lending fill rate",
        "Days to ship",
    ];
    let rows = html! {
        @for (month, s) in &report.months {
            @let row = s.libraries.first().unwrap_or(&empty);
            tr {
                th scope="row" { (month) }
                td { (count(row.borrowing.placed)) }
                td { (count(row.borrowing.filled)) }
                td { (percent(row.borrowing.fill_rate)) }
                td { (days(row.borrowing.median_days_to_receive)) }
                td { (count(row.lending.received)) }
                td { (count(row.lending.shipped)) }
                td { (percent(row.lending.fill_rate)) }
                td { (days(row.lending.median_days_to_ship)) }
            }
        }
    };
    let trend = section(
        "trend",
        "Month by month",
        csv_link(report, "trend"),
        html! {
            (volume)
            div.pair {
                figure { figcaption { "Fill rates" } (fill) }
                figure { figcaption { "Median days" } (turnaround) }
            }
            (details(table(&columns, rows)))
        },
    );
    let body = html! {
        (header(report, params, &record.name, sub))
        main {
            (totals)
            (trend)
            (declines_section(
                report,
                &row.lending.declined_by_reason,
                "Its declines by reason",
                "This library's declines as a lender, by ISO 18626 reason.",
            ))
        }
    };
    layout(
        &format!(
            "{} – ILL statistics {} – {}",
            record.name, report.period.from, report.period.to
        ),
        body,
    )
}
