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
];

/// Name prefixes (the dynamic loaders and profilers).
const PREFIXES: &[(&str, &str)] = &[
    ("LD_", "tells the dynamic loader what to load (e.g. LD_PRELOAD, LD_LIBRARY_PATH)"),
    ("DYLD_", "tells the macOS dynamic loader what to load"),
    ("CORECLR_", ".NET profilers loaded into the process"),
    ("BASH_FUNC_", "a bash function every bash started from it defines (it can replace any command)"),
    ("GIT_CONFIG", "git configuration (GIT_CONFIG_COUNT/KEY_n/VALUE_n, GIT_CONFIG_GLOBAL), e.g. core.fsmonitor runs a command"),
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

/// Adds a warning to an import preview for every dangerous name it holds (call site in import).
pub(crate) fn flag_names<'a>(names: impl IntoIterator<Item = &'a str>, out: &mut Vec<String>) {
    out.extend(names.into_iter().filter_map(flag));
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(dangerous_env(n).is_some(), "{n}");
        }
        for n in ["DATABASE_URL", "API_KEY", "path", "LDAP_URL", "NODE_ENV", "MY_PATH", "GIT_TOKEN"]
        {
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
