//! items: to be written (helper branch catalogue-formats): the per-import
//! mapping of other item tags, `--items TAG:SUBFIELD=FIELD,...`.

/// Which subfields of which item tags give a copy's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemMapping {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MalformedMapping(pub String);
