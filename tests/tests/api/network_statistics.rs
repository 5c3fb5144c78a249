//! `statistics` reads per-library rows only when `libraries` is asked for;
//! the network's figures, its declines and its months are the same either
//! way, on a generated history.

use domain::Calendar;
use ill_tests::{spawn_app_on, test_epoch, Backend};
use projections::rebuild;
use serde_json::{json, Value};
use simulation::{generate, Shape};
use store::on_both_backends;
use store::testing::fresh_url;
use store::Database;

const NETWORK: &str = "network { placed filled unfilled cancelled fillRate medianDaysToReceive }
  declinedByReason { reason count } monthly { month placed filled unfilled shipped }";

async fn network_figures_need_no_library_rows(backend: Backend) {
    let url = fresh_url(backend).await;
    let db = Database::connect(&url).await.unwrap();
    let shape = Shape::year_ending(test_epoch(), 300, 7);
    generate(&db, &shape).await.unwrap();
    rebuild::rebuild(&db, Calendar::default(), None)
        .await
        .unwrap();
    let app = spawn_app_on(url, |_| {}).await;
    let ask = |query: String| {
        let app = &app;
        async move { app.ok(&app.admin, &query, json!({})).await["statistics"].clone() }
    };
    let alone: Value = ask(format!("{{ statistics {{ {NETWORK} }} }}")).await;
    let with_libraries = ask(format!(
        "{{ statistics {{ {NETWORK} libraries {{ library {{ id }} }} }} }}"
    ))
    .await;
    let through_a_fragment = ask(format!(
        "{{ statistics {{ {NETWORK} ...rows }} }} \
         fragment rows on Statistics {{ libraries {{ library {{ id }} }} }}"
    ))
    .await;
    assert!(alone["network"]["placed"].as_i64().unwrap() > 0, "{alone}");
    assert!(alone["network"]["medianDaysToReceive"].is_f64(), "{alone}");
    assert!(!alone["declinedByReason"].as_array().unwrap().is_empty());
    let rows = with_libraries["libraries"].as_array().unwrap();
    assert!(rows.len() > 1, "{with_libraries}");
    assert_eq!(through_a_fragment["libraries"].as_array().unwrap(), rows);
    for field in ["network", "declinedByReason", "monthly"] {
        assert_eq!(alone[field], with_libraries[field], "{field}");
        assert_eq!(alone[field], through_a_fragment[field], "{field}");
    }
    app.server.stop().await;
}
on_both_backends!(network_figures_need_no_library_rows);
