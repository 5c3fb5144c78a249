//! A command's vault rows (patron, note) share its append's commit: written
//! when its events are, never when it is refused, appends nothing, or its
//! append fails.

use domain::testing::{add_note, place, services, staff, BOR, LENDERS};
use domain::{Action, IllRequest};
use store::testing::{fresh_database, run, Backend};
use store::{on_both_backends, vault, CommandError, Database, EventStore};
use uuid::Uuid;

fn note_id(action: &Action) -> Uuid {
    action.note().expect("an action with a note").id
}

async fn written_with_the_events(backend: Backend) {
    let db = fresh_database(backend).await;
    let store = EventStore::new(db.clone());
    let services = services();
    let id = Uuid::new_v4();
    let placed = run(&store, &services, id, staff(BOR), None, place(&LENDERS))
        .await
        .unwrap();
    let patron_ref = placed.aggregate.state.as_ref().unwrap().patron_ref;
    assert!(vault::patron(&db, patron_ref).await.unwrap().is_some());
    let note = add_note();
    run(&store, &services, id, staff(BOR), None, note.clone())
        .await
        .unwrap();
    assert_eq!(
        vault::notes(&db, id).await.unwrap()[&note_id(&note)],
        "call the patron"
    );

    // Refused (a stale version): nothing appended, no note kept.
    let refused = add_note();
    let stale = run(&store, &services, id, staff(BOR), Some(1), refused.clone()).await;
    assert!(
        matches!(stale, Err(CommandError::Domain(_))),
        "{:?}",
        stale.err()
    );
    assert!(!vault::notes(&db, id)
        .await
        .unwrap()
        .contains_key(&note_id(&refused)));
}
on_both_backends!(written_with_the_events);

/// Makes every append to stream `id` fail inside the database, after the
/// command was decided.
async fn refuse_appends_to(db: &Database, id: Uuid) {
    match db {
        Database::Postgres(pool) => {
            let function = format!(
                "CREATE FUNCTION refuse_append() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.aggregate_id = '{id}' THEN RAISE EXCEPTION 'refused'; END IF; \
                 RETURN NEW; END; $$"
            );
            sqlx::query(&function).execute(pool).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_append BEFORE INSERT ON events \
                 FOR EACH ROW EXECUTE FUNCTION refuse_append()",
            )
            .execute(pool)
            .await
            .unwrap();
        }
        Database::Sqlite(pool) => {
            let trigger = format!(
                "CREATE TRIGGER refuse_append BEFORE INSERT ON events \
                 WHEN NEW.aggregate_id = '{id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            );
            sqlx::query(&trigger).execute(pool).await.unwrap();
        }
    }
}

async fn a_failed_append_leaves_none(backend: Backend) {
    let db = fresh_database(backend).await;
    let store = EventStore::new(db.clone());
    let services = services();
    let id = Uuid::new_v4();
    refuse_appends_to(&db, id).await;
    let Action::Place(placing) = place(&LENDERS) else {
        unreachable!()
    };
    let failed = run(
        &store,
        &services,
        id,
        staff(BOR),
        None,
        Action::Place(placing.clone()),
    )
    .await;
    assert!(
        matches!(failed, Err(CommandError::Store(_))),
        "{:?}",
        failed.err()
    );
    assert_eq!(vault::patron(&db, placing.patron_ref).await.unwrap(), None);
    let history = store.history::<IllRequest>(&id.to_string()).await.unwrap();
    assert!(history.is_empty());
}
on_both_backends!(a_failed_append_leaves_none);
