//! The statistics dashboard: `/stats` (the network), `/stats/LIBRARY` (one
//! library) and `/stats.csv?table=…` (every table as CSV). Server-rendered
//! HTML with SVG charts; its style and its small script are embedded in the
//! binary, so it works offline and without JavaScript.
//!
//! Every number is `projections::queries::statistics`'s (the GraphQL
//! `statistics` query's): the period's, and for the charts over time one
//! call per month of the period. Nothing is computed a second time here.
//!
//! Public, like the statistics page of requestIT: the statistics hold no
//! patron data. (A switch to make it private comes with the staff client's
//! sign-in.)

mod charts;
mod csv;
mod html;
mod library;
mod overview;

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use chrono::{Datelike, Months, NaiveDate};
use domain::library::LibraryRecord;
use domain::LibraryId;
use futures::future::try_join_all;
use projections::queries::{self, period, Statistics};
use serde::Deserialize;
use store::StoreError;
use thiserror::Error;

use crate::state::AppState;

/// The query string of every dashboard page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Params {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The library table's sort column, and `asc` or `desc`.
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// `/stats.csv`: which table, and for which library.
    pub table: Option<String>,
    pub library: Option<String>,
}

#[derive(Debug, Error)]
pub enum DashboardError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for DashboardError {
    fn into_response(self) -> Response {
        let status = match &self {
            DashboardError::BadInput(_) => StatusCode::BAD_REQUEST,
            DashboardError::NotFound(_) => StatusCode::NOT_FOUND,
            DashboardError::Store(error) => {
                tracing::error!(%error, "the statistics dashboard failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = match &self {
            DashboardError::Store(_) => "the statistics are not available right now".to_owned(),
            other => other.to_string(),
        };
        (status, Html(html::error(status, &message).into_string())).into_response()
    }
}

/// `[from, to]`, calendar dates of the network's time zone, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The asked-for period with the GraphQL query's defaults: `to` =
    /// today, `from` = 364 days before `to`.
    pub fn parse(today: NaiveDate, params: &Params) -> Result<Period, DashboardError> {
        let date = |field: &str, text: &Option<String>| match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    DashboardError::BadInput(format!("{field} {text:?} is not a date (YYYY-MM-DD)"))
                }),
        };
        let period::Period { from, to } =
            period::Period::new(today, date("from", &params.from)?, date("to", &params.to)?)
                .map_err(|e| DashboardError::BadInput(e.to_string()))?;
        Ok(Period { from, to })
    }

    /// The period cut at month ends: `YYYY-MM` and the part of the period
    /// in that month.
    pub fn months(self) -> Vec<(String, Period)> {
        let mut months = Vec::new();
        let mut first = self.from.with_day(1).unwrap_or(self.from);
        while first <= self.to {
            let next = first + Months::new(1);
            let last = next.pred_opt().unwrap_or(next);
            months.push((
                format!("{:04}-{:02}", first.year(), first.month()),
                Period {
                    from: first.max(self.from),
                    to: last.min(self.to),
                },
            ));
            first = next;
        }
        months
    }
}

/// Everything a page shows: the period's statistics and each month's.
pub struct Report {
    pub period: Period,
    pub today: NaiveDate,
    /// The library of a library page.
    pub library: Option<LibraryRecord>,
    pub stats: Statistics,
    pub months: Vec<(String, Statistics)>,
}

impl Report {
    async fn load(
        state: &AppState,
        params: &Params,
        library: Option<LibraryRecord>,
    ) -> Result<Report, DashboardError> {
        let today = state.today();
        let period = Period::parse(today, params)?;
        let db = state.database();
        let id = library.as_ref().map(|l| &l.id);
        let stats = queries::statistics(db, period.from, period.to, id).await?;
        let months = try_join_all(period.months().into_iter().map(|(month, part)| async move {
            queries::statistics(db, part.from, part.to, id)
                .await
                .map(|stats| (month, stats))
        }))
        .await?;
        Ok(Report {
            period,
            today,
            library,
            stats,
            months,
        })
    }
}

fn library_of(state: &AppState, symbol: &str) -> Result<LibraryRecord, DashboardError> {
    LibraryId::parse("library", symbol)
        .ok()
        .and_then(|id| state.libraries.get(&id))
        .ok_or_else(|| DashboardError::NotFound(format!("no library {symbol:?} in the network")))
}

/// `GET /stats`: the network.
pub fn overview<S: Clone + Send + Sync + 'static>(state: Arc<AppState>) -> MethodRouter<S> {
    get(move |Query(params): Query<Params>| async move {
        let report = Report::load(&state, &params, None).await?;
        Ok::<_, DashboardError>(Html(overview::page(&report, &params).into_string()))
    })
}

/// `GET /stats/LIBRARY`: one library, borrowing and lending.
pub fn library<S: Clone + Send + Sync + 'static>(state: Arc<AppState>) -> MethodRouter<S> {
    get(
        move |Path(symbol): Path<String>, Query(params): Query<Params>| async move {
            let library = library_of(&state, &symbol)?;
            let report = Report::load(&state, &params, Some(library)).await?;
            Ok::<_, DashboardError>(Html(library::page(&report, &params).into_string()))
        },
    )
}

/// `GET /stats.csv?table=…&from=…&to=…[&library=…]`: one table as CSV.
pub fn csv<S: Clone + Send + Sync + 'static>(state: Arc<AppState>) -> MethodRouter<S> {
    get(move |Query(params): Query<Params>| async move {
        let table = csv::Table::parse(params.table.as_deref())?;
        let library = match params.library.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(symbol) => Some(library_of(&state, symbol)?),
        };
        let report = Report::load(&state, &params, library).await?;
        let file = format!(
            "attachment; filename=\"ill-statistics-{}{}-{}-{}.csv\"",
            table.name(),
            report
                .library
                .as_ref()
                .map_or(String::new(), |l| format!("-{}", l.id)),
            report.period.from,
            report.period.to
        );
        Ok::<_, DashboardError>(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, file),
                ],
                csv::render(table, &report),
            )
                .into_response(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn params(from: Option<&str>, to: Option<&str>) -> Params {
        Params {
            from: from.map(Into::into),
            to: to.map(Into::into),
            ..Params::default()
        }
    }

    #[test]
    fn periods_default_like_the_graphql_query() {
        let today = date("2026-03-02");
        let period = Period::parse(today, &params(None, None)).unwrap();
        assert_eq!((period.from, period.to), (date("2025-03-03"), today));
        let period = Period::parse(today, &params(Some("2025-01-01"), Some(""))).unwrap();
        assert_eq!((period.from, period.to), (date("2025-01-01"), today));
        for (from, to) in [
            (Some("2026-03-05"), None),
            (Some("x"), None),
            (None, Some("2026-13-01")),
        ] {
            assert!(matches!(
                Period::parse(today, &params(from, to)),
                Err(DashboardError::BadInput(_))
            ));
        }
        assert!(Period::parse(today, &params(Some("2000-01-01"), None)).is_err());
    }

    #[test]
    fn months_cut_the_period_at_month_ends() {
        let period = Period {
            from: date("2025-01-15"),
            to: date("2025-03-03"),
        };
        let months: Vec<(String, NaiveDate, NaiveDate)> = period
            .months()
            .into_iter()
            .map(|(m, p)| (m, p.from, p.to))
            .collect();
        assert_eq!(
            months,
            vec![
                ("2025-01".into(), date("2025-01-15"), date("2025-01-31")),
                ("2025-02".into(), date("2025-02-01"), date("2025-02-28")),
                ("2025-03".into(), date("2025-03-01"), date("2025-03-03")),
            ]
        );
    }
}
