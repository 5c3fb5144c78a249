//! What every handler shares: the commands, the library directory, the
//! change feed, the metrics, the projector's status and the sign-in
//! throttle, and the questions every handler asks of them.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use cqrs_es::EventEnvelope;
use domain::library::LibraryRecord;
use domain::{IllRequest, Library, LibraryId, RequestView};
use projections::projector::ProjectorStatus;
use projections::ChangeFeed;
use store::{Database, StoreError};
use uuid::Uuid;

use crate::auth::cache::{CredentialCache, CredentialKey};
use crate::auth::throttle::Throttle;
use crate::auth::{Credential, Viewer};
use crate::commands::Commands;
use crate::config::Security;
use crate::error::ApiError;
use crate::library_cache::LibraryCache;
use crate::metrics::Metrics;

/// What every handler shares.
pub struct AppState {
    pub commands: Commands,
    pub libraries: Arc<LibraryCache>,
    pub feed: ChangeFeed,
    pub metrics: Arc<Metrics>,
    pub projector: Arc<ProjectorStatus>,
    pub request_timeout: Duration,
    pub throttle: Throttle,
    pub private_stats: bool,
    /// The most lenders an automatic rota holds.
    pub max_rota: usize,
    pub credentials: Arc<CredentialCache>,
    pub security: Security,
}

impl AppState {
    pub fn database(&self) -> &Database {
        self.commands.database()
    }

    pub fn today(&self) -> NaiveDate {
        self.commands.services.today()
    }

    pub fn require_library(&self, id: &LibraryId) -> Result<LibraryRecord, ApiError> {
        self.libraries
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("no library {id}")))
    }

    /// The request as its stream stands now (not the lagging read model).
    pub async fn current_request(
        &self,
        id: Uuid,
    ) -> Result<Option<(RequestView, Vec<EventEnvelope<IllRequest>>)>, ApiError> {
        let events = self
            .commands
            .store
            .history::<IllRequest>(&id.to_string())
            .await?;
        Ok(RequestView::from_history(id, &events)?.map(|view| (view, events)))
    }

    /// Who presents this credential: a live token's account, or a session's
    /// within its lifetime (which the call renews), of an account not
    /// disabled.
    pub async fn authenticate(
        &self,
        credential: Option<Credential<'_>>,
    ) -> Result<Viewer, ApiError> {
        let key = credential.ok_or(ApiError::Unauthenticated)?.key();
        self.viewer_of(key).await
    }

    /// [`AppState::authenticate`] by the credential's stored key (a socket
    /// asks again for every operation).
    pub async fn viewer_of(&self, key: CredentialKey) -> Result<Viewer, ApiError> {
        let account = self
            .credentials
            .account(self.database(), &key, self.commands.services.now())
            .await?;
        Ok(Viewer {
            account: account.ok_or(ApiError::Unauthenticated)?,
            credential: key,
        })
    }

    /// After this process ended a credential: forget the cached ones now
    /// (other nodes hear the store's NOTIFY).
    pub fn credentials_ended(&self) {
        self.credentials.clear();
    }

    /// Reloads the directory from the event log (a few hundred short streams).
    pub async fn reload_libraries(&self) -> Result<(), StoreError> {
        let libraries = self.commands.store.all::<Library>().await?;
        self.libraries.refresh(
            libraries
                .into_iter()
                .filter_map(|(_, l, version)| Some((l.registered?, version)))
                .collect(),
        );
        Ok(())
    }
}
