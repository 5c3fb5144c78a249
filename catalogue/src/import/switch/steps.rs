//! Where a switch's computation writes: a short transaction per step (so
//! SQLite's one writer is free between them), or, when other switches kept
//! moving the catalogue under it, the switch's own transaction throughout.

use store::backend::Tx;
use store::Database;

use crate::db::{self, Param};
use crate::error::CatalogueError;

/// A computation's transactions.
pub enum Steps<'a> {
    Short(&'a Database),
    Held(Tx<'static>),
}

/// One step's transaction: its own, or the held one.
pub enum Step<'a> {
    Own(Tx<'static>),
    Held(&'a mut Tx<'static>),
}

impl Steps<'_> {
    /// Starts a step that writes (see [`db::begin`]).
    pub async fn begin(&mut self) -> Result<Step<'_>, CatalogueError> {
        self.start(true).await
    }

    /// Starts a step that only reads (see [`db::read`]).
    pub async fn read(&mut self) -> Result<Step<'_>, CatalogueError> {
        self.start(false).await
    }

    /// On PostgreSQL without JIT: the staged tables' statistics are of
    /// tables that were empty, so the planner's estimates run high enough
    /// to compile queries that take milliseconds.
    async fn start(&mut self, writes: bool) -> Result<Step<'_>, CatalogueError> {
        let mut step = match self {
            Steps::Short(db) if writes => Step::Own(db::begin(db).await?),
            Steps::Short(db) => Step::Own(db::read(db).await?),
            Steps::Held(tx) => Step::Held(tx),
        };
        if matches!(step.tx(), Tx::Postgres(_)) {
            db::execute(step.tx(), "SET LOCAL jit = off", &[]).await?;
        }
        Ok(step)
    }

    /// Runs one statement as a step of its own; the rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, CatalogueError> {
        let mut step = self.begin().await?;
        let changed = db::execute(step.tx(), sql, params).await?;
        step.end().await?;
        Ok(changed)
    }
}

impl Step<'_> {
    pub fn tx(&mut self) -> &mut Tx<'static> {
        match self {
            Step::Own(tx) => tx,
            Step::Held(tx) => tx,
        }
    }

    /// Ends the step: commits its own transaction.
    pub async fn end(self) -> Result<(), CatalogueError> {
        if let Step::Own(tx) = self {
            tx.commit().await?;
        }
        Ok(())
    }
}
