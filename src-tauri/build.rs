/// Every app command, for the ACL; keep in step with `commands::handler`.
const COMMANDS: &[&str] = &[
    "vault_status",
    "vault_create",
    "vault_unlock",
    "vault_lock",
    "vault_touch",
    "vault_state",
    "vault_accept_state",
    "app_lock_set",
    "secrets_list",
    "secret_detail",
    "secret_reveal",
    "secret_copy",
    "secret_save",
    "secret_history",
    "secret_rollback",
    "secret_delete",
    "secret_move",
    "secrets_move",
    "folder_move",
    "trash_list",
    "trash_restore",
    "trash_purge",
    "audit_list",
    "audit_verify",
    "overview",
    "settings_get",
    "settings_set",
    "recovery_set",
    "vault_rewrap",
    "vault_rekey",
    "pick_file",
    "ask",
    "import_preview",
    "import_commit",
    "export_file",
    "backup_create",
    "backup_restore",
    "remote_list",
    "remote_add",
    "remote_update",
    "remote_remove",
    "remote_test",
    "remote_plan",
    "remote_run",
    "remote_peek",
    "remote_synced",
    "work_cancel",
    "about",
    "generate_value",
    "report",
    "report_export",
    "projects_list",
    "project_open",
    "project_trust",
    "project_check",
    "mounts_list",
    "mount_reads",
    "mount_start",
    "mount_stop",
];

fn main() {
    // The About view names the commit the app was built from (HUSH_GIT_COMMIT).
    hush_build_info::emit();
    // The UI is embedded at compile time: fail early and clearly if it was not built.
    println!("cargo:rerun-if-changed=ui/dist");
    if !std::path::Path::new("ui/dist/index.html").exists() {
        panic!("ui/dist is missing: build the UI first with `npm --prefix ui ci && npm --prefix ui run build` (scripts/test.sh and scripts/run-app.sh do this)");
    }
    // Capabilities live beside the shell's sources, not at the repository root.
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attrs).expect("tauri-build failed");
}
