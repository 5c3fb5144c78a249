//! The copyright report: per periodical title, the CCG copies a borrowing
//! library had delivered in a calendar year, as the contract counts them
//! (the CONTU guidelines' "rule of five").

use std::collections::HashMap;

use chrono::Datelike;
use domain::{normalize, Calendar, CopyrightCompliance, LibraryId, RequestView, ServiceType};
use sqlx::types::Json;

use store::backend::on_db;
use store::Database;
use store::StoreError;

const DELIVERED: &str =
    "SELECT view FROM request_views WHERE borrower = $1 AND status = 'DELIVERED'";

/// Copies of articles published more than this many years before the year
/// a request was placed are not counted.
const RECENT_YEARS: i32 = 5;
/// More copies than this from one title in a year means royalties.
const LIMIT: i32 = 5;

/// One periodical title's count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyrightCount {
    /// The first counted request's title.
    pub title: String,
    /// The ISSN the title is counted by, when it had one.
    pub issn: Option<String>,
    pub copies: i32,
    pub over_limit: bool,
}

/// `library`'s counted titles for `year`: by copies descending, then title.
pub async fn copyright_report(
    db: &Database,
    library: &LibraryId,
    year: i32,
    calendar: Calendar,
) -> Result<Vec<CopyrightCount>, StoreError> {
    let views: Vec<Json<RequestView>> = on_db!(db, pool => sqlx::query_scalar(DELIVERED)
        .bind(library.as_str())
        .fetch_all(pool)
        .await)?;
    Ok(count(
        views.into_iter().map(|v| v.0).collect(),
        year,
        calendar,
    ))
}

fn count(mut views: Vec<RequestView>, year: i32, calendar: Calendar) -> Vec<CopyrightCount> {
    views.retain(|view| counts(view, year, calendar));
    views.sort_by_key(|view| (view.delivered_at, view.id));
    let mut titles: HashMap<String, CopyrightCount> = HashMap::new();
    for view in views {
        let item = &view.state.item;
        let issn = item.issn.as_deref().and_then(normalize::issn);
        let key = match &issn {
            Some(issn) => format!("issn {issn}"),
            None => format!("title {}", normalize::fold(&item.title)),
        };
        titles
            .entry(key)
            .or_insert_with(|| CopyrightCount {
                title: item.title.clone(),
                issn,
                copies: 0,
                over_limit: false,
            })
            .copies += 1;
    }
    let mut report: Vec<CopyrightCount> = titles
        .into_values()
        .map(|mut count| {
            count.over_limit = count.copies > LIMIT;
            count
        })
        .collect();
    report.sort_by(|a, b| b.copies.cmp(&a.copies).then_with(|| a.title.cmp(&b.title)));
    report
}

/// A delivered CCG copy (requests placed before compliance was recorded
/// count as CCG, as a request placed without it does), delivered in `year`,
/// of an article published within five years of the year it was requested.
fn counts(view: &RequestView, year: i32, calendar: Calendar) -> bool {
    let item = &view.state.item;
    let ccg = matches!(
        item.copyright_compliance,
        None | Some(CopyrightCompliance::Ccg)
    );
    let Some(delivered_at) = view.delivered_at else {
        return false;
    };
    let placed = calendar.date_of(view.placed_at).year();
    view.state.service_type == ServiceType::Copy
        && ccg
        && calendar.date_of(delivered_at).year() == year
        && item
            .publication_year
            .is_none_or(|published| published >= placed - RECENT_YEARS)
}
