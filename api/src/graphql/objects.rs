//! The contract's plain output types.

use async_graphql::{SimpleObject, ID};
use domain::library::LibraryRecord;
use domain::LibraryId;

use super::enums::{RequestStatus, Role, UnfilledReason};

#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "Library")]
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
