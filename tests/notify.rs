//! Reminders through a real notification server on the test session's D-Bus: this test owns
//! `org.freedesktop.Notifications` (a small server recording `Notify` calls, as a desktop's
//! notification daemon would), the app sends through tauri-plugin-notification. Each threshold
//! is announced once (and not at all while no server is on the bus), not again after a restart, a
//! closer threshold comes later, and a click (`ActionInvoked … default`) reaches the window as
//! `open-secret` with the secret's path.

#[path = "support/notify_server.rs"]
mod notify_server;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hush_core::lifecycle::{PolicyUpdate, Strategy};
use hush_core::{Passphrase, Protection, SecretPath, SecretValue, Vault, WriteOptions};
use hush_desktop_lib::notify::{self, OPEN_SECRET};
use notify_server::NotifyServer;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::Listener;

const DAY: i64 = 86_400;
const WAIT: Duration = Duration::from_secs(10);

fn app() -> tauri::App<MockRuntime> {
    mock_builder()
        .plugin(tauri_plugin_notification::init())
        .build(mock_context(noop_assets()))
        .unwrap()
}

#[test]
#[ignore = "needs a D-Bus session bus: run via scripts/test.sh"]
fn reminders_reach_the_notification_server_once_per_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let now = hush_core::timefmt::now();
    {
        let pass = Passphrase::new("pw".into());
        let mut v = Vault::create(&path, Protection::Passphrase(&pass)).unwrap();
        let p = |s: &str| SecretPath::parse(s).unwrap();
        let val = |s: &str| SecretValue::from_string(s.into());
        let exp = |d: i64| WriteOptions { expires_at: Some(now + d * DAY), ..Default::default() };
        v.set(&p("c/SOON"), &val("x"), &exp(10)).unwrap();
        v.set(&p("c/FAR"), &val("x"), &exp(200)).unwrap();
        v.set(&p("c/ROT"), &val("x"), &WriteOptions::default()).unwrap();
        let u = PolicyUpdate {
            strategy: Some(Some(Strategy::Notify)),
            every_days: Some(1),
            ..Default::default()
        };
        v.set_policy(&p("c/ROT"), &u).unwrap();
    }
    let later = now + 2 * DAY;

    // No notification server on the bus yet: nothing is shown, and nothing is recorded as given.
    let a = app();
    let shown = notify::listen_clicks(a.handle());
    assert!(notify::check_once(a.handle(), &shown, &path, later).unwrap().is_empty());
    let server = NotifyServer::start();
    let given = notify::check_once(a.handle(), &shown, &path, later).unwrap();
    assert_eq!(given.len(), 2, "{given:?}");
    let got = server.wait_for(2, WAIT);
    let mut titles: Vec<&str> = got.iter().map(|c| c.summary.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["c/ROT is due for rotation", "c/SOON expires in 8 days"]);
    assert!(got.iter().all(|c| c.actions.contains(&"default".to_string())), "clickable: {got:?}");

    // Clicking the expiry reminder opens the secret.
    let opened = Arc::new(Mutex::new(None::<String>));
    let o = opened.clone();
    a.listen_any(OPEN_SECRET, move |e| *o.lock().unwrap() = Some(e.payload().to_string()));
    server.click(got.iter().find(|c| c.summary.starts_with("c/SOON")).unwrap().id);
    let deadline = Instant::now() + WAIT;
    while opened.lock().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(opened.lock().unwrap().as_deref(), Some("\"c/SOON\""));

    // Again, and after a restart of the app: nothing new.
    assert!(notify::check_once(a.handle(), &shown, &path, later + 3600).unwrap().is_empty());
    drop(a);
    let b = app();
    let shown = notify::listen_clicks(b.handle());
    assert!(notify::check_once(b.handle(), &shown, &path, later + 7200).unwrap().is_empty());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.shown().len(), 2);

    // Four days on, the 7-day threshold of c/SOON, once.
    let given = notify::check_once(b.handle(), &shown, &path, now + 4 * DAY).unwrap();
    assert_eq!(given.len(), 1);
    assert_eq!(server.wait_for(3, WAIT)[2].summary, "c/SOON expires in 6 days");
    assert!(notify::check_once(b.handle(), &shown, &path, now + 4 * DAY).unwrap().is_empty());
}
