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
