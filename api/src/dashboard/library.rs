//! `/stats/LIBRARY`: one library's borrowing and lending, month by month,
//! and its declines by reason.

use std::fmt::Write;

use projections::queries::LibraryStats;

use super::charts::{self, Series, Unit};
use super::html::{
    borrowing_cards, card, count, csv_link, days, escape, header, layout, months, percent, query,
    ratio, raw, section, table_head,
};
use super::overview::{self, declines_section, net_borrower};
use super::{Params, Report};

/// `/stats/LIBRARY`.
pub fn page(report: &Report, params: &Params) -> String {
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
