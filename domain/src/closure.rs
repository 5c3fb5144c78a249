//! A library's dated closures (holidays, moves, inventory): while closed it is
//! skipped when its turn comes in a rota, and the response window of a
//! request waiting for its answer is extended day by day.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Calendar;
use crate::error::DomainError;
use crate::validation::{self, MAX_REASON};

/// Closed from `from` to `to`, both inclusive, network time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: Option<String>,
}

impl Closure {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// The list `setClosures` stores: each checked (`to` before `from` or before
/// `today` is BAD_INPUT), then ordered by start with overlaps merged (a
/// merged closure keeps the first reason given).
pub fn normalize(
    mut closures: Vec<Closure>,
    today: NaiveDate,
) -> Result<Vec<Closure>, DomainError> {
    for closure in &closures {
        validation::optional("closures.reason", closure.reason.as_deref(), MAX_REASON)?;
        if closure.to < closure.from {
            return Err(DomainError::bad_input(
                "closures",
                format!("{} is before {}", closure.to, closure.from),
            ));
        }
        if closure.to < today {
            return Err(DomainError::bad_input(
                "closures",
                format!("{} is before today ({today})", closure.to),
            ));
        }
    }
    closures.sort_by_key(|c| (c.from, c.to));
    let mut merged: Vec<Closure> = Vec::with_capacity(closures.len());
    for closure in closures {
        match merged.last_mut() {
            Some(last) if closure.from <= last.to => {
                last.to = last.to.max(closure.to);
                if last.reason.is_none() {
                    last.reason = closure.reason;
                }
            }
            _ => merged.push(closure),
        }
    }
    Ok(merged)
}

/// The end of a response window that ran from `start` to `end`, extended by
/// one day (same local time) for each date on which `closed_on` holds, from
/// the window's first date to its end as extended: a closure the extension
/// reaches extends it again.
pub fn extended_window(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    calendar: Calendar,
    closed_on: impl Fn(NaiveDate) -> bool,
) -> DateTime<Utc> {
    let mut end = end;
    let mut date = calendar.date_of(start);
    while date <= calendar.date_of(end) {
        if closed_on(date) {
            end = next_day_same_time(end, calendar);
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    end
}

/// One calendar day later at the same local time; across a daylight-saving
/// gap (that local time does not exist) 24 hours later.
fn next_day_same_time(instant: DateTime<Utc>, calendar: Calendar) -> DateTime<Utc> {
    instant
        .with_timezone(&calendar.time_zone)
        .checked_add_days(Days::new(1))
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or(instant + chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn closure(from: &str, to: &str) -> Closure {
        Closure {
            from: date(from),
            to: date(to),
            reason: None,
        }
    }

    #[test]
    fn overlaps_are_merged_and_bad_ranges_refused() {
        let today = date("2026-12-01");
        let merged = normalize(
            vec![
                closure("2026-12-20", "2026-12-31"),
                closure("2026-12-05", "2026-12-06"),
                closure("2026-12-24", "2027-01-02"),
            ],
            today,
        )
        .unwrap();
        assert_eq!(
            merged,
            vec![
                closure("2026-12-05", "2026-12-06"),
                closure("2026-12-20", "2027-01-02")
            ]
        );
        assert!(normalize(vec![closure("2026-12-06", "2026-12-05")], today).is_err());
        assert!(normalize(vec![closure("2026-11-20", "2026-11-30")], today).is_err());
        // Begun before today and still running: kept.
        assert!(normalize(vec![closure("2026-11-20", "2026-12-01")], today).is_ok());
    }

    #[test]
    fn a_window_grows_by_each_closed_date_including_those_the_extension_reaches() {
        let calendar = Calendar::new(chrono_tz::America::New_York);
        // Routed Friday 4 December 10:00 local, three days: Monday 10:00.
        let start = chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 12, 4, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let end = start + chrono::Duration::days(3);
        let weekend = [closure("2026-12-05", "2026-12-06")];
        let extended = extended_window(start, end, calendar, |d| {
            weekend.iter().any(|c| c.covers(d))
        });
        assert_eq!(extended, end + chrono::Duration::days(2));
        // Closed on the last day, then the day the extension reaches.
        let last_days = [closure("2026-12-07", "2026-12-08")];
        let extended = extended_window(start, end, calendar, |d| {
            last_days.iter().any(|c| c.covers(d))
        });
        assert_eq!(extended, end + chrono::Duration::days(2));
        // Closed the day after the window: nothing changes.
        let after = [closure("2026-12-08", "2026-12-08")];
        let extended = extended_window(start, end, calendar, |d| after.iter().any(|c| c.covers(d)));
        assert_eq!(extended, end);
    }
}
