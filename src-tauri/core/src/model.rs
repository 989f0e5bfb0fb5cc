//! The data model's plain types: metadata (never secret), kinds, versions, trash and audit rows.
//! These derive `Serialize` for `--json` and IPC; none of them holds a value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::SecretValue;

/// How the data key is protected day to day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMode {
    Keychain,
    Passphrase,
}

impl KeyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::Keychain => "keychain",
            KeyMode::Passphrase => "passphrase",
        }
    }
}

/// A hint for the UI and for validation; never a different storage path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[non_exhaustive]
pub enum Kind {
    #[default]
    Generic,
    ApiKey,
    Token,
    Password,
    ConnectionString,
    Certificate,
    SshKey,
    DockerCredentials,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Generic,
        Kind::ApiKey,
        Kind::Token,
        Kind::Password,
        Kind::ConnectionString,
        Kind::Certificate,
        Kind::SshKey,
        Kind::DockerCredentials,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Generic => "generic",
            Kind::ApiKey => "api_key",
            Kind::Token => "token",
            Kind::Password => "password",
            Kind::ConnectionString => "connection_string",
            Kind::Certificate => "certificate",
            Kind::SshKey => "ssh_key",
            Kind::DockerCredentials => "docker_credentials",
        }
    }

    pub fn parse(s: &str) -> Result<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let names: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            Error::InvalidInput(format!("unknown kind '{s}'; use one of: {}", names.join(", ")))
        })
    }

    /// Checks that a value fits the kind. Messages never quote the value.
    pub fn validate(self, value: &SecretValue) -> Result<()> {
        let text = value.expose_str();
        match self {
            Kind::DockerCredentials => DockerCredentials::check(text),
            Kind::Certificate | Kind::SshKey if !text.trim_start().starts_with("-----BEGIN ") => {
                Err(Error::InvalidInput(format!(
                    "a {} value must be PEM text starting with '-----BEGIN '",
                    self.as_str()
                )))
            }
            _ => Ok(()),
        }
    }
}

/// The structured value of a `docker_credentials` secret, stored as JSON text inside the value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DockerCredentials {
    pub registry: String,
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub email: Option<String>,
}

impl DockerCredentials {
    fn check(text: &str) -> Result<()> {
        // serde_json's error text can quote input; report only the position.
        let parsed: DockerCredentials = serde_json::from_str(text).map_err(|e| {
            Error::InvalidInput(format!(
                "docker_credentials must be a JSON object with registry, username, password and optional email (problem at line {}, column {})",
                e.line(), e.column()
            ))
        })?;
        if parsed.registry.is_empty() || parsed.username.is_empty() {
            return Err(Error::InvalidInput(
                "docker_credentials needs a registry and a username".into(),
            ));
        }
        Ok(())
    }
}

/// A secret's metadata, as listed and shown. Times are Unix seconds (`--json` prints RFC 3339).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SecretMeta {
    #[serde(skip)]
    pub id: i64,
    pub path: String,
    pub folder: String,
    pub name: String,
    pub kind: Kind,
    pub description: Option<String>,
    pub tags: Vec<String>,
    #[serde(with = "crate::timefmt::opt")]
    pub expires_at: Option<i64>,
    pub rotate_every_days: Option<u32>,
    #[serde(with = "crate::timefmt::opt")]
    pub last_rotated_at: Option<i64>,
    pub source: Option<String>,
    pub meta: BTreeMap<String, String>,
    pub versions_kept: Option<u32>,
    pub version: u64,
    #[serde(with = "crate::timefmt::req")]
    pub created_at: i64,
    #[serde(with = "crate::timefmt::req")]
    pub updated_at: i64,
    #[serde(with = "crate::timefmt::opt")]
    pub last_read_at: Option<i64>,
    #[serde(with = "crate::timefmt::opt")]
    pub deleted_at: Option<i64>,
    /// Rotation strategy and the commands Hush runs for it (none: no policy).
    pub policy: Option<crate::lifecycle::Policy>,
    /// When `hush test` last passed.
    #[serde(with = "crate::timefmt::opt")]
    pub last_checked_at: Option<i64>,
}

/// Options of a write. `None` fields keep what the secret already has.
#[derive(Debug, Default, Clone)]
pub struct WriteOptions {
    pub kind: Option<Kind>,
    /// Replaces the tag set when `Some`.
    pub tags: Option<Vec<String>>,
    pub description: Option<String>,
    pub expires_at: Option<i64>,
    /// Removes the expiry (`expires_at` then is ignored): `None` above keeps it.
    pub clear_expiry: bool,
    pub rotate_every_days: Option<u32>,
    pub source: Option<String>,
    /// Merged into the free metadata; an empty value removes the key.
    pub meta: BTreeMap<String, String>,
    pub versions_kept: Option<u32>,
    /// Check-and-set: the write succeeds only if the current version is this (0 = must not exist).
    pub cas: Option<u64>,
    /// Refuse a value that does not parse as its kind (a certificate, an OpenSSH key, a URL, JSON)
    /// instead of writing it with warnings.
    pub strict: bool,
}

/// One kept version of a secret (no value).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VersionInfo {
    pub version: u64,
    #[serde(with = "crate::timefmt::req")]
    pub created_at: i64,
    pub current: bool,
}

/// Filters for `list`.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub folder: Option<String>,
    pub tag: Option<String>,
    pub kind: Option<Kind>,
    /// Case-insensitive substring of path, description or tags.
    pub search: Option<String>,
}

/// The result of a successful write.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WriteOutcome {
    pub path: String,
    pub version: u64,
    pub created: bool,
    /// What did not parse as the kind (written anyway unless `strict`). Never quotes the value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// A certificate's own expiry (notAfter), offered as `expires_at`.
    #[serde(with = "crate::timefmt::opt", skip_serializing_if = "Option::is_none")]
    pub value_expires_at: Option<i64>,
}

pub(crate) fn check_tag(tag: &str) -> Result<()> {
    if tag.is_empty() || tag.len() > 64 || tag.chars().any(|c| c.is_control() || c == ',') {
        return Err(Error::InvalidInput(format!(
            "tag {:?} must be 1-64 characters, no commas or control characters",
            tag.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_roundtrip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()).unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!(Kind::parse("nope").is_err());
    }

    #[test]
    fn docker_credentials_are_checked_without_echoing() {
        let ok = r#"{"registry":"ghcr.io","username":"me","password":"canary-42","email":"a@b"}"#;
        assert!(Kind::DockerCredentials.validate(&SecretValue::from_string(ok.into())).is_ok());
        let bad = r#"{"registry":"ghcr.io","password":"canary-42""#;
        let e =
            Kind::DockerCredentials.validate(&SecretValue::from_string(bad.into())).unwrap_err();
        assert!(!e.to_string().contains("canary"), "{e}");
    }

    #[test]
    fn pem_kinds_want_pem() {
        let v = SecretValue::from_string("-----BEGIN CERTIFICATE-----\nMII..\n".into());
        assert!(Kind::Certificate.validate(&v).is_ok());
        assert!(Kind::SshKey.validate(&SecretValue::from_string("ssh-rsa AAA".into())).is_err());
    }
}
