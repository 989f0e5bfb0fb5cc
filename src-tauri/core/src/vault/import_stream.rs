//! The streaming import behind `hush import`: bounded memory for any file the size cap accepts.
//!
//! The file is read once (sized up front), normalised in place and parsed twice as a stream of
//! events, never as a `Vec` of entries with their values:
//! 1. names only: a keyed 64-bit hash per statement, sorted, tells which names occur more than
//!    once; only those (rare) get an exact name → last line map, so the last statement of a name
//!    wins as in python-dotenv without a map of every key;
//! 2. in one transaction (the write lock, or a read snapshot for a dry run): each statement is
//!    decided (new / changed / unchanged / skipped / invalid), handed to the caller's sink (which
//!    prints it), and written; the layout is written as it goes in its compact form.
//!
//! A broken line (without `--skip-invalid`) or a differing value (without `--overwrite` /
//! `--skip-existing`) stops the writing and the transaction is dropped at the end: all or
//! nothing, and the caller still sees every line's status. `--expand` needs every earlier value,
//! so it takes the in-memory path ([`Vault::import_preview_bytes`]) and streams its result.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::path::Path;

use super::import::{audit_import, digest, read_bounded, secret_name, secret_path};
use super::secrets::{check_row, open_current, MAX_VALUE_BYTES, NUL_VALUE};
use super::Vault;
use super::{ImportCounts, ImportItem, ImportOptions, ImportReport, ImportStatus, OnExisting};
use crate::envfile::{self, EnvLineError, Event, Events, LayoutWriter, MAX_ENV_FILE_BYTES};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::model::WriteOptions;
use crate::path::FolderPath;
use crate::store::{LayoutRow, SecretFilter, SecretRow, Tx};

/// At most this many warnings of each kind, then one line counting the rest; likewise the
/// lines and names an error message lists (the items name every one).
const LIST_CAP: usize = 100;
/// A folder holding at most this many records is read in one query; a larger one per key (so
/// a huge folder costs no memory).
const READ_ALL_UP_TO: u64 = 4096;

/// What the sink learns before the first item.
#[derive(Debug)]
pub struct ImportStart<'a> {
    pub source: &'a str,
    pub folder: &'a str,
    pub options: &'a ImportOptions,
    /// The longest name (for aligned output).
    pub width: usize,
    /// Statements with a value (progress: items decided so far out of this).
    pub total: u64,
}

/// Where a streaming import sends each line's status, in line order, as it is decided.
pub trait ImportSink: Send {
    fn start(&mut self, start: &ImportStart<'_>);
    fn item(&mut self, item: &ImportItem);
}

/// How a streaming import ended.
#[derive(Debug)]
pub struct ImportOutcome {
    pub counts: ImportCounts,
    pub warnings: Vec<String>,
    pub digest: String,
    /// What was written; `None` for a dry run or a refused import (nothing written).
    pub report: Option<ImportReport>,
    /// Why nothing was written (broken lines, differing values), as the preview's `blocker`.
    pub blocker: Option<Error>,
}

/// Pass 1: which names occur more than once, and where each of those is last defined.
struct Index {
    hasher: RandomState,
    /// Sorted hashes of names seen more than once (a collision only costs a map entry).
    dups: Vec<u64>,
    last: HashMap<String, usize>,
    width: usize,
    total: u64,
}

impl Index {
    fn build(text: &str, opts: &ImportOptions) -> Index {
        let hasher = RandomState::new();
        // Room for the most statements the text can hold (`A=` and a line end: 3 bytes each),
        // so the list never grows by copying; pages never written cost no memory.
        let mut hashes = Vec::with_capacity(text.len() / 3 + 1);
        let mut width = 4;
        for ev in Events::new(text) {
            if let Event::Entry(st) = ev {
                if st.value.is_some() {
                    let name = name_of(st.key, opts);
                    width = width.max(name.len());
                    hashes.push(hasher.hash_one(&*name));
                }
            }
        }
        let total = hashes.len() as u64;
        hashes.sort_unstable();
        let mut dups: Vec<u64> = Vec::new();
        for w in hashes.windows(2) {
            if w[0] == w[1] && dups.last() != Some(&w[0]) {
                dups.push(w[0]);
            }
        }
        drop(hashes);
        let mut ix = Index { hasher, dups, last: HashMap::new(), width, total };
        if !ix.dups.is_empty() {
            for ev in Events::new(text) {
                if let Event::Entry(st) = ev {
                    let name = name_of(st.key, opts);
                    if st.value.is_some() && ix.maybe_dup(&name) {
                        ix.last.insert(name.into_owned(), st.line);
                    }
                }
            }
        }
        ix
    }

    fn maybe_dup(&self, name: &str) -> bool {
        self.dups.binary_search(&self.hasher.hash_one(name)).is_ok()
    }

    /// The line that defines `name` last, when it is not `line`.
    fn defined_again(&self, name: &str, line: usize) -> Option<usize> {
        if !self.maybe_dup(name) {
            return None;
        }
        self.last.get(name).copied().filter(|l| *l != line)
    }
}

fn name_of<'a>(key: &'a str, opts: &ImportOptions) -> Cow<'a, str> {
    if opts.prefix.is_none() && opts.strip_prefix.is_none() {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(secret_name(key, opts))
    }
}

/// The records already in the folder (live and trashed: a trashed one's MAC is checked too).
pub(super) enum Existing {
    /// Nothing there: no lookups at all (a fresh folder).
    Empty,
    All(HashMap<String, Vec<SecretRow>>),
    PerKey,
}

impl Existing {
    fn load<M>(tx: &Tx<'_, M>, folder: &str) -> Result<Existing> {
        let n = tx.count_in_folder(folder)?;
        if n == 0 {
            return Ok(Existing::Empty);
        }
        if n > READ_ALL_UP_TO {
            return Ok(Existing::PerKey);
        }
        let f = SecretFilter {
            folder: Some(folder),
            direct: true,
            deleted: None,
            ..Default::default()
        };
        let mut all: HashMap<String, Vec<SecretRow>> = HashMap::new();
        for r in tx.secrets(&f)? {
            all.entry(r.name.clone()).or_default().push(r);
        }
        Ok(Existing::All(all))
    }

    /// The live record at `path` (named `name`), every record there checked first.
    fn live<M>(
        &self,
        tx: Option<&Tx<'_, M>>,
        keys: &Keys,
        path: &str,
        name: &str,
    ) -> Result<Option<SecretRow>> {
        match (self, tx) {
            (Existing::Empty, _) => Ok(None),
            (Existing::PerKey, Some(tx)) => super::secrets::live_row(tx, keys, path),
            (Existing::PerKey, None) => {
                unreachable!("only an empty folder is read without its transaction")
            }
            (Existing::All(all), _) => {
                let rows = all.get(name).map(Vec::as_slice).unwrap_or_default();
                for r in rows {
                    match tx {
                        Some(tx) => check_row(tx, keys, r)?,
                        None => super::secrets::check_mac(keys, r)?,
                    }
                }
                Ok(rows.iter().find(|r| r.deleted_at.is_none()).cloned())
            }
        }
    }
}

/// Pass 2's state.
pub(super) struct Run<'o> {
    opts: &'o ImportOptions,
    source: &'o str,
    counts: ImportCounts,
    dollar: Vec<String>,
    dollar_more: usize,
    flagged: Vec<String>,
    invalid: Vec<EnvLineError>,
    invalid_more: usize,
    changed: Vec<String>,
    changed_more: usize,
    created: usize,
    updated: usize,
    /// The layout being written (`None`: a dry run, which stores nothing).
    layout: Option<LayoutWriter>,
}

impl Run<'_> {
    fn blocked(&self) -> bool {
        let invalid = self.counts.invalid > 0 && !self.opts.skip_invalid;
        invalid || (self.counts.changed > 0 && self.opts.on_existing == OnExisting::Refuse)
    }

    fn emit(&mut self, sink: &mut dyn ImportSink, item: ImportItem) {
        let c = &mut self.counts;
        match item.status {
            ImportStatus::New => c.new += 1,
            ImportStatus::Changed => c.changed += 1,
            ImportStatus::Unchanged => c.unchanged += 1,
            ImportStatus::Skipped => c.skipped += 1,
            ImportStatus::Invalid => c.invalid += 1,
        }
        if item.status == ImportStatus::Invalid {
            let reason = item.note.clone().unwrap_or_default();
            push_capped(
                &mut self.invalid,
                &mut self.invalid_more,
                EnvLineError { line: item.line, reason },
            );
        }
        if item.status == ImportStatus::Changed {
            let name = item.name.clone().unwrap_or_default();
            push_capped(&mut self.changed, &mut self.changed_more, name);
        }
        sink.item(&item);
    }

    fn blocker(&self, folder: &str) -> Option<Error> {
        if self.counts.invalid > 0 && !self.opts.skip_invalid {
            let mut errors = self.invalid.clone();
            if self.invalid_more > 0 {
                let reason = format!("and {} more broken lines", self.invalid_more);
                errors.push(EnvLineError { line: errors.last().map_or(0, |e| e.line), reason });
            }
            return Some(Error::EnvParse { file: self.source.to_string(), errors });
        }
        if self.counts.changed > 0 && self.opts.on_existing == OnExisting::Refuse {
            let mut names = self.changed.clone();
            if self.changed_more > 0 {
                names.push(format!("and {} more", self.changed_more));
            }
            return Some(Error::ImportConflict { folder: folder.to_string(), names });
        }
        None
    }

    fn warnings(&self) -> Vec<String> {
        let mut w = self.dollar.clone();
        if self.dollar_more > 0 {
            w.push(format!(
                "{} more values contain '${{' and are imported literally",
                self.dollar_more
            ));
        }
        w.extend(self.flagged.iter().cloned());
        w
    }
}

fn push_capped<T>(v: &mut Vec<T>, more: &mut usize, x: T) {
    if v.len() < LIST_CAP {
        v.push(x);
    } else {
        *more += 1;
    }
}

/// Writes one decided value (`write` is `None` for a dry run); returns whether it was new.
type Writer<'w> = &'w mut dyn FnMut(
    &crate::path::SecretPath,
    &crate::secret::SecretValue,
    Option<SecretRow>,
) -> Result<bool>;

/// The item of a line that could not be read (its text never shown).
fn broken(e: EnvLineError) -> ImportItem {
    let (line, note) = (e.line, Some(e.reason));
    ImportItem { line, name: None, status: ImportStatus::Invalid, note, current_version: 0 }
}

/// What pass 2 reads.
pub(super) struct Pass<'p> {
    pub(super) keys: &'p Keys,
    text: &'p str,
    folder: &'p FolderPath,
    ix: &'p Index,
}

/// Pass 2 over the events: decide, report, write. `tx` is `None` only for an empty folder
/// (nothing to look up), whose pass runs beside the inserts (`import_fresh`).
pub(super) fn run_pass<M>(
    tx: Option<&Tx<'_, M>>,
    existing: &Existing,
    p: &Pass<'_>,
    run: &mut Run<'_>,
    sink: &mut dyn ImportSink,
    mut write: Option<Writer<'_>>,
) -> Result<()> {
    let Pass { keys, text, folder, ix } = *p;
    for ev in Events::new(text) {
        let st = match ev {
            Event::Text(t) => {
                if let Some(l) = &mut run.layout {
                    l.text(t);
                }
                continue;
            }
            Event::Error(e) => {
                run.emit(sink, broken(e));
                continue;
            }
            Event::Entry(st) => st,
        };
        let item = |status, name: Option<String>, note: Option<String>, current_version| {
            ImportItem { line: st.line, name, status, note, current_version }
        };
        let Some(raw) = st.value else {
            let note = Some("a name without '=' (no value)".to_string());
            run.emit(sink, item(ImportStatus::Skipped, None, note, 0));
            continue;
        };
        let name = name_of(st.key, run.opts);
        let path = match secret_path(&name, folder) {
            Ok(p) => p,
            Err(reason) => {
                run.emit(sink, item(ImportStatus::Invalid, None, Some(reason), 0));
                continue;
            }
        };
        if let Some(again) = ix.defined_again(&name, st.line) {
            let note = Some(format!("defined again on line {again}; the last one wins"));
            run.emit(sink, item(ImportStatus::Skipped, Some(name.into_owned()), note, 0));
            continue;
        }
        if let Some(l) = &mut run.layout {
            l.entry(&name, st.key_quoted, st.prefix, st.eq, st.style, st.suffix);
        }
        if raw.max_len() > MAX_VALUE_BYTES {
            let value = raw.decode();
            if value.len() > MAX_VALUE_BYTES {
                let note =
                    format!("the value is {} bytes; the limit is {MAX_VALUE_BYTES}", value.len());
                run.emit(sink, item(ImportStatus::Invalid, Some(name.into_owned()), Some(note), 0));
                continue;
            }
        }
        let value = raw.decode();
        if value.has_nul() {
            let note = Some(NUL_VALUE.into());
            run.emit(sink, item(ImportStatus::Invalid, Some(name.into_owned()), note, 0));
            continue;
        }
        if !run.opts.expand && value.expose_str().contains("${") {
            let w = format!("line {}: {} contains '${{' and is imported literally; pass --expand to interpolate", st.line, path.name());
            push_capped(&mut run.dollar, &mut run.dollar_more, w);
        }
        if run.flagged.len() < LIST_CAP {
            crate::envguard::flag_names([path.name()], &mut run.flagged);
        }
        let path_s = path.to_string();
        let row = existing.live(tx, keys, &path_s, path.name())?;
        let current = row.as_ref().map_or(0, |r| r.current_version);
        let status = match &row {
            None => ImportStatus::New,
            Some(r) => {
                let tx = tx.expect("a folder with records is read in its transaction");
                let same = open_current(tx, keys, r).map(|v| v.expose() == value.expose());
                match (same, run.opts.on_existing) {
                    (Ok(true), _) => ImportStatus::Unchanged,
                    (_, OnExisting::Skip) => ImportStatus::Skipped,
                    _ => ImportStatus::Changed,
                }
            }
        };
        let note = (status == ImportStatus::Skipped && row.is_some())
            .then(|| "exists with a different value (--skip-existing)".to_string());
        let writes = matches!(status, ImportStatus::New | ImportStatus::Changed);
        let it = item(status, Some(path.name().to_string()), note, current);
        // Decide first (a differing value under Refuse blocks), then write only while not blocked.
        run.emit(sink, it);
        if let Some(w) = write.as_mut().filter(|_| writes && !run.blocked()) {
            if w(&path, &value, row)? {
                run.created += 1;
            } else {
                run.updated += 1;
            }
        }
    }
    Ok(())
}

impl Vault {
    /// Imports the `.env` file at `path` as a stream: each line's status goes to `sink` as it
    /// is decided, and (unless `dry_run`) the values are written in one transaction that is
    /// committed only if nothing blocks it. Memory stays near the file's size whatever it holds.
    pub fn import_stream(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
        dry_run: bool,
        sink: &mut dyn ImportSink,
    ) -> Result<ImportOutcome> {
        let folder = FolderPath::parse(&opts.folder)?;
        let source = path.display().to_string();
        let mut bytes = read_bounded(path, MAX_ENV_FILE_BYTES)?;
        super::import::require_utf8(&source, &bytes)?;
        if opts.expand {
            return self.import_stream_expand(&source, &bytes, opts, dry_run, sink);
        }
        let digest = digest(&bytes, opts);
        // A file in another encoding, the one thing normalise refuses, was refused above whole.
        let text = envfile::normalise(&mut bytes)
            .map_err(|e| Error::EnvParse { file: source.clone(), errors: vec![e] })?;
        let ix = Index::build(text, opts);
        let start = ImportStart {
            source: &source,
            folder: folder.as_str(),
            options: opts,
            width: ix.width,
            total: ix.total,
        };
        sink.start(&start);
        let mut run = Run {
            opts,
            source: &source,
            counts: ImportCounts::default(),
            dollar: Vec::new(),
            dollar_more: 0,
            flagged: Vec::new(),
            invalid: Vec::new(),
            invalid_more: 0,
            changed: Vec::new(),
            changed_more: 0,
            created: 0,
            updated: 0,
            layout: (!dry_run).then(|| LayoutWriter::new(crate::crypto::HEADER_LEN, text.len())),
        };
        let keys = self.keys()?;
        if dry_run {
            let tx = self.store.read()?;
            let pass = Pass { keys, text, folder: &folder, ix: &ix };
            let existing = Existing::load(&tx, folder.as_str())?;
            run_pass(Some(&tx), &existing, &pass, &mut run, sink, None)?;
            let blocker = run.blocker(folder.as_str());
            return Ok(ImportOutcome {
                counts: run.counts.clone(),
                warnings: run.warnings(),
                digest,
                report: None,
                blocker,
            });
        }
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let wopts = WriteOptions { source: Some(source.clone()), ..Default::default() };
        let pass = Pass { keys, text, folder: &folder, ix: &ix };
        let existing = Existing::load(&tx, folder.as_str())?;
        let w = super::import_write::Writing { tx: &tx, pass: &pass, opts: &wopts };
        if let Existing::Empty = existing {
            w.fresh(&mut run, sink)?;
        } else {
            w.into_existing(&existing, &mut run, sink)?;
        }
        drop(ix);
        let blocker = run.blocker(folder.as_str());
        let warnings = run.warnings();
        if blocker.is_some() {
            return Ok(ImportOutcome {
                counts: run.counts,
                warnings,
                digest,
                report: None,
                blocker,
            });
        }
        drop(bytes);
        let c = run.counts.clone();
        let report = ImportReport {
            source: source.clone(),
            folder: folder.to_string(),
            created: run.created,
            updated: run.updated,
            unchanged: c.unchanged,
            skipped: c.skipped,
            invalid: c.invalid,
        };
        // The layout is sealed where it lies: a large file's layout is never copied.
        let layout = run.layout.take().expect("a commit writes a layout").finish();
        let sealed = keys.seal_layout_in_place(folder.as_str(), layout);
        let at = crate::timefmt::now();
        tx.put_layout(&LayoutRow {
            folder: folder.to_string(),
            source: Some(source.clone()),
            sealed,
            updated_at: at,
        })?;
        audit_import(&tx, keys, &report)?;
        tx.commit()?;
        Ok(ImportOutcome { counts: c, warnings, digest, report: Some(report), blocker: None })
    }

    /// `--expand`: every value may refer to earlier ones, so the file is read whole (the
    /// preview and commit of the desktop app), then streamed to the sink.
    fn import_stream_expand(
        &mut self,
        source: &str,
        bytes: &[u8],
        opts: &ImportOptions,
        dry_run: bool,
        sink: &mut dyn ImportSink,
    ) -> Result<ImportOutcome> {
        let p = self.import_preview_bytes(source, bytes, opts)?;
        let width = p
            .items
            .iter()
            .filter_map(|i| i.name.as_ref().map(String::len))
            .max()
            .unwrap_or(4)
            .max(4);
        let total = p.items.len() as u64;
        sink.start(&ImportStart { source, folder: &p.folder, options: opts, width, total });
        for i in &p.items {
            sink.item(i);
        }
        let blocker = p.blocker();
        let report = if dry_run || blocker.is_some() {
            None
        } else {
            Some(self.import_commit_bytes(&p, bytes, &mut |_, _| {})?)
        };
        Ok(ImportOutcome {
            counts: p.counts,
            warnings: p.warnings,
            digest: p.digest,
            report,
            blocker,
        })
    }
}
