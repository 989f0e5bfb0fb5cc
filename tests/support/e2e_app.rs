//! End-to-end flows for the app people live in (issue 11): the native picker answered for real,
//! a secret removed from the CLI while its history is open, the minimum window size, the whole
//! first run by keyboard, and the app lock. Included by tests/e2e.rs.

use std::time::Duration;

use hush_core::{SecretPath, SecretValue, Settings, Vault, WriteOptions};

use super::support::{hush_cli, App};
use super::{open_seeded, row, seed};

/// Keys for WebDriver: Control (held to the end of the string), Enter, Tab, arrows, Escape, Delete.
const CTRL: &str = "\u{E009}";
const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const UP: &str = "\u{E013}";
const ESC: &str = "\u{E00C}";
const DEL: &str = "\u{E017}";

async fn focused_id(app: &App) -> String {
    app.client.active_element().await.unwrap().attr("id").await.unwrap().unwrap_or_default()
}

fn set(v: &mut Vault, path: &str, value: &str) {
    v.set(
        &SecretPath::parse(path).unwrap(),
        &SecretValue::from_string(value.into()),
        &WriteOptions::default(),
    )
    .unwrap();
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and xdotool: run via scripts/test.sh"]
async fn choose_answers_the_native_dialog_and_the_app_imports() {
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    let env = dir.path().join("picked.env");
    std::fs::write(&env, "PICKED_KEY=from-the-dialog\nOTHER=2\n").unwrap();
    App::run("picker", dir, vault, move |mut app| async move {
        app.fill("#unlock-passphrase", "e2e passphrase").await;
        app.click("#unlock").await;
        app.click("#nav-transfer").await;
        // The dialog opens, and while it is open the app still answers (it used to freeze here
        // for good: the main thread waited on itself).
        app.click("#import-file-choose").await;
        let alive = tokio::time::timeout(
            Duration::from_secs(5),
            app.client.execute("return document.querySelector('#import-file') !== null", vec![]),
        )
        .await;
        assert!(matches!(alive, Ok(Ok(_))), "the app froze while the native dialog was open");
        super::support::screen_shot("picker-dialog-open");
        app.answer_picker(&env, false).await;
        app.wait_text("#import-file", |_| true).await;
        let shown = app.wait_for("#import-file").await.prop("value").await.unwrap().unwrap();
        assert_eq!(shown, env.display().to_string(), "the picked path is shown");
        app.fill("#import-folder", "picked/dev").await;
        app.click("#import-preview").await;
        app.wait_text("#import-counts", |t| t.starts_with("2 new")).await;
        app.click("#import-commit").await;
        app.wait_text("#import-done", |t| t.contains("2 created")).await;
        app.snap("imported-through-the-dialog").await;
        app.click("#nav-secrets").await;
        app.wait_for(&row("picked/dev/PICKED_KEY")).await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn a_secret_removed_from_the_cli_while_its_history_is_open() {
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = open_seeded(&vault);
        v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
        for value in ["one", "two"] {
            set(&mut v, "app/STALE", value);
            set(&mut v, "app/ALSO_STALE", value);
        }
    }
    let cli = hush_cli();
    App::run("stale", dir, vault.clone(), move |mut app| async move {
        let rm = |path: &str| {
            let out = std::process::Command::new(&cli)
                .args(["--vault", vault.to_str().unwrap(), "rm", path])
                .env("HUSH_PASSPHRASE", "e2e passphrase")
                .output()
                .expect("the hush CLI");
            assert!(out.status.success(), "hush rm: {}", String::from_utf8_lossy(&out.stderr));
        };
        app.fill("#unlock-passphrase", "e2e passphrase").await;
        app.click("#unlock").await;
        app.click(&row("app/STALE")).await;
        app.click("#tab-history").await;
        app.wait_for("#view-1").await;
        rm("app/STALE");
        // View: the failure shows where the user acted, the detail says what happened, and the
        // rest of the app works on.
        app.click("#view-1").await;
        let gone = app.wait_text("#detail-gone", |t| !t.is_empty()).await;
        assert!(gone.contains("no longer here"), "{gone}");
        assert_eq!(app.count("#view-error").await, 0);
        assert!(!app.client.source().await.unwrap().contains("internal error"));
        app.snap("history-of-a-removed-secret").await;
        app.click("#detail-gone-back").await;
        app.gone(&row("app/STALE")).await;

        // Delete of a secret removed meanwhile: the same recovery.
        app.click(&row("app/ALSO_STALE")).await;
        app.click("#tab-history").await;
        app.wait_for("#view-2").await;
        rm("app/ALSO_STALE");
        app.click("#delete").await;
        app.wait_text("#detail-gone", |t| t.contains("no longer here")).await;
        app.click("#detail-gone-back").await;
        app.gone(&row("app/ALSO_STALE")).await;
        app.click("#nav-trash").await;
        app.wait_for("#trash [data-path=\"app/STALE\"]").await;
    })
    .await;
}

/// Another process re-keys the vault while the app is open with an edit under way: every call
/// then failed with a message meant for the command line, the app stayed "unlocked" over a list
/// that no longer worked, and the only way out (Lock now) lost the edit without a word.
#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn a_rekey_from_the_cli_sends_the_app_to_its_lock_screen_and_says_what_was_lost() {
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = open_seeded(&vault);
        set(&mut v, "app/EDITED", "before");
    }
    let cli = hush_cli();
    App::run("rekeyed", dir, vault.clone(), move |mut app| async move {
        app.fill("#unlock-passphrase", "e2e passphrase").await;
        app.click("#unlock").await;
        app.click(&row("app/EDITED")).await;
        app.click("#tab-edit").await;
        app.fill("#edit-description", "typed, not saved").await;
        let out = std::process::Command::new(&cli)
            .args(["--vault", vault.to_str().unwrap(), "rekey"])
            .env("HUSH_PASSPHRASE", "e2e passphrase")
            .output()
            .expect("the hush CLI");
        assert!(out.status.success(), "hush rekey: {}", String::from_utf8_lossy(&out.stderr));
        app.click("#save").await;
        let notice = app.wait_text("#lock-notice", |t| !t.is_empty()).await;
        assert!(notice.contains("re-keyed") && !notice.contains("a command"), "{notice}");
        app.snap("locked-after-a-rekey-elsewhere").await;
        app.fill("#unlock-passphrase", "e2e passphrase").await;
        app.click("#unlock").await;
        let toast = app.wait_text("#toasts", |t| t.contains("discarded")).await;
        assert!(toast.contains("app/EDITED"), "{toast}");
        assert!(!app.client.source().await.unwrap().contains("typed, not saved"));
        app.snap("unlocked-after-a-rekey-says-the-edit-was-lost").await;
        // The app works with the new key.
        app.click(&row("app/EDITED")).await;
        app.click("#reveal").await;
        app.wait_text("#value", |t| t.contains("before")).await;
    })
    .await;
}

/// A vault whose newest audit entry was cut (part of an older copy put back): the app could not
/// be unlocked and said nothing of the way out. It now opens with a banner naming what differs;
/// accepting (answered in the native question) makes the file current, as `hush doctor
/// --accept-state` does, and the CLI's doctor agrees.
#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn a_vault_with_parts_put_back_opens_with_the_way_out() {
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = open_seeded(&vault);
        set(&mut v, "app/A", "kept");
    }
    let cut = std::process::Command::new("sqlite3")
        .arg(&vault)
        .arg("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
        .status()
        .unwrap();
    assert!(cut.success());
    let cli = hush_cli();
    App::run("state", dir, vault.clone(), move |mut app| async move {
        app.fill("#unlock-passphrase", "e2e passphrase").await;
        app.click("#unlock").await;
        let banner = app.wait_text("#state-banner", |t| !t.is_empty()).await;
        assert!(
            banner.contains("no longer matches") && banner.contains("audit anchor"),
            "{banner}"
        );
        app.snap("a-vault-with-parts-put-back").await;
        app.click("#state-accept").await;
        app.answer_native(true).await;
        app.gone("#state-banner").await;
        app.wait_text("#toasts", |t| t.contains("part(s) differed")).await;
        app.snap("accepted").await;
        let doctor = std::process::Command::new(&cli)
            .args(["--vault", vault.to_str().unwrap(), "doctor"])
            .env("HUSH_PASSPHRASE", "e2e passphrase")
            .output()
            .expect("the hush CLI");
        let text = String::from_utf8_lossy(&doctor.stdout).into_owned();
        assert!(text.contains("[ ok ] state"), "{text}");
        app.click(&row("app/A")).await;
        app.click("#reveal").await;
        app.wait_text("#value", |t| t.contains("kept")).await;
    })
    .await;
}

/// x, y, width, height.
type Rect = (f64, f64, f64, f64);

/// The rectangles of `ids` (x, y, w, h), failing if one is missing.
async fn rects(app: &App, css: &[&str]) -> Vec<(String, Rect)> {
    let mut out = Vec::new();
    for c in css {
        out.push((c.to_string(), app.wait_for(c).await.rectangle().await.unwrap()));
    }
    out
}

fn overlap(a: Rect, b: Rect) -> bool {
    a.0 < b.0 + b.2 - 0.5 && b.0 < a.0 + a.2 - 0.5 && a.1 < b.1 + b.3 - 0.5 && b.1 < a.1 + a.3 - 0.5
}

/// No two of these rectangles intersect, each lies inside the window, none is collapsed.
fn assert_laid_out(rs: &[(String, Rect)], (w, h): (f64, f64)) {
    for (i, (a, ra)) in rs.iter().enumerate() {
        assert!(ra.2 >= 24.0 && ra.3 >= 12.0, "{a} is collapsed: {ra:?}");
        assert!(
            ra.0 >= 0.0 && ra.1 >= 0.0 && ra.0 + ra.2 <= w + 0.5 && ra.1 + ra.3 <= h + 0.5,
            "{a} is outside the window: {ra:?}"
        );
        for (b, rb) in &rs[i + 1..] {
            assert!(!overlap(*ra, *rb), "{a} {ra:?} and {b} {rb:?} intersect");
        }
    }
}

#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn at_the_minimum_size_720_by_480_nothing_overlaps() {
    let (dir, vault) = App::prepare();
    seed(&vault, 300);
    {
        let mut v = open_seeded(&vault);
        v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
    }
    App::run("min-size", dir, vault, |mut app| async move {
        app.client.set_window_size(720, 480).await.unwrap();
        let inner: Vec<f64> = serde_json::from_value(
            app.client.execute("return [innerWidth, innerHeight]", vec![]).await.unwrap(),
        )
        .unwrap();
        assert!(inner[0] <= 720.0 && inner[1] <= 480.0, "the window is {inner:?}");
        let win = (inner[0], inner[1]);
        app.fill("#unlock-passphrase", "e2e passphrase").await;
        app.click("#unlock").await;
        app.wait_text("#result-count", |t| t == "300 shown").await;
        app.click("[data-path=\"app1/env1/KEY_1\"]").await;
        // One pane: the detail replaces the list instead of covering it.
        app.wait_for("#detail").await;
        assert_eq!(app.count("#secrets-table").await, 0, "list and detail share one pane");
        let detail = rects(
            &app,
            &["#back-to-list", "#detail-name", "#reveal", "#copy", "#move", "#delete", "#lock-now"],
        )
        .await;
        assert_laid_out(&detail, win);
        app.snap("min-size-detail").await;
        app.click("#back-to-list").await;
        let list = rects(
            &app,
            &[
                "#search",
                "#result-count",
                "#new-secret",
                "#nav-secrets",
                "#nav-settings",
                "#lock-now",
                "[data-sort=\"name\"]",
                "[data-path=\"app1/env1/KEY_1\"]",
            ],
        )
        .await;
        assert_laid_out(&list, win);
        let search = list[0].1;
        assert!(search.2 >= 150.0, "the search box is {} px wide", search.2);
        app.snap("min-size-list").await;
        app.click("#new-secret").await;
        app.wait_for("#editor").await;
        // The editor scrolls within its pane: bring Save into view as a user would.
        app.client
            .execute("document.querySelector('#save').scrollIntoView({block: 'nearest'})", vec![])
            .await
            .unwrap();
        assert_laid_out(
            &rects(&app, &["#edit-value", "#edit-description", "#save", "#lock-now"]).await,
            win,
        );
        app.snap("min-size-new").await;
        for view in ["settings", "remote", "transfer", "audit", "report", "dashboard"] {
            app.click(&format!("#nav-{view}")).await;
            app.snap(&format!("min-size-{view}")).await;
            let lock = app.wait_for("#lock-now").await.rectangle().await.unwrap();
            assert!(lock.1 + lock.3 <= win.1 + 0.5, "Lock stays pinned in view: {lock:?}");
        }
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a Secret Service: run via scripts/test.sh"]
async fn the_first_run_by_keyboard_alone() {
    let (dir, vault) = App::prepare();
    App::run("keyboard", dir, vault, |mut app| async move {
        // Setup: keychain (the default), a recovery passphrase and its confirmation, Enter.
        app.wait_for("#create-vault").await;
        app.click("#recovery-passphrase").await; // the one click: give the window focus
        app.keys("recovery by keys").await;
        app.keys(TAB).await;
        assert_eq!(focused_id(&app).await, "recovery-passphrase-confirm");
        app.keys(&format!("recovery by keys{ENTER}")).await;
        app.wait_for("#search").await;
        // Ctrl+N: a new secret; the path has the focus; Tab to the value; Enter saves.
        app.keys(&format!("{CTRL}n")).await;
        app.wait_for("#editor").await;
        assert_eq!(focused_id(&app).await, "edit-path");
        app.keys("kb/dev/FIRST").await;
        app.keys(&format!("{TAB}{TAB}")).await;
        assert_eq!(focused_id(&app).await, "edit-value");
        app.keys(&format!("first-keyboard-value{ENTER}")).await;
        app.wait_for(&row("kb/dev/FIRST")).await;
        app.keys(&format!("{CTRL}n")).await;
        app.keys("kb/dev/SECOND").await;
        app.keys(&format!("{TAB}{TAB}second-value{ENTER}")).await;
        app.wait_for(&row("kb/dev/SECOND")).await;
        // / focuses the search; arrows move in the list; Enter opens the detail.
        app.keys(ESC).await;
        app.click("#nav-secrets").await;
        app.keys("/").await;
        assert_eq!(focused_id(&app).await, "search");
        app.keys("second").await;
        app.wait_text("#result-count", |t| t == "1 shown").await;
        app.keys(ENTER).await;
        app.wait_text("#detail-name", |t| t == "SECOND").await;
        // Ctrl+F back to the search; Escape clears it; up the list; Ctrl+C copies through Rust.
        app.keys(&format!("{CTRL}f")).await;
        assert_eq!(focused_id(&app).await, "search");
        app.keys(ESC).await;
        app.wait_text("#result-count", |t| t == "2 shown").await;
        app.keys(UP).await;
        app.wait_text("#detail-name", |t| t == "FIRST").await;
        app.keys(&format!("{CTRL}c")).await;
        app.wait_text("#toasts", |t| t.contains("Copied kb/dev/FIRST")).await;
        app.snap("keyboard-copied").await;
        // Delete: to the trash, with Undo in a toast.
        app.keys(DEL).await;
        app.gone(&row("kb/dev/FIRST")).await;
        app.wait_text("#toasts", |t| t.contains("Undo")).await;
        app.snap("keyboard-deleted-undo").await;
        // Ctrl+K: the palette jumps to the trash.
        app.keys(&format!("{CTRL}k")).await;
        app.wait_for("#palette").await;
        app.keys("trash").await;
        app.snap("keyboard-palette").await;
        app.keys(ENTER).await;
        app.wait_for("#trash [data-path=\"kb/dev/FIRST\"]").await;
        // Ctrl+K again, to the secret itself... it is in the trash, so go to SECOND.
        app.keys(&format!("{CTRL}k")).await;
        app.keys(&format!("kb/dev/SECOND{ENTER}")).await;
        app.wait_text("#detail-name", |t| t == "SECOND").await;
        // Ctrl+L locks; Enter unlocks (keychain without app lock: the lock screen says so).
        app.keys(&format!("{CTRL}l")).await;
        app.wait_for("#lock-screen").await;
        assert_eq!(
            app.wait_for("#lock-kind").await.attr("data-kind").await.unwrap().as_deref(),
            Some("keychainOnly")
        );
        app.keys(ENTER).await;
        app.wait_for("#search").await;
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a Secret Service: run via scripts/test.sh"]
async fn a_keychain_vault_with_an_app_pin_really_locks() {
    let (dir, vault) = App::prepare();
    App::run("app-lock", dir, vault.clone(), move |mut app| async move {
        app.wait_for("#create-vault").await;
        app.click("#applock-pin").await;
        app.fill("#applock-secret", "13579").await;
        app.fill("#applock-secret-confirm", "13579").await;
        app.click("#create-vault").await;
        assert!(app.wait_text("#setup-error", |t| !t.is_empty()).await.contains("6 to 12 digits"));
        app.fill("#applock-secret", "135791").await;
        app.fill("#applock-secret-confirm", "135791").await;
        app.snap("setup-with-pin").await;
        app.click("#create-vault").await;
        app.wait_for("#search").await;
        assert_eq!(app.text("#lock-mode").await, "keychain + PIN");
        app.click("#lock-now").await;
        let says = app.wait_text("#lock-kind", |t| !t.is_empty()).await;
        assert!(says.contains("app PIN"), "{says}");
        app.snap("locked-with-pin").await;
        // No PIN, a wrong one, then the right one.
        app.click("#unlock").await;
        assert!(app.wait_text("#unlock-error", |t| !t.is_empty()).await.contains("PIN"));
        app.fill("#unlock-passphrase", "000000").await;
        app.click("#unlock").await;
        app.wait_text("#unlock-error", |t| t.contains("wrong PIN")).await;
        app.fill("#unlock-passphrase", "135791").await;
        app.click("#unlock").await;
        app.wait_for("#search").await;
        // Three wrong attempts in a row: then even the right PIN waits (tested to the second with
        // an injected clock in applock.rs).
        app.click("#lock-now").await;
        for _ in 0..3 {
            app.fill("#unlock-passphrase", "000000").await;
            app.click("#unlock").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        app.wait_text("#unlock-error", |t| t.contains("try again in")).await;
        app.fill("#unlock-passphrase", "135791").await;
        app.click("#unlock").await;
        app.wait_text("#unlock-error", |t| t.contains("too many wrong attempts")).await;
        assert_eq!(app.count("#search").await, 0, "still locked");
        app.snap("pin-rate-limited").await;
        assert_eq!(Vault::open(&vault).unwrap().key_mode().as_str(), "keychain");
    })
    .await;
}
