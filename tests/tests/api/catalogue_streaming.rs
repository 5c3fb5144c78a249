//! A holdings file as a stream: one import per library at a time (409),
//! an import abandoned by a crashed process taken over, a stalled body cut
//! (408), and commands that keep completing while a large file is staged and
//! while it is switched.

use std::time::Duration;

use ill_tests::catalogue::{count, execute, generated_csv, until_count};
use ill_tests::{Backend, Network};
use serde_json::json;
use store::on_both_backends;

const RUNNING: &str = "SELECT count(*) FROM holdings_imports WHERE state = 'running'";
const STAGED: &str = "SELECT count(*) FROM holdings WHERE record_id IS NULL";
const IMPORTS: &str = "query { holdingsImports(library: \"L1\") { records } }";

async fn one_import_per_library_at_a_time(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let url = &app.database_url;
    let mut first = app.open_import(&net.l1, "L1", "text/csv").await;
    first.send(b"title\nEmma\n").await;
    until_count(url, RUNNING, 1).await;
    let (status, body) = app
        .import_holdings(Some(&net.coordinator), "L1", "text/csv", "title\nWalden\n")
        .await;
    assert_eq!(status, 409, "{body}");
    // Another library's import is not held up.
    app.import_csv(&net.l2, "L2", "title\nWalden\n").await;
    let (status, summary) = first.finish().await;
    assert_eq!((status, &summary["records"]), (200, &json!(1)));
    app.import_csv(&net.l1, "L1", "title\nWalden\n").await;
    assert!(app.get("/metrics").await.1.contains("import_running"));
}
on_both_backends!(one_import_per_library_at_a_time);

async fn an_abandoned_import_is_taken_over(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let url = &app.database_url;
    let beat = |ago: chrono::Duration| (chrono::Utc::now() - ago).timestamp_micros();
    // A process died mid-import eleven minutes ago, with a copy staged.
    execute(
        url,
        &format!(
            "INSERT INTO holdings_imports (id, library, by_account, format, at_us, state, heartbeat_us)
             VALUES ('dead', 'L1', 'gone', 'csv', 0, 'running', {});
             INSERT INTO holdings (batch, position, copy, library, lendable)
             VALUES ('dead', 1, 1, 'L1', true)",
            beat(chrono::Duration::minutes(11))
        ),
    )
    .await;
    app.import_csv(&net.l1, "L1", "title\nEmma\n").await;
    assert_eq!(
        count(url, "SELECT count(*) FROM holdings WHERE batch = 'dead'").await,
        0
    );
    assert_eq!(
        count(
            url,
            "SELECT count(*) FROM holdings_imports WHERE id = 'dead' AND state = 'abandoned'"
        )
        .await,
        1
    );
    // One that beat a minute ago is alive: 409.
    execute(
        url,
        &format!(
            "INSERT INTO holdings_imports (id, library, by_account, format, at_us, state, heartbeat_us)
             VALUES ('alive', 'L1', 'busy', 'csv', 0, 'running', {})",
            beat(chrono::Duration::minutes(1))
        ),
    )
    .await;
    let (status, _) = app
        .import_holdings(Some(&net.l1), "L1", "text/csv", "title\nWalden\n")
        .await;
    assert_eq!(status, 409);
}
on_both_backends!(an_abandoned_import_is_taken_over);

async fn a_stalled_file_is_cut_and_changes_nothing(backend: Backend) {
    let net = Network::new_with(backend, |settings| {
        settings.security.body_timeout = Duration::from_millis(500);
    })
    .await;
    let app = &net.app;
    app.import_csv(&net.l1, "L1", "title,isbn\nEmma,9780000000033\n")
        .await;
    let mut upload = app.open_import(&net.l1, "L1", "text/csv").await;
    upload.send(b"title\nWalden\n").await;
    let (status, _) = upload.answer().await;
    assert_eq!(status, 408);
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000033").await["title"],
        "Emma"
    );
    assert_eq!(
        count(&app.database_url, RUNNING).await,
        0,
        "the lock is released"
    );
    assert_eq!(
        count(&app.database_url, STAGED).await,
        0,
        "nothing staged is left"
    );
}
on_both_backends!(a_stalled_file_is_cut_and_changes_nothing);

async fn commands_complete_while_a_large_file_is_staged(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let url = &app.database_url;
    let rows = 12_000;
    let csv = generated_csv(rows, "Serial");
    let (head, tail) = csv.split_at(csv.len() * 9 / 10);
    let mut upload = app.open_import(&net.l1, "L1", "text/csv").await;
    upload.send(head.as_bytes()).await;
    // Two chunks of the file are staged, and the import still runs ...
    until_count(url, STAGED, 10_000).await;
    let request = net.place(&["L1", "L2"]).await;
    let placed = net.version(&request["id"]).await;
    for n in 0..5 {
        net.act(
            &net.bor,
            &request["id"],
            &format!("addNote(id: $id, text: \"note {n}\")"),
        )
        .await;
    }
    // ... when the commands have completed: it has not finished.
    assert_eq!(net.version(&request["id"]).await, placed + 5);
    assert_eq!(count(url, RUNNING).await, 1);
    let imports = app.ok(&net.l1, IMPORTS, json!({})).await;
    assert_eq!(imports["holdingsImports"], json!([]));
    upload.send(tail.as_bytes()).await;
    let (status, summary) = upload.finish().await;
    assert_eq!((status, &summary["records"]), (200, &json!(rows)));
}
on_both_backends!(commands_complete_while_a_large_file_is_staged);

async fn commands_complete_while_a_large_file_is_switched(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let url = &app.database_url;
    let rows = 30_000;
    let csv = generated_csv(rows, "Switched");
    let request = net.place(&["L1", "L2"]).await;
    let placed = net.version(&request["id"]).await;
    let mut upload = app.open_import(&net.l1, "L1", "text/csv").await;
    upload.send(csv.as_bytes()).await;
    // All but the last chunk is staged; ending the body stages it, and the
    // clusters are computed and switched while commands keep coming.
    until_count(url, STAGED, 25_000).await;
    let answer = tokio::spawn(upload.finish());
    let mut notes = 0;
    while !answer.is_finished() {
        net.act(
            &net.bor,
            &request["id"],
            &format!("addNote(id: $id, text: \"note {notes}\")"),
        )
        .await;
        notes += 1;
    }
    let (status, summary) = answer.await.expect("the import's answer");
    assert_eq!((status, &summary["records"]), (200, &json!(rows)));
    assert!(notes > 0);
    assert_eq!(net.version(&request["id"]).await, placed + notes);
    let imports = app.ok(&net.l1, IMPORTS, json!({})).await;
    assert_eq!(imports["holdingsImports"], json!([{ "records": rows }]));
}
on_both_backends!(commands_complete_while_a_large_file_is_switched);
