//! One rebuild of a projection at a time. PostgreSQL: an advisory lock on a
//! session of its own. SQLite (one process): overlapping rebuilds share the
//! twins through the checkpoint compare-and-set and stay correct.

use sqlx::{Connection, PgConnection};

use crate::read_models::{Projection, Target};
use store::{Database, StoreError};

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock($1)";

/// A projection's rebuild lock, held until [`RebuildLock::release`].
pub(super) struct RebuildLock(Option<PgConnection>);

impl RebuildLock {
    pub(super) async fn take(
        db: &Database,
        projection: Projection,
    ) -> Result<RebuildLock, StoreError> {
        let Database::Postgres(pool) = db else {
            return Ok(RebuildLock(None));
        };
        let mut session = PgConnection::connect_with(&pool.connect_options()).await?;
        let locked: bool = sqlx::query_scalar(TRY_LOCK)
            .bind(projection.lock_key(Target::Scratch))
            .fetch_one(&mut session)
            .await?;
        if !locked {
            return Err(StoreError::Busy(format!(
                "another rebuild of projection {projection} is running"
            )));
        }
        Ok(RebuildLock(Some(session)))
    }

    pub(super) async fn release(self) {
        if let Some(session) = self.0 {
            // Ending the session releases the lock; an error here ends it too.
            drop(session.close().await);
        }
    }
}
