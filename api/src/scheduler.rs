//! The scheduler: moves on requests whose lender (or whose borrower, asked
//! about conditions) did not answer within the response window (extended by
//! the answering library's closures), moves on requests waiting at a library
//! whose lending was suspended, expires requests past their needed-by date,
//! and purges patron data, notes and idle sessions once a day.
//!
//! Timeouts are chosen from the request views with the window each view
//! records, extended by the answering library's closures as the library
//! cache holds them, so requests waiting at a closed library cost no
//! command.
//!
//! It runs in the process that runs the request projector (one at a time
//! across processes, under the projector's advisory lock), so it moves to a
//! surviving process with it. Its commands are safe to repeat: the aggregate
//! refuses a timeout that is not due, and a stale one loses the version race.

use std::sync::Arc;
use std::time::Duration;

use domain::{Action, Origin};
use projections::projector::Projection;
use projections::queries;
use store::vault;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

use crate::auth::SESSION_IDLE;
use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

const PURGE_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// How often a process looks whether it now runs the request projector
/// (the one that ran it died): it sweeps at once when it does.
const LEADERSHIP_CHECK: Duration = Duration::from_secs(1);

pub fn spawn(
    state: Arc<AppState>,
    settings: &Settings,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let interval = settings.scheduler_interval;
    let retention_days = settings.patron_retention_days;
    tokio::spawn(async move {
        let mut last_purge: Option<Instant> = None;
        let mut last_sweep: Option<Instant> = None;
        let mut led = false;
        loop {
            // While it leads: until the next sweep is due; else a second.
            let wait = match last_sweep {
                Some(at) if led => interval.saturating_sub(at.elapsed()),
                _ => interval,
            };
            let nudged = tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return,
                _ = tokio::time::sleep(wait.min(LEADERSHIP_CHECK)) => false,
                _ = state.commands.suspended.notified() => true,
            };
            let leads = state.projector.of(Projection::Requests).is_leader();
            let became_leader = leads && !led;
            led = leads;
            let interval_over = last_sweep.is_none_or(|at| at.elapsed() >= interval);
            if !leads || !(became_leader || nudged || interval_over) {
                continue;
            }
            last_sweep = Some(Instant::now());
            if let Err(error) = sweep(&state).await {
                tracing::warn!(error = %error.message(), "the scheduler's sweep failed");
            }
            if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                let now = state.commands.services.now();
                match vault::purge(state.database(), now, retention_days).await {
                    Ok(purged) => {
                        last_purge = Some(Instant::now());
                        tracing::info!(
                            ?purged,
                            "purged patron data and notes of long-ended requests"
                        );
                    }
                    Err(error) => tracing::warn!(%error, "the purge failed"),
                }
                // Idle sessions no longer sign anyone in; drop their rows.
                match store::sessions::end_idle(state.database(), now, SESSION_IDLE).await {
                    Ok(ended) => tracing::info!(ended, "deleted idle sessions"),
                    Err(error) => tracing::warn!(%error, "deleting idle sessions failed"),
                }
            }
        }
    })
}

/// One pass: every request due for a timeout, every request waiting at a
/// suspended library, every request past its needed-by date. How many
/// requests moved on.
pub async fn sweep(state: &AppState) -> Result<usize, ApiError> {
    let database = state.database();
    let services = &state.commands.services;
    let now = services.now();
    let mut moved = 0;
    for request in queries::unanswered(database, now).await? {
        // A window that closures extend past now is left without loading
        // the request: every pass of the closure would be refused.
        if let Some(answering) = &request.answering {
            if services.answer_due(answering, request.respond_by) > now {
                continue;
            }
        }
        moved += move_on(state, request.id, Action::TimeOut).await?;
    }
    for library in state.libraries.all().into_iter().filter(|l| l.suspended) {
        for id in queries::waiting_at(database, &library.id).await? {
            moved += move_on(state, id, Action::SkipSuspendedLender).await?;
        }
    }
    for id in queries::expiring(database, state.today()).await? {
        moved += move_on(state, id, Action::Expire).await?;
    }
    Ok(moved)
}

async fn move_on(state: &AppState, id: Uuid, action: Action) -> Result<usize, ApiError> {
    match state
        .commands
        .request(Origin::System, id, None, action, Uuid::new_v4())
        .await
    {
        Ok(_) => Ok(1),
        // The read model lagged: the request was answered meanwhile.
        Err(ApiError::InvalidTransition(_)) | Err(ApiError::Conflict(_)) => Ok(0),
        Err(other) => Err(other),
    }
}
