//! The README shows how to build and run `ill-replay`, and an example of
//! each of its commands against the demo store; every example is run here
//! as written (through `sh`, against a store that does not exist) to show
//! that the binary accepts its arguments.

use std::process::Command;

use uuid::Uuid;

const README: &str = include_str!("../../../README.md");
const RUN: &str = "target/release/ill-replay";

/// The section under `heading`, up to the next one.
fn section(heading: &str) -> &'static str {
    let start = README
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has no section {heading:?}"));
    let body = &README[start + heading.len() + 2..];
    &body[..body.find("\n## ").unwrap_or(body.len())]
}

/// The indented command lines of a section that run the binary.
fn example_lines(section: &str) -> Vec<&str> {
    section
        .lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|line| line.starts_with(RUN))
        .collect()
}

#[test]
fn the_run_section_builds_and_runs_ill_replay() {
    let run = section("## Run");
    assert!(
        run.lines()
            .any(|l| l == "    cargo build --release -p replay-tool"),
        "{run}"
    );
    assert!(!example_lines(run).is_empty(), "{run}");
}

#[test]
fn every_command_has_an_example_that_the_binary_accepts() {
    let help = Command::new(env!("CARGO_BIN_EXE_ill-replay"))
        .arg("help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"as-of"), "{help}");

    let mut examples = example_lines(section("## Replay and audit (`ill-replay`)"));
    for command in &commands {
        assert!(
            examples
                .iter()
                .any(|e| e.split_whitespace().any(|word| word == *command)),
            "no example of `ill-replay {command}` in the README"
        );
    }

    examples.extend(example_lines(section("## Run")));
    let dir = std::env::temp_dir()
        .join("ill-tests")
        .join(Uuid::new_v4().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    let missing = format!("sqlite://{}", dir.join("missing.sqlite").display());
    for example in examples {
        let line = example.replacen(RUN, env!("CARGO_BIN_EXE_ill-replay"), 1);
        let output = Command::new("sh")
            .arg("-c")
            .arg(&line)
            .current_dir(&dir)
            .env("DATABASE_URL", &missing)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Each one reaches the store it names (none here), or for import
        // the file it reads (none here either): its arguments were accepted.
        let (code, reached) = if example.contains(" import ") {
            (2, "No such file")
        } else {
            (3, "there is no store at")
        };
        assert_eq!(output.status.code(), Some(code), "{example}: {stderr}");
        assert!(stderr.contains(reached), "{example}: {stderr}");
    }
    drop(std::fs::remove_dir_all(&dir));
}
