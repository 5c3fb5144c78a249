//! The Query root.

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use domain::{LibraryId, Role as DomainRole};
use projections::queries::period::Period;
use projections::queries::{self, LibraryRows, QueueQuery};
use uuid::Uuid;

use super::enums::{QueueOrder, QueueSide, RequestStatus};
use super::objects::{
    AccountObject, CopyrightCountObject, LibraryObject, PageInfo, StatusCount, Viewer,
};
use super::request::RequestObject;
use super::scalars::Date;
use super::stats::StatisticsObject;
use super::{app, library_id, library_object, viewer};
use crate::error::ApiError;

/// The most a queue page holds.
pub const MAX_PAGE: i32 = 200;

#[derive(Default)]
pub struct RequestQuery;

#[derive(SimpleObject)]
pub struct RequestEdge {
    pub cursor: String,
    pub node: RequestObject,
}

#[derive(SimpleObject)]
pub struct RequestConnection {
    pub edges: Vec<RequestEdge>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

#[Object]
impl RequestQuery {
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let account = &viewer(ctx)?.account;
        Ok(Viewer {
            name: account.name.clone(),
            role: account.role.into(),
            library: library_object(app(ctx), &account.library),
        })
    }

    /// The server's clock: clients count ages and default dates from it,
    /// not from a workstation's clock.
    async fn now(&self, ctx: &Context<'_>) -> async_graphql::Result<DateTime<Utc>> {
        viewer(ctx)?;
        Ok(app(ctx).commands.services.now())
    }

    /// Today in the network's time zone: the earliest due or needed-by date.
    async fn today(&self, ctx: &Context<'_>) -> async_graphql::Result<Date> {
        viewer(ctx)?;
        Ok(Date(app(ctx).today()))
    }

    /// Null when there is no such request or the caller may not see it.
    async fn request(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> async_graphql::Result<Option<RequestObject>> {
        let account = &viewer(ctx)?.account;
        let app = app(ctx);
        let Some((view, history)) = app.current_request(id).await? else {
            return Ok(None);
        };
        let visible =
            account.role != DomainRole::Staff || view.state.is_visible_to(&account.library);
        Ok(visible.then_some(RequestObject {
            view,
            history: Some(history),
        }))
    }

    // The contract's arguments, one parameter each.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.unwrap_or(50).clamp(0, MAX_PAGE) as usize * child_complexity")]
    async fn queue(
        &self,
        ctx: &Context<'_>,
        library: ID,
        side: QueueSide,
        status: Option<Vec<RequestStatus>>,
        #[graphql(default_with = "Some(QueueOrder::Updated)")] order_by: Option<QueueOrder>,
        #[graphql(default_with = "Some(50)")] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<RequestConnection> {
        let first = first.unwrap_or(50);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(
                ApiError::bad_input(format!("first must be between 0 and {MAX_PAGE}")).into(),
            );
        }
        let library = queue_library(ctx, &library)?;
        let query = QueueQuery {
            library,
            side: side.into(),
            statuses: status.map(|s| s.into_iter().map(Into::into).collect()),
            order: order_by.unwrap_or(QueueOrder::Updated).into(),
            first: first as u32,
            after,
        };
        let page = queries::queue(app(ctx).database(), &query)
            .await
            .map_err(|e| match e {
                queries::QueryError::BadCursor => {
                    ApiError::bad_input("after is not a cursor of this queue")
                }
                queries::QueryError::Store(e) => e.into(),
            })?;
        let end_cursor = page.edges.last().map(|(cursor, _)| cursor.clone());
        Ok(RequestConnection {
            edges: page
                .edges
                .into_iter()
                .map(|(cursor, view)| RequestEdge {
                    cursor,
                    node: RequestObject::new(view),
                })
                .collect(),
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
            total_count: page.total_count as i32,
        })
    }

    async fn queue_counts(
        &self,
        ctx: &Context<'_>,
        library: ID,
        side: QueueSide,
    ) -> async_graphql::Result<Vec<StatusCount>> {
        let library = queue_library(ctx, &library)?;
        let counts = queries::queue_counts(app(ctx).database(), &library, side.into())
            .await
            .map_err(ApiError::from)?;
        Ok(counts
            .into_iter()
            .map(|(status, count)| StatusCount {
                status: status.into(),
                count: count as i32,
            })
            .collect())
    }

    async fn statistics(
        &self,
        ctx: &Context<'_>,
        from: Option<Date>,
        to: Option<Date>,
        library: Option<ID>,
    ) -> async_graphql::Result<StatisticsObject> {
        viewer(ctx)?;
        let app = app(ctx);
        let library = library
            .map(|id| library_id(ctx, "library", &id))
            .transpose()?;
        let period =
            Period::new(app.today(), from.map(|d| d.0), to.map(|d| d.0)).map_err(ApiError::from)?;
        if let Some(id) = &library {
            app.require_library(id)?;
        }
        // Without `libraries` asked for, nothing per library is read: the
        // network's figures come from its own per-day tables.
        let rows = match &library {
            Some(id) => LibraryRows::One(id),
            None if ctx.look_ahead().field("libraries").exists() => LibraryRows::Every,
            None => LibraryRows::None,
        };
        let statistics = queries::statistics_of(app.database(), period.from, period.to, rows)
            .await
            .map_err(ApiError::from)?;
        Ok(StatisticsObject(statistics))
    }

    async fn libraries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LibraryObject>> {
        viewer(ctx)?;
        Ok(app(ctx)
            .libraries
            .all()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// ADMIN and COORDINATOR.
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        library: Option<ID>,
    ) -> async_graphql::Result<Vec<AccountObject>> {
        let account = &viewer(ctx)?.account;
        let library = library
            .map(|id| library_id(ctx, "library", &id))
            .transpose()?;
        if !account.role.is_network_wide() {
            return Err(ApiError::forbidden("only coordinators and admins list accounts").into());
        }
        let app = app(ctx);
        let accounts = store::accounts::list(app.database(), library.as_ref())
            .await
            .map_err(ApiError::from)?;
        Ok(accounts
            .into_iter()
            .map(|summary| {
                AccountObject::new(library_object(app, &summary.account.library), summary)
            })
            .collect())
    }

    /// The borrowing library's own STAFF, COORDINATOR and ADMIN.
    async fn copyright_report(
        &self,
        ctx: &Context<'_>,
        library: ID,
        year: i32,
    ) -> async_graphql::Result<Vec<CopyrightCountObject>> {
        super::copyright::report(ctx, &library, year).await
    }
}

/// A queue's library: a known one, the caller's own unless it is a
/// coordinator or admin.
fn queue_library(ctx: &Context<'_>, library: &ID) -> async_graphql::Result<LibraryId> {
    let account = &viewer(ctx)?.account;
    let library = library_id(ctx, "library", library)?;
    app(ctx).require_library(&library)?;
    if account.role == DomainRole::Staff && account.library != library {
        return Err(ApiError::forbidden("staff see only their own library's queues").into());
    }
    Ok(library)
}
