//! Sign-in (issue 16, item 5): a Secure cookie behind an https public
//! URL, an absolute session lifetime, a throttle by account and address
//! together, and `X-Forwarded-For` believed only from trusted proxies.

use std::time::Duration;

use api::http::client_address::Cidr;
use ill_tests::{spawn_app_with, Backend, TestApp};
use reqwest::header::SET_COOKIE;
use serde_json::json;
use store::on_both_backends;

use crate::sign_in::{code, sign_in, with_cookie, ME, PASSWORD};

async fn staff_app(backend: Backend, configure: impl FnOnce(&mut api::Settings)) -> TestApp {
    let app = spawn_app_with(backend, configure).await;
    app.register_library("CT-HFD", true).await;
    app.set_password("CT-HFD", "ill-staff", PASSWORD, "STAFF")
        .await;
    app
}

/// POST /session as forwarded for `client`: the status.
async fn sign_in_from(app: &TestApp, client: &str, password: &str) -> u16 {
    app.client
        .post(format!("{}/session", app.base))
        .header("X-Forwarded-For", client)
        .json(&json!({ "library": "CT-HFD", "name": "ill-staff", "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_secure_behind_an_https_public_url() {
    for secure in [false, true] {
        let app = staff_app(Backend::Sqlite, |settings| {
            settings.security.secure_cookie = secure;
        })
        .await;
        let response = app
            .client
            .post(format!("{}/session", app.base))
            .json(&json!({ "library": "CT-HFD", "name": "ill-staff", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
    }
}

async fn a_session_ends_at_its_absolute_lifetime(backend: Backend) {
    let app = staff_app(backend, |settings| {
        settings.security.session_max_age = chrono::Duration::days(1);
    })
    .await;
    let (_, _, cookie) = sign_in(&app, "CT-HFD", "ill-staff", PASSWORD).await;
    let cookie = cookie.expect("a session cookie");
    // Never idle for 8 hours, yet a day after it began it ends.
    for _ in 0..3 {
        app.clock.advance(chrono::Duration::hours(7));
        assert_eq!(code(&with_cookie(&app, &cookie, ME).await), "none");
    }
    app.clock.advance(chrono::Duration::hours(7));
    assert_eq!(
        code(&with_cookie(&app, &cookie, ME).await),
        "UNAUTHENTICATED"
    );
}
on_both_backends!(a_session_ends_at_its_absolute_lifetime);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_one_address_do_not_lock_the_account_out_elsewhere() {
    let app = staff_app(Backend::Sqlite, |settings| {
        settings.security.trusted_proxies = vec![Cidr::parse("127.0.0.1/32").unwrap()];
    })
    .await;
    let attacker = "203.0.113.9";
    for _ in 0..3 {
        assert_eq!(sign_in_from(&app, attacker, "wrong password").await, 401);
    }
    assert_eq!(sign_in_from(&app, attacker, PASSWORD).await, 429);
    // The staff member, behind the same proxy, signs in.
    assert_eq!(sign_in_from(&app, "198.51.100.7", PASSWORD).await, 200);
    // Once the wait has passed, the right password gets through.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sign_in_from(&app, attacker, PASSWORD).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = staff_app(Backend::Sqlite, |_| {}).await;
    for _ in 0..3 {
        assert_eq!(
            sign_in_from(&app, "203.0.113.9", "wrong password").await,
            401
        );
    }
    // Another X-Forwarded-For from the same peer is the same client.
    assert_eq!(sign_in_from(&app, "198.51.100.7", PASSWORD).await, 429);
}
