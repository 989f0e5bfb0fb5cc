//! `check`: an environment against the variables a project needs. The rules come from
//! `hush.toml`'s `[vars]`, or, when it lists none, from `.env.example` beside it (a key with a
//! value there is optional with that default; an empty one is required). Results name variables
//! and reasons, never a value.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::config::{anchored, ProjectConfig, VarSpec, VarType};
use crate::envfile;
use crate::error::{Error, Result};
use crate::secret::SecretValue;

/// The example file read when `hush.toml` lists no variables.
pub const EXAMPLE_FILE: &str = ".env.example";

/// What one variable must be.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub required: bool,
    pub ty: VarType,
    pub values: Vec<String>,
    pattern: Option<regex::Regex>,
    pub has_default: bool,
}

/// The rules of a project, and where they came from.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `hush.toml [vars]` or the example file's path.
    pub source: String,
    pub rules: Vec<Rule>,
    /// Lines of the example file that could not be read (line numbers only).
    pub skipped_lines: Vec<usize>,
}

impl Spec {
    /// The rules of `[vars]`.
    pub fn from_config(c: &ProjectConfig, source: &str) -> Result<Spec> {
        let rules = c.vars.iter().map(|(n, v)| rule(n, v)).collect::<Result<_>>()?;
        Ok(Spec { source: source.to_string(), rules, skipped_lines: Vec::new() })
    }

    /// The rules of a `.env.example`: every key, required when its value is empty.
    pub fn from_example(bytes: &[u8], source: &str) -> Spec {
        let f = envfile::parse(bytes);
        let mut rules: Vec<Rule> = Vec::new();
        for e in &f.entries {
            let empty = e.value.as_ref().is_none_or(|v| v.is_empty());
            rules.retain(|r| r.name != e.key); // a later duplicate wins, as in the readers
            rules.push(Rule {
                name: e.key.clone(),
                required: empty,
                ty: VarType::String,
                values: Vec::new(),
                pattern: None,
                has_default: !empty,
            });
        }
        let skipped_lines = f.errors.iter().map(|e| e.line).collect();
        Spec { source: source.to_string(), rules, skipped_lines }
    }

    /// The spec of a project rooted at `root`: `[vars]` if any, else `.env.example`, else none.
    pub fn for_project(root: &Path, c: &ProjectConfig) -> Result<Option<Spec>> {
        if !c.vars.is_empty() {
            return Spec::from_config(c, "hush.toml [vars]").map(Some);
        }
        let ex = root.join(EXAMPLE_FILE);
        match std::fs::read(&ex) {
            Ok(b) => Ok(Some(Spec::from_example(&b, EXAMPLE_FILE))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(ex, e)),
        }
    }
}

fn rule(name: &str, v: &VarSpec) -> Result<Rule> {
    let ty = v.var_type();
    let pattern = match (&v.pattern, ty) {
        (Some(p), VarType::Pattern) => Some(
            anchored(p)
                .map_err(|e| Error::InvalidInput(format!("[vars] {name}: bad pattern: {e}")))?,
        ),
        _ => None,
    };
    Ok(Rule {
        name: name.to_string(),
        required: v.is_required(),
        ty,
        values: v.values.clone().unwrap_or_default(),
        pattern,
        has_default: v.default.is_some(),
    })
}

/// A variable whose value breaks its rule, and why (the reason never quotes the value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    pub name: String,
    pub reason: String,
}

/// The outcome of a check. Names and reasons only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub source: String,
    /// Present and valid.
    pub ok: Vec<String>,
    /// Required and absent or empty.
    pub missing: Vec<String>,
    pub invalid: Vec<Invalid>,
    /// Optional, absent: the program falls back on its default.
    pub defaulted: Vec<String>,
    /// In the environment but not in the spec (informational).
    pub extra: Vec<String>,
    /// Example-file lines that could not be read.
    pub skipped_lines: Vec<usize>,
    /// No missing and no invalid variable.
    pub passed: bool,
}

impl CheckReport {
    /// The names that fail the check (missing, then invalid).
    pub fn failing(&self) -> Vec<String> {
        self.missing.iter().cloned().chain(self.invalid.iter().map(|i| i.name.clone())).collect()
    }
}

/// Checks `env` (name → value) against `spec`.
pub fn check(spec: &Spec, env: &BTreeMap<String, SecretValue>) -> CheckReport {
    check_with(spec, |n| env.get(n).map(SecretValue::expose), env.keys().map(String::as_str))
}

/// Checks the environment that `get` reads against `spec`; `names` are the environment's names
/// (for `extra`).
pub fn check_with<'a>(
    spec: &Spec,
    get: impl Fn(&str) -> Option<&'a [u8]>,
    names: impl Iterator<Item = &'a str>,
) -> CheckReport {
    let mut r = CheckReport {
        source: spec.source.clone(),
        skipped_lines: spec.skipped_lines.clone(),
        ..Default::default()
    };
    for rule in &spec.rules {
        match get(&rule.name).filter(|v| !v.is_empty()) {
            None if rule.required => r.missing.push(rule.name.clone()),
            None => r.defaulted.push(rule.name.clone()),
            Some(v) => match invalid_reason(rule, v) {
                Some(reason) => r.invalid.push(Invalid { name: rule.name.clone(), reason }),
                None => r.ok.push(rule.name.clone()),
            },
        }
    }
    r.extra =
        names.filter(|k| !spec.rules.iter().any(|x| x.name == *k)).map(String::from).collect();
    r.passed = r.missing.is_empty() && r.invalid.is_empty();
    r
}

fn invalid_reason(rule: &Rule, v: &[u8]) -> Option<String> {
    let Ok(s) = std::str::from_utf8(v) else {
        return Some("not UTF-8 text".into());
    };
    let t = s.trim();
    let ok = match rule.ty {
        VarType::String => true,
        VarType::Url => is_url(s),
        VarType::Port => t == s && t.parse::<u16>().is_ok_and(|p| p > 0) && !t.starts_with('+'),
        VarType::Int => t == s && t.parse::<i64>().is_ok(),
        VarType::Bool => ["true", "false", "1", "0", "yes", "no", "on", "off"]
            .contains(&s.to_lowercase().as_str()),
        VarType::Enum => rule.values.iter().any(|x| x == s),
        VarType::Pattern => rule.pattern.as_ref().is_none_or(|p| p.is_match(s)),
    };
    (!ok).then(|| match rule.ty {
        VarType::Url => "not a URL (scheme://...)".to_string(),
        VarType::Port => "not a port number (1-65535)".to_string(),
        VarType::Int => "not an integer".to_string(),
        VarType::Bool => "not a boolean (true/false, 1/0, yes/no, on/off)".to_string(),
        VarType::Enum => format!("not one of: {}", rule.values.join(", ")),
        VarType::Pattern => "does not match the pattern".to_string(),
        VarType::String => String::new(),
    })
}

/// `scheme://rest`: an RFC 3986 scheme, something after it, no whitespace.
fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else { return false };
    let mut cs = scheme.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, SecretValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), SecretValue::from_string(v.to_string())))
            .collect()
    }

    #[test]
    fn types_missing_extra_and_no_values_in_output() {
        let c = ProjectConfig::parse(
            r#"
[vars]
API_KEY = { required = true }
PORT = { type = "port", default = "8080" }
DB = { type = "url" }
N = { type = "int" }
DEBUG = { type = "bool", required = false }
MODE = { values = ["dev", "prod"] }
TAG = { pattern = "v[0-9]+" }
"#,
            "hush.toml",
        )
        .unwrap();
        let spec = Spec::from_config(&c, "hush.toml [vars]").unwrap();
        let e = env(&[
            ("PORT", "99999-SECRETVAL"),
            ("DB", "postgres://u:p@h/db"),
            ("N", "-12"),
            ("DEBUG", "maybe"),
            ("MODE", "staging"),
            ("TAG", "v12x"),
            ("OTHER", "x"),
        ]);
        let r = check(&spec, &e);
        assert_eq!(r.missing, ["API_KEY"]);
        let bad: Vec<&str> = r.invalid.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(bad, ["DEBUG", "MODE", "PORT", "TAG"]);
        assert_eq!(r.ok, ["DB", "N"]);
        assert_eq!(r.extra, ["OTHER"]);
        assert!(!r.passed);
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("SECRETVAL") && !json.contains("staging") && !json.contains("v12x"));
        let good = env(&[
            ("API_KEY", "k"),
            ("DB", "https://x"),
            ("N", "3"),
            ("MODE", "dev"),
            ("TAG", "v1"),
        ]);
        let r = check(&spec, &good);
        assert!(r.passed, "{r:?}");
        assert_eq!(r.defaulted, ["DEBUG", "PORT"]);
    }

    #[test]
    fn example_files_mark_empty_keys_required() {
        let spec = Spec::from_example(
            b"# comment\nAPI_KEY=\nexport PORT=3000\nSECRET=''\nBARE\nbroken line here\n",
            ".env.example",
        );
        let req: Vec<(&str, bool)> =
            spec.rules.iter().map(|r| (r.name.as_str(), r.required)).collect();
        assert_eq!(req, [("API_KEY", true), ("PORT", false), ("SECRET", true), ("BARE", true)]);
        assert_eq!(spec.skipped_lines, [6]);
        let r = check(&spec, &env(&[("API_KEY", "k"), ("SECRET", "")]));
        assert_eq!(r.missing, ["SECRET", "BARE"]);
        assert_eq!(r.defaulted, ["PORT"]);
    }

    #[test]
    fn urls() {
        for ok in ["https://a.b/c", "postgres://u:p@h:5432/d", "redis+sentinel://x"] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in ["a.b", "://x", "https://", "1http://x", "http://a b"] {
            assert!(!is_url(bad), "{bad}");
        }
    }
}
