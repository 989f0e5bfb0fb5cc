//! A large `.env` in the desktop app: 100,000 lines chosen in the native dialog, previewed and
//! imported, with the window answering meanwhile (the preview once rendered a table row per line).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hush_core::{Passphrase, Protection, Settings, Vault};

use crate::support::App;

const PASS: &str = "e2e passphrase";
const LINES: usize = 100_000;

fn big_env(dir: &Path) -> PathBuf {
    let path = dir.join("big.env");
    let mut text = String::with_capacity(LINES * 40);
    for i in 0..LINES {
        text.push_str(&format!("KEY_{i}=value-{i}-of-a-large-import\n"));
    }
    // Lines that need a look, far down the file: they must be findable in the preview.
    text.push_str("NOT VALID LINE\n");
    std::fs::write(&path, text).unwrap();
    path
}

/// How long the page takes to run a trivial script: a frozen page does not answer.
async fn answer_time(app: &App) -> Duration {
    let t = Instant::now();
    app.client.execute("return document.readyState", vec![]).await.unwrap();
    t.elapsed()
}

#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn a_large_import_previews_and_commits_with_the_window_answering() {
    let (dir, vault) = App::prepare();
    let mut v =
        Vault::create(&vault, Protection::Passphrase(&Passphrase::new(PASS.into()))).unwrap();
    v.set_settings(&Settings { auto_lock_secs: 600, ..v.settings().unwrap() }).unwrap();
    drop(v);
    let env = big_env(dir.path());
    App::run("big-import", dir, vault, move |app| flow(app, env)).await;
}

/// Waits up to `limit` for `css`'s text to satisfy `pred`, checking meanwhile that the page keeps
/// answering (a frozen page is what this test is about); returns the text and the slowest answer.
async fn wait_answering(
    app: &App,
    css: &str,
    limit: Duration,
    pred: impl Fn(&str) -> bool,
) -> (String, Duration) {
    let start = Instant::now();
    let mut slowest = Duration::ZERO;
    loop {
        slowest = slowest.max(answer_time(app).await);
        if let Ok(e) = app.client.find(fantoccini::Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if pred(&t) {
                    return (t, slowest);
                }
            }
        }
        assert!(start.elapsed() < limit, "{css} not there after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn flow(mut app: App, env: PathBuf) {
    app.fill("#unlock-passphrase", PASS).await;
    app.click("#unlock").await;
    app.click("#nav-transfer").await;
    app.pick_native("#import-file-choose", &env).await;
    app.fill("#import-folder", "big/dev").await;
    app.click("#import-skip-invalid").await;
    let t = Instant::now();
    app.click("#import-preview").await;
    let limit = Duration::from_secs(60);
    let (counts, slowest) =
        wait_answering(&app, "#import-counts", limit, |s| s.starts_with(&format!("{LINES} new")))
            .await;
    eprintln!("preview in {:?} (slowest page answer {slowest:?}): {counts}", t.elapsed());
    assert!(counts.ends_with("1 invalid"), "{counts}");
    let answer = answer_time(&app).await;
    let rows = app.count("#import-rows .vrow:not(.head)").await;
    eprintln!("then the page answered in {answer:?}; {rows} rows in the DOM");
    // Only the lines in view are in the page; the invalid line, last in the file, was sent.
    assert!(rows > 0 && rows < 100, "{rows} rows in the DOM");
    assert!(answer < Duration::from_secs(1), "the page took {answer:?} to answer");
    let shown = app.text("#import-rows-shown").await;
    assert!(shown.starts_with("Showing 2,000 of 100,001 lines"), "{shown}");
    app.client
        .execute("const b = document.querySelector('#import-rows .vbody'); b.scrollTop = b.scrollHeight; return 1", vec![])
        .await
        .unwrap();
    let bad = app.wait_for(&format!("#import-rows [data-line=\"{}\"]", LINES + 1)).await;
    app.snap("previewed").await;
    let text = bad.text().await.unwrap();
    let html = bad.html(false).await.unwrap();
    assert!(html.contains("st-invalid"), "{text} / {html}");

    let t = Instant::now();
    app.click("#import-commit").await;
    let (done, slowest) =
        wait_answering(&app, "#import-done", Duration::from_secs(180), |s| !s.is_empty()).await;
    eprintln!("commit in {:?} (slowest page answer {slowest:?}): {done}", t.elapsed());
    assert!(done.contains(&format!("{LINES} created")), "{done}");
    assert!(slowest < Duration::from_secs(2), "the page froze for {slowest:?} during the commit");
    app.snap("imported").await;
}
