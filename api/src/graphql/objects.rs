//! The contract's plain output types.

use async_graphql::{ComplexObject, Context, SimpleObject, ID};
use domain::library::LibraryRecord;
use domain::LibraryId;

use super::enums::{CopyrightCompliance, RequestStatus, Role, UnfilledReason};
use super::scalars::Date;
use super::{app, viewer};

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "Library", complex)]
pub struct LibraryObject {
    pub id: ID,
    pub name: String,
    pub lends: bool,
    pub suspended: bool,
}

impl From<LibraryRecord> for LibraryObject {
    fn from(record: LibraryRecord) -> Self {
        LibraryObject {
            id: ID(record.id.to_string()),
            name: record.name,
            lends: record.lends,
            suspended: record.suspended,
        }
    }
}

#[ComplexObject]
impl LibraryObject {
    /// Today's and future closures, from the directory.
    async fn closures(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ClosureObject>> {
        viewer(ctx)?;
        let app = app(ctx);
        let today = app.today();
        let Some(record) = app.libraries.get(&LibraryId::from(self.id.as_str())) else {
            return Ok(Vec::new());
        };
        Ok(record
            .closures
            .into_iter()
            .filter(|c| c.to >= today)
            .map(Into::into)
            .collect())
    }
}

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "Closure")]
pub struct ClosureObject {
    pub from: Date,
    pub to: Date,
    pub reason: Option<String>,
}

impl From<domain::Closure> for ClosureObject {
    fn from(closure: domain::Closure) -> Self {
        ClosureObject {
            from: Date(closure.from),
            to: Date(closure.to),
            reason: closure.reason,
        }
    }
}

/// One periodical title's CCG count in the copyright report.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "CopyrightCount")]
pub struct CopyrightCountObject {
    pub title: String,
    pub issn: Option<String>,
    pub copies: i32,
    pub over_limit: bool,
}

impl From<projections::queries::CopyrightCount> for CopyrightCountObject {
    fn from(count: projections::queries::CopyrightCount) -> Self {
        CopyrightCountObject {
            title: count.title,
            issn: count.issn,
            copies: count.copies,
            over_limit: count.over_limit,
        }
    }
}

impl LibraryObject {
    /// A library the directory does not know (it cannot be unregistered, so
    /// this only shows while another process's registration is on its way).
    pub fn unknown(id: &LibraryId) -> Self {
        LibraryObject {
            id: ID(id.to_string()),
            name: id.to_string(),
            lends: false,
            suspended: false,
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Viewer {
    pub name: String,
    pub role: Role,
    pub library: LibraryObject,
}

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "Account")]
pub struct AccountObject {
    pub library: LibraryObject,
    pub name: String,
    pub role: Role,
    pub tokens: i32,
    pub disabled: bool,
}

impl AccountObject {
    pub fn new(library: LibraryObject, summary: store::accounts::AccountSummary) -> Self {
        AccountObject {
            library,
            name: summary.account.name,
            role: summary.account.role.into(),
            tokens: summary.tokens as i32,
            disabled: summary.disabled,
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "Item")]
pub struct ItemObject {
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
    pub copyright_compliance: Option<CopyrightCompliance>,
    pub publication_year: Option<i32>,
}

impl From<domain::Item> for ItemObject {
    fn from(item: domain::Item) -> Self {
        ItemObject {
            title: item.title,
            author: item.author,
            isbn: item.isbn,
            issn: item.issn,
            oclc_number: item.oclc_number,
            publisher: item.publisher,
            year: item.year,
            edition: item.edition,
            article_title: item.article_title,
            pages: item.pages,
            catalog_record_id: item.catalog_record_id,
            copyright_compliance: item.copyright_compliance.map(Into::into),
            publication_year: item.publication_year,
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Patron {
    pub barcode: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct StatusCount {
    pub status: RequestStatus,
    pub count: i32,
}

#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ReasonCount {
    pub reason: UnfilledReason,
    pub count: i32,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}
