//! `.env` import: a preview (new / changed / unchanged / skipped / invalid) that changes nothing,
//! then a commit that follows the preview's decisions in one transaction with one audit entry.
//!
//! The preview is a plain serialisable struct without values, so a UI can show it, let the user
//! flip entries to `skipped`, and hand it back. The commit re-reads the file and refuses if it
//! changed since the preview (a keyed digest, not a plain hash of the secrets), and uses
//! check-and-set on every write so a concurrent change to the vault aborts the whole import.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::secrets::{check_row, open_current, write_in_tx, WriteAt, MAX_VALUE_BYTES, NUL_VALUE};
use super::Vault;
use crate::audit::{self, Action, Outcome};
use crate::crypto;
use crate::envfile::{self, EnvFile, Layout, MAX_ENV_FILE_BYTES};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::model::WriteOptions;
use crate::path::{is_env_name, FolderPath, SecretPath};
use crate::secret::SecretValue;
use crate::store::{LayoutRow, SecretFilter, SecretRow, Tx, Write};

/// What to do with a name that already holds a different value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnExisting {
    /// Refuse the import and say which names differ (the default: never a silent overwrite).
    #[default]
    Refuse,
    Overwrite,
    Skip,
}

/// How to import a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    pub folder: String,
    #[serde(default)]
    pub on_existing: OnExisting,
    /// python-dotenv's `${VAR}` / `${VAR:-default}` expansion (off: values are taken literally).
    #[serde(default)]
    pub expand: bool,
    /// Added in front of every key.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Removed from the front of keys that start with it (before `prefix` is added).
    #[serde(default)]
    pub strip_prefix: Option<String>,
    /// Import the good lines and leave out the broken ones (else a broken line refuses it all).
    #[serde(default)]
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ImportStatus {
    New,
    Changed,
    Unchanged,
    Skipped,
    Invalid,
}

/// One line of the preview. `name` is absent for lines whose text is not shown (a broken line,
/// or a lone word without `=`, which is as likely a pasted secret as a key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportItem {
    pub line: usize,
    pub name: Option<String>,
    pub status: ImportStatus,
    pub note: Option<String>,
    /// The vault's current version, for check-and-set at commit (0: does not exist).
    pub current_version: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub invalid: usize,
}

/// The preview of an import: nothing secret in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub source: String,
    pub folder: String,
    pub options: ImportOptions,
    pub items: Vec<ImportItem>,
    pub counts: ImportCounts,
    pub warnings: Vec<String>,
    /// Keyed digest of the file and options; the commit checks the file did not change.
    pub digest: String,
}

impl ImportPreview {
    /// Recounts after a UI changed some statuses.
    pub fn recount(&mut self) {
        let mut c = ImportCounts::default();
        for i in &self.items {
            match i.status {
                ImportStatus::New => c.new += 1,
                ImportStatus::Changed => c.changed += 1,
                ImportStatus::Unchanged => c.unchanged += 1,
                ImportStatus::Skipped => c.skipped += 1,
                ImportStatus::Invalid => c.invalid += 1,
            }
        }
        self.counts = c;
    }

    /// Whether a commit would be refused for broken lines or differing values, and why.
    pub fn blocker(&self) -> Option<Error> {
        let invalid: Vec<_> =
            self.items.iter().filter(|i| i.status == ImportStatus::Invalid).collect();
        if !invalid.is_empty() && !self.options.skip_invalid {
            let errors = invalid
                .iter()
                .map(|i| envfile::EnvLineError {
                    line: i.line,
                    reason: i.note.clone().unwrap_or_default(),
                })
                .collect();
            return Some(Error::EnvParse { file: self.source.clone(), errors });
        }
        let changed: Vec<String> = self
            .items
            .iter()
            .filter(|i| i.status == ImportStatus::Changed)
            .filter_map(|i| i.name.clone())
            .collect();
        if !changed.is_empty() && self.options.on_existing == OnExisting::Refuse {
            return Some(Error::ImportConflict { folder: self.folder.clone(), names: changed });
        }
        None
    }
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub folder: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub invalid: usize,
}

pub(super) fn digest(bytes: &[u8], opts: &ImportOptions) -> String {
    // A per-process random key: the digest proves "same file" to this process without letting
    // anyone who sees the preview test guesses of a low-entropy secret against it.
    static SALT: OnceLock<[u8; 32]> = OnceLock::new();
    let salt = SALT.get_or_init(|| {
        let mut s = [0u8; 32];
        crypto::fill_random(&mut s);
        s
    });
    let mut h = Sha256::new();
    h.update(salt);
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
    h.update(serde_json::to_vec(opts).expect("options serialise"));
    hex::encode(h.finalize())
}

/// The one audit entry of an import: the file and the counts, never a value.
pub(super) fn audit_import(tx: &Tx<'_, Write>, keys: &Keys, r: &ImportReport) -> Result<()> {
    let detail = format!(
        "from {}: {} new, {} updated, {} unchanged, {} skipped, {} invalid",
        r.source, r.created, r.updated, r.unchanged, r.skipped, r.invalid
    );
    audit::append(tx, Some(keys), Action::Import, Some(&r.folder), Outcome::Ok, Some(&detail))
}

/// Seals and stores a folder's layout.
pub(crate) fn put_layout(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    folder: &str,
    source: Option<&str>,
    layout: &Layout,
    at: i64,
) -> Result<()> {
    let sealed = keys.seal_layout(folder, &layout.encode());
    tx.put_layout(&LayoutRow {
        folder: folder.into(),
        source: source.map(String::from),
        sealed,
        updated_at: at,
    })
}

/// The stored layout of a folder, if it has one.
pub(crate) fn get_layout<M>(tx: &Tx<'_, M>, keys: &Keys, folder: &str) -> Result<Option<Layout>> {
    let Some(row) = tx.layout(folder)? else { return Ok(None) };
    let bad = || Error::Integrity { what: format!("the .env layout of '{folder}'") };
    let json = keys.open_layout(folder, &row.sealed).ok_or_else(bad)?;
    Ok(Some(Layout::decode(&json).ok_or_else(bad)?))
}

/// How much of a pipe past the limit is read to say how large it was.
const DRAIN_BOUND: u64 = 256 << 20;

/// Reads a file to import, bounded, into a buffer that is zeroized on drop.
pub(crate) fn read_bounded(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let too_large = |size: u64| Error::TooLarge {
        what: path.display().to_string(),
        size: usize::try_from(size).unwrap_or(usize::MAX),
        limit,
    };
    // A regular file says its exact size up front (and is refused unread); a pipe is read up
    // to the limit and then measured by draining it, without keeping what is past the limit.
    let known = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    if let Some(size) = known.filter(|s| *s > limit as u64) {
        return Err(too_large(size));
    }
    let mut f = f;
    // Sized up front: growing by doubling would hold two copies of a large file for a moment.
    let len = known.unwrap_or(0).min(limit as u64 + 1) as usize;
    let mut buf = Zeroizing::new(Vec::with_capacity(len + 1));
    (&mut f).take(limit as u64 + 1).read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
    if buf.len() > limit {
        // Measured up to a bound: a device such as /dev/zero never ends (the size is then a
        // lower one).
        let rest = std::io::copy(&mut (&mut f).take(DRAIN_BOUND), &mut std::io::sink())
            .map_err(|e| Error::io(path, e))?;
        return Err(too_large(buf.len() as u64 + rest));
    }
    Ok(buf)
}

/// The file parsed the way the options say, and each entry's secret name (or why it has none).
struct Planned {
    file: EnvFile,
    names: Vec<std::result::Result<SecretPath, String>>,
}

/// The secret name of a file key: `--strip-prefix` removed, then `--prefix` added.
pub(super) fn secret_name(key: &str, opts: &ImportOptions) -> String {
    let mut name = key;
    if let Some(p) = opts.strip_prefix.as_deref().filter(|p| !p.is_empty()) {
        name = name.strip_prefix(p).unwrap_or(name);
    }
    format!("{}{name}", opts.prefix.as_deref().unwrap_or(""))
}

/// The path of `name` in `folder`, or why it cannot be one (a note for the preview).
pub(super) fn secret_path(
    name: &str,
    folder: &FolderPath,
) -> std::result::Result<SecretPath, String> {
    let text =
        if is_env_name(name) { format!("{folder}/{name}") } else { format!("{folder}/\"{name}\"") };
    SecretPath::parse(&text).map_err(|e| match e {
        Error::InvalidPath { reason, .. } => format!("the key cannot be a secret name: {reason}"),
        other => other.to_string(),
    })
}

/// A file that is not UTF-8 is refused whole, even with `skip_invalid`: its lines cannot be told
/// apart safely (a quote may span them), and skipping "the invalid line" imported nothing at all
/// while saying only that one line was left out.
pub(crate) fn require_utf8(source: &str, bytes: &[u8]) -> Result<()> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
            Err(Error::InvalidInput(format!(
                "{source} is not UTF-8 text (its first bad byte is on line {line}): save it as \
                 UTF-8; nothing was imported (--skip-invalid leaves out lines, not an encoding)"
            )))
        }
    }
}

fn plan(bytes: &[u8], opts: &ImportOptions, folder: &FolderPath) -> Result<Planned> {
    if bytes.len() > MAX_ENV_FILE_BYTES {
        return Err(Error::TooLarge {
            what: "the .env text".into(),
            size: bytes.len(),
            limit: MAX_ENV_FILE_BYTES,
        });
    }
    let mut file = envfile::parse(bytes);
    if opts.expand {
        envfile::expand(&mut file.entries, &|n| std::env::var(n).ok());
    }
    let names =
        file.entries.iter().map(|e| secret_path(&secret_name(&e.key, opts), folder)).collect();
    Ok(Planned { file, names })
}

impl Vault {
    /// Previews importing the `.env` file at `path`. Changes nothing (not even the audit log).
    pub fn import_preview(&mut self, path: &Path, opts: &ImportOptions) -> Result<ImportPreview> {
        let bytes = read_bounded(path, MAX_ENV_FILE_BYTES)?;
        self.import_preview_bytes(&path.display().to_string(), &bytes, opts)
    }

    /// Commits a preview of the file at `preview.source`, following its decisions.
    pub fn import_commit(
        &mut self,
        preview: &ImportPreview,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        let bytes = read_bounded(Path::new(&preview.source), MAX_ENV_FILE_BYTES)?;
        self.import_commit_bytes(preview, &bytes, progress)
    }

    /// Previews importing `bytes` (named `source` in messages and the audit log).
    pub fn import_preview_bytes(
        &mut self,
        source: &str,
        bytes: &[u8],
        opts: &ImportOptions,
    ) -> Result<ImportPreview> {
        let keys = self.keys()?;
        let folder = FolderPath::parse(&opts.folder)?;
        require_utf8(source, bytes)?;
        let planned = plan(bytes, opts, &folder)?;
        // One snapshot and one query for what the folder holds, not one per key.
        let tx = self.store.read()?;
        let filter =
            SecretFilter { folder: Some(folder.as_str()), direct: true, ..SecretFilter::live() };
        let existing: HashMap<String, SecretRow> =
            tx.secrets(&filter)?.into_iter().map(|m| (m.name.clone(), m)).collect();
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        for e in &planned.file.errors {
            items.push(ImportItem {
                line: e.line,
                name: None,
                status: ImportStatus::Invalid,
                note: Some(e.reason.clone()),
                current_version: 0,
            });
        }
        // The last statement of a name wins, as in every dotenv reader.
        let mut last: HashMap<String, usize> = HashMap::new();
        for (i, n) in planned.names.iter().enumerate() {
            if let (Ok(p), Some(_)) = (n, &planned.file.entries[i].value) {
                last.insert(p.to_string(), i);
            }
        }
        for (i, (e, n)) in planned.file.entries.iter().zip(&planned.names).enumerate() {
            let item = |status, name: Option<String>, note: Option<String>, current_version| {
                ImportItem { line: e.line, name, status, note, current_version }
            };
            let Some(value) = &e.value else {
                items.push(item(
                    ImportStatus::Skipped,
                    None,
                    Some("a name without '=' (no value)".into()),
                    0,
                ));
                continue;
            };
            let path = match n {
                Ok(p) => p,
                Err(reason) => {
                    items.push(item(ImportStatus::Invalid, None, Some(reason.clone()), 0));
                    continue;
                }
            };
            let name = Some(path.name().to_string());
            if last[&path.to_string()] != i {
                let again = planned.file.entries[last[&path.to_string()]].line;
                items.push(item(
                    ImportStatus::Skipped,
                    name,
                    Some(format!("defined again on line {again}; the last one wins")),
                    0,
                ));
                continue;
            }
            if value.len() > MAX_VALUE_BYTES {
                let note =
                    format!("the value is {} bytes; the limit is {MAX_VALUE_BYTES}", value.len());
                items.push(item(ImportStatus::Invalid, name, Some(note), 0));
                continue;
            }
            if value.has_nul() {
                items.push(item(ImportStatus::Invalid, name, Some(NUL_VALUE.into()), 0));
                continue;
            }
            if !opts.expand && value.expose_str().contains("${") {
                warnings.push(format!("line {}: {} contains '${{' and is imported literally; pass --expand to interpolate", e.line, path.name()));
            }
            let (status, note, current) = match existing.get(path.name()) {
                None => (ImportStatus::New, None, 0),
                Some(m) => {
                    let same = check_row(&tx, keys, m)
                        .and_then(|()| open_current(&tx, keys, m))
                        .map(|v| v.expose() == value.expose());
                    match (same, opts.on_existing) {
                        (Ok(true), _) => (ImportStatus::Unchanged, None, m.current_version),
                        (_, OnExisting::Skip) => (
                            ImportStatus::Skipped,
                            Some("exists with a different value (--skip-existing)".into()),
                            m.current_version,
                        ),
                        _ => (ImportStatus::Changed, None, m.current_version),
                    }
                }
            };
            items.push(item(status, name, note, current));
        }
        items.sort_by_key(|i| i.line);
        let mut p = ImportPreview {
            source: source.to_string(),
            folder: folder.to_string(),
            options: opts.clone(),
            items,
            counts: ImportCounts::default(),
            warnings,
            digest: digest(bytes, opts),
        };
        p.recount();
        crate::envguard::flag_names(
            p.items.iter().filter_map(|i| i.name.as_deref()),
            &mut p.warnings,
        );
        Ok(p)
    }

    /// Commits a preview of `bytes`: every `new` and `changed` item is written, in one
    /// transaction, with one audit entry naming the source; the file's layout is kept for export.
    pub fn import_commit_bytes(
        &mut self,
        preview: &ImportPreview,
        bytes: &[u8],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        if digest(bytes, &preview.options) != preview.digest {
            return Err(Error::InvalidInput(format!(
                "{} changed since the preview; preview it again",
                preview.source
            )));
        }
        if let Some(e) = preview.blocker() {
            return Err(e);
        }
        let folder = FolderPath::parse(&preview.options.folder)?;
        let planned = plan(bytes, &preview.options, &folder)?;
        // secret name → (path, value); later duplicates win, as in the file.
        let mut values: HashMap<String, (&SecretPath, &SecretValue)> = HashMap::new();
        let mut imported: HashMap<String, String> = HashMap::new(); // file key → secret name
        for (e, n) in planned.file.entries.iter().zip(&planned.names) {
            if let (Ok(p), Some(v)) = (n, &e.value) {
                values.insert(p.name().to_string(), (p, v));
                imported.insert(e.key.clone(), p.name().to_string());
            }
        }
        let todo: Vec<&ImportItem> = preview
            .items
            .iter()
            .filter(|i| matches!(i.status, ImportStatus::New | ImportStatus::Changed))
            .collect();
        let total = todo.len() as u64;
        let opts = WriteOptions { source: Some(preview.source.clone()), ..Default::default() };
        let (mut created, mut updated) = (0, 0);
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        for (done, item) in todo.iter().enumerate() {
            let name = item
                .name
                .as_deref()
                .ok_or_else(|| Error::InvalidInput("a preview item to write has no name".into()))?;
            let &(path, value) = values.get(name).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "'{name}' is not in {}; preview it again",
                    preview.source
                ))
            })?;
            let cas = WriteOptions { cas: Some(item.current_version), ..opts.clone() };
            let out = write_in_tx(&tx, keys, path, value, &cas, WriteAt::default()).map_err(
                |e| match e {
                    Error::CasConflict { path, expected, actual } => Error::CasConflict {
                        path: format!(
                            "{path} (the vault changed since the preview; preview it again)"
                        ),
                        expected,
                        actual,
                    },
                    other => other,
                },
            )?;
            if out.created {
                created += 1;
            } else {
                updated += 1;
            }
            progress(done as u64 + 1, total);
        }
        let mut layout = planned.file.layout.clone();
        layout.retain_renamed(|k| imported.get(k).cloned());
        put_layout(
            &tx,
            keys,
            folder.as_str(),
            Some(&preview.source),
            &layout,
            crate::timefmt::now(),
        )?;
        let c = &preview.counts;
        let report = ImportReport {
            source: preview.source.clone(),
            folder: folder.to_string(),
            created,
            updated,
            unchanged: c.unchanged,
            skipped: c.skipped,
            invalid: c.invalid,
        };
        audit_import(&tx, keys, &report)?;
        tx.commit()?;
        Ok(report)
    }
}
