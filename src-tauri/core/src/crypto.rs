//! AES-256-GCM sealing and Argon2id key derivation; the only module that touches primitives.
//!
//! Envelope format v1: `b"HSH" | 0x01 | nonce (12) | ciphertext+tag`. The header lets a later
//! version change the cipher without guessing. The nonce is random per encryption: with at most
//! a few million encryptions per data key the birthday bound on 96-bit nonces is far away.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};

const MAGIC: &[u8; 3] = b"HSH";
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
pub(crate) const HEADER_LEN: usize = 4 + NONCE_LEN;

pub(crate) fn fill_random(buf: &mut [u8]) {
    getrandom::getrandom(buf).expect("the OS random number generator failed");
}

/// An encrypted envelope as stored: made only by [`seal_value`] from plaintext and its AAD (or
/// read back from the database by the store), opened only with the key and the same AAD. The
/// store writes values and layouts only in this form, so no plaintext can reach a row by mistake.
pub(crate) struct Sealed(Vec<u8>);

impl Sealed {
    /// A blob read from storage. It is only bytes until [`open_value`] authenticates it.
    pub(crate) fn stored(bytes: Vec<u8>) -> Sealed {
        Sealed(bytes)
    }
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

/// Seals `plaintext` under `key` for the place `aad` names.
pub(crate) fn seal_value(key: &Key32, aad: &[u8], plaintext: &[u8]) -> Sealed {
    Sealed(seal(key, aad, plaintext))
}

/// Opens a sealed envelope; `None` when the key, the AAD or a byte is wrong.
pub(crate) fn open_value(key: &Key32, aad: &[u8], sealed: &Sealed) -> Option<Zeroizing<Vec<u8>>> {
    open(key, aad, &sealed.0)
}

/// Encrypts `plaintext` under `key`, binding `aad` (what the ciphertext belongs to). One buffer:
/// the header, then the plaintext encrypted where it lies, then the tag.
pub(crate) fn seal(key: &Key32, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::AeadInPlace;
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    let nonce = fresh_nonce();
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + 16);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), aad, &mut out[HEADER_LEN..])
        .expect("AES-GCM encryption cannot fail for in-memory inputs");
    out.extend_from_slice(&tag);
    out
}

/// A random nonce. Drawn from a small pool the OS random generator refills (one system call per
/// 64 nonces instead of one each: a bulk import seals thousands); the pool belongs to one process
/// (a forked child refills its own), so no two processes ever draw the same bytes.
fn fresh_nonce() -> [u8; NONCE_LEN] {
    use std::cell::RefCell;
    const POOL: usize = 64 * NONCE_LEN;
    thread_local! {
        static NONCES: RefCell<(u32, usize, [u8; POOL])> = const { RefCell::new((0, POOL, [0; POOL])) };
    }
    NONCES.with(|cell| {
        let (pid, used, pool) = &mut *cell.borrow_mut();
        if *used == POOL || *pid != std::process::id() {
            fill_random(pool);
            (*pid, *used) = (std::process::id(), 0);
        }
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(&pool[*used..*used + NONCE_LEN]);
        // Each nonce is taken once: wipe it from the pool.
        pool[*used..*used + NONCE_LEN].fill(0);
        *used += NONCE_LEN;
        n
    })
}

/// Seals `buf[HEADER_LEN..]` where it lies, filling the header in front and appending the tag:
/// the same envelope as [`seal_value`], without a second copy of a large plaintext (a layout).
pub(crate) fn seal_in_place(key: &Key32, aad: &[u8], mut buf: Zeroizing<Vec<u8>>) -> Sealed {
    use aes_gcm::aead::AeadInPlace;
    assert!(buf.len() >= HEADER_LEN, "room for the header");
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    let nonce = fresh_nonce();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), aad, &mut buf[HEADER_LEN..])
        .expect("AES-GCM encryption cannot fail for in-memory inputs");
    buf[..3].copy_from_slice(MAGIC);
    buf[3] = FORMAT_V1;
    buf[4..HEADER_LEN].copy_from_slice(&nonce);
    buf.extend_from_slice(&tag);
    // Ciphertext now: nothing left to wipe.
    Sealed(std::mem::take(&mut *buf))
}

/// Decrypts a v1 envelope. Any failure (wrong key, wrong AAD, altered bytes) is `None`: the caller
/// knows what was being opened and turns it into the right error.
pub(crate) fn open(key: &Key32, aad: &[u8], envelope: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if envelope.len() < HEADER_LEN + 16 || &envelope[..3] != MAGIC || envelope[3] != FORMAT_V1 {
        return None;
    }
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    let nonce = Nonce::from_slice(&envelope[4..HEADER_LEN]);
    cipher.decrypt(nonce, Payload { msg: &envelope[HEADER_LEN..], aad }).ok().map(Zeroizing::new)
}

/// Wraps a key under a key-encryption key.
pub(crate) fn wrap_key(kek: &Key32, aad: &[u8], key: &Key32) -> Sealed {
    seal_value(kek, aad, key.as_bytes())
}

pub(crate) fn unwrap_key(kek: &Key32, aad: &[u8], wrapped: &Sealed) -> Option<Key32> {
    open_value(kek, aad, wrapped).and_then(|pt| Key32::from_bytes(&pt))
}

/// HMAC-SHA256 of length-prefixed `parts` under `key` (each part's length is bound, so no two
/// different part lists give the same input).
#[cfg(test)]
pub(crate) fn mac_parts(key: &Key32, parts: &[&[u8]]) -> [u8; 32] {
    let mut m = Mac::new(key);
    for part in parts {
        m.part(&[part]);
    }
    m.finish()
}

/// [`mac_parts`] fed one part at a time, each part given as pieces (so no part is copied).
pub(crate) struct Mac(hmac::Hmac<sha2::Sha256>);

impl Mac {
    pub(crate) fn new(key: &Key32) -> Mac {
        let m = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(key.as_bytes());
        Mac(m.expect("any key length"))
    }

    /// One length-prefixed part, the concatenation of `pieces`.
    pub(crate) fn part(&mut self, pieces: &[&[u8]]) {
        use hmac::Mac as _;
        let len: usize = pieces.iter().map(|p| p.len()).sum();
        self.0.update(&(len as u64).to_be_bytes());
        for p in pieces {
            self.0.update(p);
        }
    }

    /// Parts already framed as [`Mac::part`] frames them.
    pub(crate) fn framed(&mut self, bytes: &[u8]) {
        use hmac::Mac as _;
        self.0.update(bytes);
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        use hmac::Mac as _;
        self.0.finalize().into_bytes().into()
    }
}

/// A subkey for one purpose (HKDF-SHA256, the vault id as salt): row MACs, the audit chain.
pub(crate) fn derive_subkey(key: &Key32, vault_id: &str, purpose: &str) -> Key32 {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(vault_id.as_bytes()), key.as_bytes());
    let mut out = Key32::zeroed();
    hk.expand(purpose.as_bytes(), out.mut_bytes()).expect("32 bytes is a valid HKDF length");
    out
}

/// Constant-time equality of two MACs.
pub(crate) fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Argon2id parameters, stored beside each passphrase-wrapped key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub salt: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

/// Bounds on what a stored parameter set may ask for. The upper bounds stop a hostile file from
/// making us allocate gigabytes or spin for minutes; the lower ones refuse weak settings.
pub const KDF_MAX_M_KIB: u32 = 2 * 1024 * 1024;
pub const KDF_MIN_M_KIB: u32 = 19 * 1024;
pub const KDF_MAX_T: u32 = 16;
pub const KDF_MAX_P: u32 = 16;
/// The most work one derivation may ask for, as memory (KiB) × passes × lanes: 1 GiB × 1 × 1,
/// about five times Hush's own choice (64 MiB × 3 × 1) and RFC 9106's second recommendation
/// (64 MiB × 3 × 4 lanes = 768 MiB). Each bound above may hold on its own while their product
/// costs 2 GiB and minutes; the budget refuses that before anything is allocated.
pub const KDF_MAX_BUDGET: u64 = 1024 * 1024;

impl KdfParams {
    /// Defaults: 64 MiB, 3 passes, 1 lane (above OWASP's Argon2id minimum; ~0.1–0.3 s here).
    pub fn new_random() -> Self {
        let mut salt = [0u8; 16];
        fill_random(&mut salt);
        KdfParams { salt: hex::encode(salt), m_kib: 64 * 1024, t: 3, p: 1 }
    }

    pub(crate) fn check(&self) -> Result<()> {
        let ok = (KDF_MIN_M_KIB..=KDF_MAX_M_KIB).contains(&self.m_kib)
            && (1..=KDF_MAX_T).contains(&self.t)
            && (1..=KDF_MAX_P).contains(&self.p)
            && u64::from(self.m_kib) * u64::from(self.t) * u64::from(self.p) <= KDF_MAX_BUDGET
            && hex::decode(&self.salt).map(|s| s.len() >= 16 && s.len() <= 64).unwrap_or(false);
        if ok {
            Ok(())
        } else {
            Err(Error::Integrity {
                what: "the stored key-derivation parameters (out of bounds)".into(),
            })
        }
    }

    pub(crate) fn derive(&self, passphrase: &Passphrase) -> Result<Key32> {
        self.check()?;
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| Error::InvalidInput(format!("argon2 parameters: {e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let salt = hex::decode(&self.salt).expect("checked above");
        let mut key = Key32::random();
        argon
            .hash_password_into(passphrase.expose().as_bytes(), &salt, key.mut_bytes())
            .map_err(|e| Error::InvalidInput(format!("argon2: {e}")))?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_roundtrip_and_binding() {
        let k = Key32::random();
        let ct = seal(&k, b"row-1", b"hello");
        assert_eq!(&open(&k, b"row-1", &ct).unwrap()[..], b"hello");
        assert!(open(&k, b"row-2", &ct).is_none(), "other AAD must fail");
        assert!(open(&Key32::random(), b"row-1", &ct).is_none(), "other key must fail");
        let mut bad = ct.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(open(&k, b"row-1", &bad).is_none(), "flipped byte must fail");
        assert!(open(&k, b"row-1", &ct[..10]).is_none(), "truncated must fail");
    }

    #[test]
    fn nonces_are_fresh() {
        let k = Key32::random();
        assert_ne!(seal(&k, b"a", b"same"), seal(&k, b"a", b"same"));
    }

    #[test]
    fn kdf_bounds_are_enforced() {
        let mut p = KdfParams::new_random();
        p.m_kib = KDF_MAX_M_KIB + 1;
        assert!(p.derive(&Passphrase::new("x".into())).is_err());
        let mut p = KdfParams::new_random();
        p.t = 0;
        assert!(p.check().is_err());
        let mut p = KdfParams::new_random();
        p.salt = "00".into();
        assert!(p.check().is_err());
        // Each bound holds, their product does not: refused at once, nothing allocated.
        let hostile = KdfParams {
            m_kib: KDF_MAX_M_KIB,
            t: KDF_MAX_T,
            p: KDF_MAX_P,
            ..KdfParams::new_random()
        };
        let started = std::time::Instant::now();
        assert!(hostile.derive(&Passphrase::new("x".into())).is_err());
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        assert!(KdfParams { m_kib: 64 * 1024, t: 3, p: 4, ..KdfParams::new_random() }
            .check()
            .is_ok());
        assert!(KdfParams::new_random().check().is_ok());
    }

    #[test]
    fn kdf_is_deterministic_per_salt() {
        let p = KdfParams { m_kib: KDF_MIN_M_KIB, t: 1, ..KdfParams::new_random() };
        let a = p.derive(&Passphrase::new("pw".into())).unwrap();
        let b = p.derive(&Passphrase::new("pw".into())).unwrap();
        let c = p.derive(&Passphrase::new("pw2".into())).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        assert_ne!(a.as_bytes(), c.as_bytes());
    }
}
