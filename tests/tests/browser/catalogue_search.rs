//! The place-request page's catalogue search in headless Chromium: holdings
//! imported over HTTP, a search typed in the box, a record chosen, and the
//! item fields (and the record's id, sent with the request) filled from it.

use ill_tests::browser::Browser;
use ill_tests::{Backend, TestApp};

use crate::web_client::{network, no_errors, signed_in, status_is, BORROWER, LENDER, NEXT_LENDER};

/// Imports `csv` as `library`'s holdings through the route.
async fn import(app: &TestApp, library: &str, csv: &str) {
    let response = app
        .client
        .post(format!("{}/holdings/{library}", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("POST /holdings");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

async fn a_record_found_in_the_catalogue_fills_the_request(backend: Backend) {
    let app = network(backend).await;
    let header = "title,author,isbn,oclc,publisher,year,edition,lendable";
    let rose =
        "Il nome della rosa,\"Eco, Umberto\",0-15-144647-4,7281234,Bompiani,1980,1st ed.,true";
    import(
        &app,
        LENDER,
        &format!("{header}\n{rose}\nLa rose des vents,Hervé Bazin,,555,,1962,,true"),
    )
    .await;
    import(&app, NEXT_LENDER, &format!("{header}\n{rose}")).await;
    let browser = Browser::launch().await;
    let page = browser.tab(&browser.person().await, "borrower").await;
    signed_in(&page, &app, BORROWER).await;

    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#catalog-query").await;
    // The last word is also a prefix: "ros" finds "rosa" and "rose".
    page.type_into("#catalog-query", "ROS").await;
    page.press_enter().await;
    page.wait_for(
        "document.querySelectorAll('#catalog-results li').length === 2",
        "two records",
    )
    .await;
    let first = page.text("#catalog-results li:first-child").await;
    // Held lendable by two libraries: first.
    assert!(first.contains("Il nome della rosa"), "{first}");
    assert!(first.contains("Eco, Umberto, 1980"), "{first}");
    assert!(first.contains("ISBN 9780151446476"), "{first}");
    assert!(first.contains("OCLC 7281234"), "{first}");
    assert!(first.contains("2 libraries lend it"), "{first}");
    assert!(page
        .text("#catalog-status")
        .await
        .contains("2 records found"));
    page.screenshot("catalogue-search.png").await;

    page.click("#catalog-results li:first-child .catalog-choose")
        .await;
    let field = |name: &str| format!("document.querySelector('#place-{name}').value");
    for (name, value) in [
        ("title", "Il nome della rosa"),
        ("author", "Eco, Umberto"),
        ("isbn", "9780151446476"),
        ("oclcNumber", "7281234"),
        ("publisher", "Bompiani"),
        ("year", "1980"),
        ("edition", "1st ed."),
        ("catalogRecordId", "ocolc:7281234"),
    ] {
        assert_eq!(
            page.eval(&field(name)).await,
            serde_json::json!(value),
            "{name}"
        );
    }

    // Choosing it proposed its lenders (proposed_rota.rs says more); the
    // request placed from it carries the record's id.
    page.wait_for(
        "document.querySelector('#rota-proposal').dataset.state === 'proposed'",
        "the proposed rota",
    )
    .await;
    let mut proposed: Vec<String> = serde_json::from_value(
        page.eval(
            "[...document.querySelectorAll('#rota-list > li')].map(li => li.dataset.library)",
        )
        .await,
    )
    .unwrap();
    proposed.sort();
    assert_eq!(proposed, [LENDER, NEXT_LENDER]);
    page.type_into("#place-barcode", "21000012345678").await;
    page.click("#place-submit").await;
    status_is(&page, "REQUESTED").await;
    let id = page.eval("location.hash").await;
    let id = id.as_str().unwrap().trim_start_matches("#/request/");
    let token = app.token(BORROWER, "reader", "STAFF").await;
    let item = app
        .ok(
            &token,
            "query($id: UUID!) { request(id: $id) { item { title catalogRecordId } } }",
            serde_json::json!({ "id": id }),
        )
        .await;
    assert_eq!(
        item["request"]["item"],
        serde_json::json!({ "title": "Il nome della rosa", "catalogRecordId": "ocolc:7281234" })
    );

    // A query the catalogue refuses says why, in the page.
    page.goto(&format!("{}/#/place", app.base)).await;
    page.wait_for_element("#catalog-query").await;
    page.type_into("#catalog-query", "--").await;
    page.click("#catalog-search").await;
    page.wait_for(
        "document.querySelector('#catalog-status').innerText.includes('no word')",
        "the refusal",
    )
    .await;
    no_errors(&[&page]);
    browser.close().await;
}

store::on_both_backends!(a_record_found_in_the_catalogue_fills_the_request);
