//! Why a command is refused: the five kinds the contract names.

use thiserror::Error;

/// Why a command was refused. When several apply, the handlers report the
/// first of: BadInput (malformed), NotFound, Forbidden, Conflict,
/// InvalidTransition, BadInput (a value wrong for the current state).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{field}: {why}")]
    BadInput { field: String, why: String },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{command} is not allowed while the request is {from}")]
    InvalidTransition {
        from: crate::request::status::RequestStatus,
        command: &'static str,
    },
}

impl DomainError {
    pub fn bad_input(field: impl Into<String>, why: impl Into<String>) -> Self {
        DomainError::BadInput {
            field: field.into(),
            why: why.into(),
        }
    }

    pub fn forbidden(why: impl Into<String>) -> Self {
        DomainError::Forbidden(why.into())
    }
}
