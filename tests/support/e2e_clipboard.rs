//! The clipboard with a real clipboard manager watching it (CopyQ, as many Linux desktops run
//! one): a value copied in the app never enters its history (the `x-kde-passwordManagerHint`
//! mark), while plain text copied by another program does; and closing the window the way a
//! window manager does (WM_DELETE_WINDOW) leaves the value neither on the clipboard nor in the
//! manager, long before its timer. Included by tests/e2e.rs.
//!
//! CopyQ 8 and later skip marked content by themselves. Debian 12 ships CopyQ 6.4, which keeps
//! it (this test saw the value in its history) unless given the automatic command its author
//! gives for password managers (an `Input=x-kde-passwordManagerHint` command that runs `copyq
//! ignore`): the test sets that command up, as the README tells CopyQ 6/7 users to.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hush_core::{Passphrase, Protection, SecretPath, SecretValue, Settings, Vault, WriteOptions};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask};

use crate::support::App;

const PASS: &str = "e2e passphrase";
const PATH: &str = "clip/dev/API_TOKEN";

/// What CopyQ's author gives CopyQ 6/7 users to keep password managers' copies out of the
/// history (CopyQ 8 does it by itself); the README names it.
const IGNORE_PASSWORD_MANAGERS: &str = "[Command]\nAutomatic=true\nCommand=copyq ignore\n\
    Input=x-kde-passwordManagerHint\nName=Ignore secrets from password managers\n";

/// A CopyQ server of its own (config, data and socket in a temp dir) on the test's X display.
struct CopyQ {
    child: Child,
    home: tempfile::TempDir,
}

impl CopyQ {
    fn start() -> CopyQ {
        let home = tempfile::tempdir().unwrap();
        let child = Self::command(home.path(), &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("copyq (installed by .ci/setup-deps.sh)");
        let q = CopyQ { child, home };
        let deadline = Instant::now() + Duration::from_secs(20);
        while q.ask(&["count"]).is_none() {
            assert!(Instant::now() < deadline, "the CopyQ server did not answer");
            std::thread::sleep(Duration::from_millis(200));
        }
        let script = "setCommands(commands().concat(importCommands(str(arguments[1]))))";
        q.ask(&["eval", script, IGNORE_PASSWORD_MANAGERS]).expect("CopyQ took the command");
        q
    }

    fn command(home: &std::path::Path, args: &[&str]) -> Command {
        let mut c = Command::new("copyq");
        c.args(args).env("HOME", home).env("XDG_CONFIG_HOME", home.join("config"));
        c.env("XDG_DATA_HOME", home.join("data")).env("XDG_CACHE_HOME", home.join("cache"));
        c.env("XDG_RUNTIME_DIR", home);
        c
    }

    /// A command to the running server; its answer, or None while it does not answer.
    fn ask(&self, args: &[&str]) -> Option<String> {
        let out = Self::command(self.home.path(), args).stderr(Stdio::null()).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Every text in its clipboard history.
    fn history(&self) -> Vec<String> {
        let n: usize = self.ask(&["count"]).unwrap_or_default().trim().parse().unwrap_or(0);
        (0..n).filter_map(|i| self.ask(&["read", &i.to_string()])).collect()
    }
}

impl Drop for CopyQ {
    fn drop(&mut self) {
        let _ = self.ask(&["exit"]);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Puts `text` on the clipboard as an ordinary program does (xclip serves it until replaced).
fn xclip_copy(text: &str) {
    use std::io::Write;
    let mut c = Command::new("xclip")
        .args(["-selection", "clipboard", "-i"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("xclip (installed by .ci/setup-deps.sh)");
    c.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    c.wait().unwrap();
}

fn clipboard_text() -> Option<String> {
    arboard::Clipboard::new().ok()?.get_text().ok()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within 15 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The X windows titled `title` (xdotool's search, anchored).
fn windows(title: &str) -> Vec<u32> {
    let out = Command::new("xdotool").args(["search", "--name", &format!("^{title}$")]).output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.lines().filter_map(|w| w.trim().parse().ok()).collect()
}

/// Asks each window to close, as a window manager's close button does (WM_DELETE_WINDOW).
fn ask_to_close(wins: &[u32]) {
    let (conn, _) = x11rb::connect(None).expect("an X display");
    let atom = |n: &str| conn.intern_atom(false, n.as_bytes()).unwrap().reply().unwrap().atom;
    let (protocols, delete) = (atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"));
    for &w in wins {
        let msg = ClientMessageEvent::new(32, w, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
        conn.send_event(false, w, EventMask::NO_EVENT, msg).unwrap();
    }
    conn.flush().unwrap();
}

fn canary() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    format!("clip-{}-{:x}", std::process::id(), nanos.as_nanos())
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, CopyQ and xclip: run via scripts/test.sh"]
async fn a_clipboard_manager_keeps_no_copied_value_and_closing_the_window_clears_it() {
    let copyq = CopyQ::start();
    // The manager is watching: plain text from another program enters its history. (Its
    // monitor starts a moment after the server answers, and misses a copy made before.)
    let plain = (0..20)
        .map(|i| format!("plain-{i}-{}", canary()))
        .find(|p| {
            xclip_copy(p);
            std::thread::sleep(Duration::from_secs(1));
            copyq.history().contains(p)
        })
        .expect("CopyQ keeps no plain text: is its monitor running?");

    let value = canary();
    let (dir, vault) = App::prepare();
    let mut v =
        Vault::create(&vault, Protection::Passphrase(&Passphrase::new(PASS.into()))).unwrap();
    // A long clipboard timeout: what clears the value here is the window closing.
    let s = v.settings().unwrap();
    v.set_settings(&Settings { clipboard_secs: 300, auto_lock_secs: 600, ..s }).unwrap();
    let path = SecretPath::parse(PATH).unwrap();
    v.set(&path, &SecretValue::from_string(value.clone()), &WriteOptions::default()).unwrap();
    drop(v);
    App::run("clipboard", dir, vault, move |app| flow(app, value, plain, copyq)).await;
}

async fn flow(mut app: App, value: String, plain: String, copyq: CopyQ) {
    app.fill("#unlock-passphrase", PASS).await;
    app.click("#unlock").await;
    app.click(&format!("[data-path=\"{PATH}\"]")).await;
    assert_eq!(app.text("#detail-last-read").await, "—", "never read before");
    app.click("#copy").await;
    app.wait_text("#toasts", |t| t.contains("clears in 300 s")).await;
    // A copy is a read: the open view says so at once.
    app.wait_text("#detail-last-read", |t| t.starts_with("20")).await;
    assert_eq!(clipboard_text().as_deref(), Some(value.as_str()), "the value is on the clipboard");
    app.snap("copied").await;
    // Give the manager time to see the change; it must not keep the value.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let kept = copyq.history();
    assert!(kept.iter().all(|t| !t.contains(&value)), "CopyQ kept the value: {kept:?}");

    // Close the window as a window manager does: the app exits, and the value does not outlive
    // it, on the clipboard or in the manager (which still keeps what others copy).
    let wins = windows("Hush");
    assert!(!wins.is_empty(), "no window titled Hush");
    ask_to_close(&wins);
    wait_until("the app's window closes", || windows("Hush").is_empty());
    wait_until("the clipboard no longer holds the value", || {
        clipboard_text().as_deref() != Some(value.as_str())
    });
    let kept = copyq.history();
    assert!(kept.iter().all(|t| !t.contains(&value)), "CopyQ kept the value at exit: {kept:?}");
    assert!(kept.contains(&plain), "CopyQ stopped watching: {kept:?}");
}
