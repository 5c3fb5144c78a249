//! Input rules for every text input: lengths, blank text, and control
//! characters (C0 and DEL are refused; notes may hold tabs and newlines).

use crate::error::DomainError;

pub const MAX_TITLE: usize = 500;
pub const MAX_FIELD: usize = 500;
pub const MAX_NOTE: usize = 2_000;
pub const MAX_NAME: usize = 200;
pub const MAX_BARCODE: usize = 64;
pub const MAX_EMAIL: usize = 254;
pub const MAX_ROTA: usize = 30;
pub const MAX_REASON: usize = 1_000;

pub fn required(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::bad_input(field, "must not be blank"));
    }
    at_most(field, value, max)
}

pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<(), DomainError> {
    value.map_or(Ok(()), |v| at_most(field, v, max))
}

/// A note: like [`required`], and it may hold tabs and line breaks.
pub fn note(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::bad_input(field, "must not be blank"));
    }
    prose(field, value, max)
}

/// Free text that may be blank (its absence is judged elsewhere) and may hold
/// tabs and line breaks, such as a coordinator's reason.
pub fn prose(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    length(field, value, max)?;
    no_control_characters(field, value, Lines::Allowed)
}

pub fn at_most(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    length(field, value, max)?;
    no_control_characters(field, value, Lines::Refused)
}

/// Whether a text may hold tabs and line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Allowed,
    Refused,
}

/// Refuses U+0000–U+001F and U+007F (tab and newline only where `lines`
/// allows them): they corrupt exports, logs and
/// terminals, and PostgreSQL refuses U+0000 outright.
pub fn no_control_characters(field: &str, value: &str, lines: Lines) -> Result<(), DomainError> {
    let refused =
        |c: char| c.is_ascii_control() && !(lines == Lines::Allowed && matches!(c, '\t' | '\n'));
    match value.chars().find(|c| refused(*c)) {
        Some(c) => Err(DomainError::bad_input(
            field,
            format!(
                "must not contain the control character U+{:04X}",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

fn length(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.chars().count() > max {
        return Err(DomainError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_notes_keep_their_lines() {
        for text in [
            "a\u{0}b",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "tab\there",
        ] {
            assert!(at_most("title", text, 100).is_err(), "{text:?}");
        }
        assert!(at_most("title", "Über café — 東京", 100).is_ok());
        assert!(note("note", "line one\n\tline two\n", 100).is_ok());
        assert!(note("note", "carriage\r", 100).is_err());
        assert!(note("note", "nul\u{0}", 100).is_err());
    }
}
