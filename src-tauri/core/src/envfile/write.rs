//! The writer. For each value it picks the quoting that the most readers read back exactly:
//! python-dotenv (always; interpolation off), node `dotenv` and docker compose (whenever the value
//! allows). Readers disagree on escapes, so no single style fits every value:
//!
//! - bare `KEY=value` when the value has no quotes, `#`, `$`, backslash, line break or outer
//!   whitespace;
//! - single quotes (literal in all three, but docker compose v1 still expands `${…}` there) when it
//!   has no `'`, no `\\`, no CR and does not end in a backslash;
//! - double quotes with `\\ \" \n \r` escaped otherwise (node decodes only `\n`/`\r`, compose
//!   expands `$` in them, so a value with `"`, `\` or `$` here is python-dotenv-only).
//!
//! Every value has a python-dotenv form; a key may not (a `'` in a key that needs quoting), and
//! is refused by name.

use serde::Serialize;
use zeroize::Zeroizing;

use super::{py_space, Layout, Segment, Style};
use crate::secret::SecretValue;

/// Which readers other than python-dotenv read a value back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Portability {
    pub node: bool,
    pub compose: bool,
}

/// A rendered file and the names that only python-dotenv reads back exactly.
#[derive(Debug)]
pub struct Rendered {
    pub body: SecretValue,
    /// `(name, readers that would read it differently)`.
    pub not_portable: Vec<(String, Vec<&'static str>)>,
}

fn js_space(c: char) -> bool {
    py_space(c) || c == '\u{feff}'
}

fn comment_after_space(v: &str) -> bool {
    let mut prev_space = false;
    for c in v.chars() {
        if c == '#' && prev_space {
            return true;
        }
        prev_space = py_space(c);
    }
    false
}

/// (python-dotenv exact, node, compose) for a style.
fn fits(v: &str, style: Style) -> (bool, bool, bool) {
    let first = v.chars().next();
    let last = v.chars().next_back();
    match style {
        Style::Bare => {
            if v.is_empty() {
                return (true, true, true);
            }
            let py = !v.contains(['\n', '\r'])
                && !matches!(first, Some('\'' | '"'))
                && !first.is_some_and(py_space)
                && !last.is_some_and(py_space)
                && !comment_after_space(v);
            let node = py
                && !v.contains('#')
                && first != Some('`')
                && !first.is_some_and(js_space)
                && !last.is_some_and(js_space);
            let compose =
                node && !v.contains(['$', '\\', '\'', '"']) && !v.chars().any(char::is_control);
            (py, node, compose)
        }
        Style::Single => {
            let py = !v.contains(['\'', '\r']) && !v.contains("\\\\") && !v.ends_with('\\');
            // Compose v1 reads env files with python-dotenv's interpolation on, which expands
            // `${…}` even in single quotes (v2 would not): such a value is python-dotenv-only.
            (py, py, py && !v.contains('\\') && !v.contains("${"))
        }
        Style::Double => {
            let py = true;
            let node = !v.contains(['\\', '"']);
            (py, node, node && !v.contains('$'))
        }
    }
}

/// Renders one value (quotes included) in the best style, `prefer` winning ties. (`Option` for
/// the day a reader can't take some value in any style; double quotes take every value today.)
pub fn render_value(
    v: &str,
    prefer: Option<Style>,
) -> Option<(Zeroizing<String>, Style, Portability)> {
    let mut order = vec![Style::Bare, Style::Single, Style::Double];
    if let Some(p) = prefer {
        order.retain(|s| *s != p);
        order.insert(0, p);
    }
    let mut best: Option<(Style, u8, Portability)> = None;
    for s in order {
        let (py, node, compose) = fits(v, s);
        let score = u8::from(node) + u8::from(compose);
        if py && best.is_none_or(|(_, b, _)| score > b) {
            best = Some((s, score, Portability { node, compose }));
        }
    }
    let (style, _, port) = best?;
    let mut out = Zeroizing::new(String::with_capacity(v.len() + 2));
    match style {
        Style::Bare => out.push_str(v),
        Style::Single => {
            out.push('\'');
            out.push_str(v);
            out.push('\'');
        }
        Style::Double => {
            out.push('"');
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
    }
    Some((out, style, port))
}

/// Renders a key: bare when python-dotenv reads it bare, else single-quoted. Returns the text and
/// whether node and compose accept it; `None` if no reader can (a `'` in a key that needs quotes).
pub fn render_key(name: &str, quoted: bool) -> Option<(String, Portability)> {
    let node =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    let compose = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || "_.".contains(c));
    let port = Portability { node, compose };
    let bare_ok = !name.is_empty()
        && !name.starts_with('\'')
        && !name.contains(|c: char| c == '=' || c == '#' || py_space(c));
    if name.contains('\'') {
        return bare_ok.then(|| (name.to_string(), port));
    }
    if quoted || !bare_ok {
        return (!name.is_empty())
            .then(|| (format!("'{name}'"), Portability { node: false, compose: false }));
    }
    Some((name.to_string(), port))
}

/// The reader name for python-dotenv with its default interpolation (see [`render`]).
pub const PY_INTERPOLATING: &str =
    "python-dotenv's default load (it expands ${…}; interpolate=False reads it exactly)";

/// Whether python-dotenv's interpolation rewrites `v`: it has a `${NAME}` or `${NAME:-DEFAULT}`
/// (python-dotenv's own pattern: NAME without `}` or `:`, DEFAULT without `}`).
fn py_expands(v: &str) -> bool {
    v.match_indices("${").any(|(i, _)| {
        let rest = &v[i + 2..];
        let name_end = rest.find(['}', ':']).unwrap_or(rest.len());
        match &rest.as_bytes()[name_end..] {
            [b'}', ..] => true,
            [b':', b'-', tail @ ..] => tail.contains(&b'}'),
            _ => false,
        }
    })
}

/// Renders `items` (name, value) as a `.env` file. With a layout, its text, order and spacing are
/// kept: statements whose name is no longer in `items` are left out, and names it does not have
/// follow at the end in the order given. `Err` lists the names no reader could read back.
pub fn render(
    items: &[(&str, &SecretValue)],
    layout: Option<&Layout>,
) -> Result<Rendered, Vec<String>> {
    let mut out = Zeroizing::new(String::new());
    let mut not_portable = Vec::new();
    let mut bad = Vec::new();
    let mut written = std::collections::HashSet::new();
    // By name, the first of each: a search of `items` per name made an export quadratic (80,000
    // secrets took 40 s, 300,000 over 7 minutes).
    let mut by_name: std::collections::HashMap<&str, &SecretValue> =
        std::collections::HashMap::with_capacity(items.len());
    for (n, v) in items {
        by_name.entry(n).or_insert(v);
    }
    let mut emit = |out: &mut String,
                    name: &str,
                    quoted: bool,
                    style: Option<Style>,
                    parts: (&str, &str, &str)| {
        let value = by_name[name];
        let (Some((key, kp)), Some((val, st, vp))) =
            (render_key(name, quoted), render_value(value.expose_str(), style))
        else {
            bad.push(name.to_string());
            return;
        };
        let (prefix, eq, suffix) = parts;
        let spaced_eq = eq.ends_with(super::py_hspace);
        out.push_str(prefix);
        out.push_str(&key);
        // `KEY= #x` reads as an empty value: a bare value starting with `#` needs `=` last.
        out.push_str(if st == Style::Bare && val.starts_with('#') {
            eq.trim_end_matches(super::py_hspace)
        } else {
            eq
        });
        out.push_str(&val);
        if st == Style::Bare && suffix.starts_with('#') && !(val.is_empty() && spaced_eq) {
            out.push(' '); // `v#c` would read as part of a bare value
        }
        out.push_str(suffix);
        let mut readers = Vec::new();
        if !(kp.node && vp.node) {
            readers.push("node dotenv");
        }
        if !(kp.compose && vp.compose) {
            readers.push("docker compose");
        }
        // python-dotenv's default (`load_dotenv`, `dotenv_values`) expands `${…}` in every
        // quoting style, single quotes included; no spelling keeps it literal.
        if py_expands(value.expose_str()) {
            readers.push(PY_INTERPOLATING);
        }
        if !readers.is_empty() {
            not_portable.push((name.to_string(), readers));
        }
    };
    if let Some(layout) = layout {
        for seg in &layout.segments {
            match seg {
                Segment::Text { text } => out.push_str(text),
                Segment::Entry { name, key_quoted, prefix, eq, style, suffix } => {
                    if written.contains(name.as_str()) || !by_name.contains_key(name.as_str()) {
                        continue;
                    }
                    // A last line without a line end gets one if anything follows it.
                    emit(&mut out, name, *key_quoted, Some(*style), (prefix, eq, suffix));
                    written.insert(name.as_str());
                }
            }
        }
    }
    for (name, _) in items {
        if written.contains(name) {
            continue;
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        emit(&mut out, name, false, None, ("", "=", "\n"));
        written.insert(name);
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    Ok(Rendered { body: SecretValue::from_string(std::mem::take(&mut *out)), not_portable })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envfile::parse;

    fn val(s: &str) -> SecretValue {
        SecretValue::from_string(s.into())
    }

    fn styled(v: &str) -> (String, Style) {
        let (t, s, _) = render_value(v, None).unwrap();
        (t.to_string(), s)
    }

    #[test]
    fn picks_the_most_portable_style() {
        assert_eq!(styled("plain-value_1"), ("plain-value_1".into(), Style::Bare));
        assert_eq!(styled(""), ("".into(), Style::Bare));
        assert_eq!(styled("has space"), ("has space".into(), Style::Bare));
        assert_eq!(styled(" lead"), ("' lead'".into(), Style::Single));
        assert_eq!(styled("a#b"), ("'a#b'".into(), Style::Single));
        assert_eq!(styled("$HOME"), ("'$HOME'".into(), Style::Single));
        assert_eq!(styled("it's"), ("\"it's\"".into(), Style::Double));
        assert_eq!(styled("l1\nl2"), ("'l1\nl2'".into(), Style::Single));
        assert_eq!(styled("cr\r"), ("\"cr\\r\"".into(), Style::Double));
        assert_eq!(styled("C:\\dir\\"), ("C:\\dir\\".into(), Style::Bare));
        assert_eq!(styled("a\\\\b"), ("a\\\\b".into(), Style::Bare));
        assert_eq!(styled(" a\\\\b"), ("\" a\\\\\\\\b\"".into(), Style::Double));
        assert_eq!(styled(" ends\\"), ("\" ends\\\\\"".into(), Style::Double));
    }

    #[test]
    fn a_preferred_style_wins_ties_only() {
        assert_eq!(render_value("abc", Some(Style::Double)).unwrap().1, Style::Double);
        assert_eq!(render_value("a'b", Some(Style::Single)).unwrap().1, Style::Double);
    }

    #[test]
    fn keys() {
        assert_eq!(render_key("API_KEY", false).unwrap().0, "API_KEY");
        assert_eq!(render_key("a.b-c", false).unwrap().0, "a.b-c");
        assert!(!render_key("a.b-c", false).unwrap().1.compose);
        assert_eq!(render_key("my key", false).unwrap().0, "'my key'");
        assert_eq!(render_key("KEY", true).unwrap().0, "'KEY'");
        assert!(render_key("it's mine", false).is_none());
    }

    #[test]
    fn roundtrip_tricky_values_through_our_parser() {
        let values = [
            "",
            " ",
            "a b",
            "#",
            "a #b",
            "'",
            "\"",
            "'\"",
            "\\",
            "\\\\",
            "\\'",
            "\\\"",
            "a\\nb",
            "\n",
            "\r",
            "\r\n",
            "x\n\ny",
            "\t",
            "$A ${B} $(c)",
            "=",
            "==x==",
            "ünïcødé 😀",
            "\u{1c}",
            "\u{a0}x\u{a0}",
            "`x`",
            "'a'",
            "\"a\"",
            "a\\",
            "export X=1",
            "# not a comment",
            "\\\\\\\"",
        ];
        let names: Vec<String> = (0..values.len()).map(|i| format!("K{i}")).collect();
        let items: Vec<(&str, SecretValue)> =
            names.iter().zip(values).map(|(n, v)| (n.as_str(), val(v))).collect();
        let refs: Vec<(&str, &SecretValue)> = items.iter().map(|(n, v)| (*n, v)).collect();
        let r = render(&refs, None).unwrap();
        let f = parse(r.body.expose());
        assert!(f.errors.is_empty(), "{:?}\n{}", f.errors, r.body.expose_str());
        let got: Vec<&str> =
            f.entries.iter().map(|e| e.value.as_ref().unwrap().expose_str()).collect();
        assert_eq!(got, values);
    }

    #[test]
    fn layout_is_kept_byte_for_byte_when_canonical() {
        let src = "# app settings\n\nexport API=abc # prod key\nDB='p#ss word'\n  # indented\nMSG=\"it's\"\n\nLAST=1";
        let f = parse(src.as_bytes());
        let items: Vec<(&str, &SecretValue)> =
            f.entries.iter().map(|e| (e.key.as_str(), e.value.as_ref().unwrap())).collect();
        assert_eq!(render(&items, Some(&f.layout)).unwrap().body.expose_str(), src);
        // A new name follows at the end; a removed one leaves its line out.
        let extra = val("new");
        let mut fewer: Vec<(&str, &SecretValue)> =
            items.iter().filter(|(n, _)| *n != "DB").cloned().collect();
        fewer.push(("NEW", &extra));
        let out = render(&fewer, Some(&f.layout)).unwrap().body.expose_str().to_string();
        assert!(!out.contains("DB="));
        assert!(out.ends_with("LAST=1\nNEW=new\n"), "{out}");
    }

    #[test]
    fn reports_values_only_python_reads_back() {
        let (a, b) = (val(" it's \"x\""), val("plain"));
        let r = render(&[("A", &a), ("B", &b)], None).unwrap();
        assert_eq!(r.not_portable, vec![("A".to_string(), vec!["node dotenv", "docker compose"])]);
        let v = val("x");
        assert_eq!(render(&[("it's mine", &v)], None).unwrap_err(), vec!["it's mine".to_string()]);
    }

    /// Rendering is linear in the number of secrets: a search per name made 80,000 take 40 s.
    /// 40,000 names, with and without a layout, well inside a bound the quadratic one missed
    /// tenfold (it took ~12 s here in a debug build).
    #[test]
    fn render_is_linear_in_the_number_of_names() {
        let names: Vec<String> = (0..40_000).map(|i| format!("KEY_{i}")).collect();
        let values: Vec<SecretValue> = (0..40_000).map(|i| val(&format!("v{i}"))).collect();
        let items: Vec<(&str, &SecretValue)> =
            names.iter().map(String::as_str).zip(values.iter()).collect();
        let text = render(&items, None).unwrap().body;
        let layout = parse(text.expose()).layout;
        let started = std::time::Instant::now();
        let again = render(&items, Some(&layout)).unwrap().body;
        render(&items, None).unwrap();
        assert_eq!(again.expose(), text.expose());
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(3), "{took:?}");
    }
}
