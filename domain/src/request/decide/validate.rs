//! The checks of a command's arguments, run before the request is looked at:
//! a malformed argument is BadInput ahead of every other refusal.

use std::collections::HashSet;

use crate::actor::Origin;
use crate::error::DomainError;
use crate::request::aggregate::RequestServices;
use crate::request::commands::Action;
use crate::request::rota::RotaEntry;
use crate::validation::{
    self, MAX_BARCODE, MAX_EMAIL, MAX_FIELD, MAX_NAME, MAX_NOTE, MAX_REASON, MAX_ROTA,
};

/// Rules that need no request state: lengths, blank text, the rota's shape,
/// dates before today.
pub(super) fn validate_arguments(
    origin: &Origin,
    action: &Action,
    services: &RequestServices,
) -> Result<(), DomainError> {
    if let Origin::Person(actor) = origin {
        // A blank reason is the authorization's refusal (Forbidden).
        if let Some(reason) = actor.reason.as_deref() {
            validation::prose("coordinatorReason", reason, MAX_REASON)?;
        }
    }
    if let Some(note) = action.note() {
        let field = if matches!(action, Action::AddNote { .. }) {
            "text"
        } else {
            "note"
        };
        validation::note(field, &note.text, MAX_NOTE)?;
    }
    let today = services.today();
    let not_before_today = |field: &str, date: Option<chrono::NaiveDate>| match date {
        Some(date) if date < today => Err(DomainError::bad_input(
            field,
            format!("{date} is before today ({today})"),
        )),
        _ => Ok(()),
    };
    match action {
        Action::Place(place) => {
            place.item.validate()?;
            validation::required("patron.barcode", &place.patron.barcode, MAX_BARCODE)?;
            validation::optional("patron.name", place.patron.name.as_deref(), MAX_NAME)?;
            validation::optional("patron.email", place.patron.email.as_deref(), MAX_EMAIL)?;
            validate_rota(&place.lenders, services)?;
            if let Origin::Person(actor) = origin {
                if place.lenders.iter().any(|e| e.lender == actor.library) {
                    return Err(DomainError::bad_input(
                        "lenders",
                        "the borrowing library cannot be in its own rota",
                    ));
                }
            }
            not_before_today("neededBy", place.needed_by)
        }
        Action::Reroute { lenders } => validate_rota(lenders, services),
        Action::Ship { due_date, .. } => not_before_today("dueDate", Some(*due_date)),
        Action::RequestRenewal { until } => not_before_today("until", *until),
        Action::AnswerRenewal { new_due_date, .. } => not_before_today("newDueDate", *new_due_date),
        Action::Recall { due_date, .. } => not_before_today("dueDate", *due_date),
        Action::UpdateNeededBy { needed_by } => not_before_today("neededBy", *needed_by),
        _ => Ok(()),
    }
}

fn validate_rota(lenders: &[RotaEntry], services: &RequestServices) -> Result<(), DomainError> {
    if lenders.is_empty() {
        return Err(DomainError::bad_input(
            "lenders",
            "name at least one lender",
        ));
    }
    if lenders.len() > MAX_ROTA {
        return Err(DomainError::bad_input(
            "lenders",
            format!("at most {MAX_ROTA} lenders"),
        ));
    }
    let mut seen = HashSet::new();
    for RotaEntry { lender, selection } in lenders {
        validation::optional("lenders.selection", selection.as_deref(), MAX_FIELD)?;
        if !seen.insert(lender) {
            return Err(DomainError::bad_input(
                "lenders",
                format!("{lender} is named twice"),
            ));
        }
        if services.directory.lookup(lender).is_none() {
            return Err(DomainError::bad_input(
                "lenders",
                format!("{lender} is not a library of the network"),
            ));
        }
    }
    Ok(())
}
