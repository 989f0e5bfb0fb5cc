//! Remote subcommands: `remote add|ls|rm|test`, `plan`, `push`, `pull`, `sync`, `migrate`. Each is
//! a few lines over one engine call, plus a progress bar on stderr and Ctrl-C as the cancel flag.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::sync::atomic::AtomicBool;

use hush_core::remote::{
    AuthSpec, Direction, FolderOutcome, FolderResult, FolderState, KeyAction, MigrateOptions,
    OpReport, Plan, Progress, ProgressPhase, RemoteCredential, RemoteSpec, Resolution, SyncHistory,
    SyncOptions,
};
use hush_core::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::print_json;
use crate::cli_remote::{
    AuthArg, DirectionArg, MigrateArgs, RemoteAddArgs, RemoteCmd, RemoteSetArgs, SyncArgs,
};
use crate::ctx::Ctx;
use crate::exit;

pub enum Op {
    Push,
    Pull,
    Sync,
}

pub fn remote(ctx: &Ctx, cmd: RemoteCmd) -> Result<i32> {
    match cmd {
        RemoteCmd::Add(a) => add(ctx, a),
        RemoteCmd::Ls { json } => {
            let rows = ctx.open()?.remotes()?;
            if json {
                print_json(&rows);
            }
            for r in rows.iter().filter(|_| !json) {
                let auth = match &r.spec.auth {
                    AuthSpec::Token => "token",
                    AuthSpec::Approle { .. } => "approle",
                };
                let ns =
                    r.spec.namespace.as_deref().map(|n| format!(" ns={n}")).unwrap_or_default();
                outln!(
                    "{}  {}{ns}  {}/{}  {auth}{}  {} folder(s) synced",
                    r.spec.name,
                    r.spec.addr,
                    r.spec.mount,
                    r.spec.prefix,
                    if r.credential_in_keychain { " (keychain)" } else { "" },
                    r.synced_folders
                );
            }
            Ok(exit::OK)
        }
        RemoteCmd::Set(a) => set(ctx, a),
        RemoteCmd::Rm { name } => {
            ctx.open_unlocked()?.remote_remove(&name)?;
            errln!("removed remote {name} (its keychain entry and sync state; the server was not touched)");
            Ok(exit::OK)
        }
        RemoteCmd::Test { name, json } => {
            let h = ctx.open_unlocked()?.remote_test(&name)?;
            for w in &h.warnings {
                errln!("{w}");
            }
            if json {
                print_json(&h);
            } else {
                for c in &h.checks {
                    outln!("{} {:<13} {}", if c.ok { "ok  " } else { "FAIL" }, c.name, c.message);
                }
            }
            Ok(match h.checks.iter().find(|c| !c.ok).and_then(|c| c.code.as_deref()) {
                None => exit::OK,
                Some("remote_denied" | "remote_auth") => exit::DENIED,
                Some(_) => exit::REMOTE,
            })
        }
    }
}

/// A token or secret_id: all of stdin when piped, else a hidden prompt. Never argv.
fn read_credential(prompt: &str) -> Result<RemoteCredential> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let s = rpassword::prompt_password(prompt)
            .map_err(|e| Error::Io { path: "/dev/tty".into(), source: e })?;
        return Ok(RemoteCredential::new(s));
    }
    let mut buf = zeroize::Zeroizing::new(String::new());
    stdin
        .lock()
        .take(64 * 1024)
        .read_to_string(&mut buf)
        .map_err(|e| Error::Io { path: "<stdin>".into(), source: e })?;
    Ok(RemoteCredential::new(std::mem::take(&mut *buf)))
}

fn add(ctx: &Ctx, a: RemoteAddArgs) -> Result<i32> {
    let auth = match a.auth {
        AuthArg::Token => AuthSpec::Token,
        AuthArg::Approle => AuthSpec::Approle {
            mount: a.approle_mount,
            role_id: a.role_id.ok_or_else(|| {
                Error::InvalidInput("--auth approle needs --role-id (or VAULT_ROLE_ID)".into())
            })?,
        },
    };
    let prompt = match auth {
        AuthSpec::Token => "Vault token (empty: use VAULT_TOKEN or ~/.vault-token at each use): ",
        _ => "AppRole secret_id: ",
    };
    let spec = RemoteSpec {
        name: a.name,
        addr: a.addr,
        namespace: a.namespace,
        mount: a.mount,
        prefix: a.prefix,
        ca_cert: a.ca_cert,
        skip_verify: a.skip_verify,
        auth,
    };
    let mut v = ctx.open_unlocked()?;
    let cred = read_credential(prompt)?;
    let info = v.remote_add_allowing_http(&spec, Some(&cred), a.allow_http)?;
    let stored = if info.credential_in_keychain {
        "credential stored in the OS keychain"
    } else {
        "no token stored: VAULT_TOKEN or ~/.vault-token will be used"
    };
    let ns = info.spec.namespace.as_deref().map(|n| format!(", namespace {n}")).unwrap_or_default();
    errln!(
        "added remote {} ({}{ns}, mount {}); {stored}; check it with `hush remote test {}`",
        info.spec.name,
        info.spec.addr,
        info.spec.mount,
        info.spec.name
    );
    Ok(exit::OK)
}

fn set(ctx: &Ctx, a: RemoteSetArgs) -> Result<i32> {
    let mut v = ctx.open_unlocked()?;
    let old = v
        .remotes()?
        .into_iter()
        .find(|r| r.spec.name == a.name)
        .ok_or_else(|| Error::NoRemote { name: a.name.clone() })?;
    let mut spec = old.spec;
    let or_none = |s: String| (!s.is_empty()).then_some(s);
    spec.addr = a.addr.unwrap_or(spec.addr);
    spec.namespace = a.namespace.map(or_none).unwrap_or(spec.namespace);
    spec.mount = a.mount.unwrap_or(spec.mount);
    spec.prefix = a.prefix.unwrap_or(spec.prefix);
    spec.ca_cert = a.ca_cert.map(or_none).unwrap_or(spec.ca_cert);
    spec.skip_verify = a.skip_verify.unwrap_or(spec.skip_verify);
    spec.auth = match (a.auth, spec.auth) {
        (Some(AuthArg::Token), _) => AuthSpec::Token,
        (Some(AuthArg::Approle), old) | (None, old @ AuthSpec::Approle { .. }) => {
            let (m, r) = match old {
                AuthSpec::Approle { mount, role_id } => (mount, role_id),
                AuthSpec::Token => ("approle".to_string(), String::new()),
            };
            AuthSpec::Approle {
                mount: a.approle_mount.unwrap_or(m),
                role_id: a.role_id.unwrap_or(r),
            }
        }
        (None, AuthSpec::Token) => AuthSpec::Token,
    };
    let cred =
        if a.new_credential { Some(read_credential("New token or secret_id: ")?) } else { None };
    let done = v.remote_update(&spec, cred.as_ref(), a.allow_http)?;
    let s = &done.info.spec;
    let history = match &done.history {
        SyncHistory::Kept => "its sync history is kept".to_string(),
        SyncHistory::None => "nothing was synced with it yet".to_string(),
        SyncHistory::Dropped { folders, was } => format!(
            "the sync history of {folders} folder(s) described {was}, not this place, so it is \
             dropped: the next plan compares values (equal keys are recorded as synced, \
             different ones are conflicts)"
        ),
    };
    errln!(
        "changed remote {} ({}, mount {}, prefix '{}'); {history}",
        s.name,
        s.addr,
        s.mount,
        s.prefix
    );
    Ok(exit::OK)
}

pub fn plan(
    ctx: &Ctx,
    name: &str,
    folders: Vec<String>,
    direction: DirectionArg,
    json: bool,
) -> Result<i32> {
    let direction = match direction {
        DirectionArg::Push => Direction::Push,
        DirectionArg::Pull => Direction::Pull,
        DirectionArg::Sync => Direction::Sync,
    };
    let plan = ctx.open_unlocked()?.remote_plan(name, direction, &folders)?;
    if json {
        print_warnings(&plan.notes);
        print_json(&plan);
    } else {
        print_plan(&plan);
    }
    // A folder the token may not read is a denial, as the operation would end.
    Ok(if plan.totals.failed_folders > 0 {
        exit::DENIED
    } else if plan.totals.conflicts > 0 {
        exit::CONFLICT
    } else {
        exit::OK
    })
}

fn symbol(a: KeyAction) -> &'static str {
    match a {
        KeyAction::Unchanged => "=",
        KeyAction::CreateRemote => "+>",
        KeyAction::UpdateRemote => "~>",
        KeyAction::CreateLocal => "<+",
        KeyAction::UpdateLocal => "<~",
        KeyAction::DeleteRemote => "x>",
        KeyAction::DeleteLocal => "<x",
        KeyAction::Conflict => "!!",
        KeyAction::Skipped => "-",
    }
}

/// The first conflicting secret of a report (`folder/NAME`), for the hint that settles it.
fn first_conflict(r: &OpReport) -> Option<String> {
    r.folders.iter().find_map(|f| {
        let k = f.keys.iter().find(|k| k.action == KeyAction::Conflict)?;
        Some(format!("{}/{}", f.folder, k.name))
    })
}

/// A plan's word for an action, as the app says it (the JSON keeps the enum's name).
fn action_label(a: KeyAction) -> &'static str {
    match a {
        KeyAction::Unchanged => "unchanged",
        KeyAction::CreateRemote => "create on remote",
        KeyAction::UpdateRemote => "update remote",
        KeyAction::CreateLocal => "create locally",
        KeyAction::UpdateLocal => "update locally",
        KeyAction::DeleteRemote => "remove on remote",
        KeyAction::DeleteLocal => "move to local trash",
        KeyAction::Conflict => "conflict",
        KeyAction::Skipped => "skipped",
    }
}

fn state_label(s: FolderState) -> &'static str {
    match s {
        FolderState::InSync => "in sync",
        FolderState::LocalAhead => "local ahead",
        FolderState::RemoteAhead => "remote ahead",
        FolderState::Diverged => "diverged",
        FolderState::Conflict => "conflict",
        FolderState::Unreadable => "cannot read",
    }
}

/// The warnings among notes (TLS not verified, plain http), to stderr whatever the output format.
fn print_warnings(notes: &[String]) {
    for n in notes.iter().filter(|n| n.starts_with("warning: ")) {
        errln!("{n}");
    }
}

/// A report's or plan's notes: the warnings, then the rest as `note:` lines (stdout or stderr).
fn print_notes(notes: &[String], to_stdout: bool) {
    print_warnings(notes);
    for n in notes.iter().filter(|n| !n.starts_with("warning: ")) {
        if to_stdout {
            outln!("note: {n}");
        } else {
            errln!("note: {n}");
        }
    }
}

/// A remote version as printed: ` v3` on KV v2; nothing on KV v1, which keeps no versions (the
/// engine's 0 would read as a version).
fn kv_ver(kv_version: u8, v: u64) -> String {
    if kv_version == 1 {
        String::new()
    } else {
        format!(" v{v}")
    }
}

fn print_plan(plan: &Plan) {
    print_notes(&plan.notes, true);
    let kv = plan.kv_version;
    for f in &plan.folders {
        let synced = match f.last_synced_version {
            Some(_) if kv == 1 => ", synced before".to_string(),
            Some(v) => format!(", last synced v{v}"),
            None => String::new(),
        };
        let version = if f.state == FolderState::Unreadable {
            " (the token may not read it)".to_string()
        } else if f.remote_exists && kv == 2 && f.remote_version == 0 {
            " (metadata only, no version yet)".to_string()
        } else if f.remote_exists {
            kv_ver(kv, f.remote_version)
        } else {
            " (not on the remote)".to_string()
        };
        outln!("{}  [{}]  {}{version}{synced}", f.folder, state_label(f.state), f.remote_path);
        for k in f.keys.iter().filter(|k| k.action != KeyAction::Unchanged) {
            let versions = match (k.local_version, k.remote_version) {
                (Some(l), Some(r)) => format!("local v{l}, remote{}", kv_ver(kv, r)),
                (Some(l), None) => format!("local v{l}, not on the remote"),
                (None, Some(r)) => format!("remote{}, not local", kv_ver(kv, r)),
                (None, None) => String::new(),
            };
            outln!(
                "  {:<2} {:<32} {:<19} {versions}{}",
                symbol(k.action),
                k.name,
                action_label(k.action),
                k.reason.as_deref().map(|r| format!("  ({r})")).unwrap_or_default()
            );
        }
        if f.metadata_changes {
            outln!("  ~> metadata (custom_metadata)");
        }
        for n in &f.notes {
            outln!("  note: {n}");
        }
    }
    let t = &plan.totals;
    outln!(
        "{} folder(s): {} to create and {} to update remotely, {} to create and {} to update locally, {} unchanged, {} conflict(s), {} skipped",
        t.folders, t.created_remote, t.updated_remote, t.created_local, t.updated_local, t.unchanged, t.conflicts, t.skipped
    );
    if t.deleted_remote + t.deleted_local > 0 {
        outln!("removals by your choice: {} field(s) dropped remotely, {} secret(s) to the local trash", t.deleted_remote, t.deleted_local);
    }
    if t.failed_folders > 0 {
        outln!("{} folder(s) the token may not read: nothing planned for them", t.failed_folders);
    }
}

// Ctrl-C sets the cancel flag: in-flight folders finish, no new one starts, the report is printed.
fn watch_ctrl_c() -> &'static AtomicBool {
    hush_core::sys::first_ctrl_c_sets_flag()
}

/// A progress bar on stderr (only on a terminal, never with --json).
fn progress_bar(json: bool) -> (ProgressBar, impl FnMut(Progress)) {
    let bar = if json || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {wide_msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let b = bar.clone();
    let update = move |p: Progress| {
        b.set_prefix(match p.phase {
            ProgressPhase::Reading => "reading",
            ProgressPhase::Writing => "writing",
        });
        b.set_length(p.total as u64);
        b.set_position(p.done as u64);
        let failed = if p.failed > 0 { format!(" ({} failed)", p.failed) } else { String::new() };
        b.set_message(format!("{}{failed}", p.folder.unwrap_or_default()));
    };
    (bar, update)
}

/// The conflict choices of `--keep-local` / `--keep-remote`; a path naming no folder or key is
/// refused rather than silently ignored.
fn resolutions(a: &SyncArgs) -> Result<BTreeMap<String, Resolution>> {
    let mut opts = SyncOptions::default();
    let local = a.keep_local.iter().map(|p| (p, Resolution::KeepLocal));
    for (p, keep) in local.chain(a.keep_remote.iter().map(|p| (p, Resolution::KeepRemote))) {
        opts.resolve(p, keep)?;
    }
    Ok(opts.resolutions)
}

pub fn op(ctx: &Ctx, which: Op, a: SyncArgs) -> Result<i32> {
    let opts = SyncOptions {
        folders: a.folders.clone(),
        resolutions: resolutions(&a)?,
        with_history: a.with_history,
        concurrency: a.concurrency,
    };
    let mut v = ctx.open_unlocked()?;
    let (bar, mut update) = progress_bar(a.json);
    let cancel = watch_ctrl_c();
    let report = match which {
        Op::Push => v.remote_push(&a.remote, &opts, &mut update, cancel),
        Op::Pull => v.remote_pull(&a.remote, &opts, &mut update, cancel),
        Op::Sync => v.remote_sync(&a.remote, &opts, &mut update, cancel),
    };
    bar.finish_and_clear();
    finish(report?, a.json)
}

pub fn migrate(ctx: &Ctx, a: MigrateArgs) -> Result<i32> {
    let opts = MigrateOptions {
        folders: a.folders,
        dry_run: a.dry_run,
        with_history: a.with_history,
        concurrency: a.concurrency,
        continue_on_error: a.continue_on_error,
        remove_local_after_verify: a.remove_local_after_verify,
    };
    let mut v = ctx.open_unlocked()?;
    let (bar, mut update) = progress_bar(a.json);
    let report = v.remote_migrate(&a.remote, &opts, &mut update, watch_ctrl_c());
    bar.finish_and_clear();
    finish(report?, a.json)
}

/// Prints the report; the exit code says whether everything landed.
fn finish(r: OpReport, json: bool) -> Result<i32> {
    if json {
        print_warnings(&r.notes);
        print_json(&r);
    } else {
        print_notes(&r.notes, false);
        // A folder whose values did not change is still shown when something in it was left
        // out or has a note (a newer remote value, metadata shortened to fit): said only in
        // `--json` before, the text said nothing.
        let worth_a_line = |f: &&FolderResult| {
            f.outcome != FolderOutcome::Unchanged
                || !f.notes.is_empty()
                || f.keys.iter().any(|k| k.action == KeyAction::Skipped)
        };
        for f in r.folders.iter().filter(worth_a_line) {
            let keys: Vec<String> = f
                .keys
                .iter()
                .filter(|k| k.action != KeyAction::Unchanged)
                .map(|k| format!("{} {}", symbol(k.action), k.name))
                .collect();
            let extra = [
                (f.history_versions > 0)
                    .then(|| format!("{} history version(s)", f.history_versions)),
                f.removed_local.then(|| "local copy moved to trash".to_string()),
                f.error.clone(),
            ];
            let extra: Vec<String> = extra.into_iter().flatten().collect();
            outln!(
                "{} {}{}  {}{}",
                f.outcome,
                f.folder,
                // A folder that failed before any read names no version ("v0" read as one).
                match (f.outcome, f.remote_version) {
                    (FolderOutcome::Failed, 0) => String::new(),
                    (_, v) => kv_ver(r.kv_version, v),
                },
                keys.join(", "),
                if extra.is_empty() { String::new() } else { format!("  [{}]", extra.join("; ")) }
            );
            for n in &f.notes {
                outln!("          note: {n}");
            }
        }
        let t = &r.totals;
        let what = if r.dry_run { "dry run (nothing written)" } else { "done" };
        errln!(
            "{what} in {:.1}s: {} folder(s); remote {} created, {} updated; local {} created, {} updated; {} unchanged, {} skipped, {} conflict(s), {} failed folder(s){}",
            r.elapsed_ms as f64 / 1000.0, t.folders, t.created_remote, t.updated_remote, t.created_local, t.updated_local, t.unchanged, t.skipped, t.conflicts, t.failed_folders,
            if t.removed_local_folders > 0 { format!(", {} local folder(s) moved to trash", t.removed_local_folders) } else { String::new() }
        );
        if t.metadata_failed > 0 {
            errln!(
                "{} folder(s) written without their metadata (see each above)",
                t.metadata_failed
            );
        }
        if t.deleted_remote + t.deleted_local > 0 {
            errln!("removals by your choice: {} field(s) dropped remotely, {} secret(s) moved to the local trash", t.deleted_remote, t.deleted_local);
        }
        if let Some(s) = &r.stopped {
            errln!("{s}");
        }
        if r.cancelled {
            errln!("cancelled: finished folders stay done; run the same command again to resume");
        }
        if t.conflicts > 0 {
            let path = first_conflict(&r)
                .map_or_else(|| "FOLDER/NAME".into(), |p| crate::term::shell_word(&p).into_owned());
            errln!("conflicts: see `hush plan {} --for sync`, then settle each with `hush sync {} --keep-local {path}` or `--keep-remote {path}`", r.remote, r.remote);
        }
    }
    // A folder failed, or its values landed without their metadata (an error on a done folder).
    let errors: Vec<&str> = r.folders.iter().filter_map(|f| f.error_code.as_deref()).collect();
    Ok(if r.cancelled {
        exit::CANCELLED
    } else if !errors.is_empty() {
        let all_denied = errors.iter().all(|c| matches!(*c, "remote_denied" | "remote_auth"));
        if all_denied {
            exit::DENIED
        } else {
            exit::REMOTE
        }
    } else if r.totals.conflicts > 0 {
        exit::CONFLICT
    } else {
        exit::OK
    })
}
