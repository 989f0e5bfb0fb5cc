//! Shell completions and man pages, generated from the clap definition (so they never drift).

use std::io::Write;
use std::path::Path;

use clap::{Command, CommandFactory};

use crate::cli::Cli;
use crate::exit;

/// `hush completions SHELL`: the script on stdout.
pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut public_command(), "hush", &mut script);
    match std::io::stdout().write_all(&script) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            errln!("hush: cannot write the completion script: {e}");
            exit::FAILURE
        }
        _ => exit::OK,
    }
}

/// `hush __man DIR`: `hush.1`, `hush-init.1`, `hush-remote-add.1`, … (hidden commands left out).
pub fn man_pages(dir: &Path) -> i32 {
    let written = std::fs::create_dir_all(dir)
        .and_then(|_| clap_mangen::generate_to(Cli::command().name("hush"), dir));
    match written {
        Ok(()) => exit::OK,
        Err(e) => {
            errln!("hush: cannot write the man pages into {}: {e}", dir.display());
            exit::FAILURE
        }
    }
}

/// The command without its hidden subcommands (`__agent`, `__man`): clap_complete's bash and
/// fish scripts would otherwise offer them.
fn public_command() -> Command {
    let full = Cli::command();
    let visible = full.get_subcommands().filter(|s| !s.is_hide_set()).cloned().collect::<Vec<_>>();
    let mut public = Command::new("hush").args(full.get_arguments().cloned()).subcommands(visible);
    if let Some(about) = full.get_about() {
        public = public.about(about.clone());
    }
    public.version(crate::cli::VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_offer_every_visible_subcommand_and_no_hidden_one() {
        let mut script = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut public_command(),
            "hush",
            &mut script,
        );
        let script = String::from_utf8(script).unwrap();
        for sub in ["init", "set", "get", "show", "settings", "sync", "completions", "remote"] {
            assert!(script.contains(&format!(" {sub} ")), "{sub} is offered");
        }
        assert!(!script.contains("__agent") && !script.contains("__man"));
        assert!(script.contains("--passphrase-file"), "global options are kept");
    }

    #[test]
    fn a_man_page_for_hush_and_each_visible_subcommand() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(man_pages(dir.path()), exit::OK);
        let page = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(page("hush.1").starts_with(".ie \\n(.g .ds Aq"), "roff");
        assert!(page("hush.1").contains("hush\\-init(1)"));
        assert!(page("hush-remote-add.1").contains("\\-\\-addr"));
        let names = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(names, 1 + count_visible(&Cli::command()));
        assert!(!dir.path().join("hush-__agent.1").exists());
    }

    fn count_visible(cmd: &Command) -> usize {
        cmd.get_subcommands().filter(|s| !s.is_hide_set()).map(|s| 1 + count_visible(s)).sum()
    }
}
