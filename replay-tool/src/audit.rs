//! Printing a request's history and its state at an instant, as a table or
//! as one JSON object per line. Events carry no patron data, and note text
//! is not shown (it may name a patron): only note ids. An automatic rota's
//! entries show their `selection` (why each lender was chosen) as the
//! events recorded it.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::RequestView;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::timeline::Step;

fn state_json(view: &RequestView) -> Value {
    let state = &view.state;
    json!({
        "status": state.status.as_str(),
        "lender": state.lender().map(|l| l.to_string()),
        "version": view.version,
        "due_date": state.due_date,
        "recalled": state.recalled,
        "renewal_pending": state.renewal_pending(),
        "cancel_pending": state.cancel_pending,
        "rota": state.rota.iter().map(|slot| json!({
            "library": slot.library.to_string(),
            "outcome": slot.outcome,
            "reason": slot.reason,
            "selection": slot.selection,
        })).collect::<Vec<_>>(),
    })
}

pub fn print(out: &mut impl Write, steps: &[Step], as_json: bool) -> std::io::Result<()> {
    if !as_json {
        writeln!(
            out,
            "{:>3}  {:<27}  {:<16}  {:<9}  {:<11}  {:<20}  {:<18}  {:<9}  details",
            "seq", "occurred at", "actor", "library", "role", "event", "status after", "lender"
        )?;
    }
    for step in steps {
        let entry = &step.entry;
        let metadata = &entry.metadata;
        let state = &step.after.state;
        if as_json {
            let line = json!({
                "sequence": entry.sequence,
                "occurred_at": metadata.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                "actor": metadata.actor,
                "library": metadata.library.as_ref().map(|l| l.to_string()),
                "role": metadata.role.map(|r| r.as_str()),
                "coordinator_reason": metadata.coordinator_reason,
                "event": entry.event_type,
                "data": entry.data,
                "status_after": state.status.as_str(),
                "lender_after": state.lender().map(|l| l.to_string()),
            });
            writeln!(out, "{line}")?;
        } else {
            let mut details = entry.data.to_string();
            if let Some(reason) = &metadata.coordinator_reason {
                details.push_str(&format!("  reason: {reason}"));
            }
            writeln!(
                out,
                "{:>3}  {:<27}  {:<16}  {:<9}  {:<11}  {:<20}  {:<18}  {:<9}  {}",
                entry.sequence,
                metadata
                    .occurred_at
                    .to_rfc3339_opts(SecondsFormat::Micros, true),
                metadata.actor,
                metadata
                    .library
                    .as_ref()
                    .map_or("-".into(), |l| l.to_string()),
                metadata.role.map_or("-", |r| r.as_str()),
                entry.event_type,
                state.status.as_str(),
                state.lender().map_or("-".into(), |l| l.to_string()),
                details,
            )?;
        }
    }
    Ok(())
}

pub fn print_as_of(
    out: &mut impl Write,
    id: Uuid,
    at: DateTime<Utc>,
    last: Option<&Step>,
    as_json: bool,
) -> std::io::Result<()> {
    let at_text = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let Some(step) = last else {
        if as_json {
            writeln!(
                out,
                "{}",
                json!({ "id": id, "as_of": at_text, "exists": false })
            )?;
        } else {
            writeln!(out, "request {id} did not exist yet at {at_text}")?;
        }
        return Ok(());
    };
    let mut state = state_json(&step.after);
    if as_json {
        state["id"] = json!(id);
        state["as_of"] = json!(at_text);
        state["exists"] = json!(true);
        writeln!(out, "{state}")?;
    } else {
        writeln!(
            out,
            "request {id} as of {at_text} (after event {}):",
            step.entry.sequence
        )?;
        for (key, value) in state.as_object().into_iter().flatten() {
            writeln!(out, "  {key:<16} {value}")?;
        }
    }
    Ok(())
}

pub fn print_queue(
    out: &mut impl Write,
    library: &domain::LibraryId,
    at: DateTime<Utc>,
    views: &[RequestView],
    as_json: bool,
) -> std::io::Result<()> {
    let at_text = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    if !as_json {
        writeln!(
            out,
            "queue of {library} as of {at_text}: {} requests",
            views.len()
        )?;
        writeln!(
            out,
            "{:<36}  {:<18}  {:<9}  {:<9}  {:<27}  title",
            "request", "status", "borrower", "lender", "updated at"
        )?;
    }
    for view in views {
        let state = &view.state;
        if as_json {
            let mut line = state_json(view);
            line["id"] = json!(view.id);
            line["borrower"] = json!(state.borrower.to_string());
            line["title"] = json!(state.item.title);
            line["updated_at"] =
                json!(view.updated_at.to_rfc3339_opts(SecondsFormat::Micros, true));
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "{:<36}  {:<18}  {:<9}  {:<9}  {:<27}  {}",
                view.id,
                state.status.as_str(),
                state.borrower.to_string(),
                state.lender().map_or("-".into(), |l| l.to_string()),
                view.updated_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                state.item.title
            )?;
        }
    }
    Ok(())
}
