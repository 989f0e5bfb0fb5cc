//! Renaming and moving in the app (a secret by F2, a folder from the tree, a bulk selection), and
//! editing a remote against real OpenBao servers without losing its sync history. Included by
//! tests/e2e.rs.

use std::time::Duration;

use hush_core::{Action, AuditFilter, SecretPath, SecretValue, Settings, WriteOptions};

use super::support::App;
use super::{bao, open_seeded, row, seed};

const F2: &str = "\u{E032}";
const ENTER: &str = "\u{E007}";

async fn wait_value(app: &App, css: &str, want: &str) {
    for _ in 0..100 {
        if app.wait_for(css).await.prop("value").await.unwrap().as_deref() == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never held {want}");
}

fn seed_with(vault: &std::path::Path, secrets: &[(&str, &str)]) {
    seed(vault, 0);
    let mut v = open_seeded(vault);
    v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
    for (p, val) in secrets {
        let p = SecretPath::parse(p).unwrap();
        v.set(&p, &SecretValue::from_string((*val).into()), &WriteOptions::default()).unwrap();
    }
}

fn moves(vault: &std::path::Path) -> Vec<(String, String)> {
    let log = open_seeded(vault)
        .audit_log(&AuditFilter { action: Some(Action::Move), ..Default::default() })
        .unwrap();
    log.into_iter().map(|e| (e.path.unwrap_or_default(), e.detail.unwrap_or_default())).collect()
}

#[tokio::test]
#[ignore = "needs Xvfb and tauri-driver: run via scripts/test.sh"]
async fn rename_a_secret_move_a_folder_and_a_selection() {
    let (dir, vault) = App::prepare();
    seed_with(
        &vault,
        &[
            ("app/dev/A", "a-one"),
            ("app/dev/A", "a-two"),
            ("app/dev/B", "b"),
            ("app/prod/C", "c"),
            ("other/D", "d"),
            ("archive/D", "older d"),
        ],
    );
    App::run("move", dir, vault.clone(), |app| move_flow(app, vault)).await;
}

async fn move_flow(mut app: App, vault: std::path::PathBuf) {
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.wait_text("#result-count", |t| t == "5 shown").await;

    // F2 in the list renames the selected secret; a taken name is refused beside the field.
    app.click(&row("app/dev/A")).await;
    app.wait_text("#detail-name", |t| t == "A").await;
    app.client
        .execute("document.querySelector('#secrets-table .vbody').focus()", vec![])
        .await
        .unwrap();
    app.keys(F2).await;
    let field = app.wait_for("#move-secret-to").await;
    assert_eq!(field.prop("value").await.unwrap().as_deref(), Some("app/dev/A"));
    app.fill("#move-secret-to", "app/dev/B").await;
    app.keys(ENTER).await;
    let err = app.wait_text("#move-secret-error", |t| !t.is_empty()).await;
    assert!(err.contains("already exists"), "{err}");
    app.snap("rename-taken").await;
    app.fill("#move-secret-to", "app/dev/API_KEY").await;
    app.keys(ENTER).await;
    // The list and the detail follow the secret; its history came along.
    app.wait_text("#detail-name", |t| t == "API_KEY").await;
    app.wait_for(&row("app/dev/API_KEY")).await;
    app.gone(&row("app/dev/A")).await;
    app.gone("#move-secret").await;
    app.click("#tab-history").await;
    app.wait_for("#detail li[data-version=\"1\"]").await;
    app.wait_for("#detail li[data-version=\"2\"]").await;
    app.snap("renamed").await;
    {
        let v = open_seeded(&vault);
        assert_eq!(v.history(&SecretPath::parse("app/dev/API_KEY").unwrap()).unwrap().len(), 2);
    }
    assert!(
        moves(&vault).contains(&("app/dev/A".into(), "to app/dev/API_KEY".into())),
        "{:?}",
        moves(&vault)
    );

    // A folder: F2 on it in the tree; into itself is refused, then it moves with its subfolders
    // and the tree's selection follows it.
    app.click("[data-folder=\"app\"]").await;
    app.wait_text("#result-count", |t| t == "3 shown").await;
    app.keys(F2).await;
    app.fill("#folder-move-to", "app/x").await;
    app.keys(ENTER).await;
    let err = app.wait_text("#folder-move-error", |t| !t.is_empty()).await;
    assert!(err.contains("into itself"), "{err}");
    app.fill("#folder-move-to", "svc").await;
    app.snap("folder-move").await;
    app.click("#folder-move-ok").await;
    app.wait_for("[data-folder=\"svc\"].active").await;
    app.gone("[data-folder=\"app\"]").await;
    app.wait_text("#result-count", |t| t == "3 shown").await;
    for p in ["svc/dev/API_KEY", "svc/dev/B", "svc/prod/C"] {
        app.wait_for(&row(p)).await;
    }
    // The open secret followed its folder.
    app.wait_text("#detail .detail-head", |t| t.contains("svc/dev/")).await;
    app.wait_for(&format!("{}.selected", row("svc/dev/API_KEY"))).await;
    app.snap("folder-moved").await;
    assert!(
        moves(&vault).contains(&("app".into(), "to svc: 3 secret(s)".into())),
        "{:?}",
        moves(&vault)
    );

    // A selection into a folder: a clash moves nothing and says so; then all move.
    app.click("#folder-tree .folder:not([data-folder])").await;
    app.wait_text("#result-count", |t| t == "5 shown").await;
    for p in ["svc/prod/C", "other/D"] {
        app.click(&format!("{} input[type=checkbox]", row(p))).await;
    }
    app.wait_text("#bulk-bar b", |t| t == "2 selected").await;
    app.click("#bulk-move").await;
    app.fill("#bulk-move-form-to", "archive").await;
    app.keys(ENTER).await;
    let err = app.wait_text("#bulk-move-form-error", |t| !t.is_empty()).await;
    assert!(err.contains("archive/D"), "{err}");
    app.wait_for(&row("svc/prod/C")).await;
    app.snap("bulk-move-clash").await;
    app.fill("#bulk-move-form-to", "attic").await;
    app.keys(ENTER).await;
    app.wait_for(&row("attic/C")).await;
    app.wait_for(&row("attic/D")).await;
    app.gone(&row("other/D")).await;
    app.gone("#bulk-bar").await;
    app.wait_text("#toasts", |t| t.contains("Moved 2 secret(s) to attic")).await;
    app.snap("bulk-moved").await;
    let mut v = open_seeded(&vault);
    let d = v.get(&SecretPath::parse("attic/D").unwrap(), None).unwrap();
    assert_eq!(d.1.expose_str(), "d");

    // The audit view lists each move: the rename, the folder, one entry per secret of the bulk.
    app.click("#nav-audit").await;
    app.wait_for("#audit-action").await.select_by_value("move").await.unwrap();
    // Until the filter has applied: the unfiltered table also holds the moves, and the writes.
    let table = app
        .wait_text("#audit-table tbody", |t| t.contains("to attic/D") && !t.contains("write"))
        .await;
    for detail in ["to app/dev/API_KEY", "to svc: 3 secret(s)", "to attic/C", "to attic/D"] {
        assert!(table.contains(detail), "{detail} in {table}");
    }
    assert_eq!(app.count("#audit-table tbody tr").await, 4, "{table}");
    app.snap("audit-moves").await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a Secret Service and bao: run via scripts/test.sh"]
async fn edit_a_remote_keeps_its_sync_history() {
    let server = bao::Bao::dev();
    let tls = bao::Bao::dev_tls();
    let (dir, vault) = App::prepare();
    seed_with(&vault, &[("myapp/dev/API_KEY", "dev-key"), ("tools/GH_TOKEN", "gh")]);
    App::run("remote-edit", dir, vault.clone(), |app| edit_flow(app, vault, server, tls)).await;
}

async fn edit_flow(mut app: App, vault: std::path::PathBuf, server: bao::Bao, tls: bao::Bao) {
    let rw = "path \"secret/*\" { capabilities = [\"create\", \"read\", \"update\", \"list\"] }";
    let first = server.token_with_policy("hush-rw", rw);
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.click("#nav-remote").await;
    app.fill("#remote-name", "team").await;
    app.fill("#remote-addr", &server.addr).await;
    app.fill("#remote-token", &first).await;
    app.click("#remote-add").await;
    app.wait_for("#remote-card").await;

    // Push both folders: the sync history the edit must keep.
    app.wait_for("#remote-direction").await.select_by_value("push").await.unwrap();
    app.click("#remote-plan").await;
    app.wait_for("#remote-plan-table").await;
    app.click("#remote-push").await;
    app.wait_text("#remote-report", |t| t.contains("0 failed")).await;
    assert_eq!(server.kv_get(&["secret/myapp/dev"])["data"]["data"]["API_KEY"], "dev-key");

    // The first token is revoked: only the new credential given in the edit can work.
    server.ok(&["token", "revoke", &first]);
    let second = server.token_with_policy("hush-rw2", rw);
    app.click("#remote-edit-open").await;
    let addr = app.wait_for("#remote-edit-addr").await.prop("value").await.unwrap();
    assert_eq!(addr.as_deref(), Some(server.addr.as_str()));
    // A bad address is refused beside the form, and the app carries on.
    app.fill("#remote-edit-addr", "ftp://nowhere").await;
    app.click("#remote-edit-save").await;
    let err = app.wait_text("#remote-edit-error", |t| !t.is_empty()).await;
    assert!(err.to_lowercase().contains("address") || err.contains("ftp"), "{err}");
    app.snap("remote-edit-error").await;
    // Two addresses (the first one dead), a new token.
    let addrs = format!("http://127.0.0.1:1,{}", server.addr);
    app.fill("#remote-edit-addr", &addrs).await;
    app.fill("#remote-edit-token", &second).await;
    app.snap("remote-edit").await;
    app.click("#remote-edit-save").await;
    app.gone("#remote-edit").await;
    app.wait_text("#remote-card h3", |t| t.contains("127.0.0.1:1,")).await;
    // The push's report was of the remote as it was: it goes with the edit.
    app.gone("#remote-report").await;
    // The sync history is still there, and the new token connects.
    for f in ["myapp/dev", "tools"] {
        let css = format!("#remote-synced [data-folder=\"{f}\"] .last-synced");
        let when = app.text_content(&css).await;
        assert!(when.len() > 10, "{f}: {when}");
    }
    // Connected through the live address; the dead one is named, and the badge says so without
    // calling the remote broken.
    app.click("#remote-test").await;
    let health = app.wait_text("#remote-health", |t| !t.is_empty()).await;
    assert!(health.starts_with("Connected, but an address does not answer"), "{health}");
    assert!(
        health.contains("http://127.0.0.1:1 unreachable") && health.contains("✓ auth"),
        "{health}"
    );
    let class = app.wait_for("#remote-health").await.attr("class").await.unwrap();
    assert_eq!(class.as_deref(), Some("warn-badge"));
    app.snap("remote-edited").await;
    {
        let v = open_seeded(&vault);
        let team = v.remotes().unwrap().into_iter().find(|r| r.spec.name == "team").unwrap();
        assert_eq!((team.synced_folders, team.spec.addr.as_str()), (2, addrs.as_str()));
    }
    // A sync plan after the edit knows both folders as synced: nothing to do.
    app.wait_for("#remote-direction").await.select_by_value("sync").await.unwrap();
    app.click("#remote-plan").await;
    app.wait_for("#remote-plan-table").await;
    let rows = app.count("#remote-plan-table [data-action]").await;
    let same = app.count("#remote-plan-table [data-action=\"unchanged\"]").await;
    assert_eq!((rows, same), (2, 2), "every key unchanged after the edit");

    // Another prefix is another place: the history of the old one is dropped (kept, it called
    // every key removed on the remote), the toast says so, and a plan there creates both folders.
    app.click("#remote-edit-open").await;
    app.fill("#remote-edit-prefix", "moved").await;
    app.click("#remote-edit-save").await;
    app.gone("#remote-edit").await;
    let said = "the sync history of 2 folder(s), which described secret, is dropped";
    app.wait_text("#toasts", |t| t.contains(said)).await;
    app.click("#remote-plan").await;
    app.wait_for("#remote-plan-table [data-action=\"create_remote\"]").await;
    let created = app.count("#remote-plan-table [data-action=\"create_remote\"]").await;
    let rows = app.count("#remote-plan-table [data-action]").await;
    assert_eq!((rows, created), (2, 2), "both keys created at the new prefix");
    app.snap("remote-moved").await;

    // TLS: a remote without the server's CA fails; the edit picks the CA in the native dialog.
    // With a remote in place, the form to add another opens on demand, named afresh.
    app.click("#remote-add-open").await;
    assert_eq!(
        app.wait_for("#remote-name").await.prop("value").await.unwrap().as_deref(),
        Some("")
    );
    app.fill("#remote-name", "secure").await;
    app.fill("#remote-addr", &tls.addr).await;
    app.fill("#remote-token", bao::ROOT).await;
    app.click("#remote-add").await;
    app.wait_text("#remote-card h3", |t| t.to_lowercase().starts_with("secure:")).await;
    app.click("#remote-test").await;
    let health = app.wait_text("#remote-health", |t| !t.is_empty()).await;
    assert!(health.contains("Connection problem"), "{health}");
    app.click("#remote-edit-open").await;
    let ca = tls.ca_cert.clone().unwrap();
    app.pick_native("#remote-edit-caCert-choose", &ca).await;
    wait_value(&app, "#remote-edit-caCert", ca.to_str().unwrap()).await;
    app.click("#remote-edit-save").await;
    app.gone("#remote-edit").await;
    app.click("#remote-test").await;
    let health = app.wait_text("#remote-health", |t| t.starts_with("Connected")).await;
    assert!(health.contains("KV v2"), "{health}");
    app.snap("remote-edit-ca").await;
    let log = open_seeded(&vault)
        .audit_log(&AuditFilter { action: Some(Action::RemoteConfig), ..Default::default() })
        .unwrap();
    let changed: Vec<_> =
        log.iter().filter_map(|e| e.detail.clone()).filter(|d| d.contains("changed")).collect();
    assert_eq!(changed.len(), 3, "{changed:?}");
    assert!(changed[1].contains("moved from secret to secret/moved"), "{changed:?}");
    drop((server, tls));
}
