//! The simulation's calendar: when staff work, how busy each day of the
//! year is, and when each request is placed.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

use crate::random::Random;
use crate::shape::Shape;

/// Requests per day relative to an average weekday: term time is busy.
fn season(date: NaiveDate) -> f64 {
    let month = [
        0.95, 1.1, 1.15, 1.1, 0.95, 0.7, 0.65, 0.8, 1.05, 1.2, 1.15, 0.75,
    ];
    let weekday = match date.weekday() {
        Weekday::Sat => 0.3,
        Weekday::Sun => 0.1,
        _ => 1.0,
    };
    month[date.month0() as usize] * weekday
}

/// Staff work 13:00–22:00 UTC (9 to 6 on the East Coast).
pub(crate) fn business_window(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |hour| Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap_or_default());
    (at(13), at(22))
}

/// The first working moment at or after `t` (weekdays, business hours).
pub(crate) fn business(t: DateTime<Utc>, random: &mut Random) -> DateTime<Utc> {
    let mut date = t.date_naive();
    loop {
        let (open, close) = business_window(date);
        let working = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if working && t < close {
            if t >= open {
                return t;
            }
            return open + Duration::minutes(random.below(150) as i64);
        }
        date = match date.succ_opt() {
            Some(next) => next,
            None => return t,
        };
    }
}

/// When each request is placed: in business hours, more on weekdays and in
/// term time, `requests` of them spread by those weights over the span.
pub(crate) struct Placements {
    /// Per day: the business window and its cumulative weight.
    days: Vec<(DateTime<Utc>, DateTime<Utc>, f64)>,
    total: f64,
    count: usize,
    /// How many are placed: the caller counts the one [`Placements::peek`]
    /// gave once it places it.
    pub(crate) next: usize,
    day: usize,
}

impl Placements {
    pub(crate) fn new(shape: &Shape) -> Placements {
        let (start, end) = (shape.start, shape.end());
        let mut days = Vec::new();
        let mut total = 0.0;
        let mut date = start.date_naive();
        while date <= end.date_naive() {
            let (open, close) = business_window(date);
            let (from, to) = (open.max(start), close.min(end));
            if from < to {
                let share = (to - from).num_seconds() as f64 / (close - open).num_seconds() as f64;
                total += share * season(date);
                days.push((from, to, total));
            }
            date = date.succ_opt().unwrap_or(date);
            if date == NaiveDate::MAX {
                break;
            }
        }
        Placements {
            days,
            total,
            count: shape.requests,
            next: 0,
            day: 0,
        }
    }

    /// The next placement time, in order.
    pub(crate) fn peek(&mut self) -> Option<DateTime<Utc>> {
        if self.next >= self.count || self.days.is_empty() {
            return None;
        }
        let target = (self.next as f64 + 0.5) / self.count as f64 * self.total;
        while self.day + 1 < self.days.len() && self.days[self.day].2 <= target {
            self.day += 1;
        }
        let (from, to, cumulative) = self.days[self.day];
        let before = self.day.checked_sub(1).map_or(0.0, |d| self.days[d].2);
        let within =
            ((target - before) / (cumulative - before).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
        Some(from + Duration::seconds(((to - from).num_seconds() as f64 * within) as i64))
    }
}
