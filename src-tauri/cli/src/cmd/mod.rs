//! One function per subcommand, each a few lines over one engine call.

pub mod activate;
pub mod docs;
pub mod envio;
mod import_out;
pub mod keys;
pub mod life;
pub mod mount;
pub mod project;
pub mod remote;
pub mod remote_first;
pub mod run;
pub mod scan;
pub mod secrets;

use serde::Serialize;

/// Prints `--json` output (stable shapes; see the README), with every character a terminal could
/// act on escaped (`\uXXXX`; the JSON reads back the same).
pub fn print_json<T: Serialize + ?Sized>(v: &T) {
    let text = serde_json::to_string_pretty(v).expect("serialisable");
    crate::term::out(&crate::term::safe_json(&text));
}
