//! Live queue changes, fed by the projector through the change feed; at
//! most so many subscriptions open at once on one socket.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_graphql::{Context, SimpleObject, Subscription, ID};
use futures::{Stream, StreamExt};
use projections::changes::Change;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::enums::{QueueSide, RequestStatus};
use super::{app, library_id, viewer};
use crate::error::ApiError;
use crate::metrics::Refusal;

#[derive(SimpleObject, Debug, Clone)]
pub struct QueueChange {
    pub request_id: Uuid,
    pub status: RequestStatus,
    pub side: QueueSide,
    pub in_queue: bool,
}

/// The subscriptions one socket may hold open; each holds a [`Slot`] for
/// as long as its stream lives.
#[derive(Clone)]
pub struct SubscriptionSlots {
    open: Arc<AtomicUsize>,
    limit: usize,
}

impl SubscriptionSlots {
    pub fn new(limit: usize) -> SubscriptionSlots {
        SubscriptionSlots {
            open: Arc::default(),
            limit,
        }
    }

    fn take(&self) -> Result<Slot, ApiError> {
        let taken = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.limit).then_some(open + 1)
            });
        match taken {
            Ok(_) => Ok(Slot(self.open.clone())),
            Err(_) => Err(ApiError::bad_input(format!(
                "at most {} subscriptions on one socket",
                self.limit
            ))),
        }
    }
}

/// One open subscription's place; freed when its stream is dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

pub struct Subscription;

#[Subscription]
impl Subscription {
    /// The caller's own library only (coordinators and admins: any).
    async fn queue_changed(
        &self,
        ctx: &Context<'_>,
        library: ID,
        side: QueueSide,
    ) -> async_graphql::Result<impl Stream<Item = QueueChange>> {
        let account = &viewer(ctx)?.account;
        let library = library_id(ctx, "library", &library)?;
        let app = app(ctx);
        app.require_library(&library)?;
        if !account.role.is_network_wide() && account.library != library {
            return Err(ApiError::forbidden("staff follow only their own library's queues").into());
        }
        let slot = ctx
            .data_opt::<SubscriptionSlots>()
            .map(SubscriptionSlots::take)
            .transpose()
            .inspect_err(|_| app.metrics.refused(Refusal::SocketSubscriptions))?;
        let side: projections::queries::QueueSide = side.into();
        let changes = BroadcastStream::new(app.feed.subscribe());
        Ok(changes.filter_map(move |change| {
            let _slot = &slot;
            let wanted = match change {
                Ok(Change::Queue(change)) if change.library == library && change.side == side => {
                    Some(QueueChange {
                        request_id: change.request_id,
                        status: change.status.into(),
                        side: change.side.into(),
                        in_queue: change.in_queue,
                    })
                }
                _ => None,
            };
            async move { wanted }
        }))
    }
}
