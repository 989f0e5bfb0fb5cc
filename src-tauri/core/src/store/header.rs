//! The vault row (identity, key mode, format, audit head), the wrapped data keys, and settings.

use rusqlite::{params, OptionalExtension};

use super::{bad_row, Tx, Write};
use crate::crypto::{KdfParams, Sealed};
use crate::error::Result;
use crate::keys::{Keys, MacInput};
use crate::model::KeyMode;

/// The vault row.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub vault_id: String,
    pub key_mode: KeyMode,
    pub keychain_account: Option<String>,
    /// Bumped by every re-key.
    pub key_generation: i64,
    /// 1: values bound without their path, no row MACs; 2: no state root (both upgraded at the
    /// next unlock); 3: now.
    pub format: i64,
}

/// How a copy of the data key is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WrapKind {
    Keychain,
    Passphrase,
    Recovery,
}

impl WrapKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WrapKind::Keychain => "keychain",
            WrapKind::Passphrase => "passphrase",
            WrapKind::Recovery => "recovery",
        }
    }
    pub(crate) fn of_mode(mode: KeyMode) -> WrapKind {
        match mode {
            KeyMode::Keychain => WrapKind::Keychain,
            KeyMode::Passphrase => WrapKind::Passphrase,
        }
    }
}

/// One wrapped copy of the data key.
pub(crate) struct WrapRow {
    pub wrapped: Sealed,
    pub kdf: Option<KdfParams>,
}

/// Vault-wide settings as stored, with their MAC. A missing row is its default.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredSettings {
    pub versions_kept: u32,
    pub trash_days: u32,
    pub auto_lock_secs: u32,
    pub clipboard_secs: u32,
    pub mac: Option<Vec<u8>>,
}

/// The keys of the `settings` table this Hush knows, with their defaults.
const SETTING_KEYS: [(&str, u32); 2] = [("auto_lock_secs", 300), ("clipboard_secs", 30)];

impl StoredSettings {
    pub(crate) fn mac_input(&self) -> MacInput {
        MacInput::new("hush/v2/settings")
            .int(self.versions_kept.into())
            .int(self.trash_days.into())
            .int(self.auto_lock_secs.into())
            .int(self.clipboard_secs.into())
    }
}

fn parse_mode(s: &str) -> Result<KeyMode> {
    match s {
        "keychain" => Ok(KeyMode::Keychain),
        "passphrase" => Ok(KeyMode::Passphrase),
        other => {
            Err(bad_row("the vault header", format!("unknown key mode '{}'", other.escape_debug())))
        }
    }
}

impl<M> Tx<'_, M> {
    pub(crate) fn header(&self) -> Result<Header> {
        let row = self
            .c()
            .query_row("SELECT * FROM vault WHERE id = 1", [], |r| {
                Ok((
                    r.get::<_, String>("vault_id")?,
                    r.get::<_, String>("key_mode")?,
                    r.get::<_, Option<String>>("keychain_account")?,
                    r.get::<_, i64>("key_generation")?,
                    // Absent before schema 5 (a read-only look at an older vault): format 1.
                    r.get::<_, i64>("format").unwrap_or(1),
                ))
            })
            .optional()?;
        let (vault_id, mode, keychain_account, key_generation, format) =
            row.ok_or_else(|| bad_row("the vault header", "missing"))?;
        if !(1..=3).contains(&format) {
            return Err(bad_row("the vault header", format!("unknown format {format}")));
        }
        Ok(Header {
            vault_id,
            key_mode: parse_mode(&mode)?,
            keychain_account,
            key_generation,
            format,
        })
    }

    pub(crate) fn wrap(&self, kind: WrapKind) -> Result<Option<WrapRow>> {
        let row: Option<(Vec<u8>, Option<String>)> = self
            .c()
            .query_row("SELECT wrapped, kdf FROM key_wraps WHERE kind = ?1", [kind.as_str()], |r| {
                Ok((r.get("wrapped")?, r.get("kdf")?))
            })
            .optional()?;
        let Some((wrapped, kdf)) = row else { return Ok(None) };
        let what = || format!("the {} key wrap", kind.as_str());
        let kdf = match kdf {
            Some(k) => Some(
                serde_json::from_str::<KdfParams>(&k)
                    .map_err(|_| bad_row(what(), "unreadable key-derivation parameters"))?,
            ),
            None => None,
        };
        Ok(Some(WrapRow { wrapped: Sealed::stored(wrapped), kdf }))
    }

    pub(crate) fn has_wrap(&self, kind: WrapKind) -> Result<bool> {
        let n: i64 = self.c().query_row(
            "SELECT count(*) FROM key_wraps WHERE kind = ?1",
            [kind.as_str()],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    pub(crate) fn settings(&self) -> Result<StoredSettings> {
        let (versions_kept, trash_days, mac): (u32, u32, Option<Vec<u8>>) = self
            .c()
            .prepare_cached(
                "SELECT versions_kept, trash_days, settings_mac FROM vault WHERE id = 1",
            )?
            .query_row([], |r| {
                Ok((r.get("versions_kept")?, r.get("trash_days")?, r.get("settings_mac")?))
            })?;
        let mut s = StoredSettings {
            versions_kept,
            trash_days,
            auto_lock_secs: SETTING_KEYS[0].1,
            clipboard_secs: SETTING_KEYS[1].1,
            mac,
        };
        let mut st = self.c().prepare_cached("SELECT key, value FROM settings ORDER BY key")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (k, v) = row?;
            let what = || format!("the setting '{}'", k.escape_debug());
            let n: u32 = v.parse().map_err(|_| bad_row(what(), "not a number"))?;
            match k.as_str() {
                "auto_lock_secs" => s.auto_lock_secs = n,
                "clipboard_secs" => s.clipboard_secs = n,
                _ => return Err(bad_row(what(), "unknown to this Hush")),
            }
        }
        Ok(s)
    }
}

impl Tx<'_, Write> {
    pub(crate) fn insert_header(&self, h: &Header, now: i64) -> Result<()> {
        self.c().execute(
            "INSERT INTO vault (id, vault_id, key_mode, keychain_account, format, created_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            params![h.vault_id, h.key_mode.as_str(), h.keychain_account, h.format, now],
        )?;
        Ok(())
    }

    pub(crate) fn set_key_mode(&self, mode: KeyMode, account: Option<&str>) -> Result<()> {
        self.c().execute(
            "UPDATE vault SET key_mode = ?1, keychain_account = ?2 WHERE id = 1",
            params![mode.as_str(), account],
        )?;
        Ok(())
    }

    pub(crate) fn set_format(&self, format: i64) -> Result<()> {
        self.c().execute("UPDATE vault SET format = ?1 WHERE id = 1", [format])?;
        Ok(())
    }

    /// Bumps the key generation (re-key) and returns the new one.
    pub(crate) fn bump_generation(&self) -> Result<i64> {
        self.c()
            .execute("UPDATE vault SET key_generation = key_generation + 1 WHERE id = 1", [])?;
        Ok(self.c().query_row("SELECT key_generation FROM vault WHERE id = 1", [], |r| r.get(0))?)
    }

    pub(crate) fn put_wrap(&self, kind: WrapKind, w: &WrapRow, now: i64) -> Result<()> {
        let kdf = w.kdf.as_ref().map(|k| serde_json::to_string(k).expect("KdfParams serialise"));
        self.c().execute(
            "INSERT INTO key_wraps (kind, wrapped, kdf, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(kind) DO UPDATE SET wrapped = excluded.wrapped, kdf = excluded.kdf,
               created_at = excluded.created_at",
            params![kind.as_str(), w.wrapped.as_bytes(), kdf, now],
        )?;
        Ok(())
    }

    pub(crate) fn delete_wrap(&self, kind: WrapKind) -> Result<()> {
        self.c().execute("DELETE FROM key_wraps WHERE kind = ?1", [kind.as_str()])?;
        Ok(())
    }

    /// Writes every setting and its MAC (computed by the caller from `s.mac_input()`).
    pub(crate) fn put_settings(&self, keys: &Keys, s: &StoredSettings, mac: &[u8]) -> Result<()> {
        self.touch_state(keys)?;
        self.c().execute(
            "UPDATE vault SET versions_kept = ?1, trash_days = ?2, settings_mac = ?3 WHERE id = 1",
            params![s.versions_kept, s.trash_days, mac],
        )?;
        for (k, v) in [("auto_lock_secs", s.auto_lock_secs), ("clipboard_secs", s.clipboard_secs)] {
            self.c().execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![k, v.to_string()],
            )?;
        }
        Ok(())
    }
}
