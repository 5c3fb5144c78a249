//! Errors as the contract names them: every GraphQL error carries
//! `extensions.code`. Internal details are logged under a correlation id that
//! the error carries, and never returned.

use async_graphql::ErrorExtensions;
use domain::{DomainError, MalformedMetadata};
use projections::queries::period::PeriodError;
use store::{CommandError, StoreError};
use uuid::Uuid;

// Deliberately not `Display`: async-graphql converts any `Display` type into
// an error without a code, so this type converts only through `From` below.
#[derive(Debug)]
pub enum ApiError {
    Unauthenticated,
    BadInput(String),
    NotFound(String),
    Forbidden(String),
    Conflict(String),
    InvalidTransition(String),
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::BadInput(_) => "BAD_INPUT",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::InvalidTransition(_) => "INVALID_TRANSITION",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// The message, for logs and the command line (never for a client:
    /// an internal error's text goes through the `From` below).
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "sign in, or send a valid bearer token".into(),
            ApiError::BadInput(m)
            | ApiError::NotFound(m)
            | ApiError::Forbidden(m)
            | ApiError::Conflict(m)
            | ApiError::InvalidTransition(m)
            | ApiError::Internal(m) => m.clone(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(error.to_string())
    }

    pub fn bad_input(message: impl Into<String>) -> ApiError {
        ApiError::BadInput(message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden(message.into())
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code();
        let (message, correlation_id) = match error {
            ApiError::Unauthenticated => ("sign in, or send a valid bearer token".to_owned(), None),
            ApiError::Internal(detail) => {
                let id = Uuid::new_v4();
                tracing::error!(correlation_id = %id, error = %detail, "internal error");
                (format!("internal error (correlation id {id})"), Some(id))
            }
            ApiError::BadInput(m)
            | ApiError::NotFound(m)
            | ApiError::Forbidden(m)
            | ApiError::Conflict(m)
            | ApiError::InvalidTransition(m) => (m, None),
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| {
            extensions.set("code", code);
            if let Some(id) = correlation_id {
                extensions.set("correlationId", id.to_string());
            }
        })
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        let message = error.to_string();
        match error {
            DomainError::BadInput { .. } => ApiError::BadInput(message),
            DomainError::NotFound => ApiError::NotFound("no such request".into()),
            DomainError::Forbidden(_) => ApiError::Forbidden(message),
            DomainError::Conflict(_) => ApiError::Conflict(message),
            DomainError::InvalidTransition { .. } => ApiError::InvalidTransition(message),
        }
    }
}

impl From<CommandError<DomainError>> for ApiError {
    fn from(error: CommandError<DomainError>) -> Self {
        match error {
            CommandError::Domain(e) => e.into(),
            CommandError::Contended => ApiError::Conflict(error.to_string()),
            CommandError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::internal(error)
    }
}

impl From<PeriodError> for ApiError {
    fn from(error: PeriodError) -> Self {
        ApiError::bad_input(error.to_string())
    }
}

/// A stored event the domain cannot read is the store's fault: internal.
impl From<MalformedMetadata> for ApiError {
    fn from(error: MalformedMetadata) -> Self {
        StoreError::from(error).into()
    }
}

impl From<catalogue::CatalogueError> for ApiError {
    fn from(error: catalogue::CatalogueError) -> Self {
        match error {
            catalogue::CatalogueError::Store(error) => error.into(),
            other => ApiError::internal(other),
        }
    }
}
