//! Types that hold secrets. They zeroize on drop, print as `[redacted]`, and derive neither
//! `Serialize` nor `Clone`, so a value cannot leak through logs, IPC or an accidental copy.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A secret value in plaintext. Only `expose()` gives the bytes out.
#[derive(Default, PartialEq, Eq)]
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretValue(Zeroizing::new(bytes))
    }
    pub fn from_string(s: String) -> Self {
        SecretValue(Zeroizing::new(s.into_bytes()))
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
    /// The value as UTF-8 text; every value Hush accepts is UTF-8 (it must fit in an env var).
    pub fn expose_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("values are validated as UTF-8 on write")
    }
    /// Holds U+0000, which no environment variable can (`execve` ends each string there).
    pub fn has_nul(&self) -> bool {
        self.expose().contains(&0)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue([redacted])")
    }
}

/// A passphrase typed by the user.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(s: String) -> Self {
        Passphrase(Zeroizing::new(s))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

/// A 256-bit symmetric key (the data key or a key-encryption key). No Clone, no Serialize.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Key32([u8; 32]);

impl Key32 {
    pub(crate) fn random() -> Self {
        let mut k = Key32([0u8; 32]);
        crate::crypto::fill_random(&mut k.0);
        k
    }
    pub(crate) fn zeroed() -> Self {
        Key32([0u8; 32])
    }
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Key32(arr))
    }
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    pub(crate) fn mut_bytes(&mut self) -> &mut [u8; 32] {
        &mut self.0
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_contents() {
        let v = SecretValue::from_string("canary-7781".into());
        let p = Passphrase::new("canary-7781".into());
        let k = Key32::random();
        for s in [format!("{v:?}"), format!("{p:?}"), format!("{k:?}")] {
            assert!(!s.contains("canary"), "{s}");
            assert!(s.contains("redacted"));
        }
    }
}
