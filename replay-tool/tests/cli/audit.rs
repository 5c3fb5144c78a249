//! `ill-replay audit` and `as-of`, as a coordinator runs them, on both backends.

use crate::common::{lifecycle, replay, stdout};
use chrono::{Duration, SecondsFormat};
use domain::testing::test_epoch;
use serde_json::Value;
use store::testing::{fresh_url, Backend};
use store::{on_both_backends, Database};
use uuid::Uuid;

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
    // An empty store: one that does not exist is refused before any request
    // is looked for (`missing_store`).
    Database::connect(&url).await.unwrap().close().await;
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

async fn as_of_shows_a_queue_as_it_stood(backend: Backend) {
    let url = fresh_url(backend).await;
    let id = lifecycle(&url).await.to_string();
    let at = |hours: i64| {
        (test_epoch() + Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let queue = |when: String, library: &str, side: &str| {
        let out = stdout(&replay(
            &url,
            &["as-of", &when, "--queue", library, "--side", side, "--json"],
        ));
        out.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    // Half a day in: waiting at L1.
    assert_eq!(queue(at(12), "L1", "lending"), [id.as_str()]);
    assert!(queue(at(12), "L2", "lending").is_empty());
    // A day and a half in: L1 declined, L2 asked.
    assert!(queue(at(36), "L1", "lending").is_empty());
    assert_eq!(queue(at(36), "L2", "lending"), [id.as_str()]);
    assert_eq!(queue(at(36), "BOR", "borrowing"), [id.as_str()]);
    // After the check-in it has left every queue; before it was placed, too.
    assert!(queue(at(8 * 24), "BOR", "borrowing").is_empty());
    assert!(queue(at(-1), "BOR", "borrowing").is_empty());
}
on_both_backends!(as_of_shows_a_queue_as_it_stood);
