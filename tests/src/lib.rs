//! The harness for end-to-end tests: a real `ill-server` on port 0 with a
//! fresh store of either backend, a controllable clock, and a GraphQL client.

pub mod browser;
pub mod catalogue;
pub mod history;
pub mod latency;
pub mod nodes;
pub mod workload;

use std::sync::Arc;
use std::time::Duration;

use domain::testing::{BOR, L1, L2, L3};
use domain::{Calendar, ManualClock};
use serde_json::{json, Value};
use store::testing::fresh_url;
pub use store::testing::Backend;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub admin: String,
    pub server: api::RunningServer,
    pub database_url: String,
}

/// The instant every test network starts at: the fixture network's epoch.
pub use domain::testing::test_epoch;

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// `spawn_app` with some settings changed first.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut api::Settings),
) -> TestApp {
    let database_url = fresh_url(backend).await;
    let admin = format!("ill_test_admin_{}", uuid::Uuid::new_v4().simple());
    let clock = Arc::new(ManualClock::new(test_epoch()));
    start_node(database_url, admin, clock, configure).await
}

/// A server on an existing store (e.g. a benchmark's kept history), its
/// clock at the test epoch.
pub async fn spawn_app_on(
    database_url: String,
    configure: impl FnOnce(&mut api::Settings),
) -> TestApp {
    let admin = format!("ill_test_admin_{}", uuid::Uuid::new_v4().simple());
    let clock = Arc::new(ManualClock::new(test_epoch()));
    start_node(database_url, admin, clock, configure).await
}

/// A server on `database_url` (a node beside others on the same store).
async fn start_node(
    database_url: String,
    admin: String,
    clock: Arc<ManualClock>,
    configure: impl FnOnce(&mut api::Settings),
) -> TestApp {
    log_server_errors();
    let mut settings = api::Settings {
        database_url: database_url.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        calendar: Calendar::default(),
        lender_response_days: 5,
        demo: None,
        bootstrap_admin_token: Some(admin.clone()),
        patron_retention_days: 90,
        request_timeout: Duration::from_secs(30),
        scheduler_interval: Duration::from_millis(100),
        private_stats: false,
        max_rota: 5,
        security: Default::default(),
    };
    configure(&mut settings);
    let server = api::start(settings, clock.clone())
        .await
        .expect("start the server");
    TestApp {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::new(),
        clock,
        admin,
        server,
        database_url,
    }
}

/// Prints the servers' warnings and errors (a 500's cause) with the test's
/// output; `RUST_LOG` chooses otherwise.
fn log_server_errors() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Only the first test of a binary installs it; the rest find it there.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_test_writer()
        .try_init();
}

impl TestApp {
    /// Another server on the same store and clock: a second node.
    pub async fn another_node(&self) -> TestApp {
        start_node(
            self.database_url.clone(),
            self.admin.clone(),
            self.clock.clone(),
            |_| {},
        )
        .await
    }

    /// POSTs one GraphQL operation; the whole response body.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST /graphql");
        assert!(response.status().is_success(), "HTTP {}", response.status());
        response.json().await.expect("a JSON body")
    }

    /// The data of a successful operation; panics with the errors otherwise.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.post(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// The error code of a failing operation; panics if it succeeded.
    pub async fn error_code(&self, token: Option<&str>, query: &str, variables: Value) -> String {
        let body = self.post(token, query, variables).await;
        let code = body["errors"][0]["extensions"]["code"].as_str();
        code.unwrap_or_else(|| panic!("expected an error, got {body}"))
            .to_owned()
    }

    pub async fn register_library(&self, id: &str, lends: bool) {
        self.ok(
            &self.admin,
            "mutation($id: ID!, $lends: Boolean!) { registerLibrary(input: {id: $id, name: $id, lends: $lends}) { id } }",
            json!({ "id": id, "lends": lends }),
        )
        .await;
    }

    pub async fn token(&self, library: &str, name: &str, role: &str) -> String {
        let data = self
            .ok(
                &self.admin,
                "mutation($l: ID!, $n: String!, $r: Role!) { createStaffToken(library: $l, name: $n, role: $r) }",
                json!({ "l": library, "n": name, "r": role }),
            )
            .await;
        data["createStaffToken"].as_str().unwrap().to_owned()
    }

    /// Gives the account a password for the web client (creating it as
    /// `role` if new), through the ADMIN mutation.
    pub async fn set_password(&self, library: &str, name: &str, password: &str, role: &str) {
        self.ok(
            &self.admin,
            "mutation($l: ID!, $n: String!, $p: String!, $r: Role) { setAccountPassword(library: $l, name: $n, password: $p, role: $r) }",
            json!({ "l": library, "n": name, "p": password, "r": role }),
        )
        .await;
    }

    /// Waits (up to 5 s) until `check` holds for the data of `query`: the
    /// read models follow the log through the projector.
    pub async fn eventually(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        self.eventually_within(Duration::from_secs(5), token, query, variables, check)
            .await
    }

    /// Like [`TestApp::eventually`], with its own time limit.
    pub async fn eventually_within(
        &self,
        limit: Duration,
        token: &str,
        query: &str,
        variables: Value,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = std::time::Instant::now();
        loop {
            let data = self.ok(token, query, variables.clone()).await;
            if check(&data) {
                return data;
            }
            assert!(
                started.elapsed() < limit,
                "still not so after {limit:?}: {data}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// POSTs `body` as it is to /graphql: the HTTP status and the body text.
    pub async fn post_raw(&self, token: Option<&str>, body: String) -> (u16, String) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// GETs a path of the server: the HTTP status and the body text.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }
}

/// The event types of a request's history, in order.
pub fn event_types(request: &Value) -> Vec<String> {
    request["history"]
        .as_array()
        .expect("a history")
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// The fields of a request the tests look at.
pub const REQUEST_FIELDS: &str = "id version status serviceType borrower { id } lender { id }
    rota { position library { id } outcome reason } dueDate overdue recalled renewalPending
    cancelPending condition placedAt updatedAt patron { barcode name }
    history { sequence type actor library role coordinatorReason data }";

/// A small network: the fixture network's borrower `BOR` and lenders
/// `L1`..`L3`, a token each, and a coordinator of the server's own library.
pub struct Network {
    pub app: TestApp,
    pub bor: String,
    pub l1: String,
    pub l2: String,
    pub l3: String,
    pub coordinator: String,
}

impl Network {
    pub async fn new(backend: Backend) -> Network {
        Network::new_with(backend, |_| {}).await
    }

    /// The same network on a server with some settings changed first.
    pub async fn new_with(backend: Backend, configure: impl FnOnce(&mut api::Settings)) -> Network {
        let app = spawn_app_with(backend, configure).await;
        for id in [BOR, L1, L2, L3] {
            app.register_library(id, true).await;
        }
        let bor = app.token(BOR, "bor-staff", "STAFF").await;
        let l1 = app.token(L1, "l1-staff", "STAFF").await;
        let l2 = app.token(L2, "l2-staff", "STAFF").await;
        let l3 = app.token(L3, "l3-staff", "STAFF").await;
        let coordinator = app
            .token(api::startup::NETWORK_LIBRARY, "coordinator", "COORDINATOR")
            .await;
        Network {
            app,
            bor,
            l1,
            l2,
            l3,
            coordinator,
        }
    }

    /// Places a LOAN from BOR to `lenders`; the request.
    pub async fn place(&self, lenders: &[&str]) -> Value {
        self.place_with(lenders, json!({})).await
    }

    /// Places a request with extra input fields merged in.
    pub async fn place_with(&self, lenders: &[&str], extra: Value) -> Value {
        let mut input = json!({
            "patron": { "barcode": "2100012345", "name": "Ada Reader" },
            "item": { "title": "The Long Winter", "author": "Wilder, Laura Ingalls" },
            "lenders": lenders,
        });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let query = format!("mutation($input: PlaceRequestInput!) {{ placeRequest(input: $input) {{ {REQUEST_FIELDS} }} }}");
        self.app
            .ok(&self.bor, &query, json!({ "input": input }))
            .await["placeRequest"]
            .clone()
    }

    /// Runs `mutation` (e.g. `ship(id: $id, dueDate: "2026-04-01")`) and
    /// returns the request it answers with.
    pub async fn act(&self, token: &str, id: &Value, mutation: &str) -> Value {
        let name = mutation.split('(').next().unwrap().trim().to_owned();
        let query = format!("mutation($id: UUID!) {{ {mutation} {{ {REQUEST_FIELDS} }} }}");
        self.app.ok(token, &query, json!({ "id": id })).await[name].clone()
    }

    /// The error code `mutation` is refused with.
    pub async fn refused(&self, token: &str, id: &Value, mutation: &str) -> String {
        let query = format!("mutation($id: UUID!) {{ {mutation} {{ id }} }}");
        self.app
            .error_code(Some(token), &query, json!({ "id": id }))
            .await
    }

    pub async fn request(&self, token: &str, id: &Value) -> Value {
        let query = format!("query($id: UUID!) {{ request(id: $id) {{ {REQUEST_FIELDS} }} }}");
        self.app.ok(token, &query, json!({ "id": id })).await["request"].clone()
    }

    /// The request's version as the coordinator reads it (0: no such request).
    pub async fn version(&self, id: &Value) -> i64 {
        let data = self
            .app
            .ok(
                &self.coordinator,
                "query($id: UUID!) { request(id: $id) { version } }",
                json!({ "id": id }),
            )
            .await;
        data["request"]["version"].as_i64().unwrap_or(0)
    }

    /// Asserts that `mutation` is refused with `code` and stored nothing:
    /// the request's version is the same afterwards.
    pub async fn assert_refused(
        &self,
        token: Option<&str>,
        id: &Value,
        mutation: &str,
        code: &str,
    ) {
        let before = self.version(id).await;
        let query = format!("mutation($id: UUID!) {{ {mutation} {{ id }} }}");
        let body = self.app.post(token, &query, json!({ "id": id })).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], code,
            "{mutation}: expected {code}, got {body}"
        );
        assert!(
            body["data"].is_null(),
            "{mutation}: a refusal carries no data: {body}"
        );
        assert_eq!(
            self.version(id).await,
            before,
            "{mutation} was refused with {code} but stored something"
        );
    }

    /// The token of one of the network's staff (BOR, L1, L2, L3).
    pub fn token_of(&self, library: &str) -> &str {
        match library {
            BOR => &self.bor,
            L1 => &self.l1,
            L2 => &self.l2,
            L3 => &self.l3,
            other => panic!("no token for {other}"),
        }
    }

    /// Registers another library and a STAFF token for it.
    pub async fn add_library(&self, id: &str, lends: bool) -> String {
        self.app.register_library(id, lends).await;
        self.app
            .token(id, &format!("{}-staff", id.to_lowercase()), "STAFF")
            .await
    }
}
