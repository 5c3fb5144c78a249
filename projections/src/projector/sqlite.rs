//! The projector's loop on SQLite: one process owns the store and always leads.

use std::sync::atomic::Ordering;

use tokio::sync::watch;

use super::{Projector, Writer, POLL};
use crate::read_models::{Projection, Target};

impl Projector {
    pub(super) async fn run_sqlite(self, mut shutdown: watch::Receiver<bool>) {
        // One process owns an SQLite store: it always leads.
        for status in &self.status.projections {
            status.leader.store(true, Ordering::Relaxed);
        }
        let mut stop = false;
        loop {
            stop |= *shutdown.borrow();
            for projection in Projection::ALL {
                let caught_up = self
                    .run_to(projection, Target::Live, None, &mut Writer::Pool, drop)
                    .await;
                if let Err(error) = caught_up.and(self.observe(projection).await) {
                    tracing::warn!(%error, %projection, "projector batch failed; retrying");
                }
            }
            if stop {
                break;
            }
            tokio::select! {
                changed = shutdown.changed() => stop = changed.is_err(),
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
        for status in &self.status.projections {
            status.leader.store(false, Ordering::Relaxed);
        }
    }
}
