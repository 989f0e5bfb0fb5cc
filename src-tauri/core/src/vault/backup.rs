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
//! and tags, the settings, the `.env` layouts, and the audit log with its hash chain, which
//! restore keeps verbatim and extends. Restore reads and checks everything before it creates the
//! new vault file, and removes that file if anything fails after: never a partial restore.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::import::{get_layout, put_layout, read_bounded};
use super::secrets::{meta_from_row, version_aad, META_COLUMNS};
use super::{Protection, Vault};
use crate::audit::{self, Action};
use crate::crypto::{self, KdfParams};
use crate::envfile::Layout;
use crate::error::{Error, Result};
use crate::fsutil::write_private_atomic;
use crate::model::Kind;
use crate::path::SecretPath;
use crate::secret::{Key32, Passphrase};

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
            source_vault: self.vault_id.clone(),
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
        self.audit_event(Action::Export, None, "ok", Some(&detail))?;
        Ok(report)
    }

    fn dump(&self) -> Result<Payload> {
        let key = self.data_key()?;
        let (versions_kept, trash_days): (u32, u32) = self.conn.query_row(
            "SELECT versions_kept, trash_days FROM vault WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut st = self.conn.prepare("SELECT key, value FROM settings")?;
        let settings =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut st =
            self.conn.prepare(&format!("SELECT {META_COLUMNS} FROM secrets ORDER BY id"))?;
        let metas = st
            .query_map([], |r| meta_from_row(&self.conn, r))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut secrets = Vec::with_capacity(metas.len());
        let mut vst = self.conn.prepare("SELECT version, created_at, ciphertext FROM versions WHERE secret_id = ?1 ORDER BY version")?;
        for m in metas {
            let rows = vst.query_map([m.id], |r| {
                Ok((r.get::<_, u64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?))
            })?;
            let mut versions = Vec::new();
            for row in rows {
                let (version, created_at, ct) = row?;
                let pt = crypto::open(key, &version_aad(&self.vault_id, m.id, version), &ct)
                    .ok_or_else(|| Error::Integrity {
                        what: format!(
                            "'{}' version {version} (backup stopped; nothing written)",
                            m.path
                        ),
                    })?;
                let text = String::from_utf8(pt.to_vec()).map_err(|_| Error::Integrity {
                    what: format!("'{}' version {version}", m.path),
                })?;
                versions.push(BVersion { version, created_at, value: Val(Zeroizing::new(text)) });
            }
            secrets.push(BSecret {
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
                current_version: m.version,
                created_at: m.created_at,
                updated_at: m.updated_at,
                last_read_at: m.last_read_at,
                deleted_at: m.deleted_at,
                versions,
            });
        }
        let mut layouts = Vec::new();
        let mut lst = self
            .conn
            .prepare("SELECT folder, source, updated_at FROM env_layouts ORDER BY folder")?;
        let rows = lst.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?))
        })?;
        for row in rows {
            let (folder, source, updated_at) = row?;
            if let Some(layout) = get_layout(&self.conn, key, &self.vault_id, &folder)? {
                layouts.push(BLayout { folder, source, layout, updated_at });
            }
        }
        let mut ast = self.conn.prepare("SELECT seq, ts, action, path, outcome, detail, prev_hash, hash FROM audit ORDER BY seq")?;
        let audit = ast
            .query_map([], |r| {
                Ok(BAudit {
                    seq: r.get(0)?,
                    ts: r.get(1)?,
                    action: r.get(2)?,
                    path: r.get(3)?,
                    outcome: r.get(4)?,
                    detail: r.get(5)?,
                    prev_hash: hex::encode(r.get::<_, Vec<u8>>(6)?),
                    hash: hex::encode(r.get::<_, Vec<u8>>(7)?),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Payload { versions_kept, trash_days, settings, secrets, layouts, audit })
    }

    /// Restores a backup into a new vault file at `new_vault`, protected by `protection` (this
    /// machine's keychain, or a new passphrase). The backup is read, decrypted and checked in
    /// full first; a wrong passphrase, a damaged or truncated file writes nothing.
    pub fn restore_backup(
        backup: &Path,
        passphrase: &Passphrase,
        new_vault: &Path,
        protection: Protection<'_>,
    ) -> Result<(Vault, BackupReport)> {
        let bytes = read_bounded(backup, MAX_BACKUP)?;
        let payload = open_backup(&bytes, passphrase)?;
        validate(&payload)?;
        if new_vault.exists() {
            return Err(Error::VaultExists { path: new_vault.into() });
        }
        let mut v = Vault::create(new_vault, protection)?;
        match v.load(&payload, backup) {
            Ok(report) => Ok((v, BackupReport { bytes: bytes.len() as u64, ..report })),
            Err(e) => {
                drop(v);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", new_vault.display()));
                }
                Err(e)
            }
        }
    }

    fn load(&mut self, p: &Payload, backup: &Path) -> Result<BackupReport> {
        let key: Key32 = self.data_key()?.duplicate();
        let vault_id = self.vault_id.clone();
        let tx = self.tx()?;
        // The backup's audit log is kept verbatim (its chain still verifies); this vault's own
        // `init` entry is replaced by entries appended after it.
        tx.execute("DELETE FROM audit", [])?;
        tx.execute("UPDATE vault SET audit_head_seq = 0, audit_head_hash = NULL, versions_kept = ?1, trash_days = ?2 WHERE id = 1", params![p.versions_kept, p.trash_days])?;
        for a in &p.audit {
            let (prev, hash) = (
                hex::decode(&a.prev_hash).unwrap_or_default(),
                hex::decode(&a.hash).unwrap_or_default(),
            );
            tx.execute(
                "INSERT INTO audit (seq, ts, action, path, outcome, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![a.seq, a.ts, a.action, a.path, a.outcome, a.detail, prev, hash],
            )?;
        }
        if let Some(last) = p.audit.last() {
            tx.execute(
                "UPDATE vault SET audit_head_seq = ?1, audit_head_hash = ?2 WHERE id = 1",
                params![last.seq, hex::decode(&last.hash).unwrap_or_default()],
            )?;
        }
        for (k, val) in &p.settings {
            tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", params![k, val])?;
        }
        let mut versions = 0;
        for s in &p.secrets {
            let path = SecretPath::parse(&s.path)?;
            tx.execute(
                "INSERT INTO secrets (folder, name, path, kind, description, expires_at, rotate_every_days, last_rotated_at, source, meta,
                    versions_kept, current_version, created_at, updated_at, last_read_at, deleted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![path.folder(), path.name(), path.to_string(), s.kind, s.description, s.expires_at, s.rotate_every_days,
                        s.last_rotated_at, s.source, serde_json::to_string(&s.meta).expect("map"), s.versions_kept, s.current_version,
                        s.created_at, s.updated_at, s.last_read_at, s.deleted_at],
            )?;
            let id = tx.last_insert_rowid();
            for t in &s.tags {
                tx.execute(
                    "INSERT OR IGNORE INTO secret_tags (secret_id, tag) VALUES (?1, ?2)",
                    params![id, t],
                )?;
            }
            for ver in &s.versions {
                let ct = crypto::seal(
                    &key,
                    &version_aad(&vault_id, id, ver.version),
                    ver.value.0.as_bytes(),
                );
                tx.execute("INSERT INTO versions (secret_id, version, ciphertext, created_at) VALUES (?1, ?2, ?3, ?4)", params![id, ver.version, ct, ver.created_at])?;
                versions += 1;
            }
        }
        for l in &p.layouts {
            put_layout(
                &tx,
                &key,
                &vault_id,
                &l.folder,
                l.source.as_deref(),
                &l.layout,
                l.updated_at,
            )?;
        }
        audit::append(&tx, Action::Init, None, "ok", Some("restored from a backup"))?;
        let detail = format!(
            "restore from backup {}: {} secret(s), {} version(s)",
            backup.display(),
            p.secrets.len(),
            versions
        );
        audit::append(&tx, Action::Import, None, "ok", Some(&detail))?;
        let head: Option<i64> = tx
            .query_row("SELECT audit_head_seq FROM vault WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        tx.commit()?;
        Ok(BackupReport {
            file: backup.display().to_string(),
            secrets: p.secrets.len(),
            versions,
            trashed: p.secrets.iter().filter(|s| s.deleted_at.is_some()).count(),
            audit_entries: head.unwrap_or(0) as usize,
            bytes: 0,
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

/// Checks what restore would write: paths, kinds, versions and audit hashes.
fn validate(p: &Payload) -> Result<()> {
    let bad = |what: String| Error::Backup(format!("is inconsistent ({what})"));
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
        if !s.versions.iter().any(|v| v.version == s.current_version) {
            return Err(bad(format!("'{}' lacks its current version", s.path)));
        }
    }
    for a in &p.audit {
        if hex::decode(&a.prev_hash).is_err() || hex::decode(&a.hash).is_err() {
            return Err(bad("an audit entry's hash is unreadable".into()));
        }
    }
    Ok(())
}
