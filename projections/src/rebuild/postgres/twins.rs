//! The twins a bulk pass writes or fingerprints: each live table (its twin
//! is `<live>_rebuild`) and the columns its COPY lines give, in order.

use crate::read_models::Projection;

/// A live table (its twin is `<live>_rebuild`) and the columns its COPY
/// lines give, in order.
pub(super) struct Twin {
    pub live: &'static str,
    pub columns: &'static str,
}

pub(super) const VIEWS: Twin = Twin {
    live: "request_views",
    columns: "id, version, borrower, lender, status, updated_at_us, ended_at_us, \
              respond_by_us, view",
};
pub(super) const DIRECTORY: Twin = Twin {
    live: "library_directory",
    columns: "id, version, name, lends, suspended",
};
pub(super) const STATS_REQUESTS: Twin = Twin {
    live: "stats_requests",
    columns: "request_id, version, borrower, placed_at_us, routed_at_us",
};
pub(super) const DURATIONS: Twin = Twin {
    live: "stats_durations",
    columns: "request_id, sequence, kind, library, day, micros",
};
const LIBRARY_DAYS: Twin = Twin {
    live: "stats_library_day",
    columns: "library, day, placed, filled, unfilled, cancelled, received, shipped, \
              declined, timed_out",
};
const DECLINES: Twin = Twin {
    live: "stats_declines_day",
    columns: "library, day, reason, declined",
};
const NETWORK_DAYS: Twin = Twin {
    live: "stats_network_day",
    columns: "day, placed, filled, unfilled, cancelled, received, shipped, declined, timed_out",
};
const NETWORK_DECLINES: Twin = Twin {
    live: "stats_network_declines_day",
    columns: "day, reason, declined",
};
const BLOCKS: Twin = Twin {
    live: "stats_receive_blocks",
    columns: "block, bucket, n",
};

/// The statistics twins written once, from the sums, at the end of a pass
/// (`rows::write_statistics`, in this order).
pub(super) const SUMS: [&Twin; 5] = [
    &LIBRARY_DAYS,
    &DECLINES,
    &NETWORK_DAYS,
    &NETWORK_DECLINES,
    &BLOCKS,
];

/// The twins of `projections`.
pub(super) fn of(projections: &[Projection]) -> Vec<&'static Twin> {
    let mut twins = Vec::new();
    for projection in projections {
        match projection {
            Projection::Requests => twins.push(&VIEWS),
            Projection::Statistics => {
                twins.extend([&STATS_REQUESTS, &DURATIONS]);
                twins.extend(SUMS);
            }
            Projection::Libraries => twins.push(&DIRECTORY),
        }
    }
    twins
}
