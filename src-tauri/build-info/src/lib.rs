//! Build-script helper shared by the `hush` CLI and the desktop app: which commit a binary was
//! built from, for `hush --version` and the app's About.
//!
//! In a build script, `hush_build_info::emit()` sets the compile-time variable
//! `HUSH_GIT_COMMIT` (read with `env!`). The commit comes from, in order:
//! 1. `HUSH_BUILD_COMMIT` in the build's environment (a distribution building from a tarball);
//! 2. `git rev-parse --short=12 HEAD` in the crate's directory (a clone or a worktree);
//! 3. `.cargo_vcs_info.json`, which `cargo package` writes into a published crate;
//! 4. otherwise `unknown`: a build outside git never fails for want of a commit.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The name of the `env!` variable [`emit`] sets.
pub const VAR: &str = "HUSH_GIT_COMMIT";
/// Overrides the commit (for builds without git).
pub const OVERRIDE: &str = "HUSH_BUILD_COMMIT";

/// For build scripts: sets `HUSH_GIT_COMMIT` and asks Cargo to rerun when HEAD moves.
pub fn emit() {
    println!("cargo:rerun-if-env-changed={OVERRIDE}");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    for watched in git_files(&dir) {
        println!("cargo:rerun-if-changed={}", watched.display());
    }
    println!("cargo:rustc-env={VAR}={}", commit(&dir, std::env::var(OVERRIDE).ok().as_deref()));
}

/// The commit for sources in `dir` (see the module docs for the order).
pub fn commit(dir: &Path, override_commit: Option<&str>) -> String {
    if let Some(c) = override_commit.map(str::trim).filter(|c| !c.is_empty()) {
        return c.to_string();
    }
    from_git(dir)
        .or_else(|| vcs_sha1(&std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?))
        .unwrap_or_else(|| "unknown".to_string())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn from_git(dir: &Path) -> Option<String> {
    git(dir, &["rev-parse", "--short=12", "HEAD"]).filter(|c| is_hex(c))
}

/// HEAD, the branch it points at and packed-refs: what changes when a commit is made or checked
/// out (worktrees included, via `--git-path`). Only files that exist, or Cargo would always rerun.
fn git_files(dir: &Path) -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_string(), "packed-refs".to_string()];
    names.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    names
        .iter()
        .filter_map(|n| git(dir, &["rev-parse", "--git-path", n]))
        .map(|p| dir.join(p))
        .filter(|p| p.exists())
        .collect()
}

/// `"sha1": "<40 hex>"` in a `.cargo_vcs_info.json`, shortened like `git rev-parse --short=12`.
fn vcs_sha1(json: &str) -> Option<String> {
    let rest = &json[json.find("\"sha1\"")? + 6..];
    let start = rest.find('"')? + 1;
    let sha = &rest[start..start + rest[start..].find('"')?];
    (sha.len() >= 12 && is_hex(sha)).then(|| sha[..12].to_string())
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_git_it_is_heads_short_hash() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(head) = git(dir, &["rev-parse", "--short=12", "HEAD"]) else {
            eprintln!("not a git checkout: nothing to compare with");
            return;
        };
        assert_eq!(commit(dir, None), head);
        assert_eq!(head.len(), 12);
        assert!(git_files(dir).iter().any(|p| p.ends_with("HEAD")), "HEAD is watched");
    }

    #[test]
    fn outside_git_it_falls_back_to_vcs_info_then_unknown() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(commit(dir.path(), None), "unknown");
        assert!(git_files(dir.path()).is_empty());
        let info =
            r#"{"git": {"sha1": "0123456789abcdef0123456789abcdef01234567"}, "path_in_vcs": "x"}"#;
        std::fs::write(dir.path().join(".cargo_vcs_info.json"), info).unwrap();
        assert_eq!(commit(dir.path(), None), "0123456789ab");
        std::fs::write(dir.path().join(".cargo_vcs_info.json"), r#"{"git": {"sha1": "zz"}}"#)
            .unwrap();
        assert_eq!(commit(dir.path(), None), "unknown");
    }

    #[test]
    fn the_override_wins_when_set() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(commit(dir, Some(" v0.1.0-tarball \n")), "v0.1.0-tarball");
        assert_ne!(commit(dir, Some("  ")), "");
    }
}
