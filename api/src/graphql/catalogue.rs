//! The union catalogue's queries: a record by any of its ids, with its
//! holdings, and the imports recorded (schema.graphql, "The union
//! catalogue").

use async_graphql::{ComplexObject, Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use domain::LibraryId;
use uuid::Uuid;

use super::objects::LibraryObject;
use super::{app, library_id, library_object, viewer};
use crate::error::ApiError;

#[derive(Default)]
pub struct CatalogueQuery;

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "Holding")]
pub struct HoldingObject {
    pub library: LibraryObject,
    pub local_id: Option<String>,
    pub call_number: Option<String>,
    pub location: Option<String>,
    pub lendable: bool,
}

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "CatalogRecord", complex)]
pub struct CatalogRecordObject {
    pub id: ID,
    pub title: String,
    pub author: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub edition: Option<String>,
    pub isbns: Vec<String>,
    pub issns: Vec<String>,
    pub oclc_numbers: Vec<String>,
    pub lccn: Option<String>,
    pub lendable_by: i32,
}

impl From<catalogue::records::CatalogRecord> for CatalogRecordObject {
    fn from(record: catalogue::records::CatalogRecord) -> Self {
        CatalogRecordObject {
            id: ID(record.id),
            title: record.title,
            author: record.author,
            publisher: record.publisher,
            year: record.year,
            edition: record.edition,
            isbns: record.isbns,
            issns: record.issns,
            oclc_numbers: record.oclc_numbers,
            lccn: record.lccn,
            lendable_by: record.lendable_by as i32,
        }
    }
}

#[ComplexObject]
impl CatalogRecordObject {
    /// Every library that holds it, in library id order.
    async fn holdings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<HoldingObject>> {
        let app = app(ctx);
        let holdings = catalogue::records::holdings(app.database(), &self.id)
            .await
            .map_err(ApiError::from)?;
        Ok(holdings
            .into_iter()
            .map(|h| HoldingObject {
                library: library_object(app, &LibraryId::from(h.library)),
                local_id: h.local_id,
                call_number: h.call_number,
                location: h.location,
                lendable: h.lendable,
            })
            .collect())
    }
}

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "ImportError")]
pub struct ImportErrorObject {
    pub record: i32,
    pub reason: String,
}

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "HoldingsImport")]
pub struct HoldingsImportObject {
    pub id: Uuid,
    pub library: LibraryObject,
    pub by: String,
    pub format: String,
    pub at: DateTime<Utc>,
    pub records: i32,
    pub holdings: i32,
    pub rejected: i32,
    pub errors: Vec<ImportErrorObject>,
}

/// Counts shown as GraphQL `Int`, which a count never passes in practice.
fn int(count: i64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

#[Object]
impl CatalogueQuery {
    async fn catalog_record(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<CatalogRecordObject>> {
        viewer(ctx)?;
        let record = catalogue::records::record(app(ctx).database(), id.as_str())
            .await
            .map_err(ApiError::from)?;
        Ok(record.map(Into::into))
    }

    /// STAFF: own library only (another: FORBIDDEN); COORDINATOR and
    /// ADMIN: any, or all without `library`.
    async fn holdings_imports(
        &self,
        ctx: &Context<'_>,
        library: Option<ID>,
    ) -> async_graphql::Result<Vec<HoldingsImportObject>> {
        let account = &viewer(ctx)?.account;
        let library = library
            .map(|id| library_id(ctx, "library", &id))
            .transpose()?;
        if !account.role.is_network_wide() && library.as_ref() != Some(&account.library) {
            return Err(
                ApiError::forbidden("staff see only their own library's imports").into(),
            );
        }
        let app = app(ctx);
        let imports = catalogue::import::history::imports(
            app.database(),
            library.as_ref().map(LibraryId::as_str),
        )
        .await
        .map_err(ApiError::from)?;
        Ok(imports
            .into_iter()
            .map(|i| HoldingsImportObject {
                id: i.id,
                library: library_object(app, &LibraryId::from(i.library)),
                by: i.by,
                format: i.format,
                at: i.at,
                records: int(i.records),
                holdings: int(i.holdings),
                rejected: int(i.rejected),
                errors: i
                    .errors
                    .into_iter()
                    .map(|e| ImportErrorObject {
                        record: int(e.record),
                        reason: e.reason,
                    })
                    .collect(),
            })
            .collect())
    }
}
