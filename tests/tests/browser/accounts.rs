//! The accounts page (issue 16): coordinators and admins see every account
//! with its role, tokens and whether it is disabled; an admin disables an
//! account after confirming, and that account can no longer sign in or use
//! its token until enabled.

use ill_tests::browser::{Browser, Page};
use ill_tests::{Backend, TestApp};
use serde_json::{json, Value};
use store::on_both_backends;

use crate::web_client::{
    network, no_errors, sign_in, signed_in, BORROWER, LENDER, NEXT_LENDER, PASSWORD, STRANGER,
};

const ROW: &str = "#accounts tr[data-account=\"CT-LEND/ill-staff\"]";

/// The row's cells as the page shows them (the last holds the buttons).
async fn cells(page: &Page, row: &str) -> Value {
    page.eval(&format!(
        "[...document.querySelector({}).cells].slice(0, 5).map(td => td.innerText)",
        serde_json::to_string(row).unwrap()
    ))
    .await
}

async fn accounts_page(page: &Page, app: &TestApp) {
    page.goto(&format!("{}/#/accounts", app.base)).await;
    page.wait_for_element("#accounts tbody tr").await;
}

/// What the API says of the lender's account.
async fn lender_account(app: &TestApp) -> Value {
    let data = app
        .ok(
            &app.admin,
            "query($l: ID) { accounts(library: $l) { name role tokens disabled } }",
            json!({ "l": LENDER }),
        )
        .await;
    data["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "ill-staff")
        .cloned()
        .expect("the lender's account")
}

async fn an_admin_disables_an_account_and_its_sign_in_is_refused(backend: Backend) {
    let app = network(backend).await;
    app.set_password(STRANGER, "ill-staff", PASSWORD, "ADMIN")
        .await;
    app.set_password(NEXT_LENDER, "ill-staff", PASSWORD, "COORDINATOR")
        .await;
    let token = app.token(LENDER, "ill-staff", "STAFF").await;

    let browser = Browser::launch().await;
    let admin = browser.tab(&browser.person().await, "admin").await;
    let lender = browser.tab(&browser.person().await, "lender").await;
    signed_in(&admin, &app, STRANGER).await;
    signed_in(&lender, &app, LENDER).await;

    admin.click("#nav a[href='#/accounts']").await;
    admin.wait_for_element(ROW).await;
    assert_eq!(
        cells(&admin, ROW).await,
        json!([LENDER, "ill-staff", "staff", "1", "Active"])
    );
    // An admin may not disable their own account.
    let own = format!("#accounts tr[data-account=\"{STRANGER}/ill-staff\"] button");
    assert_eq!(
        admin
            .eval(&format!(
                "document.querySelector({}).disabled",
                serde_json::to_string(&own).unwrap()
            ))
            .await,
        json!(true)
    );

    // Asked first; "Keep it" changes nothing.
    admin.click(&format!("{ROW} button[data-do=disable]")).await;
    let asked = admin.text(&format!("{ROW} .confirm")).await;
    assert!(asked.contains("Disable CT-LEND/ill-staff?"), "{asked}");
    admin.screenshot("accounts-confirm.png").await;
    admin.click(&format!("{ROW} button[data-confirm=no]")).await;
    admin
        .wait_for_element(&format!("{ROW} button[data-do=disable]"))
        .await;
    assert_eq!(lender_account(&app).await["disabled"], false);

    admin.click(&format!("{ROW} button[data-do=disable]")).await;
    admin
        .click(&format!("{ROW} button[data-confirm=yes]"))
        .await;
    admin
        .wait_for_element(&format!("{ROW} button[data-do=enable]"))
        .await;
    assert_eq!(
        cells(&admin, ROW).await,
        json!([LENDER, "ill-staff", "staff", "0", "Disabled"])
    );
    admin.screenshot("accounts-disabled.png").await;
    assert_eq!(lender_account(&app).await["disabled"], true);

    // Its session ended, its token too, and signing in is refused.
    lender
        .goto(&format!("{}/#/queue/borrowing", app.base))
        .await;
    lender
        .wait_for("location.hash.startsWith('#/sign-in')", "the sign-in page")
        .await;
    assert_eq!(
        app.error_code(Some(&token), "{ me { name } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );
    sign_in(&lender, &app, LENDER, PASSWORD).await;
    lender
        .wait_for(
            "document.querySelector('#sign-in-message').className.includes('error')",
            "the refusal",
        )
        .await;
    assert!(!lender.text("#sign-in-message").await.is_empty());
    assert_eq!(
        lender.eval("!!document.querySelector('#viewer')").await,
        json!(false)
    );

    // Enabled again: it signs in; its token is not restored.
    admin.click(&format!("{ROW} button[data-do=enable]")).await;
    admin
        .click(&format!("{ROW} button[data-confirm=yes]"))
        .await;
    admin
        .wait_for_element(&format!("{ROW} button[data-do=disable]"))
        .await;
    assert_eq!(
        cells(&admin, ROW).await,
        json!([LENDER, "ill-staff", "staff", "0", "Active"])
    );
    signed_in(&lender, &app, LENDER).await;
    assert_eq!(
        app.error_code(Some(&token), "{ me { name } }", json!({}))
            .await,
        "UNAUTHENTICATED"
    );

    // A coordinator sees the accounts without the buttons; staff do not
    // see the page.
    let coordinator = browser.tab(&browser.person().await, "coordinator").await;
    signed_in(&coordinator, &app, NEXT_LENDER).await;
    accounts_page(&coordinator, &app).await;
    assert_eq!(
        cells(&coordinator, ROW).await,
        json!([LENDER, "ill-staff", "staff", "0", "Active"])
    );
    assert_eq!(
        coordinator
            .eval("document.querySelectorAll('#accounts button').length")
            .await,
        json!(0)
    );
    let staff = browser.tab(&browser.person().await, "staff").await;
    signed_in(&staff, &app, BORROWER).await;
    assert_eq!(
        staff
            .eval("!!document.querySelector(\"#nav a[href='#/accounts']\")")
            .await,
        json!(false)
    );
    staff.goto(&format!("{}/#/accounts", app.base)).await;
    staff
        .wait_for(
            "document.body.innerText.includes('Only coordinators and admins see the accounts')",
            "the refusal",
        )
        .await;

    no_errors(&[&admin, &lender, &coordinator, &staff]);
    browser.close().await;
    app.server.stop().await;
}
on_both_backends!(an_admin_disables_an_account_and_its_sign_in_is_refused);
