//! The pages in a real browser: `interlink up` serves them and
//! `tests/browser/pages.test.mjs` drives Debian's chromium through them with
//! playwright-core and axe-core (both installed by `scripts/browser.sh`,
//! which the README's test command runs). Screenshots of every page land in
//! `target/browser-artefacts/`. A machine without node, chromium or the npm
//! packages fails this test; it never skips.

mod common;

use std::path::Path;
use std::process::Command;

use common::serve_up;

#[tokio::test]
async fn pages_pass_in_a_real_browser_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite = root.join("tests/browser");
    assert!(
        suite.join("node_modules/playwright-core").is_dir()
            && suite.join("node_modules/@axe-core/playwright").is_dir(),
        "the browser tests' npm packages are missing: run scripts/browser.sh"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: run scripts/browser.sh"
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let artefacts = root.join("target/browser-artefacts");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "pages.test.mjs"])
            .current_dir(&suite)
            .env("INTERLINK_BASE_URL", &base)
            .env("INTERLINK_ARTEFACTS", &artefacts)
            .env("CHROMIUM", &chromium)
            .output()
    })
    .await
    .expect("the browser run")
    .expect("node runs (is Node.js installed?)");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    assert!(
        output.status.success(),
        "the browser tests failed:\n{report}"
    );
}
