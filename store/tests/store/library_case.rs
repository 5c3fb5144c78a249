//! Migration 0010 refuses to run while two registered library ids differ
//! only in case, and names them.

use store::testing::{fresh_url, Backend};
use store::{on_both_backends, Database};

const REGISTER: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) VALUES ('Library', $1, 1, 'LibraryRegistered', '1.0', '{}', '{}')";
const UNDO_0010: [&str; 2] = [
    "ALTER TABLE accounts DROP COLUMN disabled",
    "DELETE FROM _sqlx_migrations WHERE version = 10",
];

async fn case_duplicates_stop_the_migration(backend: Backend) {
    let url = fresh_url(backend).await;
    let database = Database::connect(&url).await.expect("a fresh store");
    // A store from before 0010, holding `lib-a` and `LIB-A`.
    for statement in UNDO_0010 {
        store::backend::on_db!(&database, pool => {
            sqlx::query(statement).execute(pool).await.unwrap();
        });
    }
    for id in ["lib-a", "LIB-A", "lib-b"] {
        store::backend::on_db!(&database, pool => {
            sqlx::query(REGISTER).bind(id).execute(pool).await.unwrap();
        });
    }
    drop(database);
    let error = Database::connect(&url)
        .await
        .expect_err("the migration ran over case duplicates")
        .to_string();
    assert!(
        error.contains("differ only in case") && error.contains("LIB-A") && error.contains("lib-a"),
        "{error}"
    );
    assert!(!error.contains("lib-b"), "{error}");
}
on_both_backends!(case_duplicates_stop_the_migration);
