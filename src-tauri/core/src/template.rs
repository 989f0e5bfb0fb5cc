//! `hush://folder/NAME` references in template files, for `inject`.
//!
//! A reference is `hush://` then a secret path: folder segments separated by `/`, then a name
//! that is a portable env var name (`[A-Za-z_][A-Za-z0-9_]*`, which ends the reference at the
//! first other character, so `hush://app/KEY.` or `"hush://app/KEY"` read naturally) or a quoted
//! name (`hush://app/"api.key-v2"`).

use crate::error::{Error, Result};

/// One reference found in a template: byte range and the path text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub start: usize,
    pub end: usize,
    pub path: String,
}

const SCHEME: &str = "hush://";

fn folder_char(c: char) -> bool {
    c.is_alphanumeric() || "._-+@/".contains(c)
}

/// Every reference in `text`, in order. A `hush://` that does not form a path is returned too
/// (with the text that follows it), so it is reported instead of silently left in the output.
pub(crate) fn references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(SCHEME) {
        let start = from + i;
        let body_start = start + SCHEME.len();
        let body = &text[body_start..];
        let run = body.find(|c: char| !folder_char(c)).unwrap_or(body.len());
        let r = &body[..run];
        let end = match r.rfind('/') {
            Some(j) if j + 1 == run && body[run..].starts_with('"') => {
                // A quoted name: up to the closing quote.
                match body[run + 1..].find(['"', '\n']) {
                    Some(k) if body[run + 1 + k..].starts_with('"') => body_start + run + k + 2,
                    _ => body_start + run,
                }
            }
            Some(j) => {
                let name = &r[j + 1..];
                let n = if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(name.len())
                } else {
                    0
                };
                if n == 0 {
                    body_start + run
                } else {
                    body_start + j + 1 + n
                }
            }
            None => body_start + run,
        };
        out.push(Reference { start, end, path: text[body_start..end].to_string() });
        from = end.max(body_start);
    }
    out
}

/// Refuses references outside `only` (folders, each with its subfolders; empty = anywhere), all
/// named in one error, before any value is read.
pub(crate) fn check_scope(refs: &[Reference], only: &[crate::path::FolderPath]) -> Result<()> {
    if only.is_empty() {
        return Ok(());
    }
    let inside = |path: &str| {
        only.iter().any(|f| path.strip_prefix(f.as_str()).is_some_and(|rest| rest.starts_with('/')))
    };
    let mut outside: Vec<String> = Vec::new();
    for r in refs.iter().filter(|r| !inside(&r.path)) {
        let shown = format!("hush://{}", r.path);
        if !outside.contains(&shown) {
            outside.push(shown);
        }
    }
    if outside.is_empty() {
        return Ok(());
    }
    let folders: Vec<&str> = only.iter().map(|f| f.as_str()).collect();
    Err(Error::InvalidInput(format!(
        "the template refers to secrets outside --only {}: {}; nothing was read or written",
        folders.join(", "),
        outside.join(", ")
    )))
}

/// The distinct paths of `refs` for which `keep` holds, in order of first use.
pub(crate) fn first_use_order(refs: &[Reference], keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    refs.iter()
        .filter(|r| keep(&r.path) && seen.insert(r.path.as_str()))
        .map(|r| r.path.clone())
        .collect()
}

/// Paths for an audit entry: all of them up to 50, then a count.
pub(crate) fn list_for_audit(paths: &[String]) -> String {
    const SHOWN: usize = 50;
    let mut s = paths.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > SHOWN {
        s.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(t: &str) -> Vec<String> {
        references(t).into_iter().map(|r| r.path).collect()
    }

    #[test]
    fn finds_references() {
        assert_eq!(paths("url=hush://app/dev/DB_URL\n"), ["app/dev/DB_URL"]);
        assert_eq!(paths("\"hush://a/K\", hush://a/K2."), ["a/K", "a/K2"]);
        assert_eq!(paths("k: hush://a.b/\"api.key-v2\" x"), ["a.b/\"api.key-v2\""]);
        assert_eq!(paths("x hush://a/B-C"), ["a/B"]);
        assert_eq!(paths("nothing here"), Vec::<String>::new());
        let r = references("ab hush://a/K cd");
        assert_eq!((r[0].start, r[0].end), (3, 13));
    }

    #[test]
    fn malformed_references_are_returned_to_be_reported() {
        assert_eq!(paths("hush:// hush://nofolder hush://a/9x"), ["", "nofolder", "a/9x"]);
    }
}
