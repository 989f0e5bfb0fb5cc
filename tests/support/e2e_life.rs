//! End-to-end flows of the lifecycle in the real app (issue 14): reminders as OS notifications
//! through a real notification server on the test session's D-Bus (clicked while locked and while
//! unlocked, each opening its secret; not again after a restart), expired shown as expired in the
//! list, the detail and the dashboard, the editor's generator, and the report view with its export
//! through the native save dialog. Included by tests/e2e.rs.

use std::path::Path;
use std::time::Duration;

use hush_core::{Passphrase, Protection, SecretPath, SecretValue, Vault, WriteOptions};

use super::notify_server::NotifyServer;
use super::row;
use super::support::{screen_shot, App};

const DAY: i64 = 86_400;
const PASS: &str = "e2e passphrase";
const CANARY: &str = "canary-life-value";

fn seed_lifecycle(vault: &Path) {
    let now = hush_core::timefmt::now();
    let mut v =
        Vault::create(vault, Protection::Passphrase(&Passphrase::new(PASS.into()))).unwrap();
    let exp = |d: i64| WriteOptions { expires_at: Some(now + d * DAY), ..Default::default() };
    for (path, opts) in
        [("ops/dev/OLD_TOKEN", exp(-2)), ("ops/dev/SOON_KEY", exp(10)), ("ops/dev/LATER", exp(200))]
    {
        v.set(&SecretPath::parse(path).unwrap(), &SecretValue::from_string(CANARY.into()), &opts)
            .unwrap();
    }
}

async fn unlock(app: &App) {
    app.fill("#unlock-passphrase", PASS).await;
    app.click("#unlock").await;
}

/// Waits for `n` notifications without blocking the async runtime.
async fn shown(server: &NotifyServer, n: usize) -> Vec<super::notify_server::Shown> {
    for _ in 0..200 {
        let s = server.shown();
        if s.len() >= n {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.shown()
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, xdotool and a D-Bus session: run via scripts/test.sh"]
async fn reminders_open_their_secret_and_expired_shows_everywhere() {
    let server = std::sync::Arc::new(NotifyServer::start());
    let keep = tempfile::tempdir().unwrap();
    let vault = keep.path().join("vault.db");
    seed_lifecycle(&vault);

    let (dir, _) = App::prepare();
    let s = server.clone();
    App::run("life", dir, vault.clone(), move |app| reminders_flow(app, s)).await;

    // A restart announces nothing again: each threshold once, recorded in the vault.
    let before = server.shown().len();
    let (dir, _) = App::prepare();
    App::run("life-restart", dir, vault, |app| async move {
        app.wait_for("#lock-screen").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    })
    .await;
    assert_eq!(server.shown().len(), before, "no reminder again after a restart");
}

async fn reminders_flow(mut app: App, server: std::sync::Arc<NotifyServer>) {
    // At start, locked: one reminder for the expired secret, one for the 14-day threshold.
    app.wait_for("#lock-screen").await;
    let got = shown(&server, 2).await;
    let mut titles: Vec<&str> = got.iter().map(|s| s.summary.as_str()).collect();
    titles.sort();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert_eq!(titles[0], "ops/dev/OLD_TOKEN has expired");
    // 10 days less the seconds since the seeding: 9 or 10 whole days, as the engine rounds.
    assert!(titles[1].starts_with("ops/dev/SOON_KEY expires in "), "{titles:?}");
    assert!(got.iter().all(|s| s.actions.iter().any(|a| a == "default")), "clickable: {got:?}");
    assert!(got.iter().all(|s| !s.body.contains(CANARY)), "no value in a notification");
    let id = |p: &str| got.iter().find(|s| s.summary.starts_with(p)).unwrap().id;

    // Clicked while locked: the secret opens once the vault is unlocked.
    server.click(id("ops/dev/SOON_KEY"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    unlock(&app).await;
    app.wait_text("#detail-name", |t| t == "SOON_KEY").await;
    app.snap("opened-from-reminder").await;

    // Expired, in the list and the detail...
    let cell = app.wait_for(&format!("{} [data-expiry]", row("ops/dev/OLD_TOKEN"))).await;
    assert_eq!(cell.attr("data-expiry").await.unwrap().as_deref(), Some("expired"));
    assert_eq!(cell.prop("textContent").await.unwrap().as_deref(), Some("expired"));
    // ...and a click while unlocked opens the other secret at once.
    server.click(id("ops/dev/OLD_TOKEN"));
    app.wait_text("#detail-name", |t| t == "OLD_TOKEN").await;
    assert_eq!(app.wait_text("#detail-expired", |t| !t.is_empty()).await, "expired");
    app.snap("expired-detail").await;

    // ...and on the dashboard.
    app.click("#nav-dashboard").await;
    assert_eq!(app.wait_text("#stat-expired", |t| !t.is_empty()).await, "1");
    assert_eq!(app.text("#stat-expiring").await, "1");
    assert!(app.text("#expiring").await.contains("expired"));
    app.snap("dashboard-expired").await;

    generator_flow(&mut app).await;
    report_flow(&mut app).await;
    expiry_removed_flow(&mut app).await;
}

/// The editor's date field emptied and saved removes the expiry: it once kept the old date (the
/// request's `null` meant "keep"), so an expired secret stayed expired for good.
async fn expiry_removed_flow(app: &mut App) {
    app.click("#nav-secrets").await;
    app.click(&row("ops/dev/OLD_TOKEN")).await;
    app.wait_text("#detail-name", |t| t == "OLD_TOKEN").await;
    app.click("#tab-edit").await;
    app.fill("#edit-expires", "").await;
    app.click("#save").await;
    app.wait_for("#tab-value").await;
    let cell = app.wait_for(&format!("{} [data-expiry]", row("ops/dev/OLD_TOKEN"))).await;
    for _ in 0..50 {
        if cell.attr("data-expiry").await.unwrap().as_deref() != Some("expired") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(cell.attr("data-expiry").await.unwrap().as_deref(), Some("expired"));
    assert_eq!(app.count("#detail-expired").await, 0);
    app.click("#nav-dashboard").await;
    assert_eq!(app.wait_text("#stat-expired", |t| !t.is_empty()).await, "0");
    app.snap("expiry-removed").await;
}

/// The editor's generator: options of `hush generate`, entropy shown, the value masked.
async fn generator_flow(app: &mut App) {
    app.click("#nav-secrets").await;
    app.click("#new-secret").await;
    app.fill("#edit-path", "ops/dev/GENERATED").await;
    let charset = app.wait_for("#gen-charset").await;
    charset.select_by_value("hex").await.unwrap();
    app.fill("#gen-length", "64").await;
    app.click("#generate").await;
    assert_eq!(app.wait_text("#gen-entropy", |t| !t.is_empty()).await, "256 bits of entropy");
    let field = app.wait_for("#edit-value").await;
    assert_eq!(field.attr("type").await.unwrap().as_deref(), Some("password"), "masked");
    let generated = field.prop("value").await.unwrap().unwrap_or_default();
    assert!(generated.len() == 64 && generated.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!app.client.source().await.unwrap().contains(&generated), "not in the page's markup");
    app.snap("generated-masked").await;
    // Words: a passphrase.
    charset.select_by_value("words").await.unwrap();
    app.fill("#gen-length", "5").await;
    app.click("#generate").await;
    assert_eq!(app.wait_text("#gen-entropy", |t| t.starts_with('6')).await, "64 bits of entropy");
    let words = field.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(words.split('-').count(), 5, "five words");
    app.click("#save").await;
    app.wait_text("#detail-name", |t| t == "GENERATED").await;
    app.click("#reveal").await;
    assert_eq!(app.wait_text("#value", |t| !t.starts_with('•')).await, words);
}

/// The report view: the same report as `hush report`, exported through the native save dialog.
async fn report_flow(app: &mut App) {
    app.click("#nav-report").await;
    let old = "[data-report-path=\"ops/dev/OLD_TOKEN\"]";
    let exp = app.wait_for(&format!("{old} [data-expiry]")).await;
    assert_eq!(exp.attr("data-expiry").await.unwrap().as_deref(), Some("expired"));
    let chip = app.wait_for(&format!("{old} .f-expired")).await;
    assert_eq!(chip.prop("textContent").await.unwrap().as_deref(), Some("expired"));
    assert!(app.text("#report-audit").await.starts_with("✓ Audit chain verified"));
    assert_eq!(app.text("[data-finding=\"expired\"] b").await, "1");
    assert_eq!(app.count("#report-table [data-report-path]").await, 4);
    app.snap("report").await;

    let out = app.dir.path().join("exported-report.html");
    app.pick_native("#report-export-html", &out).await;
    app.wait_text("#toasts", |t| t.contains("Wrote the HTML report")).await;
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("ops/dev/OLD_TOKEN") && html.contains("ops/dev/GENERATED"));
    assert!(!html.contains(CANARY), "metadata only");
    let csv = app.dir.path().join("exported-report.csv");
    app.pick_native("#report-export-csv", &csv).await;
    app.wait_text("#toasts", |t| t.contains("Wrote the CSV report")).await;
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("path,folder,kind"));
    screen_shot("life-report-exported");
}
