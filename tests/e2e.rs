//! End-to-end flows through the real desktop app (WebDriver, Xvfb, the real keychain). Each step
//! saves a screenshot under artifacts/. Run via scripts/test.sh (ignored in a plain cargo test).

#[path = "../src-tauri/core/tests/common/bao.rs"]
mod bao;
#[path = "support/e2e_app.rs"]
mod e2e_app;
#[path = "support/e2e_clipboard.rs"]
mod e2e_clipboard;
#[path = "support/e2e_life.rs"]
mod e2e_life;
#[path = "support/e2e_move.rs"]
mod e2e_move;
#[path = "support/e2e_projects.rs"]
mod e2e_projects;
#[path = "support/e2e_remote.rs"]
mod e2e_remote;
#[path = "support/e2e_scale.rs"]
mod e2e_scale;
#[path = "support/notify_server.rs"]
mod notify_server;
#[path = "support/secret_service.rs"]
mod secret_service;
#[path = "support/app.rs"]
mod support;

use std::time::Duration;

use hush_core::{Passphrase, Protection, SecretPath, SecretValue, Settings, Vault, WriteOptions};
use support::App;

const V1: &str = "postgres://app:first-E2E-canary@db/app";
const V2: &str = "postgres://app:second-E2E-canary@db/app";
const PATH: &str = "myapp/dev/DATABASE_URL";

fn row(path: &str) -> String {
    format!("[data-path=\"{path}\"]")
}

async fn page_source_has(app: &App, needle: &str) -> bool {
    app.client.source().await.unwrap().contains(needle)
}

fn clipboard_text() -> Option<String> {
    arboard::Clipboard::new().ok()?.get_text().ok()
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a Secret Service: run via scripts/test.sh"]
async fn first_run_add_reveal_copy_edit_history_rollback_delete_restore_lock() {
    let (dir, vault) = App::prepare();
    App::run("flow", dir, vault.clone(), |app| flow(app, vault)).await;
}

async fn flow(mut app: App, vault: std::path::PathBuf) {
    // First run: a keychain vault with a recovery passphrase.
    app.wait_for("#create-vault").await;
    assert!(
        app.wait_for("#mode-keychain").await.is_selected().await.unwrap(),
        "keychain is the default when it is reachable"
    );
    app.fill("#recovery-passphrase", "recovery phrase for e2e").await;
    app.fill("#recovery-passphrase-confirm", "recovery phrase for e2e").await;
    app.snap("setup").await;
    app.click("#create-vault").await;

    // Add a secret.
    app.click("#new-secret").await;
    app.fill("#edit-path", PATH).await;
    app.fill("#edit-value", V1).await;
    app.fill("#edit-tags", "db, dev").await;
    app.snap("new-secret").await;
    app.click("#save").await;
    app.wait_for(&row(PATH)).await;
    assert!(app.text("#value").await.starts_with('•'), "the value is masked by default");
    assert!(!page_source_has(&app, V1).await, "no value in the page before reveal");
    app.snap("created").await;

    // Reveal, then hide again.
    app.click("#reveal").await;
    assert_eq!(app.wait_text("#value", |t| t == V1).await, V1);
    app.snap("revealed").await;
    app.click("#reveal").await;
    app.wait_text("#value", |t| t.starts_with('•')).await;
    assert!(!page_source_has(&app, V1).await, "hidden again, and gone from the DOM");

    // Copy with a 5 s clipboard timeout: copied from Rust, then cleared.
    app.click("#nav-settings").await;
    app.fill("#set-clipboardSecs", "5").await;
    app.click("#save-settings").await;
    app.wait_text("#toasts", |t| t.contains("Settings saved")).await;
    app.click("#nav-secrets").await;
    app.click(&row(PATH)).await;
    app.click("#copy").await;
    app.wait_text("#toasts", |t| t.contains("clears in 5 s")).await;
    assert_eq!(clipboard_text().as_deref(), Some(V1), "the clipboard holds the value");
    assert!(!page_source_has(&app, V1).await, "copying does not put the value in the page");
    app.snap("copied").await;
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_ne!(
        clipboard_text().as_deref(),
        Some(V1),
        "the clipboard was cleared after its timeout"
    );

    // Edit: a new version.
    app.click("#tab-edit").await;
    app.fill("#edit-value", V2).await;
    app.click("#save").await;
    app.wait_text("#detail-version", |t| t.contains("version 2")).await;

    // A change made elsewhere (here through the engine, as the CLI would) is a CAS conflict.
    app.click("#tab-edit").await;
    app.fill("#edit-description", "edited in the app").await;
    {
        let mut v = Vault::open(&vault).unwrap();
        v.unlock_keychain().unwrap();
        v.set(
            &SecretPath::parse(PATH).unwrap(),
            &SecretValue::from_string(V2.into()),
            &WriteOptions::default(),
        )
        .unwrap();
    }
    app.fill("#edit-value", "third value").await;
    app.click("#save").await;
    let conflict = app.wait_text("#edit-error", |t| !t.is_empty()).await;
    assert!(conflict.contains("check-and-set") && conflict.contains("current is 3"), "{conflict}");
    app.snap("cas-conflict").await;
    // Leaving the editor with the typed value unsaved asks first (the native question): yes.
    app.click("#nav-dashboard").await;
    app.answer_native(true).await;
    app.wait_for("#nav-dashboard[aria-current=\"page\"]").await;
    app.click("#nav-secrets").await;
    app.click(&row(PATH)).await;
    app.wait_text("#detail-version", |t| t.contains("version 3")).await;

    // History: diff v1 against current, then roll back to v1.
    app.click("#tab-history").await;
    app.click("#diff-1").await;
    let diff = app.wait_text("#history-diff", |t| t.contains("- ")).await;
    assert!(diff.contains(&format!("- {V1}")) && diff.contains(&format!("+ {V2}")), "{diff}");
    app.snap("history-diff").await;
    app.click("#rollback-1").await;
    app.answer_native(true).await;
    app.wait_text("#detail-version", |t| t.contains("version 4")).await;
    app.click("#tab-value").await;
    app.click("#reveal").await;
    app.wait_text("#value", |t| t == V1).await;
    app.snap("rolled-back").await;

    // Delete to trash (undo is offered), restore from the trash.
    app.click("#delete").await;
    app.gone(&row(PATH)).await;
    app.wait_text("#toasts", |t| t.contains("Undo")).await;
    app.click("#nav-trash").await;
    app.wait_for(&format!("#trash {}", row(PATH))).await;
    app.snap("trash").await;
    app.click(&format!("#trash {} .restore", row(PATH))).await;
    app.gone(&format!("#trash {}", row(PATH))).await;
    app.click("#nav-secrets").await;
    app.wait_for(&row(PATH)).await;

    // Removed, then made again under its name: "Empty the trash" destroys the trashed copy only
    // (it destroyed the live secret with it).
    app.click(&row(PATH)).await;
    app.click("#delete").await;
    app.gone(&row(PATH)).await;
    app.click("#new-secret").await;
    app.fill("#edit-path", PATH).await;
    app.fill("#edit-value", V1).await;
    app.click("#save").await;
    app.wait_for(&row(PATH)).await;
    app.click("#nav-trash").await;
    app.wait_for(&format!("#trash {}", row(PATH))).await;
    app.click("#empty-trash").await;
    app.answer_native(true).await;
    app.gone(&format!("#trash {}", row(PATH))).await;
    app.click("#nav-secrets").await;
    app.wait_for(&row(PATH)).await;

    // Lock now: the page holds nothing; unlock through the keychain.
    app.click(&row(PATH)).await;
    app.click("#reveal").await;
    app.wait_text("#value", |t| t == V1).await;
    app.click("#lock-now").await;
    app.wait_for("#lock-screen").await;
    assert!(!page_source_has(&app, V1).await, "a revealed value does not survive locking");
    assert!(!page_source_has(&app, PATH).await, "nothing of the vault is shown while locked");
    app.snap("locked").await;
    app.click("#unlock").await;
    app.wait_for(&row(PATH)).await;

    // The audit log saw it all, and its chain verifies.
    app.click("#nav-audit").await;
    app.wait_text("#audit-status", |t| t.contains("Chain verified")).await;
    let log = app.text("#audit-table").await;
    for action in ["reveal", "copy", "write", "rollback", "delete", "restore", "lock", "unlock"] {
        assert!(log.contains(action), "audit lacks {action}");
    }
    assert!(!log.contains(V1) && !log.contains(V2));
    app.snap("audit").await;
    app.click("#nav-dashboard").await;
    assert_eq!(app.text("#stat-secrets").await, "1");
    app.snap("dashboard").await;
}

/// A passphrase vault seeded with `n` secrets through the engine; auto-lock after 10 s.
fn seed(vault: &std::path::Path, n: usize) {
    let mut v =
        Vault::create(vault, Protection::Passphrase(&Passphrase::new("e2e passphrase".into())))
            .unwrap();
    v.set_settings(&Settings { auto_lock_secs: 10, ..v.settings().unwrap() }).unwrap();
    for i in 0..n {
        let p = SecretPath::parse(&format!("app{}/env{}/KEY_{i}", i % 100, i % 5)).unwrap();
        let opts =
            WriteOptions { tags: Some(vec![format!("team{}", i % 7)]), ..Default::default() };
        v.set(&p, &SecretValue::from_string(format!("value-{i}")), &opts).unwrap();
    }
}

const LONG_FOLDER: &str = concat!(
    "a-folder-name-as-long-as-a-path-segment-may-be-which-is-one-hundred-and-twenty-eight-",
    "characters-long-so-it-overflows-the-sidebar"
);

#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn passphrase_unlock_search_ten_thousand_and_auto_lock() {
    let (dir, vault) = App::prepare();
    seed(&vault, 10_000);
    // A folder name as long as a segment may be (128 characters).
    let long = SecretPath::parse(&format!("{LONG_FOLDER}/KEY")).unwrap();
    let value = SecretValue::from_string("x".into());
    open_seeded(&vault).set(&long, &value, &WriteOptions::default()).unwrap();
    App::run("search", dir, vault, search_flow).await;
}

async fn search_flow(mut app: App) {
    app.fill("#unlock-passphrase", "wrong passphrase").await;
    app.click("#unlock").await;
    assert!(app.wait_text("#unlock-error", |t| !t.is_empty()).await.contains("wrong passphrase"));
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.wait_text("#result-count", |t| t == "10001 shown").await;
    let rendered = app.count("#secrets-table .vbody .vrow").await;
    assert!(rendered > 10 && rendered < 100, "virtualised: {rendered} rows in the DOM for 10,000");
    app.snap("10k").await;

    app.fill("#search", "KEY_1234").await;
    app.wait_text("#result-count", |t| t == "1 shown").await;
    app.wait_for(&row("app34/env4/KEY_1234")).await;
    app.fill("#search", "env3 team2").await;
    let n: usize = app
        .wait_text("#result-count", |t| t != "1 shown")
        .await
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(n, (0..10_000).filter(|i| i % 5 == 3 && i % 7 == 2).count());
    app.snap("search").await;

    // Folder tree filter.
    app.fill("#search", "").await;
    long_folder_keeps_its_count_in_line(&app).await;
    app.click("[data-folder=\"app7\"]").await;
    app.wait_text("#result-count", |t| t == "100 shown").await;

    // Ctrl+L locks, and the window shows it (the idle deadline itself is tested with an injected
    // clock in tests/ipc.rs, in milliseconds).
    app.client.active_element().await.unwrap().send_keys("\u{E009}l").await.unwrap();
    app.wait_for("#lock-screen").await;
    assert!(!page_source_has(&app, "KEY_1234").await);
    app.snap("locked-by-keyboard").await;
}

/// A 128-character folder name is cut with an ellipsis: its count stays on the same line, inside
/// the sidebar (it wrapped onto a line of its own).
async fn long_folder_keeps_its_count_in_line(app: &App) {
    assert_eq!(LONG_FOLDER.len(), 128);
    let script = "const b = document.querySelector(`[data-folder=\"${arguments[0]}\"]`); \
        const r = (e) => e.getBoundingClientRect(); \
        const t = document.createRange(); t.selectNodeContents(b.firstChild); \
        const n = r(t), c = r(b.querySelector('.count')); \
        return [n.top, n.bottom, c.top, c.right, r(b).right, b.scrollWidth - b.clientWidth];";
    let got = app.client.execute(script, vec![serde_json::json!(LONG_FOLDER)]).await.unwrap();
    let v: Vec<f64> = serde_json::from_value(got).unwrap();
    let (name_top, name_bottom, count_top, count_right, right, overflow) =
        (v[0], v[1], v[2], v[3], v[4], v[5]);
    assert!(count_top >= name_top - 4.0 && count_top < name_bottom, "count on its own line: {v:?}");
    assert!(count_right <= right + 0.5, "count outside its row: {v:?}");
    assert!(overflow <= 0.5, "the row scrolls sideways: {v:?}");
}

#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn import_with_preview_then_export() {
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = Vault::open(&vault).unwrap();
        v.unlock_passphrase(&Passphrase::new("e2e passphrase".into())).unwrap();
        v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
        v.set(
            &SecretPath::parse("shop/dev/API_KEY").unwrap(),
            &SecretValue::from_string("old-key".into()),
            &WriteOptions::default(),
        )
        .unwrap();
    }
    let env = dir.path().join("app.env");
    std::fs::write(&env, "# shop settings\nexport API_KEY=new-key\nDB_URL=\"postgres://u:p@h/db?x=1#frag\"\nGREETING='hello world'\nMULTI=\"line one\\nline two\"\n").unwrap();
    let bad = dir.path().join("bad.env");
    std::fs::write(&bad, "OK=1\nNOT VALID LINE\n").unwrap();
    let out = dir.path().join("out.env");
    App::run("import", dir, vault, move |app| import_flow(app, env, bad, out)).await;
}

async fn import_flow(
    mut app: App,
    env: std::path::PathBuf,
    bad: std::path::PathBuf,
    out: std::path::PathBuf,
) {
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.click("#nav-transfer").await;

    // A malformed file cannot be imported as is: the preview names the line; no commit offered.
    app.pick_native("#import-file-choose", &bad).await;
    app.fill("#import-folder", "shop/dev").await;
    app.click("#import-preview").await;
    let err = app.wait_text("#import-blocker", |t| !t.is_empty()).await;
    assert!(err.contains("line 2") || err.contains(":2"), "the refusal names line 2: {err}");
    assert_eq!(app.count("#import-commit").await, 0);
    app.snap("import-malformed").await;

    // Preview: 3 new, 1 changed (API_KEY exists with another value) → refused until overwrite.
    app.pick_native("#import-file-choose", &env).await;
    app.click("#import-preview").await;
    app.wait_text("#import-counts", |t| t.starts_with("4 new") || t.starts_with("3 new")).await;
    let counts = app.text("#import-counts").await;
    assert!(counts.starts_with("3 new · 1 changed"), "{counts}");
    app.wait_for("#import-blocker").await;
    app.snap("import-conflict").await;
    let select = app.wait_for("#import-existing").await;
    select.select_by_value("overwrite").await.unwrap();
    app.click("#import-preview").await;
    app.click("#import-commit").await;
    let done = app.wait_text("#import-done", |t| !t.is_empty()).await;
    assert!(done.contains("3 created") && done.contains("1 updated"), "{done}");
    assert!(!app.client.source().await.unwrap().contains("new-key"), "values never reach the page");
    app.snap("imported").await;

    app.click("#nav-secrets").await;
    for name in ["API_KEY", "DB_URL", "GREETING", "MULTI"] {
        app.wait_for(&row(&format!("shop/dev/{name}"))).await;
    }
    app.click(&row("shop/dev/MULTI")).await;
    app.click("#reveal").await;
    app.wait_text("#value", |t| t == "line one\nline two").await;

    // Export the folder back to a file: 0600, every value readable.
    app.click("#nav-transfer").await;
    app.fill("#export-folders", "shop/dev").await;
    app.pick_native("#export-path-choose", &out).await;
    app.click("#export-go").await;
    app.answer_native(true).await;
    let done = app.wait_text("#export-done", |t| !t.is_empty()).await;
    assert!(done.contains("4 secret"), "{done}");
    app.snap("exported").await;
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&out).unwrap();
    for needle in ["API_KEY=", "new-key", "postgres://u:p@h/db?x=1#frag", "hello world"] {
        assert!(text.contains(needle), "export lacks {needle}:\n{text}");
    }
}

/// Opens the vault the app is showing from the test process (as the CLI would, meanwhile).
fn open_seeded(vault: &std::path::Path) -> Vault {
    let mut v = Vault::open(vault).unwrap();
    v.unlock_passphrase(&Passphrase::new("e2e passphrase".into())).unwrap();
    v
}

const BACKUP_PASS: &str = "backup passphrase e2e";
const BACKUP_CANARY: &str = "backed-up-CANARY-5d21";

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a Secret Service: run via scripts/test.sh"]
async fn backup_in_settings_then_restore_into_a_new_file_and_on_first_run() {
    let keep = tempfile::tempdir().unwrap();
    let (backup, restored, damaged) = (
        keep.path().join("vault.hushbak"),
        keep.path().join("restored.db"),
        keep.path().join("damaged.hushbak"),
    );
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = open_seeded(&vault);
        v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
        v.set(
            &SecretPath::parse("svc/prod/TOKEN").unwrap(),
            &SecretValue::from_string(BACKUP_CANARY.into()),
            &WriteOptions::default(),
        )
        .unwrap();
    }
    let paths = (backup.clone(), restored.clone(), damaged.clone());
    App::run("backup", dir, vault, move |app| backup_flow(app, paths)).await;

    // The file restored from Settings opens with its own passphrase and holds the value.
    let mut v = Vault::open(&restored).unwrap();
    v.unlock_passphrase(&Passphrase::new("restored vault pass".into())).unwrap();
    assert_eq!(
        v.get(&SecretPath::parse("svc/prod/TOKEN").unwrap(), None).unwrap().1.expose_str(),
        BACKUP_CANARY
    );
    assert!(
        !keep.path().join("from-damaged.db").exists(),
        "a damaged backup leaves no vault file behind"
    );

    // Another machine: no vault yet; first run restores the backup under the OS keychain.
    let (dir2, vault2) = App::prepare();
    App::run("restore-first-run", dir2, vault2, move |app| first_run_restore_flow(app, backup))
        .await;
}

async fn backup_flow(
    mut app: App,
    (backup, restored, damaged): (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf),
) {
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.click("#nav-settings").await;
    app.pick_native("#backup-path-choose", &backup).await;
    app.fill("#backup-pass", BACKUP_PASS).await;
    app.fill("#backup-pass-confirm", BACKUP_PASS).await;
    app.click("#backup-go").await;
    assert!(app.wait_text("#backup-msg", |t| !t.is_empty()).await.contains("1 secrets"));
    let bytes = std::fs::read(&backup).unwrap();
    assert!(
        !bytes.windows(BACKUP_CANARY.len()).any(|w| w == BACKUP_CANARY.as_bytes()),
        "the backup is encrypted"
    );

    // A truncated backup is refused with a clear error; nothing is created.
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    app.pick_native("#restore-file-choose", &damaged).await;
    app.fill("#restore-backup-pass", BACKUP_PASS).await;
    app.pick_native("#restore-target-choose", &damaged.with_file_name("from-damaged.db")).await;
    app.fill("#restore-new-pass", "restored vault pass").await;
    app.fill("#restore-new-pass-confirm", "restored vault pass").await;
    app.click("#restore-go").await;
    let err = app.wait_text("#restore-error", |t| !t.is_empty()).await;
    assert!(err.to_lowercase().contains("backup"), "{err}");
    app.snap("restore-refused").await;

    app.pick_native("#restore-file-choose", &backup).await;
    app.fill("#restore-backup-pass", BACKUP_PASS).await;
    app.pick_native("#restore-target-choose", &restored).await;
    app.click("#restore-go").await;
    let msg = app.wait_text("#restore-msg", |t| !t.is_empty()).await;
    assert!(msg.contains("Restored 1 secrets") && msg.contains("restored.db"), "{msg}");
    assert!(!app.client.source().await.unwrap().contains(BACKUP_CANARY));
    app.snap("restored-to-file").await;
}

async fn first_run_restore_flow(mut app: App, backup: std::path::PathBuf) {
    app.wait_for("#create-vault").await;
    app.click("#setup-restore").await;
    app.pick_native("#setup-backup-file-choose", &backup).await;
    app.fill("#setup-backup-pass", "not the passphrase").await;
    app.click("#create-vault").await;
    let err = app.wait_text("#setup-error", |t| !t.is_empty()).await;
    assert!(err.contains("passphrase"), "{err}");
    app.fill("#setup-backup-pass", BACKUP_PASS).await;
    app.snap("first-run-restore").await;
    app.click("#create-vault").await;
    app.wait_for(&row("svc/prod/TOKEN")).await;
    app.snap("first-run-restored").await;
    let mut v = Vault::open(&app.vault).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(
        v.get(&SecretPath::parse("svc/prod/TOKEN").unwrap(), None).unwrap().1.expose_str(),
        BACKUP_CANARY
    );
}

/// The keyring daemon the running app connected to dies (gnome-keyring aborts on a known race
/// between sessions) and the bus starts another. The app, open for days, unlocks through the new
/// one; it used to answer "NoSession" until restarted.
#[tokio::test]
#[ignore = "kills the Secret Service daemon: run via scripts/test.sh"]
async fn the_app_unlocks_after_the_keyring_daemon_died_and_came_back() {
    secret_service::assert_restartable();
    let (dir, vault) = App::prepare();
    App::run("keyring-restart", dir, vault, |mut app| async move {
        app.wait_for("#create-vault").await;
        app.fill("#recovery-passphrase", "recovery phrase for e2e").await;
        app.fill("#recovery-passphrase-confirm", "recovery phrase for e2e").await;
        app.click("#create-vault").await;
        app.wait_for("#search").await;
        app.click("#lock-now").await;
        app.wait_for("#lock-screen").await;
        secret_service::kill_daemon();
        app.click("#unlock").await;
        app.wait_for("#search").await;
        assert_eq!(app.text("#lock-mode").await, "keychain");
        app.snap("unlocked-after-restart").await;
    })
    .await;
}
