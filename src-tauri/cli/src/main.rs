//! `hush`: the command-line face of hush-core. Parsing in `cli`, one function per subcommand in
//! `cmd`, exit codes in `exit`.

#[macro_use]
mod term;
mod argv;
mod cli;
mod cli_life;
mod cli_remote;
mod cmd;
mod ctx;
mod exit;

use hush_core::{AuditFilter, Kind, ListFilter, Result};

use cli::{Cli, Cmd, ProjectCmd, RecoveryCmd};
use cmd::{
    activate, docs, envio, keys, life, mount, project, remote, run as run_cmd, scan, secrets,
};

/// mimalloc rather than the system's: remote operations allocate per record and per request, and
/// glibc's malloc and free took a fifth of their CPU (bench/README.md). Values are zeroized by
/// their types before they are freed, whichever allocator frees them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Before anything else (and before any thread exists): no core dumps or ptrace of a process
    // that holds keys and values, and the passphrase variables read once and removed, so that no
    // child of hush inherits them.
    hush_core::sys::harden_process();
    term::quiet_on_closed_stdout();
    ctx::capture_env_passphrases();
    // A command behind another process's write lock waits (a read never fails for that): say so.
    hush_core::on_wait_for_lock(Box::new(|| {
        errln!("hush: waiting for another Hush process to finish writing the vault…");
    }));
    let cli = argv::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            errln!("hush: {e}");
            if let Some(h) = exit::hint(&e) {
                errln!("hint: {h}");
            }
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
        Cmd::Mv { from, to, json } => ok(secrets::mv(&ctx, &from, &to, json)),
        Cmd::Restore { path } => ok(secrets::restore(&ctx, &path)),
        Cmd::Purge { path, trashed, all } => ok(secrets::purge(&ctx, &path, trashed, all)),
        Cmd::Trash { json } => ok(secrets::trash(&ctx, json)),
        Cmd::Audit { verify, path, action, limit, json } => {
            let action = action.as_deref().map(hush_core::Action::parse).transpose()?;
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
        Cmd::Doctor { accept_state: true, .. } => ok(keys::accept_state(&ctx)),
        Cmd::Doctor { json, .. } => pass_fail(keys::doctor(&ctx, json), exit::FAILURE),
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
        Cmd::Inject { input, output, only, env } => {
            ok(envio::inject(&ctx, &input, output.as_deref(), &only, env.as_deref()))
        }
        Cmd::Project { cmd: ProjectCmd::Init(a) } => ok(project::init(&ctx, a)),
        Cmd::Project { cmd: ProjectCmd::Trust } => ok(project::trust()),
        Cmd::Project { cmd: ProjectCmd::Untrust } => ok(project::untrust()),
        Cmd::Project { cmd: ProjectCmd::Status { check, env, json } } => {
            project::status(&ctx, check, env.as_deref(), json)
        }
        Cmd::Project { cmd: ProjectCmd::Ls { json } } => ok(project::ls(json)),
        Cmd::Activate { shell } => ok(activate::activate(shell)),
        Cmd::Hook { shell } => ok(activate::hook(&ctx, shell)),
        Cmd::Check(a) => project::check(&ctx, a),
        Cmd::Mount(a) => ok(mount::mount(&ctx, a)),
        Cmd::Unmount { path } => ok(mount::unmount(&path)),
        Cmd::Mounts { json } => ok(mount::mounts(json)),
        Cmd::MountGuard { pid, path } => ok(mount::guard(pid, &path)),
        Cmd::Scan(a) => scan::scan(&ctx, a),
        Cmd::Completions { shell } => Ok(docs::completions(shell)),
        Cmd::Man { dir } => Ok(docs::man_pages(&dir)),
        Cmd::Generate(a) => ok(life::generate(&ctx, a)),
        Cmd::Rotate(a) => life::rotate(&ctx, a),
        Cmd::Policy(a) => ok(life::policy(&ctx, a)),
        Cmd::Status(a) => life::status(&ctx, a),
        Cmd::Report(a) => ok(life::report(&ctx, a)),
        Cmd::Test(a) => life::test(&ctx, a),
    }
}
