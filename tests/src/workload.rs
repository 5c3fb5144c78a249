//! A mixed load of whole request lifecycles, driven over HTTP against one or
//! more nodes, for the reliability tests (RELIABILITY.md).
//!
//! Each agent places requests with a client-chosen id (a retry after a
//! broken connection gets the same request), then reads the request and
//! sends the next step of its lifecycle with the `expectedVersion` it read,
//! until the request ends. Every acknowledged mutation is logged as the event
//! it must have stored (the request, the sequence, the event type); a failed
//! call (a dead node, the database away) is ambiguous, so the agent reads the
//! request again and goes on from what it finds.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::nodes;

/// The nodes the agents talk to; the test marks one dead before it kills it
/// (a load balancer's health check), calls in flight to it fail.
pub struct Targets {
    pub bases: Vec<String>,
    alive: Vec<AtomicBool>,
}

impl Targets {
    pub fn new(bases: Vec<String>) -> Targets {
        let alive = bases.iter().map(|_| AtomicBool::new(true)).collect();
        Targets { bases, alive }
    }

    pub fn mark_dead(&self, node: usize) {
        self.alive[node].store(false, Ordering::SeqCst);
    }

    pub fn is_alive(&self, node: usize) -> bool {
        self.alive[node].load(Ordering::SeqCst)
    }

    /// A random live node.
    pub fn pick(&self, rng: &mut impl Rng) -> usize {
        let live: Vec<usize> = (0..self.bases.len())
            .filter(|&i| self.is_alive(i))
            .collect();
        assert!(!live.is_empty(), "no live node left");
        live[rng.random_range(0..live.len())]
    }
}

/// The network the load runs on: borrowing libraries `B1…`, lending
/// libraries `L1…`, a STAFF token each, and a coordinator.
#[derive(Debug, Clone)]
pub struct Accounts {
    pub borrowers: Vec<(String, String)>,
    pub lenders: Vec<(String, String)>,
    pub coordinator: String,
    pub admin: String,
    tokens: HashMap<String, String>,
}

impl Accounts {
    pub fn token(&self, library: &str) -> &str {
        self.tokens
            .get(library)
            .unwrap_or_else(|| panic!("no token for {library}"))
    }
}

/// Registers `borrowers` borrowing and `lenders` lending libraries, and
/// `extra` lending ones, through the node at `base`.
pub async fn setup_network(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    borrowers: usize,
    lenders: usize,
    extra: &[&str],
) -> Accounts {
    let borrower_ids: Vec<String> = (1..=borrowers).map(|i| format!("B{i}")).collect();
    let lender_ids: Vec<String> = (1..=lenders).map(|i| format!("L{i}")).collect();
    let mut tokens = HashMap::new();
    let all = borrower_ids
        .iter()
        .chain(&lender_ids)
        .cloned()
        .chain(extra.iter().map(|e| e.to_string()));
    for id in all {
        must(
            client,
            base,
            admin,
            "mutation($id: ID!) { registerLibrary(input: {id: $id, name: $id, lends: true}) { id } }",
            json!({ "id": id }),
        )
        .await;
        let token = must(
            client,
            base,
            admin,
            "mutation($l: ID!, $n: String!) { createStaffToken(library: $l, name: $n, role: STAFF) }",
            json!({ "l": id, "n": format!("{}-staff", id.to_lowercase()) }),
        )
        .await["createStaffToken"]
            .as_str()
            .unwrap()
            .to_owned();
        tokens.insert(id, token);
    }
    let coordinator = must(
        client,
        base,
        admin,
        r#"mutation { createStaffToken(library: "NETWORK", name: "coordinator", role: COORDINATOR) }"#,
        json!({}),
    )
    .await["createStaffToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let pair = |id: &String| (id.clone(), tokens[id].clone());
    Accounts {
        borrowers: borrower_ids.iter().map(pair).collect(),
        lenders: lender_ids.iter().map(pair).collect(),
        coordinator,
        admin: admin.to_owned(),
        tokens,
    }
}

/// The data of an operation that must succeed.
pub async fn must(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    match call(
        client,
        base,
        token,
        query,
        variables,
        Duration::from_secs(30),
    )
    .await
    .0
    {
        Reply::Data(data) => data,
        other => panic!("{query}: {other:?}"),
    }
}

/// How one GraphQL call over HTTP ended.
#[derive(Debug, Clone)]
pub enum Reply {
    Data(Value),
    /// An error with a contract code other than INTERNAL.
    Refused(String, Value),
    Internal(Value),
    /// A status other than 200.
    Http(u16, String),
    /// No answer: refused connection, reset, or the client's time limit.
    Transport(String),
}

impl Reply {
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Reply::Internal(_) | Reply::Http(..) | Reply::Transport(_)
        )
    }
}

/// POSTs one operation; the reply and how long it took.
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
    variables: Value,
    limit: Duration,
) -> (Reply, Duration) {
    let started = Instant::now();
    let sent = client
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .timeout(limit)
        .send()
        .await;
    let reply = match sent {
        Err(error) => Reply::Transport(error.to_string()),
        Ok(response) => {
            let status = response.status().as_u16();
            match response.text().await {
                Err(error) => Reply::Transport(error.to_string()),
                Ok(text) if status != 200 => Reply::Http(status, text),
                Ok(text) => match serde_json::from_str::<Value>(&text) {
                    Err(_) => Reply::Http(status, text),
                    Ok(body) => match body["errors"][0]["extensions"]["code"].as_str() {
                        None if body.get("errors").is_none() => Reply::Data(body["data"].clone()),
                        Some("INTERNAL") | None => Reply::Internal(body),
                        Some(code) => Reply::Refused(code.to_owned(), body),
                    },
                },
            }
        }
    };
    (reply, started.elapsed())
}

/// An acknowledged mutation: the event it must have stored.
#[derive(Debug, Clone)]
pub struct Ack {
    pub request: Uuid,
    pub sequence: i64,
    pub event: &'static str,
    pub node: usize,
}

/// What the agents saw.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub calls: u64,
    pub mutations_ok: u64,
    pub reads_ok: u64,
    pub refused: BTreeMap<String, u64>,
    pub internal: u64,
    pub http_5xx: u64,
    pub http_other: u64,
    pub transport: u64,
    /// Seconds, of every successful call.
    pub latencies: Vec<f64>,
    /// Seconds, of every acknowledged mutation.
    pub mutation_latencies: Vec<f64>,
    /// Seconds, of every failed call (how fast it failed).
    pub failures: Vec<f64>,
    pub lifecycles_started: u64,
    pub lifecycles_ended: u64,
    /// A few failures, for the report.
    pub examples: Vec<String>,
}

impl Stats {
    fn record(&mut self, reply: &Reply, took: Duration, mutation: bool) {
        self.calls += 1;
        let seconds = took.as_secs_f64();
        match reply {
            Reply::Data(_) => {
                self.latencies.push(seconds);
                if mutation {
                    self.mutations_ok += 1;
                    self.mutation_latencies.push(seconds);
                } else {
                    self.reads_ok += 1;
                }
            }
            Reply::Refused(code, _) => {
                self.latencies.push(seconds);
                *self.refused.entry(code.clone()).or_default() += 1;
            }
            Reply::Internal(_) => self.internal += 1,
            Reply::Http(status, _) if *status >= 500 => self.http_5xx += 1,
            Reply::Http(..) => self.http_other += 1,
            Reply::Transport(_) => self.transport += 1,
        }
        if reply.is_failure() {
            self.failures.push(seconds);
            if self.examples.len() < 5 {
                let text = format!("{reply:?}");
                self.examples.push(text.chars().take(300).collect());
            }
        }
    }

    pub fn merge(&mut self, other: Stats) {
        self.calls += other.calls;
        self.mutations_ok += other.mutations_ok;
        self.reads_ok += other.reads_ok;
        for (code, n) in other.refused {
            *self.refused.entry(code).or_default() += n;
        }
        self.internal += other.internal;
        self.http_5xx += other.http_5xx;
        self.http_other += other.http_other;
        self.transport += other.transport;
        self.latencies.extend(other.latencies);
        self.mutation_latencies.extend(other.mutation_latencies);
        self.failures.extend(other.failures);
        self.lifecycles_started += other.lifecycles_started;
        self.lifecycles_ended += other.lifecycles_ended;
        for example in other.examples {
            if self.examples.len() < 10 {
                self.examples.push(example);
            }
        }
    }

    pub fn failed(&self) -> u64 {
        self.internal + self.http_5xx + self.http_other + self.transport
    }

    pub fn slowest_failure(&self) -> f64 {
        self.failures.iter().copied().fold(0.0, f64::max)
    }

    pub fn summary(&self, elapsed: Duration) -> String {
        let mut latencies = self.latencies.clone();
        format!(
            "{} calls in {:.1} s ({:.0}/s; {} mutations acknowledged, {:.0}/s), \
             latency p50 {:.1} ms p99 {:.1} ms max {:.1} ms; refused {:?}; \
             failed {} (INTERNAL {}, 5xx {}, other HTTP {}, no answer {}; slowest failure {:.2} s); \
             lifecycles {} started, {} ended",
            self.calls,
            elapsed.as_secs_f64(),
            self.calls as f64 / elapsed.as_secs_f64(),
            self.mutations_ok,
            self.mutations_ok as f64 / elapsed.as_secs_f64(),
            percentile(&mut latencies, 0.50) * 1e3,
            percentile(&mut latencies, 0.99) * 1e3,
            percentile(&mut latencies, 1.0) * 1e3,
            self.refused,
            self.failed(),
            self.internal,
            self.http_5xx,
            self.http_other,
            self.transport,
            self.slowest_failure(),
            self.lifecycles_started,
            self.lifecycles_ended,
        )
    }
}

/// The `p` quantile (0..=1) of `values` (sorted in place); 0 when empty.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = (p * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub agents: usize,
    pub duration: Duration,
    pub seed: u64,
    /// The chance of a queue read beside each lifecycle step.
    pub read_share: f64,
    /// The client's own limit per call: past it a call counts as hung.
    pub call_limit: Duration,
}

/// Everything the load produced.
pub struct LoadResult {
    pub stats: Stats,
    pub acks: Vec<Ack>,
    pub elapsed: Duration,
}

/// Runs `config.agents` agents for `config.duration`.
pub async fn run_load(
    targets: Arc<Targets>,
    accounts: Arc<Accounts>,
    config: LoadConfig,
) -> LoadResult {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(config.agents)
        .build()
        .expect("an HTTP client");
    let acks = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let deadline = started + config.duration;
    let agents: Vec<_> = (0..config.agents)
        .map(|i| {
            let agent = Agent {
                client: client.clone(),
                targets: targets.clone(),
                accounts: accounts.clone(),
                acks: acks.clone(),
                rng: StdRng::seed_from_u64(config.seed.wrapping_add(i as u64 * 7919)),
                stats: Stats::default(),
                deadline,
                config: config.clone(),
                last_node: 0,
            };
            tokio::spawn(agent.run())
        })
        .collect();
    let mut stats = Stats::default();
    for agent in agents {
        stats.merge(agent.await.expect("an agent panicked"));
    }
    let elapsed = started.elapsed();
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    LoadResult {
        stats,
        acks,
        elapsed,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// willSupply, ship, receive, check out, return, ship back, check in.
    Loan,
    /// The first lender declines; the next supplies (or it ends UNFILLED).
    DeclineFirst,
    /// A COPY delivered.
    Copy,
    /// Cancelled while waiting.
    Cancel,
    /// Conditions proposed and accepted, then a loan.
    Conditions,
}

const READ_REQUEST: &str = "query($id: UUID!) { request(id: $id) {
    version status serviceType condition borrower { id } lender { id } rota { position library { id } } } }";

struct Agent {
    client: reqwest::Client,
    targets: Arc<Targets>,
    accounts: Arc<Accounts>,
    acks: Arc<Mutex<Vec<Ack>>>,
    rng: StdRng,
    stats: Stats,
    deadline: Instant,
    config: LoadConfig,
    last_node: usize,
}

impl Agent {
    async fn run(mut self) -> Stats {
        while Instant::now() < self.deadline {
            self.lifecycle().await;
        }
        self.stats
    }

    async fn send(&mut self, token: &str, query: &str, variables: Value, mutation: bool) -> Reply {
        let node = self.targets.pick(&mut self.rng);
        let base = self.targets.bases[node].clone();
        self.last_node = node;
        let (reply, took) = call(
            &self.client,
            &base,
            token,
            query,
            variables,
            self.config.call_limit,
        )
        .await;
        self.stats.record(&reply, took, mutation);
        if reply.is_failure() {
            // The node or the database is away: do not hammer it.
            let pause = self.rng.random_range(50..250);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        reply
    }

    async fn lifecycle(&mut self) {
        let scenario = match self.rng.random_range(0..10) {
            0..=3 => Scenario::Loan,
            4 | 5 => Scenario::DeclineFirst,
            6 => Scenario::Copy,
            7 => Scenario::Cancel,
            _ => Scenario::Conditions,
        };
        let (borrower, borrower_token) = self.accounts.borrowers
            [self.rng.random_range(0..self.accounts.borrowers.len())]
        .clone();
        let mut lenders: Vec<String> = self
            .accounts
            .lenders
            .iter()
            .map(|(l, _)| l.clone())
            .collect();
        let rota_len = self.rng.random_range(1..=3.min(lenders.len()));
        let mut rota = Vec::new();
        for _ in 0..rota_len {
            rota.push(lenders.swap_remove(self.rng.random_range(0..lenders.len())));
        }
        let id = Uuid::new_v4();
        let service = if scenario == Scenario::Copy {
            "COPY"
        } else {
            "LOAN"
        };
        let input = json!({
            "id": id,
            "patron": { "barcode": format!("P{}", self.rng.random_range(100000..999999)), "name": "Load Reader" },
            "item": { "title": format!("Load title {}", self.rng.random_range(0..10_000)), "author": "Agent" },
            "serviceType": service,
            "lenders": rota,
        });
        self.stats.lifecycles_started += 1;
        // Placing: the same id and input again after any failure is safe.
        loop {
            if Instant::now() >= self.deadline {
                return;
            }
            let reply = self
                .send(
                    &borrower_token,
                    "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id version } }",
                    json!({ "input": input }),
                    true,
                )
                .await;
            match reply {
                Reply::Data(_) => {
                    self.ack(id, 1, "RequestPlaced");
                    break;
                }
                Reply::Refused(..) => return,
                _ => continue,
            }
        }
        for _ in 0..40 {
            if Instant::now() >= self.deadline {
                return;
            }
            let Some(request) = self.read(&borrower_token, id).await else {
                return;
            };
            let Some(step) = next_step(scenario, &request, &borrower) else {
                self.stats.lifecycles_ended += 1;
                return;
            };
            let version = request["version"].as_i64().unwrap();
            let token = self.accounts.token(&step.actor).to_owned();
            let query = format!(
                "mutation($id: UUID!, $v: Int) {{ {}(id: $id, {} expectedVersion: $v) {{ id version status }} }}",
                step.mutation, step.arguments
            );
            let reply = self
                .send(&token, &query, json!({ "id": id, "v": version }), true)
                .await;
            if let Reply::Data(_) = reply {
                self.ack(id, version + 1, step.event);
            }
            if self.rng.random_bool(self.config.read_share) {
                self.read_queue().await;
            }
        }
    }

    fn ack(&mut self, request: Uuid, sequence: i64, event: &'static str) {
        let node = self.last_node;
        self.acks.lock().unwrap().push(Ack {
            request,
            sequence,
            event,
            node,
        });
    }

    /// The request as it stands, read (again and again, through any live
    /// node) until an answer comes or the load is over.
    async fn read(&mut self, token: &str, id: Uuid) -> Option<Value> {
        while Instant::now() < self.deadline {
            match self
                .send(token, READ_REQUEST, json!({ "id": id }), false)
                .await
            {
                Reply::Data(data) if !data["request"].is_null() => {
                    return Some(data["request"].clone())
                }
                Reply::Data(data) => panic!("request {id} vanished: {data}"),
                _ => continue,
            }
        }
        None
    }

    async fn read_queue(&mut self) {
        let (library, token) =
            self.accounts.lenders[self.rng.random_range(0..self.accounts.lenders.len())].clone();
        let _ = self
            .send(
                &token,
                "query($l: ID!) { queue(library: $l, side: LENDING, first: 20) { totalCount edges { node { id status } } } }",
                json!({ "l": library }),
                false,
            )
            .await;
    }
}

struct Step {
    mutation: &'static str,
    arguments: String,
    actor: String,
    event: &'static str,
}

/// The next step of a lifecycle from the request as read; `None` once it ended.
fn next_step(scenario: Scenario, request: &Value, borrower: &str) -> Option<Step> {
    let lender = request["lender"]["id"].as_str().map(str::to_owned);
    let first_lender = request["rota"][0]["library"]["id"].as_str();
    let by_borrower = |mutation, event| Step {
        mutation,
        arguments: String::new(),
        actor: borrower.to_owned(),
        event,
    };
    let by_lender = |mutation, arguments: &str, event| Step {
        mutation,
        arguments: arguments.to_owned(),
        actor: lender.clone().expect("a current lender"),
        event,
    };
    let due = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(30))
        .unwrap();
    match request["status"].as_str()? {
        "REQUESTED" => Some(match scenario {
            Scenario::Cancel => by_borrower("cancel", "RequestCancelled"),
            Scenario::DeclineFirst if lender.as_deref() == first_lender => {
                by_lender("decline", "reason: NOT_HELD,", "LenderDeclined")
            }
            Scenario::Conditions => by_lender(
                "proposeConditions",
                "condition: LIBRARY_USE_ONLY,",
                "ConditionsProposed",
            ),
            Scenario::Copy => by_lender("deliverCopy", "", "CopyDelivered"),
            _ => by_lender("willSupply", "", "LenderWillSupply"),
        }),
        "CONDITIONAL" => Some(by_borrower("acceptConditions", "ConditionsAccepted")),
        "WILL_SUPPLY" if request["serviceType"] == "COPY" => {
            Some(by_lender("deliverCopy", "", "CopyDelivered"))
        }
        "WILL_SUPPLY" => Some(by_lender(
            "ship",
            &format!("dueDate: \"{due}\","),
            "ItemShipped",
        )),
        "SHIPPED" => Some(by_borrower("receive", "ItemReceived")),
        "RECEIVED" => Some(by_borrower("checkOutToPatron", "CheckedOutToPatron")),
        "CHECKED_OUT" => Some(by_borrower("returnFromPatron", "ReturnedByPatron")),
        "RETURNED_BY_PATRON" => Some(by_borrower("shipReturn", "ReturnShipped")),
        "RETURN_SHIPPED" => Some(by_lender("checkIn", "", "ItemCheckedIn")),
        _ => None,
    }
}

/// What the event log holds after a load.
#[derive(Debug, Clone, Default)]
pub struct LogReport {
    pub requests: usize,
    pub events: usize,
    pub acks_checked: usize,
}

/// Event types a lifecycle of the load stores at most once per request.
const ONCE: [&str; 10] = [
    "RequestPlaced",
    "LenderWillSupply",
    "ConditionsAccepted",
    "ItemShipped",
    "CopyDelivered",
    "ItemReceived",
    "CheckedOutToPatron",
    "ReturnedByPatron",
    "ReturnShipped",
    "ItemCheckedIn",
];

/// Checks the log against the acknowledgements: every acknowledged
/// mutation's event is stored at its sequence; every stream's sequences run
/// 1, 2, … with neither gap nor duplicate; with `load_rules`, no step of the
/// load's lifecycles is stored twice for one request.
pub async fn check_log(database_url: &str, acks: &[Ack], load_rules: bool) -> LogReport {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(database_url)
        .await
        .expect("connect to the event log");
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT aggregate_type, aggregate_id, sequence, event_type FROM events
          ORDER BY aggregate_type, aggregate_id, sequence",
    )
    .fetch_all(&pool)
    .await
    .expect("read the event log");
    pool.close().await;
    let mut streams: BTreeMap<(String, String), Vec<(i64, String)>> = BTreeMap::new();
    for (kind, id, sequence, event) in rows.iter().cloned() {
        streams
            .entry((kind, id))
            .or_default()
            .push((sequence, event));
    }
    let mut requests = 0;
    for ((kind, id), events) in &streams {
        let sequences: Vec<i64> = events.iter().map(|(s, _)| *s).collect();
        let expected: Vec<i64> = (1..=events.len() as i64).collect();
        assert_eq!(
            sequences, expected,
            "{kind} {id}: sequences with a gap or a duplicate"
        );
        if kind == "IllRequest" {
            requests += 1;
            assert_eq!(events[0].1, "RequestPlaced", "request {id} starts oddly");
            if load_rules {
                for once in ONCE {
                    let n = events.iter().filter(|(_, e)| e == once).count();
                    assert!(n <= 1, "request {id} stored {once} {n} times: {events:?}");
                }
            }
        }
    }
    for ack in acks {
        let stream = streams
            .get(&("IllRequest".to_owned(), ack.request.to_string()))
            .unwrap_or_else(|| panic!("acknowledged {ack:?}, but the request is not in the log"));
        let stored = stream.get(ack.sequence as usize - 1);
        assert_eq!(
            stored.map(|(_, e)| e.as_str()),
            Some(ack.event),
            "acknowledged {ack:?}, but the log holds {stored:?} there"
        );
    }
    LogReport {
        requests,
        events: rows.len(),
        acks_checked: acks.len(),
    }
}

/// Waits until every projection on some live node has caught up (lag 0 and
/// the same position as the log's head is not visible over HTTP, so: lag 0
/// on two samples in a row), up to `limit`.
pub async fn wait_for_projections(client: &reqwest::Client, bases: &[String], limit: Duration) {
    let started = Instant::now();
    let mut quiet = 0;
    while started.elapsed() < limit {
        let mut worst: Option<f64> = None;
        for base in bases {
            if let Some(samples) = nodes::metrics(client, base).await {
                for (name, value) in samples {
                    if name.starts_with("ill_projector_lag_seconds") {
                        worst = Some(worst.unwrap_or(0.0).max(value));
                    }
                }
            }
        }
        if worst == Some(0.0) {
            quiet += 1;
            if quiet >= 2 {
                return;
            }
        } else {
            quiet = 0;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the projections did not catch up within {limit:?}");
}

/// `ill_projector_lag_seconds` as sampled: the largest any live node
/// reported, and each projection's (largest over the nodes).
#[derive(Debug, Clone, Default)]
pub struct LagSamples {
    pub worst: Vec<f64>,
    pub by_projection: BTreeMap<String, Vec<f64>>,
}

impl LagSamples {
    /// "name p99 X s" for each projection.
    pub fn per_projection(&self) -> String {
        self.by_projection
            .iter()
            .map(|(name, samples)| {
                let mut samples = samples.clone();
                format!("{name} p99 {:.3} s", percentile(&mut samples, 0.99))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Samples the projector's lag on every live node, every `every`, until
/// `stop` turns true.
pub fn sample_lag(
    client: reqwest::Client,
    targets: Arc<Targets>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<LagSamples> {
    tokio::spawn(async move {
        let mut samples = LagSamples::default();
        while !stop.load(Ordering::SeqCst) {
            let mut round: BTreeMap<String, f64> = BTreeMap::new();
            for (i, base) in targets.bases.iter().enumerate() {
                if !targets.is_alive(i) {
                    continue;
                }
                for (name, value) in nodes::metrics(&client, base).await.unwrap_or_default() {
                    if let Some(labels) = name.strip_prefix("ill_projector_lag_seconds") {
                        let projection = labels
                            .trim_start_matches("{projection=\"")
                            .trim_end_matches("\"}")
                            .to_owned();
                        let worst = round.entry(projection).or_insert(0.0);
                        *worst = worst.max(value);
                    }
                }
            }
            if !round.is_empty() {
                samples
                    .worst
                    .push(round.values().copied().fold(0.0, f64::max));
                for (projection, value) in round {
                    samples
                        .by_projection
                        .entry(projection)
                        .or_default()
                        .push(value);
                }
            }
            tokio::time::sleep(every).await;
        }
        samples
    })
}

/// Whether the long variants run (`ILL_LONG=1`).
pub fn long_run() -> bool {
    std::env::var("ILL_LONG").is_ok_and(|v| v == "1")
}

/// A seed from `ILL_SEED`, else from the clock; printed so a run can be repeated.
pub fn seed(test: &str) -> u64 {
    let seed = std::env::var("ILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("{test}: seed {seed} (repeat with ILL_SEED={seed})");
    seed
}
