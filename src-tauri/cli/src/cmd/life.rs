//! Lifecycle subcommands: generate, rotate, policy, status, report, test. Each a few lines over
//! one engine call; the advice (what to run next) is ours.

use hush_core::lifecycle::{
    Charset, GenSpec, PolicyUpdate, ReportFormat, RotateHow, RotateReport, StatusItem,
    StatusOptions, Strategy,
};
use hush_core::{timefmt, Error, ErrorKind, Kind, Result, SecretPath, WriteOptions};
use serde_json::json;

use super::print_json;
use crate::cli_life::{GenerateArgs, PolicyArgs, ReportArgs, RotateArgs, StatusArgs, TestArgs};
use crate::ctx::Ctx;
use crate::exit;

fn spec(a: &GenerateArgs) -> Result<GenSpec> {
    let spec = match a.words {
        Some(count) => GenSpec::Words { count },
        None => GenSpec::Chars {
            charset: a
                .charset
                .as_deref()
                .map(Charset::parse)
                .transpose()?
                .unwrap_or(Charset::Alnum),
            length: a.length.unwrap_or(32),
        },
    };
    spec.check()?;
    Ok(spec)
}

fn print_value(v: &hush_core::SecretValue) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(v.expose())
        .and_then(|_| out.write_all(b"\n"))
        .map_err(|e| Error::Io { path: "<stdout>".into(), source: e })
}

/// A note for a value short enough to guess by trying (under 64 bits).
fn weak(bits: f64) -> &'static str {
    if bits < 64.0 {
        "; under 64 bits: guessable as a key or password"
    } else {
        ""
    }
}

pub fn generate(ctx: &Ctx, a: GenerateArgs) -> Result<()> {
    let spec = spec(&a)?;
    let Some(path) = &a.path else {
        let g = hush_core::lifecycle::generate(spec)?;
        if a.json {
            print_json(
                &json!({"value": g.value.expose_str(), "entropy_bits": g.entropy_bits, "spec": spec}),
            );
        } else {
            print_value(&g.value)?;
            errln!(
                "entropy: {:.1} bits ({}){}",
                g.entropy_bits,
                spec.describe(),
                weak(g.entropy_bits)
            );
        }
        return Ok(());
    };
    let path = SecretPath::parse(path)?;
    let opts = WriteOptions {
        kind: a.kind.as_deref().map(Kind::parse).transpose()?,
        ..Default::default()
    };
    let (out, g) = ctx.open_unlocked()?.generate_into(&path, spec, &opts)?;
    if a.json {
        let mut j = json!({"path": out.path, "version": out.version, "entropy_bits": g.entropy_bits, "spec": spec});
        if a.print {
            j["value"] = g.value.expose_str().into();
        }
        print_json(&j);
        return Ok(());
    }
    if a.print {
        print_value(&g.value)?;
    }
    errln!(
        "stored {} (version {}): {}, {:.1} bits{}",
        out.path,
        out.version,
        spec.describe(),
        g.entropy_bits,
        weak(g.entropy_bits)
    );
    Ok(())
}

/// Says what happened after the rotation, and exactly what to do if the post-rotation command
/// failed. Returns whether that command (if any) succeeded.
fn report_rotation(r: &RotateReport, then_cmd: Option<&str>) -> bool {
    errln!("rotated {}: version {} (was {}), from {}", r.path, r.version, r.previous, r.source);
    match &r.then {
        Some(t) if !t.ok => {
            errln!(
                "hush: the post-rotation command failed ({}); the new value is stored as version {} and stays (the provider already has it)",
                t.outcome.describe(),
                r.version
            );
            let cmd = then_cmd.map_or_else(
                || "<the post-rotation command>".to_string(),
                |c| format!("'{}'", c.replace('\'', r"'\''")),
            );
            errln!(
                "hint: fix it, then run it again with the new value: hush get {} | sh -c {cmd}",
                r.path
            );
            false
        }
        _ => true,
    }
}

pub fn rotate(ctx: &Ctx, a: RotateArgs) -> Result<i32> {
    let mut v = ctx.open_unlocked()?;
    if a.due {
        let s = v.rotate_due(timefmt::now())?;
        if a.json {
            print_json(&s);
        } else {
            for r in &s.rotated {
                report_rotation(r, None);
            }
            for f in &s.failed {
                errln!("hush: {}: {}", f.path, f.reason);
            }
            errln!("{} due: {} rotated, {} failed", s.due, s.rotated.len(), s.failed.len());
        }
        let then_failed = s.rotated.iter().any(|r| r.then.is_some_and(|t| !t.ok));
        return Ok(if s.failed.iter().any(|f| f.kind == ErrorKind::Integrity) {
            exit::INTEGRITY
        } else if !s.failed.is_empty() || then_failed {
            exit::FAILURE
        } else {
            exit::OK
        });
    }
    let path = a.path.as_deref().ok_or_else(|| {
        Error::InvalidInput("give a secret's path, or --due for every due automatic secret".into())
    })?;
    let path = SecretPath::parse(path)?;
    let how = match (&a.generate, &a.with) {
        (Some(s), _) => RotateHow::Generate(GenSpec::parse(s)?),
        (_, Some(c)) => RotateHow::With(c.clone()),
        _ => RotateHow::Policy,
    };
    let r = v.rotate(&path, &how, a.then.as_deref())?;
    if a.json {
        print_json(&r);
    }
    let then_cmd = a.then.clone().or_else(|| v.meta(&path).ok()?.policy?.then);
    Ok(if report_rotation(&r, then_cmd.as_deref()) { exit::OK } else { exit::FAILURE })
}

pub fn policy(ctx: &Ctx, a: PolicyArgs) -> Result<()> {
    let path = SecretPath::parse(&a.path)?;
    let changes = a.strategy.is_some()
        || a.every.is_some()
        || a.handler.is_some()
        || a.then.is_some()
        || a.check.is_some()
        || a.timeout.is_some()
        || a.clear;
    let m = if changes {
        let strategy = match a.strategy.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(s) => Some(Some(Strategy::parse(s)?)),
        };
        let u = PolicyUpdate {
            strategy,
            every_days: a.every,
            handler: a.handler,
            then: a.then,
            timeout_secs: a.timeout,
            check: a.check,
            clear: a.clear,
        };
        ctx.open_unlocked()?.set_policy(&path, &u)?
    } else {
        ctx.open_unlocked()?.meta(&path)?
    };
    if a.json {
        print_json(
            &json!({"path": m.path, "rotate_every_days": m.rotate_every_days, "policy": m.policy}),
        );
        return Ok(());
    }
    let p = m.policy.unwrap_or_default();
    let opt = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    outln!("path:      {}", m.path);
    outln!("strategy:  {}", p.strategy.map_or("-", Strategy::as_str));
    outln!("every:     {}", m.rotate_every_days.map_or("-".into(), |d| format!("{d} days")));
    outln!(
        "handler:   {}\nthen:      {}\ncheck:     {}",
        opt(&p.handler),
        opt(&p.then),
        opt(&p.check)
    );
    outln!("timeout:   {}", p.timeout_secs.map_or("120 s (default)".into(), |t| format!("{t} s")));
    Ok(())
}

pub fn status(ctx: &Ctx, a: StatusArgs) -> Result<i32> {
    let mut o = StatusOptions::at(timefmt::now());
    o.unused_days = i64::from(a.unused_days);
    // Unlocked when that needs no prompt, so that each record's MAC is checked; else from
    // metadata alone, as the docs promise (the output says which).
    let v = match ctx.open_quietly() {
        Ok(v) => v,
        Err(e) if e.kind() == hush_core::ErrorKind::Locked => ctx.open()?,
        Err(e) => return Err(e),
    };
    let s = v.status(&o)?;
    let lists: [(&str, &str, &Vec<StatusItem>); 7] = [
        (
            "altered",
            "Altered outside Hush (record MAC fails; its dates are not to be trusted)",
            &s.altered,
        ),
        ("expired", "Expired", &s.expired),
        ("expiring", "Expiring within 30 days", &s.expiring),
        ("due", "Rotation due", &s.rotation_due),
        ("never-rotated", "Never rotated", &s.never_rotated),
        ("no-expiry", "No expiry", &s.no_expiry),
        ("unused", "Unused", &s.unused),
    ];
    for f in &a.fail_on {
        if !lists.iter().any(|(k, _, _)| k == f) {
            return Err(Error::InvalidInput(format!(
                "--fail-on takes altered, expired, expiring, due, never-rotated, no-expiry, unused (not '{f}')"
            )));
        }
    }
    if a.json {
        print_json(&s);
    } else {
        outln!("{} secrets", s.secrets);
        if !s.records_checked {
            outln!("(locked: from metadata alone; unlock to check each record's MAC)");
        }
        for (_, title, items) in &lists {
            if items.is_empty() {
                continue;
            }
            outln!("\n{title} ({}):", items.len());
            for i in items.iter() {
                let when = match (i.at, i.days) {
                    (Some(t), Some(d)) => {
                        let rel = relative_days(d);
                        format!("{} ({rel})", &timefmt::rfc3339(t)[..10])
                    }
                    _ => "-".into(),
                };
                outln!("  {:<40}  {:<17}  {when}", i.path, i.kind.as_str());
            }
        }
    }
    let failing: Vec<&str> = lists
        .iter()
        .filter(|(k, _, items)| a.fail_on.iter().any(|f| f == k) && !items.is_empty())
        .map(|(k, _, _)| *k)
        .collect();
    // An altered record is never just a list entry: the dates above may be forged.
    if !s.altered.is_empty() {
        errln!(
            "hush: status: {} record(s) were changed outside Hush\nhint: {}",
            s.altered.len(),
            exit::hint_for("integrity").unwrap_or_default()
        );
        return Ok(exit::INTEGRITY);
    }
    if failing.is_empty() {
        return Ok(exit::OK);
    }
    errln!("hush: status: {} not empty", failing.join(", "));
    Ok(exit::CHECK_FAILED)
}

/// "today", "in 1 day", "3 days ago".
fn relative_days(d: i64) -> String {
    let n = d.unsigned_abs();
    let days = if n == 1 { "1 day".to_string() } else { format!("{n} days") };
    match d {
        0 => "today".into(),
        d if d < 0 => format!("{days} ago"),
        _ => format!("in {days}"),
    }
}

pub fn report(ctx: &Ctx, a: ReportArgs) -> Result<()> {
    let now = timefmt::now();
    let since = match &a.since {
        Some(d) => timefmt::parse_date(d)?,
        None => now - 90 * 86_400,
    };
    let text = ctx.open_unlocked()?.report(since, now)?.render(ReportFormat::parse(&a.format)?);
    match &a.output {
        Some(f) => {
            hush_core::write_output(f, text.as_bytes())?;
            errln!("wrote the {} report to {}", a.format, f.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

pub fn test(ctx: &Ctx, a: TestArgs) -> Result<i32> {
    let path = SecretPath::parse(&a.path)?;
    let outcome = ctx.open_unlocked()?.test_secret(&path, a.with.as_deref())?;
    if a.json {
        print_json(&json!({"path": path.to_string(), "passed": outcome.ok(), "outcome": outcome}));
    } else if outcome.ok() {
        errln!("{path}: the check passed");
    } else {
        errln!("hush: {path}: the check failed ({})", outcome.describe());
    }
    Ok(if outcome.ok() { exit::OK } else { exit::CHECK_FAILED })
}
