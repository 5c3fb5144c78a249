//! The `ill-server` executable itself (`../shared/contract/CLI.md`).
//!
//! Besides checking the binary, this integration test makes `cargo test
//! --workspace` build `target/<profile>/ill-server`, which the reliability
//! tests in `tests/` start as child processes (tests/src/nodes.rs).

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ill-server"))
}

#[test]
fn print_schema_prints_the_served_sdl() {
    let output = server()
        .arg("print-schema")
        .output()
        .expect("run ill-server");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        api::graphql::sdl()
    );
}

#[test]
fn a_bad_flag_is_bad_usage() {
    let output = server()
        .args(["--request-timeout-secs", "0"])
        .output()
        .expect("run ill-server");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn account_set_password_reads_the_password_from_stdin() {
    use std::io::Write;
    use std::process::Stdio;

    let dir = std::env::temp_dir().join(format!("ill-set-password-{}", std::process::id()));
    let url = format!("sqlite://{}/ill.sqlite", dir.display());
    let set = |password: &str| {
        let mut child = server()
            .args(["--database-url", &url, "account", "set-password"])
            .args([
                "--library",
                "CT-HFD",
                "--name",
                "ill-staff",
                "--role",
                "COORDINATOR",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ill-server");
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = set("short");
    assert!(!short.status.success(), "{short:?}");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));

    let output = set("correct horse battery");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "password set for CT-HFD ill-staff (COORDINATOR)\n"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let credentials = runtime.block_on(async {
        let database = store::Database::connect(&url).await.unwrap();
        let library = domain::LibraryId::from("CT-HFD");
        store::sessions::credentials(&database, &library, "ill-staff")
            .await
            .unwrap()
    });
    let stored = credentials.unwrap().password_hash.unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains("correct horse battery"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Starts `ill-server --demo` on `url` and reads its output up to the
/// `listening on` line; then stops it.
fn demo_start(url: &str) -> String {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let mut child = server()
        .args(["--database-url", url, "--listen", "127.0.0.1:0"])
        .args(["--demo", "--demo-requests", "300"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ill-server");
    let mut printed = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("listening on") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    printed
}

#[test]
fn demo_on_a_loaded_store_says_how_to_sign_in_again() {
    let dir = std::env::temp_dir().join(format!("ill-demo-again-{}", std::process::id()));
    let url = format!("sqlite://{}/ill.sqlite", dir.display());
    let first = demo_start(&url);
    assert!(first.contains("demo accounts:"), "{first}");
    assert!(first.contains("listening on"), "{first}");

    let again = demo_start(&url);
    assert!(
        again.contains("the store is not empty; nothing loaded"),
        "{again}"
    );
    // The demo accounts, each with the command that gives it a new password.
    for account in [
        "--library CT-STATE --name admin",
        "--library CT-STATE --name coordinator",
    ] {
        assert!(
            again.contains(&format!("ill-server account set-password {account}\n")),
            "{again}"
        );
    }
    assert!(again.contains("--name ill-staff"), "{again}");
    let _ = std::fs::remove_dir_all(dir);
}
