//! A library's symbol, the key of the `Library` aggregate and of every
//! reference to a library in requests, actors and metadata. Symbols compare
//! case-insensitively (ASCII): `a` and `A` are one library, which keeps the
//! spelling it was registered with.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A library's symbol, e.g. `CT-HFD`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LibraryId(String);

impl PartialEq for LibraryId {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for LibraryId {}

impl Hash for LibraryId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl Ord for LibraryId {
    fn cmp(&self, other: &Self) -> Ordering {
        let folded = |id: &LibraryId| {
            id.0.bytes()
                .map(|b| b.to_ascii_lowercase())
                .collect::<Vec<_>>()
        };
        folded(self).cmp(&folded(other))
    }
}

impl PartialOrd for LibraryId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

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

impl LibraryId {
    /// The same symbol spelled exactly alike (not only equal).
    pub fn same_spelling(&self, other: &LibraryId) -> bool {
        self.0 == other.0
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn symbols_differing_only_in_case_are_one_library() {
        let upper = LibraryId::from("CT-HFD");
        let lower = LibraryId::from("ct-hfd");
        assert_eq!(upper, lower);
        assert!(!upper.same_spelling(&lower));
        assert_eq!(upper.cmp(&lower), Ordering::Equal);
        assert_eq!(HashSet::from([upper.clone(), lower]).len(), 1);
        assert_ne!(upper, LibraryId::from("CT-HFE"));
        assert_eq!(upper.to_string(), "CT-HFD");
    }
}
