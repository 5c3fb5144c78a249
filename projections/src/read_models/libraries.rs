//! Projection "libraries": the directory, folded by the `Library` aggregate's
//! own `apply`.

use std::collections::{hash_map, HashMap};
use std::sync::LazyLock;

use cqrs_es::Aggregate;
use domain::library::LibraryRecord;
use domain::{Library, LibraryEvent, LibraryId};

use super::{is_new, payload, Target};
use crate::changes::Change;
use store::backend::{on_tx, Tx};
use store::log::StoredEvent;
use store::StoreError;

/// The directory's statements, for the live table or its rebuild twin.
struct Statements {
    load: String,
    upsert: String,
}

impl Statements {
    fn new(target: Target) -> Statements {
        let directory = target.table("library_directory");
        let expand = |text: &str| text.replace("{directory}", &directory);
        Statements {
            load: expand(include_str!("sql/libraries/load.sql")),
            upsert: expand(include_str!("sql/libraries/upsert.sql")),
        }
    }

    fn of(target: Target) -> &'static Statements {
        match target {
            Target::Live => &LIVE,
            Target::Scratch => &SCRATCH,
        }
    }
}

static LIVE: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Live));
static SCRATCH: LazyLock<Statements> = LazyLock::new(|| Statements::new(Target::Scratch));

struct Loaded {
    version: i64,
    library: Library,
    changed: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    version: i64,
    name: String,
    lends: bool,
    suspended: bool,
}

/// Applies one event of a library's stream to it (at `version`); whether it
/// was new. The projection's one implementation, for the incremental
/// projector and the bulk rebuild alike.
pub(crate) fn fold(
    library: &mut Library,
    version: &mut i64,
    stored: &StoredEvent,
) -> Result<bool, StoreError> {
    let id = &stored.aggregate_id;
    if !is_new(&format_args!("library {id}"), *version, stored.sequence)? {
        return Ok(false);
    }
    library.apply(payload::<LibraryEvent>(stored)?);
    *version = stored.sequence;
    Ok(true)
}

/// The directory row of a library after its events.
pub(crate) fn record<'a>(id: &str, library: &'a Library) -> Result<&'a LibraryRecord, StoreError> {
    library.registered.as_ref().ok_or_else(|| {
        StoreError::Malformed(format!(
            "library {id} does not begin with LibraryRegistered"
        ))
    })
}

pub(super) async fn apply(
    tx: &mut Tx<'_>,
    target: Target,
    events: &[StoredEvent],
) -> Result<Vec<Change>, StoreError> {
    let sql = Statements::of(target);
    let mut libraries: HashMap<LibraryId, Loaded> = HashMap::new();
    let mut touched = Vec::new();
    for stored in events {
        if stored.aggregate_type != Library::TYPE {
            continue;
        }
        let id = LibraryId::from(stored.aggregate_id.as_str());
        let loaded = match libraries.entry(id.clone()) {
            hash_map::Entry::Occupied(known) => known.into_mut(),
            hash_map::Entry::Vacant(new) => {
                let row: Option<Row> = on_tx!(tx, c => sqlx::query_as(&sql.load)
                    .bind(id.as_str())
                    .fetch_optional(&mut **c)
                    .await)?;
                touched.push(id.clone());
                new.insert(Loaded {
                    version: row.as_ref().map_or(0, |r| r.version),
                    library: Library {
                        registered: row.map(|r| LibraryRecord {
                            id: LibraryId::from(r.id),
                            name: r.name,
                            lends: r.lends,
                            suspended: r.suspended,
                            closures: Vec::new(),
                        }),
                    },
                    changed: false,
                })
            }
        };
        loaded.changed |= fold(&mut loaded.library, &mut loaded.version, stored)?;
    }

    let mut changes = Vec::new();
    for id in touched {
        let Some(loaded) = libraries.get(&id).filter(|l| l.changed) else {
            continue;
        };
        let record = record(id.as_str(), &loaded.library)?;
        on_tx!(tx, c => sqlx::query(&sql.upsert)
            .bind(record.id.as_str())
            .bind(loaded.version)
            .bind(&record.name)
            .bind(record.lends)
            .bind(record.suspended)
            .execute(&mut **c)
            .await
            .map(drop))?;
        if target == Target::Live {
            changes.push(Change::Library(id));
        }
    }
    Ok(changes)
}
