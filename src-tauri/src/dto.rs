//! Request and response types of the IPC. TypeScript declarations are generated from these into
//! `ui/src/lib/bindings.ts` (see `bindings` below). Nothing here carries a secret value except
//! `Revealed` (explicit reveal) and the `value` of `SaveRequest` (user input on its way in).

use std::collections::BTreeMap;

use hush_core::{Action, AuditEntry, ImportStatus, Kind, Outcome, SecretMeta, VersionInfo};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the data key is protected day to day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum KeyModeDto {
    Keychain,
    Passphrase,
}

impl From<hush_core::KeyMode> for KeyModeDto {
    fn from(m: hush_core::KeyMode) -> Self {
        match m {
            hush_core::KeyMode::Keychain => KeyModeDto::Keychain,
            hush_core::KeyMode::Passphrase => KeyModeDto::Passphrase,
        }
    }
}

/// What the lock screen asks for, said plainly there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LockKind {
    /// The vault passphrase: the data key cannot be opened without it.
    VaultPassphrase,
    /// A keychain vault with an app PIN (checked by the app, rate-limited).
    AppPin,
    /// A keychain vault with an app passphrase (checked by the app, rate-limited).
    AppPassphrase,
    /// A keychain vault without an app lock: one click opens it; the lock only hides values.
    KeychainOnly,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub exists: bool,
    pub path: String,
    pub key_mode: Option<KeyModeDto>,
    pub lock_kind: Option<LockKind>,
    /// The vault file exists but cannot be opened (damaged, made by a newer Hush...).
    pub open_error: Option<crate::error::IpcError>,
    pub unlocked: bool,
    pub has_recovery: bool,
    pub keychain_ok: bool,
    /// Why the keychain is not usable, to show on first run.
    pub keychain_message: Option<String>,
}

#[derive(Debug, Serialize, TS, Clone)]
#[serde(rename_all = "camelCase")]
pub struct SecretRow {
    pub path: String,
    pub folder: String,
    pub name: String,
    pub kind: Kind,
    pub tags: Vec<String>,
    /// Searched along with the path and tags.
    pub description: Option<String>,
    pub updated_at: i64,
    pub expires_at: Option<i64>,
    pub version: u64,
}

impl From<&SecretMeta> for SecretRow {
    fn from(m: &SecretMeta) -> Self {
        SecretRow {
            path: m.path.clone(),
            folder: m.folder.clone(),
            name: m.name.clone(),
            kind: m.kind,
            tags: m.tags.clone(),
            description: m.description.clone(),
            updated_at: m.updated_at,
            expires_at: m.expires_at,
            version: m.version,
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretDetail {
    #[serde(flatten)]
    pub row: SecretRow,
    pub rotate_every_days: Option<u32>,
    pub last_rotated_at: Option<i64>,
    pub last_read_at: Option<i64>,
    pub created_at: i64,
    pub source: Option<String>,
    pub meta: BTreeMap<String, String>,
    pub versions_kept: Option<u32>,
}

impl From<&SecretMeta> for SecretDetail {
    fn from(m: &SecretMeta) -> Self {
        SecretDetail {
            row: m.into(),
            rotate_every_days: m.rotate_every_days,
            last_rotated_at: m.last_rotated_at,
            last_read_at: m.last_read_at,
            created_at: m.created_at,
            source: m.source.clone(),
            meta: m.meta.clone(),
            versions_kept: m.versions_kept,
        }
    }
}

#[derive(Debug, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ListRequest {
    pub folder: Option<String>,
    pub tag: Option<String>,
    /// Parsed on arrival: an unknown kind is refused by name.
    #[ts(as = "Option<Kind>")]
    pub kind: Option<String>,
    pub search: Option<String>,
}

#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveRequest {
    pub path: String,
    /// The new value; `None` changes metadata only (no new version).
    pub value: Option<String>,
    #[ts(as = "Option<Kind>")]
    pub kind: Option<String>,
    pub tags: Option<Vec<String>>,
    pub description: Option<String>,
    pub expires_at: Option<i64>,
    /// Removes the expiry (the editor's date field emptied); `expiresAt: null` alone keeps it.
    #[serde(default)]
    #[ts(optional)]
    pub clear_expiry: Option<bool>,
    pub rotate_every_days: Option<u32>,
    /// Check-and-set: the version the user was editing (0 for a new secret).
    pub cas: Option<u64>,
}

impl std::fmt::Debug for SaveRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaveRequest")
            .field("path", &self.path)
            .field("value", &self.value.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WriteResult {
    pub path: String,
    pub version: u64,
    pub created: bool,
}

/// A value the user asked to see. The only response type that carries one.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Revealed {
    pub path: String,
    pub version: u64,
    pub value: String,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("path", &self.path)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// Which part of a value to copy: all of it, or one field of structured credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CopyField {
    Value,
    Username,
    Password,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CopyResult {
    pub clears_in_secs: u32,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VersionRow {
    pub version: u64,
    pub created_at: i64,
    pub current: bool,
}

impl From<&VersionInfo> for VersionRow {
    fn from(v: &VersionInfo) -> Self {
        VersionRow { version: v.version, created_at: v.created_at, current: v.current }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrashRow {
    pub path: String,
    pub kind: Kind,
    pub version: u64,
    pub deleted_at: i64,
    /// `None`: not purged while the vault's settings are altered.
    pub purge_at: Option<i64>,
}

#[derive(Debug, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditQuery {
    pub path: Option<String>,
    /// Parsed on arrival: an unknown action is refused by name.
    #[ts(as = "Option<Action>")]
    pub action: Option<String>,
    pub since: Option<i64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub seq: i64,
    pub ts: i64,
    pub action: Action,
    pub path: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

impl From<AuditEntry> for AuditRow {
    fn from(e: AuditEntry) -> Self {
        AuditRow {
            seq: e.seq,
            ts: e.ts,
            action: e.action,
            path: e.path,
            outcome: e.outcome,
            detail: e.detail,
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditCheck {
    pub ok: bool,
    pub entries: i64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    pub day: i64,
    pub count: u64,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub secrets: u64,
    pub folders: u64,
    pub in_trash: u64,
    pub expiring: Vec<SecretRow>,
    pub stale: Vec<SecretRow>,
    pub activity: Vec<DayCount>,
}

#[derive(Debug, Serialize, Deserialize, TS, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDto {
    pub versions_kept: u32,
    pub trash_days: u32,
    pub auto_lock_secs: u32,
    pub clipboard_secs: u32,
}

/// Progress of long work (import, re-key, remote), sent over a Tauri Channel: `Started` first
/// (its id is what `work_cancel` takes), then steps, then `Finished`.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "event", content = "data")]
pub enum Progress {
    #[serde(rename_all = "camelCase")]
    Started { id: u64, cancellable: bool },
    #[serde(rename_all = "camelCase")]
    Step { done: u64, total: u64 },
    #[serde(rename_all = "camelCase")]
    Finished { message: String },
}

/// What an import does with secrets that exist with another value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OnExistingDto {
    /// Stop and show them.
    Refuse,
    Overwrite,
    Skip,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    /// A handle from `pick_file` (purpose `importEnv`).
    pub file: String,
    pub folder: String,
    pub on_existing: OnExistingDto,
    pub expand: bool,
    pub skip_invalid: bool,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportRow {
    pub line: u64,
    pub name: Option<String>,
    pub status: ImportStatus,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreviewDto {
    pub source: String,
    pub folder: String,
    /// At most [`MAX_PREVIEW_ROWS`] lines, in file order: those to look at (changed, skipped,
    /// invalid, or with a note) first, then the rest from the top. Every line is in the counts.
    pub rows: Vec<ImportRow>,
    /// How many lines the preview has in all (more than `rows` for a large file).
    pub rows_total: u64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub invalid: u64,
    pub warnings: Vec<String>,
    /// Why a commit would be refused as things stand (conflicts, invalid lines), if it would.
    pub blocker: Option<String>,
    /// Identifies this preview; the commit names it.
    pub digest: String,
}

impl From<&hush_core::ImportPreview> for ImportPreviewDto {
    fn from(p: &hush_core::ImportPreview) -> Self {
        ImportPreviewDto {
            source: p.source.clone(),
            folder: p.folder.clone(),
            rows: preview_rows(&p.items, MAX_PREVIEW_ROWS),
            rows_total: p.items.len() as u64,
            new: p.counts.new as u64,
            changed: p.counts.changed as u64,
            unchanged: p.counts.unchanged as u64,
            skipped: p.counts.skipped as u64,
            invalid: p.counts.invalid as u64,
            warnings: p.warnings.clone(),
            blocker: p.blocker().map(|e| e.to_string()),
            digest: p.digest.clone(),
        }
    }
}

/// The most preview lines sent to the page. A 100,000-line file once sent them all and the page
/// built a table row per line: the window froze for minutes and the web process took gigabytes.
/// The counts cover every line; the lines that need a look come first.
pub const MAX_PREVIEW_ROWS: usize = 2_000;

fn preview_rows(items: &[hush_core::ImportItem], max: usize) -> Vec<ImportRow> {
    use hush_core::ImportStatus::{Changed, Invalid, Skipped};
    let notable = |i: &hush_core::ImportItem| {
        matches!(i.status, Changed | Skipped | Invalid) || i.note.is_some()
    };
    let mut picked: Vec<&hush_core::ImportItem> =
        items.iter().filter(|i| notable(i)).take(max).collect();
    let room = max - picked.len();
    picked.extend(items.iter().filter(|i| !notable(i)).take(room));
    picked.sort_by_key(|i| i.line);
    picked
        .into_iter()
        .map(|i| ImportRow {
            line: i.line as u64,
            name: i.name.clone(),
            status: i.status,
            note: i.note.clone(),
        })
        .collect()
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    pub folder: String,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    /// Later folders win for the same name.
    pub folders: Vec<String>,
    pub format: ExportFormatDto,
    /// A handle from `pick_file` (purpose `export`).
    pub file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormatDto {
    Env,
    Json,
    Shell,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub count: u64,
    pub path: String,
    pub left_out: Vec<String>,
    pub not_portable: Vec<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupResult {
    pub file: String,
    pub secrets: u64,
    pub versions: u64,
    pub bytes: u64,
}

/// What a restored backup brought into its new vault.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreResult {
    /// The new vault file.
    pub vault: String,
    pub secrets: u64,
    pub versions: u64,
    pub trashed: u64,
    pub audit_entries: u64,
}

#[cfg(test)]
mod preview {
    use super::*;
    use hush_core::{ImportItem, ImportStatus};

    fn item(line: usize, status: ImportStatus) -> ImportItem {
        ImportItem { line, name: Some(format!("K{line}")), status, note: None, current_version: 0 }
    }

    #[test]
    fn a_large_preview_sends_the_lines_to_look_at_first_in_file_order() {
        let mut items: Vec<_> = (1..=10_000).map(|l| item(l, ImportStatus::New)).collect();
        items[9_000] = item(9_001, ImportStatus::Invalid);
        items[5_000] = item(5_001, ImportStatus::Changed);
        items[7_000].note = Some("a dangerous name".into());
        let rows = preview_rows(&items, 100);
        assert_eq!(rows.len(), 100);
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "file order");
        assert!([5_001, 7_001, 9_001].iter().all(|l| lines.contains(l)), "{lines:?}");
        assert_eq!(lines[..97], (1..=97).collect::<Vec<u64>>()[..], "then the top of the file");
        assert_eq!(preview_rows(&items[..10], 100).len(), 10, "a small file: every line");
    }
}

#[cfg(test)]
mod bindings {
    //! Writes `ui/src/lib/bindings.ts` and fails if the committed file was out of date, so the
    //! UI's TypeScript always matches these types.
    use super::*;
    use ts_rs::{Config, TS};

    #[test]
    fn typescript_bindings_are_current() {
        let cfg = Config::new().with_large_int("number");
        let decls = [
            hush_core::ErrorKind::decl(&cfg),
            Kind::decl(&cfg),
            Action::decl(&cfg),
            Outcome::decl(&cfg),
            ImportStatus::decl(&cfg),
            KeyModeDto::decl(&cfg),
            LockKind::decl(&cfg),
            crate::applock::AppLockKind::decl(&cfg),
            crate::picks::PickPurpose::decl(&cfg),
            crate::picks::PickedFile::decl(&cfg),
            OnExistingDto::decl(&cfg),
            CopyField::decl(&cfg),
            ExportFormatDto::decl(&cfg),
            VaultStatus::decl(&cfg),
            SecretRow::decl(&cfg),
            SecretDetail::decl(&cfg),
            ListRequest::decl(&cfg),
            SaveRequest::decl(&cfg),
            WriteResult::decl(&cfg),
            Revealed::decl(&cfg),
            CopyResult::decl(&cfg),
            VersionRow::decl(&cfg),
            TrashRow::decl(&cfg),
            AuditQuery::decl(&cfg),
            AuditRow::decl(&cfg),
            AuditCheck::decl(&cfg),
            DayCount::decl(&cfg),
            Overview::decl(&cfg),
            SettingsDto::decl(&cfg),
            Progress::decl(&cfg),
            crate::error::IpcError::decl(&cfg),
            ImportRequest::decl(&cfg),
            ImportRow::decl(&cfg),
            ImportPreviewDto::decl(&cfg),
            ImportResult::decl(&cfg),
            ExportRequest::decl(&cfg),
            ExportResult::decl(&cfg),
            BackupResult::decl(&cfg),
            RestoreResult::decl(&cfg),
            crate::commands::about::AboutDto::decl(&cfg),
        ];
        let decls = decls
            .into_iter()
            .chain(crate::dto_remote::declarations(&cfg))
            .chain(crate::dto_project::declarations(&cfg))
            .chain(crate::dto_life::declarations(&cfg));
        let mut out = String::from("// Generated from src-tauri/src/dto.rs by `cargo test -p hush-desktop`. Do not edit.\n\n");
        for d in decls {
            out.push_str("export ");
            out.push_str(&d);
            out.push_str("\n\n");
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings.ts");
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != out {
            std::fs::write(&path, &out).unwrap();
            panic!("ui/src/lib/bindings.ts was out of date and has been regenerated; rebuild the UI and commit it");
        }
    }
}
