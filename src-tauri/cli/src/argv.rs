//! The command line, parsed without repeating a stray word where it may be a secret: `hush set
//! PATH VALUE` (a value where none belongs) made clap print "unexpected argument 'VALUE' found",
//! so a script's CI log kept the secret. In the commands that read a value, token or passphrase,
//! an unexpected word is not shown; an unexpected flag is, up to any `=`.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;

use crate::cli::Cli;

/// Parses `std::env::args`, or prints clap's message (redacted) and exits as clap does (2).
pub fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|mut e| {
        if e.kind() == ErrorKind::UnknownArgument {
            redact(&mut e);
        }
        e.exit()
    })
}

/// The commands that read a secret (a value, a token or secret_id, a passphrase) from stdin or
/// a prompt: a stray word in them is likely one.
const READ_SECRETS: [&str; 8] =
    ["set", "remote", "init", "unlock", "recovery", "rewrap", "backup", "restore-backup"];

fn redact(e: &mut clap::Error) {
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg).cloned() else {
        return;
    };
    // "Usage: hush [OPTIONS] set [OPTIONS] <PATH>": the first word after `hush` that is a command.
    let usage = e.get(ContextKind::Usage).map(ToString::to_string).unwrap_or_default();
    let command = usage
        .split_whitespace()
        .skip_while(|w| *w != "hush")
        .skip(1)
        .find(|w| !w.starts_with('[') && !w.starts_with('<'));
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
        let tip = "the word is not shown, in case it is a secret's value: Hush reads values from \
                   stdin or a hidden prompt, never from the command line (other processes can read it)";
        e.insert(ContextKind::Suggested, ContextValue::StyledStrs(vec![tip.into()]));
    }
}
