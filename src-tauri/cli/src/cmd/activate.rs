//! Shell integration: `hush activate SHELL` prints a prompt hook; the hook runs `hush __hook SHELL`
//! at every prompt and evals what it prints (the decisions are `hush_core::project::hook_step`).
//! The hook never prompts: the vault opens with the keychain, the unlock agent or
//! HUSH_PASSPHRASE, else the user gets one line saying it is locked.

use hush_core::project::{self, ActiveState, HookStep, TrustStore};
use hush_core::{is_env_name, Error, Result, SecretValue};

use crate::cli::ShellArg;
use crate::ctx::Ctx;
use crate::term::sh_quote;

/// The hook script for `shell`, calling this very binary.
pub fn activate(shell: ShellArg) -> Result<()> {
    let exe = std::env::current_exe().map_err(|e| Error::Io { path: "hush".into(), source: e })?;
    let exe = exe.display().to_string();
    let script = match shell {
        ShellArg::Bash => format!(
            r#"_hush_hook() {{
  local previous_exit_status=$?
  trap -- '' SIGINT
  eval "$({exe} __hook bash)"
  trap - SIGINT
  return $previous_exit_status
}}
if [[ ";${{PROMPT_COMMAND[*]:-}};" != *";_hush_hook;"* ]]; then
  if [[ "$(declare -p PROMPT_COMMAND 2>&1)" == "declare -a"* ]]; then
    PROMPT_COMMAND=(_hush_hook "${{PROMPT_COMMAND[@]}}")
  else
    PROMPT_COMMAND="_hush_hook${{PROMPT_COMMAND:+;$PROMPT_COMMAND}}"
  fi
fi
"#,
            exe = sh_quote(&exe)
        ),
        ShellArg::Zsh => format!(
            r#"_hush_hook() {{
  trap -- '' SIGINT
  eval "$({exe} __hook zsh)"
  trap - SIGINT
}}
typeset -ag precmd_functions
if (( ! ${{precmd_functions[(I)_hush_hook]}} )); then
  precmd_functions=(_hush_hook $precmd_functions)
fi
typeset -ag chpwd_functions
if (( ! ${{chpwd_functions[(I)_hush_hook]}} )); then
  chpwd_functions=(_hush_hook $chpwd_functions)
fi
"#,
            exe = sh_quote(&exe)
        ),
        ShellArg::Fish => format!(
            r#"function __hush_hook --on-event fish_prompt
    {exe} __hook fish | source
end
"#,
            exe = fish_quote(&exe)
        ),
    };
    print!("{script}");
    Ok(())
}

/// One prompt's work: prints shell code on stdout, at most one line for the user on stderr.
pub fn hook(ctx: &Ctx, shell: ShellArg) -> Result<()> {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(_) => return Ok(()), // the directory was removed under the shell: try next prompt
    };
    let prev = std::env::var("HUSH_ACTIVE").ok();
    let step: HookStep = project::hook_step(&cwd, prev.as_deref(), &TrustStore::user()?);
    if !step.changed {
        return Ok(());
    }
    let mut out = String::new();
    for n in step.unset.iter().filter(|n| is_env_name(n)) {
        out.push_str(&unset(shell, n));
    }
    let mut state = step.state;
    let mut message = step.message;
    if let Some(load) = step.load {
        match ctx.open_quietly().and_then(|mut v| {
            let folders = project::present_folders(&v, &load.env.folders)?.0;
            if folders.is_empty() {
                return Ok(Vec::new());
            }
            let detail = format!(
                "shell activation of {} (env {})",
                load.project.root.display(),
                load.env.name
            );
            let values =
                project::layered_values(&mut v, &folders, Some((hush_core::Action::Run, &detail)))?;
            Ok(values.into_iter().collect::<Vec<(String, SecretValue)>>())
        }) {
            Ok(vars) => {
                let mut names = Vec::new();
                let mut refused = Vec::new();
                for (k, v) in vars.iter().filter(|(k, _)| is_env_name(k) && k != "HUSH_ACTIVE") {
                    // The user's own shell: PATH, PROMPT_COMMAND or LD_PRELOAD from a folder
                    // a teammate or a cloned `.env` filled would run their code in it.
                    if hush_core::envguard::dangerous_env(k).is_some() {
                        refused.push(k.as_str());
                        continue;
                    }
                    out.push_str(&export(shell, k, v.expose_str()));
                    names.push(k.clone());
                }
                if !refused.is_empty() {
                    let line = format!(
                        "hush: not loaded into this shell, as they change how programs start: {} (`hush run --allow-env NAME -- CMD` passes one to a program)",
                        refused.join(", ")
                    );
                    message = Some(match message.take() {
                        Some(m) => format!("{m}\n{line}"),
                        None => line,
                    });
                }
                state = Some(ActiveState::loaded(&load, names));
            }
            Err(e) => {
                let locked = matches!(
                    e.code(),
                    "locked" | "wrong_passphrase" | "key_unavailable" | "keychain" | "agent"
                );
                if !(locked && load.retry) {
                    message = Some(if locked {
                        format!(
                            "hush: vault locked; {} not loaded (`hush unlock`, then it loads at the next prompt)",
                            load.project.file.display()
                        )
                    } else {
                        format!("hush: {}: {e}", load.project.file.display())
                    });
                }
                state = Some(ActiveState::locked(&load));
            }
        }
    }
    match &state {
        Some(s) => out.push_str(&export(shell, "HUSH_ACTIVE", &s.encode())),
        None => out.push_str(&unset(shell, "HUSH_ACTIVE")),
    }
    if let Some(m) = message {
        eprintln!("{m}");
    }
    use std::io::Write;
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(out.as_bytes()).and_then(|_| so.flush());
    zeroize::Zeroize::zeroize(&mut out);
    Ok(())
}

fn export(shell: ShellArg, k: &str, v: &str) -> String {
    match shell {
        ShellArg::Bash | ShellArg::Zsh => format!("export {k}={};\n", sh_quote(v)),
        ShellArg::Fish => format!("set -gx {k} {};\n", fish_quote(v)),
    }
}

fn unset(shell: ShellArg, k: &str) -> String {
    match shell {
        ShellArg::Bash | ShellArg::Zsh => format!("unset {k};\n"),
        ShellArg::Fish => format!("set -e {k};\n"),
    }
}

/// fish single quotes: only `\` and `'` are escaped.
fn fish_quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}
