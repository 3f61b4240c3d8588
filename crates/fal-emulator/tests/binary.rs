//! The `fal-emulator` binary, as Playwright starts it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_binary_announces_its_url_and_serves_until_killed() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fal-emulator"))
        .args(["--listen", "127.0.0.1:0", "--key", "binary-key", "--runners", "1"])
        .env_remove("FAL_EMULATOR_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("fal emulator listening on ").expect("the announcement line").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let http = reqwest::Client::new();
    let health = http.get(format!("{url}/_emulator/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let unauthorized = http
        .post(format!("{url}/queue/fal-ai/flux/dev"))
        .header("authorization", "Key emulator-key")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401, "the key given on the command line is the one checked");
    child.kill().unwrap();
    child.wait().unwrap();
}
