//! `ill-replay as-of --queue` replays the streams of the queue's requests;
//! it answers exactly as a replay of the whole log (`--whole-log`), on both
//! backends: over a simulated network's history (declines, time-outs,
//! reroutes, cancellations, renewals) that is projected, and over requests
//! whose last events the projection has not reached yet.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use domain::testing::{place, services_with, staff, test_epoch, BOR, LENDERS};
use domain::{Action, ManualClock, UnfilledReason};
use serde_json::Value;
use simulation::{generate, Shape};
use store::testing::{fresh_url, run, Backend};
use store::{on_both_backends, Database, EventStore};
use uuid::Uuid;

use crate::common::{project, replay, stdout};

/// The queue as `--json` lines, by both methods; they must be the same text.
fn queue(url: &str, at: DateTime<Utc>, library: &str, side: &str) -> Vec<Value> {
    let at = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let args = ["as-of", &at, "--queue", library, "--side", side, "--json"];
    let streams = stdout(&replay(url, &args));
    let whole_log = stdout(&replay(url, &[&args[..], &["--whole-log"]].concat()));
    assert_eq!(
        streams, whole_log,
        "as-of {at} --queue {library} --side {side}"
    );
    streams
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(lines: &[Value]) -> Vec<&str> {
    lines.iter().map(|l| l["id"].as_str().unwrap()).collect()
}

/// R1 goes round its rota (L1, L2, L3 decline on days 1–3, so it is
/// unfilled), is rerouted to L2 on day 4 and shipped on day 5; R2 is
/// cancelled at L1 on day 1. A step each day at the epoch's hour. Projected
/// up to day 3, where both are ended; days 4 and 5 are not.
async fn moving_requests(url: &str) -> (Uuid, Uuid) {
    let store = EventStore::new(Database::connect(url).await.unwrap());
    let clock = Arc::new(ManualClock::new(test_epoch()));
    let services = services_with(clock.clone());
    let (r1, r2) = (Uuid::new_v4(), Uuid::new_v4());
    let decline = || Action::Decline {
        reason: UnfilledReason::NotOnShelf,
        note: None,
    };
    let days: [Vec<(Uuid, &str, Action)>; 6] = [
        vec![(r1, BOR, place(&LENDERS)), (r2, BOR, place(&LENDERS))],
        vec![
            (r1, "L1", decline()),
            (r2, BOR, Action::Cancel { note: None }),
        ],
        vec![(r1, "L2", decline())],
        vec![(r1, "L3", decline())],
        vec![(
            r1,
            BOR,
            Action::Reroute {
                lenders: vec![domain::LibraryId::from("L2").into()],
            },
        )],
        vec![(
            r1,
            "L2",
            Action::Ship {
                due_date: (test_epoch() + Duration::days(40)).date_naive(),
                note: None,
            },
        )],
    ];
    for (day, steps) in days.into_iter().enumerate() {
        if day == 4 {
            project(url).await;
        }
        for (id, library, action) in steps {
            run(&store, &services, id, staff(library), None, action)
                .await
                .unwrap();
        }
        clock.advance(Duration::days(1));
    }
    (r1, r2)
}

async fn queue_from_streams_equals_queue_from_whole_log(backend: Backend) {
    let url = fresh_url(backend).await;
    let shape = Shape {
        libraries: 8,
        requests: 160,
        start: test_epoch() - Duration::days(90),
        days: 60,
        seed: 18,
    };
    let generated = generate(&Database::connect(&url).await.unwrap(), &shape)
        .await
        .unwrap();
    project(&url).await;
    let (r1, r2) = moving_requests(&url).await;

    // The simulated network, from the stored views.
    let mut shown = 0;
    let mut lenders_of: Vec<BTreeSet<String>> = Vec::new();
    for days in [20, 45, 59] {
        let at = shape.start + Duration::days(days) + Duration::hours(7);
        let mut lenders = BTreeSet::new();
        for library in &generated.libraries {
            for side in ["borrowing", "lending"] {
                let lines = queue(&url, at, library.as_str(), side);
                shown += lines.len();
                if side == "lending" {
                    lenders.extend(ids(&lines).iter().map(|id| format!("{id} {library}")));
                }
            }
        }
        lenders_of.push(lenders);
    }
    assert!(
        shown > 50,
        "only {shown} queue rows: the history is too thin"
    );
    let moved = lenders_of[0].iter().any(|entry| {
        let (id, lender) = entry.split_once(' ').unwrap();
        lenders_of[1..].iter().flatten().any(|later| {
            let (later_id, later_lender) = later.split_once(' ').unwrap();
            later_id == id && later_lender != lender
        })
    });
    assert!(
        moved,
        "no request moved from one lender's queue to another's"
    );

    // Half a day after each step: R1 ended on day 3 as the views stand, and
    // is in queues again from day 4 on, by events the projection has not
    // applied.
    let at = |day: i64| test_epoch() + Duration::hours(day * 24 + 12);
    let (r1, r2) = (r1.to_string(), r2.to_string());
    let expected: [(i64, &str, &str, Vec<&str>); 10] = [
        (0, "L1", "lending", vec![&r1, &r2]),
        (0, BOR, "borrowing", vec![&r1, &r2]),
        (1, "L2", "lending", vec![&r1]),
        (1, "L1", "lending", vec![]),
        (2, "L3", "lending", vec![&r1]),
        (3, BOR, "borrowing", vec![]),
        (3, "L3", "lending", vec![]),
        (4, "L2", "lending", vec![&r1]),
        (4, BOR, "borrowing", vec![&r1]),
        (5, BOR, "borrowing", vec![&r1]),
    ];
    for (day, library, side, requests) in expected {
        let lines = queue(&url, at(day), library, side);
        let mut got = ids(&lines);
        got.sort_unstable();
        let mut want = requests.clone();
        want.sort_unstable();
        assert_eq!(got, want, "day {day}: {library} {side}");
    }
    for day in 0..6 {
        for library in ["L1", "L2", "L3"] {
            queue(&url, at(day), library, "lending");
        }
    }
}
on_both_backends!(queue_from_streams_equals_queue_from_whole_log);
