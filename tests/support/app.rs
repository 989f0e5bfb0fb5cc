//! Driving the real desktop app through WebDriver (tauri-driver → WebKitWebDriver, under Xvfb;
//! `scripts/test.sh` starts them and sets WEBDRIVER_URL). Each `App` gets its own temp dir: the
//! app is started through a tiny launcher script that points its vault and XDG dirs there (the
//! driver launches the app, so it cannot inherit an environment from the test).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "paint.rs"]
mod paint;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const APP_BIN: &str = env!("CARGO_BIN_EXE_hush-desktop");
const WAIT: Duration = Duration::from_secs(20);

/// WebKitWebDriver serves one session at a time; tests take turns.
static ONE_SESSION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The `hush` CLI built beside the app (scripts/test.sh builds the whole workspace).
pub fn hush_cli() -> PathBuf {
    Path::new(APP_BIN).with_file_name("hush")
}

pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("HUSH_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sh_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

fn write_launcher(dir: &Path, vault: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    for sub in ["data", "config", "cache", "runtime"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    // A runtime dir of its own (0700, as the session's is): `.env` mount records live there.
    std::fs::set_permissions(dir.join("runtime"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let script = format!(
        "#!/bin/sh\nexport XDG_DATA_HOME={}\nexport XDG_CONFIG_HOME={}\nexport XDG_CACHE_HOME={}\nexport XDG_RUNTIME_DIR={}\nexec {} --vault {}\n",
        sh_quote(&dir.join("data")), sh_quote(&dir.join("config")), sh_quote(&dir.join("cache")),
        sh_quote(&dir.join("runtime")), sh_quote(Path::new(APP_BIN)), sh_quote(vault),
    );
    let path = dir.join("hush-desktop-under-test");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

pub struct App {
    pub client: Client,
    pub dir: tempfile::TempDir,
    pub vault: PathBuf,
    name: String,
    step: u32,
}

impl App {
    /// A temp dir and the vault path inside it, before launching (to seed a vault first).
    pub fn prepare() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        (dir, vault)
    }

    /// Launches the real app on `vault` and waits for the first screen.
    pub async fn launch(name: &str, dir: tempfile::TempDir, vault: PathBuf) -> App {
        let url = std::env::var("WEBDRIVER_URL")
            .expect("WEBDRIVER_URL is not set: run the desktop tests via scripts/test.sh");
        let launcher = write_launcher(dir.path(), &vault);
        let caps = json!({"browserName": "wry", "tauri:options": {"application": launcher}});
        let mut b = ClientBuilder::native();
        b.capabilities(caps.as_object().unwrap().clone());
        let client = tokio::time::timeout(Duration::from_secs(60), b.connect(&url))
            .await
            .expect("no WebDriver session within 60 s: did the app start? see artifacts/tauri-driver.log")
            .expect("WebDriver session");
        let app = App { client, dir, vault, name: name.to_string(), step: 0 };
        app.wait_for("#app > :not(.splash)").await;
        // Confirmation dialogs are answered "yes"; the flows test what follows them.
        app.client.execute("window.confirm = () => true; return true", vec![]).await.unwrap();
        app
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                return e;
            }
            if Instant::now() > deadline {
                self.shot(&format!("timeout-{}", css.replace(|c: char| !c.is_alphanumeric(), "_")))
                    .await;
                panic!("{}: no element {css} within {WAIT:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.client.find(Locator::Css(css)).await.is_ok() {
            assert!(Instant::now() < deadline, "{}: {css} still there after {WAIT:?}", self.name);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types into whatever has the focus, as a keyboard does (WebDriver key codes for Tab, Enter…).
    pub async fn keys(&self, k: &str) {
        self.client.active_element().await.unwrap().send_keys(k).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    pub async fn fill(&self, css: &str, text: &str) {
        // WebDriver's clear fires no input event; typing does. An empty value is a key, then backspace.
        let keys = if text.is_empty() { "x\u{E003}".to_string() } else { text.to_string() };
        // A re-render caused by the previous field can land between the clear and the typing and
        // put the old value back: check what the field holds, and type it again if it differs.
        for attempt in 1..=5 {
            let e = self.wait_for(css).await;
            e.clear().await.unwrap();
            e.send_keys(&keys).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = e.prop("value").await.ok().flatten().unwrap_or_default();
            if now == text {
                return;
            }
            eprintln!(
                "fill {css}: attempt {attempt} left {} chars instead of {}; typing again",
                now.chars().count(),
                text.chars().count()
            );
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    /// The `textContent` of `css` (waited for). For rows of a virtual table: WebKit's WebDriver
    /// reads their text as empty (its shown-ness check), though they are on screen.
    pub async fn text_content(&self, css: &str) -> String {
        self.wait_for(css).await;
        let script = "return document.querySelector(arguments[0]).textContent";
        let v = self.client.execute(script, vec![json!(css)]).await.unwrap();
        v.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the text of `css` satisfies `pred`; returns it.
    pub async fn wait_text(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = e.text().await {
                    if pred(&t) {
                        return t;
                    }
                }
            }
            if Instant::now() > deadline {
                self.shot("timeout-text").await;
                panic!("{}: text of {css} never matched within {WAIT:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    /// Saves a numbered screenshot of the current step as an artifact.
    pub async fn shot(&self, step: &str) -> PathBuf {
        // The last DOM change reaches the screen first; paint.rs says why this cannot stall.
        let png = paint::screenshot(&self.client).await.unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 1000, "screenshot is not a PNG");
        let path = artifacts_dir().join(format!("{}-{:02}-{step}.png", self.name, self.step));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn snap(&mut self, step: &str) {
        self.step += 1;
        self.shot(step).await;
    }

    /// Answers the native file dialog that `button` opens, as a user would: the GTK dialog (its
    /// title starts with "Hush: "), the path typed into it with xdotool, then Enter.
    pub async fn pick_native(&self, button: &str, path: &std::path::Path) {
        self.click(button).await;
        let name = xdotool_name(&xdotool_window("^Hush: (?!confirm)").await);
        let save = ["export", "write", "new vault"].iter().any(|w| name.contains(w));
        self.answer_picker(path, save).await;
    }

    /// Types `path` into the open native file dialog (a save dialog when `save`) and confirms.
    pub async fn answer_picker(&self, path: &std::path::Path, save: bool) {
        let win = xdotool_window("^Hush: (?!confirm)").await;
        // Open dialogs take a typed path in their location bar (Ctrl+L); save dialogs in the name
        // field, which takes a full path.
        // Real (XTEST) key presses into the focused dialog: GTK ignores events sent to a window.
        // Under Xvfb there is no window manager, so focus is set directly.
        xdotool(&["windowfocus", "--sync", &win]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        xdotool(&["key", "--clearmodifiers", if save { "ctrl+a" } else { "ctrl+l" }]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        xdotool(&["type", "--delay", "5", path.to_str().unwrap()]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        // On a loaded machine GTK may still be refreshing the location bar's completion when the
        // first Return arrives and drop it (the path stays typed, the dialog open): confirm again,
        // into the dialog itself, while it is still there.
        for _ in 0..4 {
            xdotool(&["windowfocus", "--sync", &win]);
            xdotool(&["key", "--clearmodifiers", "Return"]);
            if window_gone_within(&win, Duration::from_secs(4)).await {
                return;
            }
        }
        wait_window_gone(&win).await;
    }

    /// Answers the native yes / no question ("Hush: confirm"): `yes` presses its first button.
    pub async fn answer_native(&self, yes: bool) {
        let win = xdotool_window("^Hush: confirm$").await;
        xdotool(&["windowfocus", "--sync", &win]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        xdotool(&["key", "--clearmodifiers", if yes { "Return" } else { "Escape" }]);
        wait_window_gone(&win).await;
    }

    pub async fn close(self) {
        self.client.close().await.unwrap();
    }

    /// Launches the app, runs `flow`, and closes the WebDriver session even if the flow panics
    /// (a session left open blocks the next test's).
    pub async fn run<F, Fut>(name: &str, dir: tempfile::TempDir, vault: PathBuf, flow: F)
    where
        F: FnOnce(App) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let _turn = ONE_SESSION.lock().await;
        let app = App::launch(name, dir, vault).await;
        let client = app.client.clone();
        let outcome = tokio::spawn(flow(app)).await;
        let _ = client.close().await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

fn xdotool(args: &[&str]) -> String {
    let out = std::process::Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool (installed by .ci/setup-deps.sh)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn xdotool_name(win: &str) -> String {
    xdotool(&["getwindowname", win]).to_lowercase()
}

/// Waits for a visible window whose title matches `re` (xdotool's regex; a negative look-ahead
/// is emulated by filtering names) and returns its id.
async fn xdotool_window(re: &str) -> String {
    let (pattern, not_confirm) = match re.strip_suffix("(?!confirm)") {
        Some(p) => (p, true),
        None => (re, false),
    };
    let deadline = Instant::now() + WAIT;
    loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", pattern]);
        if let Some(w) =
            found.lines().find(|w| !not_confirm || !xdotool_name(w).starts_with("hush: confirm"))
        {
            return w.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no native window {re} within {WAIT:?}: did the app freeze?"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn window_shown(win: &str) -> bool {
    xdotool(&["search", "--onlyvisible", "--name", "^Hush: "]).lines().any(|w| w == win)
}

async fn window_gone_within(win: &str, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    while window_shown(win) {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    true
}

async fn wait_window_gone(win: &str) {
    let deadline = Instant::now() + WAIT;
    while window_shown(win) {
        if Instant::now() > deadline {
            screen_shot("dialog-stuck");
            panic!("the native dialog {win} did not close");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The whole X screen (native dialogs are not in WebDriver's screenshots).
pub fn screen_shot(name: &str) -> PathBuf {
    let path = artifacts_dir().join(format!("screen-{name}.png"));
    let _ = std::process::Command::new("import").args(["-window", "root"]).arg(&path).status();
    path
}
