//! `ill-replay export` and `import` between backends.

use crate::common::{lifecycle, project, replay, stdout};
use store::testing::{fresh_url, Backend};
use uuid::Uuid;

/// SQLite → PostgreSQL and back: the exports are byte-identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_import_across_backends_is_lossless() {
    let sqlite = fresh_url(Backend::Sqlite).await;
    for _ in 0..3 {
        lifecycle(&sqlite).await;
    }
    let dir = std::env::temp_dir().join("ill-tests");
    let first = dir.join(format!("{}.ndjson", Uuid::new_v4()));
    let second = dir.join(format!("{}.ndjson", Uuid::new_v4()));
    stdout(&replay(
        &sqlite,
        &["export", "--out", first.to_str().unwrap()],
    ));

    let postgres = fresh_url(Backend::Postgres).await;
    let imported = stdout(&replay(&postgres, &["import", first.to_str().unwrap()]));
    assert!(imported.contains("imported 30 events"), "{imported}");
    stdout(&replay(
        &postgres,
        &["export", "--out", second.to_str().unwrap()],
    ));
    let (a, b) = (
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
    );
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the exports differ");
    assert_eq!(String::from_utf8(a).unwrap().lines().count(), 30);

    // The imported store's read models, projected afresh, pass verify.
    project(&postgres).await;
    let verified = replay(&postgres, &["verify"]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    // A store with events refuses an import.
    assert_eq!(
        replay(&postgres, &["import", first.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}
