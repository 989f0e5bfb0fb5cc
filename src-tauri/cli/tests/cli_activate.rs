//! `eval "$(hush activate SHELL)"` in real interactive bash, zsh and fish, each driven in a pty
//! (python's `pty` module): entering a trusted project loads its default environment, leaving
//! removes exactly those variables (a variable the user set stays), nested projects switch, an
//! untrusted or changed `hush.toml` loads nothing and says so once, and a locked vault gives one
//! line (no prompt, no repeat) and loads at the first prompt after `hush unlock`.

mod project_common;

use std::path::Path;
use std::process::Command;

use project_common::{err, P, PASS};

/// Runs `shell` in a pty, types each command and returns what the terminal showed between one
/// command's end marker and the next (prompt-hook messages land in the chunk that follows).
const DRIVER: &str = r#"
import json, os, pty, select, sys, time
argv = json.loads(sys.argv[1]); cmds = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
def until(marker, limit=30):
    buf = b""; end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            buf += data
            if marker in buf:
                return buf
    sys.stderr.write("timeout waiting for %r; got %r\n" % (marker, buf)); sys.exit(3)
time.sleep(0.3)
chunks = []
for i, c in enumerate(cmds):
    os.write(fd, (c + "; printf '%s_%s\\n' HUSH_STEP " + str(i) + "\n").encode())
    chunks.append(until(("HUSH_STEP_%d" % i).encode()).decode("utf-8", "replace"))
os.write(fd, b"exit\n")
print(json.dumps(chunks))
"#;

fn drive(p: &P, shell: &[&str], cmds: &[String]) -> Vec<String> {
    let mut c = Command::new("python3");
    c.args(["-c", DRIVER])
        .arg(serde_json::to_string(shell).unwrap())
        .arg(serde_json::to_string(cmds).unwrap())
        .current_dir(p.work())
        .env("TERM", "dumb")
        .env("HOME", p.dir.path())
        .env_remove("PROMPT_COMMAND");
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("HUSH_") {
            c.env_remove(&k);
        }
    }
    for (k, v) in p.envs() {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{shell:?} driver failed: {}", err(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn show(var: &str) -> String {
    format!("printf 'VAL:%s=%s:END\\n' {var} \"${var}\"")
}

fn seen(chunk: &str, var: &str, value: &str) -> bool {
    chunk.contains(&format!("VAL:{var}={value}:END"))
}

fn setup(p: &P) -> (String, String) {
    p.set("app/dev/API_KEY", "sk-outer-1111");
    p.set("app/dev/SHARED", "outer shared 'quoted'");
    p.set("svc/dev/API_KEY", "sk-inner-2222");
    let outer = p.mkdir("outer");
    std::fs::write(outer.join("hush.toml"), "[env.dev]\nfrom = [\"app/dev\"]\n").unwrap();
    let inner = p.mkdir("outer/svc");
    std::fs::write(inner.join("hush.toml"), "[env.dev]\nfrom = [\"svc/dev\"]\n").unwrap();
    p.ok(&outer, &["project", "trust"]);
    p.ok(&inner, &["project", "trust"]);
    (outer.display().to_string(), inner.display().to_string())
}

fn unlock(p: &P) {
    p.ok(&p.work(), &["unlock", "--timeout", "5m"]);
}

fn lock(p: &P) {
    let _ = p.run(&p.work(), &["lock"]);
}

fn scenario(shell: &[&str], activate: &str) {
    let p = P::new();
    let (outer, inner) = setup(&p);
    let hush = env!("CARGO_BIN_EXE_hush");
    unlock(&p);
    let cmds: Vec<String> = vec![
        activate.replace("HUSH", hush),
        "export MINE=kept".into(),
        format!("cd {outer}"),
        show("API_KEY"),
        show("SHARED"),
        format!("cd {inner}"),
        show("API_KEY"),
        show("SHARED"),
        "cd ..".into(),
        show("API_KEY"),
        "cd /".into(),
        show("API_KEY"),
        show("SHARED"),
        show("MINE"),
        show("HUSH_ACTIVE"),
    ];
    let c = drive(&p, shell, &cmds);
    let tag = shell[0];
    assert!(seen(&c[3], "API_KEY", "sk-outer-1111"), "{tag} enter: {:?}", c[3]);
    assert!(seen(&c[4], "SHARED", "outer shared 'quoted'"), "{tag}: {:?}", c[4]);
    assert!(seen(&c[6], "API_KEY", "sk-inner-2222"), "{tag} nested: {:?}", c[6]);
    assert!(seen(&c[7], "SHARED", ""), "{tag} nested unloads the outer: {:?}", c[7]);
    assert!(seen(&c[9], "API_KEY", "sk-outer-1111"), "{tag} back out: {:?}", c[9]);
    assert!(seen(&c[11], "API_KEY", ""), "{tag} leave: {:?}", c[11]);
    assert!(seen(&c[12], "SHARED", ""), "{tag} leave: {:?}", c[12]);
    assert!(seen(&c[13], "MINE", "kept"), "{tag} the user's own variable stays: {:?}", c[13]);
    assert!(seen(&c[14], "HUSH_ACTIVE", ""), "{tag}: {:?}", c[14]);

    // untrusted, changed, locked
    let fresh = p.mkdir("fresh");
    std::fs::write(fresh.join("hush.toml"), "[env.dev]\nfrom = [\"app/dev\"]\n").unwrap();
    std::fs::write(Path::new(&outer).join("hush.toml"), "[env.dev]\nfrom = [\"personal/bank\"]\n")
        .unwrap();
    lock(&p);
    p.ok(Path::new(&inner), &["project", "trust"]); // already trusted: no change
    let cmds: Vec<String> = vec![
        activate.replace("HUSH", hush),
        format!("cd {}", fresh.display()),
        show("API_KEY"),
        "true".into(),
        format!("cd {outer}"),
        show("API_KEY"),
        format!("cd {inner}"),
        show("API_KEY"),
        "true".into(),
        format!("HUSH_PASSPHRASE='{PASS}' {hush} unlock --timeout 5m"),
        show("API_KEY"),
    ];
    let c = drive(&p, shell, &cmds);
    let all = c.join("");
    assert!(seen(&c[2], "API_KEY", ""), "{tag} untrusted loads nothing: {:?}", c[2]);
    assert_eq!(all.matches("is not trusted").count(), 1, "{tag} said once: {all:?}");
    assert!(seen(&c[5], "API_KEY", ""), "{tag} changed loads nothing: {:?}", c[5]);
    assert_eq!(all.matches("changed since you trusted it").count(), 1, "{tag}: {all:?}");
    assert!(seen(&c[7], "API_KEY", ""), "{tag} locked: {:?}", c[7]);
    assert_eq!(all.matches("vault locked").count(), 1, "{tag} one line, no storm: {all:?}");
    assert!(!all.contains("passphrase:"), "{tag} never prompts: {all:?}");
    assert!(seen(&c[10], "API_KEY", "sk-inner-2222"), "{tag} loads after unlock: {:?}", c[10]);
    lock(&p);
}

#[test]
fn bash_activation_in_a_pty() {
    scenario(&["bash", "--norc", "--noprofile", "-i"], "eval \"$(HUSH activate bash)\"");
}

#[test]
fn zsh_activation_in_a_pty() {
    scenario(&["zsh", "-f", "-i"], "eval \"$(HUSH activate zsh)\"");
}

#[test]
fn fish_activation_in_a_pty() {
    scenario(&["fish", "--no-config", "-i"], "HUSH activate fish | source");
}

/// Bash with HUSH_PASSPHRASE exported and the hook active, in `dir`; then `after` (from chunk 3).
fn bash_with_passphrase(p: &P, dir: &str, after: Vec<String>) -> Vec<String> {
    let activate = format!("eval \"$({} activate bash)\"", env!("CARGO_BIN_EXE_hush"));
    let mut cmds = vec![format!("export HUSH_PASSPHRASE='{PASS}'"), activate, format!("cd {dir}")];
    cmds.extend(after);
    drive(p, &["bash", "--norc", "--noprofile", "-i"], &cmds)
}

/// A passphrase vault with HUSH_PASSPHRASE exported in the shell (a dev container, a CI box) and
/// no agent: the prompt hook opens the vault with it, as every other command does. The hook once
/// read the variable after start-up had taken it out of hush's environment, so the project never
/// loaded and every prompt said "vault locked".
#[test]
fn the_hook_opens_with_hush_passphrase_like_every_command() {
    let p = P::new();
    let (outer, _) = setup(&p);
    lock(&p);
    let c = bash_with_passphrase(&p, &outer, vec![show("API_KEY")]);
    let all = c.join("");
    assert!(seen(&c[3], "API_KEY", "sk-outer-1111"), "loaded: {all:?}");
    assert!(!all.contains("vault locked"), "{all:?}");
}

/// A project folder holding PROMPT_COMMAND, PATH or LD_PRELOAD (a teammate's push, a cloned
/// `.env` imported): the hook once exported them into the user's own shell, where
/// PROMPT_COMMAND ran its text at every prompt (and replaced hush's own hook). They stay out,
/// named once; the ordinary names load.
#[test]
fn the_hook_never_loads_names_that_run_code_in_the_shell() {
    let p = P::new();
    let (outer, _) = setup(&p);
    let marker = p.dir.path().join("pwned");
    p.set("app/dev/PROMPT_COMMAND", &format!("touch {}", marker.display()));
    p.set("app/dev/PATH", "/tmp/evil");
    p.set("app/dev/LD_PRELOAD", "/tmp/evil.so");
    let after =
        vec![show("API_KEY"), show("LD_PRELOAD"), "true".into(), "echo \"PATH_IS:$PATH\"".into()];
    let c = bash_with_passphrase(&p, &outer, after);
    let all = c.join("");
    assert!(seen(&c[3], "API_KEY", "sk-outer-1111"), "{all:?}");
    assert!(seen(&c[4], "LD_PRELOAD", ""), "{all:?}");
    assert!(!all.contains("PATH_IS:/tmp/evil"), "{all:?}");
    assert!(!marker.exists(), "PROMPT_COMMAND from the vault ran in the shell");
    assert_eq!(all.matches("not loaded into this shell").count(), 1, "{all:?}");
    for name in ["PROMPT_COMMAND", "PATH", "LD_PRELOAD"] {
        assert!(all.contains(name), "{name}: {all:?}");
    }
}
