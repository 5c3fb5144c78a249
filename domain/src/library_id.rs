//! A library's symbol, the key of the `Library` aggregate and of every
//! reference to a library in requests, actors and metadata.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A library's symbol, e.g. `CT-HFD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LibraryId(String);

impl LibraryId {
    pub const MAX_LEN: usize = 32;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Symbols are 1-32 letters, digits, `-`, `_` or `.`, starting with a
    /// letter or digit.
    pub fn parse(field: &str, text: &str) -> Result<LibraryId, DomainError> {
        let valid = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text.starts_with(|c: char| c.is_ascii_alphanumeric())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(LibraryId(text.to_owned()))
        } else {
            Err(DomainError::bad_input(
                field,
                format!("{text:?} is not a library symbol (1-32 letters, digits, '-', '_' or '.')"),
            ))
        }
    }
}

impl From<&str> for LibraryId {
    fn from(text: &str) -> Self {
        LibraryId(text.to_owned())
    }
}

impl From<String> for LibraryId {
    fn from(text: String) -> Self {
        LibraryId(text)
    }
}

impl fmt::Display for LibraryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
