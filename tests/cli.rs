//! The `atelier` binary as an operator uses it: configuration errors, `migrate up|down|status`.
#![cfg(feature = "ssr")]

use std::process::{Command, Output};

fn atelier(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atelier"));
    command
        .args(args)
        .current_dir(data_dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ATELIER_DATA_DIR", data_dir)
        .env("ATELIER_LOG", "info");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the atelier binary runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = atelier(dir.path(), &["serve"], &[("ATELIER_WORKERS", "lots")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        "atelier: configuration error: limits.workers (ATELIER_WORKERS): 'lots' is not a whole number"
    );
    assert!(!dir.path().join("atelier.db").exists(), "nothing is created before the configuration is valid");
}

#[test]
fn a_misspelt_key_in_leptos_toml_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Leptos.toml"), "[storage]\nbackend = \"local\"\nbucket = \"x\"\n").unwrap();
    let output = atelier(dir.path(), &["migrate", "status"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output).contains("configuration error: storage.bucket: unknown setting"), "{}", text(&output));
}

#[test]
fn migrate_up_status_and_down_manage_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let up = atelier(dir.path(), &["migrate", "up"], &[]);
    assert!(up.status.success(), "{}", text(&up));
    assert!(dir.path().join("atelier.db").exists(), "the SQLite file is created in the data dir");

    let status = atelier(dir.path(), &["migrate", "status"], &[]);
    assert!(status.status.success(), "{}", text(&status));
    assert!(text(&status).contains("m20261121_000001_create_schema"), "{}", text(&status));
    assert!(text(&status).contains("Applied"), "{}", text(&status));

    let down = atelier(dir.path(), &["migrate", "down", "--steps", "1"], &[]);
    assert!(down.status.success(), "{}", text(&down));
    let status = atelier(dir.path(), &["migrate", "status"], &[]);
    assert!(text(&status).contains("Pending"), "{}", text(&status));
}

#[test]
fn an_unknown_command_is_refused_with_usage() {
    let dir = tempfile::tempdir().unwrap();
    let output = atelier(dir.path(), &["frobnicate"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("Usage"), "{}", text(&output));
}
