//! IPC tests of the file operations: only what the native dialog returned is used, for the
//! purpose it was picked for, and only regular files (a pipe or a device would hold the vault's
//! thread). The real commands behind Tauri's mock runtime.

#[path = "support/ipc_harness.rs"]
mod harness;

use harness::*;
use hush_desktop_lib::picks::PickPurpose;
use serde_json::json;

#[test]
fn backup_restore_never_overwrites_a_vault() {
    let h = harness();
    create_passphrase_vault(&h);
    save(&h, "app/K", "canary-restore");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.hushbak");
    let out = pick(&h, &file, PickPurpose::BackupWrite);
    call(&h, "backup_create", json!({"file": out, "passphrase": "backup words"})).unwrap();
    let file = pick(&h, &file, PickPurpose::BackupRead);
    // Into the app's own (existing) vault file: refused, whatever the passphrase.
    let err = call(&h, "backup_restore", json!({"file": file, "backupPassphrase": "backup words", "passphrase": "x-passphrase", "target": null})).unwrap_err();
    assert_eq!(err["reason"], "vault_exists", "{err}");
    // Into a new file: restored, and this vault stays open.
    let target = dir.path().join("restored.db");
    let t = pick(&h, &target, PickPurpose::RestoreTarget);
    let r = call(&h, "backup_restore", json!({"file": file, "backupPassphrase": "backup words", "passphrase": "new passphrase", "target": t})).unwrap();
    assert_eq!((r["secrets"].as_u64(), r["vault"].as_str()), (Some(1), target.to_str()));
    assert!(!r.to_string().contains("canary"));
    assert_eq!(call(&h, "secrets_list", json!({"req": {}})).unwrap()[0]["path"], "app/K");
}

#[test]
fn file_operations_take_only_what_the_picker_returned() {
    let h = harness();
    create_passphrase_vault(&h);
    save(&h, "app/K", "canary-export");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bashrc");
    let export = |file: &str| {
        call(&h, "export_file", json!({"req": {"folders": ["app"], "format": "env", "file": file}}))
    };
    // A path the web view made up is refused, and nothing is written there.
    let err = export(target.to_str().unwrap()).unwrap_err();
    assert_eq!(err["reason"], "not_picked", "{err}");
    assert!(!target.exists(), "an export went to a path the picker never returned");
    // So is a forged handle, and a handle picked for reading (an import) used to write.
    assert_eq!(export("00112233445566778899aabbccddeeff").unwrap_err()["reason"], "not_picked");
    let read_only = pick(&h, &target, PickPurpose::ImportEnv);
    assert_eq!(export(&read_only).unwrap_err()["reason"], "not_picked");
    let backup = json!({"file": read_only, "passphrase": "backup words"});
    assert_eq!(call(&h, "backup_create", backup).unwrap_err()["reason"], "not_picked");
    assert!(!target.exists());
    // What the picker returned works; the web view sees the path only to show it.
    let picked = pick(&h, &target, PickPurpose::Export);
    let r = export(&picked).unwrap();
    assert_eq!((r["count"].as_u64(), r["path"].as_str()), (Some(1), target.to_str()));
    assert!(std::fs::read_to_string(&target).unwrap().contains("canary-export"));
    // Locking forgets every handle.
    call(&h, "vault_lock", json!({})).unwrap();
    call(&h, "vault_unlock", json!({"passphrase": "ipc passphrase"})).unwrap();
    assert_eq!(export(&picked).unwrap_err()["reason"], "not_picked");
}

/// A named pipe without a writer (a stale `hush mount` file), `/dev/zero` and a directory, picked
/// in the dialog: each is refused at once. The import's preview blocked in `open` on the pipe,
/// and `/dev/zero` spun as a backup or a project: on the vault's thread, so Lock now and
/// auto-lock waited with it.
#[test]
fn a_pipe_or_a_device_is_refused_and_the_vault_still_locks() {
    let h = harness();
    create_passphrase_vault(&h);
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stale.env");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let zero = std::path::Path::new("/dev/zero");
    let started = std::time::Instant::now();
    let cases = [
        (fifo.as_path(), PickPurpose::ImportEnv),
        (zero, PickPurpose::ImportEnv),
        (zero, PickPurpose::BackupRead),
        (zero, PickPurpose::ProjectFile),
        (dir.path(), PickPurpose::ImportEnv),
        (fifo.as_path(), PickPurpose::Export),
    ];
    for (path, purpose) in cases {
        let f = pick(&h, path, purpose);
        let err = match purpose {
            PickPurpose::ImportEnv => call(&h, "import_preview", json!({"req": {"file": f, "folder": "app", "onExisting": "refuse", "expand": false, "skipInvalid": false}})),
            PickPurpose::BackupRead => call(&h, "backup_restore", json!({"file": f, "backupPassphrase": "b", "passphrase": "p-passphrase", "target": null})),
            PickPurpose::ProjectFile => call(&h, "project_open", json!({"file": f})),
            _ => call(&h, "export_file", json!({"req": {"folders": ["app"], "format": "env", "file": f}})),
        }
        .unwrap_err();
        assert_eq!(err["reason"], "not_a_regular_file", "{path:?} for {purpose:?}: {err}");
        assert!(err["message"].as_str().unwrap().contains(path.to_str().unwrap()), "{err}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    call(&h, "vault_lock", json!({})).unwrap();
}
