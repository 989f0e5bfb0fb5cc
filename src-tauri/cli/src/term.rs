//! Everything hush prints for people goes through here, because much of it comes from elsewhere:
//! names, listings, notes and error details from a Vault server, metadata a teammate wrote, lines
//! of a cloned repository's `.env`. A terminal escape sequence in such a string must not reach the
//! terminal raw (it could rewrite the screen, forge output, or set the window title), and neither
//! may invisible or text-direction characters that make one name look like another. They are
//! shown escaped (`\u{1b}`). Secret values (`get`, `export` to stdout) are written as they are:
//! that is what they are for.

use std::borrow::Cow;

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || hush_core::is_deceptive_char(c)
}

/// `s` with control characters (except newline and tab), invisible and text-direction
/// characters escaped as `\u{…}`.
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with the characters serde_json leaves raw (DEL, C1 controls, invisible and
/// text-direction characters) written as `\uXXXX` escapes, which JSON readers decode back.
pub fn safe_json(s: &str) -> Cow<'_, str> {
    let risky = |c: char| c.is_control() || hush_core::is_deceptive_char(c);
    if !s.chars().any(risky) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if risky(c) && c != '\n' {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `println!` for text that may hold outside strings.
macro_rules! outln {
    ($($t:tt)+) => { println!("{}", $crate::term::safe(&format!($($t)+))) };
}

/// `eprintln!` for text that may hold outside strings.
macro_rules! errln {
    ($($t:tt)+) => { eprintln!("{}", $crate::term::safe(&format!($($t)+))) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(safe("plain\tline\n"), "plain\tline\n");
        assert_eq!(safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(safe("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
        let j = serde_json::to_string(&"e\u{1b}\u{9b}\u{202e}\u{e0041}").unwrap();
        let s = safe_json(&j);
        assert!(!s.contains(['\u{1b}', '\u{9b}', '\u{202e}', '\u{e0041}']), "{s}");
        assert_eq!(
            serde_json::from_str::<String>(&s).unwrap(),
            "e\u{1b}\u{9b}\u{202e}\u{e0041}",
            "the JSON still reads back"
        );
    }
}
