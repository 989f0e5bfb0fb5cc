//! The `.env` codec: our own parser (reference behaviour: python-dotenv 1.2 with interpolation
//! off), optional `${VAR}` expansion, and a writer whose output every common reader reads back.
//!
//! Why our own: no dotenv crate matches what python-dotenv does with quotes, escapes, inline
//! comments and broken lines, and `$` silently truncating secrets is the most common complaint
//! about dotenv tools, so interpolation stays off unless asked for.
//!
//! One deviation from python-dotenv, on purpose: a statement python-dotenv skips with a warning is
//! an error here, with its line number, so an import is refused rather than half-read.

mod expand;
mod layout;
mod parse;
mod write;

use serde::{Deserialize, Serialize};

use crate::secret::SecretValue;

pub use expand::expand;
pub use layout::Layout;
pub(crate) use layout::{LayoutWriter, Segment};
pub use parse::parse;
pub(crate) use parse::{normalise, Event, Events};
pub use write::{render, render_key, render_value, Portability, Rendered, PY_INTERPOLATING};

/// Largest `.env` file read: 64 MiB (values are at most 1 MiB each).
pub const MAX_ENV_FILE_BYTES: usize = 64 * 1024 * 1024;

/// How a value was (or will be) quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    Bare,
    Single,
    Double,
}

/// One `KEY=value` statement. `value` is `None` for a bare `KEY` line (python-dotenv's "no value").
#[derive(Debug)]
pub struct EnvEntry {
    pub key: String,
    pub value: Option<SecretValue>,
    /// 1-based line where the statement starts.
    pub line: usize,
    pub style: Style,
}

/// A line that could not be read, and why. Never holds any text of the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvLineError {
    pub line: usize,
    pub reason: String,
}

/// A parsed file: its entries in file order (duplicates included), the lines that failed, and
/// the layout (comments, blank lines, spacing) needed to write it back the same way.
#[derive(Debug, Default)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    pub errors: Vec<EnvLineError>,
    pub layout: Layout,
}

/// Whether `c` is whitespace to Python's `str.isspace()` / regex `\s` (Rust's `is_whitespace`
/// leaves out the four information separators U+001C..U+001F).
pub(crate) fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Horizontal whitespace: Python's `[^\S\r\n]`.
pub(crate) fn py_hspace(c: char) -> bool {
    py_space(c) && c != '\n' && c != '\r'
}
