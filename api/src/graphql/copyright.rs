//! `copyrightReport`: who may read a borrowing library's counts, and the
//! counts themselves (`projections::queries::copyright_report`).

use async_graphql::{Context, ID};
use domain::Role;
use projections::queries;

use super::objects::CopyrightCountObject;
use super::{app, library_id, viewer};
use crate::error::ApiError;

pub(super) async fn report(
    ctx: &Context<'_>,
    library: &ID,
    year: i32,
) -> async_graphql::Result<Vec<CopyrightCountObject>> {
    let account = &viewer(ctx)?.account;
    let library = library_id(ctx, "library", library)?;
    if !(1..=9999).contains(&year) {
        return Err(ApiError::bad_input(format!("year: {year} is not a year")).into());
    }
    let app = app(ctx);
    app.require_library(&library)?;
    if account.role == Role::Staff && account.library != library {
        return Err(
            ApiError::forbidden("staff see only their own library's copyright report").into(),
        );
    }
    let counts = queries::copyright_report(
        app.database(),
        &library,
        year,
        app.commands.services.calendar,
    )
    .await
    .map_err(ApiError::from)?;
    Ok(counts.into_iter().map(Into::into).collect())
}
