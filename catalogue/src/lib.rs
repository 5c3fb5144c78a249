//! The union catalogue: every member's holdings, imported from the files
//! their systems export (MARC 21, MARCXML, CSV), clustered into records;
//! search over them on either backend; and the automatic load-balanced rota
//! built from who holds a record (DESIGN.md, "The union catalogue and the
//! automatic rota").

mod db;
pub mod error;
pub mod formats;
pub mod holdings;
pub mod import;
pub mod record;
pub mod records;
pub mod rota;
pub mod search;

pub use error::CatalogueError;
