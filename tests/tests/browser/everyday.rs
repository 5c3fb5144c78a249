//! What staff trip over day to day (issue 18): hidden fields that showed,
//! a new request behind "Load more", answer-by dates in UTC with
//! nanoseconds, a history by symbols only, a note box under every action,
//! raw GraphQL errors for a hand-edited address, no icon, and GraphiQL
//! that needed the internet.

use std::time::Duration;

use domain::Calendar;
use ill_tests::browser::{Browser, Page};
use ill_tests::{Backend, TestApp};
use serde_json::{json, Value};

use crate::web_client::{
    act, network_with, no_errors, open_request, place, signed_in, status_is, BORROWER, LENDER,
    NEXT_LENDER,
};

/// A library with a name of its own, to see names where symbols were.
const NAMED: &str = "CT-NAMED";
const NAMED_NAME: &str = "Named Town Library";

/// The test network in New York time, its scheduler asleep after its first
/// pass (so an answer can be overdue without the request moving on).
async fn eastern_network() -> TestApp {
    network_with(Backend::Sqlite, |settings| {
        settings.calendar = Calendar::new(chrono_tz::America::New_York);
        settings.scheduler_interval = Duration::from_secs(3600);
    })
    .await
}

async fn eval_bool(page: &Page, expression: &str) -> bool {
    page.eval(expression).await == json!(true)
}

/// The action panel: how many note fields and coordinator reasons it has,
/// and its groups by side with their actions.
async fn panel(page: &Page) -> Value {
    page.eval(
        "({ notes: document.querySelectorAll('#actions textarea').length, \
           reasons: document.querySelectorAll('#actions input[name=coordinatorReason]').length, \
           sides: [...document.querySelectorAll('#actions .action-group')].map(g => [g.dataset.side, [...g.querySelectorAll('form')].map(f => f.dataset.action)]) })",
    )
    .await
}

/// The value beside `term` in the request's facts.
async fn fact(page: &Page, term: &str) -> Value {
    page.eval(&format!(
        "[...document.querySelectorAll('dl.facts dt')].find(dt => dt.textContent === '{term}').nextElementSibling.textContent"
    ))
    .await
}

/// A new request lands on top of the lender's open queue however many it
/// holds, with its answer-by time in the network's zone, flagged once it
/// is overdue; staff can switch to the order by last change.
#[tokio::test]
async fn the_answer_due_first_is_on_top_in_the_networks_time() {
    let app = eastern_network().await;
    let borrower = app.token(BORROWER, "api", "STAFF").await;
    let lender = app.token(LENDER, "api", "STAFF").await;
    let place_mutation =
        "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id } }";
    let input = |title: &str| {
        json!({ "input": {
            "patron": { "barcode": "2100012345" },
            "item": { "title": title },
            "lenders": [LENDER],
        } })
    };
    // 51 requests the lender already said it will supply: more than a page.
    for i in 0..51 {
        let placed = app
            .ok(&borrower, place_mutation, input(&format!("Supplied {i}")))
            .await;
        app.ok(
            &lender,
            "mutation($id: UUID!) { willSupply(id: $id) { id } }",
            json!({ "id": placed["placeRequest"]["id"] }),
        )
        .await;
    }
    app.clock.advance(chrono::Duration::hours(1));
    let new = app
        .ok(&borrower, place_mutation, input("The one just sent"))
        .await["placeRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let browser = Browser::launch().await;
    let page = browser.tab(&browser.person().await, "lender").await;
    page.resize(1280, 800, false).await;
    signed_in(&page, &app, LENDER).await;
    page.goto(&format!("{}/#/queue/lending", app.base)).await;
    page.wait_for_element(&format!(
        "#queue-table tbody tr:first-child[data-id=\"{new}\"]"
    ))
    .await;
    assert_eq!(
        page.eval("document.querySelector('#queue-order').value")
            .await,
        json!("answer-by")
    );
    let tabs = page.text("#status-tabs").await;
    assert!(
        tabs.contains("Requested 1") && tabs.contains("Will supply 51"),
        "{tabs}"
    );
    // Placed 10:00 UTC on 2 March; five days to answer: 05:00 in New York.
    let row = page
        .text(&format!("#queue-table tr[data-id=\"{new}\"]"))
        .await;
    assert!(row.contains("Mar 7, 2026, 05:00 EST"), "{row}");
    assert!(!row.contains("Overdue for an answer"), "{row}");
    page.screenshot_window("queue-answer-first.png").await;

    // The order by last change puts it behind "Load more".
    page.choose("#queue-order", "updated").await;
    // Re-rendered once the first row is no longer the one on top by answer.
    page.wait_for(
        &format!(
            "location.hash.includes('order=updated') && document.querySelector('#load-more') \
             && document.querySelector('#queue-table tbody tr:first-child')?.dataset.id !== '{new}'"
        ),
        "the queue by last change",
    )
    .await;
    assert!(
        !eval_bool(
            &page,
            &format!("!!document.querySelector('#queue-table tr[data-id=\"{new}\"]')")
        )
        .await
    );

    // The request page: every time in the same format and zone.
    open_request(&page, &app, &new).await;
    let answer_by = page.text("#answer-by").await;
    assert!(
        answer_by.contains("Mar 7, 2026, 05:00 EST") && answer_by.contains("lender"),
        "{answer_by}"
    );
    assert_eq!(fact(&page, "Placed").await, json!("Mar 2, 2026, 05:00 EST"));
    let summary = page.eval("document.body.innerText").await;
    let summary = summary.as_str().unwrap();
    let routed = page.text("#history li[data-type=RequestRouted]").await;
    assert!(
        routed.contains("Answer by: Mar 7, 2026, 05:00 EST"),
        "{routed}"
    );
    assert!(!summary.contains(".000000"), "a raw timestamp: {summary}");

    // Six days later, unanswered: flagged in the queue and on the request.
    // (The idle session ended meanwhile: sign in again.)
    app.clock.advance(chrono::Duration::days(6));
    signed_in(&page, &app, LENDER).await;
    open_request(&page, &app, &new).await;
    page.wait_for_element("#answer-by").await;
    assert!(page.text("main").await.contains("Overdue for an answer"));
    page.goto(&format!("{}/#/queue/lending?status=REQUESTED", app.base))
        .await;
    page.wait_for_element(&format!("#queue-table tr[data-id=\"{new}\"] .answer-late"))
        .await;

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}

/// The place-request form shows the copy fields only for a copy; an address
/// edited by hand gets words, not a GraphQL error; the filter's placeholder
/// fits; the icon is served.
#[tokio::test]
async fn forms_addresses_and_the_icon() {
    let app = eastern_network().await;
    let browser = Browser::launch().await;
    let page = browser.tab(&browser.person().await, "borrower").await;
    signed_in(&page, &app, BORROWER).await;

    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#place-form").await;
    let visible = "document.querySelector('#place-articleTitle').offsetParent !== null && document.querySelector('#place-pages').offsetParent !== null";
    assert!(
        !eval_bool(&page, visible).await,
        "a LOAN shows the copy fields"
    );
    assert!(eval_bool(&page, "[...document.querySelectorAll('[hidden]')].every(e => getComputedStyle(e).display === 'none')").await);
    page.choose("#place-serviceType", "COPY").await;
    assert!(
        eval_bool(&page, visible).await,
        "a COPY hides the copy fields"
    );

    for (address, says) in [
        ("#/queue/lending?status=BOGUS", "there is no status “BOGUS”"),
        (
            "#/queue/borrowing?status=nothing",
            "there is no status “nothing”",
        ),
    ] {
        page.goto(&format!("{}/{address}", app.base)).await;
        page.wait_for_element("#address-problem").await;
        let text = page.text("main").await;
        assert!(
            text.contains(says) && text.contains("changed by hand"),
            "{text}"
        );
        assert!(
            !text.contains("Invalid value") && !text.contains("argument"),
            "{text}"
        );
    }
    page.screenshot("address-problem.png").await;
    // A status in lower case is still that status.
    page.goto(&format!("{}/#/queue/lending?status=completed", app.base))
        .await;
    page.wait_for_element("#status-tabs a[data-status=COMPLETED][aria-current=page]")
        .await;

    // The filter's placeholder is not cut off.
    let fits = page
        .eval(
            "(() => { const input = document.querySelector('#queue-filter'); const style = getComputedStyle(input); \
             const context = document.createElement('canvas').getContext('2d'); context.font = style.font; \
             const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight); \
             return context.measureText(input.placeholder).width <= room; })()",
        )
        .await;
    assert_eq!(fits, json!(true), "the filter's placeholder is cut off");

    let icon = page
        .eval(
            "fetch('/favicon.ico').then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'), b.byteLength]))",
        )
        .await;
    assert_eq!(icon[0], json!(200), "{icon}");
    assert_eq!(icon[1], json!("image/x-icon"), "{icon}");
    assert!(icon[2].as_u64().unwrap() > 0, "{icon}");

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}

/// One note field and one coordinator reason for the whole panel, the
/// actions grouped by side; the history names libraries (symbol on hover),
/// shows a reroute's new rota, the due date and reasons in words.
#[tokio::test]
async fn one_note_for_the_panel_and_a_history_in_words() {
    let app = eastern_network().await;
    app.ok(
        &app.admin,
        "mutation($id: ID!, $name: String!) { registerLibrary(input: {id: $id, name: $name, lends: true}) { id } }",
        json!({ "id": NAMED, "name": NAMED_NAME }),
    )
    .await;
    app.set_password(NAMED, "ill-staff", crate::web_client::PASSWORD, "STAFF")
        .await;
    app.set_password(
        BORROWER,
        "coordinator",
        crate::web_client::PASSWORD,
        "COORDINATOR",
    )
    .await;
    let browser = Browser::launch().await;
    let borrower = browser.tab(&browser.person().await, "borrower").await;
    let lender = browser.tab(&browser.person().await, "lender").await;
    let next = browser.tab(&browser.person().await, "next lender").await;
    signed_in(&borrower, &app, BORROWER).await;
    signed_in(&lender, &app, LENDER).await;
    signed_in(&next, &app, NEXT_LENDER).await;
    let id = place(
        &borrower,
        &app,
        "The Prague Cemetery",
        &[LENDER, NEXT_LENDER],
        false,
    )
    .await;

    open_request(&lender, &app, &id).await;
    let seen = panel(&lender).await;
    assert_eq!(seen["notes"], json!(1), "{seen}");
    assert_eq!(seen["reasons"], json!(0), "{seen}");
    assert_eq!(
        seen["sides"],
        json!([
            [
                "lender",
                ["willSupply", "ship", "proposeConditions", "decline"]
            ],
            ["either", ["addNote"]]
        ]),
        "{seen}"
    );
    lender.screenshot("actions-lender.png").await;
    lender
        .type_into("#action-note", "Missing from the stacks")
        .await;
    lender
        .choose(
            "form[data-action=decline] select[name=reason]",
            "NOT_ON_SHELF",
        )
        .await;
    lender
        .click("form[data-action=decline] button[type=submit]")
        .await;
    lender
        .wait_for(
            "document.querySelector('#rota').innerText.includes('Declined')",
            "the decline",
        )
        .await;

    // A coordinator: one reason for the panel, both sides' actions.
    let coordinator = browser.tab(&browser.person().await, "coordinator").await;
    coordinator.goto(&format!("{}/", app.base)).await;
    coordinator.wait_for_element("form#sign-in").await;
    coordinator.type_into("#library", BORROWER).await;
    coordinator.type_into("#name", "coordinator").await;
    coordinator
        .type_into("#password", crate::web_client::PASSWORD)
        .await;
    coordinator.press_enter().await;
    coordinator
        .wait_for_element("#nav a[href=\"#/coordinator\"]")
        .await;
    open_request(&coordinator, &app, &id).await;
    let seen = panel(&coordinator).await;
    assert_eq!(seen["notes"], json!(1), "{seen}");
    assert_eq!(seen["reasons"], json!(1), "{seen}");
    let sides: Vec<&str> = seen["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0].as_str().unwrap())
        .collect();
    assert_eq!(sides, ["lender", "borrower", "either"], "{seen}");
    coordinator.screenshot("actions-coordinator.png").await;

    open_request(&next, &app, &id).await;
    next.choose("form[data-action=decline] select[name=reason]", "NOT_HELD")
        .await;
    next.click("form[data-action=decline] button[type=submit]")
        .await;
    next.wait_for(
        "document.querySelector('#rota').innerText.includes('Declined')",
        "the second decline",
    )
    .await;

    // Unfilled: the borrower sends it to the named library, which ships it.
    open_request(&borrower, &app, &id).await;
    status_is(&borrower, "UNFILLED").await;
    borrower
        .type_into("form[data-action=reroute] input[name=lenders]", NAMED)
        .await;
    act(&borrower, "reroute", "REQUESTED").await;
    let named = browser.tab(&browser.person().await, "named lender").await;
    signed_in(&named, &app, NAMED).await;
    open_request(&named, &app, &id).await;
    act(&named, "willSupply", "WILL_SUPPLY").await;
    act(&named, "ship", "SHIPPED").await;

    open_request(&borrower, &app, &id).await;
    let entry = |kind: &str| format!("#history li[data-type={kind}]");
    let rerouted = borrower.text(&entry("Rerouted")).await;
    assert!(
        rerouted.contains(&format!("New rota: {NAMED_NAME}")),
        "{rerouted}"
    );
    assert!(
        !rerouted.contains(NAMED),
        "a symbol where a name belongs: {rerouted}"
    );
    assert_eq!(
        borrower
            .eval(&format!(
                "document.querySelector('{} [data-field=rota] .library').title",
                entry("Rerouted")
            ))
            .await,
        json!(NAMED)
    );
    let declined = borrower.text(&entry("LenderDeclined")).await;
    assert!(declined.contains("Reason: Not on shelf"), "{declined}");
    let shipped = borrower.text(&entry("ItemShipped")).await;
    assert!(
        shipped.contains(&format!("by ill-staff ({NAMED_NAME})")),
        "{shipped}"
    );
    assert!(shipped.contains("Due: Mar 30, 2026"), "{shipped}");
    let routed = borrower.text(&entry("RequestRouted")).await;
    assert!(
        routed.contains("Lender: CT-LEND") && routed.contains("Rota position: 1"),
        "{routed}"
    );
    borrower.screenshot("history-in-words.png").await;

    let pages: Vec<&Page> = vec![&borrower, &lender, &next, &coordinator, &named];
    no_errors(&pages);
    browser.close().await;
    app.server.stop().await;
}

/// GraphiQL loads from this server alone: every request the page makes
/// stays on it, and its editor comes up and runs a query.
#[tokio::test]
async fn graphiql_needs_no_other_host() {
    let app = eastern_network().await;
    let (status, page_html) = app.get("/graphql").await;
    assert_eq!(status, 200);
    assert!(
        !page_html.contains("unpkg") && !page_html.contains("https://"),
        "{page_html}"
    );

    let browser = Browser::launch().await;
    let page = browser.tab(&browser.person().await, "operator").await;
    signed_in(&page, &app, BORROWER).await;
    page.goto(&format!("{}/graphql", app.base)).await;
    page.wait_for(
        "document.querySelector('.graphiql-query-editor .CodeMirror') && document.querySelector('.graphiql-execute-button')",
        "GraphiQL's editor",
    )
    .await;
    let origins = page
        .eval("[...new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).origin))]")
        .await;
    assert_eq!(
        origins,
        json!([app.base]),
        "requests left the server: {origins}"
    );
    page.screenshot_window("graphiql.png").await;

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}
