//! Secret paths: `folder/…/NAME`.
//!
//! The rule (documented in the README):
//! - at least one folder segment, then a name; segments are separated by `/`;
//! - a folder segment is 1–128 characters of letters, digits, `.`, `_`, `-`, `+`, `@`, and is
//!   never `.` or `..`;
//! - a name is a portable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`, at most 128
//!   characters), so every secret can be injected into a process as is;
//! - a name that is not portable must be quoted to show intent: `myapp/dev/"api.key-v2"`. Quoted
//!   names may hold any printable character except `"`, `/` and `\`.
//! - empty segments, control characters and paths over 512 bytes are refused.

use std::fmt;

use crate::error::{Error, Result};

const MAX_PATH: usize = 512;
const MAX_SEGMENT: usize = 128;

/// A validated secret path. `Display` gives the canonical form (names quoted only when needed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretPath {
    folder: String,
    name: String,
}

impl SecretPath {
    pub fn parse(input: &str) -> Result<Self> {
        let bad =
            |reason: &str| Error::InvalidPath { path: printable(input), reason: reason.into() };
        if input.len() > MAX_PATH {
            return Err(bad("longer than 512 bytes"));
        }
        if input.chars().any(char::is_control) {
            return Err(bad("contains a control character"));
        }
        let (folder_part, name) = if let Some(stripped) = input.strip_suffix('"') {
            let open = stripped.rfind("/\"").ok_or_else(|| bad("unbalanced quote in the name"))?;
            let name = &stripped[open + 2..];
            check_quoted_name(name).map_err(|r| bad(&r))?;
            (&input[..open], name.to_string())
        } else {
            let (f, n) = input.rsplit_once('/').ok_or_else(|| {
                bad("a secret lives in a folder: write it as folder/NAME, e.g. myapp/dev/API_KEY")
            })?;
            check_env_name(n).map_err(|r| bad(&r))?;
            (f, n.to_string())
        };
        let folder = FolderPath::parse_exact(folder_part).map_err(|e| match e {
            Error::InvalidPath { reason, .. } => bad(&reason),
            other => other,
        })?;
        Ok(SecretPath { folder: folder.0, name })
    }

    pub fn folder(&self) -> &str {
        &self.folder
    }
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for SecretPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_env_name(&self.name) {
            write!(f, "{}/{}", self.folder, self.name)
        } else {
            write!(f, "{}/\"{}\"", self.folder, self.name)
        }
    }
}

/// A validated folder path (`myapp/dev`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FolderPath(String);

impl FolderPath {
    /// Parses a folder; one trailing `/` is allowed (`myapp/dev/`).
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_exact(input.strip_suffix('/').unwrap_or(input))
    }

    fn parse_exact(input: &str) -> Result<Self> {
        let bad = |reason: String| Error::InvalidPath { path: printable(input), reason };
        if input.is_empty() {
            return Err(bad("empty folder".into()));
        }
        if input.len() > MAX_PATH {
            return Err(bad("longer than 512 bytes".into()));
        }
        for seg in input.split('/') {
            check_folder_segment(seg).map_err(bad)?;
        }
        Ok(FolderPath(input.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FolderPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True for a portable environment variable name.
pub fn is_env_name(s: &str) -> bool {
    check_env_name(s).is_ok()
}

fn check_env_name(n: &str) -> std::result::Result<(), String> {
    if n.is_empty() {
        return Err("empty name".into());
    }
    if n.len() > MAX_SEGMENT {
        return Err("name longer than 128 characters".into());
    }
    let mut chars = n.chars();
    let first = chars.next().unwrap();
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(format!(
            "'{n}' is not a portable env var name ([A-Za-z_][A-Za-z0-9_]*); quote it to keep it as is: folder/\"{n}\""
        ));
    }
    Ok(())
}

fn check_quoted_name(n: &str) -> std::result::Result<(), String> {
    if n.is_empty() || n == "." || n == ".." {
        return Err("empty or dot name".into());
    }
    if n.chars().count() > MAX_SEGMENT {
        return Err("name longer than 128 characters".into());
    }
    if n.contains(['"', '/', '\\']) {
        return Err("a quoted name cannot contain '\"', '/' or '\\'".into());
    }
    Ok(())
}

fn check_folder_segment(seg: &str) -> std::result::Result<(), String> {
    if seg.is_empty() {
        return Err("empty segment (double or leading '/')".into());
    }
    if seg == "." || seg == ".." {
        return Err("'.' and '..' are not allowed".into());
    }
    if seg.chars().count() > MAX_SEGMENT {
        return Err("folder segment longer than 128 characters".into());
    }
    if let Some(c) = seg.chars().find(|c| !(c.is_alphanumeric() || "._-+@".contains(*c))) {
        return Err(format!("folder segments allow letters, digits and . _ - + @ (found {c:?})"));
    }
    Ok(())
}

/// Paths go into error messages; control characters are escaped so a hostile path cannot forge
/// terminal output.
fn printable(s: &str) -> String {
    let cut: String = s.chars().take(200).collect();
    cut.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_paths() {
        let p = SecretPath::parse("myapp/dev/DATABASE_URL").unwrap();
        assert_eq!((p.folder(), p.name()), ("myapp/dev", "DATABASE_URL"));
        assert_eq!(p.to_string(), "myapp/dev/DATABASE_URL");
        let q = SecretPath::parse("myapp/\"api.key-v2\"").unwrap();
        assert_eq!(q.name(), "api.key-v2");
        assert_eq!(q.to_string(), "myapp/\"api.key-v2\"");
        assert_eq!(SecretPath::parse(&q.to_string()).unwrap(), q);
        assert!(SecretPath::parse("team@corp/x.y-z+1/_T").is_ok());
    }

    #[test]
    fn rejects_hostile_paths() {
        for bad in [
            "",
            "NAME",
            "/a/B",
            "a//B",
            "a/../B",
            "../B",
            "a/./B",
            "a/B/",
            "a/1B",
            "a/B-C",
            "a/B\u{0}",
            "a\n/B",
            "a/\"x/y\"",
            "a/\"\"",
            "a b/C",
            "a\\b/C",
            "a/\"..\"",
        ] {
            assert!(SecretPath::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(SecretPath::parse(&format!("a/{}", "X".repeat(129))).is_err());
        assert!(SecretPath::parse(&format!("{}/X", "a/".repeat(300))).is_err());
    }

    #[test]
    fn error_escapes_control_chars() {
        let e = SecretPath::parse("a\u{1b}[31m/B").unwrap_err().to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn folders() {
        assert_eq!(FolderPath::parse("myapp/dev/").unwrap().as_str(), "myapp/dev");
        assert!(FolderPath::parse("a/../b").is_err());
        assert!(FolderPath::parse("").is_err());
    }
}
