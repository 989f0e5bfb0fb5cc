//! Subcommands on secrets: set, get, ls, show, history, rollback, rm, restore, purge, trash.

use std::collections::BTreeMap;

use hush_core::{
    timefmt, Error, FolderPath, Kind, ListFilter, PurgeScope, Result, SecretPath, WriteOptions,
};
use serde_json::json;

use super::print_json;
use crate::cli::SetArgs;
use crate::ctx::{read_value, Ctx};

pub fn set(ctx: &Ctx, a: SetArgs) -> Result<()> {
    let path = SecretPath::parse(&a.path)?;
    let mut meta = BTreeMap::new();
    for kv in &a.meta {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Error::InvalidInput(format!("--meta wants KEY=VALUE, got '{kv}'")))?;
        meta.insert(k.to_string(), v.to_string());
    }
    let from_cert = a.expires.as_deref() == Some("cert");
    let never = a.expires.as_deref() == Some("never");
    let mut opts = WriteOptions {
        kind: a.kind.as_deref().map(Kind::parse).transpose()?,
        tags: (!a.tags.is_empty()).then_some(a.tags),
        description: a.description,
        expires_at: a
            .expires
            .as_deref()
            .filter(|_| !from_cert && !never)
            .map(timefmt::parse_date)
            .transpose()?,
        clear_expiry: never,
        strict: a.strict,
        rotate_every_days: a.rotate_every,
        meta,
        versions_kept: a.keep,
        cas: a.cas,
        ..Default::default()
    };
    let mut v = ctx.open_unlocked()?;
    let value = read_value(&format!("Value for {path}: "), a.raw)?;
    // An empty stdin is usually a mistake (a missing file, a failed command before the pipe).
    if value.is_empty() && !a.allow_empty {
        return Err(Error::InvalidInput(
            "the value is empty; pass --allow-empty to store an empty value".into(),
        ));
    }
    if from_cert {
        let kind = opts.kind.or_else(|| v.meta(&path).ok().map(|m| m.kind)).unwrap_or_default();
        let found = hush_core::lifecycle::validate(kind, &value).expires_at;
        opts.expires_at = Some(found.ok_or_else(|| {
            Error::InvalidInput(
                "--expires cert: the value holds no certificate with an expiry".into(),
            )
        })?);
    }
    let out = v.set(&path, &value, &opts)?;
    for w in &out.warnings {
        errln!("warning: {w} (stored anyway; --strict refuses such values)");
    }
    if let (Some(e), None, false) = (out.value_expires_at, opts.expires_at, from_cert) {
        errln!(
            "note: the certificate expires on {}; `--expires cert` stores that as the expiry",
            &timefmt::rfc3339(e)[..10]
        );
    }
    if opts.expires_at.is_some_and(|e| e <= timefmt::now()) {
        errln!(
            "note: that expiry has passed: {path} shows as expired (`--expires never` removes it)"
        );
    }
    if a.json {
        print_json(&out);
    } else {
        errln!(
            "{} {} (version {})",
            if out.created { "created" } else { "updated" },
            out.path,
            out.version
        );
    }
    Ok(())
}

pub fn get(ctx: &Ctx, path: &str, version: Option<u64>, json: bool) -> Result<()> {
    let path = SecretPath::parse(path)?;
    let mut v = ctx.open_unlocked()?;
    let (meta, value) = v.get(&path, version)?;
    if json {
        print_json(
            &json!({"path": meta.path, "version": version.unwrap_or(meta.version), "kind": meta.kind, "value": value.expose_str()}),
        );
    } else {
        let mut line = zeroize::Zeroizing::new(Vec::with_capacity(value.expose().len() + 1));
        line.extend_from_slice(value.expose());
        line.push(b'\n');
        crate::term::out_raw(&line);
    }
    Ok(())
}

pub fn ls(ctx: &Ctx, filter: ListFilter, json: bool) -> Result<()> {
    let rows = ctx.open()?.list(&filter)?;
    if json {
        return {
            let _: () = print_json(&rows);
            Ok(())
        };
    }
    let w = rows.iter().map(|m| m.path.len()).max().unwrap_or(4).max(4);
    outln!("{:<w$}  {:<17}  {:>3}  {:<20}  TAGS", "PATH", "KIND", "VER", "UPDATED");
    for m in rows {
        outln!(
            "{:<w$}  {:<17}  {:>3}  {:<20}  {}",
            m.path,
            m.kind.as_str(),
            m.version,
            timefmt::rfc3339(m.updated_at),
            m.tags.join(",")
        );
    }
    Ok(())
}

pub fn show(ctx: &Ctx, path: &str, json: bool) -> Result<()> {
    let m = ctx.open()?.meta(&SecretPath::parse(path)?)?;
    if json {
        return {
            let _: () = print_json(&m);
            Ok(())
        };
    }
    let t = |x: Option<i64>| x.map(timefmt::rfc3339).unwrap_or_else(|| "-".into());
    outln!(
        "path:         {}\nkind:         {}\nversion:      {}",
        m.path,
        m.kind.as_str(),
        m.version
    );
    outln!(
        "description:  {}\ntags:         {}",
        m.description.as_deref().unwrap_or("-"),
        m.tags.join(", ")
    );
    outln!(
        "created:      {}\nupdated:      {}\nlast read:    {}",
        timefmt::rfc3339(m.created_at),
        timefmt::rfc3339(m.updated_at),
        t(m.last_read_at)
    );
    outln!(
        "expires:      {}\nrotate every: {}\nlast rotated: {}",
        t(m.expires_at),
        m.rotate_every_days.map(|d| format!("{d} days")).unwrap_or("-".into()),
        t(m.last_rotated_at)
    );
    for (k, val) in &m.meta {
        outln!("meta {k}: {val}");
    }
    Ok(())
}

pub fn history(ctx: &Ctx, path: &str, json: bool) -> Result<()> {
    let rows = ctx.open()?.history(&SecretPath::parse(path)?)?;
    if json {
        return {
            let _: () = print_json(&rows);
            Ok(())
        };
    }
    for r in rows {
        outln!(
            "{:>4}  {}{}",
            r.version,
            timefmt::rfc3339(r.created_at),
            if r.current { "  (current)" } else { "" }
        );
    }
    Ok(())
}

pub fn rollback(ctx: &Ctx, path: &str, to: u64, cas: Option<u64>) -> Result<()> {
    let out = ctx.open_unlocked()?.rollback(&SecretPath::parse(path)?, to, cas)?;
    errln!("{}: version {to} restored as version {}", out.path, out.version);
    Ok(())
}

/// `folder/NAME` moves a secret; anything else (a path that is not a secret) moves a folder.
pub fn mv(ctx: &Ctx, from: &str, to: &str, json: bool) -> Result<()> {
    let mut v = ctx.open_unlocked()?;
    let secret = SecretPath::parse(from).ok().filter(|f| v.meta(f).is_ok());
    let report = match secret {
        Some(f) => {
            // `mv a/K b/` moves it into folder b under its own name. A destination that is not a
            // secret path is its error: the folder move it once fell to said "no secrets in the
            // folder 'a/K'" of a secret that exists.
            let to = match to.strip_suffix('/') {
                Some(dir) => {
                    // The name as written in a path (quoted when it needs to be).
                    let full = f.to_string();
                    format!("{dir}/{}", &full[f.folder().len() + 1..])
                }
                None => to.to_string(),
            };
            v.move_secret(&f, &SecretPath::parse(&to)?)?
        }
        None => v.move_folder(&FolderPath::parse(from)?, &FolderPath::parse(to)?)?,
    };
    if json {
        print_json(&report);
    } else {
        for (f, t) in &report.moved {
            outln!("{f} -> {t}");
        }
        errln!("moved {} secret(s), {} version(s) kept", report.moved.len(), report.versions);
    }
    Ok(())
}

pub fn rm(ctx: &Ctx, path: &str) -> Result<()> {
    ctx.open_unlocked()?.remove(&SecretPath::parse(path)?)?;
    let word = crate::term::shell_word(path);
    errln!("moved {path} to the trash (`hush restore {word}` brings it back)");
    Ok(())
}

pub fn restore(ctx: &Ctx, path: &str) -> Result<()> {
    let m = ctx.open_unlocked()?.restore(&SecretPath::parse(path)?)?;
    errln!("restored {} (version {})", m.path, m.version);
    Ok(())
}

pub fn purge(ctx: &Ctx, path: &str, trashed: bool, all: bool) -> Result<()> {
    let scope = match (trashed, all) {
        (true, _) => PurgeScope::Trashed,
        (_, true) => PurgeScope::All,
        _ => PurgeScope::Whichever,
    };
    let n = ctx.open_unlocked()?.purge(&SecretPath::parse(path)?, scope)?;
    errln!("destroyed {path} ({n} secret(s), every version)");
    Ok(())
}

pub fn trash(ctx: &Ctx, json: bool) -> Result<()> {
    let rows = ctx.open()?.trash()?;
    if json {
        return {
            let _: () = print_json(&rows);
            Ok(())
        };
    }
    for t in rows {
        outln!(
            "{}  deleted {}  purged after {}",
            t.meta.path,
            timefmt::rfc3339(t.meta.deleted_at.unwrap_or_default()),
            t.purge_at.map_or_else(
                || "never while the vault settings are altered (`hush doctor`)".to_string(),
                timefmt::rfc3339
            )
        );
    }
    Ok(())
}
