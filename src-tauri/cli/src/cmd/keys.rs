//! Subcommands on the vault and its keys: init, unlock, lock, recovery, rewrap, rekey, doctor,
//! audit, settings, and the hidden agent entry point.

use std::io::IsTerminal;

use hush_core::{Action, AuditFilter, Error, KeyMode, Outcome, Protection, Result, Vault};

use super::print_json;
use crate::ctx::{secret_from_env_or_prompt, Ctx};

pub fn init(ctx: &Ctx, passphrase: bool) -> Result<()> {
    let v = if passphrase {
        let p = match &ctx.passphrase_file {
            Some(_) => ctx.passphrase("")?,
            None => secret_from_env_or_prompt("HUSH_PASSPHRASE", "New vault passphrase: ", true)?,
        };
        Vault::create(&ctx.vault_path, Protection::Passphrase(&p))?
    } else {
        Vault::create(&ctx.vault_path, Protection::Keychain)?
    };
    let mode = if passphrase { "passphrase" } else { "OS keychain" };
    errln!("created a new vault at {} ({mode} mode)", v.path().display());
    errln!(
        "tip: `hush recovery set` adds a recovery passphrase so the vault opens on another machine"
    );
    Ok(())
}

pub fn unlock(ctx: &Ctx, timeout: u64) -> Result<()> {
    let mut v = ctx.open()?;
    if v.key_mode() == KeyMode::Keychain {
        v.unlock_keychain()?;
        errln!("this vault is opened by the OS keychain; no unlock needed");
        return Ok(());
    }
    #[cfg(unix)]
    {
        let kek = v.derive_passphrase_kek(&ctx.passphrase("Vault passphrase: ")?)?;
        let exe = std::env::current_exe()
            .map_err(|e| Error::Io { path: "current_exe".into(), source: e })?;
        let t = timeout.to_string();
        hush_core::agent::spawn(
            &exe,
            &["__agent", "--vault-id", v.vault_id(), "--timeout", &t],
            &kek,
        )?;
        v.unlock_with_kek(kek)?;
        v.audit_event(
            Action::Unlock,
            None,
            Outcome::Ok,
            Some(&format!("agent started, idle timeout {timeout}s")),
        )?;
        errln!("unlocked; the agent keeps the key until {timeout}s of inactivity or `hush lock`");
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = timeout;
        Err(Error::InvalidInput(
            "the unlock agent needs Unix sockets; set HUSH_PASSPHRASE for this session instead"
                .into(),
        ))
    }
}

pub fn lock(ctx: &Ctx) -> Result<()> {
    let mut v = ctx.open()?;
    #[cfg(unix)]
    let stopped = hush_core::agent::lock(v.vault_id())?;
    #[cfg(not(unix))]
    let stopped = false;
    v.audit_event(
        Action::Lock,
        None,
        Outcome::Ok,
        Some(if stopped { "agent stopped" } else { "no agent was running" }),
    )?;
    errln!(
        "{}",
        if stopped { "locked: the agent dropped the key" } else { "locked (no agent was running)" }
    );
    Ok(())
}

pub fn agent(vault_id: &str, timeout: u64) -> Result<()> {
    #[cfg(unix)]
    return hush_core::agent::run_agent(
        vault_id,
        std::time::Duration::from_secs(timeout),
        &mut std::io::stdin(),
        &mut std::io::stdout(),
    );
    #[cfg(not(unix))]
    {
        let _ = (vault_id, timeout);
        Err(Error::InvalidInput("no agent on this platform".into()))
    }
}

fn recovery_passphrase(confirm: bool) -> Result<hush_core::Passphrase> {
    secret_from_env_or_prompt("HUSH_RECOVERY_PASSPHRASE", "Recovery passphrase: ", confirm)
}

pub fn recovery_set(ctx: &Ctx) -> Result<()> {
    let mut v = ctx.open_unlocked()?;
    v.set_recovery(&recovery_passphrase(true)?)?;
    errln!("recovery passphrase set; keep it somewhere safe and offline");
    Ok(())
}

pub fn recovery_restore(ctx: &Ctx) -> Result<()> {
    let mut v = ctx.open()?;
    v.unlock_recovery(&recovery_passphrase(false)?)?;
    match v.key_mode() {
        KeyMode::Keychain => v.rewrap(Protection::Keychain)?,
        KeyMode::Passphrase => {
            let p =
                secret_from_env_or_prompt("HUSH_NEW_PASSPHRASE", "New vault passphrase: ", true)?;
            v.rewrap(Protection::Passphrase(&p))?
        }
    }
    errln!("the vault opens on this machine again");
    Ok(())
}

pub fn recovery_rm(ctx: &Ctx) -> Result<()> {
    ctx.open_unlocked()?.remove_recovery()?;
    errln!("recovery passphrase removed");
    Ok(())
}

pub fn rewrap(ctx: &Ctx, to_passphrase: bool, to_keychain: bool) -> Result<()> {
    let mut v = ctx.open_unlocked()?;
    let to_pass = to_passphrase || (!to_keychain && v.key_mode() == KeyMode::Passphrase);
    if to_pass {
        let p = secret_from_env_or_prompt("HUSH_NEW_PASSPHRASE", "New vault passphrase: ", true)?;
        v.rewrap(Protection::Passphrase(&p))?;
    } else {
        v.rewrap(Protection::Keychain)?;
    }
    #[cfg(unix)]
    let _ = hush_core::agent::lock(v.vault_id()); // the agent's key no longer opens the vault
    errln!("re-wrapped the data key ({} mode)", if to_pass { "passphrase" } else { "keychain" });
    Ok(())
}

pub fn rekey(ctx: &Ctx) -> Result<()> {
    let mut v = ctx.open_unlocked()?;
    let recovery = if v.has_recovery()? { Some(recovery_passphrase(false)?) } else { None };
    let tty = std::io::stderr().is_terminal();
    let report = v.rekey(recovery.as_ref(), &mut |done, total| {
        if tty && (done == total || done % 100 == 0) {
            eprint!("\rre-encrypting {done}/{total}");
        }
    })?;
    if tty {
        eprintln!();
    }
    errln!(
        "new data key (generation {}); {} versions re-encrypted",
        report.key_generation,
        report.versions
    );
    Ok(())
}

/// Returns whether every check passed.
pub fn doctor(ctx: &Ctx, json: bool) -> Result<bool> {
    // A passphrase given non-interactively (file or HUSH_PASSPHRASE) enables the integrity check.
    let given =
        ctx.passphrase_file.is_some() || crate::ctx::env_passphrase_given("HUSH_PASSPHRASE");
    let pass = if given { Some(ctx.passphrase("")?) } else { None };
    let mut checks = hush_core::doctor(&ctx.vault_path, pass.as_ref());
    for c in &mut checks {
        if let Some(h) = c.code.and_then(crate::exit::hint_for) {
            c.detail = format!("{}; {h}", c.detail);
        }
    }
    if json {
        print_json(&checks);
    } else {
        for c in &checks {
            outln!("[{}] {:<12} {}", if c.ok { " ok " } else { "FAIL" }, c.name, c.detail);
        }
    }
    Ok(checks.iter().all(|c| c.ok))
}

pub fn accept_state(ctx: &Ctx) -> Result<()> {
    let n = ctx.open_unlocked()?.accept_state()?;
    match n {
        0 => errln!("the vault's state already matched the file; sealed again"),
        n => errln!(
            "the file as it is now is the vault's state ({n} part(s) differed); `hush doctor` checks the rest"
        ),
    }
    Ok(())
}

/// Returns false when `verify` finds the chain broken.
pub fn audit(ctx: &Ctx, verify: bool, filter: AuditFilter, json: bool) -> Result<bool> {
    // The keyed links and the anchor need the key: verifying unlocks when it can; without a
    // passphrase at hand only the chain's structure is checked, and the output says so.
    let v = match verify {
        true => match ctx.open_unlocked() {
            Err(Error::KeyUnavailable(_)) => ctx.open()?,
            other => other?,
        },
        false => ctx.open()?,
    };
    if verify {
        let r = v.audit_verify()?;
        if json {
            print_json(&r);
        } else if r.ok {
            let tail = match r.unanchored {
                0 => String::new(),
                n => format!(
                    "; {n} newest entr{} written while locked",
                    if n == 1 { "y" } else { "ies" }
                ),
            };
            let how = if r.keyed_checked {
                "hash chain verified, with every entry's MAC and the anchor"
            } else {
                "hash chain verified (locked: unlock to check the entries' MACs and the anchor)"
            };
            outln!("audit log intact: {} entries, {how}{tail}", r.entries);
        } else {
            outln!(
                "AUDIT LOG ALTERED at entry {}: {}",
                r.first_bad_seq.unwrap_or(0),
                r.problem.as_deref().unwrap_or("")
            );
        }
        return Ok(r.ok);
    }
    let rows = v.audit_log(&filter)?;
    if json {
        print_json(&rows);
    } else {
        for e in rows {
            outln!(
                "{:>6}  {}  {:<10} {:<8} {}  {}",
                e.seq,
                hush_core::timefmt::rfc3339(e.ts),
                e.action,
                e.outcome,
                e.path.as_deref().unwrap_or("-"),
                e.detail.as_deref().unwrap_or("")
            );
        }
    }
    Ok(true)
}

pub fn settings(
    ctx: &Ctx,
    versions_kept: Option<u32>,
    trash_days: Option<u32>,
    json: bool,
) -> Result<()> {
    let changing = versions_kept.is_some() || trash_days.is_some();
    let mut v = if changing { ctx.open_unlocked()? } else { ctx.open()? };
    let mut s = v.settings()?;
    if changing {
        s.versions_kept = versions_kept.unwrap_or(s.versions_kept);
        s.trash_days = trash_days.unwrap_or(s.trash_days);
        v.set_settings(&s)?;
    }
    if json {
        print_json(&s);
    } else {
        outln!(
            "versions kept: {}\ntrash days:    {}\nauto-lock:     {}s\nclipboard:     {}s",
            s.versions_kept,
            s.trash_days,
            s.auto_lock_secs,
            s.clipboard_secs
        );
    }
    Ok(())
}
