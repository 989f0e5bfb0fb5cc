//! `--expand`: python-dotenv's interpolation, `${VAR}` and `${VAR:-default}` (no bare `$VAR`).
//! A name is looked up among the values defined above it in the file first, then in `env` (the
//! process environment), as `dotenv_values()` does; unset and no default gives "". The default
//! applies only when the name is unset, not when it is empty.

use std::collections::HashMap;

use zeroize::Zeroizing;

use super::EnvEntry;
use crate::secret::SecretValue;

/// Expands every value in place, top to bottom.
pub fn expand(entries: &mut [EnvEntry], env: &dyn Fn(&str) -> Option<String>) {
    // Earlier values, already expanded; `None` for a key without a value (reads as "").
    let mut seen: HashMap<String, Option<Zeroizing<String>>> = HashMap::new();
    for e in entries.iter_mut() {
        if let Some(v) = &e.value {
            let out = expand_one(v.expose_str(), &|name: &str| match seen.get(name) {
                Some(Some(v)) => Some(Zeroizing::new(v.to_string())),
                Some(None) => Some(Zeroizing::new(String::new())),
                None => env(name).map(Zeroizing::new),
            });
            e.value = Some(SecretValue::from_string(out.to_string()));
        }
        seen.insert(
            e.key.clone(),
            e.value.as_ref().map(|v| Zeroizing::new(v.expose_str().to_string())),
        );
    }
}

fn expand_one(v: &str, lookup: &dyn Fn(&str) -> Option<Zeroizing<String>>) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(v.len()));
    let out_ref = std::cell::RefCell::new(&mut out);
    scan(
        v,
        &mut |(name, default)| {
            let got = lookup(name);
            let s: &str = match (&got, default) {
                (Some(g), _) => g,
                (None, Some(d)) => d,
                (None, None) => "",
            };
            out_ref.borrow_mut().push_str(s);
        },
        &mut |lit| out_ref.borrow_mut().push_str(lit),
    );
    out
}

/// Splits `v` into literals and `${name[:-default]}` references (python-dotenv's
/// `_posix_variable`: the name holds no `}` or `:`, the default no `}`).
fn scan<'a>(
    v: &'a str,
    var: &mut dyn FnMut((&'a str, Option<&'a str>)),
    lit: &mut dyn FnMut(&'a str),
) {
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let name_len = after.find(['}', ':']).unwrap_or(after.len());
        let name = &after[..name_len];
        let tail = &after[name_len..];
        let matched = if let Some(t) = tail.strip_prefix('}') {
            Some((None, after.len() - t.len()))
        } else if let Some(d) = tail.strip_prefix(":-") {
            d.find('}').map(|j| (Some(&d[..j]), after.len() - d.len() + j + 1))
        } else {
            None
        };
        match matched {
            Some((default, used)) => {
                lit(&rest[..i]);
                var((name, default));
                rest = &after[used..];
            }
            None => {
                // Not a reference at this `$`; the regex moves on by one character.
                lit(&rest[..i + 1]);
                rest = &rest[i + 1..];
            }
        }
    }
    lit(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envfile::parse;

    fn run(src: &str, env: &[(&str, &str)]) -> Vec<String> {
        let mut f = parse(src.as_bytes());
        let env: HashMap<String, String> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        expand(&mut f.entries, &|n| env.get(n).cloned());
        f.entries
            .iter()
            .map(|e| e.value.as_ref().map(|v| v.expose_str().to_string()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn python_dotenv_interpolation() {
        assert_eq!(run("A=1\nB=${A}-${A}\n", &[]), ["1", "1-1"]);
        assert_eq!(run("B=${NOPE}|${NOPE:-dflt}|${E:-d}\n", &[("E", "")]), ["|dflt|"]);
        assert_eq!(run("A=file\nB=${A}\n", &[("A", "env")]), ["file", "file"], "file values win");
        assert_eq!(run("B=${HOME2}\n", &[("HOME2", "/h")]), ["/h"]);
        assert_eq!(run("B=$A ${A:x} ${ ${A\n", &[("A", "1")]), ["$A ${A:x} ${ ${A"]);
        assert_eq!(
            run("B='${A}'\n", &[("A", "1")]),
            ["1"],
            "python-dotenv expands single-quoted values too"
        );
        assert_eq!(run("B=${A:-x:-y}\n", &[]), ["x:-y"]);
    }
}
