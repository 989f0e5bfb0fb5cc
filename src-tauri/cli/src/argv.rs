//! The command line, parsed without repeating a stray word where it may be a secret: `hush set
//! PATH VALUE` (a value where none belongs) made clap print "unexpected argument 'VALUE' found",
//! so a script's CI log kept the secret. In the commands that read a value, token or passphrase,
//! an unexpected word is not shown; an unexpected flag is, up to any `=`. And `hush run FOLDER
//! CMD` (no `--`) says where the program goes.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;

use crate::cli::Cli;

/// The commands that read a secret (a value, a token or secret_id, a passphrase) from stdin or
/// a prompt: a stray word in them is likely one.
const READ_SECRETS: [&str; 8] =
    ["set", "remote", "init", "unlock", "recovery", "rewrap", "backup", "restore-backup"];

/// Parses `std::env::args`, or prints clap's message (redacted) and exits as clap does (2).
pub fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|mut e| {
        let command = command(&e);
        match e.kind() {
            ErrorKind::UnknownArgument => redact(&mut e, command.as_deref()),
            ErrorKind::MissingRequiredArgument if command.as_deref() == Some("run") => {
                tip(&mut e, "the program goes after --: hush run FOLDER -- CMD [ARG]...");
            }
            _ => {}
        }
        e.exit()
    })
}

/// The subcommand the error is about, from its usage line ("Usage: hush set [OPTIONS] <PATH>").
fn command(e: &clap::Error) -> Option<String> {
    let usage = e.get(ContextKind::Usage)?.to_string();
    let words = usage.split_whitespace().skip_while(|w| *w != "hush").skip(1);
    words.into_iter().find(|w| !w.starts_with(['[', '<', '-'])).map(String::from)
}

fn tip(e: &mut clap::Error, text: &'static str) {
    e.insert(ContextKind::Suggested, ContextValue::StyledStrs(vec![text.into()]));
}

fn redact(e: &mut clap::Error, command: Option<&str>) {
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg).cloned() else {
        return;
    };
    if !arg.starts_with('-') && !command.is_some_and(|c| READ_SECRETS.contains(&c)) {
        return;
    }
    let shown = match arg.split_once('=') {
        _ if !arg.starts_with('-') => "…".to_string(),
        Some((flag, _)) => format!("{flag}=…"),
        None => return,
    };
    e.insert(ContextKind::InvalidArg, ContextValue::String(shown));
    if !arg.starts_with('-') {
        tip(
            e,
            "the word is not shown, in case it is a secret's value: Hush reads values from stdin \
             or a hidden prompt, never from the command line (other processes can read it)",
        );
    }
}
