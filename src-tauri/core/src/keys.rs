//! The keys of an unlocked vault, and what they bind: the AAD of every sealed value and the MAC of
//! every row whose change would alter what Hush serves or where it sends it.
//!
//! One random data key; everything else is derived from it with HKDF-SHA256 (salt: the vault id),
//! one subkey per purpose, so a MAC can never be replayed as a ciphertext tag or across purposes:
//! - values and layouts are sealed with the data key itself (AES-256-GCM, AAD below);
//! - `rows` authenticates secret records, remote configurations and the settings;
//! - `audit` keys the audit chain and its anchored head.
//!
//! The keyed hashes of remote sync state keep their own older derivation (`remote::state`), so
//! sync history made before these subkeys existed stays meaningful. Lock state is
//! `Option<Keys>`: dropping a `Keys` zeroizes all of them.

use zeroize::Zeroizing;

use crate::crypto::{self, Sealed};
use crate::error::{Error, Result};
use crate::secret::{Key32, SecretValue};

/// What a sealed value belongs to. Its bytes are the AAD of the AES-GCM envelope.
pub(crate) enum Aad<'a> {
    /// A version of a secret: bound to its vault, its row id, its canonical path and its number,
    /// so a ciphertext copied to another row, path or version does not open.
    Version { vault_id: &'a str, secret_id: i64, path: &'a str, version: u64 },
    /// The format-1 binding (no path), read only to upgrade old vaults.
    LegacyVersion { vault_id: &'a str, secret_id: i64, version: u64 },
    /// The `.env` layout of a folder.
    Layout { vault_id: &'a str, folder: &'a str },
    /// The data key wrapped for one way of opening the vault.
    Wrap { vault_id: &'a str, kind: &'a str },
}

impl Aad<'_> {
    pub(crate) fn bytes(&self) -> Vec<u8> {
        match self {
            Aad::Version { vault_id, secret_id, path, version } => {
                let (id, v) = (secret_id.to_be_bytes(), version.to_be_bytes());
                let parts: [&[u8]; 4] = [vault_id.as_bytes(), &id, path.as_bytes(), &v];
                framed(b"hush/v2/secret", &parts)
            }
            Aad::LegacyVersion { vault_id, secret_id, version } => {
                format!("hush/v1/secret|{vault_id}|{secret_id}|{version}").into_bytes()
            }
            Aad::Layout { vault_id, folder } => {
                format!("hush/v1/layout|{vault_id}|{folder}").into_bytes()
            }
            Aad::Wrap { vault_id, kind } => format!("hush/v1/wrap|{vault_id}|{kind}").into_bytes(),
        }
    }
}

/// `domain` then each part with its length: unambiguous whatever the parts hold.
fn framed(domain: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut out = domain.to_vec();
    for p in parts {
        out.extend_from_slice(&(p.len() as u64).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// The fields of a record a MAC covers, in a fixed order, each as bytes (`None` for NULL).
pub(crate) struct MacInput {
    domain: &'static str,
    /// The fields framed as [`mac_of`] feeds them: each one's length (u64, big-endian), then 1
    /// and its bytes, or 0 for NULL. One buffer, not one per field: a bulk import MACs thousands
    /// of records, and the per-field allocations were a fifth of the MAC's cost.
    framed: Vec<u8>,
}

impl MacInput {
    pub(crate) fn new(domain: &'static str) -> Self {
        MacInput { domain, framed: Vec::with_capacity(256) }
    }
    fn field(mut self, b: Option<&[u8]>) -> Self {
        match b {
            Some(b) => {
                self.framed.extend_from_slice(&(b.len() as u64 + 1).to_be_bytes());
                self.framed.push(1);
                self.framed.extend_from_slice(b);
            }
            None => {
                self.framed.extend_from_slice(&1u64.to_be_bytes());
                self.framed.push(0);
            }
        }
        self
    }
    pub(crate) fn text(self, s: &str) -> Self {
        self.field(Some(s.as_bytes()))
    }
    pub(crate) fn opt_text(self, s: Option<&str>) -> Self {
        self.field(s.map(str::as_bytes))
    }
    pub(crate) fn int(self, n: i64) -> Self {
        self.field(Some(&n.to_be_bytes()))
    }
    pub(crate) fn opt_int(self, n: Option<i64>) -> Self {
        self.field(n.map(i64::to_be_bytes).as_ref().map(|b| &b[..]))
    }
    pub(crate) fn bytes(self, b: &[u8]) -> Self {
        self.field(Some(b))
    }
    /// The parts as separate buffers (the reference form [`mac_of`] streams), read back from
    /// the framed buffer.
    #[cfg(test)]
    fn parts(&self) -> Vec<Vec<u8>> {
        let mut out = vec![self.domain.as_bytes().to_vec()];
        let mut rest = &self.framed[..];
        while !rest.is_empty() {
            let (len, tail) = rest.split_at(8);
            let len = u64::from_be_bytes(len.try_into().unwrap()) as usize;
            out.push(tail[..len].to_vec());
            rest = &tail[len..];
        }
        out
    }
}

/// The keys of an unlocked vault. No `Clone`, no `Serialize`; zeroized on drop.
pub(crate) struct Keys {
    vault_id: String,
    data: Key32,
    rows: Key32,
    audit: Key32,
    /// The key-encryption key that unlocked a passphrase vault, kept for `rekey`.
    kek: Option<Key32>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

impl Keys {
    pub(crate) fn new(data: Key32, vault_id: &str, kek: Option<Key32>) -> Keys {
        Keys {
            rows: crypto::derive_subkey(&data, vault_id, "hush/v2/row-mac"),
            audit: crypto::derive_subkey(&data, vault_id, AUDIT_SUBKEY),
            vault_id: vault_id.to_string(),
            data,
            kek,
        }
    }

    /// The same keys, keeping `kek` for a later re-key.
    pub(crate) fn with_kek(mut self, kek: Option<Key32>) -> Keys {
        self.kek = kek;
        self
    }
    pub(crate) fn into_kek(mut self) -> Option<Key32> {
        self.kek.take()
    }

    pub(crate) fn data_key(&self) -> &Key32 {
        &self.data
    }
    pub(crate) fn kek(&self) -> Option<&Key32> {
        self.kek.as_ref()
    }
    pub(crate) fn vault_id(&self) -> &str {
        &self.vault_id
    }

    /// Seals one version of a secret.
    pub(crate) fn seal_version(&self, id: i64, path: &str, version: u64, v: &[u8]) -> Sealed {
        let aad = Aad::Version { vault_id: &self.vault_id, secret_id: id, path, version };
        crypto::seal_value(&self.data, &aad.bytes(), v)
    }

    /// Opens one version; a wrong key, AAD or byte is an integrity error naming the version.
    pub(crate) fn open_version(
        &self,
        id: i64,
        path: &str,
        version: u64,
        s: &Sealed,
    ) -> Result<SecretValue> {
        let aad = Aad::Version { vault_id: &self.vault_id, secret_id: id, path, version };
        crypto::open_value(&self.data, &aad.bytes(), s)
            .map(|pt| SecretValue::new(pt.to_vec()))
            .ok_or_else(|| Error::Integrity { what: format!("'{path}' version {version}") })
    }

    /// Opens a format-1 version (upgrade only).
    pub(crate) fn open_legacy(&self, id: i64, version: u64, s: &Sealed) -> Option<SecretValue> {
        let aad = Aad::LegacyVersion { vault_id: &self.vault_id, secret_id: id, version };
        crypto::open_value(&self.data, &aad.bytes(), s).map(|pt| SecretValue::new(pt.to_vec()))
    }

    /// Seals one version the way format 1 did (tests of the upgrade only).
    #[cfg(feature = "test-support")]
    pub(crate) fn seal_legacy(&self, id: i64, version: u64, v: &[u8]) -> Sealed {
        let aad = Aad::LegacyVersion { vault_id: &self.vault_id, secret_id: id, version };
        crypto::seal_value(&self.data, &aad.bytes(), v)
    }

    pub(crate) fn seal_layout(&self, folder: &str, json: &[u8]) -> Sealed {
        let aad = Aad::Layout { vault_id: &self.vault_id, folder };
        crypto::seal_value(&self.data, &aad.bytes(), json)
    }

    /// Seals a layout written after [`crypto::HEADER_LEN`] free bytes, in place.
    pub(crate) fn seal_layout_in_place(&self, folder: &str, buf: Zeroizing<Vec<u8>>) -> Sealed {
        let aad = Aad::Layout { vault_id: &self.vault_id, folder };
        crypto::seal_in_place(&self.data, &aad.bytes(), buf)
    }

    pub(crate) fn open_layout(&self, folder: &str, s: &Sealed) -> Option<Zeroizing<Vec<u8>>> {
        let aad = Aad::Layout { vault_id: &self.vault_id, folder };
        crypto::open_value(&self.data, &aad.bytes(), s)
    }

    /// The MAC of a record (secret, remote, settings), under the row subkey.
    pub(crate) fn row_mac(&self, input: &MacInput) -> [u8; 32] {
        mac_of(&self.rows, input)
    }

    /// Whether `stored` is the MAC of `input`.
    pub(crate) fn row_mac_ok(&self, input: &MacInput, stored: Option<&[u8]>) -> bool {
        stored.is_some_and(|m| crypto::mac_eq(&self.row_mac(input), m))
    }

    /// One keyed link of the audit chain.
    pub(crate) fn audit_mac(&self, input: &MacInput) -> [u8; 32] {
        mac_of(&self.audit, input)
    }

    /// The audit subkey on its own, for a write transaction to seal its anchor with at commit.
    pub(crate) fn anchor_key(&self) -> AnchorKey {
        AnchorKey(crypto::derive_subkey(&self.data, &self.vault_id, AUDIT_SUBKEY))
    }
}

/// The audit subkey alone, held by a write transaction until its commit MACs the anchor. No
/// `Clone`; zeroized on drop.
pub(crate) struct AnchorKey(Key32);

impl std::fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnchorKey([redacted])")
    }
}

impl AnchorKey {
    pub(crate) fn mac(&self, input: &MacInput) -> [u8; 32] {
        mac_of(&self.0, input)
    }
}

const AUDIT_SUBKEY: &str = "hush/v2/audit-chain";

fn mac_of(key: &Key32, input: &MacInput) -> [u8; 32] {
    // The parts of `MacInput::parts` fed one by one (no copies: a bulk import MACs thousands).
    let mut m = crypto::Mac::new(key);
    m.part(&[input.domain.as_bytes()]);
    m.framed(&input.framed);
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_mac_is_the_mac_of_the_parts() {
        let key = Key32::zeroed();
        let input = MacInput::new("d").text("a").opt_int(None).int(7).text("");
        let parts = input.parts();
        // Each field: a presence byte, then its bytes (the form MACs in existing vaults have).
        let seven = [&[1u8][..], &7i64.to_be_bytes()].concat();
        assert_eq!(parts, [b"d".to_vec(), b"\x01a".to_vec(), vec![0], seven, vec![1]]);
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        assert_eq!(mac_of(&key, &input), crypto::mac_parts(&key, &refs));
    }

    #[test]
    fn aads_bind_every_field() {
        let a =
            |id, path, v| Aad::Version { vault_id: "v", secret_id: id, path, version: v }.bytes();
        assert_ne!(a(1, "a/B", 1), a(2, "a/B", 1));
        assert_ne!(a(1, "a/B", 1), a(1, "a/C", 1));
        assert_ne!(a(1, "a/B", 1), a(1, "a/B", 2));
        // Framing: moving bytes between fields changes the AAD.
        let x = Aad::Version { vault_id: "v1", secret_id: 1, path: "a/B", version: 1 }.bytes();
        let y = Aad::Version { vault_id: "v", secret_id: 1, path: "1a/B", version: 1 }.bytes();
        assert_ne!(x, y);
    }

    #[test]
    fn row_macs_are_keyed_and_field_bound() {
        let k = Keys::new(Key32::random(), "vault", None);
        let m = MacInput::new("t").text("a").opt_int(None).int(1);
        let n = MacInput::new("t").text("a").opt_int(Some(0)).int(1);
        assert_ne!(k.row_mac(&m), k.row_mac(&n), "NULL differs from 0");
        assert!(k.row_mac_ok(&m, Some(&k.row_mac(&m))));
        assert!(!k.row_mac_ok(&m, None));
        let other = Keys::new(Key32::random(), "vault", None);
        assert!(!other.row_mac_ok(&m, Some(&k.row_mac(&m))));
        assert_ne!(k.row_mac(&m), k.audit_mac(&m), "purposes have their own keys");
    }
}
