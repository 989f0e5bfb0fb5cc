//! The parser: python-dotenv 1.2's grammar (`dotenv/parser.py`), rule for rule, over text whose
//! line ends were normalised the way Python's text-mode `open()` does (CRLF and lone CR → LF) and
//! whose UTF-8 BOM was dropped (as python-dotenv 1.2 does).
//!
//! A statement is `[export ]KEY[ = VALUE][ # comment]`; values are unquoted (to the end of the
//! line, cut at a `#` that follows whitespace, right-trimmed), single-quoted (`\\` and `\'`
//! decoded) or double-quoted (`\\ \' \" \a \b \f \n \r \t \v` decoded); quoted values may span
//! lines. A statement that does not fit is an error for that statement only; reading resumes on
//! the next line, as python-dotenv does.

use zeroize::Zeroizing;

use super::{py_hspace, py_space, EnvEntry, EnvFile, EnvLineError, Segment, Style};
use crate::secret::SecretValue;

/// Parses `.env` bytes. Never fails and never panics: problems are in `EnvFile::errors`.
pub fn parse(bytes: &[u8]) -> EnvFile {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
            let reason = "not UTF-8 text (save the file as UTF-8)".to_string();
            return EnvFile { errors: vec![EnvLineError { line, reason }], ..Default::default() };
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut norm = Zeroizing::new(String::with_capacity(text.len()));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            norm.push('\n');
        } else {
            norm.push(c);
        }
    }
    Parser { s: &norm, pos: 0, line_pos: 0, line: 1, out: EnvFile::default() }.run()
}

/// A statement failed; `pos` is where python-dotenv's reader stood when it did.
struct Fail {
    reason: &'static str,
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    /// `line` is the line number at byte `line_pos` (both only move forward).
    line_pos: usize,
    line: usize,
    out: EnvFile,
}

impl<'a> Parser<'a> {
    fn run(mut self) -> EnvFile {
        while self.pos < self.s.len() {
            self.binding();
        }
        self.out
    }

    fn line_at(&mut self, pos: usize) -> usize {
        self.line += self.s[self.line_pos..pos].matches('\n').count();
        self.line_pos = pos;
        self.line
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        let n = self.rest().find(|c: char| !f(c)).unwrap_or(self.rest().len());
        self.pos += n;
        &self.s[start..self.pos]
    }

    fn text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if let Some(Segment::Text { text }) = self.out.layout.segments.last_mut() {
            text.push_str(t);
        } else {
            self.out.layout.segments.push(Segment::Text { text: t.to_string() });
        }
    }

    fn binding(&mut self) {
        let lead = self.skip_while(py_space);
        self.text(lead);
        if self.pos >= self.s.len() {
            return;
        }
        let start = self.pos;
        let line = self.line_at(start);
        match self.statement(start, line) {
            Ok(()) => {}
            Err(f) => {
                // python-dotenv's `_rest_of_line`: drop what is left of the line it stopped on.
                self.skip_while(|c| c != '\n');
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
                self.out.errors.push(EnvLineError { line, reason: f.reason.to_string() });
            }
        }
    }

    fn statement(&mut self, start: usize, line: usize) -> Result<(), Fail> {
        // `export` followed by horizontal whitespace; `export=1` is a key named export.
        if let Some(after) = self.rest().strip_prefix("export") {
            if after.starts_with(py_hspace) {
                self.pos += "export".len();
                self.skip_while(py_hspace);
            }
        }
        let prefix_end = self.pos;
        let (key, key_quoted) = match self.peek() {
            Some('#') => {
                // A comment line: python-dotenv reads it as a binding without a key.
                self.skip_while(|c| c != '\n');
                self.eol().expect("a comment runs to the end of the line");
                let t = &self.s[start..self.pos];
                self.text(t);
                return Ok(());
            }
            Some('\'') => {
                let body = &self.rest()[1..];
                let n = body.find('\'').ok_or(Fail { reason: "unterminated quoted key" })?;
                if n == 0 {
                    return Err(Fail { reason: "empty key" });
                }
                let k = &body[..n];
                self.pos += n + 2;
                (k, true)
            }
            _ => {
                let k = self.skip_while(|c| c != '=' && c != '#' && !py_space(c));
                if k.is_empty() {
                    return Err(Fail { reason: "empty key (a line starts with '=')" });
                }
                (k, false)
            }
        };
        let key_end = self.pos;
        self.skip_while(py_hspace);
        let mut style = Style::Bare;
        let mut value: Option<SecretValue> = None;
        let value_start;
        if self.peek() == Some('=') {
            self.pos += 1;
            let spaced = !self.skip_while(py_hspace).is_empty();
            value_start = self.pos;
            if spaced && self.peek() == Some('#') {
                // `KEY= # comment`: an empty value (python-dotenv 1.2); `KEY=#x` is the value `#x`.
                value = Some(SecretValue::default());
            } else {
                let (v, st) = self.value()?;
                value = Some(v);
                style = st;
            }
        } else {
            value_start = self.pos;
        }
        let value_end = self.pos;
        // `_comment`, then `_end_of_line`.
        let save = self.pos;
        self.skip_while(py_hspace);
        if self.peek() == Some('#') {
            self.skip_while(|c| c != '\n');
        } else {
            self.pos = save;
        }
        self.eol().map_err(|()| match (&value, style) {
            (None, _) if key.ends_with(':') => {
                Fail { reason: "expected '=' after the key (KEY: value is not .env syntax)" }
            }
            (None, _) => Fail { reason: "a key cannot contain spaces, or '=' is missing" },
            (Some(_), Style::Bare) => Fail { reason: "unexpected text after the value" },
            (Some(_), _) => Fail {
                reason: "text after the closing quote (put a space and '#' before a comment)",
            },
        })?;
        let Some(value) = value else {
            // A bare `KEY` line: python-dotenv gives it no value. Its text is not kept: a
            // stray line is as likely a pasted secret as a key.
            self.out.entries.push(EnvEntry { key: key.to_string(), value: None, line, style });
            return Ok(());
        };
        self.out.layout.segments.push(Segment::Entry {
            name: key.to_string(),
            key_quoted,
            prefix: self.s[start..prefix_end].to_string(),
            eq: self.s[key_end..value_start].to_string(),
            style,
            suffix: self.s[value_end..self.pos].to_string(),
        });
        self.out.entries.push(EnvEntry { key: key.to_string(), value: Some(value), line, style });
        Ok(())
    }

    /// `_end_of_line`: horizontal whitespace, then a line end or the end of the text.
    fn eol(&mut self) -> Result<(), ()> {
        let save = self.pos;
        self.skip_while(py_hspace);
        match self.peek() {
            None => Ok(()),
            Some('\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => {
                self.pos = save;
                Err(())
            }
        }
    }

    fn value(&mut self) -> Result<(SecretValue, Style), Fail> {
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                let close = quoted_end(self.rest(), q as u8).ok_or(Fail {
                    reason: if q == '"' {
                        "unterminated double quote"
                    } else {
                        "unterminated single quote"
                    },
                })?;
                let body = &self.rest()[1..close];
                let v = if q == '"' { decode(body, "\\'\"abfnrtv") } else { decode(body, "\\'") };
                self.pos += close + 1;
                Ok((v, if q == '"' { Style::Double } else { Style::Single }))
            }
            None | Some('\n') => Ok((SecretValue::default(), Style::Bare)),
            Some(_) => {
                let part = self.skip_while(|c| c != '\n');
                let cut = comment_cut(part);
                let v = part[..cut].trim_end_matches(py_space);
                // The value ends where its text does; spacing and comment go to the suffix.
                self.pos -= part.len() - v.len();
                Ok((SecretValue::from_string(v.to_string()), Style::Bare))
            }
        }
    }
}

/// Where python-dotenv's quoted-value regex (`'((?:\\.|[^'\\])*)'`, 1.2) closes: a backslash always
/// takes the character after it, so the first quote not taken that way closes. Returns the byte
/// index of the closing quote in `s` (which starts with the opening quote).
pub(crate) fn quoted_end(s: &str, q: u8) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        if b[i] == b'\\' {
            // UTF-8 continuation bytes are never a quote or a backslash: stepping one byte is safe.
            i += 2;
        } else if b[i] == q {
            return Some(i);
        } else {
            i += 1;
        }
    }
    None
}

/// python-dotenv's escape decoding: each `\x` with `x` in `set`, left to right, non-overlapping.
fn decode(body: &str, set: &str) -> SecretValue {
    let mut out = Zeroizing::new(String::with_capacity(body.len()));
    let mut it = body.chars().peekable();
    while let Some(c) = it.next() {
        match it.peek() {
            Some(&n) if c == '\\' && set.contains(n) => {
                it.next();
                out.push(match n {
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\u{b}',
                    other => other,
                });
            }
            _ => out.push(c),
        }
    }
    SecretValue::from_string(std::mem::take(&mut *out))
}

/// Where python-dotenv cuts an unquoted value (`re.sub(r"\s+#.*", "", part)`): at the start of
/// the whitespace run before the first `#` that follows whitespace.
fn comment_cut(part: &str) -> usize {
    let mut prev_space_start: Option<usize> = None;
    for (i, c) in part.char_indices() {
        if c == '#' {
            if let Some(s) = prev_space_start {
                return s;
            }
        }
        if py_space(c) {
            prev_space_start.get_or_insert(i);
        } else {
            prev_space_start = None;
        }
    }
    part.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(src: &str) -> Vec<(String, Option<String>)> {
        let f = parse(src.as_bytes());
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        f.entries
            .iter()
            .map(|e| (e.key.clone(), e.value.as_ref().map(|v| v.expose_str().to_string())))
            .collect()
    }

    fn one(src: &str) -> String {
        let v = kv(src);
        assert_eq!(v.len(), 1, "{v:?}");
        v[0].1.clone().expect("a value")
    }

    fn err_lines(src: &str) -> Vec<usize> {
        parse(src.as_bytes()).errors.iter().map(|e| e.line).collect()
    }

    #[test]
    fn unquoted_values() {
        assert_eq!(one("A=b"), "b");
        assert_eq!(one("A = b  "), "b");
        assert_eq!(one("A=b c # comment"), "b c");
        assert_eq!(one("A=b#c"), "b#c");
        assert_eq!(one("A=b\t#c"), "b");
        assert_eq!(one("A="), "");
        assert_eq!(one("A=   "), "");
        assert_eq!(one("A=a=b=c"), "a=b=c");
        assert_eq!(one("A=$HOME ${X}"), "$HOME ${X}");
        assert_eq!(one("A=back\\slash\\n"), "back\\slash\\n");
        assert_eq!(one("A=#nocomment"), "#nocomment");
        assert_eq!(one("A=ünï😀"), "ünï😀");
    }

    #[test]
    fn quoted_values() {
        assert_eq!(one("A='b c'"), "b c");
        assert_eq!(one("A=' b '  # c"), " b ");
        assert_eq!(one(r"A='a\nb\\c\'d'"), "a\\nb\\c'd");
        assert_eq!(one(r#"A="a\nb\tc\"d\\e\qf""#), "a\nb\tc\"d\\e\\qf");
        assert_eq!(one("A=\"line1\nline2\""), "line1\nline2");
        assert_eq!(one("A='l1\n\nl3'\n"), "l1\n\nl3");
        assert_eq!(one("A=\"#not a comment\""), "#not a comment");
        assert_eq!(one("A=\"x\"# c"), "x");
        assert_eq!(one(r#"A="a\\""#), "a\\");
    }

    #[test]
    fn keys_and_export() {
        assert_eq!(
            kv("export A=1\nexport\tB=2\nexport=3\n'q k'=4\na.b-c=5\n"),
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("2".into())),
                ("export".into(), Some("3".into())),
                ("q k".into(), Some("4".into())),
                ("a.b-c".into(), Some("5".into())),
            ]
        );
        assert_eq!(kv("BARE\n"), vec![("BARE".into(), None)]);
    }

    #[test]
    fn line_ends_bom_blank_lines_duplicates() {
        assert_eq!(
            kv("\u{feff}A=1\r\nB=\"x\r\ny\"\rC=3"),
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("x\ny".into())),
                ("C".into(), Some("3".into())),
            ]
        );
        assert_eq!(kv("\n\n  # c\n\nA=1\nA=2\n").len(), 2);
    }

    #[test]
    fn malformed_lines_have_line_numbers() {
        assert_eq!(err_lines("A=1\nB=\"open\nC=3\n"), vec![2]);
        assert_eq!(err_lines("A=1\n\nB='x' y\n"), vec![3]);
        assert_eq!(err_lines("MY KEY=1\n"), vec![1]);
        assert_eq!(err_lines("=v\n"), vec![1]);
        assert_eq!(err_lines("KEY: value\n"), vec![1]);
        assert_eq!(err_lines("A=1\nB=\"x\"junk\nC=1"), vec![2]);
        let f = parse(b"ok=1\nbad line here\nalso=2\n");
        assert_eq!(f.entries.len(), 2, "reading resumes after a bad line");
        assert!(parse(b"KEY: value").errors[0].reason.contains("KEY: value is not"));
    }

    #[test]
    fn errors_never_quote_the_line() {
        let f = parse(b"A=\"canary-5521\nB canary-5521 x=1\n'canary-5521");
        assert!(!f.errors.is_empty());
        for e in &f.errors {
            assert!(!e.reason.contains("canary"), "{e:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_one_error_with_its_line() {
        let f = parse(b"A=1\nB=\xff\n");
        assert_eq!(
            f.errors,
            vec![EnvLineError {
                line: 2,
                reason: "not UTF-8 text (save the file as UTF-8)".into()
            }]
        );
        assert!(f.entries.is_empty());
    }

    #[test]
    fn a_backslash_takes_the_next_character_like_python_dotenv_1_2() {
        assert_eq!(one(r#"A="a\\""#), "a\\");
        assert_eq!(one(r"A='a\\'"), "a\\");
        assert_eq!(err_lines(r#"A="abc\""#), vec![1], "an escaped quote does not close");
        // The value runs on to the next unescaped quote, then `y"` breaks the statement: neither
        // A nor B is set.
        let f = parse(b"A=\"x\\\"\nB=\"y\"\n");
        assert!(f.entries.is_empty());
        assert_eq!(f.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn space_after_equals_then_hash_is_an_empty_value() {
        assert_eq!(one("A= # comment"), "");
        assert_eq!(one("A=#value"), "#value");
    }

    #[test]
    fn layout_rebuilds_the_text() {
        let src = "# top\n\nexport A = 1 # one\nB='two'\n  C=\"3\"\n";
        let f = parse(src.as_bytes());
        let mut out = String::new();
        for s in &f.layout.segments {
            match s {
                Segment::Text { text } => out.push_str(text),
                Segment::Entry { name, prefix, eq, suffix, style, .. } => {
                    let v = &f.entries.iter().find(|e| &e.key == name).unwrap();
                    let v = v.value.as_ref().unwrap().expose_str();
                    let q = match style {
                        Style::Bare => "",
                        Style::Single => "'",
                        Style::Double => "\"",
                    };
                    out.push_str(&format!("{prefix}{name}{eq}{q}{v}{q}{suffix}"));
                }
            }
        }
        assert_eq!(out, src);
    }
}
