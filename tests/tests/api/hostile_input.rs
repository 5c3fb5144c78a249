//! Hostile input (RELIABILITY.md): random and malformed GraphQL documents,
//! variables of the wrong type, huge strings, deep nesting, aliases by the
//! thousand, fragment bombs, odd headers and random command sequences from
//! random tokens, against a real `ill-server` process on PostgreSQL.
//!
//! Every case must get an answer (no hang, no dropped connection), never a
//! 5xx, never INTERNAL or an error without a code; the process never panics
//! or dies; no answer shows a STAFF token a request its library may not see
//! (or the patron of another library's request), and afterwards every event a
//! STAFF account stored is its own library's to store; `ill-replay verify`
//! passes. Cases are reproducible: each prints under its number with the run's
//! seed (`ILL_SEED`). CI runs a few hundred; `ILL_LONG=1` runs 10,000
//! (`ILL_FUZZ_CASES` sets any number).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ill_tests::nodes::{self, Node, NodeConfig};
use ill_tests::workload::{self, must, setup_network, Accounts};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use store::testing::{fresh_url, Backend};
use uuid::Uuid;

const CODES: [&str; 6] = [
    "UNAUTHENTICATED",
    "BAD_INPUT",
    "NOT_FOUND",
    "FORBIDDEN",
    "CONFLICT",
    "INVALID_TRANSITION",
];
/// The body limit of the server (http.rs): larger bodies get 413.
const MAX_BODY: usize = 256 * 1024;
const LIBRARIES: [&str; 5] = ["BOR", "L1", "L2", "L3", "OUT"];

/// Who sends a case.
#[derive(Debug, Clone)]
enum Sender {
    Staff(&'static str),
    Coordinator,
    Admin,
    Revoked,
    Bogus,
    Nobody,
    /// A raw Authorization header.
    Header(String),
}

struct Fixture {
    node: Mutex<Node>,
    base: String,
    client: reqwest::Client,
    accounts: Accounts,
    revoked: String,
    /// Requests to aim commands at (ids), growing as the run places more.
    pool: Mutex<Vec<String>>,
}

impl Fixture {
    fn token(&self, sender: &Sender) -> Option<String> {
        match sender {
            Sender::Staff(library) => Some(format!("Bearer {}", self.accounts.token(library))),
            Sender::Coordinator => Some(format!("Bearer {}", self.accounts.coordinator)),
            Sender::Admin => Some(format!("Bearer {}", self.accounts.admin)),
            Sender::Revoked => Some(format!("Bearer {}", self.revoked)),
            Sender::Bogus => Some("Bearer 0123456789abcdef".into()),
            Sender::Nobody => None,
            Sender::Header(raw) => Some(raw.clone()),
        }
    }
}

/// One generated case: what is sent and how to judge the answer.
struct Case {
    kind: &'static str,
    sender: Sender,
    method: reqwest::Method,
    path: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Case {
    fn post(kind: &'static str, sender: Sender, body: Vec<u8>) -> Case {
        Case {
            kind,
            sender,
            method: reqwest::Method::POST,
            path: "/graphql".into(),
            content_type: Some("application/json".into()),
            body,
        }
    }

    fn graphql(kind: &'static str, sender: Sender, query: &str, variables: Value) -> Case {
        let body = json!({ "query": query, "variables": variables }).to_string();
        Case::post(kind, sender, body.into_bytes())
    }
}

// ---------------------------------------------------------------- values

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn one_of(rng: &mut StdRng, items: &[&'static str]) -> &'static str {
    items[rng.random_range(0..items.len())]
}

fn hostile_string(rng: &mut StdRng) -> String {
    match rng.random_range(0..16) {
        0 => String::new(),
        1 => " \t\n ".into(),
        2 => "x".repeat(rng.random_range(501..3000)),
        3 => "y".repeat(rng.random_range(100_000..240_000)),
        4 => "a\u{0}b".into(),
        5 => "\u{0}".repeat(rng.random_range(1..50)),
        6 => "'; DROP TABLE events; --".into(),
        7 => "%s%n%x\\\"{}[]$1".into(),
        8 => "ẞ🦀\u{202e}مرحبا\u{0301}\u{feff}".repeat(rng.random_range(1..200)),
        9 => (0..rng.random_range(1..64))
            .map(|_| char::from_u32(rng.random_range(1..0x20)).unwrap())
            .collect(),
        10 => "\u{10ffff}\u{fffe}\u{d7ff}".into(),
        11 => "L1".into(),
        12 => "NETWORK".into(),
        13 => format!("{}", Uuid::new_v4()),
        14 => "null".into(),
        _ => (0..rng.random_range(1..40))
            .map(|_| char::from(rng.random_range(0x21u8..0x7f)))
            .collect(),
    }
}

fn hostile_number(rng: &mut StdRng) -> Value {
    match rng.random_range(0..10) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(i32::MAX),
        3 => json!(i64::from(i32::MAX) + 1),
        4 => json!(i32::MIN),
        5 => json!(i64::MIN),
        6 => json!(u64::MAX),
        7 => json!(1e308),
        8 => json!(3.5),
        _ => json!(rng.random_range(-5..300)),
    }
}

fn hostile_date(rng: &mut StdRng) -> Value {
    json!(*pick(
        rng,
        &[
            "2026-02-30",
            "0000-01-01",
            "-0001-01-01",
            "+275760-09-13",
            "9999-12-31",
            "262143-12-31",
            "",
            "2026-13-01",
            "today",
            "2026-3-2",
            "2026-03-02T00:00:00Z",
            "1970-01-01",
            "2099-01-01",
        ]
    ))
}

fn hostile_uuid(rng: &mut StdRng, pool: &[String]) -> Value {
    match rng.random_range(0..8) {
        0..=2 if !pool.is_empty() => json!(pick(rng, pool)),
        3 => json!(Uuid::nil()),
        4 => json!(Uuid::new_v4().to_string().to_uppercase()),
        5 => json!(format!("{{{}}}", Uuid::new_v4())),
        6 => json!(Uuid::new_v4().simple().to_string()),
        _ => json!(hostile_string(rng)),
    }
}

/// Any JSON at all, up to `depth` deep.
fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => hostile_number(rng),
        3 => json!(hostile_string(rng)),
        4 => hostile_date(rng),
        5 => Value::Array(
            (0..rng.random_range(0..5))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.random_range(0..5))
                .map(|_| (hostile_string(rng), random_json(rng, depth - 1)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// A value of a wrong type for most arguments, or a plausible one.
fn any_value(rng: &mut StdRng, pool: &[String]) -> Value {
    match rng.random_range(0..6) {
        0 => hostile_uuid(rng, pool),
        1 => hostile_date(rng),
        2 => json!(*pick(rng, &LIBRARIES)),
        _ => random_json(rng, 3),
    }
}

// ---------------------------------------------------------------- documents

/// JSON text to splice into a body as it is.
#[allow(non_snake_case)]
fn RawJson(text: String) -> Value {
    json!({ "__raw": text })
}

const REQUEST_SELECTION: &str =
    "id version status borrower { id } rota { library { id } outcome } patron { barcode name } history { type library data }";

/// Valid operations with typed variables: (document, variables).
fn template(rng: &mut StdRng, pool: &[String]) -> (String, Value) {
    let id = hostile_uuid(rng, pool);
    let mutation = |name: &str, args: &str, decl: &str| {
        format!(
            "mutation($id: UUID!, $v: Int, $r: String{decl}) {{ {name}(id: $id, expectedVersion: $v, coordinatorReason: $r{args}) {{ {REQUEST_SELECTION} }} }}"
        )
    };
    let base = json!({
        "id": id,
        "v": if rng.random_bool(0.5) { json!(rng.random_range(0..12)) } else { Value::Null },
        "r": if rng.random_bool(0.5) { json!("fuzzing") } else { Value::Null },
    });
    let with = |extra: Value| {
        let mut variables = base.clone();
        variables
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        variables
    };
    let lenders = |rng: &mut StdRng| {
        let n = rng.random_range(0..4);
        json!((0..n).map(|_| *pick(rng, &LIBRARIES)).collect::<Vec<_>>())
    };
    match rng.random_range(0..30) {
        0 | 1 => (
            format!("mutation($input: PlaceRequestInput!) {{ placeRequest(input: $input) {{ {REQUEST_SELECTION} }} }}"),
            json!({ "input": {
                "id": if rng.random_bool(0.3) { hostile_uuid(rng, pool) } else { Value::Null },
                "patron": { "barcode": "21000", "name": "Fuzz Reader", "email": "f@example.org" },
                "item": { "title": "A fuzzed title", "author": "Someone" },
                "serviceType": *pick(rng, &["LOAN", "COPY"]),
                "lenders": lenders(rng),
                "neededBy": if rng.random_bool(0.2) { hostile_date(rng) } else { Value::Null },
                "note": if rng.random_bool(0.3) { json!("a note") } else { Value::Null },
            }}),
        ),
        2 => (format!("query($id: UUID!) {{ request(id: $id) {{ {REQUEST_SELECTION} }} }}"), json!({ "id": id })),
        3 => (
            format!("query($l: ID!, $s: QueueSide!, $st: [RequestStatus!], $f: Int, $a: String) {{ queue(library: $l, side: $s, status: $st, first: $f, after: $a) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {REQUEST_SELECTION} }} }} }} }}"),
            json!({
                "l": *pick(rng, &LIBRARIES),
                "s": *pick(rng, &["BORROWING", "LENDING"]),
                "st": if rng.random_bool(0.5) { json!(["REQUESTED", "SHIPPED", "COMPLETED"]) } else { Value::Null },
                "f": if rng.random_bool(0.5) { hostile_number(rng) } else { json!(rng.random_range(0..60)) },
                "a": if rng.random_bool(0.3) { json!(hostile_string(rng)) } else { Value::Null },
            }),
        ),
        4 => (
            "query($l: ID!, $s: QueueSide!) { queueCounts(library: $l, side: $s) { status count } }".into(),
            json!({ "l": *pick(rng, &LIBRARIES), "s": *pick(rng, &["BORROWING", "LENDING"]) }),
        ),
        5 => (
            "query($f: Date, $t: Date, $l: ID) { statistics(from: $f, to: $t, library: $l) { from to network { placed filled fillRate } libraries { library { id } lendBorrowRatio } monthly { month placed } } }".into(),
            json!({
                "f": if rng.random_bool(0.6) { hostile_date(rng) } else { Value::Null },
                "t": if rng.random_bool(0.6) { hostile_date(rng) } else { Value::Null },
                "l": if rng.random_bool(0.4) { json!(*pick(rng, &LIBRARIES)) } else { Value::Null },
            }),
        ),
        6 => ("{ libraries { id name lends suspended } me { name role library { id } } }".into(), json!({})),
        7 => ("query($l: ID) { accounts(library: $l) { library { id } name role tokens } }".into(), json!({ "l": *pick(rng, &LIBRARIES) })),
        8 => (mutation("willSupply", ", note: $n", ", $n: String"), with(json!({ "n": "ok" }))),
        9 => (mutation("proposeConditions", ", condition: $c", ", $c: LoanCondition!"), with(json!({ "c": *pick(rng, &["LIBRARY_USE_ONLY", "NO_REPRODUCTION", "BOGUS"]) }))),
        10 => (mutation("acceptConditions", "", ""), base.clone()),
        11 => (mutation("rejectConditions", "", ""), base.clone()),
        12 => (mutation("decline", ", reason: $why", ", $why: UnfilledReason!"), with(json!({ "why": *pick(rng, &["NOT_HELD", "OTHER", "NOPE"]) }))),
        13 => (mutation("ship", ", dueDate: $d", ", $d: Date!"), with(json!({ "d": if rng.random_bool(0.6) { json!("2099-01-01") } else { hostile_date(rng) } }))),
        14 => (mutation("deliverCopy", "", ""), base.clone()),
        15 => (mutation("receive", "", ""), base.clone()),
        16 => (mutation("checkOutToPatron", "", ""), base.clone()),
        17 => (mutation("returnFromPatron", "", ""), base.clone()),
        18 => (mutation("shipReturn", "", ""), base.clone()),
        19 => (mutation("checkIn", "", ""), base.clone()),
        20 => (mutation("requestRenewal", ", until: $u", ", $u: Date"), with(json!({ "u": hostile_date(rng) }))),
        21 => (mutation("answerRenewal", ", approve: $a, newDueDate: $d", ", $a: Boolean!, $d: Date"), with(json!({ "a": rng.random_bool(0.5), "d": hostile_date(rng) }))),
        22 => (mutation("recall", ", dueDate: $d", ", $d: Date"), with(json!({ "d": hostile_date(rng) }))),
        23 => (mutation("cancel", "", ""), base.clone()),
        24 => (mutation("answerCancel", ", approve: $a", ", $a: Boolean!"), with(json!({ "a": rng.random_bool(0.5) }))),
        25 => (mutation("declareLost", "", ""), base.clone()),
        26 => (mutation("reroute", ", lenders: $ls", ", $ls: [ID!]!"), with(json!({ "ls": lenders(rng) }))),
        27 => (
            format!("mutation($id: UUID!, $t: String!, $n: UUID, $r: String) {{ addNote(id: $id, text: $t, noteId: $n, coordinatorReason: $r) {{ {REQUEST_SELECTION} }} }}"),
            json!({ "id": id, "t": "a note", "n": if rng.random_bool(0.5) { json!(Uuid::new_v4()) } else { Value::Null }, "r": Value::Null }),
        ),
        28 => (
            "mutation($l: ID!, $s: Boolean!) { setLendingSuspended(library: $l, suspended: $s) { id suspended } }".into(),
            json!({ "l": *pick(rng, &["L1", "L2", "L3", "OUT", "NOPE"]), "s": rng.random_bool(0.5) }),
        ),
        _ => (
            "mutation($i: RegisterLibraryInput!) { registerLibrary(input: $i) { id } }".into(),
            json!({ "i": { "id": format!("F{}", rng.random_range(0..1000)), "name": "Fuzz library", "lends": rng.random_bool(0.5) } }),
        ),
    }
}

/// A template with 1–3 variables replaced by hostile values, or with a
/// variable dropped or an unknown one added.
fn mutated_template(rng: &mut StdRng, pool: &[String]) -> (String, Value) {
    let (query, mut variables) = template(rng, pool);
    for _ in 0..rng.random_range(1..=3) {
        let object = variables.as_object_mut().unwrap();
        let keys: Vec<String> = object.keys().cloned().collect();
        if keys.is_empty() {
            break;
        }
        let key = pick(rng, &keys).clone();
        match rng.random_range(0..6) {
            0 => {
                object.remove(&key);
            }
            1 => {
                object.insert(hostile_string(rng), any_value(rng, pool));
            }
            2 if object[&key].as_object().is_some_and(|o| !o.is_empty()) => {
                // Into the input object: a field of the wrong type.
                let inner = object.get_mut(&key).unwrap().as_object_mut().unwrap();
                let fields: Vec<String> = inner.keys().cloned().collect();
                let field = pick(rng, &fields).clone();
                inner.insert(field, any_value(rng, pool));
            }
            _ => {
                object.insert(key, any_value(rng, pool));
            }
        }
    }
    (query, variables)
}

const VOCABULARY: [&str; 48] = [
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    "$",
    "!",
    "@",
    "...",
    "=",
    "|",
    "&",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "on",
    "Query",
    "Mutation",
    "request",
    "queue",
    "me",
    "id",
    "history",
    "placeRequest",
    "input",
    "ship",
    "dueDate",
    "library",
    "\"L1\"",
    "\"\"",
    "\"\"\"",
    "123",
    "-1",
    "1e999",
    "true",
    "null",
    "LENDING",
    "__typename",
    "__schema",
    "types",
    "name",
    "@include(if: true)",
    "@skip",
    ",",
    "#",
];

fn token_soup(rng: &mut StdRng, pool: &[String]) -> String {
    let n = rng.random_range(1..200);
    let mut text = String::new();
    for _ in 0..n {
        match rng.random_range(0..12) {
            0 => text.push_str(&format!("\"{}\"", pick(rng, pool))),
            1 => text.push_str(&hostile_string(rng).chars().take(40).collect::<String>()),
            _ => text.push_str(one_of(rng, &VOCABULARY)),
        }
        if rng.random_bool(0.7) {
            text.push(' ');
        }
    }
    text
}

fn nesting(rng: &mut StdRng, pool: &[String]) -> (String, Value) {
    let depth = *pick(rng, &[13usize, 40, 200, 1_000, 5_000, 20_000, 60_000]);
    let id = pick(rng, pool).clone();
    match rng.random_range(0..7) {
        0 => (format!("{}{}", "{ a ".repeat(depth), "}".repeat(depth)), json!({})),
        1 => (
            format!("{{ queue(library: \"L1\", side: LENDING, status: {}REQUESTED{}) {{ totalCount }} }}", "[".repeat(depth), "]".repeat(depth)),
            json!({}),
        ),
        2 => (
            format!("mutation {{ placeRequest(input: {}{}) {{ id }} }}", "{a: ".repeat(depth), "}".repeat(depth)),
            json!({}),
        ),
        3 => (
            format!("{{ {}request(id: \"{id}\") {{ id }}{} }}", "... on Query { ".repeat(depth), " }".repeat(depth)),
            json!({}),
        ),
        4 => {
            // Nested as JSON text: a Value this deep would overflow the
            // test's own stack when dropped.
            let value = format!("{}\"REQUESTED\"{}", "[".repeat(depth), "]".repeat(depth));
            (
                "query($s: [RequestStatus!]) { queue(library: \"L1\", side: LENDING, status: $s) { totalCount } }".into(),
                json!({ "s": RawJson(value) }),
            )
        }
        5 => (
            format!("{{ request(id: \"{id}\") {{ id {} }} }}", "rota { library { id } } ".repeat(depth.min(4_000))),
            json!({}),
        ),
        _ => (
            format!("{{ me {} {{ name }} }}", "@include(if: true) ".repeat(depth.min(12_000))),
            json!({}),
        ),
    }
}

fn aliases(rng: &mut StdRng, pool: &[String]) -> (String, Value) {
    let n = *pick(rng, &[100usize, 1_000, 3_000, 10_000, 20_000]);
    let id = pick(rng, pool).clone();
    match rng.random_range(0..8) {
        0 => {
            let fields: String = (0..n).map(|i| format!("a{i}: me {{ name }} ")).collect();
            (format!("{{ {fields} }}"), json!({}))
        }
        1 => {
            let fields: String = (0..n.min(5_000))
                .map(|i| format!("a{i}: request(id: \"{id}\") {{ history {{ type data }} }} "))
                .collect();
            (format!("{{ {fields} }}"), json!({}))
        }
        2 => {
            let fields: String = (0..n.min(5_000))
                .map(|i| format!("a{i}: addNote(id: \"{id}\", text: \"alias {i}\") {{ id }} "))
                .collect();
            (format!("mutation {{ {fields} }}"), json!({}))
        }
        3 => {
            let fields: String = (0..n.min(5_000))
                .map(|i| format!("a{i}: queue(library: \"L1\", side: LENDING, first: 200) {{ totalCount edges {{ node {{ id history {{ type }} }} }} }} "))
                .collect();
            (format!("{{ {fields} }}"), json!({}))
        }
        4 => {
            // The billion laughs: each fragment spreads the one before twice.
            let levels = rng.random_range(10..64);
            let mut document = String::from("{ ...F0 }\nfragment F1 on Query { me { name } }\n");
            document = document.replace("F0", &format!("F{levels}"));
            for level in 2..=levels {
                document.push_str(&format!(
                    "fragment F{level} on Query {{ ...F{p} ...F{p} a{level}: me {{ name }} }}\n",
                    p = level - 1
                ));
            }
            (document, json!({}))
        }
        5 if rng.random_bool(0.5) => {
            // A chain of fragments, each spreading the one before.
            let length = rng.random_range(20..8_000);
            let mut document =
                format!("{{ ...F{length} }}\nfragment F0 on Query {{ me {{ name }} }}\n");
            for i in 1..=length {
                document.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i - 1));
            }
            (document, json!({}))
        }
        5 => {
            // Fragments that spread each other.
            (
                "{ ...A } fragment A on Query { me { name } ...B } fragment B on Query { ...A }"
                    .into(),
                json!({}),
            )
        }
        6 => {
            let operations: String = (0..n.min(5_000))
                .map(|i| format!("query q{i} {{ me {{ name }} }} "))
                .collect();
            let name = format!("q{}", rng.random_range(0..n.min(5_000) + 2));
            (operations, json!({ "__operationName": name }))
        }
        _ => {
            let fields: String = (0..n).map(|i| format!("a{i}: __typename ")).collect();
            (format!("{{ {fields} }}"), json!({}))
        }
    }
}

/// An otherwise valid command from an account entitled to it, with hostile
/// text or an extreme date in one field: it reaches the store.
fn hostile_text(rng: &mut StdRng, pool: &[String]) -> (Sender, String, Value) {
    let id = json!(pick(rng, pool));
    let text = json!(hostile_string(rng));
    let far = json!(*pick(
        rng,
        &["9999-12-31", "262143-12-31", "2099-02-28", "5874897-12-31"]
    ));
    match rng.random_range(0..9) {
        0..=2 => {
            let mut input = json!({
                "patron": { "barcode": "21000", "name": "Fuzz Reader", "email": "f@example.org" },
                "item": { "title": "A title", "author": "Someone", "isbn": "978", "publisher": "P" },
                "lenders": ["L1", "L2"],
                "note": "a note",
            });
            let (group, field) = *pick(
                rng,
                &[
                    ("patron", "barcode"),
                    ("patron", "name"),
                    ("patron", "email"),
                    ("item", "title"),
                    ("item", "author"),
                    ("item", "isbn"),
                    ("item", "publisher"),
                    ("", "note"),
                    ("", "neededBy"),
                ],
            );
            let value = if field == "neededBy" { far } else { text };
            if group.is_empty() {
                input[field] = value;
            } else {
                input[group][field] = value;
            }
            (
                Sender::Staff("BOR"),
                format!("mutation($input: PlaceRequestInput!) {{ placeRequest(input: $input) {{ {REQUEST_SELECTION} }} }}"),
                json!({ "input": input }),
            )
        }
        3 => (
            Sender::Staff("BOR"),
            format!("mutation($id: UUID!, $t: String!) {{ addNote(id: $id, text: $t) {{ {REQUEST_SELECTION} }} }}"),
            json!({ "id": id, "t": text }),
        ),
        4 => (
            Sender::Coordinator,
            format!("mutation($id: UUID!, $r: String) {{ addNote(id: $id, text: \"n\", coordinatorReason: $r) {{ {REQUEST_SELECTION} }} }}"),
            json!({ "id": id, "r": text }),
        ),
        5 => (
            Sender::Admin,
            "mutation($i: RegisterLibraryInput!) { registerLibrary(input: $i) { id name } }".into(),
            json!({ "i": { "id": format!("H{}", rng.random_range(0..100_000)), "name": text } }),
        ),
        6 => (
            Sender::Coordinator,
            "mutation($i: UpdateLibraryInput!) { updateLibrary(input: $i) { id name } }".into(),
            json!({ "i": { "id": *pick(rng, &["L3", "OUT"]), "name": text } }),
        ),
        7 => (
            Sender::Admin,
            "mutation($l: ID!, $n: String!) { createStaffToken(library: $l, name: $n, role: STAFF) }"
                .into(),
            json!({ "l": *pick(rng, &LIBRARIES), "n": text }),
        ),
        _ => (
            Sender::Staff(one_of(rng, &["L1", "L2", "L3"])),
            format!("mutation($id: UUID!, $d: Date!, $n: String) {{ ship(id: $id, dueDate: $d, note: $n) {{ {REQUEST_SELECTION} }} }}"),
            json!({ "id": id, "d": far, "n": text }),
        ),
    }
}

fn random_sender(rng: &mut StdRng) -> Sender {
    match rng.random_range(0..20) {
        0..=9 => Sender::Staff(one_of(rng, &LIBRARIES)),
        10 | 11 => Sender::Coordinator,
        12 | 13 => Sender::Admin,
        14 => Sender::Revoked,
        15 => Sender::Bogus,
        16 => Sender::Nobody,
        _ => {
            let long = rng.random_range(1000..60_000);
            Sender::Header(
                pick(
                    rng,
                    &[
                        "Bearer".to_owned(),
                        "Bearer ".to_owned(),
                        "bearer x".to_owned(),
                        "Basic dXNlcjpwYXNz".to_owned(),
                        format!("Bearer {}", "z".repeat(long)),
                        "Bearer a b c".to_owned(),
                    ],
                )
                .clone(),
            )
        }
    }
}

/// Inputs that broke the server once (RELIABILITY.md, "Bugs found"), sent
/// first in every run.
fn regressions(pool: &[String]) -> Vec<Case> {
    let id = &pool[0];
    let staff = || Sender::Staff("BOR");
    let mut bomb = String::from("{ ...F30 }\nfragment F1 on Query { me { name } }\n");
    for level in 2..=30 {
        bomb.push_str(&format!(
            "fragment F{level} on Query {{ ...F{p} ...F{p} }}\n",
            p = level - 1
        ));
    }
    let notes: String = (0..1000)
        .map(|i| format!(" a{i}: addNote(id: \"{id}\", text: \"alias {i}\") {{ id }}"))
        .collect();
    let reads: String = (0..3000)
        .map(|i| format!(" a{i}: request(id: \"{id}\") {{ id }}"))
        .collect();
    vec![
        // Exponential validation: minutes of CPU, every request stalled.
        Case::graphql("regression: fragment bomb", staff(), &bomb, json!({})),
        // A stack overflow: the process aborted.
        Case::graphql(
            "regression: a list literal 2,000 deep",
            staff(),
            &format!(
                "{{ queue(library: \"BOR\", side: BORROWING, status: {}REQUESTED{}) {{ totalCount }} }}",
                "[".repeat(2000),
                "]".repeat(2000)
            ),
            json!({}),
        ),
        Case::graphql(
            "regression: an object literal 5,000 deep",
            staff(),
            &format!(
                "mutation {{ placeRequest(input: {}{}) {{ id }} }}",
                "{a: ".repeat(5000),
                "}".repeat(5000)
            ),
            json!({}),
        ),
        // Past the request timeout: INTERNAL.
        Case::graphql(
            "regression: 1,000 aliased mutations",
            staff(),
            &format!("mutation {{{notes} }}"),
            json!({}),
        ),
        // The pool held by one request.
        Case::graphql(
            "regression: 3,000 aliased reads",
            staff(),
            &format!("{{{reads} }}"),
            json!({}),
        ),
        // U+0000 reached PostgreSQL: INTERNAL.
        Case::graphql(
            "regression: U+0000 in a patron's name",
            staff(),
            "mutation($i: PlaceRequestInput!) { placeRequest(input: $i) { id } }",
            json!({ "i": {
                "patron": { "barcode": "1", "name": "a\u{0}b" },
                "item": { "title": "t" },
                "lenders": ["L1"],
            }}),
        ),
        Case::graphql(
            "regression: U+0000 in a note, in the document",
            staff(),
            &format!("mutation {{ addNote(id: \"{id}\", text: \"a\\u0000b\") {{ id }} }}"),
            json!({}),
        ),
        Case::graphql(
            "regression: U+0000 in a library's name",
            Sender::Admin,
            r#"mutation { registerLibrary(input: {id: "NUL1", name: "x\u0000"}) { id } }"#,
            json!({}),
        ),
        // A 413 without `Connection: close`: the next request on the
        // connection broke.
        Case::post(
            "regression: a body over the limit",
            staff(),
            vec![b' '; MAX_BODY + 1],
        ),
        Case::graphql(
            "regression: the request after it",
            staff(),
            "{ me { name } }",
            json!({}),
        ),
    ]
}

fn generate(rng: &mut StdRng, pool: &[String]) -> Case {
    let sender = random_sender(rng);
    match rng.random_range(0..100) {
        0..=4 => {
            let n = rng.random_range(0..4096);
            let body = (0..n).map(|_| rng.random::<u8>()).collect();
            Case::post("random bytes", sender, body)
        }
        5..=14 => {
            let body = match rng.random_range(0..8) {
                0 => random_json(rng, 4),
                1 => json!({ "query": random_json(rng, 2) }),
                2 => json!({ "query": "{ me { name } }", "variables": random_json(rng, 2) }),
                3 => {
                    json!({ "query": "{ me { name } }", "operationName": random_json(rng, 1), "extensions": random_json(rng, 2) })
                }
                4 => Value::Array(
                    (0..rng.random_range(0..16))
                        .map(|_| json!({ "query": "{ me { name } }" }))
                        .collect(),
                ),
                5 => Value::Array(vec![]),
                6 => Value::Array(
                    (0..rng.random_range(1..11))
                        .map(|_| random_json(rng, 2))
                        .collect(),
                ),
                _ => {
                    json!({ "query": "query($x: Int!) { me { name } }", "variables": { "x": random_json(rng, 2) } })
                }
            };
            let mut text = body.to_string();
            if rng.random_bool(0.2) {
                // Truncated, or a number JSON cannot hold, or a lone surrogate.
                let cut = rng.random_range(0..=text.len());
                text = match rng.random_range(0..3) {
                    0 => text.chars().take(cut).collect(),
                    1 => {
                        r#"{"query": "query($v: Int) { me { name } }", "variables": {"v": 1e400}}"#
                            .into()
                    }
                    _ => r#"{"query": "{ me { name } }\ud800"}"#.into(),
                };
            }
            Case::post("malformed request JSON", sender, text.into_bytes())
        }
        15..=29 => Case::graphql("token soup", sender, &token_soup(rng, pool), json!({})),
        30..=54 => {
            let (query, variables) = mutated_template(rng, pool);
            Case::graphql(
                "wrong-typed or hostile variables",
                sender,
                &query,
                variables,
            )
        }
        55..=62 => {
            let (query, variables) = nesting(rng, pool);
            let mut body = json!({ "query": query, "variables": variables }).to_string();
            if let Some(raw) = variables["s"]["__raw"].as_str() {
                body = format!(
                    "{{\"query\": {}, \"variables\": {{\"s\": {raw}}}}}",
                    json!(query)
                );
            }
            Case::post("deep nesting", sender, body.into_bytes())
        }
        63..=70 => {
            let (query, mut variables) = aliases(rng, pool);
            let operation = variables
                .as_object_mut()
                .and_then(|v| v.remove("__operationName"));
            let mut body = json!({ "query": query, "variables": variables });
            if let Some(name) = operation {
                body["operationName"] = name;
            }
            Case::post(
                "aliases, fragments, operations by the thousand",
                sender,
                body.to_string().into_bytes(),
            )
        }
        71..=82 => {
            let (sender, query, variables) = hostile_text(rng, pool);
            Case::graphql("hostile text in valid commands", sender, &query, variables)
        }
        83..=94 => {
            // A command sequence step: a valid-looking operation from a
            // random account (mostly one with a token); judged for leaks.
            let sender = if rng.random_bool(0.8) {
                pick(
                    rng,
                    &[
                        Sender::Staff("BOR"),
                        Sender::Staff("L1"),
                        Sender::Staff("L2"),
                        Sender::Staff("L3"),
                        Sender::Staff("OUT"),
                        Sender::Coordinator,
                        Sender::Admin,
                    ],
                )
                .clone()
            } else {
                sender
            };
            let (query, variables) = template(rng, pool);
            Case::graphql(
                "random commands from random tokens",
                sender,
                &query,
                variables,
            )
        }
        _ => {
            let mut case = Case::graphql("odd HTTP", sender, "{ me { name } }", json!({}));
            match rng.random_range(0..6) {
                0 => case.content_type = None,
                1 => case.content_type = Some("text/plain".into()),
                2 => case.method = reqwest::Method::PUT,
                3 => {
                    case.path = format!(
                        "/{}",
                        hostile_string(rng)
                            .chars()
                            .filter(|c| c.is_ascii_alphanumeric())
                            .take(30)
                            .collect::<String>()
                    )
                }
                4 => {
                    case.method = reqwest::Method::GET;
                    case.path = "/graphql?query=%7Bme%7Bname%7D%7D".into();
                }
                _ => case.body = vec![b'x'; MAX_BODY + rng.random_range(1..10_000)],
            }
            case
        }
    }
}

// ---------------------------------------------------------------- judging

/// The library whose staff sent the case (None for network roles).
fn staff_library(sender: &Sender) -> Option<&'static str> {
    match sender {
        Sender::Staff(library) => Some(library),
        _ => None,
    }
}

/// Finds request objects anywhere in `data` and checks that `library` may
/// see each, and the patron only of its own requests.
fn check_visibility(value: &Value, library: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            // A request object (not an event's data, which names them as text).
            if let (Some(Value::Object(borrower)), Some(rota)) =
                (object.get("borrower"), object.get("rota"))
            {
                let borrower = borrower["id"].as_str().unwrap_or_default();
                let in_rota = rota.as_array().is_some_and(|r| {
                    r.iter()
                        .any(|e| e["library"]["id"].as_str() == Some(library))
                });
                if borrower != library && !in_rota {
                    problems.push(format!(
                        "{library} was shown a request of {borrower}: {value}"
                    ));
                }
                if borrower != library && object.get("patron").is_some_and(|p| !p.is_null()) {
                    problems.push(format!(
                        "{library} was shown the patron of {borrower}'s request"
                    ));
                }
            }
            if let Some(accounts) = object.get("accounts").and_then(Value::as_array) {
                if !accounts.is_empty() {
                    problems.push(format!("STAFF of {library} listed accounts"));
                }
            }
            for inner in object.values() {
                check_visibility(inner, library, problems);
            }
        }
        Value::Array(items) => {
            for inner in items {
                check_visibility(inner, library, problems);
            }
        }
        _ => {}
    }
}

/// What an answer must not be; `Err` with why.
fn judge(case: &Case, status: u16, text: &str) -> Result<String, String> {
    if status >= 500 {
        return Err(format!("HTTP {status}: {text}"));
    }
    if status != 200 {
        return Ok(format!("HTTP {status}"));
    }
    if case.method != reqwest::Method::POST || case.path != "/graphql" {
        return Ok("HTTP 200".into());
    }
    let body: Value = serde_json::from_str(text).map_err(|_| format!("not JSON: {text:.300}"))?;
    let responses = match &body {
        Value::Array(all) => all.clone(),
        single => vec![single.clone()],
    };
    let mut outcome = "data".to_owned();
    for response in &responses {
        for error in response["errors"].as_array().into_iter().flatten() {
            let code = error["extensions"]["code"].as_str();
            match code {
                Some(code) if CODES.contains(&code) => outcome = code.to_owned(),
                other => return Err(format!("error code {other:?}: {error}")),
            }
        }
        if let Some(library) = staff_library(&case.sender) {
            let mut problems = Vec::new();
            check_visibility(&response["data"], library, &mut problems);
            if let Some(problem) = problems.first() {
                return Err(format!("cross-library read: {problem:.500}"));
            }
        }
    }
    Ok(outcome)
}

// ---------------------------------------------------------------- the run

async fn fixture(url: &str) -> Fixture {
    let admin = format!("ill_test_admin_{}", Uuid::new_v4().simple());
    let config = NodeConfig::new(url, &admin).request_timeout(10);
    let node = Node::start("fuzzed", &config).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let accounts = setup_network(&client, &node.base, &admin, 0, 0, &LIBRARIES).await;
    // A token that worked once.
    let revoked = must(
        &client,
        &node.base,
        &admin,
        r#"mutation { createStaffToken(library: "L1", name: "leaver", role: STAFF) }"#,
        json!({}),
    )
    .await["createStaffToken"]
        .as_str()
        .unwrap()
        .to_owned();
    must(
        &client,
        &node.base,
        &admin,
        r#"mutation { revokeStaffTokens(library: "L1", name: "leaver") }"#,
        json!({}),
    )
    .await;
    let fixture = Fixture {
        base: node.base.clone(),
        node: Mutex::new(node),
        client,
        accounts,
        revoked,
        pool: Mutex::new(Vec::new()),
    };
    for i in 0..12 {
        place_one(&fixture, i).await;
    }
    fixture
}

/// Places a request into the pool: mostly BOR's, some OUT's (which BOR and
/// L1, L2 may not see).
async fn place_one(fixture: &Fixture, i: usize) {
    let (borrower, rotas): (&str, &[&[&str]]) = if i % 4 == 3 {
        ("OUT", &[&["L3"], &["L3", "BOR"]])
    } else {
        (
            "BOR",
            &[&["L1"], &["L1", "L2"], &["L2", "L3", "L1"], &["L3"]],
        )
    };
    let data = must(
        &fixture.client,
        &fixture.base,
        fixture.accounts.token(borrower),
        "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id } }",
        json!({ "input": {
            "patron": { "barcode": format!("{borrower}-{i}"), "name": "Pool Reader" },
            "item": { "title": format!("Pool item {i}") },
            "lenders": rotas[i % rotas.len()],
        }}),
    )
    .await;
    let id = data["placeRequest"]["id"].as_str().unwrap().to_owned();
    fixture.pool.lock().unwrap().push(id);
}

async fn send(fixture: &Fixture, case: &Case) -> Result<(u16, String), String> {
    let mut request = fixture
        .client
        .request(
            case.method.clone(),
            format!("{}{}", fixture.base, case.path),
        )
        .body(case.body.clone());
    if let Some(content_type) = &case.content_type {
        request = request.header(reqwest::header::CONTENT_TYPE, content_type);
    }
    if let Some(authorization) = fixture.token(&case.sender) {
        request = request.header(reqwest::header::AUTHORIZATION, authorization);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer: {e:?}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| format!("no body: {e}"))?;
    Ok((status, text))
}

/// Every event a STAFF account stored is its own library's to store.
async fn check_writes(url: &str) -> usize {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "SELECT aggregate_id, sequence, event_type, payload::text, metadata::text FROM events
          WHERE aggregate_type = 'IllRequest' ORDER BY aggregate_id, sequence",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let lender_acts = [
        "LenderWillSupply",
        "ConditionsProposed",
        "LenderDeclined",
        "ItemShipped",
        "CopyDelivered",
        "ItemCheckedIn",
    ];
    let borrower_acts = [
        "RequestPlaced",
        "ItemReceived",
        "CheckedOutToPatron",
        "ReturnedByPatron",
        "ReturnShipped",
        "ConditionsAccepted",
        "ConditionsRejected",
        "CancelRequested",
        "Rerouted",
        "RenewalRequested",
    ];
    let mut borrower = HashMap::new();
    let mut asked: HashMap<String, Vec<String>> = HashMap::new();
    for (id, sequence, kind, payload, metadata) in &rows {
        let payload: Value = serde_json::from_str(payload).unwrap();
        let metadata: Value = serde_json::from_str(metadata).unwrap();
        let data = payload
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .unwrap_or_default();
        if kind == "RequestPlaced" {
            borrower.insert(id.clone(), data["borrower"].as_str().unwrap().to_owned());
        }
        for lender in data["rota"].as_array().into_iter().flatten() {
            asked
                .entry(id.clone())
                .or_default()
                .push(lender.as_str().unwrap().to_owned());
        }
        if metadata["role"] != "STAFF" {
            continue;
        }
        let library = metadata["library"].as_str().unwrap();
        let owner = &borrower[id];
        let allowed = if lender_acts.contains(&kind.as_str()) {
            data["lender"].as_str() == Some(library)
        } else if borrower_acts.contains(&kind.as_str()) {
            library == owner
        } else {
            library == owner
                || asked
                    .get(id)
                    .is_some_and(|a| a.iter().any(|l| l == library))
        };
        assert!(
            allowed,
            "request {id} event {sequence} {kind} was stored by STAFF of {library}: {data}"
        );
    }
    rows.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_input_never_breaks_the_server() {
    let cases: usize = std::env::var("ILL_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if workload::long_run() { 10_000 } else { 400 });
    let seed = workload::seed("hostile_input");
    let url = fresh_url(Backend::Postgres).await;
    let fixture = Arc::new(fixture(&url).await);
    let pool = fixture.pool.lock().unwrap().clone();
    for case in regressions(&pool) {
        let sent = Instant::now();
        let verdict = send(&fixture, &case)
            .await
            .and_then(|(status, text)| judge(&case, status, &text));
        let took = sent.elapsed();
        let outcome = verdict.unwrap_or_else(|why| panic!("{}: {why:.1000}", case.kind));
        eprintln!(
            "hostile_input: {}: {outcome} in {:.3} s",
            case.kind,
            took.as_secs_f64()
        );
        assert!(
            took < Duration::from_secs(2),
            "{}: took {took:?}",
            case.kind
        );
        let expected = match case.kind {
            "regression: a body over the limit" => "HTTP 413",
            "regression: the request after it" => "data",
            _ => "BAD_INPUT",
        };
        assert_eq!(outcome, expected, "{}", case.kind);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let outcomes: Arc<Mutex<BTreeMap<(&'static str, String), usize>>> = Arc::default();
    let slowest = Arc::new(Mutex::new((Duration::ZERO, String::new())));
    let started = Instant::now();
    let workers: usize = std::env::var("ILL_FUZZ_WORKERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4);
    let workers: Vec<_> = (0..workers)
        .map(|_| {
            let (fixture, next, outcomes, slowest) = (fixture.clone(), next.clone(), outcomes.clone(), slowest.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= cases {
                        return;
                    }
                    if i % 50 == 49 {
                        place_one(&fixture, i).await;
                    }
                    let pool = fixture.pool.lock().unwrap().clone();
                    let mut rng = StdRng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                    let case = generate(&mut rng, &pool);
                    let sent = Instant::now();
                    let answer = send(&fixture, &case).await;
                    let took = sent.elapsed();
                    let preview = String::from_utf8_lossy(&case.body).chars().take(400).collect::<String>();
                    let verdict = match answer {
                        Ok((status, text)) => judge(&case, status, &text),
                        // Over the limit the server answers 413 and closes
                        // while the client may still be sending.
                        Err(_) if case.body.len() > MAX_BODY => Ok("HTTP 413 (closed while sending)".into()),
                        Err(why) => Err(why),
                    };
                    if std::env::var("ILL_FUZZ_TRACE").is_ok() {
                        eprintln!("case {i}: {} {} bytes from {:?}: {verdict:.200?}", case.kind, case.body.len(), case.sender);
                    }
                    match verdict {
                        Ok(outcome) => *outcomes.lock().unwrap().entry((case.kind, outcome)).or_default() += 1,
                        Err(why) => {
                            let log = fixture.node.lock().unwrap().log();
                            panic!(
                                "case {i} (seed {seed}, {}, from {:?}, {} bytes) failed: {why:.2000}\nsent: {preview}\nnode log tail:\n{}",
                                case.kind, case.sender, case.body.len(),
                                log.chars().rev().take(3000).collect::<String>().chars().rev().collect::<String>()
                            );
                        }
                    }
                    let mut slow = slowest.lock().unwrap();
                    if took > slow.0 {
                        *slow = (took, format!("case {i}, {}: {preview:.120}", case.kind));
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a fuzz worker failed");
    }
    let elapsed = started.elapsed();
    {
        let mut node = fixture.node.lock().unwrap();
        assert!(node.is_running(), "the server died:\n{}", node.log());
        assert!(
            node.panics().is_empty(),
            "the server panicked: {:?}",
            node.panics()
        );
        let log = node.log();
        let internal = log.lines().filter(|l| l.contains("internal error")).count();
        assert_eq!(internal, 0, "internal errors logged:\n{log}");
    }
    // No stored event stopped the projector (verify compares at its checkpoint).
    workload::wait_for_projections(
        &fixture.client,
        std::slice::from_ref(&fixture.base),
        Duration::from_secs(30),
    )
    .await;
    let events = check_writes(&url).await;
    nodes::replay_verify(&url).await;
    let outcomes = outcomes.lock().unwrap();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_outcome: BTreeMap<&str, usize> = BTreeMap::new();
    for ((kind, outcome), n) in outcomes.iter() {
        *by_kind.entry(kind).or_default() += n;
        *by_outcome.entry(outcome.as_str()).or_default() += n;
    }
    let slowest = slowest.lock().unwrap();
    eprintln!(
        "hostile_input: {cases} cases in {:.1} s; by kind {by_kind:?}; answers {by_outcome:?}; \
         slowest {:.2} s ({}); {events} events stored, each by a library entitled to it; verify passed",
        elapsed.as_secs_f64(),
        slowest.0.as_secs_f64(),
        slowest.1
    );
}
