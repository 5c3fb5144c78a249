//! `ill-replay` as a coordinator runs it, against stores of both backends.

use std::process::{Command, Output};
use std::sync::Arc;

use chrono::{Duration, SecondsFormat};
use domain::{Action, ManualClock, UnfilledReason};
use projections::testing::{
    fresh_url, place, run, services_with, staff, test_epoch, Backend, BORROWER,
};
use projections::{on_both_backends, Database, EventStore};
use serde_json::Value;
use uuid::Uuid;

fn replay(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ill-replay"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .output()
        .expect("run ill-replay")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "ill-replay failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// A LOAN taken through its whole life, a day between steps; its id.
async fn lifecycle(url: &str) -> Uuid {
    let store = EventStore::new(Database::connect(url).await.unwrap());
    let clock = Arc::new(ManualClock::new(test_epoch()));
    let services = services_with(clock.clone());
    let id = Uuid::new_v4();
    let due = (test_epoch() + Duration::days(40)).date_naive();
    let steps = [
        (BORROWER, place()),
        (
            "L1",
            Action::Decline {
                reason: UnfilledReason::NotOnShelf,
                note: None,
            },
        ),
        (
            "L2",
            Action::Ship {
                due_date: due,
                note: None,
            },
        ),
        (BORROWER, Action::Receive),
        (BORROWER, Action::CheckOutToPatron),
        (BORROWER, Action::ReturnFromPatron),
        (BORROWER, Action::ShipReturn),
        ("L2", Action::CheckIn),
    ];
    for (library, action) in steps {
        run(&store, &services, id, staff(library), None, action)
            .await
            .unwrap();
        clock.advance(Duration::days(1));
    }
    id
}

/// The status after each event of `lifecycle`.
const STATUSES_AFTER: [&str; 10] = [
    "REQUESTED",
    "REQUESTED", // placed, routed to L1
    "REQUESTED",
    "REQUESTED", // L1 declined, routed to L2
    "SHIPPED",
    "RECEIVED",
    "CHECKED_OUT",
    "RETURNED_BY_PATRON",
    "RETURN_SHIPPED",
    "COMPLETED",
];

async fn audit_lists_every_event(backend: Backend) {
    let url = fresh_url(backend).await;
    let id = lifecycle(&url).await;

    let lines: Vec<Value> = stdout(&replay(&url, &["audit", &id.to_string(), "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "RequestPlaced",
            "RequestRouted",
            "LenderDeclined",
            "RequestRouted",
            "ItemShipped",
            "ItemReceived",
            "CheckedOutToPatron",
            "ReturnedByPatron",
            "ReturnShipped",
            "ItemCheckedIn"
        ]
    );
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l["status_after"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, STATUSES_AFTER);
    assert_eq!(lines[2]["actor"], "L1-staff");
    assert_eq!(lines[2]["data"]["reason"], "NOT_ON_SHELF");
    assert_eq!(lines[4]["lender_after"], "L2");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["sequence"], i + 1);
    }

    let table = stdout(&replay(&url, &["audit", &id.to_string()]));
    assert_eq!(
        table.lines().count(),
        11,
        "a header and a row per event:\n{table}"
    );
    assert!(table.contains("ItemCheckedIn") && table.contains("COMPLETED"));
}
on_both_backends!(audit_lists_every_event);

async fn as_of_replays_only_earlier_events(backend: Backend) {
    let url = fresh_url(backend).await;
    let id = lifecycle(&url).await;
    let id_text = id.to_string();
    // Step k happened at epoch + k days; half a day later only steps 0..=k count.
    let expectations = [
        (0, "REQUESTED", Some("L1")),
        (1, "REQUESTED", Some("L2")),
        (2, "SHIPPED", Some("L2")),
        (4, "CHECKED_OUT", Some("L2")),
        (7, "COMPLETED", Some("L2")),
    ];
    for (day, status, lender) in expectations {
        let at = (test_epoch() + Duration::hours(day * 24 + 12))
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        let out = stdout(&replay(
            &url,
            &["as-of", &at, "--request", &id_text, "--json"],
        ));
        let state: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(state["status"], status, "as of {at}");
        assert_eq!(state["lender"].as_str(), lender, "as of {at}");
    }
    let before = (test_epoch() - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let out = stdout(&replay(
        &url,
        &["as-of", &before, "--request", &id_text, "--json"],
    ));
    assert_eq!(
        serde_json::from_str::<Value>(out.trim()).unwrap()["exists"],
        false
    );
}
on_both_backends!(as_of_replays_only_earlier_events);

#[tokio::test]
async fn bad_input_exits_2_and_an_unreachable_store_exits_3() {
    let url = fresh_url(Backend::Sqlite).await;
    assert_eq!(
        replay(&url, &["audit", "not-a-uuid"]).status.code(),
        Some(2)
    );
    assert_eq!(
        replay(&url, &["audit", &Uuid::new_v4().to_string()])
            .status
            .code(),
        Some(2)
    );
    let id = Uuid::new_v4().to_string();
    assert_eq!(
        replay(&url, &["as-of", "yesterday", "--request", &id])
            .status
            .code(),
        Some(2)
    );
    let unreachable = "postgres://postgres@127.0.0.1:1/none";
    assert_eq!(replay(unreachable, &["audit", &id]).status.code(), Some(3));
}

/// SQLite → PostgreSQL and back: the exports are byte-identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_across_backends_is_lossless() {
    let sqlite = fresh_url(Backend::Sqlite).await;
    for _ in 0..3 {
        lifecycle(&sqlite).await;
    }
    let dir = std::env::temp_dir().join("ill-tests");
    let first = dir.join(format!("{}.ndjson", Uuid::new_v4()));
    let second = dir.join(format!("{}.ndjson", Uuid::new_v4()));
    stdout(&replay(
        &sqlite,
        &["export", "--out", first.to_str().unwrap()],
    ));

    let postgres = fresh_url(Backend::Postgres).await;
    let imported = stdout(&replay(&postgres, &["import", first.to_str().unwrap()]));
    assert!(imported.contains("imported 30 events"), "{imported}");
    stdout(&replay(
        &postgres,
        &["export", "--out", second.to_str().unwrap()],
    ));
    let (a, b) = (
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
    );
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the exports differ");
    assert_eq!(String::from_utf8(a).unwrap().lines().count(), 30);

    // A store with events refuses an import.
    assert_eq!(
        replay(&postgres, &["import", first.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}
