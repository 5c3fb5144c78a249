//! The dashboard's tables as CSV (RFC 4180): the statistics query's numbers
//! as they are, rates and medians unrounded, an empty field for none.

use projections::queries::{BorrowingStats, LibraryStats, Statistics};

use super::{DashboardError, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The network's totals (one row).
    Network,
    /// The network's volume per month (the query's `monthly`).
    Monthly,
    /// Each month's statistics: the network's, or the library's.
    Trend,
    /// Declines by reason: the network's, or the library's as a lender.
    Declines,
    /// Borrowing and lending per library (one row with `library=`).
    Libraries,
}

impl Table {
    const ALL: [Table; 5] = [
        Table::Network,
        Table::Monthly,
        Table::Trend,
        Table::Declines,
        Table::Libraries,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Network => "network",
            Table::Monthly => "monthly",
            Table::Trend => "trend",
            Table::Declines => "declines",
            Table::Libraries => "libraries",
        }
    }

    pub fn parse(name: Option<&str>) -> Result<Table, DashboardError> {
        let name = name.unwrap_or("libraries").trim();
        Table::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
                DashboardError::BadInput(format!(
                    "no table {name:?}; the tables are {}",
                    names.join(", ")
                ))
            })
    }
}

const BORROWING: [&str; 6] = [
    "placed",
    "filled",
    "unfilled",
    "cancelled",
    "fill_rate",
    "median_days_to_receive",
];
const LIBRARY: [&str; 17] = [
    "library",
    "name",
    "lends",
    "suspended",
    "borrowing_placed",
    "borrowing_filled",
    "borrowing_unfilled",
    "borrowing_cancelled",
    "borrowing_fill_rate",
    "borrowing_median_days_to_receive",
    "lending_received",
    "lending_shipped",
    "lending_declined",
    "lending_timed_out",
    "lending_fill_rate",
    "lending_median_days_to_ship",
    "lend_borrow_ratio",
];

pub fn render(table: Table, report: &Report) -> String {
    let mut out = Csv::new();
    let period = [report.period.from.to_string(), report.period.to.to_string()];
    match (table, &report.library) {
        (Table::Network, _) => {
            out.header(["from", "to"].iter().chain(&BORROWING));
            out.row(period.into_iter().chain(borrowing(&report.stats.network)));
        }
        (Table::Monthly, _) => {
            out.header(&["month", "placed", "filled", "unfilled", "shipped"]);
            for m in &report.stats.monthly {
                out.row([
                    m.month.clone(),
                    m.placed.to_string(),
                    m.filled.to_string(),
                    m.unfilled.to_string(),
                    m.shipped.to_string(),
                ]);
            }
        }
        (Table::Trend, None) => {
            out.header(["month", "from", "to"].iter().chain(&BORROWING));
            for (month, stats) in &report.months {
                out.row(month_fields(month, stats).chain(borrowing(&stats.network)));
            }
        }
        (Table::Trend, Some(_)) => {
            out.header(["month", "from", "to"].iter().chain(&LIBRARY));
            for (month, stats) in &report.months {
                for library in &stats.libraries {
                    out.row(month_fields(month, stats).chain(library_fields(library)));
                }
            }
        }
        (Table::Declines, library) => {
            out.header(&["reason", "declined"]);
            let reasons = match library {
                None => report.stats.declined_by_reason.as_slice(),
                Some(_) => report
                    .stats
                    .libraries
                    .first()
                    .map_or(&[][..], |row| row.lending.declined_by_reason.as_slice()),
            };
            for (reason, n) in reasons {
                out.row([reason.as_str().to_owned(), n.to_string()]);
            }
        }
        (Table::Libraries, _) => {
            out.header(&LIBRARY);
            for library in &report.stats.libraries {
                out.row(library_fields(library));
            }
        }
    }
    out.finish()
}

fn month_fields(month: &str, stats: &Statistics) -> impl Iterator<Item = String> {
    [
        month.to_owned(),
        stats.from.to_string(),
        stats.to.to_string(),
    ]
    .into_iter()
}

fn number(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

fn borrowing(b: &BorrowingStats) -> [String; 6] {
    [
        b.placed.to_string(),
        b.filled.to_string(),
        b.unfilled.to_string(),
        b.cancelled.to_string(),
        number(b.fill_rate),
        number(b.median_days_to_receive),
    ]
}

fn library_fields(row: &LibraryStats) -> impl Iterator<Item = String> {
    let l = &row.lending;
    [
        row.library.id.to_string(),
        row.library.name.clone(),
        row.library.lends.to_string(),
        row.library.suspended.to_string(),
    ]
    .into_iter()
    .chain(borrowing(&row.borrowing))
    .chain([
        l.received.to_string(),
        l.shipped.to_string(),
        l.declined.to_string(),
        l.timed_out.to_string(),
        number(l.fill_rate),
        number(l.median_days_to_ship),
        number(row.lend_borrow_ratio),
    ])
}

/// Rows written as RFC 4180 asks: CRLF after each, a field quoted only when
/// it holds a comma, a quote or a line break.
struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    fn new() -> Csv {
        Csv(csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(Vec::new()))
    }

    fn header<'a>(&mut self, names: impl IntoIterator<Item = &'a &'a str>) {
        self.row(names.into_iter().map(|n| (*n).to_owned()));
    }

    fn row(&mut self, fields: impl IntoIterator<Item = String>) {
        self.0.write_record(fields).expect("a CSV row into memory");
    }

    fn finish(self) -> String {
        let bytes = self.0.into_inner().expect("a CSV table into memory");
        String::from_utf8(bytes).expect("CSV of UTF-8 fields")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_they_must_be() {
        let mut csv = Csv::new();
        csv.row(["a".to_owned(), "b, c".to_owned(), "say \"hi\"".to_owned()]);
        assert_eq!(csv.finish(), "a,\"b, c\",\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn empty_fields_stay_empty_and_line_breaks_are_quoted() {
        let mut csv = Csv::new();
        csv.row([String::new(), "1".to_owned(), String::new()]);
        csv.row(["two\nlines".to_owned(), "cr\r".to_owned()]);
        assert_eq!(csv.finish(), ",1,\r\n\"two\nlines\",\"cr\r\"\r\n");
    }

    #[test]
    fn tables_are_named() {
        assert_eq!(Table::parse(None).unwrap(), Table::Libraries);
        assert_eq!(Table::parse(Some("trend")).unwrap(), Table::Trend);
        assert!(Table::parse(Some("patrons")).is_err());
    }
}
