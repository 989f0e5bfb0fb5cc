//! The layout of an imported file (its text without the values) and its stored form.
//!
//! Stored form: a compact byte encoding, about the size of the file's text minus its values
//! (JSON, as written before, cost ~80 bytes per statement on top: 10x a short line). It can be
//! written one statement at a time ([`LayoutWriter`]), so an import never builds a `Vec` of
//! segments. Layouts stored as JSON by older versions still read.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::Style;

/// The shape of a file without its values: text between statements kept verbatim, statements
/// kept as slots. Stored sealed (comments can hold secrets too).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub(crate) segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Segment {
    /// Blank lines, comment lines and indentation, exactly as read.
    Text { text: String },
    /// A statement: `prefix` (`export `), the key, `eq` (`=` and spacing), the value, `suffix`
    /// (spacing, inline comment, line end).
    Entry {
        name: String,
        key_quoted: bool,
        prefix: String,
        eq: String,
        style: Style,
        suffix: String,
    },
}

/// First bytes of the compact form (JSON starts with `{`).
const MAGIC: &[u8] = b"\0HL1";
const TEXT: u8 = 0x80;
const ENTRY: u8 = 0x10;
const QUOTED: u8 = 0x01;
/// `prefix` empty, `eq` "=", `suffix` "\n": most statements, stored as flags + name only.
const PLAIN: u8 = 0x08;

impl Layout {
    /// Appends text, joined to the text before it.
    pub(crate) fn push_text(&mut self, t: &str) {
        if let Some(Segment::Text { text }) = self.segments.last_mut() {
            text.push_str(t);
        } else {
            self.segments.push(Segment::Text { text: t.to_string() });
        }
    }

    /// Renames entries (import `--prefix`/`--strip-prefix`) and drops those not kept; of
    /// duplicate keys only the last statement stays, so the file reads back the same.
    pub(crate) fn retain_renamed(&mut self, mut rename: impl FnMut(&str) -> Option<String>) {
        let mut out: Vec<Segment> = Vec::with_capacity(self.segments.len());
        let mut seen = std::collections::HashSet::new();
        for seg in self.segments.drain(..).rev() {
            match seg {
                Segment::Entry { name, key_quoted, prefix, eq, style, suffix } => {
                    let Some(new) = rename(&name) else { continue };
                    if seen.insert(new.clone()) {
                        out.push(Segment::Entry {
                            name: new,
                            key_quoted,
                            prefix,
                            eq,
                            style,
                            suffix,
                        });
                    }
                }
                text => out.push(text),
            }
        }
        out.reverse();
        self.segments = out;
    }

    /// The stored form.
    pub(crate) fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut w = LayoutWriter::new(0, 0);
        for seg in &self.segments {
            match seg {
                Segment::Text { text } => w.text(text),
                Segment::Entry { name, key_quoted, prefix, eq, style, suffix } => {
                    w.entry(name, *key_quoted, prefix, eq, *style, suffix)
                }
            }
        }
        w.finish()
    }

    /// Reads a stored layout: the compact form, or the JSON older versions wrote.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Layout> {
        let Some(mut r) = bytes.strip_prefix(MAGIC) else {
            return serde_json::from_slice(bytes).ok();
        };
        let mut l = Layout::default();
        while let Some((&tag, rest)) = r.split_first() {
            r = rest;
            if tag == TEXT {
                l.push_text(take_str(&mut r)?);
                continue;
            }
            if tag & 0xf0 != ENTRY {
                return None;
            }
            let style = match (tag >> 1) & 0x03 {
                0 => Style::Bare,
                1 => Style::Single,
                2 => Style::Double,
                _ => return None,
            };
            let name = take_str(&mut r)?.to_string();
            let (prefix, eq, suffix) = if tag & PLAIN != 0 {
                (String::new(), "=".to_string(), "\n".to_string())
            } else {
                let p = take_str(&mut r)?.to_string();
                let e = take_str(&mut r)?.to_string();
                (p, e, take_str(&mut r)?.to_string())
            };
            let key_quoted = tag & QUOTED != 0;
            l.segments.push(Segment::Entry { name, key_quoted, prefix, eq, style, suffix });
        }
        Some(l)
    }
}

fn take_str<'a>(r: &mut &'a [u8]) -> Option<&'a str> {
    let mut len: usize = 0;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = r.split_first()?;
        *r = rest;
        len |= usize::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            let (s, rest) = (r.get(..len)?, r.get(len..)?);
            *r = rest;
            return std::str::from_utf8(s).ok();
        }
    }
    None
}

/// Writes the stored form one piece at a time, into a buffer that is zeroized on drop.
pub(crate) struct LayoutWriter {
    buf: Zeroizing<Vec<u8>>,
}

impl LayoutWriter {
    /// `room`: bytes left free at the front (a sealed envelope's header, filled in place);
    /// `text_len`: the size of the file it describes, which the layout rarely exceeds: reserved
    /// up front so a large layout never grows by copying (untouched pages cost no memory).
    pub(crate) fn new(room: usize, text_len: usize) -> Self {
        let mut buf = Zeroizing::new(Vec::with_capacity(room + MAGIC.len() + text_len + 64));
        buf.resize(room, 0);
        buf.extend_from_slice(MAGIC);
        LayoutWriter { buf }
    }

    fn put_str(&mut self, s: &str) {
        let mut n = s.len();
        while n >= 0x80 {
            self.buf.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.buf.push(n as u8);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn text(&mut self, t: &str) {
        if !t.is_empty() {
            self.buf.push(TEXT);
            self.put_str(t);
        }
    }

    pub(crate) fn entry(
        &mut self,
        name: &str,
        key_quoted: bool,
        prefix: &str,
        eq: &str,
        style: Style,
        suffix: &str,
    ) {
        let plain = prefix.is_empty() && eq == "=" && suffix == "\n";
        let style_bits = match style {
            Style::Bare => 0,
            Style::Single => 1,
            Style::Double => 2,
        };
        let tag = ENTRY
            | if key_quoted { QUOTED } else { 0 }
            | style_bits << 1
            | if plain { PLAIN } else { 0 };
        self.buf.push(tag);
        self.put_str(name);
        if !plain {
            self.put_str(prefix);
            self.put_str(eq);
            self.put_str(suffix);
        }
    }

    pub(crate) fn finish(self) -> Zeroizing<Vec<u8>> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_form_and_old_json_read_back() {
        let f = super::super::parse(
            "# top\n\nexport A = 1 # one\nB='two'\n  C=\"3\"\nD=4\n'q k'=5".as_bytes(),
        );
        let bytes = f.layout.encode();
        assert_eq!(Layout::decode(&bytes).unwrap(), f.layout);
        let json = serde_json::to_vec(&f.layout).unwrap();
        assert_eq!(Layout::decode(&json).unwrap(), f.layout);
        assert!(bytes.len() < json.len() / 3, "{} vs {}", bytes.len(), json.len());
        let long = "x".repeat(300);
        let mut w = LayoutWriter::new(0, 0);
        w.text(&long);
        assert_eq!(
            Layout::decode(&w.finish()).unwrap().segments,
            vec![Segment::Text { text: long }]
        );
        assert!(Layout::decode(b"\0HL1\x10\x05ab").is_none(), "a cut record is refused");
    }
}
