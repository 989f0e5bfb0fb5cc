//! IPC tests: the real commands behind Tauri's mock runtime. They check the error shape that
//! crosses to the UI, refusal while locked, and that no value crosses except on reveal.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

use hush_core::ErrorKind;
use hush_desktop_lib::picks::PickPurpose;
use hush_desktop_lib::state::AppState;
use hush_desktop_lib::ManualClock;
use std::sync::Arc;
use std::time::Duration;

#[path = "support/ipc_harness.rs"]
mod harness;

use harness::*;

#[test]
fn refuses_everything_while_locked_with_a_typed_error() {
    let h = harness();
    let status = call(&h, "vault_status", json!({})).unwrap();
    assert_eq!(
        (status["exists"].as_bool(), status["unlocked"].as_bool()),
        (Some(false), Some(false))
    );
    for (cmd, args) in [
        ("secrets_list", json!({"req": {}})),
        ("secret_reveal", json!({"path": "a/B", "version": null})),
        ("secret_copy", json!({"path": "a/B", "version": null})),
        ("audit_list", json!({"query": {}})),
        ("overview", json!({})),
        ("settings_get", json!({})),
    ] {
        let err = call(&h, cmd, args).unwrap_err();
        assert_eq!(
            err,
            json!({"code": "locked", "reason": "locked", "message": "the vault is locked"}),
            "{cmd}"
        );
    }
}

#[test]
fn errors_carry_stable_codes_and_no_values() {
    let h = harness();
    create_passphrase_vault(&h);
    let save = |value: &str, cas: Option<u64>| {
        call(
            &h,
            "secret_save",
            json!({"req": {"path": "app/TOKEN", "value": value, "kind": "token", "tags": ["ci"], "description": null, "expiresAt": null, "rotateEveryDays": null, "cas": cas}}),
        )
    };
    assert_eq!(save("canary-ipc-1", Some(0)).unwrap()["version"], 1);
    let conflict = save("canary-ipc-2", Some(0)).unwrap_err();
    // `code` is the engine's ErrorKind (the class the CLI's exit code derives from), `reason` the
    // finer name.
    assert_eq!(
        (&conflict["code"], &conflict["reason"]),
        (&json!("conflict"), &json!("cas_conflict"))
    );
    assert!(!conflict.to_string().contains("canary"));
    assert_eq!(
        call(&h, "secret_detail", json!({"path": "app/NOPE"})).unwrap_err()["reason"],
        "not_found"
    );
    assert_eq!(
        call(&h, "secret_detail", json!({"path": "../x/Y"})).unwrap_err()["reason"],
        "invalid_path"
    );
    let bad_kind = call(&h, "secrets_list", json!({"req": {"kind": "bogus"}})).unwrap_err();
    assert_eq!(
        (&bad_kind["code"], &bad_kind["reason"]),
        (&json!("invalid"), &json!("invalid_input"))
    );
    let gone = call(&h, "secret_detail", json!({"path": "app/NOPE"})).unwrap_err();
    assert_eq!(gone["code"], "not_found");

    // Listing, detail, history, audit and overview never carry the value.
    for (cmd, args) in [
        ("secrets_list", json!({"req": {}})),
        ("secret_detail", json!({"path": "app/TOKEN"})),
        ("secret_history", json!({"path": "app/TOKEN"})),
        ("audit_list", json!({"query": {}})),
        ("overview", json!({})),
    ] {
        let out = call(&h, cmd, args).unwrap();
        assert!(!out.to_string().contains("canary"), "{cmd} leaked a value: {out}");
    }
    // Reveal is the one that does, and it is audited as such.
    let revealed =
        call(&h, "secret_reveal", json!({"path": "app/TOKEN", "version": null})).unwrap();
    assert_eq!(revealed["value"], "canary-ipc-1");
    let audit = call(&h, "audit_list", json!({"query": {"action": "reveal"}})).unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 1);
}

#[test]
fn moves_rename_secrets_and_folders_with_typed_errors() {
    let h = harness();
    create_passphrase_vault(&h);
    for p in ["app/dev/A", "app/dev/B", "app/prod/A", "other/C"] {
        save(&h, p, "v");
    }
    let mv = |cmd: &str, args: Value| call(&h, cmd, args);
    assert_eq!(mv("secret_move", json!({"from": "app/dev/A", "to": "app/dev/A2"})).unwrap(), 1);
    let taken = mv("secret_move", json!({"from": "app/dev/A2", "to": "app/dev/B"})).unwrap_err();
    assert_eq!(taken["reason"], "already_exists", "{taken}");
    let bad = mv("secret_move", json!({"from": "app/dev/B", "to": "app/../B"})).unwrap_err();
    assert_eq!(bad["reason"], "invalid_path", "{bad}");
    // Bulk: all or none.
    let clash = json!({"paths": ["other/C", "app/prod/A"], "folder": "app/dev"});
    assert_eq!(mv("secrets_move", json!({"paths": ["app/prod/A"], "folder": "other"})).unwrap(), 1);
    assert_eq!(mv("secrets_move", clash.clone()).unwrap_err()["reason"], "not_found");
    assert_eq!(
        mv("folder_move", json!({"from": "app", "to": "app/x"})).unwrap_err()["code"],
        "invalid"
    );
    assert_eq!(mv("folder_move", json!({"from": "app", "to": "svc"})).unwrap(), 2);
    let paths: Vec<String> = call(&h, "secrets_list", json!({"req": {}}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths.len(), 4);
    for p in ["svc/dev/A2", "svc/dev/B", "other/A", "other/C"] {
        assert!(paths.contains(&p.to_string()), "{p} in {paths:?}");
    }
}

/// A secret removed, then made again under its name: "Empty the trash" (and a row's Purge)
/// destroyed the live one with the trashed one, without a word.
#[test]
fn emptying_the_trash_never_destroys_a_live_secret_of_the_same_path() {
    let h = harness();
    create_passphrase_vault(&h);
    save(&h, "app/K", "old");
    call(&h, "secret_delete", json!({"paths": ["app/K"]})).unwrap();
    save(&h, "app/K", "live");
    let trash = call(&h, "trash_list", json!({})).unwrap();
    assert_eq!(trash.as_array().unwrap().len(), 1, "{trash}");
    call(&h, "trash_purge", json!({"paths": ["app/K"]})).unwrap();
    assert_eq!(call(&h, "trash_list", json!({})).unwrap(), json!([]));
    let list = call(&h, "secrets_list", json!({"req": {}})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "the live secret stays: {list}");
    assert_eq!(list[0]["path"], "app/K");
}

/// The editor's date field emptied and saved: `expiresAt: null` kept the old expiry, so a secret
/// once given a date could never lose it. `clearExpiry` removes it; null alone still keeps it.
#[test]
fn an_emptied_expiry_is_removed_and_null_alone_keeps_it() {
    let h = harness();
    create_passphrase_vault(&h);
    let req = |expires: Value, clear: Value| {
        json!({"req": {"path": "app/K", "value": null, "kind": null, "tags": null,
            "description": null, "expiresAt": expires, "clearExpiry": clear,
            "rotateEveryDays": null, "cas": null}})
    };
    save(&h, "app/K", "v");
    call(&h, "secret_save", req(json!(4102444800i64), json!(null))).unwrap();
    let meta = || call(&h, "secrets_list", json!({"req": {}})).unwrap()[0]["expiresAt"].clone();
    assert_eq!(meta(), json!(4102444800i64));
    call(&h, "secret_save", req(json!(null), json!(null))).unwrap();
    assert_eq!(meta(), json!(4102444800i64), "null alone keeps the expiry");
    call(&h, "secret_save", req(json!(null), json!(true))).unwrap();
    assert_eq!(meta(), json!(null));
}

#[test]
fn lock_drops_access_and_unlock_needs_the_passphrase() {
    let h = harness();
    create_passphrase_vault(&h);
    save(&h, "app/K", "v");
    call(&h, "vault_lock", json!({})).unwrap();
    assert_eq!(call(&h, "secrets_list", json!({"req": {}})).unwrap_err()["code"], "locked");
    assert_eq!(call(&h, "vault_touch", json!({})).unwrap(), json!(false));
    assert_eq!(
        call(&h, "vault_unlock", json!({"passphrase": "wrong"})).unwrap_err()["reason"],
        "wrong_passphrase"
    );
    assert_eq!(
        call(&h, "vault_unlock", json!({"passphrase": null})).unwrap_err()["code"],
        "locked"
    );
    call(&h, "vault_unlock", json!({"passphrase": "ipc passphrase"})).unwrap();
    let rows = call(&h, "secrets_list", json!({"req": {}})).unwrap();
    assert_eq!(rows[0]["path"], "app/K");
    assert!(rows[0]["updatedAt"].is_number(), "camelCase fields as in bindings.ts");
    let actions: Vec<String> = call(&h, "audit_list", json!({"query": {}}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(actions.ends_with(&["lock".into(), "unlock".into(), "unlock".into()]), "{actions:?}");
}

#[test]
fn settings_and_rekey_round_trip() {
    let h = harness();
    create_passphrase_vault(&h);
    let mut s = call(&h, "settings_get", json!({})).unwrap();
    assert_eq!(s["autoLockSecs"], 300);
    s["clipboardSecs"] = json!(12);
    call(&h, "settings_set", json!({"settings": s})).unwrap();
    assert_eq!(call(&h, "settings_get", json!({})).unwrap()["clipboardSecs"], 12);
    s["autoLockSecs"] = json!(1);
    assert_eq!(
        call(&h, "settings_set", json!({"settings": s})).unwrap_err()["reason"],
        "invalid_input"
    );
    call(&h, "recovery_set", json!({"passphrase": "recovery words"})).unwrap();
    assert_eq!(call(&h, "vault_status", json!({})).unwrap()["hasRecovery"], true);
}

#[test]
fn a_window_other_than_main_gets_nothing() {
    let h = harness();
    let other = WebviewWindowBuilder::new(&h._app, "other", Default::default()).build().unwrap();
    let req = InvokeRequest {
        cmd: "vault_status".into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(json!({})),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    let err = get_ipc_response(&other, req).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn remote_commands_refuse_while_locked_and_report_a_dead_server_as_health() {
    let h = harness();
    for (cmd, args) in [
        ("remote_list", json!({})),
        ("remote_test", json!({"name": "team", "onProgress": CH})),
        (
            "remote_plan",
            json!({"name": "team", "direction": "push", "folders": [], "onProgress": CH}),
        ),
        ("remote_peek", json!({"name": "team", "path": "app/K", "onProgress": CH})),
        ("remote_synced", json!({"name": "team"})),
        (
            "remote_update",
            json!({"req": {"name": "team", "addr": "x", "mount": "kv", "prefix": "", "caCert": "keep", "skipVerify": false, "auth": "token"}}),
        ),
        ("projects_list", json!({})),
        ("mounts_list", json!({})),
        ("mount_reads", json!({"limit": 10})),
    ] {
        assert_eq!(call(&h, cmd, args).unwrap_err()["code"], "locked", "{cmd}");
    }
    create_passphrase_vault(&h);
    // Port 1 on loopback: nothing listens. A token of its own (to the keychain): without one the
    // remote would borrow VAULT_TOKEN or ~/.vault-token, and with neither no request is made
    // (authentication failed, not unreachable), so this test passed only where one existed.
    let added = call(&h, "remote_add", json!({"req": {"name": "team", "addr": "http://127.0.0.1:1", "namespace": "", "mount": "secret", "prefix": "hush", "skipVerify": false, "auth": "token", "token": "not-a-real-token"}})).unwrap();
    assert_eq!((added["name"].as_str(), added["namespace"].is_null()), (Some("team"), true));
    assert_eq!(call(&h, "remote_list", json!({})).unwrap().as_array().unwrap().len(), 1);
    // An edit keeps the remote (and its sync history: e2e); a forged CA handle is refused.
    let edit = |ca: Value| json!({"req": {"name": "team", "addr": "http://127.0.0.1:1", "namespace": "ns1", "mount": "kv", "prefix": "p2", "caCert": ca, "skipVerify": true, "auth": "token", "token": null}});
    let updated = call(&h, "remote_update", edit(json!("keep"))).unwrap();
    // Nothing was synced with it, so no history to keep or drop.
    assert_eq!(updated["history"], json!({"kind": "none"}), "{updated}");
    let edited = &updated["remote"];
    assert_eq!(
        (edited["namespace"].as_str(), edited["mount"].as_str(), edited["prefix"].as_str()),
        (Some("ns1"), Some("kv"), Some("p2"))
    );
    assert_eq!((edited["skipVerify"].as_bool(), edited["caCert"].is_null()), (Some(true), true));
    let forged = call(&h, "remote_update", edit(json!({"set": "/etc/passwd"}))).unwrap_err();
    assert_ne!(forged["code"], json!(null), "{forged}");
    // A CA file picked in the dialog is set, kept by the next edit, then cleared.
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").unwrap();
    let handle = pick(&h, &ca, PickPurpose::CaCert);
    let set = call(&h, "remote_update", edit(json!({ "set": handle }))).unwrap();
    assert_eq!(set["remote"]["caCert"], ca.display().to_string());
    let kept = call(&h, "remote_update", edit(json!("keep"))).unwrap();
    assert_eq!(kept["remote"]["caCert"], ca.display().to_string());
    let cleared = call(&h, "remote_update", edit(json!("clear"))).unwrap();
    assert!(cleared["remote"]["caCert"].is_null(), "{cleared}");
    let gone = call(&h, "remote_update", json!({"req": {"name": "nope", "addr": "http://127.0.0.1:1", "mount": "kv", "prefix": "", "caCert": "clear", "skipVerify": false, "auth": "token"}})).unwrap_err();
    assert_eq!(gone["reason"], "no_remote", "{gone}");
    // The engine's blocking remote calls run off the async runtime and come back as data.
    let health = call(&h, "remote_test", json!({"name": "team", "onProgress": CH})).unwrap();
    assert_eq!(health["ok"], false);
    assert!(health["checks"][0]["message"].as_str().unwrap().contains("127.0.0.1:1"), "{health}");
    let sideways =
        json!({"name": "team", "direction": "sideways", "folders": [], "onProgress": CH});
    let bad = call(&h, "remote_plan", sideways).unwrap_err().to_string();
    assert!(bad.contains("unknown variant"), "an enum, not a string: {bad}");
    let unknown = call(&h, "remote_test", json!({"name": "nope", "onProgress": CH})).unwrap_err();
    assert_eq!(unknown["reason"], "no_remote", "a missing remote is 'not found', not bad input");
    assert!(unknown["message"].as_str().unwrap().contains("no remote named 'nope'"), "{unknown}");
    // AppRole needs its secret_id (it would go to the keychain); an unknown auth method is refused.
    let ar = call(&h, "remote_add", json!({"req": {"name": "ar", "addr": "https://127.0.0.1:1", "namespace": null, "mount": "kv", "prefix": "", "caCert": null, "skipVerify": false, "auth": "approle", "roleId": "role-123", "approleMount": "", "token": null}})).unwrap_err();
    assert!(
        ar["reason"] == "invalid_input" && ar["message"].as_str().unwrap().contains("secret_id"),
        "{ar}"
    );
    let bad = call(&h, "remote_add", json!({"req": {"name": "x", "addr": "https://127.0.0.1:1", "mount": "kv", "prefix": "", "skipVerify": false, "auth": "ldap"}})).unwrap_err();
    assert!(bad.to_string().contains("unknown variant"), "{bad}");
    // Nothing synced yet; the remote side of a key on a dead server: a remote error, audited as a
    // reveal that failed (the full flow against OpenBao is in e2e and core/tests/remote_peek.rs).
    assert_eq!(call(&h, "remote_synced", json!({"name": "team"})).unwrap(), json!([]));
    let peek = json!({"name": "team", "path": "app/K", "onProgress": CH});
    let err = call(&h, "remote_peek", peek).unwrap_err();
    assert_eq!((&err["code"], &err["reason"]), (&json!("remote"), &json!("remote_unreachable")));
    let reveal = call(&h, "audit_list", json!({"query": {"action": "reveal"}})).unwrap();
    assert_eq!((&reveal[0]["path"], &reveal[0]["outcome"]), (&json!("app/K"), &json!("failure")));
    call(&h, "remote_remove", json!({"name": "team"})).unwrap();
    assert_eq!(call(&h, "remote_list", json!({})).unwrap(), json!([]));
}

#[test]
fn auto_lock_follows_the_injected_clock_in_milliseconds() {
    let clock = Arc::new(ManualClock::default());
    let h = harness_with(clock.clone());
    create_passphrase_vault(&h);
    let state = h._app.state::<AppState>();
    let unlocked = || call(&h, "vault_status", json!({})).unwrap()["unlocked"].as_bool().unwrap();
    let settle = || {
        state.actor.tick();
        // The tick is handled in order with the status query that follows it.
    };
    // Default auto-lock: 300 s. A status query is not activity.
    clock.advance(Duration::from_secs(299));
    settle();
    assert!(unlocked());
    // Activity (any vault command, or the window's ping) starts the wait again.
    assert_eq!(call(&h, "vault_touch", json!({})).unwrap(), json!(true));
    clock.advance(Duration::from_secs(200));
    settle();
    assert!(unlocked());
    clock.advance(Duration::from_secs(101));
    settle();
    assert!(!unlocked(), "locked after 300 s idle");
    let audit = {
        call(&h, "vault_unlock", json!({"passphrase": "ipc passphrase"})).unwrap();
        call(&h, "audit_list", json!({"query": {"action": "lock"}})).unwrap()
    };
    assert_eq!(audit[0]["detail"], "auto-lock after idle");
    // Time that passed while nothing ran (a suspended laptop) locks before the next command
    // answers: it finds the vault locked, with no tick in between.
    clock.advance(Duration::from_secs(3600));
    assert_eq!(call(&h, "secrets_list", json!({"req": {}})).unwrap_err()["code"], "locked");
}

#[test]
fn a_panic_in_one_command_leaves_the_vault_serving_the_next() {
    let h = harness();
    create_passphrase_vault(&h);
    let state = h._app.state::<AppState>();
    let panicked = tauri::async_runtime::block_on(
        state.actor.run(|_| -> Result<(), _> { panic!("a bug in one command") }),
    )
    .unwrap_err();
    assert_eq!((panicked.code, panicked.reason.as_str()), (ErrorKind::Failure, "internal"));
    assert!(!panicked.message.contains("bug"), "{}", panicked.message);
    // Still unlocked, still answering: nothing was poisoned.
    assert_eq!(call(&h, "secrets_list", json!({"req": {}})).unwrap(), json!([]));
}

#[test]
fn long_work_does_not_block_the_other_views() {
    // A "server" that accepts connections and never answers: a remote test hangs on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(2));
        drop(conns);
    });
    let h = harness();
    create_passphrase_vault(&h);
    call(&h, "remote_add", json!({"req": {"name": "slow", "addr": addr, "namespace": null, "mount": "secret", "prefix": "", "skipVerify": false, "auth": "token", "token": null}})).unwrap();
    let webview = h.webview.clone();
    let hung = std::thread::spawn(move || {
        let req = InvokeRequest {
            cmd: "remote_test".into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(json!({"name": "slow", "onProgress": CH})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&webview, req).map(|_| ()).map_err(|e| e.to_string())
    });
    std::thread::sleep(Duration::from_millis(300));
    let t = std::time::Instant::now();
    call(&h, "secrets_list", json!({"req": {}})).unwrap();
    call(&h, "settings_get", json!({})).unwrap();
    assert!(t.elapsed() < Duration::from_millis(500), "the views waited for the remote call");
    assert!(!hung.is_finished(), "the remote call was still running meanwhile");
    held.join().unwrap();
    let out = hung.join().unwrap();
    assert!(out.is_ok(), "a dead server is reported as health: {out:?}");
    assert_eq!(call(&h, "work_cancel", json!({"id": 999})).unwrap(), json!(false));
}

#[test]
fn a_damaged_vault_is_reported_not_mistaken_for_a_first_run() {
    let h = harness();
    std::fs::write(h._dir.path().join("vault.db"), b"this is not a SQLite file at all, just text")
        .unwrap();
    let status = call(&h, "vault_status", json!({})).unwrap();
    assert_eq!(status["exists"], true, "{status}");
    assert!(status["openError"]["code"].is_string(), "{status}");
    // And Setup would not overwrite it.
    let err = call(&h, "vault_create", json!({"passphrase": "ipc passphrase", "recovery": null}))
        .unwrap_err();
    assert_eq!(err["reason"], "vault_exists", "{err}");
}

/// A project the test plays the user for: trust records in a temp dir, the file picked.
fn open_project(h: &Harness, toml: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let trust = hush_core::project::TrustStore::at(dir.path().join("trust"));
    let state = h._app.state::<AppState>();
    tauri::async_runtime::block_on(state.actor.peek(move |o| {
        o.trust = Some(trust);
        Ok(())
    }))
    .unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("hush.toml"), toml).unwrap();
    (dir, repo.join("hush.toml").canonicalize().unwrap().display().to_string())
}

#[test]
fn projects_are_trusted_only_as_picked_and_checked_by_name_only() {
    let h = harness();
    create_passphrase_vault(&h);
    save(&h, "myapp/dev/API_KEY", "canary-project-key");
    save(&h, "myapp/dev/PORT", "canary-not-a-port");
    let toml = "default = \"dev\"\n[env.dev]\nfrom = [\"myapp/dev\", \"myapp/dev-mine\"]\n[env.prod]\nfrom = [\"myapp/prod\"]\n[vars]\nAPI_KEY = { required = true }\nPORT = { type = \"port\" }\nDB_URL = { required = true }\n";
    let (dir, file) = open_project(&h, toml);
    assert_eq!(call(&h, "projects_list", json!({})).unwrap(), json!([]));
    // A file the page names itself is refused: it must come from the picker (or a trust record).
    let err = call(&h, "project_trust", json!({"file": file, "trust": true})).unwrap_err();
    assert_eq!(err["reason"], "not_picked", "{err}");
    let handle = pick(&h, std::path::Path::new(&file), PickPurpose::ProjectFile);
    let p = call(&h, "project_open", json!({"file": handle})).unwrap();
    assert_eq!(
        (&p["file"], &p["trust"], &p["varsCount"]),
        (&json!(file), &json!("untrusted"), &json!(3))
    );
    assert_eq!(
        p["envs"][0],
        json!({"name": "dev", "folders": ["myapp/dev", "myapp/dev-mine"], "isDefault": true})
    );
    // Untrusted: no check, no mount (the kind the CLI exits 5 for).
    let err = call(&h, "project_check", json!({"file": file, "env": null})).unwrap_err();
    assert_eq!((&err["code"], &err["reason"]), (&json!("locked"), &json!("untrusted")));
    let err = call(&h, "mount_start", json!({"file": file, "env": null})).unwrap_err();
    assert_eq!(err["reason"], "untrusted");
    let p = call(&h, "project_trust", json!({"file": file, "trust": true})).unwrap();
    assert_eq!(p["trust"], "trusted");
    assert!(p["trustedAt"].is_number());
    // The check names what is missing and invalid, never a value.
    let c = call(&h, "project_check", json!({"file": file, "env": null})).unwrap();
    assert_eq!((&c["env"], &c["passed"]), (&json!("dev"), &json!(false)));
    assert_eq!((&c["missing"], &c["ok"]), (&json!(["DB_URL"]), &json!(["API_KEY"])));
    assert_eq!(
        (&c["invalid"][0]["name"], &c["emptyFolders"]),
        (&json!("PORT"), &json!(["myapp/dev-mine"]))
    );
    assert!(!c.to_string().contains("canary"), "{c}");
    let checks = call(&h, "audit_list", json!({"query": {"action": "check"}})).unwrap();
    assert_eq!(checks.as_array().unwrap().len(), 1);
    // An edited file asks again; a trusted project stays known after lock (its record).
    std::fs::write(dir.path().join("repo/hush.toml"), format!("{toml}# edited\n")).unwrap();
    call(&h, "vault_lock", json!({})).unwrap();
    call(&h, "vault_unlock", json!({"passphrase": "ipc passphrase"})).unwrap();
    let list = call(&h, "projects_list", json!({})).unwrap();
    assert_eq!((list.as_array().unwrap().len(), &list[0]["trust"]), (1, &json!("changed")));
    let p = call(&h, "project_trust", json!({"file": file, "trust": false})).unwrap();
    assert_eq!(p["trust"], "untrusted");
    // A project whose file is gone stays listed while known, and says why.
    call(&h, "project_trust", json!({"file": file, "trust": true})).unwrap();
    std::fs::remove_file(dir.path().join("repo/hush.toml")).unwrap();
    let list = call(&h, "projects_list", json!({})).unwrap();
    assert!(list[0]["trust"].is_null() && list[0]["problem"].is_string(), "{list}");
    assert_eq!(call(&h, "mount_reads", json!({"limit": 10})).unwrap(), json!([]));
}

#[test]
fn generator_and_report_cross_the_ipc_without_values() {
    let h = harness();
    // The generator: the options of `hush generate`, entropy included; bad options are refused.
    let g = |req: Value| call(&h, "generate_value", json!({ "req": req }));
    let hex = g(json!({"charset": "hex", "length": 64, "words": null})).unwrap();
    let v = hex["value"].as_str().unwrap();
    assert!(v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()), "{v}");
    assert_eq!(hex["entropyBits"].as_f64(), Some(256.0));
    let words = g(json!({"charset": "alnum", "length": 1, "words": 5})).unwrap();
    assert_eq!(words["value"].as_str().unwrap().split('-').count(), 5);
    assert_eq!(
        g(json!({"charset": "hex", "length": 0, "words": null})).unwrap_err()["code"],
        "invalid"
    );
    assert!(g(json!({"charset": "emoji", "length": 8, "words": null})).is_err());

    // The report: locked, refused; unlocked, metadata and the audit result, never a value.
    assert_eq!(call(&h, "report", json!({"since": null})).unwrap_err()["code"], "locked");
    create_passphrase_vault(&h);
    save(&h, "app/K", "canary-report");
    let r = call(&h, "report", json!({"since": null})).unwrap();
    assert_eq!(r["secrets"][0]["path"], "app/K");
    assert_eq!(r["secrets"][0]["findings"], json!(["never_rotated", "no_expiry"]));
    assert_eq!(r["audit"]["ok"], true);
    assert!(!r.to_string().contains("canary-report"));

    // Export only to a file the save dialog returned for a report.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.html");
    let export = |file: &str, format: &str| {
        call(&h, "report_export", json!({"file": file, "format": format, "since": null}))
    };
    assert_eq!(export(target.to_str().unwrap(), "html").unwrap_err()["reason"], "not_picked");
    let other = pick(&h, &target, PickPurpose::Export);
    assert_eq!(export(&other, "html").unwrap_err()["reason"], "not_picked");
    let picked = pick(&h, &target, PickPurpose::Report);
    let done = export(&picked, "html").unwrap();
    assert_eq!(done["path"].as_str(), target.to_str());
    let html = std::fs::read_to_string(&target).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("app/K"), "{}", &html[..80]);
    assert!(!html.contains("canary-report"));
    export(&picked, "csv").unwrap();
    assert!(std::fs::read_to_string(&target).unwrap().starts_with("path,folder,kind"));
}

/// A vault whose newest audit entry was cut (as by someone putting back an older copy of part of
/// the file): it refuses every write, the unlock's own audit entry included, so the app could not
/// be unlocked at all and said nothing of the way out. It now opens, says what differs, and
/// takes the file as it is once the user accepts it (as `hush doctor --accept-state`).
#[test]
fn a_vault_whose_state_was_altered_opens_says_so_and_can_be_accepted() {
    let h = harness();
    create_passphrase_vault(&h);
    save(&h, "app/A", "a");
    call(&h, "vault_lock", json!({})).unwrap();
    let db = h._dir.path().join("vault.db");
    let cut = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
        .status()
        .unwrap();
    assert!(cut.success());
    call(&h, "vault_unlock", json!({"passphrase": "ipc passphrase"})).unwrap();
    let problems = call(&h, "vault_state", json!({})).unwrap();
    assert!(problems[0].as_str().unwrap().contains("audit anchor"), "{problems}");
    let req = json!({"path": "app/B", "value": "b", "kind": null, "tags": null, "description": null, "expiresAt": null, "rotateEveryDays": null, "cas": null});
    let err = call(&h, "secret_save", json!({ "req": req })).unwrap_err();
    assert_eq!(err["reason"], "state_altered", "{err}");
    assert_eq!(call(&h, "vault_accept_state", json!({})).unwrap(), 1);
    assert_eq!(call(&h, "vault_state", json!({})).unwrap(), json!([]));
    call(&h, "secret_save", json!({ "req": req })).unwrap();
    // A wrong passphrase is still refused.
    call(&h, "vault_lock", json!({})).unwrap();
    assert!(call(&h, "vault_unlock", json!({"passphrase": "not the passphrase"})).is_err());
}
