//! Starting the server: the store, the directory, the projector, the
//! scheduler and the HTTP routes, and stopping them in order.

use std::net::SocketAddr;
use std::sync::Arc;

use domain::{Actor, Clock, LibraryChange, LibraryId, Role};
use projections::projector::Projector;
use projections::{Change, ChangeFeed};
use store::accounts::Account;
use store::{Database, EventStore, StoreError};
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::auth;
use crate::auth::cache::CredentialCache;
use crate::auth::throttle::Throttle;
use crate::commands::Commands;
use crate::config::Settings;
use crate::library_cache::LibraryCache;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::{demo, http, scheduler};

/// The library that holds the bootstrap admin.
pub const NETWORK_LIBRARY: &str = "NETWORK";

#[derive(Debug, Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("setting up failed: {0}")]
    Setup(String),
}

pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting, finishes in-flight requests, flushes the projector.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }

    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }

    /// Waits until the shutdown handle is told to stop, then stops.
    pub async fn stop_when_told(self) {
        let mut told = self.shutdown.subscribe();
        let _ = told.wait_for(|stop| *stop).await;
        self.stop().await;
    }
}

pub async fn start(settings: Settings, clock: Arc<dyn Clock>) -> Result<RunningServer, StartError> {
    let database = Database::connect(&settings.database_url).await?;
    let metrics = Arc::new(Metrics::default());
    let libraries = Arc::new(LibraryCache::default());
    let feed = ChangeFeed::start(&database);
    feed.ready().await;
    let projector = Projector::new(database.clone(), settings.calendar).with_feed(&feed);
    let commands = Commands::new(
        EventStore::new(database.clone()),
        libraries.clone(),
        clock.clone(),
        settings.calendar,
        chrono::Duration::days(i64::from(settings.lender_response_days)),
        metrics.clone(),
        projector.clone(),
    );
    let credentials = Arc::new(CredentialCache::new(store::sessions::Lifetime {
        idle: auth::SESSION_IDLE,
        max_age: settings.security.session_max_age,
    }));
    let (shutdown, shutdown_rx) = watch::channel(false);
    let follow_credentials = credentials.follow(&database, shutdown_rx.clone()).await;
    let state = Arc::new(AppState {
        commands,
        libraries,
        feed,
        metrics,
        projector: projector.status(),
        request_timeout: settings.request_timeout,
        throttle: Throttle::default(),
        private_stats: settings.private_stats,
        max_rota: settings.max_rota,
        credentials,
        security: settings.security.clone(),
    });
    state.reload_libraries().await?;
    // The demo first: it loads only into an empty store, and the bootstrap
    // admin's library would make the store non-empty.
    if let Some(requests) = settings.demo {
        demo::load_if_empty(&state, requests)
            .await
            .map_err(|e| StartError::Setup(e.message()))?;
    }
    if let Some(token) = &settings.bootstrap_admin_token {
        bootstrap_admin(&state, token).await?;
    }

    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| StartError::Listen(settings.listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Listen(settings.listen, e))?;

    let mut tasks = vec![
        projector.spawn(shutdown_rx.clone()),
        tokio::spawn(follow_library_changes(state.clone(), shutdown_rx.clone())),
        scheduler::spawn(state.clone(), &settings, shutdown_rx.clone()),
    ];
    tasks.extend(follow_credentials);
    if let Some(metrics_listen) = settings.security.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics_listen)
            .await
            .map_err(|e| StartError::Listen(metrics_listen, e))?;
        let app = http::metrics_router(state.clone());
        tasks.push(http::serve_router(listener, app, shutdown_rx.clone()));
    }
    tasks.push(http::serve(listener, state.clone(), shutdown_rx));
    Ok(RunningServer {
        addr,
        state,
        shutdown,
        tasks,
    })
}

/// Another process changed a library: reload the directory.
async fn follow_library_changes(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    let mut changes = state.feed.subscribe();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            change = changes.recv() => match change {
                Ok(Change::Library(_)) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    if let Err(error) = state.reload_libraries().await {
                        tracing::warn!(%error, "reloading the library directory failed");
                    }
                    // A suspension made through another process: the
                    // scheduler (wherever it runs) moves its requests on now.
                    if state.libraries.all().iter().any(|l| l.suspended) {
                        state.commands.suspended.notify_one();
                    }
                }
                Ok(Change::Queue(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

/// While the store has no ADMIN account: an `admin` of the `NETWORK`
/// library (registered as non-lending if absent) with exactly this token.
async fn bootstrap_admin(state: &AppState, token: &str) -> Result<(), StartError> {
    let database = state.database();
    if store::accounts::has_admin(database).await? {
        return Ok(());
    }
    // Several processes may start together on an empty store: each step
    // accepts what another process did meanwhile.
    let network = LibraryId::from(NETWORK_LIBRARY);
    if state.libraries.get(&network).is_none() {
        let actor = Actor::new("admin", network.clone(), Role::Admin);
        let change = LibraryChange::Register {
            id: network.clone(),
            name: "Network coordination".into(),
            lends: false,
        };
        if let Err(error) = state
            .commands
            .library(actor, &network, change, Uuid::new_v4())
            .await
        {
            state.reload_libraries().await?;
            if state.libraries.get(&network).is_none() {
                return Err(StartError::Setup(error.message()));
            }
        }
    }
    let account = Account {
        library: network,
        name: "admin".into(),
        role: Role::Admin,
    };
    let hash = auth::token_hash(token);
    if let Err(error) = store::accounts::add_token(database, &account, &hash).await {
        let added = store::accounts::account_by_token(database, &hash).await?;
        if added.is_none_or(|a| a.role != Role::Admin) {
            return Err(error.into());
        }
    }
    Ok(())
}
