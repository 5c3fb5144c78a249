//! The demo network's union catalogue: the simulation's titles, each given
//! the record id the catalogue's clustering gives it, and every member's
//! holdings imported through the real importer, one CSV file per library.

use std::io::Cursor;

use catalogue::formats::Format;
use catalogue::import::{self, ImportRequest, Member};
use domain::normalize;
use simulation::{Catalogue, Shape, Title};

use crate::error::ApiError;
use crate::state::AppState;

/// Who the imports are recorded as (`holdingsImports.by`).
const IMPORTED_BY: &str = "demo";

/// The catalogue of `shape`, each title with its record id.
pub fn catalogue(shape: &Shape) -> Catalogue {
    simulation::catalogue(shape).with_record_ids(record_id)
}

/// The id the catalogue gives `title`'s record. Its identifiers are its
/// own (no other title shares its OCLC number or ISBN), so its cluster is
/// its holders' copies of it alone, and the importer's clustering names it
/// by them.
fn record_id(title: &Title) -> String {
    let member = Member {
        batch: "".into(),
        position: 1,
        library: "".into(),
        oclc_numbers: normalize::oclc(&title.oclc).into_iter().collect(),
        isbns: normalize::isbn13(&title.isbn).into_iter().collect(),
        match_key: None,
    };
    import::cluster_id(std::iter::once(&member))
}

/// Imports each member's holdings of `catalogue`; the holdings imported.
pub async fn import(state: &AppState, catalogue: &Catalogue) -> Result<i64, ApiError> {
    let mut imported = 0;
    for library in state.libraries.all() {
        let csv = csv_of(catalogue, &library.id)?;
        let request = ImportRequest {
            library: library.id.to_string(),
            by: IMPORTED_BY.into(),
            format: Format::Csv,
            items: Default::default(),
            at: state.commands.services.now(),
            lending: library.lends && !library.suspended,
        };
        let summary = import::import(state.database(), request, Cursor::new(csv)).await?;
        if summary.rejected > 0 {
            return Err(ApiError::internal(format!(
                "the demo holdings of {} were refused: {:?}",
                library.id, summary.errors
            )));
        }
        imported += summary.holdings;
    }
    Ok(imported)
}

/// `library`'s holdings file: one copy of each title it holds.
fn csv_of(catalogue: &Catalogue, library: &domain::LibraryId) -> Result<Vec<u8>, ApiError> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut write = |row: [&str; 6]| csv.write_record(row).map_err(ApiError::internal);
    write(["title", "author", "year", "isbn", "oclc", "local_id"])?;
    for title in catalogue.holdings_of(library) {
        let local_id = format!("{}-{}", library, title.oclc);
        write([
            &title.title,
            &title.author,
            &title.year,
            &title.isbn,
            &title.oclc,
            &local_id,
        ])?;
    }
    csv.into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))
}
