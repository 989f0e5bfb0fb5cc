//! Remote-first reads for `run`, `export` and `inject` (`--from REMOTE:FOLDER`): the engine's
//! `remote_first` per remote, and what it did on stderr (which copy, conflicts, keys ahead).

use hush_core::remote::{AheadKey, FirstSource};
use hush_core::{Result, Vault};

use crate::ctx::Ctx;

/// `REMOTE:FOLDER` entries of `--from` (and `export`'s folders, `inject --only`): each remote's
/// folders are read from it first, within `HUSH_REMOTE_TIMEOUT` (3 s), refreshing the local copy
/// as a pull would, or taken from the local copy when it does not answer; one line on stderr says
/// which. Returns the list with local folder names only; `vault` is the vault it opened, if any.
pub fn remote_first(ctx: &Ctx, from: &[String], vault: &mut Option<Vault>) -> Result<Vec<String>> {
    let mut by_remote: Vec<(&str, Vec<String>)> = Vec::new();
    let mut out = Vec::with_capacity(from.len());
    for f in from {
        let Some((remote, folder)) = f.split_once(':') else {
            out.push(f.clone());
            continue;
        };
        match by_remote.iter_mut().find(|(r, _)| *r == remote) {
            Some((_, fs)) => fs.push(folder.to_string()),
            None => by_remote.push((remote, vec![folder.to_string()])),
        }
        out.push(folder.to_string());
    }
    if by_remote.is_empty() {
        return Ok(out);
    }
    let bound = hush_core::remote::remote_first_bound()?;
    let v = match vault {
        Some(v) => v,
        None => vault.insert(ctx.open_unlocked()?),
    };
    for (remote, folders) in by_remote {
        let r = v.remote_first(remote, &folders, bound)?;
        for n in r.notes.iter().filter(|n| n.starts_with("warning: ")) {
            errln!("{n}");
        }
        match r.source {
            FirstSource::Remote => {
                let read: Vec<&str> = folders
                    .iter()
                    .filter(|f| !r.absent.contains(f) && !r.unread.contains(f))
                    .map(String::as_str)
                    .collect();
                let updated = match r.updated {
                    0 => "no key refreshed in the local copy".to_string(),
                    n => format!("{n} key(s) refreshed in the local copy"),
                };
                if !read.is_empty() {
                    errln!("hush: {} read from remote {remote} ({updated})", read.join(", "));
                }
                if !r.absent.is_empty() {
                    errln!(
                        "hush: {} not on remote {remote}: the local copy is used (`hush push {remote}` sends it)",
                        r.absent.join(", ")
                    );
                }
            }
            FirstSource::LocalFallback => {
                let synced: Vec<String> = r
                    .last_synced
                    .iter()
                    .map(|(f, at)| match at {
                        Some(t) => format!("{f} last synced {}", hush_core::timefmt::rfc3339(*t)),
                        None => format!("{f} never synced with {remote}"),
                    })
                    .collect();
                errln!(
                    "hush: {}: using the local copy ({})",
                    r.reason.as_deref().unwrap_or("the remote did not answer"),
                    synced.join("; ")
                );
            }
        }
        for n in r.notes.iter().filter(|n| !n.starts_with("warning: ")) {
            errln!("hush: note: {n}");
        }
        for c in &r.conflicts {
            let p = &c.path;
            let w = crate::term::shell_word(p);
            if c.held {
                errln!("hush: {p} ({}): the local value is used; keep it with `hush push {remote} --keep-local {w}`, or take the remote's side with `hush pull {remote} --keep-remote {w}`", c.reason);
            } else {
                errln!("hush: {p} ({}): it stays removed here; remove it remotely too with `hush push {remote} --keep-local {w}`, or bring it back with `hush pull {remote} --keep-remote {w}`", c.reason);
            }
        }
        print_ahead(&r.ahead, remote);
        for k in &r.left_out {
            errln!("hush: {} is left out ({})", k.path, k.reason);
        }
    }
    Ok(out)
}

/// The keys a remote-first read took from the local copy because they are ahead of the remote:
/// the program gets values the remote does not hold, which "read from remote" alone would hide.
fn print_ahead(ahead: &[AheadKey], remote: &str) {
    let (newer, only): (Vec<&AheadKey>, Vec<&AheadKey>) = ahead.iter().partition(|a| a.on_remote);
    let list = |keys: &[&AheadKey]| {
        let mut names: Vec<&str> = keys.iter().take(8).map(|a| a.path.as_str()).collect();
        let more = keys.len().saturating_sub(names.len());
        let more = (more > 0).then(|| format!("and {more} more"));
        names.extend(more.as_deref());
        names.join(", ")
    };
    if !newer.is_empty() {
        errln!("hush: changed here since the last sync, not pushed yet (the local value is used; `hush push {remote}` sends it): {}", list(&newer));
    }
    if !only.is_empty() {
        errln!("hush: only here, not on {remote} (the local value is used): {}", list(&only));
    }
}
