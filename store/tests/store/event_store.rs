//! The event store on both backends: append and reload, concurrent writers,
//! a stream cached by one process and appended to by another.

use std::sync::Arc;

use domain::testing::{add_note, place, services, staff, BOR, LENDERS};
use domain::{DomainError, IllRequest, RequestEvent, RequestStatus};
use store::testing::run;
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, CommandError, EventStore};
use uuid::Uuid;

async fn append_and_reload(backend: Backend) {
    let store = EventStore::new(fresh_database(backend).await);
    let services = services();
    let id = Uuid::new_v4();
    let placed = run(&store, &services, id, staff(BOR), None, place(&LENDERS))
        .await
        .expect("place");
    assert_eq!(placed.appended, 2, "RequestPlaced and RequestRouted");
    let supplied = run(
        &store,
        &services,
        id,
        staff(LENDERS[0]),
        Some(2),
        domain::Action::WillSupply { note: None },
    )
    .await
    .expect("will supply");
    assert_eq!(supplied.aggregate.version, 3);

    let history = store.history::<IllRequest>(&id.to_string()).await.unwrap();
    let sequences: Vec<usize> = history.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3]);
    assert!(matches!(
        history[0].payload,
        RequestEvent::RequestPlaced { .. }
    ));
    assert!(matches!(
        history[2].payload,
        RequestEvent::LenderWillSupply { .. }
    ));
    assert_eq!(history[2].metadata["actor"], "L1-staff");
    assert_eq!(history[2].metadata["library"], "L1");
    let reloaded = IllRequest::replay(history.into_iter().map(|e| e.payload));
    assert_eq!(reloaded, supplied.aggregate);
    assert_eq!(reloaded.state.unwrap().status, RequestStatus::WillSupply);
}
on_both_backends!(append_and_reload);

/// 32 writers holding the same version: one wins, the others are told the
/// request changed, and the stream has each sequence number exactly once.
async fn concurrent_commands_on_one_request(backend: Backend) {
    let store = Arc::new(EventStore::new(fresh_database(backend).await));
    let services = services();
    let id = Uuid::new_v4();
    run(&store, &services, id, staff(BOR), None, place(&LENDERS))
        .await
        .unwrap();

    let writers = (0..32).map(|_| {
        let (store, services) = (store.clone(), services.clone());
        tokio::spawn(
            async move { run(&store, &services, id, staff(BOR), Some(2), add_note()).await },
        )
    });
    let results = futures::future::join_all(writers).await;
    let mut won = 0;
    for result in results {
        match result.unwrap() {
            Ok(_) => won += 1,
            Err(CommandError::Domain(DomainError::Conflict(_))) | Err(CommandError::Contended) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(won, 1);

    let history = store.history::<IllRequest>(&id.to_string()).await.unwrap();
    let sequences: Vec<usize> = history.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3]);
}
on_both_backends!(concurrent_commands_on_one_request);

/// Writers without a version retry on the newer state: every acknowledged
/// note is stored exactly once, every refused one not at all.
async fn concurrent_unversioned_commands(backend: Backend) {
    let store = Arc::new(EventStore::new(fresh_database(backend).await));
    let services = services();
    let id = Uuid::new_v4();
    run(&store, &services, id, staff(BOR), None, place(&LENDERS))
        .await
        .unwrap();

    let writers = (0..32).map(|_| {
        let (store, services) = (store.clone(), services.clone());
        tokio::spawn(async move {
            let action = add_note();
            let domain::Action::AddNote { note: n } = &action else {
                unreachable!()
            };
            let note_id = n.id;
            (
                note_id,
                run(&store, &services, id, staff(BOR), None, action).await,
            )
        })
    });
    let mut acknowledged = Vec::new();
    for result in futures::future::join_all(writers).await {
        match result.unwrap() {
            (note_id, Ok(_)) => acknowledged.push(note_id),
            (_, Err(CommandError::Contended)) => {}
            (_, Err(other)) => panic!("unexpected error: {other}"),
        }
    }
    assert!(!acknowledged.is_empty());

    let history = store.history::<IllRequest>(&id.to_string()).await.unwrap();
    let sequences: Vec<usize> = history.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=history.len()).collect::<Vec<_>>());
    let mut stored: Vec<Uuid> = history
        .iter()
        .filter_map(|e| match e.payload {
            RequestEvent::NoteAdded { note_id } => Some(note_id),
            _ => None,
        })
        .collect();
    stored.sort();
    acknowledged.sort();
    assert_eq!(stored, acknowledged);
}
on_both_backends!(concurrent_unversioned_commands);

/// Two processes on one store, each keeping the streams it appended to:
/// a command on a stream the other appended to since is decided on the
/// stream as stored, whether the cached one would have let it through (the
/// append then conflicts) or refused it (a version only the store has).
async fn a_stream_another_process_appended_to(backend: Backend) {
    let database = fresh_database(backend).await;
    let here = EventStore::new(database.clone());
    let there = EventStore::new(database);
    let services = services();
    let id = Uuid::new_v4();
    run(&here, &services, id, staff(BOR), None, place(&LENDERS))
        .await
        .unwrap();
    let will_supply = domain::Action::WillSupply { note: None };
    run(
        &there,
        &services,
        id,
        staff(LENDERS[0]),
        Some(2),
        will_supply,
    )
    .await
    .unwrap();

    // Here still holds version 2: its note must land after the lender's answer.
    let noted = run(&here, &services, id, staff(BOR), None, add_note())
        .await
        .unwrap();
    let sequences: Vec<usize> = noted.history.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4]);
    assert_eq!(noted.aggregate.version, 4);
    assert_eq!(
        noted.aggregate.state.as_ref().unwrap().status,
        RequestStatus::WillSupply
    );

    // There holds version 3, here version 4: each is asked for the version
    // the store has, which its cache does not know.
    run(
        &there,
        &services,
        id,
        staff(LENDERS[0]),
        Some(4),
        add_note(),
    )
    .await
    .expect("decided on the stored version 4");
    let last = run(&here, &services, id, staff(BOR), Some(5), add_note())
        .await
        .expect("decided on the stored version 5");
    assert_eq!(last.aggregate.version, 6);

    // A version neither has is still refused, and nothing is stored.
    let stale = run(&here, &services, id, staff(BOR), Some(4), add_note()).await;
    assert!(matches!(
        stale,
        Err(CommandError::Domain(DomainError::Conflict(_)))
    ));
    let history = here.history::<IllRequest>(&id.to_string()).await.unwrap();
    let sequences: Vec<usize> = history.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6]);
    let reloaded = IllRequest::replay(history.into_iter().map(|e| e.payload));
    assert_eq!(reloaded, last.aggregate);
}
on_both_backends!(a_stream_another_process_appended_to);
