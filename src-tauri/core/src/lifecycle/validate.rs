//! Validation of a value against its kind, deeper than the shape check every write makes
//! (`Kind::validate`): a certificate parses as X.509 (and reports its own expiry), an SSH key as
//! OpenSSH or PEM, a connection string as a URL. What does not parse is a warning by default and a
//! refusal with `strict`. Messages never quote the value.

use base64::Engine;
use serde::Serialize;

use crate::model::Kind;
use crate::secret::SecretValue;

/// What the deep check found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Validation {
    /// What does not parse (empty: the value is a well-formed value of its kind).
    pub problems: Vec<String>,
    /// A certificate's own expiry: the earliest notAfter of the certificates in it.
    #[serde(with = "crate::timefmt::opt")]
    pub expires_at: Option<i64>,
}

/// Checks `value` as a value of `kind`.
pub fn validate(kind: Kind, value: &SecretValue) -> Validation {
    let text = value.expose_str();
    let mut v = Validation::default();
    match kind {
        Kind::Certificate => certificate(text, &mut v),
        Kind::SshKey => ssh_key(text, &mut v),
        Kind::ConnectionString => connection_string(text, &mut v),
        // docker_credentials (JSON with its fields) is refused outright by `Kind::validate`.
        _ => {}
    }
    v
}

/// The PEM blocks of `text` as (label, DER), or why it is not PEM. Headers (`Proc-Type: …`) are
/// skipped; a BEGIN without its END, a mismatched END or a body that is not base64 is an error.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut open: Option<(String, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----"))
        {
            if open.is_some() {
                return Err(format!("line {}: a BEGIN inside another block", n + 1));
            }
            open = Some((label.to_string(), String::new()));
        } else if let Some(label) =
            line.strip_prefix("-----END ").and_then(|l| l.strip_suffix("-----"))
        {
            let Some((begin, body)) = open.take() else {
                return Err(format!("line {}: an END without its BEGIN", n + 1));
            };
            if begin != label {
                return Err(format!("line {}: END {label} closes BEGIN {begin}", n + 1));
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .map_err(|_| format!("the {label} block is not base64"))?;
            out.push((label.to_string(), der));
        } else if let Some((_, body)) = open.as_mut() {
            if !line.contains(':') {
                body.push_str(line);
            }
        }
    }
    if let Some((label, _)) = open {
        return Err(format!("the {label} block has no END line"));
    }
    if out.is_empty() {
        return Err("no PEM block".into());
    }
    Ok(out)
}

fn certificate(text: &str, v: &mut Validation) {
    let blocks = match pem_blocks(text) {
        Ok(b) => b,
        Err(e) => return v.problems.push(format!("the certificate is not PEM: {e}")),
    };
    let mut certs = 0;
    for (i, (label, der)) in blocks.iter().enumerate() {
        if label != "CERTIFICATE" {
            continue;
        }
        certs += 1;
        match x509_parser::parse_x509_certificate(der) {
            Ok((_, cert)) => {
                let not_after = cert.validity().not_after.timestamp();
                v.expires_at = Some(v.expires_at.map_or(not_after, |e: i64| e.min(not_after)));
            }
            Err(_) => v.problems.push(format!("PEM block {} is not an X.509 certificate", i + 1)),
        }
    }
    if certs == 0 {
        v.problems.push("no CERTIFICATE block in the PEM text".into());
    }
}

fn ssh_key(text: &str, v: &mut Validation) {
    if text.trim_start().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
        if ssh_key::PrivateKey::from_openssh(text.trim()).is_err() {
            v.problems.push("the OpenSSH private key does not parse".into());
        }
        return;
    }
    match pem_blocks(text) {
        Ok(blocks) if blocks.iter().any(|(l, _)| l.ends_with("PRIVATE KEY")) => {}
        Ok(_) => v.problems.push("no private key block in the PEM text".into()),
        Err(e) => v.problems.push(format!("the key is neither OpenSSH nor PEM: {e}")),
    }
}

fn connection_string(text: &str, v: &mut Validation) {
    match url::Url::parse(text.trim()) {
        Ok(u) if u.cannot_be_a_base() && !matches!(u.scheme(), "mailto" | "data") => {
            v.problems.push(format!("the connection string ({}:) has no host or path", u.scheme()))
        }
        Ok(_) => {}
        Err(e) => v.problems.push(format!("the connection string is not a URL ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(s: &str) -> SecretValue {
        SecretValue::from_string(s.into())
    }

    #[test]
    fn urls_and_pem_structure() {
        assert!(validate(Kind::ConnectionString, &val("postgres://u:p@h:5432/db"))
            .problems
            .is_empty());
        let bad = validate(Kind::ConnectionString, &val("Server=x;Password=canary-7"));
        assert_eq!(bad.problems.len(), 1);
        assert!(!bad.problems[0].contains("canary"), "{:?}", bad.problems);
        let v = validate(
            Kind::Certificate,
            &val("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
        );
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        let v = validate(
            Kind::SshKey,
            &val("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"),
        );
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        let v = validate(
            Kind::SshKey,
            &val("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
        );
        assert_eq!(v.problems.len(), 1);
        assert!(pem_blocks("-----BEGIN A-----\nAA==\n-----END B-----").is_err());
    }
}
