//! Routing: ask the next lender in the rota that can lend, skipping the
//! suspended, the non-lending and the closed today; with none left the
//! request is unfilled.

use super::aggregate::RequestServices;
use super::events::RequestEvent;
use super::types::SkipReason;
use crate::library_id::LibraryId;

/// The events that route a request to the first eligible lender at or after
/// index `from` of `rota`.
pub(super) fn route(
    rota: &[LibraryId],
    from: usize,
    services: &RequestServices,
) -> Vec<RequestEvent> {
    let mut events = Vec::new();
    let today = services.today();
    for (index, lender) in rota.iter().enumerate().skip(from) {
        let position = index as u32 + 1;
        let why = match services.directory.lookup(lender) {
            Some(status) if status.can_lend() && services.directory.closed_on(lender, today) => {
                SkipReason::Closed
            }
            Some(status) if status.can_lend() => {
                events.push(RequestEvent::RequestRouted {
                    lender: lender.clone(),
                    position,
                    respond_by: services.now() + services.response_window,
                });
                return events;
            }
            Some(status) if status.lends => SkipReason::Suspended,
            _ => SkipReason::NotLending,
        };
        events.push(RequestEvent::LenderSkipped {
            lender: lender.clone(),
            position,
            why,
        });
    }
    events.push(RequestEvent::RequestUnfilled {});
    events
}
