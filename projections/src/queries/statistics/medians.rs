//! Exact medians of the duration series that read only the middle values:
//! one library's series from the index in value order, the network's
//! 'receive' series through the bucket counts of the day blocks.

use chrono::NaiveDate;

use crate::read_models::statistics::{blocks_covering, BUCKET_MICROS};
use store::backend::{on_tx, Tx};
use store::StoreError;

const MICROS_PER_DAY: f64 = 86_400_000_000.0;

const SERIES_RANKS: &str = include_str!("../sql/statistics/series_ranks.sql");
const RECEIVE_BETWEEN: &str = include_str!("../sql/statistics/receive_between.sql");
/// Written with `{blocks}` where the blocks' parameters go: their number
/// varies with the period.
const RECEIVE_BUCKETS: &str = include_str!("../sql/statistics/receive_buckets.sql");

/// The 0-based ranks of the middle one or two of `n` values.
fn middle_ranks(n: i64) -> [i64; 2] {
    if n % 2 == 1 {
        [n / 2, n / 2]
    } else {
        [n / 2 - 1, n / 2]
    }
}

/// The mean of the middle values read, in days; `None` unless `wanted` were.
fn middle_days(values: &[i64], wanted: i64) -> Option<f64> {
    match values {
        [a] if wanted == 1 => Some(*a as f64 / MICROS_PER_DAY),
        [a, b] if wanted == 2 => Some((*a as f64 + *b as f64) / 2.0 / MICROS_PER_DAY),
        _ => None,
    }
}

/// The exact median of one library's `kind` durations in the period,
/// reading only the middle one or two, in value order from the index. The
/// per-day counts say how many there are (`n`): the fold writes a duration
/// with every fill and with every shipment, which always follows a routing.
pub(super) async fn series_median(
    tx: &mut Tx<'_>,
    library: &str,
    kind: &str,
    n: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Option<f64>, StoreError> {
    if n <= 0 {
        return Ok(None);
    }
    let ranks = middle_ranks(n);
    let wanted = ranks[1] - ranks[0] + 1;
    let values: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(SERIES_RANKS)
        .bind(library)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(ranks[0])
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    middle_days(&values, wanted).map(Some).ok_or_else(|| {
        StoreError::Malformed(format!(
            "{library}'s {kind} durations and day counts out of step"
        ))
    })
}

/// The exact median of the network's 'receive' durations counted on days
/// `from..=to`, without reading them all: the bucket counts of the few
/// day blocks that cover the range give the buckets of the middle ranks;
/// only those buckets' durations are read.
pub(super) async fn network_receive_median(
    tx: &mut Tx<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<f64>, StoreError> {
    let blocks = blocks_covering(from, to);
    if blocks.is_empty() {
        return Ok(None);
    }
    let placeholders: Vec<String> = (1..=blocks.len()).map(|i| format!("${i}")).collect();
    let sql = RECEIVE_BUCKETS.replace("{blocks}", &placeholders.join(", "));
    let mut counts: Vec<(i64, i64)> = on_tx!(&mut *tx, c => {
        let mut query = sqlx::query_as(&sql);
        for block in &blocks {
            query = query.bind(*block);
        }
        query.fetch_all(&mut **c).await
    })?;
    counts.retain(|(_, n)| *n > 0);
    counts.sort_unstable();
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return Ok(None);
    }
    // The middle ranks, and the buckets holding them.
    let ranks = middle_ranks(total);
    let mut below = 0;
    let (mut first, mut last) = (None, None);
    for (bucket, n) in &counts {
        if first.is_none() && ranks[0] < below + n {
            first = Some((*bucket, below));
        }
        if ranks[1] < below + n {
            last = Some(*bucket);
            break;
        }
        below += n;
    }
    let (Some((first, skipped)), Some(last)) = (first, last) else {
        return Err(StoreError::Malformed("duration blocks out of step".into()));
    };
    // Only the middle ranks' values, counted from the first bucket's start.
    let wanted = ranks[1] - ranks[0] + 1;
    let values: Vec<i64> = on_tx!(&mut *tx, c => sqlx::query_scalar(RECEIVE_BETWEEN)
        .bind(first * BUCKET_MICROS)
        .bind((last + 1) * BUCKET_MICROS)
        .bind(from)
        .bind(to)
        .bind(ranks[0] - skipped)
        .bind(wanted)
        .fetch_all(&mut **c)
        .await)?;
    middle_days(&values, wanted)
        .map(Some)
        .ok_or_else(|| StoreError::Malformed("duration blocks out of step".into()))
}
