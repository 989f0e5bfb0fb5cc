//! Tauri commands, grouped by what they act on. Each is a few lines over one hush-core call.
//! Every command is listed here once, and in build.rs for the ACL.

pub(crate) mod about;
mod audit;
mod envio;
mod life;
mod projects;
mod remote;
mod secrets;
mod settings;
mod vault;

pub use vault::status_now;

pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        vault::vault_status,
        vault::vault_create,
        vault::vault_unlock,
        vault::vault_lock,
        vault::vault_touch,
        vault::vault_state,
        vault::vault_accept_state,
        vault::app_lock_set,
        secrets::secrets_list,
        secrets::secret_detail,
        secrets::secret_reveal,
        secrets::secret_copy,
        secrets::secret_save,
        secrets::secret_history,
        secrets::secret_rollback,
        secrets::secret_delete,
        secrets::secret_move,
        secrets::secrets_move,
        secrets::folder_move,
        secrets::trash_list,
        secrets::trash_restore,
        secrets::trash_purge,
        audit::audit_list,
        audit::audit_verify,
        audit::overview,
        settings::settings_get,
        settings::settings_set,
        settings::recovery_set,
        settings::vault_rewrap,
        settings::vault_rekey,
        envio::pick_file,
        envio::ask,
        envio::import_preview,
        envio::import_commit,
        envio::export_file,
        envio::backup_create,
        envio::backup_restore,
        remote::remote_list,
        remote::remote_add,
        remote::remote_update,
        remote::remote_remove,
        remote::remote_test,
        remote::remote_plan,
        remote::remote_run,
        remote::remote_peek,
        remote::remote_synced,
        remote::work_cancel,
        about::about,
        life::generate_value,
        life::report,
        life::report_export,
        projects::projects_list,
        projects::project_open,
        projects::project_trust,
        projects::project_check,
        projects::mounts_list,
        projects::mount_reads,
        projects::mount_start,
        projects::mount_stop,
    ]
}
