//! `catalogSearch`: the union catalogue's records that a query's words or
//! identifiers find, a page at a time (schema.graphql, "The union
//! catalogue"; the rules are `catalogue::search`'s).

use async_graphql::{Context, Object, SimpleObject};
use catalogue::search::{self, SearchError, MAX_PAGE};

use super::catalogue::CatalogRecordObject;
use super::objects::PageInfo;
use super::{app, viewer};
use crate::error::ApiError;

/// The page size when the query gives none.
const DEFAULT_PAGE: i32 = 20;

#[derive(Default)]
pub struct CatalogSearchQuery;

#[derive(SimpleObject)]
pub struct CatalogEdge {
    pub cursor: String,
    pub node: CatalogRecordObject,
}

#[derive(SimpleObject)]
pub struct CatalogConnection {
    pub edges: Vec<CatalogEdge>,
    pub page_info: PageInfo,
    pub total_count: i32,
}

#[Object]
impl CatalogSearchQuery {
    /// Any signed-in account. Refused (BAD_INPUT): a query of 0 or over 200
    /// characters, one that folds to no word, `first` over 100, a cursor
    /// of something else.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE).clamp(0, MAX_PAGE as i32) as usize * child_complexity"
    )]
    async fn catalog_search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default_with = "Some(DEFAULT_PAGE)")] first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<CatalogConnection> {
        viewer(ctx)?;
        let first = u32::try_from(first.unwrap_or(DEFAULT_PAGE))
            .map_err(|_| ApiError::bad_input(SearchError::BadFirst.to_string()))?;
        let page = search::search(app(ctx).database(), &query, first, after.as_deref())
            .await
            .map_err(|error| match error {
                SearchError::Store(error) => ApiError::from(error),
                refused => ApiError::bad_input(refused.to_string()),
            })?;
        let end_cursor = page.edges.last().map(|(cursor, _)| cursor.clone());
        Ok(CatalogConnection {
            edges: page
                .edges
                .into_iter()
                .map(|(cursor, record)| CatalogEdge {
                    cursor,
                    node: record.into(),
                })
                .collect(),
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
            total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
        })
    }
}
