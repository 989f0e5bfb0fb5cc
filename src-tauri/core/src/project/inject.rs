//! `inject` inside a project: `hush://NAME` (no folder) names a variable of the project's
//! environment and becomes `hush://FOLDER/NAME` for the last (winning) folder that holds it, so
//! templates stay free of folder names. Metadata only; the values come from `Vault::inject`.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Result;
use crate::model::ListFilter;
use crate::path::FolderPath;
use crate::vault::Vault;

const SCHEME: &str = "hush://";

/// Whether `template` has a folder-less `hush://NAME` reference.
pub fn has_bare_refs(template: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(template) else { return false };
    text.match_indices(SCHEME).any(|(i, _)| {
        let body = &text[i + SCHEME.len()..];
        let run = body
            .find(|c: char| !(c.is_alphanumeric() || "._-+@/\"".contains(c)))
            .unwrap_or(body.len());
        run > 0 && !body[..run].contains('/')
    })
}

/// `template` with its folder-less references pointed at `folders` (later wins). References to a
/// name no folder holds are left as they are (inject reports them as unknown).
pub fn resolve_bare_refs(
    vault: &Vault,
    template: &[u8],
    folders: &[FolderPath],
) -> Result<Vec<u8>> {
    let Ok(text) = std::str::from_utf8(template) else { return Ok(template.to_vec()) };
    if !text.contains(SCHEME) {
        return Ok(template.to_vec());
    }
    let mut owner: BTreeMap<String, &FolderPath> = BTreeMap::new();
    for f in folders {
        let names: BTreeSet<String> = vault
            .list(&ListFilter { folder: Some(f.to_string()), ..Default::default() })?
            .into_iter()
            .filter(|m| m.folder == f.as_str())
            .map(|m| m.name)
            .collect();
        for n in names {
            owner.insert(n, f);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(SCHEME) {
        let body = &rest[i + SCHEME.len()..];
        let run = body
            .find(|c: char| !(c.is_alphanumeric() || "._-+@/\"".contains(c)))
            .unwrap_or(body.len());
        let name_len = body
            .char_indices()
            .find(|&(j, c)| !(c == '_' || c.is_ascii_alphabetic() || (j > 0 && c.is_ascii_digit())))
            .map_or(body.len(), |(j, _)| j);
        out.push_str(&rest[..i + SCHEME.len()]);
        let bare = !body[..run].contains('/') && name_len > 0;
        if let Some(f) = owner.get(&body[..name_len]).filter(|_| bare) {
            out.push_str(f.as_str());
            out.push('/');
        }
        rest = body;
    }
    out.push_str(rest);
    Ok(out.into_bytes())
}
