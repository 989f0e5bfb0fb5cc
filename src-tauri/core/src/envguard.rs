//! Environment variable names that change how a program starts rather than what it reads: the
//! dynamic loader's (`LD_PRELOAD`, `DYLD_*`), interpreters' start-up hooks (`NODE_OPTIONS`,
//! `PYTHONSTARTUP`, `BASH_ENV`, `PERL5OPT`…) and `PATH`. A secret with such a name, pulled from a
//! team's Vault or imported from a cloned repository's `.env`, would let whoever wrote it run code
//! on this machine the next time `hush run` starts a program. `run` refuses them unless the user
//! names each one (`--allow-env NAME`); import previews and remote plans flag them.

use crate::error::{Error, Result};

/// Exact names, with what they do.
const EXACT: &[(&str, &str)] = &[
    ("PATH", "chooses which programs run"),
    ("BASH_ENV", "a file bash runs before any script"),
    ("ENV", "a file sh runs at start-up"),
    ("ZDOTDIR", "where zsh reads its start-up files"),
    ("SHELLOPTS", "bash options, e.g. xtrace with PS4"),
    ("BASHOPTS", "bash options"),
    ("PS4", "bash runs command substitutions in it under xtrace"),
    ("PROMPT_COMMAND", "a command the shell runs before each prompt"),
    ("PS0", "bash expands it, command substitutions included, before each command"),
    ("PS1", "the shell expands it, command substitutions included, at each prompt"),
    ("IFS", "how the shell splits words"),
    ("NODE_OPTIONS", "Node.js flags, e.g. --require a module"),
    ("NODE_PATH", "where Node.js looks for modules"),
    ("PYTHONSTARTUP", "a file Python runs at start-up"),
    ("PYTHONPATH", "where Python looks for modules"),
    ("PYTHONHOME", "where Python's standard library comes from"),
    ("PYTHONINSPECT", "leaves Python in interactive mode"),
    ("PYTHONWARNINGS", "Python warning filters (they import modules)"),
    ("PERL5OPT", "Perl flags, e.g. -M a module"),
    ("PERL5LIB", "where Perl looks for modules"),
    ("PERLLIB", "where Perl looks for modules"),
    ("RUBYOPT", "Ruby flags, e.g. -r a library"),
    ("RUBYLIB", "where Ruby looks for libraries"),
    ("JAVA_TOOL_OPTIONS", "JVM flags, e.g. -javaagent"),
    ("_JAVA_OPTIONS", "JVM flags, e.g. -javaagent"),
    ("JDK_JAVA_OPTIONS", "JVM flags, e.g. -javaagent"),
    ("DOTNET_STARTUP_HOOKS", "assemblies .NET loads at start-up"),
    ("GIT_SSH", "the program git runs for ssh"),
    ("GIT_SSH_COMMAND", "the command git runs for ssh"),
    ("GIT_EXEC_PATH", "where git finds its sub-programs"),
    ("GIT_ASKPASS", "the program git runs for credentials"),
    ("GIT_PROXY_COMMAND", "the command git runs to connect"),
    ("GIT_EXTERNAL_DIFF", "the program git runs for diffs"),
    ("GIT_PAGER", "the command git runs its output through"),
    ("GIT_EDITOR", "the command git runs to edit messages"),
    ("GIT_DIR", "the repository git uses, with its config and hooks"),
    ("GIT_TEMPLATE_DIR", "where git copies new repositories' hooks from"),
    ("PAGER", "the command git, man and others run their output through"),
    ("MANPAGER", "the command man runs its output through"),
    ("LESSOPEN", "a command less runs on every file it opens"),
    ("LESSCLOSE", "a command less runs after every file"),
    ("EDITOR", "the command tools run to edit a file"),
    ("VISUAL", "the command tools run to edit a file"),
    ("SSH_ASKPASS", "the program ssh runs for credentials"),
    ("GCONV_PATH", "modules glibc loads for character sets"),
    ("GLIBC_TUNABLES", "glibc start-up tunables"),
    // Where configuration comes from: a repository's own git config with core.fsmonitor, say.
    ("HOME", "where programs read their configuration (git's core.fsmonitor runs a command)"),
    (
        "XDG_CONFIG_HOME",
        "where programs read their configuration (git's core.fsmonitor runs a command)",
    ),
    ("GIT_COMMON_DIR", "the repository git uses, with its config and hooks"),
    ("GIT_WORK_TREE", "the tree git works in, with its config"),
    ("GIT_SEQUENCE_EDITOR", "the command git runs for an interactive rebase"),
    ("GIT_SSL_CAINFO", "the certificates git trusts (with a proxy, its traffic is read)"),
    // Shell prompts (zsh expands them with prompt_subst, bash PS2 at each continuation line).
    ("PS2", "the shell expands it, command substitutions included, at continuation lines"),
    ("PS3", "the shell expands it, command substitutions included, in select"),
    ("PROMPT", "zsh expands it, command substitutions included, at each prompt"),
    ("PROMPT2", "zsh expands it at continuation lines"),
    ("PROMPT3", "zsh expands it in select"),
    ("PROMPT4", "zsh expands it under xtrace"),
    ("RPROMPT", "zsh expands it at each prompt"),
    ("RPROMPT2", "zsh expands it at continuation lines"),
    ("RPS1", "zsh expands it at each prompt"),
    ("RPS2", "zsh expands it at continuation lines"),
    ("SPROMPT", "zsh expands it for spelling corrections"),
    ("HISTFILE", "the file the shell writes its history to (a start-up file, say)"),
    // Build tools and package managers: the compiler or wrapper they run.
    ("CC", "the C compiler make and build scripts run"),
    ("CXX", "the C++ compiler make and build scripts run"),
    ("CPP", "the preprocessor make and build scripts run"),
    ("LD", "the linker make and build scripts run"),
    ("MAKEFLAGS", "make flags, e.g. --eval a rule"),
    ("MFLAGS", "make flags"),
    ("MAKEFILES", "makefiles make reads first"),
    ("RUSTC", "the compiler cargo runs"),
    ("RUSTC_WRAPPER", "a program cargo runs around every compile"),
    ("RUSTC_WORKSPACE_WRAPPER", "a program cargo runs around every compile"),
    ("RUSTDOC", "the program cargo runs for docs"),
    ("CARGO_HOME", "where cargo reads its configuration"),
    ("CARGO_BUILD_RUSTC_WRAPPER", "a program cargo runs around every compile"),
    ("CARGO_BUILD_RUSTC", "the compiler cargo runs"),
    ("PYTHONUSERBASE", "where Python finds user site-packages (.pth files run code)"),
    ("BUNDLE_GEMFILE", "the Gemfile bundler evaluates (Ruby code)"),
    ("GEM_HOME", "where Ruby finds gems"),
    ("GEM_PATH", "where Ruby finds gems"),
    // Programs other programs start.
    ("BROWSER", "the command programs run to open a link"),
    ("SUDO_ASKPASS", "the program sudo runs for a password"),
    ("PSQL_PAGER", "the command psql runs its output through"),
    ("PSQL_EDITOR", "the command psql runs to edit"),
    ("SYSTEMD_PAGER", "the command systemctl runs its output through"),
    // Where traffic goes and whom it trusts: together, a program's traffic is read.
    ("HTTP_PROXY", "where HTTP traffic goes"),
    ("HTTPS_PROXY", "where HTTPS traffic goes"),
    ("ALL_PROXY", "where traffic goes"),
    ("http_proxy", "where HTTP traffic goes"),
    ("https_proxy", "where HTTPS traffic goes"),
    ("all_proxy", "where traffic goes"),
    ("SSL_CERT_FILE", "the certificates OpenSSL trusts"),
    ("SSL_CERT_DIR", "the certificates OpenSSL trusts"),
    ("NODE_EXTRA_CA_CERTS", "certificates Node.js trusts"),
    ("REQUESTS_CA_BUNDLE", "the certificates Python requests trusts"),
    ("CURL_CA_BUNDLE", "the certificates curl trusts"),
];

/// Name prefixes (the dynamic loaders and profilers).
const PREFIXES: &[(&str, &str)] = &[
    ("LD_", "tells the dynamic loader what to load (e.g. LD_PRELOAD, LD_LIBRARY_PATH)"),
    ("DYLD_", "tells the macOS dynamic loader what to load"),
    ("CORECLR_", ".NET profilers loaded into the process"),
    ("BASH_FUNC_", "a bash function every bash started from it defines (it can replace any command)"),
    ("GIT_CONFIG", "git configuration (GIT_CONFIG_COUNT/KEY_n/VALUE_n, GIT_CONFIG_GLOBAL), e.g. core.fsmonitor runs a command"),
    ("npm_config_", "npm configuration, e.g. node_options or a script shell (npm reads it in any case)"),
    ("NPM_CONFIG_", "npm configuration, e.g. node_options or a script shell"),
];

/// Why `name` is dangerous in a program's environment, or `None` when it is an ordinary name.
/// Names compare case-sensitively, as the loader and the interpreters read them.
pub fn dangerous_env(name: &str) -> Option<&'static str> {
    EXACT
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| PREFIXES.iter().find(|(p, _)| name.starts_with(p)))
        .map(|(_, why)| *why)
}

/// A line for previews and plans: what the name does and what `run` will do with it.
pub fn flag(name: &str) -> Option<String> {
    dangerous_env(name).map(|why| {
        format!(
            "{name} {why}: `hush run` refuses it unless you pass --allow-env {name} (it could run code on this machine)"
        )
    })
}

/// Refuses a program environment that holds dangerous names not in `allowed`; one error names
/// them all.
pub fn check_run_env<'a>(
    names: impl IntoIterator<Item = &'a str>,
    allowed: &[String],
) -> Result<()> {
    let bad: Vec<String> = names
        .into_iter()
        .filter(|n| dangerous_env(n).is_some() && !allowed.iter().any(|a| a == n))
        .map(|n| format!("{n} ({})", dangerous_env(n).unwrap_or_default()))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "refusing to start the program: the secrets set {}, which change how programs start and could run code on this machine; nothing was run. If you trust their values, allow each by name with --allow-env NAME",
        bad.join(", ")
    )))
}

/// The most a single `NAME=value` may take on Linux (`MAX_ARG_STRLEN`, 32 pages, with its NUL):
/// `execve` refuses a longer one with E2BIG, "Argument list too long", naming nothing.
pub const MAX_ENV_ENTRY: usize = 32 * 4096;

/// The variables too long for the kernel to hand a program (see [`MAX_ENV_ENTRY`]), by name and
/// size: refused before the start, so the user learns which secret, not "Argument list too long".
pub fn check_env_sizes<'a>(vars: impl IntoIterator<Item = (&'a str, usize)>) -> Result<()> {
    let long: Vec<String> = vars
        .into_iter()
        .filter(|(n, len)| cfg!(target_os = "linux") && n.len() + 1 + len + 1 > MAX_ENV_ENTRY)
        .map(|(n, len)| format!("{n} ({len} bytes)"))
        .collect();
    if long.is_empty() {
        return Ok(());
    }
    Err(Error::InvalidInput(format!(
        "refusing to start the program: {} too long for an environment variable (Linux takes at most {} bytes per NAME=value); nothing was run. Hand such a value over as a file: `hush inject` renders it into one",
        long.join(", "),
        MAX_ENV_ENTRY - 1
    )))
}

/// Adds a warning to an import preview for every dangerous name it holds (call site in import).
pub(crate) fn flag_names<'a>(names: impl IntoIterator<Item = &'a str>, out: &mut Vec<String>) {
    out.extend(names.into_iter().filter_map(flag));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_past_the_kernel_limit_are_named() {
        let at = MAX_ENV_ENTRY - "BIG".len() - 2;
        assert!(check_env_sizes([("BIG", at), ("SMALL", 3)]).is_ok());
        let e = check_env_sizes([("BIG", at + 1), ("SMALL", 3)]).unwrap_err().to_string();
        if cfg!(target_os = "linux") {
            assert!(e.contains("BIG (131068 bytes)") && !e.contains("SMALL"), "{e}");
        }
    }

    #[test]
    fn names() {
        for n in [
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "DYLD_INSERT_LIBRARIES",
            "NODE_OPTIONS",
            "PATH",
            "BASH_FUNC_ls%%",
            "GIT_CONFIG_COUNT",
            "GIT_CONFIG_KEY_0",
            "GIT_CONFIG_GLOBAL",
            "PS1",
            "npm_config_node_options",
            "NPM_CONFIG_SCRIPT_SHELL",
            "CC",
            "HOME",
            "XDG_CONFIG_HOME",
            "GIT_COMMON_DIR",
            "GIT_SEQUENCE_EDITOR",
            "PS2",
            "PROMPT",
            "RPROMPT",
            "HISTFILE",
            "RUSTC_WRAPPER",
            "BROWSER",
            "HTTPS_PROXY",
            "SSL_CERT_FILE",
        ] {
            assert!(dangerous_env(n).is_some(), "{n}");
        }
        // Tokens that such tools read stay ordinary names.
        for n in [
            "DATABASE_URL",
            "API_KEY",
            "path",
            "LDAP_URL",
            "NODE_ENV",
            "MY_PATH",
            "GIT_TOKEN",
            "NPM_TOKEN",
            "CARGO_REGISTRY_TOKEN",
            "YARN_NPM_AUTH_TOKEN",
            "HOMEPAGE_URL",
        ] {
            assert!(dangerous_env(n).is_none(), "{n}");
        }
        assert!(check_run_env(["A", "B"], &[]).is_ok());
        let e = check_run_env(["A", "LD_PRELOAD", "PATH"], &["PATH".into()]).unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("LD_PRELOAD") && !s.contains("PATH (") && s.contains("--allow-env"),
            "{s}"
        );
        assert!(check_run_env(["LD_PRELOAD"], &["LD_PRELOAD".into()]).is_ok());
    }
}
