//! The automatic rota on the place-request page in headless Chromium: a
//! catalogue record chosen, the rota the catalogue proposes with each
//! lender's figures and score (asked again when the service changes),
//! reordered or edited by staff (placed as
//! their list) or placed unchanged (each entry keeping its selection, shown
//! on the request's page and in its history), a record no library can
//! lend now, and an unfilled request rerouted to a fresh automatic rota.

use chrono::Duration;
use ill_tests::browser::{Browser, Page};
use ill_tests::{Backend, TestApp};
use serde_json::{json, Value};
use store::on_both_backends;

use crate::web_client::{
    act, network, no_errors, open_request, placed_request, signed_in_tab, BORROWER, LENDER,
    NEXT_LENDER, STRANGER,
};

/// A member with a name people know it by, not only its symbol.
const NAMED: &str = "CT-WLD";
const NAMED_NAME: &str = "Wilder Memorial Library";
const RECORD: &str = "ocolc:12345";
const WINTER: &str = "title,author,oclc\nThe Long Winter,\"Wilder, Laura Ingalls\",12345\n";
const ONLY_HERE: &str = "Only Here,,777\n";
const PLACE: &str = "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id } }";
const SUGGEST: &str =
    "query($record: ID!) { suggestRota(record: $record) { library { id } score reason } }";
const ROTA: &str = "query($id: UUID!) { request(id: $id) {
    item { catalogRecordId } rota { library { id } selection } } }";

/// The figures of each candidate as the server words them.
fn reason(lent: u32, borrowed: u32, waiting: u32) -> String {
    format!("lent {lent}, borrowed {borrowed} in 90 days; {waiting} waiting")
}

/// The candidates proposed for the borrower, on a history checked by hand:
/// NAMED (1 ÷ 1 = 1.0), NEXT_LENDER with a request waiting
/// (1 ÷ 1 + 1 ÷ 10 = 1.1), LENDER having lent one yesterday (2 ÷ 1 = 2.0).
/// The borrower and the suspended library hold the record too, and are
/// never proposed; STRANGER holds a copy that does not circulate.
fn expected() -> Value {
    json!([
        { "library": { "id": NAMED }, "score": 1.0, "reason": reason(0, 0, 0) },
        { "library": { "id": NEXT_LENDER }, "score": 1.1, "reason": reason(0, 0, 1) },
        { "library": { "id": LENDER }, "score": 2.0, "reason": reason(1, 0, 0) },
    ])
}

/// The network with the record's holders and that history, a day after it.
async fn holders_with_a_history(backend: Backend) -> TestApp {
    let app = network(backend).await;
    app.ok(
        &app.admin,
        "mutation($id: ID!, $name: String!) { registerLibrary(input: {id: $id, name: $name}) { id } }",
        json!({ "id": NAMED, "name": NAMED_NAME }),
    )
    .await;
    for library in [NAMED, NEXT_LENDER, LENDER] {
        app.import_csv(&app.admin, library, WINTER).await;
    }
    for library in [BORROWER, "CT-SUSP"] {
        app.import_csv(&app.admin, library, &format!("{WINTER}{ONLY_HERE}"))
            .await;
    }
    // A copy that does not circulate: a candidate for a COPY only.
    app.import_csv(
        &app.admin,
        STRANGER,
        "title,oclc,lendable\nThe Long Winter,12345,false\n",
    )
    .await;

    let borrower = app.token(BORROWER, "api", "STAFF").await;
    let lender = app.token(LENDER, "api", "STAFF").await;
    let stranger = app.token(STRANGER, "api", "STAFF").await;
    let other_book = |lender: &str| {
        json!({ "input": {
            "patron": { "barcode": "2100012345" },
            "item": { "title": "Some other book" },
            "lenders": [lender],
        } })
    };
    let shipped = app.ok(&borrower, PLACE, other_book(LENDER)).await["placeRequest"]["id"].clone();
    for action in [
        "willSupply(id: $id)",
        r#"ship(id: $id, dueDate: "2026-04-30")"#,
    ] {
        app.ok(
            &lender,
            &format!("mutation($id: UUID!) {{ {action} {{ id }} }}"),
            json!({ "id": shipped }),
        )
        .await;
    }
    app.ok(&stranger, PLACE, other_book(NEXT_LENDER)).await;
    app.clock.advance(Duration::days(1));
    // The figures follow the log through the projector: on a shared,
    // loaded machine that may take longer than the usual 5 s.
    app.eventually_within(
        std::time::Duration::from_secs(30),
        &borrower,
        SUGGEST,
        json!({ "record": RECORD }),
        |d| d["suggestRota"] == expected(),
    )
    .await;
    app
}

/// Finds `query` in the catalogue and chooses its one record; waits for the
/// rota proposed for it.
async fn choose_record(page: &Page, app: &TestApp, query: &str) {
    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#catalog-query").await;
    page.type_into("#catalog-query", query).await;
    page.press_enter().await;
    page.wait_for(
        "document.querySelectorAll('#catalog-results li').length === 1",
        "the record",
    )
    .await;
    page.click("#catalog-results li .catalog-choose").await;
    page.wait_for(
        "document.querySelector('#rota-proposal').dataset.state",
        "the proposed rota",
    )
    .await;
}

/// The libraries of the rota being built, in order.
async fn rota_list(page: &Page) -> Value {
    page.eval("[...document.querySelectorAll('#rota-list > li')].map(li => li.dataset.library)")
        .await
}

/// The libraries of the shown request's rota, in order.
async fn request_rota(page: &Page) -> Value {
    page.eval("[...document.querySelectorAll('#rota tbody tr')].map(tr => tr.dataset.library)")
        .await
}

async fn proposal_state(page: &Page) -> Value {
    page.eval("document.querySelector('#rota-proposal').dataset.state")
        .await
}

async fn a_proposed_rota_reordered_is_placed_in_the_chosen_order(backend: Backend) {
    let app = holders_with_a_history(backend).await;
    let browser = Browser::launch().await;
    let page = signed_in_tab(&browser, &app, BORROWER, "borrower").await;
    choose_record(&page, &app, "long winter").await;

    // The proposal, in the server's order, each lender by name with its
    // figures and why its score puts it there.
    assert_eq!(rota_list(&page).await, json!([NAMED, NEXT_LENDER, LENDER]));
    assert_eq!(proposal_state(&page).await, json!("proposed"));
    let named = page
        .text(&format!("#rota-list li[data-library=\"{NAMED}\"]"))
        .await;
    assert!(
        named.contains(&format!("{NAMED_NAME} ({NAMED})")),
        "{named}"
    );
    let busy = format!("#rota-list li[data-library=\"{NEXT_LENDER}\"]");
    assert_eq!(
        page.text(&format!("{busy} .figures")).await,
        "Lent 0 and borrowed 0 in the last 90 days · 1 request waiting for its answer now · score 1.10"
    );
    assert_eq!(
        page.text(&format!("{busy} .why")).await,
        "Score: (0 lent + 1) ÷ (0 borrowed + 1) + 1 waiting ÷ 10 = 1.10; the lowest is asked first."
    );
    assert_eq!(
        page.text(&format!("#rota-list li[data-library=\"{LENDER}\"] .figures"))
            .await,
        "Lent 1 and borrowed 0 in the last 90 days · 0 requests waiting for its answer now · score 2.00"
    );
    page.screenshot("rota-proposed.png").await;

    // A copy may come from the copy that does not circulate: the service
    // changed, the catalogue is asked again.
    page.choose("#place-serviceType", "COPY").await;
    page.wait_for(
        &format!(
            "!!document.querySelector('#rota-list li[data-library=\"{STRANGER}\"] .candidate')"
        ),
        "the proposal for a copy",
    )
    .await;
    let mut copy: Vec<String> = serde_json::from_value(rota_list(&page).await).unwrap();
    copy.sort();
    assert_eq!(copy, [LENDER, NEXT_LENDER, STRANGER, NAMED]);
    page.choose("#place-serviceType", "LOAN").await;
    page.wait_for(
        &format!("!document.querySelector('#rota-list li[data-library=\"{STRANGER}\"]')"),
        "the proposal for a loan",
    )
    .await;
    assert_eq!(rota_list(&page).await, json!([NAMED, NEXT_LENDER, LENDER]));

    // Edited: a lender removed says the list is now the staff's own; the
    // proposal can be had back.
    page.click(&format!("button[aria-label=\"Remove {NEXT_LENDER}\"]"))
        .await;
    assert_eq!(rota_list(&page).await, json!([NAMED, LENDER]));
    assert_eq!(proposal_state(&page).await, json!("changed"));
    assert!(page
        .text("#rota-proposal")
        .await
        .contains("reasons are not recorded"));
    page.click("#rota-restore").await;
    assert_eq!(rota_list(&page).await, json!([NAMED, NEXT_LENDER, LENDER]));
    assert_eq!(proposal_state(&page).await, json!("proposed"));

    // Reordered: the lender who lent most moved up; and a library added
    // from the directory (it holds no circulating copy: no figures).
    page.click(&format!("button[aria-label=\"Move {LENDER} up\"]"))
        .await;
    page.choose("#lender-choice", STRANGER).await;
    page.click("#add-lender").await;
    let added = format!("#rota-list li[data-library=\"{STRANGER}\"]");
    page.wait_for_element(&added).await;
    assert_eq!(
        page.eval(&format!("!!document.querySelector('{added} .candidate')"))
            .await,
        json!(false)
    );
    assert_eq!(
        page.text(&format!("{added} .added")).await,
        "Added by you: the catalogue did not propose it for this record."
    );
    let chosen = json!([NAMED, LENDER, NEXT_LENDER, STRANGER]);
    assert_eq!(rota_list(&page).await, chosen);
    assert_eq!(proposal_state(&page).await, json!("changed"));
    page.screenshot("rota-reordered.png").await;
    page.type_into("#place-barcode", "21000012345678").await;
    page.click("#place-submit").await;
    let id = placed_request(&page).await;

    // The request's rota is the order chosen, placed as the staff's list:
    // no selection recorded (schema.graphql), no reasons column.
    assert_eq!(request_rota(&page).await, chosen);
    assert_eq!(
        page.eval("document.querySelector('#rota .selection')")
            .await,
        Value::Null
    );
    let token = app.token(BORROWER, "reader", "STAFF").await;
    let stored = app.ok(&token, ROTA, json!({ "id": id })).await;
    assert_eq!(
        stored["request"],
        json!({
            "item": { "catalogRecordId": RECORD },
            "rota": [
                { "library": { "id": NAMED }, "selection": null },
                { "library": { "id": LENDER }, "selection": null },
                { "library": { "id": NEXT_LENDER }, "selection": null },
                { "library": { "id": STRANGER }, "selection": null },
            ],
        })
    );

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(a_proposed_rota_reordered_is_placed_in_the_chosen_order);

async fn the_unchanged_proposal_keeps_each_reason(backend: Backend) {
    let app = holders_with_a_history(backend).await;
    let browser = Browser::launch().await;
    let page = signed_in_tab(&browser, &app, BORROWER, "borrower").await;
    choose_record(&page, &app, "long winter").await;
    assert_eq!(rota_list(&page).await, json!([NAMED, NEXT_LENDER, LENDER]));
    page.type_into("#place-barcode", "21000012345678").await;
    page.click("#place-submit").await;
    let id = placed_request(&page).await;

    // Placed as `lenders: []`: the server built the same rota, and each
    // entry keeps its reason, on the page and in the history.
    assert_eq!(
        request_rota(&page).await,
        json!([NAMED, NEXT_LENDER, LENDER])
    );
    assert_eq!(
        page.eval("[...document.querySelectorAll('#rota td.selection')].map(td => td.innerText)")
            .await,
        json!([reason(0, 0, 0), reason(0, 0, 1), reason(1, 0, 0)])
    );
    let placed = page.text("#history li[data-type=\"RequestPlaced\"]").await;
    for (library, why) in [
        (NAMED_NAME, reason(0, 0, 0)),
        (NEXT_LENDER, reason(0, 0, 1)),
        (LENDER, reason(1, 0, 0)),
    ] {
        assert!(
            placed.contains(&format!("{library} (chosen because: {why})")),
            "{placed}"
        );
    }
    page.screenshot("rota-selections.png").await;
    let token = app.token(BORROWER, "reader", "STAFF").await;
    let stored = app.ok(&token, ROTA, json!({ "id": id })).await;
    let selections: Vec<Value> = stored["request"]["rota"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["selection"].clone())
        .collect();
    assert_eq!(
        selections,
        [reason(0, 0, 0), reason(0, 0, 1), reason(1, 0, 0)]
    );

    // Held only here and by a suspended library: nobody is proposed, and
    // placing it anyway shows the server's refusal, and the page stays.
    choose_record(&page, &app, "only here").await;
    assert_eq!(proposal_state(&page).await, json!("none"));
    assert!(page
        .text("#rota-proposal")
        .await
        .contains("No library can lend this item now."));
    assert_eq!(rota_list(&page).await, json!([null]));
    page.type_into("#place-barcode", "21000012345678").await;
    page.click("#place-submit").await;
    page.wait_for(
        "document.querySelector('#place-message').innerText.includes('no library can lend this item now')",
        "the server's refusal",
    )
    .await;
    assert_eq!(page.eval("location.hash").await, json!("#/place"));
    page.screenshot("rota-no-lender.png").await;

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(the_unchanged_proposal_keeps_each_reason);

async fn an_unfilled_request_is_rerouted_by_the_catalogue(backend: Backend) {
    let app = network(backend).await;
    app.import_csv(&app.admin, LENDER, WINTER).await;
    let borrower = app.token(BORROWER, "api", "STAFF").await;
    let lender = app.token(LENDER, "api", "STAFF").await;
    let input = json!({ "input": {
        "patron": { "barcode": "2100012345" },
        "item": { "title": "The Long Winter", "catalogRecordId": RECORD },
        "lenders": [],
    } });
    let id = app.ok(&borrower, PLACE, input).await["placeRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &lender,
        "mutation($id: UUID!) { decline(id: $id, reason: NOT_ON_SHELF) { id } }",
        json!({ "id": id }),
    )
    .await;
    // Another library has sent its holdings since.
    app.import_csv(&app.admin, NEXT_LENDER, WINTER).await;

    let browser = Browser::launch().await;
    let page = signed_in_tab(&browser, &app, BORROWER, "borrower").await;
    open_request(&page, &app, &id).await;
    let form = "form[data-action=reroute]";
    page.wait_for_element(form).await;
    assert!(page
        .text(form)
        .await
        .contains("empty: the catalogue chooses libraries not asked yet"));
    // The lenders left empty: a fresh rota without the lender that declined.
    act(&page, "reroute", "REQUESTED").await;
    assert_eq!(request_rota(&page).await, json!([NEXT_LENDER]));
    let why = page
        .text(&format!(
            "#rota tr[data-library=\"{NEXT_LENDER}\"] td.selection"
        ))
        .await;
    assert_eq!(why, reason(0, 0, 0));
    let rerouted = page.text("#history li[data-type=\"Rerouted\"]").await;
    assert!(
        rerouted.contains(&format!(
            "New rota: {NEXT_LENDER} (chosen because: {})",
            reason(0, 0, 0)
        )),
        "{rerouted}"
    );
    page.screenshot("rota-rerouted.png").await;

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(an_unfilled_request_is_rerouted_by_the_catalogue);
