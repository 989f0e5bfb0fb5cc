//! `hush run`: the program gets the folders' secrets in its environment; hush forwards signals
//! and returns the program's exit code. With `--mask`, the program's stdout and stderr go through
//! pipes and every secret value in them becomes `[hush:masked]` (see `hush_core::mask`).
//!
//! Signals: SIGINT, SIGTERM and SIGHUP that another process sends to hush are passed on. Those
//! the terminal sends (Ctrl-C) already reach the program, which is in hush's process group, so
//! they are not sent twice; hush itself just waits for the program to finish.
//!
//! `--no-inherit-env` keeps only PATH, HOME, USER, LANG, TERM, TMPDIR and SHELL. The values pass
//! through std's `Command` (not zeroized) on the way to `execve`, as with any program launcher.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use hush_core::mask::Masker;
use hush_core::{Error, Result};

use crate::cli::RunArgs;
use crate::ctx::Ctx;

/// What `--no-inherit-env` keeps from hush's own environment.
pub const KEPT_ENV: [&str; 7] = ["PATH", "HOME", "USER", "LANG", "TERM", "TMPDIR", "SHELL"];

pub fn run(ctx: &Ctx, a: RunArgs) -> Result<i32> {
    // --from folders, else the trusted project's environment (hush.toml here or above)
    let mut opened = None;
    let named: Vec<String> = a.folders.iter().chain(&a.from).cloned().collect();
    let from = super::remote_first::remote_first(ctx, &named, &mut opened)?;
    let sel = super::project::select(&from, a.env.as_deref())?;
    super::remote_first::remote_first(ctx, &sel.remote_first, &mut opened)?;
    let program = a.cmd[0].clone();
    let mut vault = match opened {
        Some(v) => v,
        None => ctx.open_unlocked()?,
    };
    let env = match vault.run_env(&sel.folders, &program.to_string_lossy()) {
        // a project's personal override folder may not exist yet: run with the others
        Err(Error::EmptyFolder { .. }) if sel.project.is_some() => {
            let folders = super::project::usable_folders(&vault, &sel)?;
            vault.run_env(&folders, &program.to_string_lossy())?
        }
        other => other?,
    };
    if !a.no_check {
        if let Some(r) = super::project::run_gate(&sel, &env.vars, !a.no_inherit_env)? {
            if !r.passed {
                let names = r.failing();
                let detail = format!("refused: missing or invalid {}", names.join(", "));
                vault.audit_event(
                    hush_core::Action::Run,
                    None,
                    hush_core::Outcome::Refused,
                    Some(&detail),
                )?;
                for i in &r.invalid {
                    eprintln!("hush: {}: {}", i.name, i.reason);
                }
                eprintln!(
                    "hush: not starting {} (checked against {}; --no-check starts it anyway)",
                    program.to_string_lossy(),
                    r.source
                );
                return Err(Error::CheckFailed { names });
            }
        }
    }
    drop(vault);
    if !env.left_out.is_empty() {
        errln!("hush: left out (not environment variable names): {}", env.left_out.join(", "));
    }
    hush_core::envguard::check_run_env(env.vars.iter().map(|(k, _)| k.as_str()), &a.allow_env)?;
    hush_core::envguard::check_env_sizes(env.vars.iter().map(|(k, v)| (k.as_str(), v.len())))?;
    let mut cmd = Command::new(&program);
    cmd.args(&a.cmd[1..]);
    // Read at start-up and gone from our environment already; removed here too so that no path
    // (a variable set again later by a library) hands the program a key to the whole vault.
    for (k, _) in std::env::vars_os().filter(|(k, _)| crate::ctx::is_passphrase_var(k)) {
        cmd.env_remove(k);
    }
    if a.no_inherit_env {
        cmd.env_clear();
        for k in KEPT_ENV {
            if let Some(v) = std::env::var_os(k) {
                cmd.env(k, v);
            }
        }
    }
    for (k, v) in &env.vars {
        cmd.env(k, v.expose_str());
    }
    if a.mask {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    install_forwarding();
    #[cfg(unix)]
    hush_core::sys::end_with_parent(&mut cmd);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            errln!("hush: {}: command not found", program.to_string_lossy());
            return Ok(127);
        }
        // As shells do: found but not runnable (no execute bit, a directory) is 126.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            errln!("hush: {}: permission denied (not executable)", program.to_string_lossy());
            return Ok(126);
        }
        // The whole environment and arguments past the kernel's total (ARG_MAX).
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::E2BIG) => {
            let bytes: usize = env.vars.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
            return Err(Error::InvalidInput(format!(
                "{} did not start: its environment and arguments are over the system's limit (the secrets alone take {bytes} bytes); hand large values over as files with `hush inject`",
                program.to_string_lossy()
            )));
        }
        Err(e) => return Err(Error::Io { path: program.into(), source: e }),
    };
    #[cfg(unix)]
    hush_core::sys::set_forward_target(child.id() as i32);
    let pumps = if a.mask {
        let values: Vec<&[u8]> = env.vars.iter().map(|(_, v)| v.expose()).collect();
        let (out, err) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
        let (m1, m2) = (Masker::new(values.iter().copied()), Masker::new(values.iter().copied()));
        vec![
            std::thread::spawn(move || pump(out, std::io::stdout(), m1)),
            std::thread::spawn(move || pump(err, std::io::stderr(), m2)),
        ]
    } else {
        Vec::new()
    };
    drop(env);
    let status = child.wait().map_err(|e| Error::Io { path: program.into(), source: e })?;
    #[cfg(unix)]
    hush_core::sys::set_forward_target(0);
    for p in pumps {
        let _ = p.join();
    }
    #[cfg(unix)]
    if let Some(sig) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return Ok(128 + sig);
    }
    Ok(status.code().unwrap_or(1))
}

/// Copies `from` to `to` through the masker, flushing every chunk so output stays live.
fn pump(mut from: impl Read, mut to: impl Write, mut m: Masker) {
    let mut buf = vec![0u8; 8192];
    let mut out = Vec::with_capacity(16384);
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        out.clear();
        m.push(&buf[..n], &mut out);
        if to.write_all(&out).and_then(|_| to.flush()).is_err() {
            return;
        }
    }
    out.clear();
    m.finish(&mut out);
    let _ = to.write_all(&out).and_then(|_| to.flush());
}

#[cfg(unix)]
fn install_forwarding() {
    hush_core::sys::forward_signals();
}

#[cfg(not(unix))]
fn install_forwarding() {}
