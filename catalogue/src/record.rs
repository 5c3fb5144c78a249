//! One bibliographic record as a library's file gives it, with its copies,
//! before it is clustered with the other libraries' records.

use domain::normalize::fold;
use sha2::{Digest, Sha256};

/// A record read from a file, its identifiers already in their normal forms
/// (`domain::normalize`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceRecord {
    pub title: String,
    pub author: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub edition: Option<String>,
    /// ISBN-13, digits only.
    pub isbns: Vec<String>,
    /// `NNNN-NNNX`.
    pub issns: Vec<String>,
    /// Digits, no prefix or leading zeros.
    pub oclc_numbers: Vec<String>,
    pub lccn: Option<String>,
    /// One per copy the file lists; a record that lists none has one,
    /// lendable, with no call number or location.
    pub copies: Vec<Copy>,
}

/// One holding: a copy on a library's shelf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Copy {
    /// The record's id in the library's own system (MARC 001, CSV local_id).
    pub local_id: Option<String>,
    pub call_number: Option<String>,
    pub location: Option<String>,
    pub lendable: bool,
}

impl SourceRecord {
    /// The key of a record with neither OCLC number nor ISBN: SHA-256,
    /// lower-case hex, of the folded title, author, year (its first four
    /// digits) and edition joined by "\n", an absent one empty.
    pub fn match_key(&self) -> String {
        let folded = |value: &Option<String>| value.as_deref().map(fold).unwrap_or_default();
        let year: String = self
            .year
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .take(4)
            .collect();
        let joined = [
            fold(&self.title),
            folded(&self.author),
            year,
            folded(&self.edition),
        ]
        .join("\n");
        Sha256::digest(joined.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_key_hashes_the_folded_fields() {
        let record = SourceRecord {
            title: "Café Society :".into(),
            author: Some("Dupont, Jean.".into()),
            year: Some("c1999.".into()),
            ..SourceRecord::default()
        };
        let same = SourceRecord {
            title: "cafe society".into(),
            author: Some("DUPONT JEAN".into()),
            year: Some("[1999?]".into()),
            ..SourceRecord::default()
        };
        assert_eq!(record.match_key(), same.match_key());
        let expected: String = Sha256::digest(b"cafe society\ndupont jean\n1999\n")
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(record.match_key(), expected);
    }
}
