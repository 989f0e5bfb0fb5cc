//! Everything that takes values out of the vault in bulk: export (`.env`, JSON, shell), the
//! environment of `hush run`, and rendering `hush://` templates. Folders layer: given several,
//! a later folder's value wins (`myapp/dev` then a personal `me/myapp-dev` override). Each call
//! is one audit entry; none holds a value.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::import::get_layout;
use super::secrets::{check_row, live_row, open_current};
use super::Vault;
use crate::audit::{self, Action, Outcome};
use crate::envfile;
use crate::error::{Error, Result};
use crate::fsutil::write_output;
use crate::path::{is_env_name, FolderPath, SecretPath};
use crate::secret::SecretValue;
use crate::store::SecretFilter;
use crate::template;

/// Largest template read by `inject`: 16 MiB.
pub const MAX_TEMPLATE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    #[default]
    Env,
    Json,
    /// `export NAME='value'` lines for `eval` / `source` in a POSIX shell.
    Shell,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Result<ExportFormat> {
        match s {
            "env" => Ok(ExportFormat::Env),
            "json" => Ok(ExportFormat::Json),
            "shell" => Ok(ExportFormat::Shell),
            _ => Err(Error::InvalidInput(format!("unknown format '{s}'; use env, json or shell"))),
        }
    }
}

/// A name that some reader would read differently (python-dotenv always reads it right).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotPortable {
    pub name: String,
    pub readers: Vec<String>,
}

/// What an export wrote (never a value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub folders: Vec<String>,
    pub format: ExportFormat,
    pub count: usize,
    /// The file written, or `None` when the text was returned (stdout).
    pub output: Option<String>,
    pub not_portable: Vec<NotPortable>,
    /// Names the format cannot carry (shell: not a shell identifier), left out.
    pub left_out: Vec<String>,
}

/// An export: the report, and the text itself when it was not written to a file.
#[derive(Debug)]
pub struct Export {
    pub report: ExportReport,
    pub body: Option<SecretValue>,
}

/// The environment for `hush run`: name and value, in name order.
#[derive(Debug)]
pub struct RunEnv {
    pub vars: Vec<(String, SecretValue)>,
    /// Names that cannot be environment variables (they contain `=`), left out.
    pub left_out: Vec<String>,
}

/// What `inject` rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectReport {
    pub template: String,
    pub output: Option<String>,
    pub references: usize,
    pub secrets: usize,
    /// The secret paths it resolved, in order of first use.
    pub paths: Vec<String>,
}

fn shell_quote(v: &str, out: &mut String) {
    out.push('\'');
    for c in v.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

fn audit_path(folders: &[FolderPath]) -> Option<&str> {
    (folders.len() == 1).then(|| folders[0].as_str())
}

fn folder_list(folders: &[FolderPath]) -> String {
    folders.iter().map(FolderPath::as_str).collect::<Vec<_>>().join(" + ")
}

/// What a bulk read took out of one snapshot.
struct Layered {
    values: BTreeMap<String, SecretValue>,
    ids: Vec<i64>,
    /// The layout of the first folder that has one (for a `.env` export).
    layout: Option<envfile::Layout>,
}

impl Vault {
    /// The secrets directly in `folders` (not sub-folders), later folders winning, read from one
    /// snapshot. Every record of each folder, trashed ones included, is checked first.
    fn layered(&self, folders: &[FolderPath]) -> Result<Layered> {
        if folders.is_empty() {
            return Err(Error::InvalidInput("name at least one folder".into()));
        }
        let keys = self.keys()?;
        let tx = self.store.read()?;
        let mut out = Layered { values: BTreeMap::new(), ids: Vec::new(), layout: None };
        for f in folders {
            let filter =
                SecretFilter { folder: Some(f.as_str()), direct: true, ..Default::default() };
            let rows = tx.secrets(&filter)?;
            for r in &rows {
                check_row(&tx, keys, r)?;
            }
            let live: Vec<_> = rows.into_iter().filter(|r| r.deleted_at.is_none()).collect();
            if live.is_empty() {
                return Err(Error::EmptyFolder { folder: f.to_string() });
            }
            for r in live {
                out.values.insert(r.name.clone(), open_current(&tx, keys, &r)?);
                out.ids.push(r.id);
            }
            if out.layout.is_none() {
                out.layout = get_layout(&tx, keys, f.as_str())?;
            }
        }
        Ok(out)
    }

    /// Stamps the secrets read and records one audit entry, in one write transaction.
    fn record_read(
        &mut self,
        ids: &[i64],
        action: Action,
        path: Option<&str>,
        outcome: Outcome,
        detail: &str,
    ) -> Result<()> {
        let (keys, store) = self.parts()?;
        let tx = store.write_read_record()?;
        tx.mark_read(ids, crate::timefmt::now())?;
        audit::append(&tx, Some(keys), action, path, outcome, Some(detail))?;
        tx.commit()
    }

    /// Exports `folders` (layered) as `format`; writes `output` atomically with mode 0600, or
    /// returns the text. A `.env` export keeps the layout of the first folder's imported file.
    pub fn export(
        &mut self,
        folders: &[FolderPath],
        format: ExportFormat,
        output: Option<&Path>,
    ) -> Result<Export> {
        let Layered { values, ids, layout } = self.layered(folders)?;
        let mut report = ExportReport {
            folders: folders.iter().map(|f| f.to_string()).collect(),
            format,
            count: values.len(),
            output: output.map(|p| p.display().to_string()),
            not_portable: Vec::new(),
            left_out: Vec::new(),
        };
        let body = match format {
            ExportFormat::Env => {
                let items: Vec<(&str, &SecretValue)> =
                    values.iter().map(|(k, v)| (k.as_str(), v)).collect();
                let r = envfile::render(&items, layout.as_ref()).map_err(|names| {
                    Error::InvalidInput(format!(
                        "no .env reader can read these names back: {}; use --format json",
                        names.join(", ")
                    ))
                })?;
                report.not_portable = r
                    .not_portable
                    .into_iter()
                    .map(|(name, rs)| NotPortable {
                        name,
                        readers: rs.into_iter().map(String::from).collect(),
                    })
                    .collect();
                r.body
            }
            ExportFormat::Json => {
                let mut s = Zeroizing::new(String::from("{"));
                for (i, (k, v)) in values.iter().enumerate() {
                    s.push_str(if i == 0 { "\n  " } else { ",\n  " });
                    s.push_str(&serde_json::to_string(k).expect("string"));
                    s.push_str(": ");
                    s.push_str(&Zeroizing::new(
                        serde_json::to_string(v.expose_str()).expect("string"),
                    ));
                }
                s.push_str(if values.is_empty() { "}\n" } else { "\n}\n" });
                SecretValue::from_string(std::mem::take(&mut *s))
            }
            ExportFormat::Shell => {
                let mut s = Zeroizing::new(String::new());
                for (k, v) in &values {
                    if !is_env_name(k) {
                        report.left_out.push(k.clone());
                        continue;
                    }
                    s.push_str("export ");
                    s.push_str(k);
                    s.push('=');
                    shell_quote(v.expose_str(), &mut s);
                    s.push('\n');
                }
                SecretValue::from_string(std::mem::take(&mut *s))
            }
        };
        if let Some(p) = output {
            write_output(p, body.expose())?;
        }
        let dest = output.map_or("stdout".to_string(), |p| p.display().to_string());
        let detail = format!(
            "{} secret(s) from {} as {:?} to {dest}",
            report.count,
            folder_list(folders),
            format
        )
        .to_lowercase();
        self.record_read(&ids, Action::Export, audit_path(folders), Outcome::Ok, &detail)?;
        Ok(Export { report, body: if output.is_some() { None } else { Some(body) } })
    }

    /// The environment for running `program` with `folders` layered; one `run` audit entry.
    pub fn run_env(&mut self, folders: &[FolderPath], program: &str) -> Result<RunEnv> {
        let Layered { values, ids, .. } = self.layered(folders)?;
        let mut env = RunEnv { vars: Vec::new(), left_out: Vec::new() };
        for (k, v) in values {
            // Written before values were checked for it (or into the file by hand): say which
            // secret, where std would refuse the whole program with "nul byte found".
            if v.has_nul() {
                return Err(Error::InvalidInput(format!(
                    "{k} (in {}): {}; give it a new value with `hush set`",
                    folder_list(folders),
                    super::secrets::NUL_VALUE
                )));
            }
            if k.contains('=') {
                env.left_out.push(k);
            } else {
                env.vars.push((k, v));
            }
        }
        // Only the program's file name: its arguments may carry anything.
        let prog = Path::new(program)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let detail =
            format!("{prog} with {} secret(s) from {}", env.vars.len(), folder_list(folders));
        self.record_read(&ids, Action::Run, audit_path(folders), Outcome::Ok, &detail)?;
        Ok(env)
    }

    /// Renders a template's `hush://folder/NAME` references. Unknown references are one error
    /// listing them all, and nothing is written. With `output`, writes it atomically, mode 0600.
    pub fn inject(
        &mut self,
        template_name: &str,
        template: &[u8],
        output: Option<&Path>,
    ) -> Result<(InjectReport, Option<SecretValue>)> {
        self.inject_only(template_name, template, output, &[])
    }

    /// [`Vault::inject`], refusing (before reading any value) references outside `only` (folders,
    /// each with its subfolders; empty = anywhere).
    pub fn inject_only(
        &mut self,
        template_name: &str,
        template: &[u8],
        output: Option<&Path>,
        only: &[FolderPath],
    ) -> Result<(InjectReport, Option<SecretValue>)> {
        if template.len() > MAX_TEMPLATE_BYTES {
            return Err(Error::InvalidInput(format!("{template_name} is larger than 16 MiB")));
        }
        let text = std::str::from_utf8(template)
            .map_err(|_| Error::InvalidInput(format!("{template_name} is not UTF-8 text")))?;
        let refs = template::references(text);
        template::check_scope(&refs, only)?;
        let mut resolved: BTreeMap<String, SecretValue> = BTreeMap::new();
        let mut unknown: Vec<String> = Vec::new();
        let mut ids = Vec::new();
        let mut seen = std::collections::HashSet::new();
        {
            let keys = self.keys()?;
            let tx = self.store.read()?;
            for r in &refs {
                if !seen.insert(r.path.as_str()) {
                    continue;
                }
                let found = match SecretPath::parse(&r.path) {
                    Ok(p) => live_row(&tx, keys, &p.to_string())?,
                    Err(_) => None,
                };
                match found {
                    Some(row) => {
                        resolved.insert(r.path.clone(), open_current(&tx, keys, &row)?);
                        ids.push(row.id);
                    }
                    None => unknown.push(format!("hush://{}", r.path)),
                }
            }
        }
        let dest = output.map_or("stdout".to_string(), |p| p.display().to_string());
        if !unknown.is_empty() {
            let detail =
                format!("inject {template_name} to {dest}: {} unknown reference(s)", unknown.len());
            self.record_read(&[], Action::Export, None, Outcome::Failure, &detail)?;
            return Err(Error::UnknownRefs { refs: unknown });
        }
        let mut out = Zeroizing::new(String::with_capacity(text.len()));
        let mut at = 0;
        for r in &refs {
            out.push_str(&text[at..r.start]);
            out.push_str(resolved[&r.path].expose_str());
            at = r.end;
        }
        out.push_str(&text[at..]);
        let body = SecretValue::from_string(std::mem::take(&mut *out));
        if let Some(p) = output {
            write_output(p, body.expose())?;
        }
        let paths = template::first_use_order(&refs, |p| resolved.contains_key(p));
        let detail = format!(
            "inject {template_name} to {dest}: {} reference(s) to {} secret(s): {}",
            refs.len(),
            resolved.len(),
            template::list_for_audit(&paths)
        );
        self.record_read(&ids, Action::Export, None, Outcome::Ok, &detail)?;
        let report = InjectReport {
            template: template_name.to_string(),
            output: output.map(|p| p.display().to_string()),
            references: refs.len(),
            secrets: resolved.len(),
            paths,
        };
        Ok((report, if output.is_some() { None } else { Some(body) }))
    }
}
