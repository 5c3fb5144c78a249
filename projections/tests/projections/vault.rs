//! Patron data and notes outside the event log: kept while needed, purged
//! some days after their request ended, never touched by rebuild.

use crate::world::{id, staff, World};
use chrono::{Duration, Utc};
use domain::testing::{BOR, L1};
use domain::{Action, IllRequest, Note, ServiceType};
use projections::{rebuild, Projector};
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, vault, Database};
use uuid::Uuid;

/// The patron reference a request was placed with.
fn patron_ref_of(world: &World, request: Uuid) -> Uuid {
    let (_, aggregate) = world
        .requests
        .iter()
        .find(|(known, _)| *known == request)
        .expect("a placed request");
    aggregate.state.as_ref().expect("placed").patron_ref
}

async fn has_patron(db: &Database, patron_ref: Uuid) -> bool {
    vault::patron(db, patron_ref).await.unwrap().is_some()
}

async fn saves_reads_and_purges(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    // Business time here is wall time: saves are stamped with the latter.
    world.clock.set(Utc::now());
    let (bor, l1) = (id(BOR), id(L1));

    // One request ends now, one stays open; each has a note.
    let ended = world.place(&bor, vec![l1.clone()], ServiceType::Loan).await;
    let open = world.place(&bor, vec![l1.clone()], ServiceType::Loan).await;
    for request in [ended, open] {
        let note = Note {
            id: Uuid::new_v4(),
            text: "call Ada".into(),
        };
        world
            .act(request, staff(&bor), Action::AddNote { note })
            .await
            .unwrap();
    }
    world
        .act(ended, staff(&bor), Action::Cancel { note: None })
        .await
        .unwrap();
    let ended_at = world.now();
    let (ended_patron, open_patron) = (patron_ref_of(&world, ended), patron_ref_of(&world, open));
    assert_eq!(
        vault::patron(&db, open_patron)
            .await
            .unwrap()
            .unwrap()
            .barcode,
        "2100012345"
    );
    let notes = vault::notes(&db, open).await.unwrap();
    assert_eq!(notes.values().collect::<Vec<_>>(), ["call Ada"]);
    assert_eq!(vault::patron(&db, Uuid::new_v4()).await.unwrap(), None);

    Projector::new(db.clone(), world.calendar)
        .catch_up()
        .await
        .unwrap();
    // Rebuilding the projections leaves the vault alone.
    rebuild::rebuild(&db, world.calendar, None).await.unwrap();
    assert!(has_patron(&db, ended_patron).await);

    // 89 days after the end: nothing goes.
    let early = vault::purge(&db, ended_at + Duration::days(89), 90)
        .await
        .unwrap();
    assert_eq!(early, vault::PurgeCounts::default());
    assert!(has_patron(&db, ended_patron).await);

    // 91 days after the end: the ended request's data goes, the open one's stays.
    let purged = vault::purge(&db, ended_at + Duration::days(91), 90)
        .await
        .unwrap();
    assert_eq!(
        purged,
        vault::PurgeCounts {
            patrons: 1,
            notes: 1
        }
    );
    assert!(!has_patron(&db, ended_patron).await);
    assert!(vault::notes(&db, ended).await.unwrap().is_empty());
    assert!(has_patron(&db, open_patron).await);
    assert_eq!(vault::notes(&db, open).await.unwrap().len(), 1);
    let history = world
        .store
        .history::<IllRequest>(&open.to_string())
        .await
        .unwrap();
    assert!(!history.is_empty(), "the log itself is never purged");
}
on_both_backends!(saves_reads_and_purges);
