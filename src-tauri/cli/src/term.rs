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

/// `s` as one word to paste into a POSIX shell: as it is when it holds only characters no shell
/// treats specially, else in single quotes. A hint such as `hush restore q/x/"my key"` pasted as
/// printed lost its quotes to the shell and failed.
pub fn shell_word(s: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(sh_quote(s))
    }
}

/// POSIX single quotes: `'` becomes `'\''`.
pub fn sh_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

/// `s` with control characters (except newline and tab), invisible and text-direction
/// characters escaped as `\u{…}`.
pub fn safe(s: &str) -> Cow<'_, str> {
    // Printable ASCII, newlines and tabs never need it: one byte scan settles the usual text.
    let plain = |b: &u8| (0x20..0x7f).contains(b) || *b == b'\n' || *b == b'\t';
    if s.as_bytes().iter().all(plain) || !s.chars().any(needs_escape) {
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
    // Printable ASCII and newlines are never risky: one byte scan settles the usual text (a
    // char-by-char check was 8% of `ls --json` over 20,000 rows).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\n') || !s.chars().any(risky) {
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

/// Writes one line to stdout. A closed stdout (`hush ls --json | head`) is a normal end: the
/// process exits quietly with 0, as a reader that has seen enough expects; any other write error
/// ends it with a message and exit 1. Never a panic.
pub fn out(line: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(line.as_bytes()).and_then(|_| o.write_all(b"\n")) {
        stdout_failed(&e);
    }
}

/// Writes bytes to stdout as they are (values: `get`, `export`), with the same end for a closed
/// or failing stdout as [`out`].
pub fn out_raw(bytes: &[u8]) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(bytes).and_then(|_| o.flush()) {
        stdout_failed(&e);
    }
}

/// Writes one line to stderr; a closed or failing stderr is ignored (nowhere left to say it).
pub fn err(line: &str) {
    use std::io::Write;
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(line.as_bytes()).and_then(|_| e.write_all(b"\n"));
}

/// The end of a command whose stdout failed: quiet for a closed pipe, else said on stderr.
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        err(&format!("hush: cannot write to stdout: {e}"));
        std::process::exit(1);
    }
    std::process::exit(0)
}

/// For output printed without these functions (`println!` in a library, a future command): a
/// panic whose message is std's "failed printing to stdout: Broken pipe" ends the process the
/// same quiet way instead of printing a backtrace.
pub fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// `println!` for text that may hold outside strings (and a stdout that may close early).
macro_rules! outln {
    ($($t:tt)+) => { $crate::term::out(&$crate::term::safe(&format!($($t)+))) };
}

/// `eprintln!` for text that may hold outside strings.
macro_rules! errln {
    ($($t:tt)+) => { $crate::term::err(&$crate::term::safe(&format!($($t)+))) };
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
