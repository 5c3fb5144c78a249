//! The stored shape of every event.
//!
//! Each event type has a fixed example whose serialization is kept in
//! `tests/state_machine/golden/<EventType>.json` (pretty JSON and a trailing
//! newline); an event type whose shape grew in "1.1" keeps its "1.0" file
//! and adds `<EventType>.1.1.json`. The test fails on any difference, on a missing file and on a
//! file no event type claims, so a stored event's shape cannot change by
//! accident. After a deliberate change (which needs a new `event_version`
//! and an upcaster), regenerate the files with
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p domain --test state_machine golden
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};
use cqrs_es::DomainEvent;
use domain::{
    Closure, CopyrightCompliance, IllRequest, Item, LibraryEvent, LibraryId, LoanCondition,
    RequestEvent, RotaEntry, ServiceType, Side, SkipReason, UnfilledReason,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/state_machine/golden")
}

fn updating() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1")
}

fn lib(symbol: &str) -> LibraryId {
    LibraryId::from(symbol)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn note_id() -> Uuid {
    Uuid::parse_str("0b7c7f4e-2f1a-4c55-9a43-5d2e8c1f0a61").unwrap()
}

// ---------------------------------------------------------------------------
// The examples, one per variant
// ---------------------------------------------------------------------------

/// The variant's name, by an exhaustive match: a new variant does not
/// compile until it is named here and given an example below.
fn request_variant(event: &RequestEvent) -> &'static str {
    use RequestEvent as E;
    match event {
        E::RequestPlaced { .. } => "RequestPlaced",
        E::LenderSkipped { .. } => "LenderSkipped",
        E::RequestRouted { .. } => "RequestRouted",
        E::RequestUnfilled {} => "RequestUnfilled",
        E::LenderWillSupply { .. } => "LenderWillSupply",
        E::ConditionsProposed { .. } => "ConditionsProposed",
        E::ConditionsAccepted {} => "ConditionsAccepted",
        E::ConditionsRejected { .. } => "ConditionsRejected",
        E::LenderDeclined { .. } => "LenderDeclined",
        E::LenderTimedOut { .. } => "LenderTimedOut",
        E::ItemShipped { .. } => "ItemShipped",
        E::CopyDelivered { .. } => "CopyDelivered",
        E::ItemReceived {} => "ItemReceived",
        E::CheckedOutToPatron {} => "CheckedOutToPatron",
        E::ReturnedByPatron {} => "ReturnedByPatron",
        E::ReturnShipped {} => "ReturnShipped",
        E::ItemCheckedIn { .. } => "ItemCheckedIn",
        E::RenewalRequested { .. } => "RenewalRequested",
        E::RenewalGranted { .. } => "RenewalGranted",
        E::RenewalDenied {} => "RenewalDenied",
        E::ItemRecalled { .. } => "ItemRecalled",
        E::CancelRequested { .. } => "CancelRequested",
        E::CancelRefused {} => "CancelRefused",
        E::RequestCancelled {} => "RequestCancelled",
        E::ItemDeclaredLost { .. } => "ItemDeclaredLost",
        E::Rerouted { .. } => "Rerouted",
        E::NoteAdded { .. } => "NoteAdded",
        E::RequestExpired {} => "RequestExpired",
        E::NeededByChanged { .. } => "NeededByChanged",
    }
}

fn library_variant(event: &LibraryEvent) -> &'static str {
    match event {
        LibraryEvent::LibraryRegistered { .. } => "LibraryRegistered",
        LibraryEvent::LibraryUpdated { .. } => "LibraryUpdated",
        LibraryEvent::LendingSuspended {} => "LendingSuspended",
        LibraryEvent::LendingResumed {} => "LendingResumed",
        LibraryEvent::ClosuresSet { .. } => "ClosuresSet",
    }
}

/// DESIGN.md's event catalogue, in its order, then the "1.1" events.
const REQUEST_CATALOGUE: [&str; 29] = [
    "RequestPlaced",
    "LenderSkipped",
    "RequestRouted",
    "RequestUnfilled",
    "LenderWillSupply",
    "ConditionsProposed",
    "ConditionsAccepted",
    "ConditionsRejected",
    "LenderDeclined",
    "LenderTimedOut",
    "ItemShipped",
    "CopyDelivered",
    "ItemReceived",
    "CheckedOutToPatron",
    "ReturnedByPatron",
    "ReturnShipped",
    "ItemCheckedIn",
    "RenewalRequested",
    "RenewalGranted",
    "RenewalDenied",
    "ItemRecalled",
    "CancelRequested",
    "CancelRefused",
    "RequestCancelled",
    "ItemDeclaredLost",
    "Rerouted",
    "NoteAdded",
    "RequestExpired",
    "NeededByChanged",
];

const LIBRARY_CATALOGUE: [&str; 5] = [
    "LibraryRegistered",
    "LibraryUpdated",
    "LendingSuspended",
    "LendingResumed",
    "ClosuresSet",
];

/// The events of the next wave, written as "1.1"; the others stay "1.0".
const VERSION_1_1: [&str; 3] = ["RequestExpired", "NeededByChanged", "ClosuresSet"];

/// One example of every request event, every optional field filled so that
/// its name is pinned too.
fn request_examples() -> Vec<RequestEvent> {
    use RequestEvent as E;
    let respond_by = Utc.with_ymd_and_hms(2024, 3, 9, 14, 5, 30).unwrap();
    vec![
        E::RequestPlaced {
            borrower: lib("CT-HFD"),
            service_type: ServiceType::Loan,
            item: Item {
                title: "The Name of the Rose".into(),
                author: Some("Umberto Eco".into()),
                isbn: Some("9780156001311".into()),
                issn: Some("0000-0000".into()),
                oclc_number: Some("8345123".into()),
                publisher: Some("Harcourt".into()),
                year: Some("1983".into()),
                edition: Some("1st".into()),
                article_title: Some("Prologue".into()),
                pages: Some("1-12".into()),
                catalog_record_id: Some("b1234567".into()),
                // The "1.0" shape; the "1.1" fields are pinned by
                // `a_copy_placed_carries_compliance_and_a_1_0_placement_still_decodes`.
                copyright_compliance: None,
                publication_year: None,
            },
            rota: vec![lib("CT-NHV").into(), lib("CT-BPT").into()],
            needed_by: Some(date(2024, 4, 1)),
            patron_ref: Uuid::parse_str("6f1e2d3c-4b5a-4000-8000-00000000beef").unwrap(),
            note_id: Some(note_id()),
        },
        E::LenderSkipped {
            lender: lib("CT-NHV"),
            position: 1,
            why: SkipReason::Suspended,
        },
        E::RequestRouted {
            lender: lib("CT-BPT"),
            position: 2,
            respond_by,
        },
        E::RequestUnfilled {},
        E::LenderWillSupply {
            lender: lib("CT-BPT"),
        },
        E::ConditionsProposed {
            lender: lib("CT-BPT"),
            condition: LoanCondition::LibraryUseOnly,
            note_id: Some(note_id()),
            respond_by,
        },
        E::ConditionsAccepted {},
        E::ConditionsRejected {
            lender: lib("CT-BPT"),
        },
        E::LenderDeclined {
            lender: lib("CT-BPT"),
            reason: UnfilledReason::NotAvailableForIll,
            note_id: Some(note_id()),
        },
        E::LenderTimedOut {
            lender: lib("CT-BPT"),
        },
        E::ItemShipped {
            lender: lib("CT-BPT"),
            due_date: date(2024, 4, 15),
        },
        E::CopyDelivered {
            lender: lib("CT-BPT"),
        },
        E::ItemReceived {},
        E::CheckedOutToPatron {},
        E::ReturnedByPatron {},
        E::ReturnShipped {},
        E::ItemCheckedIn {
            lender: lib("CT-BPT"),
        },
        E::RenewalRequested {
            until: Some(date(2024, 5, 1)),
        },
        E::RenewalGranted {
            due_date: date(2024, 5, 1),
        },
        E::RenewalDenied {},
        E::ItemRecalled {
            due_date: Some(date(2024, 4, 10)),
        },
        E::CancelRequested {
            note_id: Some(note_id()),
        },
        E::CancelRefused {},
        E::RequestCancelled {},
        E::ItemDeclaredLost { by: Side::Lender },
        E::Rerouted {
            rota: vec![lib("CT-WTBY").into(), lib("CT-NLDN").into()],
        },
        E::NoteAdded { note_id: note_id() },
        E::RequestExpired {},
        E::NeededByChanged {
            needed_by: Some(date(2024, 4, 20)),
        },
    ]
}

/// The events whose "1.1" shape differs from their "1.0" one, each with the
/// name of its own golden file: an automatic rota, every entry with the
/// reason it was chosen.
fn request_examples_1_1() -> Vec<(&'static str, RequestEvent)> {
    let automatic = || {
        vec![
            RotaEntry::selected(lib("CT-NHV"), "lent 3, borrowed 7 in 90 days; 0 waiting"),
            RotaEntry::selected(lib("CT-BPT"), "lent 12, borrowed 9 in 90 days; 2 waiting"),
        ]
    };
    let RequestEvent::RequestPlaced {
        borrower,
        service_type,
        item,
        needed_by,
        patron_ref,
        note_id,
        ..
    } = request_examples().remove(0)
    else {
        unreachable!("the first example is RequestPlaced")
    };
    vec![
        (
            "RequestPlaced.1.1",
            RequestEvent::RequestPlaced {
                borrower,
                service_type,
                item: Item {
                    catalog_record_id: Some("ocolc:8345123".into()),
                    ..item
                },
                rota: automatic(),
                needed_by,
                patron_ref,
                note_id,
            },
        ),
        ("Rerouted.1.1", RequestEvent::Rerouted { rota: automatic() }),
    ]
}

fn library_examples() -> Vec<LibraryEvent> {
    vec![
        LibraryEvent::LibraryRegistered {
            id: lib("CT-HFD"),
            name: "Hartford Public Library".into(),
            lends: true,
        },
        LibraryEvent::LibraryUpdated {
            name: "Hartford Public Library, Main".into(),
            lends: false,
        },
        LibraryEvent::LendingSuspended {},
        LibraryEvent::LendingResumed {},
        LibraryEvent::ClosuresSet {
            closures: vec![Closure {
                from: date(2024, 12, 24),
                to: date(2025, 1, 1),
                reason: Some("Holidays".into()),
            }],
        },
    ]
}

/// Every example with every value its enums can take: for the round trip.
fn request_round_trip_cases() -> Vec<RequestEvent> {
    use RequestEvent as E;
    let mut all = request_examples();
    all.extend(request_examples_1_1().into_iter().map(|(_, e)| e));
    all.push(E::Rerouted {
        rota: vec![
            RotaEntry::selected(lib("A"), "lent 0, borrowed 0 in 90 days; 0 waiting"),
            lib("B").into(),
        ],
    });
    all.push(E::LenderSkipped {
        lender: lib("CT-NHV"),
        position: 3,
        why: SkipReason::NotLending,
    });
    all.push(E::LenderSkipped {
        lender: lib("CT-NHV"),
        position: 2,
        why: SkipReason::Closed,
    });
    all.push(E::NeededByChanged { needed_by: None });
    all.push(E::ItemDeclaredLost { by: Side::Borrower });
    all.push(E::RenewalRequested { until: None });
    all.push(E::ItemRecalled { due_date: None });
    all.push(E::CancelRequested { note_id: None });
    for reason in domain::UnfilledReason::ALL {
        all.push(E::LenderDeclined {
            lender: lib("CT-BPT"),
            reason,
            note_id: None,
        });
    }
    for condition in [
        LoanCondition::LibraryUseOnly,
        LoanCondition::WatchLibraryUseOnly,
        LoanCondition::NoReproduction,
        LoanCondition::SignatureRequired,
        LoanCondition::SpecCollSupervisionRequired,
    ] {
        all.push(E::ConditionsProposed {
            lender: lib("CT-BPT"),
            condition,
            note_id: None,
            respond_by: Utc.with_ymd_and_hms(2024, 3, 9, 0, 0, 0).unwrap(),
        });
    }
    all.push(E::RequestPlaced {
        borrower: lib("B"),
        service_type: ServiceType::Copy,
        item: Item::titled("Only a title"),
        rota: vec![lib("L").into()],
        needed_by: None,
        patron_ref: Uuid::nil(),
        note_id: None,
    });
    for compliance in [
        CopyrightCompliance::Ccg,
        CopyrightCompliance::Ccl,
        CopyrightCompliance::Other,
    ] {
        all.push(E::RequestPlaced {
            borrower: lib("B"),
            service_type: ServiceType::Copy,
            item: Item {
                copyright_compliance: Some(compliance),
                publication_year: Some(2021),
                ..Item::titled("An article's journal")
            },
            rota: vec![lib("L").into()],
            needed_by: None,
            patron_ref: Uuid::nil(),
            note_id: None,
        });
    }
    all
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn the_examples_cover_every_variant_once_in_catalogue_order() {
    let names: Vec<&str> = request_examples().iter().map(request_variant).collect();
    assert_eq!(names, REQUEST_CATALOGUE);
    let names: Vec<&str> = library_examples().iter().map(library_variant).collect();
    assert_eq!(names, LIBRARY_CATALOGUE);
}

/// "1.1" for the events of the next wave, a RequestPlaced whose item
/// carries the COPY fields, and a RequestPlaced or Rerouted whose rota
/// carries a selection; "1.0" for the rest.
fn version_of(name: &str, event: Option<&RequestEvent>) -> &'static str {
    let copy_fields = matches!(
        event,
        Some(RequestEvent::RequestPlaced { item, .. })
            if item.copyright_compliance.is_some() || item.publication_year.is_some()
    );
    let selection = |rota: &[RotaEntry]| rota.iter().any(|e| e.selection.is_some());
    let automatic = match event {
        Some(RequestEvent::RequestPlaced { rota, .. } | RequestEvent::Rerouted { rota }) => {
            selection(rota)
        }
        _ => false,
    };
    if VERSION_1_1.contains(&name) || copy_fields || automatic {
        "1.1"
    } else {
        "1.0"
    }
}

#[test]
fn every_event_type_is_its_variant_name_and_its_version() {
    for event in request_round_trip_cases() {
        let name = request_variant(&event);
        assert_eq!(event.event_type(), name);
        assert_eq!(event.event_version(), version_of(name, Some(&event)));
    }
    for event in library_examples() {
        let name = library_variant(&event);
        assert_eq!(event.event_type(), name);
        assert_eq!(event.event_version(), version_of(name, None));
    }
    assert_eq!(domain::EVENT_VERSION, "1.0");
}

/// A "1.1" RequestPlaced carries the COPY fields; a "1.0" one (the golden
/// file, written before they existed) still decodes, without them.
#[test]
fn a_copy_placed_carries_compliance_and_a_1_0_placement_still_decodes() {
    let copy = request_round_trip_cases().pop().unwrap();
    let value = serde_json::to_value(&copy).unwrap();
    assert_eq!(
        value["RequestPlaced"]["item"]["copyright_compliance"],
        "OTHER"
    );
    assert_eq!(value["RequestPlaced"]["item"]["publication_year"], 2021);
    let stored = fs::read_to_string(golden_dir().join("RequestPlaced.json")).unwrap();
    let RequestEvent::RequestPlaced { item, .. } = serde_json::from_str(&stored).unwrap() else {
        panic!("RequestPlaced.json holds a RequestPlaced");
    };
    assert_eq!(item.copyright_compliance, None);
    assert_eq!(item.publication_year, None);
}

/// The rota's two stored shapes fold to the same lenders: the "1.0" files
/// (lists of ids) without selections, the "1.1" files with each entry's.
#[test]
fn a_1_0_rota_and_a_1_1_rota_decode_to_the_same_lenders() {
    let read = |name: &str| -> RequestEvent {
        let text = fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let slots = |events: Vec<RequestEvent>| {
        let mut request = IllRequest::default();
        for event in events {
            cqrs_es::Aggregate::apply(&mut request, event);
        }
        let state = request.state.expect("placed");
        state
            .rota
            .into_iter()
            .map(|slot| (slot.library.to_string(), slot.selection))
            .collect::<Vec<_>>()
    };
    let stored = |name: &str| -> Value {
        let text = fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    assert_eq!(
        stored("RequestPlaced")["RequestPlaced"]["rota"],
        serde_json::json!(["CT-NHV", "CT-BPT"])
    );
    assert_eq!(
        slots(vec![read("RequestPlaced")]),
        [("CT-NHV".to_owned(), None), ("CT-BPT".to_owned(), None)]
    );
    let placed_1_1 = stored("RequestPlaced.1.1");
    assert_eq!(
        placed_1_1["RequestPlaced"]["rota"][1],
        serde_json::json!({"lender": "CT-BPT", "selection": "lent 12, borrowed 9 in 90 days; 2 waiting"})
    );
    assert_eq!(
        slots(vec![read("RequestPlaced.1.1")]),
        [
            (
                "CT-NHV".to_owned(),
                Some("lent 3, borrowed 7 in 90 days; 0 waiting".to_owned())
            ),
            (
                "CT-BPT".to_owned(),
                Some("lent 12, borrowed 9 in 90 days; 2 waiting".to_owned())
            ),
        ]
    );
    // A "1.0" reroute after a "1.1" placement: the new rota has no selection.
    assert_eq!(
        slots(vec![read("RequestPlaced.1.1"), read("Rerouted")]),
        [("CT-WTBY".to_owned(), None), ("CT-NLDN".to_owned(), None)]
    );
    assert_eq!(
        slots(vec![read("RequestPlaced"), read("Rerouted.1.1")]),
        slots(vec![read("RequestPlaced.1.1")])
    );
}

fn round_trip<T>(event: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let value = serde_json::to_value(event).unwrap();
    let back: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(&back, event, "{value}");
    // And through text, as the stores keep it.
    let text = serde_json::to_string(event).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, event, "{text}");
}

#[test]
fn every_request_event_round_trips() {
    for event in request_round_trip_cases() {
        round_trip(&event);
    }
}

#[test]
fn every_library_event_round_trips() {
    for event in library_examples() {
        round_trip(&event);
    }
}

/// Every object key below the variant tag, with its path.
fn keys(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                out.push((path.to_owned(), key.clone()));
                keys(inner, &format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                keys(item, path, out);
            }
        }
        _ => {}
    }
}

fn payload_keys(value: &Value) -> Vec<(String, String)> {
    // Externally tagged: {"Variant": {fields}}.
    let Value::Object(outer) = value else {
        panic!("an event serializes as an object: {value}")
    };
    assert_eq!(outer.len(), 1, "one variant tag: {value}");
    let (tag, payload) = outer.iter().next().unwrap();
    let mut out = Vec::new();
    keys(payload, tag, &mut out);
    out
}

#[test]
fn no_event_carries_patron_data() {
    let mut all: Vec<Value> = request_round_trip_cases()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    let request_events = all.len();
    all.extend(
        library_examples()
            .iter()
            .map(|e| serde_json::to_value(e).unwrap()),
    );
    for (i, value) in all.iter().enumerate() {
        for (path, key) in payload_keys(value) {
            let k = key.to_ascii_lowercase();
            assert!(
                !k.contains("barcode") && !k.contains("email") && !k.contains("mail"),
                "{path}.{key} looks like patron data"
            );
            assert!(
                !k.contains("patron") || k == "patron_ref",
                "{path}.{key} looks like patron data"
            );
            // A library event's `name` is the library's; a request event
            // names nobody.
            if i < request_events {
                assert!(
                    !k.contains("name"),
                    "{path}.{key} looks like a person's name"
                );
                assert!(
                    !k.contains("text"),
                    "{path}.{key}: note text stays out of events"
                );
            }
        }
    }
}

#[test]
fn every_field_is_snake_case() {
    let snake = |k: &str| {
        k.starts_with(|c: char| c.is_ascii_lowercase())
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let values = request_round_trip_cases()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .chain(
            library_examples()
                .iter()
                .map(|e| serde_json::to_value(e).unwrap()),
        )
        .collect::<Vec<_>>();
    for value in &values {
        for (path, key) in payload_keys(value) {
            assert!(snake(&key), "{path}.{key} is not snake_case");
        }
    }
}

fn pretty<T: Serialize>(event: &T) -> String {
    let mut text = serde_json::to_string_pretty(event).unwrap();
    text.push('\n');
    text
}

/// Compares (or, with UPDATE_GOLDEN=1, writes) one golden file; returns a
/// description of the problem, if any.
fn check_golden<T>(name: &str, event: &T) -> Option<String>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = golden_dir().join(format!("{name}.json"));
    let actual = pretty(event);
    if updating() {
        fs::create_dir_all(golden_dir()).unwrap();
        fs::write(&path, &actual).unwrap();
        return None;
    }
    let stored = match fs::read_to_string(&path) {
        Ok(stored) => stored,
        Err(e) => return Some(format!("{}: cannot read ({e})", path.display())),
    };
    if stored != actual {
        return Some(format!(
            "{}: the serialization changed\n--- stored\n{stored}--- now\n{actual}",
            path.display()
        ));
    }
    // The stored shape still reads back as the example.
    match serde_json::from_str::<T>(&stored) {
        Ok(back) if &back == event => None,
        other => Some(format!("{}: reads back as {other:?}", path.display())),
    }
}

#[test]
fn every_event_matches_its_golden_file() {
    let mut problems = Vec::new();
    let mut expected_files = BTreeSet::new();
    for event in request_examples() {
        let name = request_variant(&event);
        expected_files.insert(format!("{name}.json"));
        problems.extend(check_golden(name, &event));
    }
    for (name, event) in request_examples_1_1() {
        assert_eq!(event.event_version(), "1.1", "{name}");
        expected_files.insert(format!("{name}.json"));
        problems.extend(check_golden(name, &event));
    }
    for event in library_examples() {
        let name = library_variant(&event);
        expected_files.insert(format!("{name}.json"));
        problems.extend(check_golden(name, &event));
    }
    // No file for an event type that no longer exists.
    let present: BTreeSet<String> = fs::read_dir(golden_dir())
        .map(|dir| {
            dir.filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for stray in present.difference(&expected_files) {
        problems.push(format!("{stray}: no event type has this golden file"));
    }
    assert!(
        problems.is_empty(),
        "{} golden problem(s); if the change is deliberate, bump event_version, \
         add an upcaster and run `UPDATE_GOLDEN=1 cargo test -p domain --test state_machine golden`:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
