//! Projects: `hush project init|trust|untrust|status|ls`, `hush check`, and the folder selection
//! every project-aware command shares (`--from` wins, else the trusted project's environment).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use hush_core::project::check::{self, CheckReport, Spec};
use hush_core::project::init::{self, GitIgnore, InitOptions};
use hush_core::project::{self, Project, Selection, TrustState, TrustStore};
use hush_core::{Action, Error, FolderPath, OnExisting, Result, Vault};
use serde_json::json;

use super::print_json;
use crate::cli::{CheckArgs, ProjectInitArgs};
use crate::ctx::Ctx;
use crate::exit;

pub fn cwd() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| Error::Io { path: ".".into(), source: e })
}

/// `--from` folders, else the environment (`--env` or default) of the trusted project here.
pub fn select(from: &[String], env: Option<&str>) -> Result<Selection> {
    project::select(&cwd()?, from, env, &TrustStore::user()?)
}

/// The selection's folders that hold secrets; notes the empty ones of a project (a personal
/// override folder may not exist yet). With `--from`, every folder must exist, as before.
pub fn usable_folders(v: &Vault, sel: &Selection) -> Result<Vec<FolderPath>> {
    if sel.project.is_none() {
        return Ok(sel.folders.clone());
    }
    let (present, missing) = project::present_folders(v, &sel.folders)?;
    if !missing.is_empty() {
        let m: Vec<&str> = missing.iter().map(FolderPath::as_str).collect();
        eprintln!("hush: note: no secrets in {} (skipped)", m.join(", "));
    }
    if present.is_empty() {
        return Err(Error::EmptyEnvironment { folders: sel.folders_label() });
    }
    Ok(present)
}

trait Label {
    fn folders_label(&self) -> String;
}

impl Label for Selection {
    fn folders_label(&self) -> String {
        self.folders.iter().map(FolderPath::as_str).collect::<Vec<_>>().join(" + ")
    }
}

fn current() -> Result<Project> {
    let here = cwd()?;
    Project::discover(&here)?
        .ok_or_else(|| Error::NoProject { file: project::PROJECT_FILE, dir: here.clone() })
}

pub fn init(ctx: &Ctx, a: ProjectInitArgs) -> Result<()> {
    let dir = cwd()?;
    let folder = match &a.folder {
        Some(f) => FolderPath::parse(f)?,
        None => {
            let name =
                dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let clean: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' })
                .collect();
            FolderPath::parse(&format!("{}/{}", clean.trim_matches('.'), a.env_name))?
        }
    };
    let env_file = match a.from_file {
        Some(f) => Some(f),
        None => Some(dir.join(".env")).filter(|p| p.is_file()),
    };
    let on_existing = if a.overwrite {
        OnExisting::Overwrite
    } else if a.skip_existing {
        OnExisting::Skip
    } else {
        OnExisting::Refuse
    };
    let opts =
        InitOptions { dir, env_file: env_file.clone(), folder, env_name: a.env_name, on_existing };
    let mut v = ctx.open_unlocked()?;
    let r = init::init(&mut v, &TrustStore::user()?, &opts)?;
    let mut deleted = false;
    if let (Some(f), true) = (&env_file, r.verified) {
        let ask =
            !a.delete_plaintext && !a.keep_plaintext && !a.json && std::io::stdin().is_terminal();
        let yes = a.delete_plaintext
            || (ask
                && confirm(&format!(
            "The vault holds every value of {} (verified). Delete the plaintext file? [y/N] ",
            f.display()
        )));
        if yes {
            init::delete_plaintext(f)?;
            deleted = true;
        }
    }
    if a.json {
        print_json(&json!({ "report": r, "plaintext_deleted": deleted }));
        return Ok(());
    }
    println!("wrote {} (trusted): env {} = {}", r.project_file, r.env, r.folder);
    if let Some(i) = &r.imported {
        println!(
            "imported {} into {}: {} new, {} updated, {} unchanged",
            i.source, i.folder, i.created, i.updated, i.unchanged
        );
    }
    if !r.vars.is_empty() {
        println!("[vars]: {} required variable(s) (hush check)", r.vars.len());
    }
    match r.gitignore {
        GitIgnore::Added => println!("added .env to .gitignore"),
        GitIgnore::AlreadyIgnored => println!(".env was already git-ignored"),
    }
    match (&env_file, r.verified, deleted) {
        (Some(f), true, true) => println!("deleted the plaintext {}", f.display()),
        (Some(f), true, false) => println!(
            "kept the plaintext {} (it is verified in the vault; delete it, then `hush mount` serves .env)",
            f.display()
        ),
        (Some(f), false, _) => eprintln!(
            "hush: {} is NOT fully in the vault ({}); the plaintext was kept",
            f.display(),
            r.not_verified.join(", ")
        ),
        _ => {}
    }
    Ok(())
}

fn confirm(prompt: &str) -> bool {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).is_ok() && matches!(line.trim(), "y" | "Y" | "yes")
}

pub fn trust() -> Result<()> {
    let p = current()?;
    let was = p.trust_state(&TrustStore::user()?)?;
    p.trust(&TrustStore::user()?)?;
    let what = if was == TrustState::Changed { "trusted again (changed)" } else { "trusted" };
    println!("{what}: {}", p.file.display());
    for (name, e) in &p.config.env {
        println!("  env {name}: {}", e.from.join(" + "));
    }
    Ok(())
}

pub fn untrust() -> Result<()> {
    let p = current()?;
    if TrustStore::user()?.revoke(&p.file)? {
        println!("no longer trusted: {}", p.file.display());
    } else {
        println!("was not trusted: {}", p.file.display());
    }
    Ok(())
}

fn trust_word(t: TrustState) -> &'static str {
    match t {
        TrustState::Trusted => "trusted",
        TrustState::Untrusted => "NOT trusted",
        TrustState::Changed => "CHANGED since trusted",
    }
}

pub fn status(ctx: &Ctx, with_check: bool, env: Option<&str>, json: bool) -> Result<i32> {
    let p = current()?;
    let trust = p.trust_state(&TrustStore::user()?)?;
    let spec = Spec::for_project(&p.root, &p.config)?;
    let report = if with_check && trust == TrustState::Trusted {
        let e = p.environment(env)?;
        // The status check uses the local copies, as `hush check` does.
        let sel = Selection {
            folders: e.folders,
            project: Some(p.clone()),
            env: None,
            remote_first: Vec::new(),
        };
        spec.as_ref().map(|s| check_selection(ctx, &sel, s)).transpose()?
    } else {
        None
    };
    if json {
        let envs: serde_json::Map<String, serde_json::Value> =
            p.config.env.iter().map(|(k, e)| (k.clone(), json!(e.from))).collect();
        print_json(&json!({
            "file": p.file, "root": p.root, "trust": trust, "sha256": p.sha256,
            "default": p.config.env_named(None).map(|(n, _)| n.to_string()).ok(),
            "env": envs, "vars": spec.as_ref().map(|s| json!({"source": s.source, "count": s.rules.len()})),
            "check": report,
        }));
    } else {
        println!("project {} ({})", p.file.display(), trust_word(trust));
        let default = p.config.env_named(None).map(|(n, _)| n.to_string()).ok();
        for (name, e) in &p.config.env {
            let mark = if Some(name) == default.as_ref() { " (default)" } else { "" };
            println!("  env {name}{mark}: {}", e.from.join(" + "));
        }
        match &spec {
            Some(s) => println!("  variables: {} from {}", s.rules.len(), s.source),
            None => println!("  variables: none listed (no [vars], no .env.example)"),
        }
        if let Some(r) = &report {
            print_check(r);
        }
    }
    Ok(if report.as_ref().is_some_and(|r| !r.passed) { exit::CHECK_FAILED } else { exit::OK })
}

pub fn ls(json: bool) -> Result<()> {
    let recs = TrustStore::user()?.list()?;
    if json {
        let rows: Vec<_> = recs
            .iter()
            .map(|r| {
                let state = Project::load(r.path.as_ref())
                    .ok()
                    .map(|p| if p.sha256 == r.sha256 { "trusted" } else { "changed" })
                    .unwrap_or("missing");
                json!({ "path": r.path, "trusted_at": hush_core::timefmt::rfc3339(r.trusted_at), "state": state })
            })
            .collect();
        print_json(&rows);
    } else {
        for r in recs {
            println!("{}  (trusted {})", r.path, hush_core::timefmt::rfc3339(r.trusted_at));
        }
    }
    Ok(())
}

/// Values of the selection checked against `spec`; one `check` audit entry.
fn check_selection(ctx: &Ctx, sel: &Selection, spec: &Spec) -> Result<CheckReport> {
    let mut v = ctx.open_unlocked()?;
    let folders = usable_folders(&v, sel)?;
    let detail = format!("{} against {}", sel.folders_label(), spec.source);
    let values = project::layered_values(&mut v, &folders, Some((Action::Check, &detail)))?;
    Ok(check::check(spec, &values))
}

fn print_check(r: &CheckReport) {
    for n in &r.missing {
        println!("  missing  {n}");
    }
    for i in &r.invalid {
        println!("  invalid  {}: {}", i.name, i.reason);
    }
    for n in &r.ok {
        println!("  ok       {n}");
    }
    for n in &r.defaulted {
        println!("  default  {n} (optional, not set)");
    }
    for n in &r.extra {
        println!("  extra    {n} (not in {})", r.source);
    }
    if !r.skipped_lines.is_empty() {
        let l: Vec<String> = r.skipped_lines.iter().map(|n| n.to_string()).collect();
        eprintln!("hush: note: {} line(s) {} could not be read", r.source, l.join(", "));
    }
    if r.passed {
        println!(
            "passed: {} ok, {} optional unset, {} extra",
            r.ok.len(),
            r.defaulted.len(),
            r.extra.len()
        );
    } else {
        println!("FAILED: {} missing, {} invalid", r.missing.len(), r.invalid.len());
    }
}

pub fn check(ctx: &Ctx, a: CheckArgs) -> Result<i32> {
    let here = cwd()?;
    let sel = select(&a.from, a.env.as_deref())?;
    let spec = match (&a.spec, &sel.project) {
        (Some(f), _) => {
            let b = std::fs::read(f).map_err(|e| Error::Io { path: f.clone(), source: e })?;
            Spec::from_example(&b, &f.display().to_string())
        }
        (None, Some(p)) => Spec::for_project(&p.root, &p.config)?.ok_or_else(no_spec)?,
        (None, None) => match Project::discover(&here)? {
            Some(p) => Spec::for_project(&p.root, &p.config)?.ok_or_else(no_spec)?,
            None => return Err(no_spec()),
        },
    };
    let r = check_selection(ctx, &sel, &spec)?;
    if a.json {
        print_json(
            &json!({ "env": sel.env, "folders": sel.folders.iter().map(FolderPath::as_str).collect::<Vec<_>>(), "report": r }),
        );
    } else {
        let env = sel.env.as_deref().map(|e| format!("env {e} ")).unwrap_or_default();
        println!("check {env}({}) against {}", sel.folders_label(), r.source);
        print_check(&r);
    }
    Ok(if r.passed { exit::OK } else { exit::CHECK_FAILED })
}

fn no_spec() -> Error {
    Error::InvalidInput(format!(
        "no variables to check against: list them in {} [vars], add a {}, or pass --spec FILE",
        project::PROJECT_FILE,
        check::EXAMPLE_FILE
    ))
}

/// `hush run`'s gate: the project's required variables must be there (and valid) in what the
/// program will see: the secrets, plus the inherited environment unless it is not inherited.
pub fn run_gate(
    sel: &Selection,
    vars: &[(String, hush_core::SecretValue)],
    inherit: bool,
) -> Result<Option<CheckReport>> {
    let Some(p) = &sel.project else { return Ok(None) };
    let Some(spec) = Spec::for_project(&p.root, &p.config)? else { return Ok(None) };
    let inherited: std::collections::BTreeMap<String, Vec<u8>> = if inherit {
        spec.rules
            .iter()
            .filter_map(|r| {
                std::env::var_os(&r.name).map(|v| (r.name.clone(), v.into_encoded_bytes()))
            })
            .collect()
    } else {
        Default::default()
    };
    let get = |n: &str| -> Option<&[u8]> {
        vars.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.expose())
            .or_else(|| inherited.get(n).map(Vec::as_slice))
    };
    let r = check::check_with(&spec, get, vars.iter().map(|(k, _)| k.as_str()));
    Ok(Some(r))
}
