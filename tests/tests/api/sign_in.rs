//! Browser sessions over HTTP: `POST /session` and `DELETE /session`, the
//! session cookie on the GraphQL API and its WebSocket, the slow-down after
//! failed attempts, idle expiry, passwords set by an admin, the private
//! dashboard, and the web client's assets.

use futures::{SinkExt, StreamExt};
use ill_tests::{spawn_app, spawn_app_with, Backend, TestApp};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, RETRY_AFTER, SET_COOKIE};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

pub(crate) const PASSWORD: &str = "correct horse battery";
pub(crate) const ME: &str = "{ me { name role library { id } } }";

async fn app_with_staff(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    app.register_library("CT-HFD", true).await;
    app.set_password("CT-HFD", "ill-staff", PASSWORD, "STAFF")
        .await;
    app
}

/// POST /session: the status, the body, and the cookie pair if one was set.
pub(crate) async fn sign_in(
    app: &TestApp,
    library: &str,
    name: &str,
    password: &str,
) -> (u16, Value, Option<String>) {
    let response = app
        .client
        .post(format!("{}/session", app.base))
        .json(&json!({ "library": library, "name": name, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    if let Some(cookie) = &cookie {
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }
    let body = response.json().await.unwrap_or(Value::Null);
    let pair = cookie.map(|c| c.split(';').next().unwrap().to_owned());
    (status, body, pair)
}

/// A GraphQL request as the web client sends it: the cookie, JSON.
pub(crate) async fn with_cookie(app: &TestApp, cookie: &str, query: &str) -> Value {
    post_with_cookie(app, cookie, query, "application/json", None).await
}

/// A GraphQL request with the cookie, of this content type, from this origin.
async fn post_with_cookie(
    app: &TestApp,
    cookie: &str,
    query: &str,
    content_type: &str,
    origin: Option<&str>,
) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.base))
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, content_type)
        .body(json!({ "query": query }).to_string());
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    request.send().await.unwrap().json().await.unwrap()
}

pub(crate) fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

async fn a_session_signs_in_the_web_client_until_it_is_idle_or_ended(backend: Backend) {
    let app = app_with_staff(backend).await;
    let (status, body, cookie) = sign_in(&app, "CT-HFD", "ill-staff", "wrong password").await;
    assert_eq!((status, cookie), (401, None), "{body}");

    let (status, body, cookie) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({ "library": "CT-HFD", "name": "ill-staff", "role": "STAFF" })
    );
    let cookie = cookie.expect("a session cookie");
    let me = with_cookie(&app, &cookie, ME).await;
    assert_eq!(me["data"]["me"]["library"]["id"], "CT-HFD", "{me}");

    // Used within 8 hours, it lives on; 8 idle hours end it.
    app.clock.advance(chrono::Duration::hours(7));
    assert!(with_cookie(&app, &cookie, ME).await["data"]["me"].is_object());
    app.clock.advance(chrono::Duration::hours(7));
    assert!(with_cookie(&app, &cookie, ME).await["data"]["me"].is_object());
    // A second session, never used again: the daily clean-up deletes it
    // and the first once idle, and nothing else.
    sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    app.clock
        .advance(chrono::Duration::hours(8) + chrono::Duration::minutes(1));
    let database = app.server.state.database();
    let idle = api::auth::SESSION_IDLE;
    let now = domain::Clock::now(app.clock.as_ref());
    assert_eq!(
        store::sessions::end_idle(database, now, idle)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store::sessions::end_idle(database, now, idle)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        code(&with_cookie(&app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );

    // Signing out ends it at once.
    let (_, _, cookie) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    let cookie = cookie.unwrap();
    let response = app
        .client
        .delete(format!("{}/session", app.base))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert!(response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        code(&with_cookie(&app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );

    // Tokens keep working for machines beside sessions.
    let token = app.token("CT-HFD", "ill-staff", "STAFF").await;
    assert_eq!(
        app.ok(&token, ME, json!({})).await["me"]["name"],
        "ill-staff"
    );
    app.server.stop().await;
}
store::on_both_backends!(a_session_signs_in_the_web_client_until_it_is_idle_or_ended);

#[tokio::test]
async fn another_site_cannot_use_the_cookie() {
    let app = app_with_staff(Backend::Sqlite).await;
    let (_, _, cookie) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    let cookie = cookie.unwrap();
    // A form post (no preflight) and another site's page are refused.
    let form = post_with_cookie(&app, &cookie, ME, "text/plain", None).await;
    assert_eq!(code(&form), "UNAUTHENTICATED");
    let foreign = post_with_cookie(
        &app,
        &cookie,
        ME,
        "application/json",
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(code(&foreign), "UNAUTHENTICATED");
    let own = post_with_cookie(&app, &cookie, ME, "application/json", Some(&app.base)).await;
    assert!(own["data"]["me"].is_object(), "{own}");

    // The subscription socket: the cookie counts from our own pages only.
    let ws_url = format!("{}/graphql/ws", app.base.replacen("http", "ws", 1));
    for (origin, accepted) in [
        (app.base.clone(), true),
        ("http://evil.example".to_owned(), false),
    ] {
        let mut request = ws_url.as_str().into_client_request().unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        headers.insert("Cookie", HeaderValue::from_str(&cookie).unwrap());
        headers.insert("Origin", HeaderValue::from_str(&origin).unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(Message::text(
                json!({ "type": "connection_init", "payload": {} }).to_string(),
            ))
            .await
            .unwrap();
        let answer = socket.next().await;
        let acked =
            matches!(&answer, Some(Ok(Message::Text(text))) if text.contains("connection_ack"));
        assert_eq!(acked, accepted, "{origin}: {answer:?}");
    }
    app.server.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_slow_further_attempts_for_that_account() {
    let app = app_with_staff(Backend::Sqlite).await;
    app.set_password("CT-HFD", "other", PASSWORD, "STAFF").await;
    for _ in 0..3 {
        let (status, _, _) = sign_in(&app, "CT-HFD", "ill-staff", "guess guess guess").await;
        assert_eq!(status, 401);
    }
    // Even the right password waits now, and is told how long.
    let response = app
        .client
        .post(format!("{}/session", app.base))
        .json(&json!({ "library": "CT-HFD", "name": "ill-staff", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let wait: u64 = response.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // Unknown accounts are refused like wrong passwords; another account is not slowed.
    let (status, _, _) = sign_in(&app, "CT-HFD", "nobody", PASSWORD).await;
    assert_eq!(status, 401);
    let (status, _, _) = sign_in(&app, "CT-HFD", "other", PASSWORD).await;
    assert_eq!(status, 200);
    // Malformed attempts are refused before anything is looked up.
    let response = app
        .client
        .post(format!("{}/session", app.base))
        .header(CONTENT_TYPE, "application/json")
        .body("{\"library\": 7}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    app.server.stop().await;
}

#[tokio::test]
async fn only_an_admin_sets_passwords_and_a_new_password_ends_sessions() {
    let app = app_with_staff(Backend::Postgres).await;
    let staff = app.token("CT-HFD", "ill-staff", "STAFF").await;
    let set = "mutation($p: String!) { setAccountPassword(library: \"CT-HFD\", name: \"ill-staff\", password: $p) }";
    assert_eq!(
        app.error_code(Some(&staff), set, json!({ "p": "a long new password" }))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(Some(&app.admin), set, json!({ "p": "short" }))
            .await,
        "BAD_INPUT"
    );

    let (_, _, cookie) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    let cookie = cookie.unwrap();
    app.ok(&app.admin, set, json!({ "p": "a long new password" }))
        .await;
    assert_eq!(
        code(&with_cookie(&app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );
    let (status, _, _) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    assert_eq!(status, 401);
    let (status, body, _) = sign_in(&app, "CT-HFD", "ill-staff", "a long new password").await;
    assert_eq!(status, 200, "{body}");
    // The account kept its role; an unknown library is NOT_FOUND.
    assert_eq!(body["role"], "STAFF");
    let nowhere = "mutation { setAccountPassword(library: \"CT-NOWHERE\", name: \"x\", password: \"long enough password\") }";
    assert_eq!(
        app.error_code(Some(&app.admin), nowhere, json!({})).await,
        "NOT_FOUND"
    );
    app.server.stop().await;
}

#[tokio::test]
async fn private_statistics_need_a_signed_in_session() {
    let app = spawn_app_with(Backend::Sqlite, |settings| settings.private_stats = true).await;
    app.register_library("CT-HFD", true).await;
    app.set_password("CT-HFD", "ill-staff", PASSWORD, "STAFF")
        .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let anonymous = client
        .get(format!("{}/stats/CT-HFD", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 303);
    assert_eq!(
        anonymous.headers()[LOCATION],
        "/#/sign-in?next=%2Fstats%2FCT-HFD"
    );
    let csv = client
        .get(format!("{}/stats.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 303);

    let (_, _, cookie) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    let signed_in = client
        .get(format!("{}/stats", app.base))
        .header(COOKIE, cookie.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 200);
    // Public by default.
    let public = spawn_app(Backend::Sqlite).await;
    assert_eq!(public.get("/stats").await.0, 200);
    public.server.stop().await;
    app.server.stop().await;
}

#[tokio::test]
async fn the_client_is_served_from_the_binary_with_a_strict_policy() {
    let app = spawn_app(Backend::Sqlite).await;
    for (path, content_type, marker) in [
        ("/", "text/html", "<script src=\"/app.js\" defer>"),
        ("/app.js", "text/javascript", "graphql-transport-ws"),
        ("/app.css", "text/css", "@media print"),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(content_type),
            "{path}"
        );
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"),
            "{policy}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(response.text().await.unwrap().contains(marker), "{path}");
    }
    app.server.stop().await;
}
