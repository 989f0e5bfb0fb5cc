//! The HashiCorp Vault screen end to end against a real OpenBao server: connect, plan, migrate,
//! a conflict whose two sides stay masked until revealed or compared (each reveal audited), settled
//! by a choice; AppRole; the folder tree's sync badges and last-synced times. Included by
//! tests/e2e.rs.

use hush_core::{
    Action, AuditFilter, Outcome, SecretPath, SecretValue, Settings, Vault, WriteOptions,
};

use super::support::App;
use super::{bao, open_seeded, seed, V1};

const LOCAL_CANARY: &str = "local-side-CANARY-7f3a";
const REMOTE_CANARY: &str = "remote-side-CANARY-91bc";

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver, a Secret Service and bao: run via scripts/test.sh"]
async fn remote_connect_plan_migrate_then_resolve_a_conflict() {
    let server = bao::Bao::dev();
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = open_seeded(&vault);
        v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
        for (p, val) in [
            ("myapp/dev/DATABASE_URL", V1),
            ("myapp/dev/API_KEY", "dev-key-1"),
            ("myapp/prod/API_KEY", "prod-key-1"),
            ("tools/GH_TOKEN", "gh-token-1"),
        ] {
            v.set(
                &SecretPath::parse(p).unwrap(),
                &SecretValue::from_string(val.into()),
                &WriteOptions::default(),
            )
            .unwrap();
        }
    }
    App::run("remote", dir, vault.clone(), |app| remote_flow(app, vault, server)).await;
}

/// Unlocks (the e2e passphrase), opens the HashiCorp Vault view and adds `server` as "team" with
/// its root token (which goes to the OS keychain).
pub async fn unlock_and_add_team(app: &App, server: &bao::Bao) {
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.click("#nav-remote").await;
    app.fill("#remote-name", "team").await;
    app.fill("#remote-addr", &server.addr).await;
    app.fill("#remote-token", bao::ROOT).await;
    app.click("#remote-add").await;
    app.wait_for("#remote-card").await;
}

async fn remote_flow(mut app: App, vault: std::path::PathBuf, server: bao::Bao) {
    // Connect: the token goes to the OS keychain; "Test connection" shows the server's health.
    unlock_and_add_team(&app, &server).await;
    app.click("#remote-test").await;
    let health = app.wait_text("#remote-health", |t| !t.is_empty()).await;
    assert!(health.contains("Connected") && health.contains("KV v2"), "{health}");
    // Capabilities in words: "root" is not a verb ("token may root" was shown).
    assert!(health.contains("root token (may do everything)"), "{health}");
    app.snap("connected").await;

    // The plan comes before any write: every key would be created remotely, nothing exists yet.
    app.wait_for("#remote-direction").await.select_by_value("push").await.unwrap();
    app.click("#remote-plan").await;
    app.wait_for("#remote-plan-table").await;
    assert_eq!(app.count("#remote-plan-table [data-action=\"create_remote\"]").await, 4);
    assert!(
        !server.cli(&["kv", "get", "secret/myapp/dev"]).status.success(),
        "planning wrote nothing"
    );
    app.snap("plan").await;

    // Migrate: progress, a report, and the team's server holds the folders.
    app.click("#remote-migrate").await;
    app.answer_native(true).await;
    let report = app.wait_text("#remote-report", |t| !t.is_empty()).await;
    assert!(
        report.contains("3 folder(s)")
            && report.contains("4 written to the remote")
            && report.contains("0 failed"),
        "{report}"
    );
    app.wait_for("#remote-progress").await;
    let dev = server.kv_get(&["secret/myapp/dev"]);
    assert_eq!(dev["data"]["data"]["DATABASE_URL"], V1);
    assert_eq!(server.kv_get(&["secret/tools"])["data"]["data"]["GH_TOKEN"], "gh-token-1");
    app.snap("migrated").await;

    // Both sides change the same key: the sync plan shows a conflict, values masked.
    server.ok(&[
        "kv",
        "patch",
        "secret/myapp/dev",
        &format!("API_KEY={REMOTE_CANARY}"),
        "FROM_TEAM=team-value",
    ]);
    open_seeded(&vault)
        .set(
            &SecretPath::parse("myapp/dev/API_KEY").unwrap(),
            &SecretValue::from_string(LOCAL_CANARY.into()),
            &WriteOptions::default(),
        )
        .unwrap();
    app.wait_for("#remote-direction").await.select_by_value("sync").await.unwrap();
    app.click("#remote-plan").await;
    app.wait_for("#remote-conflicts .conflict-row[data-path=\"myapp/dev/API_KEY\"]").await;
    assert_eq!(
        app.count("#remote-plan-table [data-action=\"create_local\"]").await,
        1,
        "FROM_TEAM comes down"
    );
    let page = app.client.source().await.unwrap();
    assert!(
        !page.contains(LOCAL_CANARY) && !page.contains(REMOTE_CANARY),
        "conflict values stay masked"
    );
    app.snap("conflict").await;

    // Each side only on demand: the remote one read from the server, the other from the vault,
    // each an audited reveal; Compare diffs both; hiding takes them out of the page.
    let key = "#remote-conflicts .conflict-row[data-path=\"myapp/dev/API_KEY\"]";
    app.click(&format!("{key} [data-reveal=\"remote\"]")).await;
    app.wait_text(&format!("{key} code[data-side=\"remote\"]"), |t| t == REMOTE_CANARY).await;
    assert!(!app.client.source().await.unwrap().contains(LOCAL_CANARY), "only the side asked for");
    app.snap("conflict-remote-revealed").await;
    app.click(&format!("{key} [data-diff]")).await;
    let diff = app.wait_text(".conflict-diff", |t| t.contains(LOCAL_CANARY)).await;
    assert!(
        diff.contains(&format!("- {LOCAL_CANARY}")) && diff.contains(&format!("+ {REMOTE_CANARY}")),
        "{diff}"
    );
    app.snap("conflict-compared").await;
    app.click(&format!("{key} [data-diff]")).await;
    app.gone(".conflict-diff").await;
    app.gone(&format!("{key} code.revealed")).await;
    let page = app.client.source().await.unwrap();
    assert!(!page.contains(LOCAL_CANARY) && !page.contains(REMOTE_CANARY), "hidden again");
    let reveals = open_seeded(&vault)
        .audit_log(&AuditFilter {
            action: Some(Action::Reveal),
            path_prefix: Some("myapp/dev/API_KEY".into()),
            ..Default::default()
        })
        .unwrap();
    let details: Vec<String> =
        reveals.iter().map(|e| e.detail.clone().unwrap_or_default()).collect();
    assert_eq!(reveals.len(), 2, "one reveal per side: {details:?}");
    assert!(reveals.iter().all(|e| e.outcome == Outcome::Ok), "{details:?}");
    assert!(
        details.iter().any(|d| d.starts_with("remote team: secret/myapp/dev, version")),
        "{details:?}"
    );

    // A sync without a choice leaves the conflicting key alone on both sides.
    app.click("#remote-sync").await;
    let report = app.wait_text("#remote-report", |t| t.contains("1 conflict")).await;
    assert!(report.contains("1 written locally"), "{report}");
    assert_eq!(server.kv_get(&["secret/myapp/dev"])["data"]["data"]["API_KEY"], REMOTE_CANARY);
    let local = |v: &mut Vault| {
        v.get(&SecretPath::parse("myapp/dev/API_KEY").unwrap(), None)
            .unwrap()
            .1
            .expose_str()
            .to_string()
    };
    assert_eq!(local(&mut open_seeded(&vault)), LOCAL_CANARY);

    // Choose "keep remote" for the key, sync: the local vault takes the team's value.
    app.click("#remote-conflicts [data-path=\"myapp/dev/API_KEY\"] input[data-keep=\"remote\"]")
        .await;
    app.wait_text("#remote-sync", |t| t.contains("1 choice")).await;
    app.click("#remote-sync").await;
    app.wait_text("#remote-report", |t| t.contains("0 conflict")).await;
    assert_eq!(local(&mut open_seeded(&vault)), REMOTE_CANARY);
    app.gone("#remote-conflicts").await;
    // Each folder says when it was last synced.
    let when =
        app.text_content("#remote-plan-table [data-folder=\"myapp/dev\"] .last-synced").await;
    let b = when.as_bytes();
    assert!(b.len() > 16 && b[4] == b'-' && b[13] == b':' && when.contains("(remote v"), "{when}");
    app.snap("resolved").await;

    // AppRole: role_id with the remote, secret_id to the keychain; Test connection logs in.
    server.ok(&["auth", "enable", "approle"]);
    let rw = server.write_file(
        "rw.hcl",
        "path \"secret/*\" { capabilities = [\"create\", \"read\", \"update\", \"list\"] }",
    );
    server.ok(&["policy", "write", "hush-rw", rw.to_str().unwrap()]);
    server.ok(&["write", "auth/approle/role/hush", "token_policies=hush-rw", "token_ttl=1m"]);
    let role_id =
        server.ok(&["read", "-field=role_id", "auth/approle/role/hush/role-id"]).trim().to_string();
    let secret_id = server
        .ok(&["write", "-f", "-field=secret_id", "auth/approle/role/hush/secret-id"])
        .trim()
        .to_string();
    // With a remote in place, the form to add another opens on demand, named afresh; Escape
    // (from the keyboard, in a field) closes it again.
    app.click("#remote-add-open").await;
    app.click("#remote-name").await;
    app.keys("\u{E00C}").await;
    app.gone("#remote-name").await;
    app.click("#remote-add-open").await;
    assert_eq!(
        app.wait_for("#remote-name").await.prop("value").await.unwrap().as_deref(),
        Some("")
    );
    app.fill("#remote-name", "approle").await;
    app.wait_for("#remote-auth").await.select_by_value("approle").await.unwrap();
    app.fill("#remote-roleId", &role_id).await;
    app.fill("#remote-token", &secret_id).await;
    app.click("#remote-add").await;
    app.wait_text("#remote-card h3", |t| t.to_lowercase().starts_with("approle:")).await;
    app.click("#remote-test").await;
    let health = app.wait_text("#remote-health", |t| !t.is_empty()).await;
    assert!(health.contains("Connected") && health.contains("AppRole login"), "{health}");
    assert!(
        !app.client.source().await.unwrap().contains(&secret_id),
        "the secret_id left the form"
    );
    app.snap("approle").await;

    // The folder tree shows each folder's sync state from the last plan.
    app.click("#nav-secrets").await;
    let badge = app.wait_text("[data-folder=\"myapp/dev\"] .sync-badge", |t| !t.is_empty()).await;
    assert_eq!(badge, "in sync");
    assert!(
        !app.client.source().await.unwrap().contains(REMOTE_CANARY),
        "no value in the page until revealed"
    );
    app.snap("tree-badges").await;

    // A folder the AppRole's token may no longer read: the pull plan says so (it read "in sync
    // … not on the remote"), the pull fails that folder alone and names why, the tree marks it.
    let denied = server.write_file(
        "rw-deny.hcl",
        "path \"secret/*\" { capabilities = [\"create\", \"read\", \"update\", \"list\"] }\n\
         path \"secret/data/myapp/prod\" { capabilities = [\"deny\"] }",
    );
    server.ok(&["policy", "write", "hush-rw", denied.to_str().unwrap()]);
    app.click("#nav-remote").await;
    app.wait_text("#remote-card h3", |t| t.to_lowercase().starts_with("approle:")).await;
    app.wait_for("#remote-direction").await.select_by_value("pull").await.unwrap();
    app.click("#remote-plan").await;
    let line = app.wait_text(".unreadable[data-folder=\"myapp/prod\"]", |t| !t.is_empty()).await;
    assert!(line.contains("the token may not read secret/myapp/prod"), "{line}");
    app.snap("plan-unreadable").await;
    app.click("#remote-pull").await;
    let failed = app
        .wait_text("#remote-report-errors [data-folder=\"myapp/prod\"]", |t| !t.is_empty())
        .await;
    assert!(failed.starts_with("myapp/prod: "), "{failed}");
    let report = app.text_content("#remote-report").await;
    assert!(report.contains("1 failed"), "{report}");
    app.snap("pull-denied").await;
    app.click("#nav-secrets").await;
    let badge = app.wait_text("[data-folder=\"myapp/prod\"] .sync-badge", |t| !t.is_empty()).await;
    assert_eq!(badge, "cannot read");
    drop(server);
}
