//! The demo network generator: the same seed gives the same events and the
//! same catalogue; the command path (every command through the event store,
//! decided again on the stored stream) accepts every generated command,
//! automatic rotas included, and stores exactly what the bulk path appends;
//! the network looks like one: fill rate,
//! turnaround, every status, no request overdue for an answer at the end.

use std::collections::{BTreeSet, HashMap};

use chrono::Duration;
use cqrs_es::Aggregate;
use domain::{Calendar, IllRequest, RequestEvent, RequestStatus, UnfilledReason};
use projections::queries;
use projections::{rebuild, Projector};
use serde_json::Value;
use simulation::{
    catalogue, generate, generate_from, network, Kind, Path, Shape, TITLES_PER_SHELF,
};
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, Database, Position};

/// Every event in global order, as comparable values: type, stream,
/// sequence, event type and version, payload, metadata.
async fn events(db: &Database) -> Vec<(String, String, i64, String, String, Value, Value)> {
    let mut all = Vec::new();
    let mut after = Position::START;
    loop {
        let batch = store::log::read_after(db, after, 5_000)
            .await
            .expect("read the log");
        let Some(last) = batch.last() else {
            return all;
        };
        after = last.position;
        all.extend(batch.into_iter().map(|e| {
            (
                e.aggregate_type,
                e.aggregate_id,
                e.sequence,
                e.event_type,
                e.event_version,
                e.payload,
                e.metadata,
            )
        }));
    }
}

fn small(seed: u64) -> Shape {
    Shape {
        libraries: 60,
        requests: 300,
        seed,
        ..Shape::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_events() {
    let (a, b, c) = (
        fresh_database(Backend::Sqlite).await,
        fresh_database(Backend::Sqlite).await,
        fresh_database(Backend::Sqlite).await,
    );
    let first = generate(&a, &small(7)).await.unwrap();
    let again = generate(&b, &small(7)).await.unwrap();
    let other = generate(&c, &small(8)).await.unwrap();
    assert_eq!(first, again);
    let events_a = events(&a).await;
    assert_eq!(events_a.len() as u64, first.events);
    assert_eq!(events_a, events(&b).await);
    assert_ne!(events_a, events(&c).await);
    assert_ne!(first.requests, other.requests);
    assert_eq!(network(&small(7)), network(&small(7)));
    assert_eq!(catalogue(&small(7)), catalogue(&small(7)));
    assert_ne!(catalogue(&small(7)), catalogue(&small(8)));
}

/// Each title has its own identifiers and at least three lending holders,
/// and the most wanted titles are held more widely than the least.
#[test]
fn the_catalogue_is_skewed_and_each_title_can_be_lent() {
    let shape = small(5);
    let lends: HashMap<_, _> = network(&shape)
        .into_iter()
        .map(|m| (m.id, m.lends))
        .collect();
    let catalogue = catalogue(&shape);
    assert_eq!(catalogue.titles.len(), 4 * TITLES_PER_SHELF);
    let oclc: BTreeSet<&str> = catalogue.titles.iter().map(|t| t.oclc.as_str()).collect();
    let isbn: BTreeSet<&str> = catalogue.titles.iter().map(|t| t.isbn.as_str()).collect();
    assert_eq!(oclc.len(), catalogue.titles.len());
    assert_eq!(isbn.len(), catalogue.titles.len());
    for title in &catalogue.titles {
        let lending = title.holders.iter().filter(|h| lends[*h]).count();
        assert!(lending >= 3, "{title:?}");
    }
    let held = |titles: &[simulation::Title]| {
        titles.iter().map(|t| t.holders.len()).sum::<usize>() as f64 / titles.len() as f64
    };
    let shelf = &catalogue.titles[..TITLES_PER_SHELF];
    let (most, least) = (held(&shelf[..50]), held(&shelf[TITLES_PER_SHELF - 50..]));
    assert!(most > 2.0 * least, "{most} {least}");
}

/// Every command through `EventStore::execute` (none refused: the store
/// decides each again on the stored stream), and the bulk path appends
/// exactly the same events in the same order.
async fn the_command_path_stores_what_the_bulk_path_appends(backend: Backend) {
    let shape = small(3);
    // With record ids, so that some rotas are automatic.
    let catalogue = catalogue(&shape).with_record_ids(|t| format!("ocolc:{}", t.oclc));
    let commands = fresh_database(backend).await;
    let bulk = fresh_database(backend).await;
    let through_commands = generate_from(&commands, &shape, Path::Commands, &catalogue)
        .await
        .expect("every generated command is accepted");
    let appended = generate_from(&bulk, &shape, Path::Bulk, &catalogue)
        .await
        .unwrap();
    assert_eq!(through_commands, appended);
    let stored = events(&commands).await;
    assert_eq!(stored.len() as u64, appended.events);
    assert_eq!(stored, events(&bulk).await);
    let automatic = stored
        .iter()
        .filter(|e| e.3 == "RequestPlaced" && e.4 == "1.1")
        .count();
    assert!(
        automatic > shape.requests / 5 && automatic < shape.requests,
        "{automatic} automatic placements"
    );

    // Every request's stream folds through the aggregate, version by version.
    let mut streams: HashMap<&str, IllRequest> = HashMap::new();
    for (kind, id, sequence, _, _, payload, _) in &stored {
        if kind != IllRequest::TYPE {
            continue;
        }
        let request = streams.entry(id.as_str()).or_default();
        assert_eq!(request.version + 1, *sequence as u64, "{id}");
        let event: RequestEvent = serde_json::from_value(payload.clone()).unwrap();
        request.apply(event);
    }
    assert_eq!(streams.len(), shape.requests);
    assert!(streams.values().all(|r| r.state.is_some()));

    let calendar = Calendar::default();
    Projector::new(bulk.clone(), calendar)
        .catch_up()
        .await
        .unwrap();
    let differences = rebuild::verify(&bulk, calendar, drop).await.unwrap();
    assert!(differences.is_empty(), "{differences:#?}");
}
on_both_backends!(the_command_path_stores_what_the_bulk_path_appends);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_looks_like_a_statewide_network() {
    let db = fresh_database(Backend::Sqlite).await;
    let shape = Shape {
        requests: 6_000,
        ..Shape::default()
    };
    let members = network(&shape);
    assert!((190..=210).contains(&members.len()));
    for kind in [Kind::Public, Kind::Academic, Kind::School, Kind::Special] {
        assert!(
            members.iter().filter(|m| m.kind == kind).count() >= 10,
            "{kind:?}"
        );
    }
    let borrow_only = members.iter().filter(|m| !m.lends).count();
    assert!((2..=10).contains(&borrow_only), "{borrow_only} borrow only");
    let suspended: Vec<_> = members.iter().filter_map(|m| m.suspended).collect();
    assert_eq!(suspended.len(), 2);
    assert!(suspended.iter().any(|(_, until)| until.is_some()));
    assert!(suspended.iter().any(|(_, until)| until.is_none()));

    let generated = generate(&db, &shape).await.unwrap();
    assert_eq!(generated.requests.len(), shape.requests);
    let statuses: BTreeSet<RequestStatus> = generated.statuses.keys().copied().collect();
    let all: BTreeSet<RequestStatus> = RequestStatus::ALL.into_iter().collect();
    assert_eq!(statuses, all, "every status: {:?}", generated.statuses);
    let calendar = Calendar::default();
    Projector::new(db.clone(), calendar)
        .catch_up()
        .await
        .unwrap();

    // No request waits for an answer that was due before the end: the
    // scheduler has nothing to time out when a server starts on it.
    let end = shape.end();
    let overdue = queries::unanswered(&db, end).await.unwrap();
    assert!(
        overdue.is_empty(),
        "{} requests wait past their answer",
        overdue.len()
    );
    let later = queries::unanswered(&db, end + Duration::days(6))
        .await
        .unwrap();
    assert!(!later.is_empty(), "some requests wait for answers");

    let from = shape.start.date_naive();
    let to = calendar.date_of(end);
    let stats = queries::statistics(&db, from, to, None).await.unwrap();
    let network = &stats.network;
    let fill_rate = network.fill_rate.unwrap();
    let turnaround = network.median_days_to_receive.unwrap();
    println!(
        "{} events; fill rate {fill_rate:.3}, median days to receive {turnaround:.2}; {:?}",
        generated.events, generated.statuses
    );
    assert!((0.75..=0.90).contains(&fill_rate), "fill rate {fill_rate}");
    assert!(
        (2.0..=10.0).contains(&turnaround),
        "turnaround {turnaround}"
    );
    assert_eq!(network.placed, shape.requests as i64);
    let reasons: BTreeSet<UnfilledReason> =
        stats.declined_by_reason.iter().map(|(r, _)| *r).collect();
    assert_eq!(reasons, UnfilledReason::ALL.into_iter().collect());
    let timed_out: i64 = stats.libraries.iter().map(|l| l.lending.timed_out).sum();
    assert!(timed_out > 0);

    // Seasonal: the summer months are quieter than the autumn term.
    let month = |m: &str| stats.monthly.iter().find(|s| s.month == m).unwrap().placed;
    assert!(month("2025-07") * 10 < month("2025-10") * 8);

    // Net borrowers stand out: some libraries borrow far more than they lend.
    let net_borrowers = stats
        .libraries
        .iter()
        .filter(|l| l.borrowing.filled >= 10 && l.lend_borrow_ratio.unwrap_or(0.0) < 0.3)
        .count();
    assert!(net_borrowers >= 5, "{net_borrowers} net borrowers");
    let net_lenders = stats
        .libraries
        .iter()
        .filter(|l| l.lend_borrow_ratio.is_some_and(|r| r > 2.0))
        .count();
    assert!(net_lenders >= 5, "{net_lenders} net lenders");
}

/// Histories cut at odd instants (a request due for an answer just before,
/// at or just after the end): every generated command is still accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_may_end_at_any_instant() {
    for k in 0..12u32 {
        // Busy: hundreds of requests routed a day, so some are due for an
        // answer within minutes of each end.
        let shape = Shape {
            libraries: 40,
            requests: 2_000,
            start: Shape::default().start + Duration::seconds(i64::from(k) * 5_839),
            days: 8 + k,
            seed: u64::from(k),
        };
        let db = fresh_database(Backend::Sqlite).await;
        generate(&db, &shape)
            .await
            .unwrap_or_else(|e| panic!("{shape:?}: {e}"));
    }
}
