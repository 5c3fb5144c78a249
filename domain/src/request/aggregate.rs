//! `IllRequest` as a cqrs-es aggregate, and the services its commands need.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use super::commands::RequestCommand;
use super::events::RequestEvent;
use super::state::{fold, RequestState};
use super::status::RequestStatus;
use crate::clock::{Calendar, Clock};
use crate::closure::extended_window;
use crate::directory::LibraryDirectory;
use crate::error::DomainError;
use crate::LibraryId;

/// What a request's commands consult besides the request itself.
#[derive(Clone)]
pub struct RequestServices {
    pub clock: Arc<dyn Clock>,
    pub calendar: Calendar,
    /// How long a lender (or a borrower asked about conditions) may leave a
    /// request unanswered.
    pub response_window: chrono::Duration,
    pub directory: Arc<dyn LibraryDirectory>,
}

impl RequestServices {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.calendar.date_of(self.clock.now())
    }

    /// When the party asked (the lender while REQUESTED, the borrower while
    /// CONDITIONAL) must answer: the window set when it was asked, extended
    /// by each date that party is closed, as its closures stand now.
    pub fn respond_by(&self, state: &RequestState) -> Option<DateTime<Utc>> {
        let end = state.respond_by?;
        let answering = match state.status {
            RequestStatus::Requested => state.lender()?,
            RequestStatus::Conditional => &state.borrower,
            _ => return Some(end),
        };
        Some(self.answer_due(answering, end))
    }

    /// When `answering` must answer a window set to end at `end`: extended
    /// by each date it is closed, as its closures stand now.
    pub fn answer_due(&self, answering: &LibraryId, end: DateTime<Utc>) -> DateTime<Utc> {
        extended_window(end - self.response_window, end, self.calendar, |date| {
            self.directory.closed_on(answering, date)
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IllRequest {
    /// Number of events applied: the request's version.
    pub version: u64,
    /// `None` until the request is placed.
    pub state: Option<RequestState>,
}

impl IllRequest {
    /// The request as the given events leave it.
    pub fn replay(events: impl IntoIterator<Item = RequestEvent>) -> Self {
        let mut request = IllRequest::default();
        for event in events {
            request.apply(event);
        }
        request
    }
}

impl Aggregate for IllRequest {
    const TYPE: &'static str = "IllRequest";
    type Command = RequestCommand;
    type Event = RequestEvent;
    type Error = DomainError;
    type Services = RequestServices;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command, services)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.version += 1;
        fold(&mut self.state, event);
    }
}
