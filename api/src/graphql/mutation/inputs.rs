//! The input types of the request mutations, and the helpers that turn
//! their text into the domain's.

use async_graphql::{Context, InputObject, ID};
use domain::{LibraryId, Note};
use uuid::Uuid;

use crate::error::ApiError;
use crate::graphql::enums::{CopyrightCompliance, ServiceType};
use crate::graphql::library_id;
use crate::graphql::scalars::Date;

#[derive(InputObject)]
pub struct ItemInput {
    pub title: String,
    pub author: Option<String>,
    pub isbn: Option<String>,
    pub issn: Option<String>,
    pub oclc_number: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub edition: Option<String>,
    pub article_title: Option<String>,
    pub pages: Option<String>,
    pub catalog_record_id: Option<String>,
    /// COPY: absent = CCG (counted); ignored for LOAN.
    pub copyright_compliance: Option<CopyrightCompliance>,
    /// Of the article's issue, for COPY.
    pub publication_year: Option<i32>,
}

#[derive(InputObject)]
#[graphql(name = "PatronInput")]
pub struct PatronInputObject {
    pub barcode: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(InputObject)]
pub struct PlaceRequestInput {
    pub id: Option<Uuid>,
    pub patron: PatronInputObject,
    pub item: ItemInput,
    #[graphql(default_with = "Some(ServiceType::Loan)")]
    pub service_type: Option<ServiceType>,
    pub lenders: Vec<ID>,
    pub needed_by: Option<Date>,
    pub note: Option<String>,
}

/// Blank optional text counts as absent.
pub fn text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

pub fn note(value: Option<String>) -> Option<Note> {
    text(value).map(|text| Note {
        id: Uuid::new_v4(),
        text,
    })
}

pub fn lenders(ctx: &Context<'_>, ids: &[ID]) -> Result<Vec<LibraryId>, ApiError> {
    ids.iter()
        .map(|id| {
            library_id(ctx, "lenders", id).map_err(|_| {
                ApiError::bad_input(format!(
                    "lenders: {:?} is not a library symbol",
                    id.as_str()
                ))
            })
        })
        .collect()
}
