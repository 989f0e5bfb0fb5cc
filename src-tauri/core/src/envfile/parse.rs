//! The parser: python-dotenv 1.2's grammar (`dotenv/parser.py`), rule for rule, over text whose
//! line ends were normalised the way Python's text-mode `open()` does (CRLF and lone CR → LF) and
//! whose UTF-8 BOM was dropped (as python-dotenv 1.2 does).
//!
//! A statement is `[export ]KEY[ = VALUE][ # comment]`; values are unquoted (to the end of the
//! line, cut at a `#` that follows whitespace, right-trimmed), single-quoted (`\\` and `\'`
//! decoded) or double-quoted (`\\ \' \" \a \b \f \n \r \t \v` decoded); quoted values may span
//! lines. A statement that does not fit is an error for that statement only; reading resumes on
//! the next line, as python-dotenv does.
//!
//! The parser is a stream of [`Event`]s borrowing the text, so a large import reads the file
//! twice without ever holding every entry (and every value) at once; [`parse`] collects them.

use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::{py_hspace, py_space, EnvEntry, EnvFile, EnvLineError, Segment, Style};
use crate::secret::SecretValue;

/// Parses `.env` bytes. Never fails and never panics: problems are in `EnvFile::errors`.
pub fn parse(bytes: &[u8]) -> EnvFile {
    let mut norm = Zeroizing::new(bytes.to_vec());
    let text = match normalise(&mut norm) {
        Ok(t) => t,
        Err(e) => return EnvFile { errors: vec![e], ..Default::default() },
    };
    let mut out = EnvFile::default();
    for ev in Events::new(text) {
        match ev {
            Event::Text(t) => out.layout.push_text(t),
            Event::Error(e) => out.errors.push(e),
            Event::Entry(st) => {
                let value = st.value.as_ref().map(RawValue::decode);
                if value.is_some() {
                    out.layout.segments.push(st.segment(st.key.to_string()));
                }
                out.entries.push(EnvEntry {
                    key: st.key.to_string(),
                    value,
                    line: st.line,
                    style: st.style,
                });
            }
        }
    }
    out
}

/// Checks `buf` is UTF-8, drops a BOM and normalises line ends (CRLF and lone CR → LF) in place
/// (the text only shrinks, and CR/LF are ASCII, so no copy is needed). Returns the text.
pub(crate) fn normalise(buf: &mut Vec<u8>) -> Result<&str, EnvLineError> {
    if let Err(e) = std::str::from_utf8(buf) {
        let line = 1 + buf[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
        let reason = "not UTF-8 text (save the file as UTF-8)".to_string();
        return Err(EnvLineError { line, reason });
    }
    let start = if buf.starts_with("\u{feff}".as_bytes()) { 3 } else { 0 };
    let (mut r, mut w) = (start, 0);
    while r < buf.len() {
        let b = buf[r];
        r += 1;
        if b == b'\r' {
            if buf.get(r) == Some(&b'\n') {
                r += 1;
            }
            buf[w] = b'\n';
        } else {
            buf[w] = b;
        }
        w += 1;
    }
    buf.truncate(w);
    Ok(std::str::from_utf8(buf).expect("still UTF-8: only ASCII bytes were replaced or removed"))
}

/// One piece of the file, in file order.
#[derive(Debug)]
pub(crate) enum Event<'a> {
    /// Blank lines, comment lines and indentation, exactly as read (possibly in several pieces).
    Text(&'a str),
    Entry(Stmt<'a>),
    Error(EnvLineError),
}

/// A statement as written: the key and the pieces around its value (for the layout), and the
/// value still encoded (decoded only when asked for).
#[derive(Debug)]
pub(crate) struct Stmt<'a> {
    pub key: &'a str,
    pub key_quoted: bool,
    /// 1-based line where the statement starts.
    pub line: usize,
    pub style: Style,
    /// `export ` and its spacing.
    pub prefix: &'a str,
    /// `=` and the spacing around it.
    pub eq: &'a str,
    /// Spacing, inline comment and line end after the value.
    pub suffix: &'a str,
    /// `None`: a bare `KEY` line (python-dotenv's "no value").
    pub value: Option<RawValue<'a>>,
}

impl Stmt<'_> {
    /// The layout slot of this statement, under `name`.
    pub(crate) fn segment(&self, name: String) -> Segment {
        Segment::Entry {
            name,
            key_quoted: self.key_quoted,
            prefix: self.prefix.to_string(),
            eq: self.eq.to_string(),
            style: self.style,
            suffix: self.suffix.to_string(),
        }
    }
}

/// A value as it stands in the file: the text between the quotes (or the trimmed bare text).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawValue<'a> {
    body: &'a str,
    style: Style,
}

impl RawValue<'_> {
    /// The value with its escapes decoded, as python-dotenv reads it.
    pub(crate) fn decode(&self) -> SecretValue {
        match self.style {
            Style::Bare => SecretValue::from_string(self.body.to_string()),
            Style::Single => decode(self.body, "\\'"),
            Style::Double => decode(self.body, "\\'\"abfnrtv"),
        }
    }

    /// An upper bound of the decoded length in bytes (decoding only shortens).
    pub(crate) fn max_len(&self) -> usize {
        self.body.len()
    }
}

/// A statement failed; `pos` is where python-dotenv's reader stood when it did.
struct Fail {
    reason: &'static str,
}

/// The event stream over normalised text.
pub(crate) struct Events<'a> {
    s: &'a str,
    pos: usize,
    /// `line` is the line number at byte `line_pos` (both only move forward).
    line_pos: usize,
    line: usize,
    /// What the last binding produced (at most a few events).
    pending: VecDeque<Event<'a>>,
}

impl<'a> Iterator for Events<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(e);
            }
            if self.pos >= self.s.len() {
                return None;
            }
            self.binding();
        }
    }
}

impl<'a> Events<'a> {
    /// Events of `s`, which [`normalise`] returned.
    pub(crate) fn new(s: &'a str) -> Self {
        Events { s, pos: 0, line_pos: 0, line: 1, pending: VecDeque::new() }
    }

    fn line_at(&mut self, pos: usize) -> usize {
        self.line += self.s.as_bytes()[self.line_pos..pos].iter().filter(|b| **b == b'\n').count();
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

    /// Skips to the next line end (not past it): a fast path for the common ASCII case.
    fn skip_line(&mut self) -> &'a str {
        let start = self.pos;
        let n = self.rest().bytes().position(|b| b == b'\n').unwrap_or(self.rest().len());
        self.pos += n;
        &self.s[start..self.pos]
    }

    fn text(&mut self, t: &'a str) {
        if !t.is_empty() {
            self.pending.push_back(Event::Text(t));
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
        if let Err(f) = self.statement(start, line) {
            // python-dotenv's `_rest_of_line`: drop what is left of the line it stopped on.
            self.skip_line();
            if self.peek() == Some('\n') {
                self.pos += 1;
            }
            let e = EnvLineError { line, reason: f.reason.to_string() };
            self.pending.push_back(Event::Error(e));
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
                self.skip_line();
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
        let mut value: Option<RawValue<'a>> = None;
        let value_start;
        if self.peek() == Some('=') {
            self.pos += 1;
            let spaced = !self.skip_while(py_hspace).is_empty();
            value_start = self.pos;
            if spaced && self.peek() == Some('#') {
                // `KEY= # comment`: an empty value (python-dotenv 1.2); `KEY=#x` is the value `#x`.
                value = Some(RawValue { body: "", style: Style::Bare });
            } else {
                let v = self.value()?;
                style = v.style;
                value = Some(v);
            }
        } else {
            value_start = self.pos;
        }
        let value_end = self.pos;
        // `_comment`, then `_end_of_line`.
        let save = self.pos;
        self.skip_while(py_hspace);
        if self.peek() == Some('#') {
            self.skip_line();
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
        // A bare `KEY` line keeps no text of its own: a stray line is as likely a pasted secret
        // as a key.
        self.pending.push_back(Event::Entry(Stmt {
            key,
            key_quoted,
            line,
            style,
            prefix: &self.s[start..prefix_end],
            eq: &self.s[key_end..value_start],
            suffix: &self.s[value_end..self.pos],
            value,
        }));
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

    fn value(&mut self) -> Result<RawValue<'a>, Fail> {
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
                self.pos += close + 1;
                Ok(RawValue { body, style: if q == '"' { Style::Double } else { Style::Single } })
            }
            None | Some('\n') => Ok(RawValue { body: "", style: Style::Bare }),
            Some(_) => {
                let part = self.skip_line();
                let cut = comment_cut(part);
                let v = part[..cut].trim_end_matches(py_space);
                // The value ends where its text does; spacing and comment go to the suffix.
                self.pos -= part.len() - v.len();
                Ok(RawValue { body: v, style: Style::Bare })
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
