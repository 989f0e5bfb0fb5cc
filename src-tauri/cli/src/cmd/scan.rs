//! `hush scan`: stored values found in files, git history or staged changes
//! (`hush_core::project::scan`). Prints `file:line: secret-path`, never a value; exit 10 when
//! anything is found.

use hush_core::project::scan::{self, Finding, Needles, ScanReport};
use hush_core::{Error, Result};

use super::print_json;
use crate::cli::ScanArgs;
use crate::ctx::Ctx;
use crate::exit;

pub fn scan(ctx: &Ctx, a: ScanArgs) -> Result<i32> {
    if a.install_hook {
        let exe =
            std::env::current_exe().map_err(|e| Error::Io { path: "hush".into(), source: e })?;
        let hook = scan::install_hook(&a.dir, &exe)?;
        println!("installed {} (runs `hush scan --staged` before each commit)", hook.display());
        return Ok(exit::OK);
    }
    let needles = {
        let mut v = ctx.open_unlocked().map_err(|e| staged_hint(e, a.staged))?;
        Needles::load(&mut v, a.folder.as_deref())?
    };
    let started = std::time::Instant::now();
    let report = if a.staged {
        scan::scan_staged(&needles, &a.dir)?
    } else {
        let mut r = scan::scan_tree(&needles, &a.dir)?;
        if a.history {
            let h = scan::scan_history(&needles, &a.dir)?;
            r.findings.extend(h.findings);
            r.bytes += h.bytes;
        }
        r
    };
    drop(needles);
    if a.json {
        print_json(&report);
    } else {
        for f in &report.findings {
            println!("{}", line(f));
        }
        summary(&report, a.staged, a.history, started.elapsed());
    }
    Ok(if report.findings.is_empty() { exit::OK } else { exit::FOUND })
}

fn line(f: &Finding) -> String {
    let commit =
        f.commit.as_deref().map(|c| format!("{}:", &c[..c.len().min(12)])).unwrap_or_default();
    let version = if f.current { String::new() } else { format!(" (older version {})", f.version) };
    let also =
        if f.also.is_empty() { String::new() } else { format!(" (also {})", f.also.join(", ")) };
    format!("{commit}{}:{}: {}{version}{also}", f.file, f.line, f.secret)
}

fn summary(r: &ScanReport, staged: bool, history: bool, took: std::time::Duration) {
    // With --history the findings may all be in commits: "scanned 0 file(s)… 2 finding(s)" read
    // as if the count were wrong.
    let what = match (staged, history) {
        (true, _) => "staged changes".to_string(),
        (false, true) => format!("{} file(s) and the git history", r.files),
        (false, false) => format!("{} file(s)", r.files),
    };
    eprintln!(
        "scanned {what} ({:.1} MB) for {} stored value(s) in {:.2}s: {} finding(s)",
        r.bytes as f64 / 1e6,
        r.values,
        took.as_secs_f64(),
        r.findings.len()
    );
    if !r.unreadable.is_empty() {
        eprintln!("hush: could not read: {}", r.unreadable.join(", "));
    }
    if staged && !r.findings.is_empty() {
        eprintln!("hush: the commit would add stored secret values; remove them (`git commit --no-verify` skips this check)");
    }
}

fn staged_hint(e: Error, staged: bool) -> Error {
    if staged && matches!(e.code(), "locked" | "key_unavailable" | "keychain" | "agent") {
        // The inner text: "key unavailable: key unavailable: …" said it twice.
        let why = match e {
            Error::KeyUnavailable(m) => m,
            other => other.to_string(),
        };
        Error::KeyUnavailable(format!("{why}; the staged changes were not scanned (`hush unlock`, or `git commit --no-verify` to skip)"))
    } else {
        e
    }
}
