//! The turnaround durations' kinds, and the buckets and day blocks their
//! counts are kept in: the statistics write them, the medians' queries read
//! them.

use chrono::NaiveDate;

/// `stats_durations.kind` of a borrower's placed → received/delivered.
pub(crate) const RECEIVE: &str = "receive";
/// `stats_durations.kind` of a lender's routed → shipped/delivered.
pub(crate) const SHIP: &str = "ship";

/// Durations are counted per bucket of this many microseconds (two hours)
/// in `stats_receive_blocks` (migration 0006).
pub(crate) const BUCKET_MICROS: i64 = 7_200_000_000;
/// Blocks of 1, 2, 4, … 512 days.
pub(crate) const LEVELS: u32 = 10;
/// `block` = level × this + the block's first day (days since 1970-01-01).
const LEVEL_KEY: i64 = 1_000_000_000;

/// A duration's bucket: `micros` floor-divided by [`BUCKET_MICROS`].
pub(crate) fn bucket(micros: i64) -> i64 {
    micros.div_euclid(BUCKET_MICROS)
}

fn epoch_day(day: NaiveDate) -> i64 {
    (day - NaiveDate::default()).num_days()
}

fn block(level: u32, first: i64) -> i64 {
    i64::from(level) * LEVEL_KEY + first
}

/// The blocks a day counts in, one per level.
pub(crate) fn blocks_of(day: NaiveDate) -> impl Iterator<Item = i64> {
    let d = epoch_day(day);
    (0..LEVELS).map(move |level| block(level, d - d.rem_euclid(1 << level)))
}

/// The fewest blocks that cover `from..=to` exactly (none when empty).
pub(crate) fn blocks_covering(from: NaiveDate, to: NaiveDate) -> Vec<i64> {
    let (mut day, last) = (epoch_day(from), epoch_day(to));
    let mut blocks = Vec::new();
    while day <= last {
        let mut level = LEVELS - 1;
        while level > 0 && (day.rem_euclid(1 << level) != 0 || day + (1 << level) - 1 > last) {
            level -= 1;
        }
        blocks.push(block(level, day));
        day += 1 << level;
    }
    blocks
}
