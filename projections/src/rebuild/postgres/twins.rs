//! The twins a bulk pass writes or fingerprints: each live table (its twin
//! is `<live>_rebuild`), the columns its COPY lines give, in order, and the
//! statements that copy them, expanded once per twin.

use std::sync::LazyLock;

use crate::read_models::{Projection, Target};

/// A live table, its twin, and their COPY statements.
pub(super) struct Twin {
    pub live: &'static str,
    /// `<live>_rebuild`.
    pub name: String,
    /// The twin's rows in (`twin_copy_in.sql`).
    pub copy_in: String,
    /// The live table's rows out (`live_copy_out.sql`).
    pub copy_out: String,
}

impl Twin {
    fn new(live: &'static str, columns: &str) -> Twin {
        let name = Target::Scratch.table(live);
        Twin {
            live,
            copy_in: include_str!("twin_copy_in.sql")
                .replace("{twin}", &name)
                .replace("{columns}", columns),
            copy_out: include_str!("live_copy_out.sql")
                .replace("{live}", live)
                .replace("{columns}", columns),
            name,
        }
    }
}

/// Every twin a pass writes.
pub(super) struct Twins {
    pub views: Twin,
    /// Written once, from the pass's tally, at its end
    /// (`rows::write_waiting`).
    pub waiting: Twin,
    pub directory: Twin,
    pub stats_requests: Twin,
    pub durations: Twin,
    /// The statistics twins written once, from the sums, at the end of a
    /// pass (`rows::write_statistics`, in this order).
    pub sums: [Twin; 5],
}

pub(super) static TWINS: LazyLock<Twins> = LazyLock::new(|| Twins {
    views: Twin::new(
        "request_views",
        "id, version, borrower, lender, status, updated_at_us, ended_at_us, respond_by_us, \
         needed_by, view",
    ),
    waiting: Twin::new("lender_waiting", "library, waiting"),
    directory: Twin::new("library_directory", "id, version, name, lends, suspended"),
    stats_requests: Twin::new(
        "stats_requests",
        "request_id, version, borrower, placed_at_us, routed_at_us",
    ),
    durations: Twin::new(
        "stats_durations",
        "request_id, sequence, kind, library, day, micros",
    ),
    sums: [
        Twin::new(
            "stats_library_day",
            "library, day, placed, filled, unfilled, cancelled, received, shipped, declined, \
             timed_out",
        ),
        Twin::new("stats_declines_day", "library, day, reason, declined"),
        Twin::new(
            "stats_network_day",
            "day, placed, filled, unfilled, cancelled, received, shipped, declined, timed_out",
        ),
        Twin::new("stats_network_declines_day", "day, reason, declined"),
        Twin::new("stats_receive_blocks", "block, bucket, n"),
    ],
});

/// The twins of `projections`.
pub(super) fn of(projections: &[Projection]) -> Vec<&'static Twin> {
    let twins = &*TWINS;
    let mut of = Vec::new();
    for projection in projections {
        match projection {
            Projection::Requests => of.extend([&twins.views, &twins.waiting]),
            Projection::Statistics => {
                of.extend([&twins.stats_requests, &twins.durations]);
                of.extend(&twins.sums);
            }
            Projection::Libraries => of.push(&twins.directory),
        }
    }
    of
}
