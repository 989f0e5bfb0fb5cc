//! Encrypted backup of the whole vault, and restoring one into a new vault file (another machine,
//! another keychain or passphrase).
//!
//! File format v1 (all integers big-endian):
//! `b"HUSHBAK\0"` | version `0x01` | header length (u32) | header (JSON) | payload length (u64) |
//! payload. The header holds the Argon2id parameters (bounded on read, as for vault passphrases),
//! when and from which vault it was made, and a check blob that tells a wrong passphrase from a
//! damaged file. The payload is `crypto::seal` (AES-256-GCM) of the vault as JSON, under the
//! passphrase key, with the header bytes as AAD, so neither can be altered or swapped.
//!
//! The payload has every secret (live and trashed) with every kept version's value, its metadata
//! and tags, the settings, the `.env` layouts, and the audit log with its chain (and, per entry,
//! whether its link held), which restore re-chains under the new vault's key and extends. Restore
//! reads and checks everything first, then builds the new vault beside its final name and links
//! it into place complete (see `create.rs`): never a partial restore.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::import::{get_layout, put_layout, read_bounded};
use super::secrets::{check_row, checked_settings, MAX_VALUE_BYTES};
use super::{put_settings, Protection, Settings, Vault};
use crate::audit::{self, Action, Outcome};
use crate::crypto::{self, KdfParams};
use crate::envfile::Layout;
use crate::error::{Error, Result};
use crate::fsutil::write_private_atomic;
use crate::keys::Keys;
use crate::lifecycle::{Policy, Strategy};
use crate::model::Kind;
use crate::path::SecretPath;
use crate::secret::Passphrase;
use crate::store::{AuditRow, SecretRow, Tx, VersionRow, Write};

const MAGIC: &[u8; 8] = b"HUSHBAK\0";
const FORMAT: u8 = 1;
const MAX_HEADER: usize = 64 * 1024;
/// Largest backup read: 4 GiB.
const MAX_BACKUP: usize = 4 * 1024 * 1024 * 1024;
const CHECK: &[u8] = b"hush-backup-check";

/// A value inside the backup payload; zeroized on drop, serialised only here.
struct Val(Zeroizing<String>);

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Val(Zeroizing::new(String::deserialize(d)?)))
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    kdf: KdfParams,
    created_at: i64,
    source_vault: String,
    /// `seal(key, "hush/v1/backup-check|<salt>", CHECK)`, hex.
    check: String,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    versions_kept: u32,
    trash_days: u32,
    settings: BTreeMap<String, String>,
    secrets: Vec<BSecret>,
    layouts: Vec<BLayout>,
    audit: Vec<BAudit>,
}

#[derive(Serialize, Deserialize)]
struct BSecret {
    path: String,
    kind: String,
    description: Option<String>,
    tags: Vec<String>,
    expires_at: Option<i64>,
    rotate_every_days: Option<u32>,
    last_rotated_at: Option<i64>,
    source: Option<String>,
    meta: BTreeMap<String, String>,
    versions_kept: Option<u32>,
    current_version: u64,
    created_at: i64,
    updated_at: i64,
    last_read_at: Option<i64>,
    deleted_at: Option<i64>,
    versions: Vec<BVersion>,
    /// Schema 6 on: the rotation policy (absent in older backups: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy: Option<BPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_checked_at: Option<i64>,
}

/// A rotation policy as the backup carries it; restored under the new vault's MAC.
#[derive(Serialize, Deserialize)]
struct BPolicy {
    strategy: Option<String>,
    handler: Option<String>,
    then: Option<String>,
    timeout_secs: Option<u32>,
    check: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct BVersion {
    version: u64,
    created_at: i64,
    value: Val,
}

#[derive(Serialize, Deserialize)]
struct BLayout {
    folder: String,
    source: Option<String>,
    layout: Layout,
    updated_at: i64,
}

#[derive(Serialize, Deserialize)]
struct BAudit {
    seq: i64,
    ts: i64,
    action: String,
    path: Option<String>,
    outcome: String,
    detail: Option<String>,
    prev_hash: String,
    hash: String,
    /// Format 2 on: whether the link is keyed (absent in older backups: unkeyed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keyed: Option<bool>,
    /// Format 2 on: whether the link held in the vault the backup was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sound: Option<bool>,
}

/// What a backup holds (never a value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    pub file: String,
    pub secrets: usize,
    pub versions: usize,
    pub trashed: usize,
    pub audit_entries: usize,
    pub bytes: u64,
}

fn check_aad(kdf: &KdfParams) -> Vec<u8> {
    format!("hush/v1/backup-check|{}", kdf.salt).into_bytes()
}

fn payload_aad(header: &[u8]) -> Vec<u8> {
    let mut a = b"hush/v1/backup|".to_vec();
    a.extend_from_slice(header);
    a
}

impl Vault {
    /// Writes an encrypted backup of the whole vault to `out` (atomically, mode 0600), under a
    /// key derived from `passphrase` with Argon2id. One audit entry.
    pub fn backup(&mut self, out: &Path, passphrase: &Passphrase) -> Result<BackupReport> {
        if passphrase.expose().is_empty() {
            return Err(Error::InvalidInput("the backup passphrase is empty".into()));
        }
        let payload = self.dump()?;
        let kdf = KdfParams::new_random();
        let bkey = kdf.derive(passphrase)?;
        let header = Header {
            check: hex::encode(crypto::seal(&bkey, &check_aad(&kdf), CHECK)),
            kdf,
            created_at: crate::timefmt::now(),
            source_vault: self.header.vault_id.clone(),
        };
        let header = serde_json::to_vec(&header).expect("header serialises");
        let mut plain = Zeroizing::new(Vec::with_capacity(64 * 1024));
        serde_json::to_writer(&mut *plain, &payload).expect("payload serialises");
        let sealed = crypto::seal(&bkey, &payload_aad(&header), &plain);
        let mut file = Vec::with_capacity(MAGIC.len() + 13 + header.len() + sealed.len());
        file.extend_from_slice(MAGIC);
        file.push(FORMAT);
        file.extend_from_slice(&(header.len() as u32).to_be_bytes());
        file.extend_from_slice(&header);
        file.extend_from_slice(&(sealed.len() as u64).to_be_bytes());
        file.extend_from_slice(&sealed);
        write_private_atomic(out, &file)?;
        let report = BackupReport {
            file: out.display().to_string(),
            secrets: payload.secrets.len(),
            versions: payload.secrets.iter().map(|s| s.versions.len()).sum(),
            trashed: payload.secrets.iter().filter(|s| s.deleted_at.is_some()).count(),
            audit_entries: payload.audit.len(),
            bytes: file.len() as u64,
        };
        let detail = format!(
            "backup to {}: {} secret(s), {} version(s)",
            report.file, report.secrets, report.versions
        );
        self.audit_event(Action::Export, None, Outcome::Ok, Some(&detail))?;
        Ok(report)
    }

    fn dump(&self) -> Result<Payload> {
        let keys = self.keys()?;
        let tx = self.store.read()?;
        let stored = checked_settings(&tx, keys)?;
        let settings = BTreeMap::from([
            ("auto_lock_secs".to_string(), stored.auto_lock_secs.to_string()),
            ("clipboard_secs".to_string(), stored.clipboard_secs.to_string()),
        ]);
        let mut versions: BTreeMap<i64, Vec<BVersion>> = BTreeMap::new();
        let rows: BTreeMap<i64, SecretRow> =
            tx.all_secrets()?.into_iter().map(|r| (r.id, r)).collect();
        for r in rows.values() {
            check_row(&tx, keys, r).map_err(stopped)?;
        }
        for v in tx.all_versions()? {
            let Some(r) = rows.get(&v.secret_id) else { continue };
            let value = keys.open_version(r.id, &r.path, v.version, &v.sealed).map_err(stopped)?;
            let text = String::from_utf8(value.expose().to_vec()).map_err(|_| {
                stopped(Error::Integrity { what: format!("'{}' version {}", r.path, v.version) })
            })?;
            let b = BVersion {
                version: v.version,
                created_at: v.created_at,
                value: Val(Zeroizing::new(text)),
            };
            versions.entry(v.secret_id).or_default().push(b);
        }
        let secrets = rows.into_values().map(|m| BSecret {
            versions: versions.remove(&m.id).unwrap_or_default(),
            path: m.path,
            kind: m.kind.as_str().to_string(),
            description: m.description,
            tags: m.tags,
            expires_at: m.expires_at,
            rotate_every_days: m.rotate_every_days,
            last_rotated_at: m.last_rotated_at,
            source: m.source,
            meta: m.meta,
            versions_kept: m.versions_kept,
            current_version: m.current_version,
            created_at: m.created_at,
            updated_at: m.updated_at,
            last_read_at: m.last_read_at,
            deleted_at: m.deleted_at,
            policy: (!m.policy.is_empty()).then(|| BPolicy {
                strategy: m.policy.strategy.map(|s| s.as_str().to_string()),
                handler: m.policy.handler,
                then: m.policy.then,
                timeout_secs: m.policy.timeout_secs,
                check: m.policy.check,
            }),
            last_checked_at: m.last_checked_at,
        });
        let mut layouts = Vec::new();
        for folder in tx.layout_folders()? {
            let row = tx.layout(&folder)?.expect("listed just now, in the same snapshot");
            if let Some(layout) = get_layout(&tx, keys, &folder)? {
                layouts.push(BLayout {
                    folder,
                    source: row.source,
                    layout,
                    updated_at: row.updated_at,
                });
            }
        }
        // Each entry carries whether its link held here: the restored vault re-chains the log
        // under its own key and keeps a broken entry broken.
        let sound = audit::sound_links(&tx, Some(keys))?;
        let audit = tx
            .audit_all()?
            .into_iter()
            .zip(sound)
            .map(|(r, ok)| BAudit {
                seq: r.seq,
                ts: r.ts,
                action: r.action,
                path: r.path,
                outcome: r.outcome,
                detail: r.detail,
                prev_hash: hex::encode(r.prev_hash),
                hash: hex::encode(r.hash),
                keyed: Some(r.mac.is_some()),
                sound: Some(ok),
            })
            .collect();
        Ok(Payload {
            versions_kept: stored.versions_kept,
            trash_days: stored.trash_days,
            settings,
            secrets: secrets.collect(),
            layouts,
            audit,
        })
    }

    /// Restores a backup into a new vault file at `new_vault`, protected by `protection` (this
    /// machine's keychain, or a new passphrase). The backup is read, decrypted and checked in
    /// full first; the new vault is built beside its final name and appears only when complete.
    pub fn restore_backup(
        backup: &Path,
        passphrase: &Passphrase,
        new_vault: &Path,
        protection: Protection<'_>,
    ) -> Result<(Vault, BackupReport)> {
        let bytes = read_bounded(backup, MAX_BACKUP)?;
        let payload = open_backup(&bytes, passphrase)?;
        let settings = validate(&payload)?;
        let (v, report) =
            Vault::build(new_vault, protection, |v| v.load(&payload, &settings, backup))?;
        Ok((v, BackupReport { bytes: bytes.len() as u64, ..report }))
    }

    fn load(&mut self, p: &Payload, settings: &Settings, backup: &Path) -> Result<BackupReport> {
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        put_settings(&tx, keys, settings)?;
        // The backup's log is kept (its entries re-MAC'd under this vault's key, a broken one
        // staying broken); this vault's own `init` entry is replaced by the entries after it.
        tx.clear_audit()?;
        let mut sound = Vec::with_capacity(p.audit.len());
        let mut prev = vec![0u8; 32];
        for a in &p.audit {
            let mut row = a.row()?;
            let link_ok = row.prev_hash == prev && audit::sha_link_ok(&row);
            sound.push(link_ok && a.sound.unwrap_or(true));
            prev = row.hash.clone();
            // A placeholder marks the entries that were keyed: `remac` gives them this vault's
            // MAC when they hold, and a broken one keeps this (never valid) value.
            row.mac = a.keyed.unwrap_or(false).then(|| vec![0u8; 32]);
            tx.insert_audit(&row)?;
        }
        audit::remac(&tx, keys, &sound)?;
        let mut versions = 0;
        for s in &p.secrets {
            versions += load_secret(&tx, keys, s)?;
        }
        for l in &p.layouts {
            put_layout(&tx, keys, &l.folder, l.source.as_deref(), &l.layout, l.updated_at)?;
        }
        audit::append(
            &tx,
            Some(keys),
            Action::Init,
            None,
            Outcome::Ok,
            Some("restored from a backup"),
        )?;
        let detail = format!(
            "restore from backup {}: {} secret(s), {} version(s)",
            backup.display(),
            p.secrets.len(),
            versions
        );
        audit::append(&tx, Some(keys), Action::Import, None, Outcome::Ok, Some(&detail))?;
        let entries = tx.audit_head()?.seq;
        tx.commit()?;
        Ok(BackupReport {
            file: backup.display().to_string(),
            secrets: p.secrets.len(),
            versions,
            trashed: p.secrets.iter().filter(|s| s.deleted_at.is_some()).count(),
            audit_entries: entries as usize,
            bytes: 0,
        })
    }
}

/// A secret of the payload, sealed for this vault. Returns how many versions it has.
fn load_secret(tx: &Tx<'_, Write>, keys: &Keys, s: &BSecret) -> Result<usize> {
    let path = SecretPath::parse(&s.path)?;
    let mut row = SecretRow::new(
        path.folder(),
        path.name(),
        &path.to_string(),
        Kind::parse(&s.kind)?,
        s.created_at,
    );
    row.description.clone_from(&s.description);
    row.tags.clone_from(&s.tags);
    row.expires_at = s.expires_at;
    row.rotate_every_days = s.rotate_every_days;
    row.last_rotated_at = s.last_rotated_at;
    row.source.clone_from(&s.source);
    row.meta.clone_from(&s.meta);
    row.versions_kept = s.versions_kept;
    row.current_version = s.current_version;
    row.updated_at = s.updated_at;
    row.last_read_at = s.last_read_at;
    row.deleted_at = s.deleted_at;
    row.last_checked_at = s.last_checked_at;
    if let Some(p) = &s.policy {
        row.policy = Policy {
            strategy: p.strategy.as_deref().map(Strategy::parse).transpose()?,
            handler: p.handler.clone(),
            then: p.then.clone(),
            timeout_secs: p.timeout_secs,
            check: p.check.clone(),
        };
    }
    tx.insert_secret(keys, &mut row)?;
    for ver in &s.versions {
        let sealed = keys.seal_version(row.id, &row.path, ver.version, ver.value.0.as_bytes());
        tx.insert_version(&VersionRow {
            secret_id: row.id,
            version: ver.version,
            sealed,
            created_at: ver.created_at,
        })?;
    }
    Ok(s.versions.len())
}

/// A backup stops at the first damaged record or version, and writes nothing.
fn stopped(e: Error) -> Error {
    match e {
        Error::Integrity { what } => {
            Error::Integrity { what: format!("{what} (backup stopped; nothing written)") }
        }
        other => other,
    }
}

impl BAudit {
    fn row(&self) -> Result<AuditRow> {
        let bad = || Error::Backup("is inconsistent (an audit entry's hash is unreadable)".into());
        Ok(AuditRow {
            seq: self.seq,
            ts: self.ts,
            action: self.action.clone(),
            path: self.path.clone(),
            outcome: self.outcome.clone(),
            detail: self.detail.clone(),
            prev_hash: hex::decode(&self.prev_hash).map_err(|_| bad())?,
            hash: hex::decode(&self.hash).map_err(|_| bad())?,
            mac: None,
        })
    }
}

/// Parses, checks and decrypts a backup file. Every failure is a clear error, before any write.
fn open_backup(bytes: &[u8], passphrase: &Passphrase) -> Result<Payload> {
    let damaged = |what: &str| Error::Backup(what.to_string());
    if bytes.len() < MAGIC.len() + 5 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(damaged("is not a Hush backup (no HUSHBAK header), or is truncated"));
    }
    if bytes[MAGIC.len()] != FORMAT {
        return Err(damaged(&format!(
            "has format version {}, which this Hush does not read; upgrade Hush",
            bytes[MAGIC.len()]
        )));
    }
    let mut at = MAGIC.len() + 1;
    let hlen = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
    at += 4;
    if hlen > MAX_HEADER {
        return Err(damaged("is damaged (its header length is out of bounds)"));
    }
    if bytes.len() < at + hlen + 8 {
        return Err(damaged("is truncated (it ends inside its header)"));
    }
    let header_bytes = &bytes[at..at + hlen];
    at += hlen;
    let plen = u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    at += 8;
    let have = (bytes.len() - at) as u64;
    if have < plen {
        return Err(damaged(&format!("is truncated ({have} of {plen} payload bytes)")));
    }
    if have > plen {
        return Err(damaged("is damaged (data after its end)"));
    }
    let header: Header = serde_json::from_slice(header_bytes)
        .map_err(|_| damaged("is damaged (unreadable header)"))?;
    // Bounded KDF parameters: a hostile header cannot make us allocate gigabytes.
    header
        .kdf
        .check()
        .map_err(|_| damaged("is damaged or hostile (key-derivation parameters out of bounds)"))?;
    let bkey = header.kdf.derive(passphrase)?;
    let check =
        hex::decode(&header.check).map_err(|_| damaged("is damaged (unreadable header)"))?;
    if crypto::open(&bkey, &check_aad(&header.kdf), &check).is_none_or(|c| c.as_slice() != CHECK) {
        return Err(Error::WrongPassphrase);
    }
    let plain = crypto::open(&bkey, &payload_aad(header_bytes), &bytes[at..])
        .ok_or_else(|| damaged("is damaged or was altered (it does not decrypt)"))?;
    serde_json::from_slice(&plain).map_err(|_| damaged("is damaged (its contents do not parse)"))
}

/// Checks what restore would write: paths, kinds, versions, audit hashes, and the settings with
/// the same ranges `settings` and `set` apply (a hostile `versions_kept = 0` would delete every
/// version on the next write). Returns the settings to restore.
fn validate(p: &Payload) -> Result<Settings> {
    let bad = |what: String| Error::Backup(format!("is inconsistent ({what})"));
    let mut settings = Settings {
        versions_kept: p.versions_kept,
        trash_days: p.trash_days,
        ..Settings::default()
    };
    for (k, v) in &p.settings {
        let n: u32 = v
            .parse()
            .map_err(|_| bad(format!("the setting '{}' is not a number", k.escape_debug())))?;
        match k.as_str() {
            "auto_lock_secs" => settings.auto_lock_secs = n,
            "clipboard_secs" => settings.clipboard_secs = n,
            _ => {
                return Err(bad(format!(
                    "the setting '{}' is unknown to this Hush",
                    k.escape_debug()
                )))
            }
        }
    }
    settings.check().map_err(|e| bad(e.to_string()))?;
    let options = p.secrets.iter().map(|s| (s.path.as_str(), s.versions_kept, s.rotate_every_days));
    crate::ranges::check_restored(p.versions_kept, p.trash_days, &p.settings, options)
        .map_err(|e| bad(format!("{e}")))?;
    let mut live = std::collections::HashSet::new();
    for s in &p.secrets {
        SecretPath::parse(&s.path).map_err(|_| bad("a secret path is invalid".into()))?;
        Kind::parse(&s.kind).map_err(|_| bad(format!("'{}' has an unknown kind", s.path)))?;
        if s.deleted_at.is_none() && !live.insert(s.path.as_str()) {
            return Err(bad(format!("'{}' is live twice", s.path)));
        }
        if s.versions.iter().map(|v| v.version).max() != Some(s.current_version) {
            return Err(bad(format!("'{}' lacks its current version, or has newer ones", s.path)));
        }
        if s.versions.iter().any(|v| v.value.0.len() > MAX_VALUE_BYTES) {
            return Err(bad(format!("'{}' has a value over the size limit", s.path)));
        }
    }
    for a in &p.audit {
        if hex::decode(&a.prev_hash).is_err() || hex::decode(&a.hash).is_err() {
            return Err(bad("an audit entry's hash is unreadable".into()));
        }
    }
    Ok(settings)
}
