//! Smoke test of the real desktop app, driven through WebDriver: tauri-driver in front of
//! WebKitWebDriver, under Xvfb. `bash scripts/test.sh` starts all of that and sets WEBDRIVER_URL;
//! the test is `#[ignore]`d so that a plain `cargo test` doesn't need them.
//!
//! The app is launched by WebKitWebDriver, not by this process, so it cannot get an environment
//! from here directly. Instead `tauri:options.application` is a tiny launcher script (in a temp
//! dir) that points HUSH_VAULT and the XDG data/config/cache dirs into that temp dir and then
//! `exec`s the real `hush-desktop` binary: the app never touches the real user's data.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const APP_BIN: &str = env!("CARGO_BIN_EXE_hush-desktop");
/// Upper bound for the whole session: connect (which launches the app), checks, screenshot.
const SESSION_TIMEOUT: Duration = Duration::from_secs(120);
/// Upper bound for the UI to show its title once the session is up.
const TITLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Where screenshots go: $HUSH_TEST_ARTIFACTS (set by scripts/test.sh), else target/test-artifacts.
fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("HUSH_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Writes an executable launcher that isolates the app's data in `dir` and execs the app.
fn write_launcher(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;

    fn sh_quote(p: &Path) -> String {
        format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
    }
    for sub in ["data", "config", "cache"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let script = format!(
        "#!/bin/sh\n\
         export HUSH_VAULT={vault}\n\
         export XDG_DATA_HOME={data}\n\
         export XDG_CONFIG_HOME={config}\n\
         export XDG_CACHE_HOME={cache}\n\
         exec {app} \"$@\"\n",
        vault = sh_quote(&dir.join("vault.db")),
        data = sh_quote(&dir.join("data")),
        config = sh_quote(&dir.join("config")),
        cache = sh_quote(&dir.join("cache")),
        app = sh_quote(Path::new(APP_BIN)),
    );
    let path = dir.join("hush-desktop-under-test");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

async fn connect(webdriver_url: &str, application: &Path) -> Client {
    let caps = json!({
        "browserName": "wry",
        "tauri:options": { "application": application },
    });
    let caps = caps.as_object().cloned().expect("capabilities are a JSON object");
    ClientBuilder::native()
        .capabilities(caps)
        .connect(webdriver_url)
        .await
        .unwrap_or_else(|e| panic!("cannot open a WebDriver session at {webdriver_url}: {e}"))
}

/// Polls `#title` until its text is `want`, for at most TITLE_TIMEOUT. Returns the last text seen.
async fn wait_for_title(client: &Client, want: &str) -> Result<(), String> {
    let deadline = Instant::now() + TITLE_TIMEOUT;
    let mut last = String::from("(element #title not found)");
    loop {
        if let Ok(el) = client.find(Locator::Css("#title")).await {
            match el.text().await {
                Ok(text) if text.trim() == want => return Ok(()),
                Ok(text) => last = format!("text {text:?}"),
                Err(e) => last = format!("error reading text: {e}"),
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("#title never read {want:?} within {TITLE_TIMEOUT:?}; last: {last}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn check_png(png: &[u8]) -> (u32, u32) {
    const MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
    assert!(png.starts_with(MAGIC), "screenshot is not a PNG (first bytes {:?})", &png[..png.len().min(8)]);
    assert!(png.len() > 1000, "screenshot is suspiciously small: {} bytes", png.len());
    // IHDR is the first chunk: width and height are big-endian u32s at offsets 16 and 20.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(width >= 100 && height >= 100, "screenshot is only {width}x{height}");
    (width, height)
}

#[tokio::test]
#[ignore = "needs Xvfb + tauri-driver; run via scripts/test.sh"]
async fn app_window_opens_and_shows_title() {
    let webdriver_url = std::env::var("WEBDRIVER_URL").expect(
        "WEBDRIVER_URL is not set: this test drives the app through tauri-driver; run it with `bash scripts/test.sh`",
    );
    let sandbox = tempfile::tempdir().unwrap();
    let launcher = write_launcher(sandbox.path());
    let artifacts = artifacts_dir();

    let session = async {
        let client = connect(&webdriver_url, &launcher).await;
        // Do the checks, then close the session whatever they gave, then report.
        let outcome: Result<Vec<u8>, String> = async {
            let title = wait_for_title(&client, "Hush").await;
            let png = client.screenshot().await.map_err(|e| format!("screenshot failed: {e}"));
            match (title, png) {
                (Ok(()), Ok(png)) => Ok(png),
                (Err(e), Ok(png)) => {
                    let path = artifacts.join("desktop-smoke-failure.png");
                    let _ = std::fs::write(&path, &png);
                    Err(format!("{e} (screenshot of the failure: {})", path.display()))
                }
                (Err(e), Err(shot)) => Err(format!("{e}; {shot}")),
                (Ok(()), Err(shot)) => Err(shot),
            }
        }
        .await;
        let closed = client.close().await;
        let png = outcome.unwrap_or_else(|e| panic!("{e}"));
        closed.expect("closing the WebDriver session (and the app) failed");
        png
    };
    let png = tokio::time::timeout(SESSION_TIMEOUT, session)
        .await
        .unwrap_or_else(|_| panic!("the WebDriver session did not finish within {SESSION_TIMEOUT:?}"));

    let path = artifacts.join("desktop-smoke.png");
    std::fs::write(&path, &png).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    let (w, h) = check_png(&png);
    eprintln!("desktop smoke: {w}x{h} screenshot, {} bytes, saved to {}", png.len(), path.display());
}
