//! Fresh, isolated stores for tests: a uniquely named PostgreSQL database
//! (from `DATABASE_URL`, default the local server) or a new SQLite file, and
//! running a command of the fixture network (`domain::testing`) on them.

pub mod bench;

use domain::{
    Action, DomainError, EventMetadata, IllRequest, Origin, RequestCommand, RequestServices,
};
use sqlx::Connection;
use uuid::Uuid;

use crate::database::Database;
use crate::event_store::{CommandError, Committed, EventStore};
use crate::vault::SideRows;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Test databases are named with this prefix; the test script drops
/// leftovers before a run.
pub const TEST_DATABASE_PREFIX: &str = "ill_test_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// The URL of a new, empty store of `backend`.
pub async fn fresh_url(backend: Backend) -> String {
    let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
    match backend {
        Backend::Postgres => {
            let base =
                std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
            let mut admin = sqlx::PgConnection::connect(&base)
                .await
                .expect("connect to PostgreSQL (set DATABASE_URL)");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create a test database");
            let (prefix, _) = base.rsplit_once('/').expect("a database URL with a path");
            format!("{prefix}/{name}")
        }
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("ill-tests");
            std::fs::create_dir_all(&dir).expect("create the test directory");
            format!("sqlite://{}", dir.join(format!("{name}.sqlite")).display())
        }
    }
}

/// A connected, migrated, empty store of `backend`.
pub async fn fresh_database(backend: Backend) -> Database {
    Database::connect(&fresh_url(backend).await)
        .await
        .expect("connect to the fresh test store")
}

/// Runs one async test body against each backend, as two tests.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::testing::Backend::Postgres).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::testing::Backend::Sqlite).await;
            }
        }
    };
}

/// Runs one request command, with metadata at the services' current time
/// and its vault rows, as the server does.
pub async fn run(
    store: &EventStore,
    services: &RequestServices,
    id: Uuid,
    origin: Origin,
    expected_version: Option<u64>,
    action: Action,
) -> Result<Committed<IllRequest>, CommandError<DomainError>> {
    let metadata = EventMetadata::new(&origin, services.now(), Uuid::new_v4());
    let command = RequestCommand {
        origin,
        expected_version,
        action,
    };
    store
        .execute_with::<IllRequest>(
            &id.to_string(),
            command.clone(),
            services,
            &metadata,
            SideRows::of(id, &command).as_ref(),
        )
        .await
}
