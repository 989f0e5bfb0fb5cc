//! One function per subcommand, each a few lines over one engine call.

pub mod docs;
pub mod envio;
pub mod keys;
pub mod remote;
pub mod run;
pub mod secrets;

use serde::Serialize;

/// Prints `--json` output (stable shapes; see the README).
pub fn print_json<T: Serialize + ?Sized>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("serialisable"));
}
