//! The staff web client in headless Chromium: people at two libraries, each
//! in a browser of their own, doing their ILL work through the pages only.
//! Screenshots land in `target/ui-screenshots/`.

use ill_tests::browser::{Browser, Page};
use ill_tests::{spawn_app_with, Backend, TestApp};

pub(crate) const PASSWORD: &str = "correct horse battery";
pub(crate) const BORROWER: &str = "CT-BOR";
pub(crate) const LENDER: &str = "CT-LEND";
pub(crate) const NEXT_LENDER: &str = "CT-NEXT";
pub(crate) const STRANGER: &str = "CT-OTHER";

/// A network of four libraries, each with an `ill-staff` account that has a
/// password, and a suspended and a borrow-only library for the rota picker.
pub(crate) async fn network(backend: Backend) -> TestApp {
    network_with(backend, |_| {}).await
}

/// [`network`] on a server with some settings changed first.
pub(crate) async fn network_with(
    backend: Backend,
    configure: impl FnOnce(&mut api::Settings),
) -> TestApp {
    let app = spawn_app_with(backend, configure).await;
    for library in [BORROWER, LENDER, NEXT_LENDER, STRANGER] {
        app.register_library(library, true).await;
        app.set_password(library, "ill-staff", PASSWORD, "STAFF")
            .await;
    }
    app.register_library("CT-SUSP", true).await;
    app.register_library("CT-BONLY", false).await;
    app.ok(
        &app.admin,
        "mutation { setLendingSuspended(library: \"CT-SUSP\", suspended: true) { id } }",
        serde_json::json!({}),
    )
    .await;
    app
}

/// Signs in with the keyboard only: type into each field, Enter submits.
pub(crate) async fn sign_in(page: &Page, app: &TestApp, library: &str, password: &str) {
    page.goto(&format!("{}/", app.base)).await;
    page.wait_for_element("form#sign-in").await;
    page.type_into("#library", library).await;
    page.type_into("#name", "ill-staff").await;
    page.type_into("#password", password).await;
    page.press_enter().await;
}

/// A new person's tab, signed in at `library`.
pub(crate) async fn signed_in_tab(
    browser: &Browser,
    app: &TestApp,
    library: &str,
    name: &str,
) -> Page {
    let page = browser.tab(&browser.person().await, name).await;
    signed_in(&page, app, library).await;
    page
}

pub(crate) async fn signed_in(page: &Page, app: &TestApp, library: &str) {
    sign_in(page, app, library, PASSWORD).await;
    page.wait_for(
        &format!("document.querySelector('#viewer') && document.querySelector('#viewer').innerText.includes('{library}')"),
        "the signed-in header",
    )
    .await;
}

pub(crate) async fn status_is(page: &Page, status: &str) {
    page.wait_for(
        &format!("document.querySelector('.badge.status[data-status=\"{status}\"]') && document.body.dataset.page === 'request'"),
        &format!("status {status}"),
    )
    .await;
}

/// Submits an action form of the request page and waits for the status.
pub(crate) async fn act(page: &Page, action: &str, status: &str) {
    page.click(&format!(
        "form[data-action=\"{action}\"] button[type=submit]"
    ))
    .await;
    status_is(page, status).await;
}

/// Places a LOAN for `title` through the form, the rota picked from the
/// directory in order; the request's id.
pub(crate) async fn place(
    page: &Page,
    app: &TestApp,
    title: &str,
    lenders: &[&str],
    screenshot: bool,
) -> String {
    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#place-form").await;
    page.type_into("#place-title", title).await;
    page.type_into("#place-author", "Umberto Eco").await;
    page.type_into("#place-isbn", "9780151446476").await;
    page.type_into("#place-barcode", "21000012345678").await;
    page.type_into("#place-patronName", "Ada Patron").await;
    for lender in lenders {
        page.choose("#lender-choice", lender).await;
        page.click("#add-lender").await;
        page.wait_for_element(&format!("#rota-list li[data-library=\"{lender}\"]"))
            .await;
    }
    // Suspended and borrow-only libraries are listed but cannot be picked.
    for unavailable in ["CT-SUSP", "CT-BONLY"] {
        let disabled = page
            .eval(&format!(
                "document.querySelector('#lender-choice option[value=\"{unavailable}\"]').disabled"
            ))
            .await;
        assert_eq!(
            disabled,
            serde_json::json!(true),
            "{unavailable} is selectable"
        );
    }
    if screenshot {
        page.screenshot("place-request.png").await;
    }
    page.click("#place-submit").await;
    placed_request(page).await
}

/// Waits for the page of the request just placed, REQUESTED; its id.
pub(crate) async fn placed_request(page: &Page) -> String {
    page.wait_for(
        "location.hash.startsWith('#/request/') && document.body.dataset.page === 'request' && document.querySelector('h1')",
        "the new request's page",
    )
    .await;
    status_is(page, "REQUESTED").await;
    shown_request(page).await
}

/// The id of the request the page shows.
pub(crate) async fn shown_request(page: &Page) -> String {
    let hash = page.eval("location.hash").await;
    hash.as_str()
        .expect("the address")
        .trim_start_matches("#/request/")
        .to_owned()
}

/// Opens the request's page, reloading it when it is already open (a
/// person's F5), so it shows the request as it is now.
pub(crate) async fn open_request(page: &Page, app: &TestApp, id: &str) {
    let url = format!("{}/#/request/{id}", app.base);
    if page.eval("location.href").await == serde_json::json!(url) {
        page.reload().await;
    } else {
        page.goto(&url).await;
    }
    page.wait_for(
        "document.body.dataset.page === 'request' && document.querySelector('h1')",
        "the request page",
    )
    .await;
}

pub(crate) fn no_errors(pages: &[&Page]) {
    for page in pages {
        assert!(
            page.errors().is_empty(),
            "{}: {:#?}",
            page.name,
            page.errors()
        );
    }
}

async fn a_loan_from_placing_to_check_in(backend: Backend) {
    let app = network(backend).await;
    let browser = Browser::launch().await;
    let borrower = browser.tab(&browser.person().await, "borrower").await;
    let lender = browser.tab(&browser.person().await, "lender").await;
    signed_in(&borrower, &app, BORROWER).await;
    signed_in(&lender, &app, LENDER).await;

    // The lender watches its queue; the page is never reloaded from here.
    lender.goto(&format!("{}/#/queue/lending", app.base)).await;
    lender.wait_for_element("#queue-empty").await;
    lender
        .wait_for(
            "document.body.dataset.live === 'on'",
            "the live subscription",
        )
        .await;
    lender.eval("window.notReloaded = true").await;

    let id = place(&borrower, &app, "The Name of the Rose", &[LENDER], true).await;
    borrower.screenshot("request-borrower.png").await;
    // The patron is shown to the borrowing library.
    assert!(borrower.text("#patron").await.contains("21000012345678"));

    lender
        .wait_for_element(&format!("#queue-table tr[data-id=\"{id}\"]"))
        .await;
    assert_eq!(
        lender.eval("window.notReloaded").await,
        serde_json::json!(true)
    );
    let row = lender
        .text(&format!("#queue-table tr[data-id=\"{id}\"]"))
        .await;
    assert!(
        row.contains("The Name of the Rose") && row.contains(BORROWER),
        "{row}"
    );
    assert!(
        !row.contains("21000012345678"),
        "the lender sees the patron: {row}"
    );
    assert!(lender.text("#status-tabs").await.contains("Requested 1"));
    lender.screenshot("queue-lending.png").await;

    lender
        .click(&format!("#queue-table tr[data-id=\"{id}\"] a"))
        .await;
    status_is(&lender, "REQUESTED").await;
    assert_eq!(
        lender.eval("document.querySelector('#patron')").await,
        serde_json::Value::Null
    );
    lender.screenshot("request-lender.png").await;
    act(&lender, "willSupply", "WILL_SUPPLY").await;

    // The pull slip: the id in large text, the item, the borrower, the position.
    lender.click("a[href^='#/print/slip/']").await;
    lender.wait_for_element("#slip").await;
    let slip = lender.text("#slip").await;
    assert!(
        slip.contains(&id.to_uppercase()) && slip.contains("The Name of the Rose"),
        "{slip}"
    );
    assert!(slip.contains(BORROWER) && slip.contains("1 of 1"), "{slip}");
    assert!(
        !slip.contains("21000012345678"),
        "the slip shows the patron: {slip}"
    );
    lender.screenshot("pull-slip.png").await;

    open_request(&lender, &app, &id).await;
    act(&lender, "ship", "SHIPPED").await;

    open_request(&borrower, &app, &id).await;
    act(&borrower, "receive", "RECEIVED").await;
    act(&borrower, "checkOutToPatron", "CHECKED_OUT").await;
    act(&borrower, "returnFromPatron", "RETURNED_BY_PATRON").await;
    act(&borrower, "shipReturn", "RETURN_SHIPPED").await;
    borrower
        .goto(&format!("{}/#/queue/borrowing", app.base))
        .await;
    borrower
        .wait_for_element(&format!("#queue-table tr[data-id=\"{id}\"]"))
        .await;
    assert!(borrower
        .text(&format!("#queue-table tr[data-id=\"{id}\"]"))
        .await
        .contains("21000012345678"));
    borrower.screenshot("queue-borrowing.png").await;

    open_request(&lender, &app, &id).await;
    act(&lender, "checkIn", "COMPLETED").await;
    // Once it is back, only a note may still be added.
    assert_eq!(
        lender
            .eval("[...document.querySelectorAll('#actions form')].map(f => f.dataset.action)")
            .await,
        serde_json::json!(["addNote"])
    );
    let timeline = lender
        .eval("[...document.querySelectorAll('#history li')].map(li => li.dataset.type)")
        .await;
    assert_eq!(
        timeline,
        serde_json::json!([
            "RequestPlaced",
            "RequestRouted",
            "LenderWillSupply",
            "ItemShipped",
            "ItemReceived",
            "CheckedOutToPatron",
            "ReturnedByPatron",
            "ReturnShipped",
            "ItemCheckedIn"
        ])
    );
    lender.screenshot("request-completed.png").await;

    // At phone width the queue turns into cards, still usable.
    borrower.resize(390, 844, true).await;
    borrower
        .goto(&format!(
            "{}/#/queue/borrowing?status=RETURN_SHIPPED",
            app.base
        ))
        .await;
    borrower.wait_for_element("#queue-empty").await;
    borrower
        .goto(&format!("{}/#/queue/borrowing?status=COMPLETED", app.base))
        .await;
    borrower
        .wait_for_element(&format!("#queue-table tr[data-id=\"{id}\"]"))
        .await;
    borrower.screenshot("queue-phone.png").await;

    no_errors(&[&borrower, &lender]);
    browser.close().await;
    app.server.stop().await;
}
store::on_both_backends!(a_loan_from_placing_to_check_in);

#[tokio::test]
async fn a_decline_moves_the_request_on_and_a_stale_tab_is_told_of_the_conflict() {
    let app = network(Backend::Postgres).await;
    let browser = Browser::launch().await;
    let borrower = browser.tab(&browser.person().await, "borrower").await;
    let first_person = browser.person().await;
    let first = browser.tab(&first_person, "first lender").await;
    let next_person = browser.person().await;
    let next = browser.tab(&next_person, "next lender").await;
    let next_again = browser.tab(&next_person, "next lender, second tab").await;
    signed_in(&borrower, &app, BORROWER).await;
    signed_in(&first, &app, LENDER).await;
    signed_in(&next, &app, NEXT_LENDER).await;

    let id = place(
        &borrower,
        &app,
        "Foucault's Pendulum",
        &[LENDER, NEXT_LENDER],
        false,
    )
    .await;

    open_request(&first, &app, &id).await;
    first
        .choose(
            "form[data-action=decline] select[name=reason]",
            "NOT_ON_SHELF",
        )
        .await;
    first
        .type_into("#action-note", "Missing from the stacks")
        .await;
    first
        .click("form[data-action=decline] button[type=submit]")
        .await;
    // It moved on: the first lender no longer holds it, the next one does.
    first
        .wait_for("!document.querySelector('form[data-action=decline]') && document.querySelector('#rota').innerText.includes('Declined')", "the decline")
        .await;
    let rota = first.text("#rota").await;
    assert!(
        rota.contains("Declined — Not on shelf") && rota.contains("Asked, waiting"),
        "{rota}"
    );

    // Two tabs of the next lender on the same request; one acts first.
    open_request(&next, &app, &id).await;
    status_is(&next, "REQUESTED").await;
    assert!(next
        .text("#notes")
        .await
        .contains("Missing from the stacks"));
    open_request(&next_again, &app, &id).await;
    act(&next, "willSupply", "WILL_SUPPLY").await;
    next_again
        .choose("form[data-action=decline] select[name=reason]", "NOT_HELD")
        .await;
    next_again
        .click("form[data-action=decline] button[type=submit]")
        .await;
    next_again.wait_for_element("#conflict").await;
    status_is(&next_again, "WILL_SUPPLY").await;
    assert!(next_again
        .text("#conflict")
        .await
        .contains("Someone else changed this request"));
    next_again.screenshot("conflict.png").await;
    // The stale decline did nothing.
    let stored = app
        .ok(
            &app.admin,
            "query($id: UUID!) { request(id: $id) { status lender { id } } }",
            serde_json::json!({ "id": id }),
        )
        .await;
    assert_eq!(stored["request"]["status"], "WILL_SUPPLY");
    assert_eq!(stored["request"]["lender"]["id"], NEXT_LENDER);

    no_errors(&[&borrower, &first, &next, &next_again]);
    browser.close().await;
    app.server.stop().await;
}

#[tokio::test]
async fn another_librarys_request_and_the_coordinator_tools_are_refused() {
    let app = network(Backend::Sqlite).await;
    let browser = Browser::launch().await;
    let borrower = browser.tab(&browser.person().await, "borrower").await;
    let stranger = browser.tab(&browser.person().await, "stranger").await;
    signed_in(&borrower, &app, BORROWER).await;
    signed_in(&stranger, &app, STRANGER).await;
    let id = place(&borrower, &app, "Baudolino", &[LENDER], false).await;

    stranger.goto(&format!("{}/#/request/{id}", app.base)).await;
    stranger.wait_for_element("#refusal").await;
    let page = stranger.eval("document.body.innerText").await;
    let page = page.as_str().unwrap();
    assert!(
        !page.contains("Baudolino") && !page.contains("21000012345678"),
        "{page}"
    );
    stranger.screenshot("refusal.png").await;
    stranger
        .goto(&format!("{}/#/print/slip/{id}", app.base))
        .await;
    stranger.wait_for_element("#refusal").await;
    stranger.goto(&format!("{}/#/coordinator", app.base)).await;
    stranger.wait_for_element("#refusal").await;
    // The stranger's own lending queue does not list it either.
    stranger
        .goto(&format!("{}/#/queue/lending", app.base))
        .await;
    stranger.wait_for_element("#queue-empty").await;

    no_errors(&[&borrower, &stranger]);
    browser.close().await;
    app.server.stop().await;
}

#[tokio::test]
async fn a_coordinator_suspends_a_library_and_audits_a_request() {
    let app = network(Backend::Sqlite).await;
    app.set_password("CT-BOR", "coordinator", PASSWORD, "COORDINATOR")
        .await;
    let browser = Browser::launch().await;
    let borrower = browser.tab(&browser.person().await, "borrower").await;
    let coordinator = browser.tab(&browser.person().await, "coordinator").await;
    signed_in(&borrower, &app, BORROWER).await;
    let id = place(
        &borrower,
        &app,
        "The Island of the Day Before",
        &[LENDER],
        false,
    )
    .await;

    coordinator.goto(&format!("{}/", app.base)).await;
    coordinator.type_into("#library", BORROWER).await;
    coordinator.type_into("#name", "coordinator").await;
    coordinator.type_into("#password", PASSWORD).await;
    coordinator.press_enter().await;
    coordinator
        .wait_for(
            "document.querySelector('#nav a[href=\"#/coordinator\"]')",
            "the coordinator's menu",
        )
        .await;
    coordinator
        .goto(&format!("{}/#/coordinator", app.base))
        .await;
    coordinator
        .click(&format!("#directory button[data-library=\"{LENDER}\"]"))
        .await;
    coordinator
        .wait_for(
            &format!("document.querySelector('#directory tr[data-library=\"{LENDER}\"]').innerText.includes('Suspended')"),
            "the suspension",
        )
        .await;
    coordinator.screenshot("coordinator.png").await;
    let directory = app
        .ok(
            &app.admin,
            "{ libraries { id suspended } }",
            serde_json::json!({}),
        )
        .await;
    let lender = directory["libraries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == LENDER)
        .unwrap();
    assert_eq!(lender["suspended"], true);

    // The audit: any request's history, with who acted; the suspension moved it on.
    coordinator.type_into("#audit-id", &id).await;
    coordinator.press_enter().await;
    coordinator
        .wait_for(
            "document.body.dataset.page === 'request' && document.querySelector('#history')",
            "the audited request",
        )
        .await;
    coordinator
        .wait_for("document.querySelector('#rota').innerText.includes('Skipped') || document.querySelector('#rota').innerText.includes('Asked')", "the rota")
        .await;
    let history = coordinator.text("#history").await;
    assert!(
        history.contains("Request Placed by ill-staff (CT-BOR)"),
        "{history}"
    );
    // Acting as a coordinator asks why, for the audit trail.
    assert_eq!(
        coordinator
            .eval("!!document.querySelector('#actions input[name=coordinatorReason]')")
            .await,
        serde_json::json!(true)
    );

    no_errors(&[&borrower, &coordinator]);
    browser.close().await;
    app.server.stop().await;
}

#[tokio::test]
async fn sign_in_refuses_wrong_passwords_slows_guessing_and_expires_idle_sessions() {
    let app = network(Backend::Sqlite).await;
    let browser = Browser::launch().await;
    let person = browser.tab(&browser.person().await, "staff").await;

    sign_in(&person, &app, BORROWER, "not the password").await;
    person
        .wait_for(
            "document.querySelector('#sign-in-message').innerText.includes('wrong')",
            "the refusal",
        )
        .await;
    person.screenshot("sign-in-refused.png").await;
    for _ in 0..2 {
        sign_in(&person, &app, BORROWER, "still not it").await;
        person
            .wait_for(
                "document.querySelector('#sign-in-message').innerText.includes('wrong')",
                "the refusal",
            )
            .await;
    }
    // Three failures: now even the right password must wait.
    sign_in(&person, &app, BORROWER, PASSWORD).await;
    person
        .wait_for("document.querySelector('#sign-in-message').innerText.includes('too many failed sign-ins')", "the slow-down")
        .await;
    assert!(person
        .eval("location.hash")
        .await
        .as_str()
        .unwrap()
        .starts_with("#/sign-in"));

    // Another account is not slowed; its session expires after 8 idle hours.
    signed_in(&person, &app, LENDER).await;
    person.goto(&format!("{}/#/queue/lending", app.base)).await;
    person.wait_for_element("#queue-empty").await;
    app.clock
        .advance(chrono::Duration::hours(8) + chrono::Duration::minutes(1));
    person
        .goto(&format!("{}/#/queue/borrowing", app.base))
        .await;
    person
        .wait_for("document.querySelector('#sign-in-message') && document.querySelector('#sign-in-message').innerText.includes('session has ended')", "the expiry")
        .await;
    person.screenshot("sign-in-expired.png").await;
    // Signing in again brings the person back to where they were going.
    person.type_into("#library", LENDER).await;
    person.type_into("#name", "ill-staff").await;
    person.type_into("#password", PASSWORD).await;
    person.press_enter().await;
    person
        .wait_for(
            "document.body.dataset.page === 'queue-borrowing'",
            "the page asked for",
        )
        .await;
    person.click("#sign-out").await;
    person.wait_for_element("form#sign-in").await;
    person.goto(&format!("{}/#/queue/lending", app.base)).await;
    person.wait_for_element("form#sign-in").await;

    no_errors(&[&person]);
    browser.close().await;
    app.server.stop().await;
}

/// The demo network's pages, full of a year's traffic: they render without
/// errors, and give the README its pictures (`docs/ui-*.png` are copies).
#[tokio::test]
async fn the_demo_networks_pages_render() {
    let app = spawn_app_with(Backend::Sqlite, |settings| settings.demo = Some(12_000)).await;
    // The demo's first staff account: its password is printed, not known
    // here, and the demo's admin stands in for the bootstrap one; so set a
    // known password straight in the store.
    let database = app.server.state.database();
    let staff = store::accounts::list(database, None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.account.role == domain::Role::Staff)
        .expect("a demo staff account")
        .account;
    let library = staff.library.to_string();
    let hash = api::auth::passwords::hash(PASSWORD.to_owned())
        .await
        .unwrap();
    store::sessions::set_password(database, &staff.library, &staff.name, None, &hash)
        .await
        .unwrap();
    let browser = Browser::launch().await;
    let page = browser.tab(&browser.person().await, "demo staff").await;
    page.resize(1280, 800, false).await;
    signed_in(&page, &app, &library).await;

    page.goto(&format!("{}/#/queue/lending", app.base)).await;
    page.wait_for_element("#queue-table tbody tr").await;
    let rows = page
        .eval("document.querySelectorAll('#queue-table tbody tr').length")
        .await;
    assert!(rows.as_u64().unwrap() > 0);
    page.screenshot_window("demo-queue-lending.png").await;

    page.goto(&format!("{}/#/queue/borrowing", app.base)).await;
    page.wait_for_element("#queue-table tbody tr").await;
    page.screenshot_window("demo-queue-borrowing.png").await;
    // The one with the longest history on this page.
    page.eval("document.querySelector('#queue-table tbody tr:last-child a').click()")
        .await;
    page.wait_for(
        "document.body.dataset.page === 'request' && document.querySelector('#history li')",
        "a request",
    )
    .await;
    page.screenshot_window("demo-request.png").await;

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}
