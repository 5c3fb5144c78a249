//! The period a statistics query covers: `[from, to]`, calendar dates of the
//! network's time zone, inclusive, with the contract's defaults and bound.

use chrono::{Days, NaiveDate};
use thiserror::Error;

/// The longest period one query may span.
pub const MAX_PERIOD_DAYS: i64 = 3_660;

/// `[from, to]`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a period was refused; the text is the one shown to the caller.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("to is too early")]
    ToTooEarly,
    #[error("from ({from}) is after to ({to})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("a period spans at most {} days", MAX_PERIOD_DAYS)]
    TooLong,
}

impl Period {
    /// The period asked for (the GraphQL query and the dashboard alike),
    /// with the contract's defaults: `to` = today, `from` = 364 days before
    /// `to`.
    pub fn new(
        today: NaiveDate,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Period, PeriodError> {
        let to = to.unwrap_or(today);
        let from = match from {
            Some(from) => from,
            None => to
                .checked_sub_days(Days::new(364))
                .ok_or(PeriodError::ToTooEarly)?,
        };
        if from > to {
            return Err(PeriodError::Reversed { from, to });
        }
        if (to - from).num_days() > MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Period { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn defaults_and_bounds_follow_the_contract() {
        let today = date("2026-03-02");
        assert_eq!(
            Period::new(today, None, None),
            Ok(Period {
                from: date("2025-03-03"),
                to: today
            })
        );
        assert_eq!(
            Period::new(today, Some(date("2026-03-05")), None)
                .unwrap_err()
                .to_string(),
            "from (2026-03-05) is after to (2026-03-02)"
        );
        assert_eq!(
            Period::new(today, Some(date("2000-01-01")), None)
                .unwrap_err()
                .to_string(),
            "a period spans at most 3660 days"
        );
        assert_eq!(
            Period::new(today, None, Some(NaiveDate::MIN)),
            Err(PeriodError::ToTooEarly)
        );
    }
}
