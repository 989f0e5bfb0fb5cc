//! `hush.toml`: a repository's project file. Committed with the code; it names vault folders and
//! variables, never a value. Scripts rely on this shape: extend it, never rename a key.
//!
//! ```toml
//! default = "dev"
//! [env.dev]
//! from = ["myapp/dev", "myapp/dev-mine"]   # later folders win
//! [env.prod]
//! from = ["myapp/prod"]
//! [vars]                                   # optional; else .env.example is read (see check)
//! API_KEY = { required = true }
//! PORT = { type = "port", default = "8080" }
//! ```
//!
//! A variable is required unless it has a `default` or says `required = false`. Types: `string`
//! (the default), `url`, `port`, `int`, `bool`, `enum` (with `values = [...]`) and `pattern`
//! (with `pattern = "regex"`, matched against the whole value).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::path::{is_env_name, FolderPath};

/// The project file's name.
pub const PROJECT_FILE: &str = "hush.toml";
/// Largest project file read: 1 MiB.
pub const MAX_PROJECT_FILE_BYTES: u64 = 1024 * 1024;

/// The parsed `hush.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// The environment used when none is named (`--env`). Optional with a single environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Named environments (dev, test, prod...).
    #[serde(default)]
    pub env: BTreeMap<String, EnvDef>,
    /// The variables the project needs (see `check`).
    #[serde(default)]
    pub vars: BTreeMap<String, VarSpec>,
}

/// One environment: vault folders layered in order, a later folder's value winning.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvDef {
    pub from: Vec<String>,
}

/// What a variable must be. Never holds a value, only a default a program may fall back on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<VarType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The allowed values of an `enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// The regular expression of a `pattern` (the whole value must match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl VarSpec {
    /// Required unless it has a default or says `required = false`.
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(self.default.is_none())
    }

    /// The declared type; `values` alone means enum, `pattern` alone means pattern.
    pub fn var_type(&self) -> VarType {
        match self.ty {
            Some(t) => t,
            None if self.values.is_some() => VarType::Enum,
            None if self.pattern.is_some() => VarType::Pattern,
            None => VarType::String,
        }
    }
}

/// The types `check` knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VarType {
    #[default]
    String,
    Url,
    Port,
    Int,
    Bool,
    Enum,
    Pattern,
}

impl VarType {
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::String => "string",
            VarType::Url => "url",
            VarType::Port => "port",
            VarType::Int => "int",
            VarType::Bool => "bool",
            VarType::Enum => "enum",
            VarType::Pattern => "pattern",
        }
    }
}

impl ProjectConfig {
    /// Parses and validates `hush.toml` text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<ProjectConfig> {
        let c: ProjectConfig = toml::from_str(text)
            .map_err(|e| Error::InvalidInput(format!("{file}: {}", e.to_string().trim_end())))?;
        c.validate(file)?;
        Ok(c)
    }

    fn validate(&self, file: &str) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidInput(format!("{file}: {msg}")));
        for (name, e) in &self.env {
            if !is_env_segment(name) {
                return bad(format!("environment name '{name}': use letters, digits, . _ -"));
            }
            if e.from.is_empty() {
                return bad(format!("[env.{name}] needs at least one folder in `from`"));
            }
            for f in &e.from {
                match from_entry(f) {
                    Err(Error::InvalidInput(why)) => {
                        return bad(format!("[env.{name}] from: {why}"))
                    }
                    Err(err) => return bad(format!("[env.{name}] from: {err}")),
                    Ok(_) => {}
                }
            }
        }
        match &self.default {
            Some(d) if !self.env.contains_key(d) => {
                return bad(format!("default = \"{d}\" names no [env.{d}] table"));
            }
            None if self.env.len() > 1 => {
                return bad("several environments and no `default = \"...\"`".into());
            }
            _ => {}
        }
        for (name, v) in &self.vars {
            if !is_env_name(name) {
                return bad(format!("[vars] '{name}' is not an environment variable name"));
            }
            match v.var_type() {
                VarType::Enum if v.values.as_ref().is_none_or(Vec::is_empty) => {
                    return bad(format!("[vars] {name}: an enum needs `values = [...]`"));
                }
                VarType::Pattern => match &v.pattern {
                    None => {
                        return bad(format!("[vars] {name}: a pattern needs `pattern = \"...\"`"))
                    }
                    Some(p) => {
                        if let Err(e) = anchored(p) {
                            return bad(format!("[vars] {name}: bad pattern: {e}"));
                        }
                    }
                },
                _ => {}
            }
        }
        Ok(())
    }

    /// The environment `name`, or the default (the only one when there is one).
    pub fn env_named(&self, name: Option<&str>) -> Result<(&str, &EnvDef)> {
        let pick = name.or(self.default.as_deref());
        match pick {
            Some(n) => self.env.get_key_value(n).map(|(k, v)| (k.as_str(), v)).ok_or_else(|| {
                let known: Vec<&str> = self.env.keys().map(String::as_str).collect();
                Error::InvalidInput(format!(
                    "no environment '{n}' in {PROJECT_FILE} (it has: {})",
                    if known.is_empty() { "none".into() } else { known.join(", ") }
                ))
            }),
            None => self.env.iter().next().map(|(k, v)| (k.as_str(), v)).ok_or_else(|| {
                Error::InvalidInput(format!("{PROJECT_FILE} names no environment ([env.NAME])"))
            }),
        }
    }

    /// The file's text, as `hush project init` writes it: commented, stable order.
    pub fn render(&self) -> String {
        let q = |s: &str| toml_string(s);
        let mut out = String::from(
            "# Hush project file: where this repository's environments come from in your vault.\n\
             # Committed with the code; it holds folder names, never values. `hush project trust`\n\
             # after reviewing a change; `hush run -- CMD`, `hush check`, `hush mount` use it.\n",
        );
        if let Some(d) = &self.default {
            out.push_str(&format!("default = {}\n", q(d)));
        }
        for (name, e) in &self.env {
            let from: Vec<String> = e.from.iter().map(|f| q(f)).collect();
            out.push_str(&format!("\n[env.{name}]\nfrom = [{}]\n", from.join(", ")));
        }
        if !self.vars.is_empty() {
            out.push_str("\n[vars]\n");
            for (name, v) in &self.vars {
                let mut parts = Vec::new();
                if let Some(r) = v.required {
                    parts.push(format!("required = {r}"));
                }
                if let Some(t) = v.ty {
                    parts.push(format!("type = {}", q(t.as_str())));
                }
                if let Some(d) = &v.default {
                    parts.push(format!("default = {}", q(d)));
                }
                if let Some(vs) = &v.values {
                    let vs: Vec<String> = vs.iter().map(|s| q(s)).collect();
                    parts.push(format!("values = [{}]", vs.join(", ")));
                }
                if let Some(p) = &v.pattern {
                    parts.push(format!("pattern = {}", q(p)));
                }
                if let Some(d) = &v.description {
                    parts.push(format!("description = {}", q(d)));
                }
                out.push_str(&format!("{name} = {{ {} }}\n", parts.join(", ")));
            }
        }
        out
    }
}

/// An environment name: a bare TOML key that reads well on a command line.
fn is_env_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// `pattern` compiled to match the whole value.
pub(crate) fn anchored(p: &str) -> std::result::Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{p})$")).size_limit(1 << 20).build()
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `from` entry: a vault folder, or `REMOTE:FOLDER`, a folder that `run`, `export` and
/// `inject` read from that remote first (the local copy as fallback). Folder names hold no
/// ':', so the first one ends the remote's name.
pub fn from_entry(entry: &str) -> Result<(Option<&str>, FolderPath)> {
    match entry.split_once(':') {
        Some((remote, folder)) => {
            crate::remote::check_name(remote)?;
            Ok((Some(remote), FolderPath::parse(folder)?))
        }
        None => Ok((None, FolderPath::parse(entry)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE_EXAMPLE: &str = r#"
default = "dev"
[env.dev]
from = ["myapp/dev", "myapp/dev-mine"]   # later folders win
[env.prod]
from = ["myapp/prod"]
[vars]                                   # optional; else .env.example is read (see check)
API_KEY = { required = true }
PORT = { type = "port", default = "8080" }
"#;

    #[test]
    fn the_issue_shape_parses() {
        let c = ProjectConfig::parse(ISSUE_EXAMPLE, "hush.toml").unwrap();
        assert_eq!(c.default.as_deref(), Some("dev"));
        assert_eq!(c.env["dev"].from, ["myapp/dev", "myapp/dev-mine"]);
        assert!(c.vars["API_KEY"].is_required());
        assert!(!c.vars["PORT"].is_required());
        assert_eq!(c.vars["PORT"].var_type(), VarType::Port);
        assert_eq!(c.env_named(None).unwrap().0, "dev");
        assert_eq!(c.env_named(Some("prod")).unwrap().1.from, ["myapp/prod"]);
        assert!(c.env_named(Some("staging")).is_err());
        // render → parse is the identity
        assert_eq!(ProjectConfig::parse(&c.render(), "x").unwrap(), c);
        // A remote-first entry: the remote's name, then the folder.
        let r = from_entry("team:myapp/dev").unwrap();
        assert_eq!((r.0, r.1.as_str()), (Some("team"), "myapp/dev"));
        let with = ProjectConfig::parse("[env.dev]\nfrom = [\"team:a/b\", \"c\"]", "x").unwrap();
        assert_eq!(ProjectConfig::parse(&with.render(), "x").unwrap(), with);
    }

    #[test]
    fn mistakes_are_named() {
        for (text, needle) in [
            ("default = \"dev\"\n[env.prod]\nfrom = [\"a/b\"]", "names no [env.dev]"),
            ("[env.dev]\nfrom = []", "at least one folder"),
            ("[env.dev]\nfrom = [\"../x\"]", "from:"),
            ("[env.dev]\nfrom = [\"te am:x\"]", "from: remote name 'te am'"),
            ("[env.dev]\nfrom = [\"team:../x\"]", "from:"),
            ("[env.dev]\nform = [\"a\"]", "unknown field"),
            ("[env.a]\nfrom=[\"x\"]\n[env.b]\nfrom=[\"y\"]", "no `default"),
            ("[vars]\nX = { type = \"enum\" }", "needs `values"),
            ("[vars]\nX = { pattern = \"(\" }", "bad pattern"),
            ("[vars]\nX = { type = \"colour\" }", "unknown variant"),
            ("[vars]\n\"A-B\" = {}", "not an environment variable name"),
        ] {
            let e = ProjectConfig::parse(text, "hush.toml").unwrap_err().to_string();
            assert!(e.contains(needle), "{text:?}: {e}");
            assert!(e.contains("hush.toml"), "{e}");
        }
    }
}
