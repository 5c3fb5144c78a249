//! A `sqlite://` path that names no store: the commands that read a store
//! refuse it (exit 3) and leave no file behind; only `import` creates one.

use crate::common::{lifecycle, replay, stdout};
use store::testing::{fresh_url, Backend};
use uuid::Uuid;

#[tokio::test]
async fn reading_commands_refuse_a_store_that_does_not_exist() {
    let dir = std::env::temp_dir().join("ill-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("mistyped-{}.sqlite", Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", path.display());
    let id = Uuid::new_v4().to_string();
    let export = dir.join(format!("{}.ndjson", Uuid::new_v4()));
    let export_path = export.to_str().unwrap();
    let at = "2026-03-02T14:00:00Z";
    let commands: [&[&str]; 8] = [
        &["audit", &id],
        &["as-of", at, "--request", &id],
        &["as-of", at, "--queue", "BOR", "--side", "borrowing"],
        &[
            "as-of",
            at,
            "--queue",
            "L1",
            "--side",
            "lending",
            "--whole-log",
        ],
        &["verify"],
        &["export"],
        &["export", "--out", export_path],
        &["rebuild"],
    ];
    for args in commands {
        let output = replay(&url, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("there is no store at {}", path.display())),
            "{args:?}: {stderr}"
        );
        assert!(!path.exists(), "{args:?} created {}", path.display());
    }
    assert!(!export.exists(), "export wrote a file");

    // Bad input is still bad input, store or no store.
    assert_eq!(
        replay(&url, &["audit", "not-a-uuid"]).status.code(),
        Some(2)
    );

    // Import fills a new store.
    let source = fresh_url(Backend::Sqlite).await;
    let request = lifecycle(&source).await.to_string();
    stdout(&replay(&source, &["export", "--out", export_path]));
    let imported = stdout(&replay(&url, &["import", export_path]));
    assert!(imported.contains("imported 10 events"), "{imported}");
    assert!(path.exists());
    stdout(&replay(&url, &["audit", &request]));
    drop(std::fs::remove_file(&export));
    for suffix in ["", "-wal", "-shm"] {
        drop(std::fs::remove_file(format!("{}{suffix}", path.display())));
    }
}
