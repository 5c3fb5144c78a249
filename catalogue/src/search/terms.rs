//! What a catalogue query asks for (the contract's comment on
//! `catalogSearch`): its folded words, whether the last is also a prefix,
//! and the identifiers the whole query reads as.

use domain::normalize::{fold, isbn13, issn, lccn, oclc};

use super::SearchError;

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The shortest last word, in characters, also matched as a prefix.
pub const MIN_PREFIX_CHARS: usize = 3;

/// A query, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Folded, in the query's order, never empty.
    pub words: Vec<String>,
    /// The last word also matches the words it begins.
    pub prefix: bool,
    pub identifiers: Identifiers,
}

/// The identifiers the trimmed query reads as, in their normal forms: one
/// text can be several at once (eight digits: an OCLC number and an LCCN).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identifiers {
    pub isbn: Option<String>,
    pub issn: Option<String>,
    pub oclc: Option<String>,
    pub lccn: Option<String>,
}

impl Identifiers {
    /// The query reads as no identifier at all.
    pub fn is_none(&self) -> bool {
        *self == Identifiers::default()
    }
}

impl Terms {
    /// Reads a query; an empty or over-long one, or one that folds to no
    /// word, is refused. Every identifier holds a digit, so a query that
    /// folds to no word reads as none either.
    pub fn read(query: &str) -> Result<Terms, SearchError> {
        let length = query.chars().count();
        if length == 0 || length > MAX_QUERY_CHARS {
            return Err(SearchError::BadQuery(format!(
                "a query has 1 to {MAX_QUERY_CHARS} characters"
            )));
        }
        let words: Vec<String> = fold(query).split(' ').map(str::to_owned).collect();
        if words.iter().all(String::is_empty) {
            return Err(SearchError::BadQuery(
                "the query holds no word and no identifier".to_owned(),
            ));
        }
        let trimmed = query.trim();
        Ok(Terms {
            prefix: words
                .last()
                .is_some_and(|last| last.chars().count() >= MIN_PREFIX_CHARS),
            words,
            identifiers: Identifiers {
                isbn: isbn13(trimmed),
                issn: issn(trimmed),
                oclc: oclc(trimmed),
                lccn: lccn(trimmed),
            },
        })
    }

    /// A PostgreSQL `tsquery` of exact lexemes: `'a' & 'b':*`. Folded words
    /// hold no quote, so the quoting needs no escapes.
    pub fn tsquery(&self) -> String {
        self.joined(" & ", |word| format!("'{word}'"), ":*")
    }

    /// An FTS5 query: `"a" "b"*`, every phrase required.
    pub fn fts5(&self) -> String {
        self.joined(" ", |word| format!("\"{word}\""), "*")
    }

    fn joined(&self, and: &str, quote: impl Fn(&str) -> String, prefix: &str) -> String {
        let mut text = self
            .words
            .iter()
            .map(|word| quote(word))
            .collect::<Vec<_>>()
            .join(and);
        if self.prefix {
            text.push_str(prefix);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_the_last_is_a_prefix_from_three_characters() {
        let terms = Terms::read("  Élève, Molière ").unwrap();
        assert_eq!(terms.words, ["eleve", "moliere"]);
        assert!(terms.prefix);
        assert_eq!(terms.tsquery(), "'eleve' & 'moliere':*");
        assert_eq!(terms.fts5(), "\"eleve\" \"moliere\"*");
        let short = Terms::read("history of ww").unwrap();
        assert!(!short.prefix);
        assert_eq!(short.fts5(), "\"history\" \"of\" \"ww\"");
        assert!(Terms::read("Éte").unwrap().prefix);
    }

    #[test]
    fn identifiers_are_read_from_the_whole_query() {
        let isbn = Terms::read(" 0-19-852663-6 ").unwrap().identifiers;
        assert_eq!(isbn.isbn.as_deref(), Some("9780198526636"));
        let oclc = Terms::read("(OCoLC)ocm00012345").unwrap().identifiers;
        assert_eq!(oclc.oclc.as_deref(), Some("12345"));
        let digits = Terms::read("12345678").unwrap().identifiers;
        assert_eq!(digits.oclc.as_deref(), Some("12345678"));
        assert_eq!(digits.lccn.as_deref(), Some("12345678"));
        assert_eq!(
            Terms::read("0028-0836")
                .unwrap()
                .identifiers
                .issn
                .as_deref(),
            Some("0028-0836")
        );
        assert_eq!(
            Terms::read("history").unwrap().identifiers,
            Identifiers::default()
        );
    }

    #[test]
    fn empty_long_and_wordless_queries_are_refused() {
        for bad in ["", " ", "-- / --", &"a".repeat(201)] {
            assert!(Terms::read(bad).is_err(), "{bad:?}");
        }
        assert!(Terms::read(&"é".repeat(200)).is_ok());
    }
}
