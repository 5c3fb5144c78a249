//! The operational routes: /healthz and /metrics.

use ill_tests::{Backend, Network};
use serde_json::json;
use store::on_both_backends;

async fn health_and_metrics(backend: Backend) {
    let net = Network::new(backend).await;
    let (status, _) = net.app.get("/healthz").await;
    assert_eq!(status, 200);

    // Some traffic: a command that works and one that is refused.
    let id = net.place(&["L1", "L2"]).await["id"].clone();
    assert_eq!(
        net.refused(&net.l2, &id, "willSupply(id: $id)").await,
        "FORBIDDEN"
    );
    net.app
        .eventually(
            &net.l1,
            r#"{ queue(library: "L1", side: LENDING) { totalCount } }"#,
            json!({}),
            |d| d["queue"]["totalCount"] == 1,
        )
        .await;

    let (status, metrics) = net.app.get("/metrics").await;
    assert_eq!(status, 200);
    for needle in [
        "ill_http_requests_total",
        r#"route="/graphql""#,
        "ill_commands_total",
        r#"ill_commands_total{command="placeRequest",outcome="ok"} 1"#,
        r#"ill_commands_total{command="willSupply",outcome="FORBIDDEN"} 1"#,
        "ill_projector_lag_seconds",
        "# TYPE ill_projector_lag_seconds gauge",
    ] {
        assert!(metrics.contains(needle), "no {needle} in\n{metrics}");
    }
    // Every sample line parses as `name{labels} value`.
    for line in metrics
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
    }
    // The scrape itself is counted by the next one.
    let (_, again) = net.app.get("/metrics").await;
    assert!(again.contains(r#"route="/metrics""#), "{again}");
    let (_, again) = net.app.get("/healthz").await;
    assert_eq!(again, "ok");
}
on_both_backends!(health_and_metrics);
