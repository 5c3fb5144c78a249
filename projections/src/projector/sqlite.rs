//! The projector's loop on SQLite: one process owns the store and always leads.

use std::sync::atomic::Ordering;

use tokio::sync::watch;

use super::{Projector, Writer, GATHER, POLL};
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
            let caught_up = self
                .run_to(
                    &Projection::ALL,
                    Target::Live,
                    None,
                    &mut Writer::Pool,
                    usize::MAX,
                    drop,
                )
                .await;
            if let Err(error) = caught_up {
                tracing::warn!(%error, "projector batch failed; retrying");
            }
            for projection in Projection::ALL {
                if let Err(error) = self.observe(projection).await {
                    tracing::warn!(%error, %projection, "cannot read the projector's position");
                }
            }
            if stop {
                break;
            }
            tokio::select! {
                changed = shutdown.changed() => stop = changed.is_err(),
                () = self.wake.notified() => tokio::time::sleep(GATHER).await,
                () = tokio::time::sleep(POLL) => {}
            }
        }
        for status in &self.status.projections {
            status.leader.store(false, Ordering::Relaxed);
        }
    }
}
