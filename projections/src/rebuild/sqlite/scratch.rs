//! Where an SQLite pass's rows go first: per twin, a table in the writer
//! connection's temporary database, filled by multi-row `INSERT`s whose
//! prepared statement is reused from chunk to chunk, all in one transaction
//! of that database (the store's own write lock is not taken).

use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, Encode, Sqlite, SqliteConnection, Type};

use crate::read_models::{Projection, Target};
use store::StoreError;

/// Rows per `INSERT` (the widest twin, 10 columns, binds 2,560 values: far
/// below SQLite's limit of 32,766).
const ROWS: usize = 256;

const CREATE: &str = include_str!("scratch_create.sql");
const INSERT: &str = include_str!("scratch_insert.sql");

/// The live tables of `projection` whose twins a pass loads, with their
/// column counts.
pub(super) fn tables(projection: Projection) -> &'static [(&'static str, usize)] {
    match projection {
        Projection::Requests => &[("request_views", 10), ("lender_waiting", 2)],
        Projection::Statistics => &[
            ("stats_requests", 5),
            ("stats_durations", 6),
            ("stats_library_day", 10),
            ("stats_declines_day", 4),
            ("stats_network_day", 9),
            ("stats_network_declines_day", 3),
            ("stats_receive_blocks", 3),
        ],
        Projection::Libraries => &[("library_directory", 5)],
    }
}

/// The scratch table of the live table `live`.
pub(super) fn scratch_name(live: &str) -> String {
    format!("scratch_{live}")
}

/// The statement inserting `rows` rows of `columns` values into `scratch`.
fn insert(scratch: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    INSERT
        .replace("{scratch}", scratch)
        .replace("{rows}", &vec![row; rows].join(", "))
}

/// One scratch table: the values of the rows not yet inserted.
pub(super) struct Table {
    scratch: String,
    columns: usize,
    /// The statement for a whole chunk of [`ROWS`] rows.
    insert: String,
    args: SqliteArguments<'static>,
    rows: usize,
}

impl Table {
    /// Creates the scratch table of `live` on `writer`.
    async fn create(
        writer: &mut SqliteConnection,
        live: &str,
        columns: usize,
    ) -> Result<Table, StoreError> {
        let scratch = scratch_name(live);
        let create = CREATE
            .replace("{scratch}", &scratch)
            .replace("{twin}", &Target::Scratch.table(live));
        sqlx::Executor::execute(&mut *writer, create.as_str()).await?;
        Ok(Table {
            insert: insert(&scratch, columns, ROWS),
            scratch,
            columns,
            args: SqliteArguments::default(),
            rows: 0,
        })
    }

    /// Adds the next value of the current row.
    pub(super) fn add<T>(&mut self, value: T) -> Result<&mut Table, StoreError>
    where
        T: Encode<'static, Sqlite> + Type<Sqlite> + 'static,
    {
        self.args
            .add(value)
            .map_err(|e| StoreError::Malformed(format!("a rebuilt row: {e}")))?;
        Ok(self)
    }

    /// Ends the current row; a whole chunk is inserted.
    pub(super) async fn end_row(&mut self, c: &mut SqliteConnection) -> Result<(), StoreError> {
        self.rows += 1;
        if self.rows == ROWS {
            self.flush(c).await?;
        }
        Ok(())
    }

    /// Inserts the rows not yet inserted.
    pub(super) async fn flush(&mut self, c: &mut SqliteConnection) -> Result<(), StoreError> {
        let rows = std::mem::take(&mut self.rows);
        let args = std::mem::take(&mut self.args);
        if rows == ROWS {
            sqlx::query_with(&self.insert, args).execute(c).await?;
        } else if rows > 0 {
            // The last, shorter chunk: prepared once, not kept.
            let insert = insert(&self.scratch, self.columns, rows);
            sqlx::query_with(&insert, args)
                .persistent(false)
                .execute(c)
                .await?;
        }
        Ok(())
    }
}

/// The scratch tables of one pass: one per twin of the selected
/// projections.
pub(super) struct Scratch {
    pub views: Option<Table>,
    /// Written once, from the pass's tally (`rows::write_waiting`).
    pub waiting: Option<Table>,
    pub stats_requests: Option<Table>,
    pub durations: Option<Table>,
    /// The statistics written once, from the sums (`rows::write_statistics`,
    /// in `tables`' order).
    pub sums: Option<[Table; 5]>,
    pub directory: Option<Table>,
}

impl Scratch {
    /// Creates the scratch tables of `projections` on `writer`.
    pub(super) async fn create(
        writer: &mut SqliteConnection,
        projections: &[Projection],
    ) -> Result<Scratch, StoreError> {
        let mut scratch = Scratch {
            views: None,
            waiting: None,
            stats_requests: None,
            durations: None,
            sums: None,
            directory: None,
        };
        for projection in projections {
            let mut created = Vec::new();
            for (live, columns) in tables(*projection) {
                created.push(Table::create(writer, live, *columns).await?);
            }
            let mut tables = created.into_iter();
            match projection {
                Projection::Requests => {
                    scratch.views = tables.next();
                    scratch.waiting = tables.next();
                }
                Projection::Statistics => {
                    scratch.stats_requests = tables.next();
                    scratch.durations = tables.next();
                    let sums: Vec<Table> = tables.collect();
                    scratch.sums = sums.try_into().ok();
                }
                Projection::Libraries => scratch.directory = tables.next(),
            }
        }
        Ok(scratch)
    }

    /// Inserts every row not yet inserted.
    pub(super) async fn flush(&mut self, c: &mut SqliteConnection) -> Result<(), StoreError> {
        let Scratch {
            views,
            waiting,
            stats_requests,
            durations,
            sums,
            directory,
        } = self;
        for table in [views, waiting, stats_requests, durations, directory]
            .into_iter()
            .flatten()
            .chain(sums.iter_mut().flatten())
        {
            table.flush(c).await?;
        }
        Ok(())
    }
}
