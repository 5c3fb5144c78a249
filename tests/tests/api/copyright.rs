//! The copyright report end to end, in a network whose time zone is New
//! York: CCG copies delivered per title (by ISSN, else the folded title),
//! the sixth flagged; CCL and copies of articles six years old not counted;
//! a copy counted in the year of its delivery in the network's time zone.

use chrono::{TimeZone, Utc};
use domain::Calendar;
use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const REPORT: &str = "query($library: ID!, $year: Int!) {
    copyrightReport(library: $library, year: $year) { title issn copies overLimit } }";

/// Places a COPY from BOR to L1 with `item` and has L1 deliver it, a minute
/// after the one before (a title shows its first counted copy's title).
async fn delivered(net: &Network, item: Value) -> Value {
    net.app.clock.advance(chrono::Duration::minutes(1));
    let mut full = json!({ "title": "Nature" });
    full.as_object_mut()
        .unwrap()
        .extend(item.as_object().unwrap().clone());
    let placed = net
        .place_with(&["L1"], json!({ "serviceType": "COPY", "item": full }))
        .await;
    net.act(&net.l1, &placed["id"], "deliverCopy(id: $id)")
        .await;
    placed
}

async fn report(net: &Network, year: i32, check: impl Fn(&Value) -> bool) -> Value {
    net.app
        .eventually(
            &net.bor,
            REPORT,
            json!({ "library": "BOR", "year": year }),
            |d| check(&d["copyrightReport"]),
        )
        .await["copyrightReport"]
        .clone()
}

async fn the_sixth_ccg_copy_of_a_title_in_a_year_is_flagged(backend: Backend) {
    let net = Network::new_with(backend, |settings| {
        settings.calendar = Calendar::new(chrono_tz::America::New_York);
    })
    .await;
    // Placed in 2026: articles of 2021 and later count.
    let nature = |year: i32, issn: &str| json!({ "issn": issn, "publicationYear": year });
    let first = delivered(&net, nature(2025, "0028-0836")).await;
    let read = net
        .app
        .ok(
            &net.bor,
            "query($id: UUID!) { request(id: $id) { item { copyrightCompliance publicationYear } } }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(
        read["request"]["item"],
        json!({ "copyrightCompliance": "CCG", "publicationYear": 2025 })
    );
    delivered(&net, nature(2024, "00280836")).await;
    delivered(&net, nature(2021, "0028-0836")).await;
    delivered(&net, json!({ "issn": "0028-0836" })).await;
    delivered(
        &net,
        json!({ "issn": "0028-0836", "copyrightCompliance": "CCG" }),
    )
    .await;
    // Not counted: CCL, OTHER, a six-year-old article, an undelivered copy.
    delivered(
        &net,
        json!({ "issn": "0028-0836", "copyrightCompliance": "CCL" }),
    )
    .await;
    delivered(
        &net,
        json!({ "issn": "0028-0836", "copyrightCompliance": "OTHER" }),
    )
    .await;
    delivered(&net, nature(2020, "0028-0836")).await;
    net.place_with(
        &["L1"],
        json!({ "serviceType": "COPY", "item": { "title": "Nature", "issn": "0028-0836" } }),
    )
    .await;
    // No ISSN: the folded title.
    delivered(&net, json!({ "title": "Café Society" })).await;
    delivered(&net, json!({ "title": "cafe  society!" })).await;

    let five = report(&net, 2026, |r| r[1]["copies"] == 2).await;
    assert_eq!(
        five,
        json!([
            { "title": "Nature", "issn": "0028-0836", "copies": 5, "overLimit": false },
            { "title": "Café Society", "issn": null, "copies": 2, "overLimit": false },
        ])
    );
    delivered(&net, nature(2026, "0028-0836")).await;
    let six = report(&net, 2026, |r| r[0]["copies"] == 6).await;
    assert_eq!(six[0]["overLimit"], true);

    // New Year's Eve, 23:30 in New York (2027 already in UTC): 2026's.
    net.app
        .clock
        .set(Utc.with_ymd_and_hms(2027, 1, 1, 4, 30, 0).unwrap());
    let science = json!({ "title": "Science", "issn": "0036-8075" });
    delivered(&net, science.clone()).await;
    // Half past midnight in New York: 2027's.
    net.app
        .clock
        .set(Utc.with_ymd_and_hms(2027, 1, 1, 5, 30, 0).unwrap());
    delivered(&net, science).await;
    let year_2026 = report(&net, 2026, |r| r.as_array().unwrap().len() == 3).await;
    assert_eq!(year_2026[2]["title"], "Science");
    assert_eq!(year_2026[2]["copies"], 1);
    let year_2027 = report(&net, 2027, |r| r.as_array().unwrap().len() == 1).await;
    assert_eq!(
        year_2027,
        json!([{ "title": "Science", "issn": "0036-8075", "copies": 1, "overLimit": false }])
    );

    // Another library's staff may not read it; a coordinator may.
    let variables = json!({ "library": "BOR", "year": 2026 });
    assert_eq!(
        net.app
            .error_code(Some(&net.l1), REPORT, variables.clone())
            .await,
        "FORBIDDEN"
    );
    let read = net.app.ok(&net.coordinator, REPORT, variables).await;
    assert_eq!(read["copyrightReport"], year_2026);
    assert_eq!(
        net.app
            .error_code(
                Some(&net.bor),
                REPORT,
                json!({ "library": "BOR", "year": 0 })
            )
            .await,
        "BAD_INPUT"
    );
}
on_both_backends!(the_sixth_ccg_copy_of_a_title_in_a_year_is_flagged);
