//! What US ILL practice expects, in the staff client (issue 20): a copy's
//! copyright compliance chosen on the form, the warning before the sixth
//! CCG copy of a title in a year, the copyright report and its CSV; a
//! library's closures in the directory and on the rota picker; needed-by in
//! the queues and on the request page, and changing it.

use ill_tests::browser::{Browser, Page};
use ill_tests::{Backend, TestApp};
use serde_json::{json, Value};
use store::on_both_backends;

use crate::web_client::{
    network, no_errors, open_request, placed_request, shown_request, signed_in_tab, status_is,
    BORROWER, LENDER, NEXT_LENDER, STRANGER,
};

const PLACE: &str = "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) { id } }";
const NATURE_ISSN: &str = "0028-0836";
const REPORT: &str = "query($library: ID!, $year: Int!) {
    copyrightReport(library: $library, year: $year) { title issn copies overLimit } }";

/// A CCG copy of Nature placed by the borrower with the lender and
/// delivered.
async fn delivered_copy(app: &TestApp, borrower: &str, lender: &str) {
    let input = json!({ "input": {
        "serviceType": "COPY",
        "patron": { "barcode": "2100012345" },
        "item": { "title": "Nature", "issn": NATURE_ISSN, "copyrightCompliance": "CCG",
                  "publicationYear": 2025 },
        "lenders": [LENDER],
    } });
    let placed = app.ok(borrower, PLACE, input).await;
    deliver(app, lender, &placed["placeRequest"]["id"]).await;
}

/// The lender delivers the copy `id`.
async fn deliver(app: &TestApp, lender: &str, id: &Value) {
    app.ok(
        lender,
        "mutation($id: UUID!) { deliverCopy(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
}

/// Waits until the borrower's report for 2026 counts `copies` of Nature.
async fn nature_counted(app: &TestApp, token: &str, copies: i64) {
    app.eventually(
        token,
        REPORT,
        json!({ "library": BORROWER, "year": 2026 }),
        |d| d["copyrightReport"][0]["copies"] == copies,
    )
    .await;
}

/// Fills the place-request form for a copy of Nature from the lender.
async fn copy_of_nature(page: &Page, app: &TestApp) {
    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#place-form").await;
    page.choose("#place-serviceType", "COPY").await;
    page.type_into("#place-title", "Nature").await;
    page.type_into("#place-issn", NATURE_ISSN).await;
    page.type_into("#place-articleTitle", "A new kind of cell")
        .await;
    page.type_into("#place-publicationYear", "2025").await;
    page.type_into("#place-barcode", "21000012345678").await;
    page.choose("#lender-choice", LENDER).await;
    page.click("#add-lender").await;
    page.wait_for_element(&format!("#rota-list li[data-library=\"{LENDER}\"]"))
        .await;
}

async fn message(page: &Page) -> String {
    page.text("#place-message").await
}

/// The request the page shows: its item's compliance, read through the API.
async fn compliance_of_shown(page: &Page, app: &TestApp, token: &str) -> Value {
    let id = shown_request(page).await;
    app.ok(
        token,
        "query($id: UUID!) { request(id: $id) { item { copyrightCompliance } } }",
        json!({ "id": id }),
    )
    .await["request"]["item"]["copyrightCompliance"]
        .clone()
}

async fn the_sixth_ccg_copy_is_warned_of_and_reported(backend: Backend) {
    let app = network(backend).await;
    let borrower = app.token(BORROWER, "api", "STAFF").await;
    let lender = app.token(LENDER, "api", "STAFF").await;
    for _ in 0..4 {
        delivered_copy(&app, &borrower, &lender).await;
    }
    nature_counted(&app, &borrower, 4).await;

    let browser = Browser::launch().await;
    let page = signed_in_tab(&browser, &app, BORROWER, "borrower").await;

    // A copy asks for its compliance; a loan does not show the choice.
    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#place-form").await;
    let hidden = "document.querySelector('#place-copyrightCompliance').closest('.grid').hidden";
    assert_eq!(page.eval(hidden).await, json!(true));
    copy_of_nature(&page, &app).await;
    assert_eq!(page.eval(hidden).await, json!(false));
    assert_eq!(
        page.eval(
            "[...document.querySelectorAll('#place-copyrightCompliance option')].map(o => o.value)"
        )
        .await,
        json!(["", "CCG", "CCL", "OTHER"])
    );
    page.click("#place-submit").await;
    page.wait_for(
        "document.querySelector('#place-message').innerText.includes('copyright compliance')",
        "the request to choose a compliance",
    )
    .await;
    assert_eq!(page.eval("location.hash").await, json!("#/place"));

    // The fifth CCG copy: no warning.
    page.choose("#place-copyrightCompliance", "CCG").await;
    page.click("#place-submit").await;
    let id = placed_request(&page).await;
    assert_eq!(compliance_of_shown(&page, &app, &borrower).await, "CCG");
    assert!(page.text("dl.facts").await.contains("CCG"));
    deliver(&app, &lender, &json!(id)).await;
    nature_counted(&app, &borrower, 5).await;

    // The sixth: warned before it is placed, offered CCL or OTHER.
    copy_of_nature(&page, &app).await;
    page.choose("#place-copyrightCompliance", "CCG").await;
    page.click("#place-submit").await;
    page.wait_for(
        "document.querySelector('#place-message').dataset.warning === 'copyright'",
        "the copyright warning",
    )
    .await;
    let warning = message(&page).await;
    assert!(
        warning.contains("already had 5 CCG copies")
            && warning.contains("CCL")
            && warning.contains("OTHER"),
        "{warning}"
    );
    assert_eq!(page.eval("location.hash").await, json!("#/place"));
    page.screenshot("place-copyright-warning.png").await;
    page.choose("#place-copyrightCompliance", "CCL").await;
    page.click("#place-submit").await;
    placed_request(&page).await;
    assert_eq!(compliance_of_shown(&page, &app, &borrower).await, "CCL");

    // Warned again, staff may go ahead as CCG by placing it once more.
    copy_of_nature(&page, &app).await;
    page.choose("#place-copyrightCompliance", "CCG").await;
    page.click("#place-submit").await;
    page.wait_for(
        "document.querySelector('#place-message').dataset.warning === 'copyright'",
        "the copyright warning",
    )
    .await;
    page.click("#place-submit").await;
    let id = placed_request(&page).await;
    assert_eq!(compliance_of_shown(&page, &app, &borrower).await, "CCG");
    deliver(&app, &lender, &json!(id)).await;
    nature_counted(&app, &borrower, 6).await;

    // The report: the title over the limit, and the same rows as CSV.
    page.click("#nav a[href='#/copyright']").await;
    page.wait_for_element("#copyright tbody tr").await;
    assert_eq!(
        page.eval("[...document.querySelectorAll('#copyright tbody tr')].map(tr => [...tr.cells].map(td => td.innerText))")
            .await,
        json!([["Nature", NATURE_ISSN, "6", "Over the limit"]])
    );
    page.screenshot("copyright-report.png").await;
    assert_eq!(
        page.eval("document.querySelector('#copyright-csv').download")
            .await,
        json!(format!("copyright-{BORROWER}-2026.csv"))
    );
    let downloads = std::env::temp_dir().join(format!("ill-downloads-{}", uuid::Uuid::new_v4()));
    page.download_to(&downloads).await;
    page.click("#copyright-csv").await;
    let file = downloads.join(format!("copyright-{BORROWER}-2026.csv"));
    let started = std::time::Instant::now();
    while !file.exists() {
        assert!(started.elapsed().as_secs() < 20, "no {}", file.display());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("title,issn,copies,over_limit\nNature,{NATURE_ISSN},6,true\n")
    );
    drop(std::fs::remove_dir_all(&downloads));
    // Another year has none.
    page.choose("#copyright-year", "2025").await;
    page.click("form.row button[type=submit]").await;
    page.wait_for_element("#copyright-empty").await;

    no_errors(&[&page]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(the_sixth_ccg_copy_is_warned_of_and_reported);

async fn closures_show_in_the_directory_and_on_the_rota_picker(backend: Backend) {
    let app = network(backend).await;
    // Today is 2 March 2026: closed from the 3rd to the 5th.
    app.ok(
        &app.admin,
        "mutation { setClosures(library: \"CT-NEXT\", closures: [{from: \"2026-03-03\", to: \"2026-03-05\", reason: \"inventory\"}]) { id } }",
        json!({}),
    )
    .await;
    app.set_password(
        STRANGER,
        "ill-staff",
        crate::web_client::PASSWORD,
        "COORDINATOR",
    )
    .await;
    let closed = "closed Mar 3, 2026 – Mar 5, 2026 (inventory)";

    let browser = Browser::launch().await;
    let page = signed_in_tab(&browser, &app, BORROWER, "borrower").await;
    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#place-form").await;
    let option = page
        .text(&format!("#lender-choice option[value=\"{NEXT_LENDER}\"]"))
        .await;
    assert!(option.contains(closed), "{option}");
    // Closed is not suspended: it can still be put in the rota.
    assert_eq!(
        page.eval(&format!(
            "document.querySelector('#lender-choice option[value=\"{NEXT_LENDER}\"]').disabled"
        ))
        .await,
        json!(false)
    );
    let open = page
        .text(&format!("#lender-choice option[value=\"{LENDER}\"]"))
        .await;
    assert!(!open.contains("closed"), "{open}");
    page.choose("#lender-choice", NEXT_LENDER).await;
    page.click("#add-lender").await;
    let picked = page
        .text(&format!(
            "#rota-list li[data-library=\"{NEXT_LENDER}\"] .closures"
        ))
        .await;
    assert!(
        picked.contains(closed) && picked.contains("skipped while closed"),
        "{picked}"
    );
    page.screenshot("rota-closures.png").await;

    // The coordinator's directory lists every library's closures.
    let coordinator = signed_in_tab(&browser, &app, STRANGER, "coordinator").await;
    coordinator.click("#nav a[href='#/coordinator']").await;
    coordinator.wait_for_element("#directory").await;
    let row = coordinator
        .text(&format!(
            "#directory tr[data-library=\"{NEXT_LENDER}\"] .closures"
        ))
        .await;
    assert_eq!(row, closed);
    let other = coordinator
        .text(&format!(
            "#directory tr[data-library=\"{LENDER}\"] .closures"
        ))
        .await;
    assert_eq!(other, "—");
    coordinator.screenshot("directory-closures.png").await;

    no_errors(&[&page, &coordinator]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(closures_show_in_the_directory_and_on_the_rota_picker);

/// The text of the queue row's "Needed by" cell.
async fn needed_by_cell(page: &Page, id: &str) -> Value {
    page.eval(&format!(
        "document.querySelector('#queue-table tr[data-id=\"{id}\"] td[data-label=\"Needed by\"]').innerText"
    ))
    .await
}

async fn the_needed_by_date_is_shown_and_changed(backend: Backend) {
    let app = network(backend).await;
    let borrower = app.token(BORROWER, "api", "STAFF").await;
    let input = json!({ "input": {
        "patron": { "barcode": "2100012345" },
        "item": { "title": "The Long Winter" },
        "lenders": [LENDER],
        "neededBy": "2026-03-20",
    } });
    let id = app.ok(&borrower, PLACE, input).await["placeRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let browser = Browser::launch().await;
    let page = signed_in_tab(&browser, &app, BORROWER, "borrower").await;
    let lender = signed_in_tab(&browser, &app, LENDER, "lender").await;
    for (tab, side) in [(&page, "borrowing"), (&lender, "lending")] {
        tab.goto(&format!("{}/#/queue/{side}", app.base)).await;
        tab.wait_for_element(&format!(
            "#queue-table tr[data-id=\"{id}\"] td[data-label=\"Needed by\"]"
        ))
        .await;
        assert_eq!(needed_by_cell(tab, &id).await, json!("Mar 20, 2026"));
    }

    open_request(&page, &app, &id).await;
    let fact = "[...document.querySelectorAll('dl.facts dt')].find(dt => dt.textContent === 'Needed by')?.nextElementSibling.textContent";
    page.wait_for(&format!("({fact}) === 'Mar 20, 2026'"), "the date")
        .await;
    // The lender has no such form: the date is the borrower's.
    open_request(&lender, &app, &id).await;
    assert_eq!(
        lender
            .eval("!!document.querySelector('form[data-action=updateNeededBy]')")
            .await,
        json!(false)
    );

    let form = "form[data-action=updateNeededBy]";
    page.choose(&format!("{form} input[name=neededBy]"), "2026-03-25")
        .await;
    page.click(&format!("{form} button[type=submit]")).await;
    page.wait_for(&format!("({fact}) === 'Mar 25, 2026'"), "the new date")
        .await;
    status_is(&page, "REQUESTED").await;
    page.screenshot("request-needed-by.png").await;
    let stored = app
        .ok(
            &borrower,
            "query($id: UUID!) { request(id: $id) { neededBy } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(stored["request"]["neededBy"], "2026-03-25");
    page.goto(&format!("{}/#/queue/borrowing", app.base)).await;
    page.wait_for(
        &format!(
            "document.querySelector('#queue-table tr[data-id=\"{id}\"] td[data-label=\"Needed by\"]')?.innerText === 'Mar 25, 2026'"
        ),
        "the queue's new date",
    )
    .await;

    // Emptied, the date is cleared.
    open_request(&page, &app, &id).await;
    page.choose(&format!("{form} input[name=neededBy]"), "")
        .await;
    page.click(&format!("{form} button[type=submit]")).await;
    page.wait_for(&format!("({fact}) === undefined"), "no date")
        .await;
    let stored = app
        .ok(
            &borrower,
            "query($id: UUID!) { request(id: $id) { neededBy } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(stored["request"]["neededBy"], Value::Null);

    no_errors(&[&page, &lender]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(the_needed_by_date_is_shown_and_changed);
