//! Patron data and notes outside the event log: kept while needed, purged
//! some days after their request ended and when it never appeared, never
//! touched by rebuild.

use crate::world::{id, staff, World};
use chrono::{Duration, Utc};
use domain::testing::{BOR, L1};
use domain::{Action, PatronInput, ServiceType};
use projections::{rebuild, Projector};
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, vault};
use uuid::Uuid;

fn patron(barcode: &str) -> PatronInput {
    PatronInput {
        barcode: barcode.into(),
        name: Some("Ada Reader".into()),
        email: Some("ada@example.org".into()),
    }
}

async fn saves_reads_and_purges(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    // Business time here is wall time: saves are stamped with the latter.
    world.clock.set(Utc::now());
    let (bor, l1) = (id(BOR), id(L1));

    // One request ends now, one stays open, one never appears.
    let ended = world.place(&bor, vec![l1.clone()], ServiceType::Loan).await;
    world
        .act(ended, staff(&bor), Action::Cancel { note: None })
        .await
        .unwrap();
    let open = world.place(&bor, vec![l1.clone()], ServiceType::Loan).await;
    let never = Uuid::new_v4();
    let ended_at = world.now();
    let (ended_patron, open_patron, never_patron) =
        (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for (patron_ref, request) in [
        (ended_patron, ended),
        (open_patron, open),
        (never_patron, never),
    ] {
        vault::save_patron(&db, patron_ref, request, &patron("21000"))
            .await
            .unwrap();
        vault::save_note(&db, patron_ref, request, "call Ada")
            .await
            .unwrap();
    }
    // The first save stands; a repeated note id is one note.
    vault::save_patron(&db, open_patron, open, &patron("99999"))
        .await
        .unwrap();
    vault::save_note(&db, open_patron, open, "other text")
        .await
        .unwrap();
    assert_eq!(
        vault::patron(&db, open_patron).await.unwrap(),
        Some(patron("21000"))
    );
    let notes = vault::notes(&db, open).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[&open_patron], "call Ada");
    assert_eq!(vault::patron(&db, Uuid::new_v4()).await.unwrap(), None);

    Projector::new(db.clone(), world.calendar)
        .catch_up()
        .await
        .unwrap();
    // Rebuilding the projections leaves the vault alone.
    rebuild::rebuild(&db, world.calendar, None).await.unwrap();
    assert!(vault::patron(&db, ended_patron).await.unwrap().is_some());

    // Just saved: the unseen request may still be on its way.
    let nothing = vault::purge(&db, Utc::now(), vault::DEFAULT_KEEP_DAYS)
        .await
        .unwrap();
    assert_eq!(nothing, vault::PurgeCounts::default());

    // 89 days after the end: only the orphan goes.
    let early = vault::purge(&db, ended_at + Duration::days(89), 90)
        .await
        .unwrap();
    assert_eq!(
        early,
        vault::PurgeCounts {
            patrons: 1,
            notes: 1
        }
    );
    assert_eq!(vault::patron(&db, never_patron).await.unwrap(), None);
    assert!(vault::notes(&db, never).await.unwrap().is_empty());
    assert!(vault::patron(&db, ended_patron).await.unwrap().is_some());

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
    assert_eq!(vault::patron(&db, ended_patron).await.unwrap(), None);
    assert!(vault::notes(&db, ended).await.unwrap().is_empty());
    assert!(vault::patron(&db, open_patron).await.unwrap().is_some());
    assert_eq!(vault::notes(&db, open).await.unwrap().len(), 1);
}
on_both_backends!(saves_reads_and_purges);
