//! Input rules shared by both aggregates: lengths and blank text.

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

pub fn at_most(field: &str, value: &str, max: usize) -> Result<(), DomainError> {
    if value.chars().count() > max {
        return Err(DomainError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}
