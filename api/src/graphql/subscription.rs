//! Live queue changes, fed by the projector through the change feed.

use async_graphql::{Context, SimpleObject, Subscription, ID};
use futures::{Stream, StreamExt};
use projections::changes::Change;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::enums::{QueueSide, RequestStatus};
use super::{app, library_id, viewer};
use crate::error::ApiError;

#[derive(SimpleObject, Debug, Clone)]
pub struct QueueChange {
    pub request_id: Uuid,
    pub status: RequestStatus,
    pub side: QueueSide,
    pub in_queue: bool,
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
        let library = library_id("library", &library)?;
        let app = app(ctx);
        app.require_library(&library)?;
        if !account.role.is_network_wide() && account.library != library {
            return Err(ApiError::forbidden("staff follow only their own library's queues").into());
        }
        let side: projections::queries::QueueSide = side.into();
        let changes = BroadcastStream::new(app.feed.subscribe());
        Ok(changes.filter_map(move |change| {
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
