//! What the packages rely on: `hush --version` names the commit, `hush completions SHELL` prints a
//! script, `hush __man DIR` writes the man pages (scripts/package.sh runs the latter two).

use std::process::Command;

fn hush() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hush"));
    cmd.env_remove("HUSH_VAULT");
    cmd
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = hush().arg("--version").output().unwrap();
    assert!(out.status.success());
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let version = String::from_utf8(out.stdout).unwrap();
    // A commit made since the binary was built would differ: cargo rebuilds it when HEAD moves.
    assert_eq!(version.trim(), format!("hush {} ({head})", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_for_each_shell_and_a_usage_error_for_an_unknown_one() {
    for (shell, marker) in
        [("bash", "complete -F _hush"), ("zsh", "#compdef hush"), ("fish", "complete -c hush")]
    {
        let out = hush().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        assert!(!script.contains("__agent"), "{shell}: a hidden subcommand is offered");
    }
    let out = hush().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_pages_into_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = hush().arg("__man").arg(dir.path().join("man1")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for page in ["hush.1", "hush-run.1", "hush-remote-test.1", "hush-completions.1"] {
        assert!(dir.path().join("man1").join(page).is_file(), "{page}");
    }
    // A file where the directory should be: a clear error, exit 1.
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let out = hush().arg("__man").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the man pages"));
}
