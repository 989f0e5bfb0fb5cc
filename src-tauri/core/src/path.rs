//! Secret paths: `folder/…/NAME`.
//!
//! The rule (documented in the README):
//! - at least one folder segment, then a name; segments are separated by `/`;
//! - a folder segment is 1–128 characters of letters, digits, `.`, `_`, `-`, `+`, `@`, and is
//!   never `.` or `..`;
//! - a name is a portable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`, at most 128
//!   characters), so every secret can be injected into a process as is;
//! - a name that is not portable must be quoted to show intent: `myapp/dev/"api.key-v2"`. Quoted
//!   names may hold any printable character except `"`, `/` and `\`, and except invisible and
//!   text-direction characters (see [`is_deceptive_char`]), which make one name look like another.
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
            "'{n}' is not a portable env var name ([A-Za-z_][A-Za-z0-9_]*); quote it to keep it as is: folder/\"{n}\" (in a shell, inside single quotes: 'folder/\"{n}\"')"
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
    if let Some(c) = n.chars().find(|c| is_deceptive_char(*c)) {
        return Err(format!(
            "a name cannot hold U+{:04X}, an invisible or text-direction character: it makes one name look like another",
            u32::from(c)
        ));
    }
    Ok(())
}

/// Characters that change how text looks without showing themselves: bidirectional controls
/// (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width and invisible characters
/// (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+00AD, U+180E, U+115F/U+1160, U+3164, U+FFA0), line
/// and paragraph separators, interlinear annotation marks and tag characters. Names refuse them;
/// the CLI escapes them in everything it prints.
pub fn is_deceptive_char(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
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
    if let Some(c) = seg.chars().find(|c| is_deceptive_char(*c)) {
        return Err(format!(
            "a folder cannot hold U+{:04X}, an invisible character: it makes one folder look like another",
            u32::from(c)
        ));
    }
    if let Some(c) = seg.chars().find(|c| !(c.is_alphanumeric() || "._-+@".contains(*c))) {
        return Err(format!("folder segments allow letters, digits and . _ - + @ (found {c:?})"));
    }
    Ok(())
}

/// Paths go into error messages; control characters are escaped so a hostile path cannot forge
/// terminal output.
fn printable(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| {
            if is_deceptive_char(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.escape_debug().to_string()
            }
        })
        .collect()
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
    fn invisible_and_bidi_characters_are_refused_in_names() {
        for c in ['\u{202E}', '\u{200B}', '\u{2066}', '\u{FEFF}', '\u{00AD}', '\u{E0041}'] {
            let path = format!("app/\"key{c}x\"");
            let e = SecretPath::parse(&path).unwrap_err().to_string();
            assert!(e.contains("invisible") && !e.contains(c), "{c:?}: {e}");
        }
        assert!(FolderPath::parse("ap\u{200B}p").is_err());
        assert!(FolderPath::parse("ap\u{3164}p").is_err(), "an invisible letter (Hangul filler)");
        assert!(
            SecretPath::parse("app/\"caf\u{e9}.key\"").is_ok(),
            "ordinary letters stay allowed"
        );
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
