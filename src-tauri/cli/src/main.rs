//! `hush`: the command-line face of hush-core. Parsing in `cli`, one function per subcommand in
//! `cmd`, exit codes in `exit`.

mod cli;
mod cmd;
mod ctx;
mod exit;

use clap::Parser;
use hush_core::{AuditFilter, Kind, ListFilter, Result};

use cli::{Cli, Cmd, RecoveryCmd};
use cmd::{docs, envio, keys, remote, run as run_cmd, secrets};

fn main() {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hush: {e}");
            exit::code_for(&e)
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> Result<i32> {
    let vault_path = match cli.vault {
        Some(p) => p,
        None => hush_core::default_vault_path()?,
    };
    let ctx = ctx::Ctx { vault_path, passphrase_file: cli.passphrase_file };
    let ok = |r: Result<()>| r.map(|_| exit::OK);
    let pass_fail = |r: Result<bool>, fail: i32| r.map(|good| if good { exit::OK } else { fail });
    match cli.cmd {
        Cmd::Init { passphrase } => ok(keys::init(&ctx, passphrase)),
        Cmd::Set(a) => ok(secrets::set(&ctx, a)),
        Cmd::Get { path, version, json } => ok(secrets::get(&ctx, &path, version, json)),
        Cmd::Ls { folder, tag, kind, search, json } => {
            let kind = kind.as_deref().map(Kind::parse).transpose()?;
            ok(secrets::ls(&ctx, ListFilter { folder, tag, kind, search }, json))
        }
        Cmd::Show { path, json } => ok(secrets::show(&ctx, &path, json)),
        Cmd::History { path, json } => ok(secrets::history(&ctx, &path, json)),
        Cmd::Rollback { path, to, cas } => ok(secrets::rollback(&ctx, &path, to, cas)),
        Cmd::Rm { path } => ok(secrets::rm(&ctx, &path)),
        Cmd::Restore { path } => ok(secrets::restore(&ctx, &path)),
        Cmd::Purge { path } => ok(secrets::purge(&ctx, &path)),
        Cmd::Trash { json } => ok(secrets::trash(&ctx, json)),
        Cmd::Audit { verify, path, action, limit, json } => {
            let filter = AuditFilter { path_prefix: path, action, since: None, limit };
            pass_fail(keys::audit(&ctx, verify, filter, json), exit::INTEGRITY)
        }
        Cmd::Recovery { cmd: RecoveryCmd::Set } => ok(keys::recovery_set(&ctx)),
        Cmd::Recovery { cmd: RecoveryCmd::Restore } => ok(keys::recovery_restore(&ctx)),
        Cmd::Recovery { cmd: RecoveryCmd::Rm } => ok(keys::recovery_rm(&ctx)),
        Cmd::Rewrap { to_passphrase, to_keychain } => {
            ok(keys::rewrap(&ctx, to_passphrase, to_keychain))
        }
        Cmd::Rekey => ok(keys::rekey(&ctx)),
        Cmd::Doctor { json } => pass_fail(keys::doctor(&ctx, json), exit::FAILURE),
        Cmd::Unlock { timeout } => ok(keys::unlock(&ctx, timeout)),
        Cmd::Lock => ok(keys::lock(&ctx)),
        Cmd::Settings { versions_kept, trash_days, json } => {
            ok(keys::settings(&ctx, versions_kept, trash_days, json))
        }
        Cmd::Agent { vault_id, timeout } => ok(keys::agent(&vault_id, timeout)),
        Cmd::Remote { cmd } => remote::remote(&ctx, cmd),
        Cmd::Plan { remote: name, folders, direction, json } => {
            remote::plan(&ctx, &name, folders, direction, json)
        }
        Cmd::Push(a) => remote::op(&ctx, remote::Op::Push, a),
        Cmd::Pull(a) => remote::op(&ctx, remote::Op::Pull, a),
        Cmd::Sync(a) => remote::op(&ctx, remote::Op::Sync, a),
        Cmd::Migrate(a) => remote::migrate(&ctx, a),
        Cmd::Import(a) => ok(envio::import(&ctx, a)),
        Cmd::Export(a) => ok(envio::export(&ctx, a)),
        Cmd::Backup { output, json } => ok(envio::backup(&ctx, &output, json)),
        Cmd::RestoreBackup { file, passphrase, json } => {
            ok(envio::restore_backup(&ctx, &file, passphrase, json))
        }
        Cmd::Run(a) => run_cmd::run(&ctx, a),
        Cmd::Inject { input, output } => ok(envio::inject(&ctx, &input, output.as_deref())),
        Cmd::Completions { shell } => Ok(docs::completions(shell)),
        Cmd::Man { dir } => Ok(docs::man_pages(&dir)),
    }
}
