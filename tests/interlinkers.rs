//! The software interlinkers `interlink up` runs, checked from outside by
//! the contract's conformance kit (`interlink interlinker-check`), as any
//! interlinker would be.

mod common;

use std::process::{Command, Output};

use common::BIN;

fn token(data_dir: &std::path::Path, audience: &str) -> String {
    let output = Command::new(BIN)
        .args([
            "token",
            "--sub",
            "kit",
            "--name",
            "Kit",
            "--audience",
            audience,
            "--data-dir",
        ])
        .arg(data_dir)
        .output()
        .expect("interlink token");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn check(url: &str, token: &str, more: &[&str]) -> Output {
    Command::new(BIN)
        .args(["interlinker-check", url, "--token", token])
        .args(more)
        .output()
        .expect("interlink interlinker-check")
}

/// The rows of the kit's table: (check, result).
fn rows(output: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split("  ").map(str::trim).filter(|w| !w.is_empty());
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .filter(|(_, result)| ["pass", "FAIL", "skip"].contains(&result.as_str()))
        .collect()
}

#[tokio::test]
async fn the_documents_interlinker_passes_the_contract_kit() {
    let dir = tempfile::tempdir().expect("data dir");
    let up = common::start(dir.path());
    let documents_token = token(dir.path(), &up.documents);

    let passed = check(&up.documents, &documents_token, &[]);
    let report = String::from_utf8_lossy(&passed.stdout).into_owned();
    assert!(
        passed.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&passed.stderr)
    );
    let passed_rows = rows(&passed);
    for expected in [
        "manifest",
        "no token refused",
        "forged token refused",
        "unknown asset",
        "instantiate page",
        "create",
        "blank name refused",
        "get",
        "view page",
        "edit page",
        "preview page",
        "framed by the platform only",
        "download",
        "clone needs a key",
        "clone",
        "clone once per key",
        "delete",
        "delete twice",
    ] {
        assert!(
            passed_rows.contains(&(expected.to_owned(), "pass".to_owned())),
            "{expected} did not pass:\n{report}"
        );
    }
    assert!(report.contains(" 0 failed"), "{report}");

    // The kit fails what breaks the contract: a token for the platform's
    // API is refused by the interlinker, so nothing can be made.
    let platform_token = token(dir.path(), "interlink");
    let refused = check(&up.documents, &platform_token, &[]);
    assert!(!refused.status.success());
    assert!(
        rows(&refused).contains(&("create".to_owned(), "FAIL".to_owned())),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("does not pass the interlinker contract")
    );

    // Capabilities not declared are skipped; unknown ones are refused.
    let some = check(
        &up.documents,
        &documents_token,
        &["--capabilities", "view,delete"],
    );
    assert!(some.status.success());
    let some_rows = rows(&some);
    assert!(some_rows.contains(&("clone".to_owned(), "skip".to_owned())));
    assert!(some_rows.contains(&("delete".to_owned(), "pass".to_owned())));
    let unknown = check(
        &up.documents,
        &documents_token,
        &["--capabilities", "view,teleport"],
    );
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("--capabilities: unknown capability `teleport`")
    );

    // The platform's gateway is no interlinker.
    let gateway = check(&up.http, &documents_token, &[]);
    assert!(!gateway.status.success());
    common::stop(up, "-TERM").await;
}
