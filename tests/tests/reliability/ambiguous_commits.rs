//! Ambiguous commits (RELIABILITY.md): a client whose connection breaks
//! after it sent a mutation cannot know whether it was stored, so it sends
//! it again. `placeRequest` with the same client-chosen `id`, any mutation
//! with the `expectedVersion` it read, and `addNote` with the same `noteId`
//! must then be stored once, however the first attempt ended: the client
//! hung up after sending (each backend, in-process server), or the node
//! died with SIGKILL while the commands were in flight (PostgreSQL, real
//! processes, retried on another node).

use std::collections::HashMap;
use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ill_tests::nodes::{Node, NodeConfig};
use ill_tests::workload::{call, check_log, must, setup_network, Ack, Reply};
use ill_tests::{event_types, Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;
use store::testing::fresh_url;
use uuid::Uuid;

/// Sends one GraphQL request over a fresh connection and hangs up
/// `delay_ms` later without reading the answer.
async fn send_and_hang_up(
    addr: SocketAddr,
    token: &str,
    query: &str,
    variables: Value,
    delay_ms: u64,
) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = stream.shutdown(Shutdown::Both);
    })
    .await
    .unwrap();
}

/// Hang-up delays: at once, within the command, and after it.
const DELAYS_MS: [u64; 10] = [0, 0, 1, 2, 3, 5, 8, 13, 21, 34];

const PLACE: &str = "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) {
    id version patron { barcode name } history { type data } } }";

fn count(request: &Value, kind: &str) -> usize {
    event_types(request).iter().filter(|t| *t == kind).count()
}

async fn place_request_retried_after_a_hang_up_is_placed_once(backend: Backend) {
    let net = Network::new(backend).await;
    let addr = net.app.server.addr;
    for (i, delay) in DELAYS_MS.into_iter().enumerate() {
        let id = Uuid::new_v4();
        let input = json!({
            "id": id,
            "patron": { "barcode": format!("2100{i}"), "name": "Ada Reader" },
            "item": { "title": format!("Retried {i}") },
            "lenders": ["L1", "L2"],
            "note": "please call the patron",
        });
        send_and_hang_up(addr, &net.bor, PLACE, json!({ "input": input }), delay).await;
        // The retry answers with the one request, however the first ended.
        let placed =
            net.app.ok(&net.bor, PLACE, json!({ "input": input })).await["placeRequest"].clone();
        let again =
            net.app.ok(&net.bor, PLACE, json!({ "input": input })).await["placeRequest"].clone();
        assert_eq!(placed["id"], id.to_string());
        assert_eq!(placed["version"], again["version"]);
        assert_eq!(count(&placed, "RequestPlaced"), 1, "{placed}");
        assert_eq!(placed["patron"]["barcode"], format!("2100{i}"));
        let stored = net.request(&net.bor, &json!(id)).await;
        assert_eq!(stored["version"], placed["version"]);
    }

    // Eight identical calls at once: one request, the same answer to all.
    let id = Uuid::new_v4();
    let input = json!({
        "id": id,
        "patron": { "barcode": "2100999" },
        "item": { "title": "Raced" },
        "lenders": ["L1"],
    });
    let calls = (0..8).map(|_| {
        net.app
            .post(Some(&net.bor), PLACE, json!({ "input": input }))
    });
    let answers = futures::future::join_all(calls).await;
    for answer in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
        assert_eq!(answer["data"]["placeRequest"]["version"], 2, "{answer}");
    }
    assert_eq!(
        count(&net.request(&net.bor, &json!(id)).await, "RequestPlaced"),
        1
    );

    // The same id with other input, or from another library: CONFLICT, no data.
    let mut other = input.clone();
    other["item"]["title"] = json!("Something else");
    let body = net
        .app
        .post(Some(&net.bor), PLACE, json!({ "input": other }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    assert!(body["data"].is_null(), "{body}");
    let mut patron = input.clone();
    patron["patron"]["barcode"] = json!("someone else");
    let body = net
        .app
        .post(Some(&net.bor), PLACE, json!({ "input": patron }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    let mut stranger = input.clone();
    stranger["lenders"] = json!(["L2"]);
    let body = net
        .app
        .post(Some(&net.l1), PLACE, json!({ "input": stranger }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    assert!(
        body["data"].is_null(),
        "no data for another library: {body}"
    );
    assert_eq!(net.version(&json!(id)).await, 2);
}
on_both_backends!(place_request_retried_after_a_hang_up_is_placed_once);

/// The loan's steps: who sends it, the mutation, the event it stores.
const STEPS: [(&str, &str, &str); 7] = [
    (
        "L1",
        "willSupply(id: $id, expectedVersion: $v)",
        "LenderWillSupply",
    ),
    (
        "L1",
        r#"ship(id: $id, dueDate: "2026-04-30", expectedVersion: $v)"#,
        "ItemShipped",
    ),
    (
        "BOR",
        "receive(id: $id, expectedVersion: $v)",
        "ItemReceived",
    ),
    (
        "BOR",
        "checkOutToPatron(id: $id, expectedVersion: $v)",
        "CheckedOutToPatron",
    ),
    (
        "BOR",
        "returnFromPatron(id: $id, expectedVersion: $v)",
        "ReturnedByPatron",
    ),
    (
        "BOR",
        "shipReturn(id: $id, expectedVersion: $v)",
        "ReturnShipped",
    ),
    (
        "L1",
        "checkIn(id: $id, expectedVersion: $v)",
        "ItemCheckedIn",
    ),
];

async fn a_mutation_retried_with_the_version_it_read_applies_once(backend: Backend) {
    let net = Network::new(backend).await;
    let addr = net.app.server.addr;
    let mut stored_by = HashMap::from([("the call that hung up", 0), ("the retry", 0)]);
    for delay in DELAYS_MS {
        let id = net.place(&["L1", "L2"]).await["id"].clone();
        for (actor, mutation, event) in STEPS {
            let token = net.token_of(actor).to_owned();
            let query = format!("mutation($id: UUID!, $v: Int) {{ {mutation} {{ version }} }}");
            let read = net.version(&id).await;
            send_and_hang_up(addr, &token, &query, json!({ "id": id, "v": read }), delay).await;
            let retry = net
                .app
                .post(Some(&token), &query, json!({ "id": id, "v": read }))
                .await;
            match retry["errors"][0]["extensions"]["code"].as_str() {
                None => *stored_by.get_mut("the retry").unwrap() += 1,
                Some("CONFLICT") => *stored_by.get_mut("the call that hung up").unwrap() += 1,
                Some(other) => panic!("{mutation} retried: {other}: {retry}"),
            }
            let request = net.request(&net.bor, &id).await;
            assert_eq!(
                count(&request, event),
                1,
                "{mutation} after a hang-up: {request}"
            );
            assert_eq!(request["version"], read + 1, "{request}");
        }
        assert_eq!(net.request(&net.bor, &id).await["status"], "COMPLETED");
    }
    eprintln!("ambiguous_commits ({backend:?}): each step stored once, by {stored_by:?}");

    // Six copies of one command at once, each with the version read: one
    // is stored, the others are told the request changed.
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    let read = net.version(&id).await;
    let query =
        "mutation($id: UUID!, $v: Int) { willSupply(id: $id, expectedVersion: $v) { version } }";
    let calls = (0..6).map(|_| {
        net.app
            .post(Some(&net.l1), query, json!({ "id": id, "v": read }))
    });
    let answers = futures::future::join_all(calls).await;
    let stored = answers.iter().filter(|a| a.get("errors").is_none()).count();
    assert_eq!(stored, 1, "{answers:?}");
    for answer in answers.iter().filter(|a| a.get("errors").is_some()) {
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "CONFLICT",
            "{answer}"
        );
    }
    assert_eq!(
        count(&net.request(&net.bor, &id).await, "LenderWillSupply"),
        1
    );

    // addNote has no version: the same noteId is one note.
    let note = Uuid::new_v4();
    let query = "mutation($id: UUID!, $n: UUID) { addNote(id: $id, text: \"retried\", noteId: $n) { version } }";
    for delay in [0, 2, 5] {
        send_and_hang_up(addr, &net.bor, query, json!({ "id": id, "n": note }), delay).await;
    }
    let calls = (0..4).map(|_| {
        net.app
            .post(Some(&net.bor), query, json!({ "id": id, "n": note }))
    });
    for answer in futures::future::join_all(calls).await {
        assert!(answer.get("errors").is_none(), "{answer}");
    }
    let request = net.request(&net.bor, &id).await;
    let notes: Vec<&Value> = request["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "NoteAdded")
        .collect();
    assert_eq!(notes.len(), 1, "{request}");
    assert_eq!(notes[0]["data"]["note_id"], note.to_string(), "{request}");
}
on_both_backends!(a_mutation_retried_with_the_version_it_read_applies_once);

/// How the first attempt of one command ended.
#[derive(Debug, Default)]
struct Outcomes {
    acknowledged: usize,
    no_answer: usize,
    /// Of those without an answer: stored anyway (the retry heard CONFLICT
    /// or got the existing request) or not (the retry stored it).
    stored_anyway: usize,
}

/// Commands in flight on a node killed with SIGKILL, retried on another
/// node with the same id or the same expectedVersion: each is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commands_in_flight_on_a_killed_node_are_stored_once_after_retries() {
    let url = fresh_url(Backend::Postgres).await;
    let admin = format!("ill_test_admin_{}", Uuid::new_v4().simple());
    let config = NodeConfig::new(&url, &admin).request_timeout(10);
    let survivor = Node::start("survivor", &config).await;
    let client = reqwest::Client::new();
    let accounts = setup_network(&client, &survivor.base, &admin, 1, 2, &[]).await;
    let borrower = accounts.token("B1").to_owned();
    let lender = accounts.token("L1").to_owned();
    let limit = Duration::from_secs(15);
    let mut acks = Vec::new();
    let (mut placing, mut supplying) = (Outcomes::default(), Outcomes::default());

    for (round, answers_first) in [0usize, 3, 10, 20].into_iter().enumerate() {
        // A victim started now knows every library from the log.
        let mut victim = Node::start(&format!("victim{round}"), &config).await;
        let place =
            "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id version } }";
        let inputs: Vec<Value> = (0..30)
            .map(|i| {
                json!({
                    "id": Uuid::new_v4(),
                    "patron": { "barcode": format!("R{round}P{i}") },
                    "item": { "title": format!("Round {round} item {i}") },
                    "lenders": ["L1", "L2"],
                })
            })
            .collect();
        // Warm the victim's connections, so the commands start at once.
        assert!(ill_tests::nodes::admin_answers(&client, &victim.base, &admin).await);
        let variables = inputs
            .iter()
            .map(|input| json!({ "input": input }))
            .collect();
        let first = fire_and_kill(
            &client,
            &mut victim,
            &borrower,
            place,
            variables,
            answers_first,
        )
        .await;
        for (input, reply) in inputs.iter().zip(first) {
            let id: Uuid = serde_json::from_value(input["id"].clone()).unwrap();
            match reply {
                Reply::Data(_) => {
                    placing.acknowledged += 1;
                    acks.push(ack(id, 1, "RequestPlaced"));
                }
                Reply::Transport(_) => {
                    placing.no_answer += 1;
                    let before = must(
                        &client,
                        &survivor.base,
                        &borrower,
                        "query($id: UUID!) { request(id: $id) { id } }",
                        json!({ "id": id }),
                    )
                    .await;
                    placing.stored_anyway += usize::from(!before["request"].is_null());
                }
                other => panic!("placeRequest on the victim: {other:?}"),
            }
            // The retry, on the survivor: the same request.
            let again = must(
                &client,
                &survivor.base,
                &borrower,
                place,
                json!({ "input": input }),
            )
            .await;
            assert_eq!(again["placeRequest"]["id"], input["id"]);
            acks.push(ack(id, 1, "RequestPlaced"));
        }

        // Now a versioned command on each of those requests.
        let mut victim = Node::start(&format!("victim{round}b"), &config).await;
        assert!(ill_tests::nodes::admin_answers(&client, &victim.base, &admin).await);
        let supply = "mutation($id: UUID!, $v: Int) { willSupply(id: $id, expectedVersion: $v) { version } }";
        let variables = inputs
            .iter()
            .map(|input| json!({ "id": input["id"], "v": 2 }))
            .collect();
        let first = fire_and_kill(
            &client,
            &mut victim,
            &lender,
            supply,
            variables,
            answers_first,
        )
        .await;
        for (input, reply) in inputs.iter().zip(first) {
            let id: Uuid = serde_json::from_value(input["id"].clone()).unwrap();
            let acknowledged = match reply {
                Reply::Data(_) => true,
                Reply::Transport(_) => false,
                other => panic!("willSupply on the victim: {other:?}"),
            };
            if acknowledged {
                supplying.acknowledged += 1;
                acks.push(ack(id, 3, "LenderWillSupply"));
            } else {
                supplying.no_answer += 1;
            }
            let (retry, _) = call(
                &client,
                &survivor.base,
                &lender,
                supply,
                json!({ "id": id, "v": 2 }),
                limit,
            )
            .await;
            match retry {
                Reply::Data(_) => {
                    assert!(!acknowledged, "{id}: applied twice");
                    acks.push(ack(id, 3, "LenderWillSupply"));
                }
                Reply::Refused(code, _) if code == "CONFLICT" => {
                    supplying.stored_anyway += usize::from(!acknowledged);
                }
                other => panic!("willSupply retried: {other:?}"),
            }
        }
    }
    eprintln!("ambiguous_commits (nodes killed mid-command): placeRequest {placing:?}; willSupply {supplying:?}");
    let report = check_log(&url, &acks, true).await;
    assert_eq!(report.requests, 4 * 30);
    // Every request stored exactly one LenderWillSupply (check_log's rules),
    // and every one has it.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let supplied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'LenderWillSupply'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(supplied, 4 * 30);
    pool.close().await;
    ill_tests::nodes::replay_verify(&url).await;
}

/// Sends `query` once per variables to `victim`, all at once, and kills it
/// with SIGKILL as soon as `answers_first` of them have been answered: the
/// rest are in flight or not yet started. The replies, in order.
async fn fire_and_kill(
    client: &reqwest::Client,
    victim: &mut Node,
    token: &str,
    query: &'static str,
    variables: Vec<Value>,
    answers_first: usize,
) -> Vec<Reply> {
    let answered = Arc::new(AtomicUsize::new(0));
    let calls: Vec<_> = variables
        .into_iter()
        .map(|variables| {
            let (client, base, token) = (client.clone(), victim.base.clone(), token.to_owned());
            let answered = answered.clone();
            tokio::spawn(async move {
                let (reply, _) = call(
                    &client,
                    &base,
                    &token,
                    query,
                    variables,
                    Duration::from_secs(15),
                )
                .await;
                answered.fetch_add(1, Ordering::SeqCst);
                reply
            })
        })
        .collect();
    let started = std::time::Instant::now();
    while answered.load(Ordering::SeqCst) < answers_first
        && started.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    victim.kill();
    let mut replies = Vec::new();
    for call in calls {
        replies.push(call.await.expect("a call"));
    }
    replies
}

fn ack(request: Uuid, sequence: i64, event: &'static str) -> Ack {
    Ack {
        request,
        sequence,
        event,
        node: 0,
    }
}
