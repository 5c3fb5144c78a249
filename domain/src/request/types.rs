//! The value types of a request, spelled in events as the contract spells them.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::validation::{self, MAX_FIELD, MAX_TITLE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceType {
    Loan,
    Copy,
}

/// ISO 18626 ReasonUnfilled, plus OTHER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnfilledReason {
    NotHeld,
    NotOnShelf,
    NonCirculating,
    PoorCondition,
    PolicyProblem,
    NotAvailableForIll,
    Other,
}

impl UnfilledReason {
    pub const ALL: [UnfilledReason; 7] = [
        UnfilledReason::NotHeld,
        UnfilledReason::NotOnShelf,
        UnfilledReason::NonCirculating,
        UnfilledReason::PoorCondition,
        UnfilledReason::PolicyProblem,
        UnfilledReason::NotAvailableForIll,
        UnfilledReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnfilledReason::NotHeld => "NOT_HELD",
            UnfilledReason::NotOnShelf => "NOT_ON_SHELF",
            UnfilledReason::NonCirculating => "NON_CIRCULATING",
            UnfilledReason::PoorCondition => "POOR_CONDITION",
            UnfilledReason::PolicyProblem => "POLICY_PROBLEM",
            UnfilledReason::NotAvailableForIll => "NOT_AVAILABLE_FOR_ILL",
            UnfilledReason::Other => "OTHER",
        }
    }

    pub fn parse(text: &str) -> Option<UnfilledReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// ISO 18626 LoanCondition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoanCondition {
    LibraryUseOnly,
    WatchLibraryUseOnly,
    NoReproduction,
    SignatureRequired,
    SpecCollSupervisionRequired,
}

/// A lender's part in the rota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RotaOutcome {
    Pending,
    Waiting,
    Declined,
    TimedOut,
    Skipped,
    Rejected,
    Supplying,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Suspended,
    NotLending,
    /// A dated closure (`setClosures`) covers the day its turn came.
    Closed,
}

/// How a COPY request stands to copyright: CCG copies count towards the
/// "rule of five", CCL and OTHER do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CopyrightCompliance {
    Ccg,
    Ccl,
    Other,
}

/// The two sides of a request: the borrowing library and the current lender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Borrower,
    Lender,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub title: String,
    pub author: Option<String>,
    pub isbn: Option<String>,
    pub issn: Option<String>,
    pub oclc_number: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub edition: Option<String>,
    pub article_title: Option<String>,
    pub pages: Option<String>,
    pub catalog_record_id: Option<String>,
    /// COPY requests only ("1.1"; absent from older events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright_compliance: Option<CopyrightCompliance>,
    /// The year of the article's issue, for COPY ("1.1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication_year: Option<i32>,
}

impl Item {
    pub fn titled(title: impl Into<String>) -> Self {
        Item {
            title: title.into(),
            ..Item::default()
        }
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        validation::required("item.title", &self.title, MAX_TITLE)?;
        let optional = [
            ("item.author", &self.author),
            ("item.isbn", &self.isbn),
            ("item.issn", &self.issn),
            ("item.oclcNumber", &self.oclc_number),
            ("item.publisher", &self.publisher),
            ("item.year", &self.year),
            ("item.edition", &self.edition),
            ("item.articleTitle", &self.article_title),
            ("item.pages", &self.pages),
            ("item.catalogRecordId", &self.catalog_record_id),
        ];
        for (field, value) in optional {
            validation::optional(field, value.as_deref(), MAX_FIELD)?;
        }
        match self.publication_year {
            Some(year) if !(1..=9999).contains(&year) => Err(DomainError::bad_input(
                "item.publicationYear",
                format!("{year} is not a year"),
            )),
            _ => Ok(()),
        }
    }
}
