//! The holdings imports page in headless Chromium: a file with a bad record
//! imported through `POST /holdings/LIBRARY`, then each library's last
//! import with its counts and its rejected records as a coordinator sees it
//! (from the navigation), and a library's staff seeing their own only.

use ill_tests::browser::{Browser, Page};
use ill_tests::{Backend, TestApp};
use serde_json::{json, Value};
use store::on_both_backends;

use crate::web_client::{
    network, no_errors, signed_in_tab, BORROWER, LENDER, NEXT_LENDER, PASSWORD, STRANGER,
};

/// An earlier file, replaced by the next import.
const EARLIER: &str = "title,oclc\nThe Long Winter,12345\n";
/// Three records; the second's `lendable` is no answer, so it is rejected.
const LATEST: &str = "title,oclc,lendable\nThe Long Winter,12345,true\nLittle Town on the Prairie,23456,maybe\nThese Happy Golden Years,34567,false\n";
const REJECTION: &str = "lendable maybe is not true or false";

/// The cells of the imports table's row for `library`.
async fn row(page: &Page, library: &str) -> Value {
    page.eval(&format!(
        "[...document.querySelector('#imports tr[data-library=\"{library}\"]').cells].map(td => td.innerText.trim())"
    ))
    .await
}

/// The rejected records listed in `library`'s row, opened first.
async fn rejections(page: &Page, library: &str) -> Value {
    let row = format!("#imports tr[data-library=\"{library}\"]");
    page.click(&format!("{row} details.rejections summary"))
        .await;
    page.eval(&format!(
        "[...document.querySelectorAll('{row} details.rejections tbody tr')].map(tr => [...tr.cells].map(td => td.innerText))"
    ))
    .await
}

async fn imported(app: &TestApp) -> Value {
    let cataloguer = app.token(LENDER, "cataloguer", "STAFF").await;
    let (status, _) = app
        .import_holdings(Some(&cataloguer), LENDER, "text/csv", EARLIER)
        .await;
    assert_eq!(status, 200);
    let (status, summary) = app
        .import_holdings(Some(&cataloguer), LENDER, "text/csv", LATEST)
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (
            &summary["records"],
            &summary["holdings"],
            &summary["rejected"]
        ),
        (&json!(3), &json!(2), &json!(1)),
        "{summary}"
    );
    assert_eq!(summary["errors"][0]["reason"], REJECTION, "{summary}");
    summary
}

async fn each_library_s_last_import_and_its_rejections(backend: Backend) {
    let app = network(backend).await;
    app.set_password(STRANGER, "ill-staff", PASSWORD, "COORDINATOR")
        .await;
    let summary = imported(&app).await;
    let record = summary["errors"][0]["record"].as_i64().unwrap();

    let browser = Browser::launch().await;
    let coordinator = signed_in_tab(&browser, &app, STRANGER, "coordinator").await;
    coordinator.click("#nav a[href='#/imports']").await;
    coordinator
        .wait_for_element(&format!("#imports tr[data-library=\"{LENDER}\"]"))
        .await;
    // The last import, not the earlier one: who, how, the counts, the result.
    let cells = row(&coordinator, LENDER).await;
    assert_eq!(cells[0], json!(format!("{LENDER} ({LENDER})")));
    assert_eq!(
        cells.as_array().unwrap()[2..7],
        [
            json!("cataloguer"),
            json!("CSV"),
            json!("3"),
            json!("2"),
            json!("1")
        ]
    );
    let result = cells[7].as_str().unwrap();
    assert!(
        result.starts_with("Kept, some records rejected") && result.contains("1 record rejected"),
        "{result}"
    );
    assert_eq!(
        rejections(&coordinator, LENDER).await,
        json!([[format!("#{record}"), REJECTION]])
    );
    coordinator.screenshot("holdings-imports.png").await;
    // Every library is listed; one that never sent a file says so.
    let never = row(&coordinator, NEXT_LENDER).await;
    assert!(
        never[1].as_str().unwrap().starts_with("No import yet"),
        "{never}"
    );
    // The coordinator's page leads here too.
    coordinator.click("#nav a[href='#/coordinator']").await;
    coordinator.wait_for_element("#imports-link").await;
    coordinator.click("#imports-link").await;
    coordinator.wait_for_element("#imports").await;

    // A library's staff see their own library's imports only.
    let lender = signed_in_tab(&browser, &app, LENDER, "lender").await;
    lender.click("#nav a[href='#/imports']").await;
    lender
        .wait_for_element(&format!("#imports tr[data-library=\"{LENDER}\"]"))
        .await;
    assert_eq!(
        lender
            .eval("document.querySelectorAll('#imports > tbody > tr').length")
            .await,
        json!(1)
    );
    assert_eq!(
        rejections(&lender, LENDER).await,
        json!([[format!("#{record}"), REJECTION]])
    );
    let borrower = signed_in_tab(&browser, &app, BORROWER, "borrower").await;
    borrower.click("#nav a[href='#/imports']").await;
    borrower
        .wait_for_element(&format!("#imports tr[data-library=\"{BORROWER}\"]"))
        .await;
    assert_eq!(
        borrower
            .eval("[...document.querySelectorAll('#imports > tbody > tr')].map(tr => tr.dataset.library)")
            .await,
        json!([BORROWER])
    );
    assert!(borrower.text("#imports").await.contains("No import yet"));

    no_errors(&[&coordinator, &lender, &borrower]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(each_library_s_last_import_and_its_rejections);
