//! `.env` and file workflows: import, export, backup, restore-backup, inject. Each is a few lines
//! over one engine call; output is for people (stdout) or `--json`, notes go to stderr.

use std::io::IsTerminal;
use std::path::Path;

use hush_core::{
    Error, ExportFormat, FolderPath, ImportOptions, OnExisting, Protection, Result, SecretValue,
    Vault, MAX_TEMPLATE_BYTES,
};

use super::print_json;
use crate::cli::{ExportArgs, ImportArgs};
use crate::ctx::{secret_from_env_or_prompt, Ctx};

fn write_stdout(body: &SecretValue) -> Result<()> {
    crate::term::out_raw(body.expose());
    Ok(())
}

pub fn import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let opts = ImportOptions {
        folder: FolderPath::parse(&a.into)?.to_string(),
        on_existing: if a.overwrite {
            OnExisting::Overwrite
        } else if a.skip_existing {
            OnExisting::Skip
        } else {
            OnExisting::Refuse
        },
        expand: a.expand,
        prefix: a.prefix,
        strip_prefix: a.strip_prefix,
        skip_invalid: a.skip_invalid,
    };
    let mut v = ctx.open_unlocked()?;
    // Streamed: each line's status is printed as it is decided (and written), so memory stays
    // near the file's size; the commit is still one transaction, made only if nothing blocks.
    let mut out = super::import_out::Printer::new(a.json, a.dry_run);
    let outcome = v.import_stream(&a.file, &opts, a.dry_run, &mut out)?;
    out.finish(&outcome);
    outcome.blocker.map_or(Ok(()), Err)
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> Result<()> {
    let format = ExportFormat::parse(&a.format)?;
    let mut opened = None;
    let named: Vec<String> = a.folders.iter().chain(&a.from).cloned().collect();
    let from = super::remote_first::remote_first(ctx, &named, &mut opened)?;
    let sel = super::project::select(&from, a.env.as_deref())?;
    super::remote_first::remote_first(ctx, &sel.remote_first, &mut opened)?;
    if a.output.is_none() && std::io::stdout().is_terminal() {
        errln!("warning: writing plaintext secrets to the terminal; use -o FILE to write a private file");
    }
    let mut v = match opened {
        Some(v) => v,
        None => ctx.open_unlocked()?,
    };
    let folders = super::project::usable_folders(&v, &sel)?;
    let out = v.export(&folders, format, a.output.as_deref())?;
    if let Some(body) = &out.body {
        write_stdout(body)?;
    }
    let r = &out.report;
    for n in &r.not_portable {
        errln!("note: {} does not read back exactly with {}", n.name, n.readers.join(" or "));
    }
    if !r.left_out.is_empty() {
        errln!("note: left out (not shell variable names): {}", r.left_out.join(", "));
    }
    if let Some(f) = &r.output {
        errln!("exported {} secret(s) to {f}{}", r.count, mode_note(f));
    }
    Ok(())
}

fn backup_passphrase(confirm: bool) -> Result<hush_core::Passphrase> {
    secret_from_env_or_prompt("HUSH_BACKUP_PASSPHRASE", "Backup passphrase: ", confirm)
}

pub fn backup(ctx: &Ctx, output: &Path, json: bool) -> Result<()> {
    let mut v = ctx.open_unlocked()?;
    let r = v.backup(output, &backup_passphrase(true)?)?;
    if json {
        print_json(&r);
    } else {
        errln!(
            "backup written to {}: {} secret(s) ({} in the trash), {} version(s), {} audit entries",
            r.file,
            r.secrets,
            r.trashed,
            r.versions,
            r.audit_entries
        );
        errln!("restore it with `hush restore-backup {} --vault NEW.db`; without the passphrase it cannot be opened", r.file);
    }
    Ok(())
}

pub fn restore_backup(ctx: &Ctx, file: &Path, passphrase: bool, json: bool) -> Result<()> {
    let backup_pass = backup_passphrase(false)?;
    let new_pass;
    let protection = if passphrase {
        new_pass = match &ctx.passphrase_file {
            Some(_) => ctx.passphrase("")?,
            None => secret_from_env_or_prompt("HUSH_PASSPHRASE", "New vault passphrase: ", true)?,
        };
        Protection::Passphrase(&new_pass)
    } else {
        Protection::Keychain
    };
    let (v, r) = Vault::restore_backup(file, &backup_pass, &ctx.vault_path, protection)?;
    if json {
        print_json(&r);
    } else {
        errln!(
            "restored {} secret(s), {} version(s) into the new vault {}",
            r.secrets,
            r.versions,
            v.path().display()
        );
    }
    Ok(())
}

/// " (mode 0600)" for a file Hush wrote, nothing for a pipe, a device or a descriptor it wrote into.
fn mode_note(f: &str) -> &'static str {
    let regular = std::fs::symlink_metadata(f).is_ok_and(|m| m.file_type().is_file());
    if regular {
        " (mode 0600)"
    } else {
        ""
    }
}

/// `inject -i t.tpl -o t.tpl` once replaced the template with its values: the references lost,
/// and the secrets in plaintext where git may track them.
fn refuse_output_over_template(input: &Path, output: Option<&Path>) -> Result<()> {
    // Regular files only: `-i /dev/stdin -o /dev/stdout` on one terminal is the same device.
    let file = std::fs::metadata(input).is_ok_and(|m| m.is_file());
    let same = |o: &Path| match (std::fs::canonicalize(input), std::fs::canonicalize(o)) {
        (Ok(a), Ok(b)) => file && a == b,
        _ => false,
    };
    match output {
        Some(o) if same(o) => Err(Error::InvalidInput(format!(
            "-o {} is the template itself: writing would replace its references with the values; choose another file",
            o.display()
        ))),
        _ => Ok(()),
    }
}

pub fn inject(
    ctx: &Ctx,
    input: &Path,
    output: Option<&Path>,
    only: &[String],
    env: Option<&str>,
) -> Result<()> {
    refuse_output_over_template(input, output)?;
    let mut opened = None;
    let only = super::remote_first::remote_first(ctx, only, &mut opened)?;
    let only = only.iter().map(|f| FolderPath::parse(f)).collect::<Result<Vec<_>>>()?;
    let mut template = read_template(input)?;
    // Inside a trusted project, `hush://NAME` names a variable of its environment.
    let sel = if env.is_some() || hush_core::project::has_bare_refs(&template) {
        let sel = super::project::select(&[], env)?;
        super::remote_first::remote_first(ctx, &sel.remote_first, &mut opened)?;
        Some(sel)
    } else {
        None
    };
    let mut v = match opened {
        Some(v) => v,
        None => ctx.open_unlocked()?,
    };
    if let Some(sel) = sel {
        template = hush_core::project::resolve_bare_refs(&v, &template, &sel.folders)?;
    }
    let name = input.display().to_string();
    let (report, body) = v.inject_only(&name, &template, output, &only)?;
    if let Some(body) = &body {
        write_stdout(body)?;
    }
    // What the template pulled, said every time: a template from elsewhere can name any secret.
    errln!("{name} resolved {} secret(s): {}", report.paths.len(), report.paths.join(", "));
    if let Some(f) = &report.output {
        errln!(
            "wrote {f}{}: {} reference(s) to {} secret(s)",
            mode_note(f),
            report.references,
            report.secrets
        );
    }
    Ok(())
}

fn read_template(input: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(input).map_err(|e| Error::Io { path: input.into(), source: e })?;
    let mut buf = Vec::new();
    f.take(MAX_TEMPLATE_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io { path: input.into(), source: e })?;
    Ok(buf)
}
