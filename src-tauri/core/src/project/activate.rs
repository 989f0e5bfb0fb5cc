//! Shell activation: what the prompt hook of `hush activate SHELL` must do in a directory. The
//! shell keeps one variable, `HUSH_ACTIVE`, saying which project it loaded (root, file hash,
//! environment) and which variable names came from it, never a value. At each prompt
//! [`hook_step`] compares that with the project of the current directory:
//! - same project, same file, same trust: nothing to do (no vault is opened; the fast path);
//! - otherwise unset exactly the names loaded before, then load the new trusted project's default
//!   environment, or say once (one line) why not: untrusted, changed, locked.
//!
//! A locked vault is retried quietly at later prompts, so `hush unlock` takes effect at the next
//! prompt; its line is printed only when the state first becomes locked.

use std::path::{Path, PathBuf};

use super::{find_project_file, Environment, Project, TrustState, TrustStore};

/// Why a project's variables are, or are not, in the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Loaded,
    Untrusted,
    Changed,
    /// The vault could not be opened without a prompt (locked, no agent, keychain unavailable).
    Locked,
    /// Unreadable `hush.toml`, missing environment, other error.
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Loaded => "loaded",
            Status::Untrusted => "untrusted",
            Status::Changed => "changed",
            Status::Locked => "locked",
            Status::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "loaded" => Status::Loaded,
            "untrusted" => Status::Untrusted,
            "changed" => Status::Changed,
            "locked" => Status::Locked,
            "failed" => Status::Failed,
            _ => return None,
        })
    }
}

/// The content of `HUSH_ACTIVE`: `v1|status|sha256|env|NAME,NAME|root` (root last: it may hold
/// any character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveState {
    pub status: Status,
    pub sha256: String,
    pub env: String,
    pub names: Vec<String>,
    pub root: PathBuf,
}

impl ActiveState {
    pub fn parse(s: &str) -> Option<ActiveState> {
        let mut it = s.splitn(6, '|');
        if it.next()? != "v1" {
            return None;
        }
        let status = Status::parse(it.next()?)?;
        let sha256 = it.next()?.to_string();
        let env = it.next()?.to_string();
        let names = it.next()?.split(',').filter(|n| !n.is_empty()).map(String::from).collect();
        let root = PathBuf::from(it.next()?);
        Some(ActiveState { status, sha256, env, names, root })
    }

    pub fn encode(&self) -> String {
        format!(
            "v1|{}|{}|{}|{}|{}",
            self.status.as_str(),
            self.sha256,
            self.env,
            self.names.join(","),
            self.root.display()
        )
    }

    fn for_project(p: &Project, status: Status, env: &str, names: Vec<String>) -> ActiveState {
        ActiveState {
            status,
            sha256: p.sha256.clone(),
            env: env.into(),
            names,
            root: p.root.clone(),
        }
    }

    /// The state after a successful load of `names`.
    pub fn loaded(load: &Load, names: Vec<String>) -> ActiveState {
        ActiveState::for_project(&load.project, Status::Loaded, &load.env.name, names)
    }

    /// The state after the vault could not be opened for `load`.
    pub fn locked(load: &Load) -> ActiveState {
        ActiveState::for_project(&load.project, Status::Locked, &load.env.name, Vec::new())
    }
}

/// A trusted project environment the caller should load.
#[derive(Debug, Clone)]
pub struct Load {
    pub project: Project,
    pub env: Environment,
    /// A retry after a locked vault: stay quiet if it is still locked.
    pub retry: bool,
}

/// What the prompt hook does now.
#[derive(Debug, Default)]
pub struct HookStep {
    /// Variables to remove (those the previous state loaded).
    pub unset: Vec<String>,
    /// Load this environment (the caller opens the vault without prompting).
    pub load: Option<Load>,
    /// One line for the user.
    pub message: Option<String>,
    /// The new `HUSH_ACTIVE` (`None`: remove it). Meaningless when `!changed`.
    pub state: Option<ActiveState>,
    /// False: leave the shell as it is.
    pub changed: bool,
}

/// Decides the hook's work for a shell in `cwd` whose `HUSH_ACTIVE` is `prev`.
pub fn hook_step(cwd: &Path, prev: Option<&str>, store: &TrustStore) -> HookStep {
    let prev = prev.and_then(ActiveState::parse);
    let found = find_project_file(cwd).map(|f| Project::load(&f).map_err(|e| (f, e)));
    let project = match found {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err((f, e))) => {
            // An unreadable file: unload what we had, say why once.
            let root = f.parent().map(Path::to_path_buf).unwrap_or_default();
            let root = root.canonicalize().unwrap_or(root);
            let sha = std::fs::read(&f).map(|b| super::file_hash(&b)).unwrap_or_default();
            if prev.as_ref().is_some_and(|s| s.root == root && s.sha256 == sha) {
                return HookStep::default();
            }
            let state = ActiveState {
                status: Status::Failed,
                sha256: sha,
                env: String::new(),
                names: Vec::new(),
                root,
            };
            return HookStep {
                unset: prev.map(|s| s.names).unwrap_or_default(),
                message: Some(format!("hush: {e}")),
                state: Some(state),
                changed: true,
                ..Default::default()
            };
        }
    };
    let trust = project.as_ref().map(|p| p.trust_state(store).unwrap_or(TrustState::Untrusted));
    if let (Some(s), Some(p), Some(t)) = (&prev, &project, trust) {
        if s.root == p.root && s.sha256 == p.sha256 {
            let same = match s.status {
                Status::Loaded | Status::Failed => t == TrustState::Trusted,
                Status::Untrusted => t == TrustState::Untrusted,
                Status::Changed => t == TrustState::Changed,
                Status::Locked => false, // retried below, quietly
            };
            if same {
                return HookStep::default();
            }
        }
    }
    let retry = prev.as_ref().is_some_and(|s| {
        s.status == Status::Locked && project.as_ref().is_some_and(|p| p.root == s.root)
    });
    let mut step = HookStep {
        unset: prev.as_ref().map(|s| s.names.clone()).unwrap_or_default(),
        changed: true,
        ..Default::default()
    };
    let (Some(p), Some(t)) = (project, trust) else {
        return step; // left every project: unset, and drop HUSH_ACTIVE
    };
    match t {
        TrustState::Untrusted | TrustState::Changed => {
            let (status, why) = if t == TrustState::Changed {
                (Status::Changed, "changed since you trusted it")
            } else {
                (Status::Untrusted, "is not trusted")
            };
            step.message = Some(format!(
                "hush: {} {why}; nothing loaded (review it, then `hush project trust`)",
                p.file.display()
            ));
            step.state = Some(ActiveState::for_project(&p, status, "", Vec::new()));
        }
        TrustState::Trusted => match p.environment(None) {
            Ok(env) => step.load = Some(Load { project: p, env, retry }),
            Err(e) => {
                step.message = Some(format!("hush: {}: {e}", p.file.display()));
                step.state = Some(ActiveState::for_project(&p, Status::Failed, "", Vec::new()));
            }
        },
    }
    step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_with_odd_roots() {
        let s = ActiveState {
            status: Status::Loaded,
            sha256: "ab".into(),
            env: "dev".into(),
            names: vec!["A".into(), "B_2".into()],
            root: PathBuf::from("/tmp/we|ird,root"),
        };
        assert_eq!(ActiveState::parse(&s.encode()), Some(s));
        assert_eq!(ActiveState::parse("v2|x"), None);
        assert_eq!(ActiveState::parse("garbage"), None);
    }

    #[test]
    fn enter_stay_change_leave() {
        let d = tempfile::tempdir().unwrap();
        let store = TrustStore::at(d.path().join("trust"));
        let repo = d.path().join("repo");
        std::fs::create_dir_all(repo.join("sub")).unwrap();
        std::fs::write(repo.join("hush.toml"), "[env.dev]\nfrom = [\"app/dev\"]\n").unwrap();
        // untrusted: one message, then quiet
        let s = hook_step(&repo.join("sub"), None, &store);
        assert!(s.changed && s.load.is_none() && s.message.unwrap().contains("not trusted"));
        let st = s.state.unwrap().encode();
        assert!(!hook_step(&repo, Some(&st), &store).changed);
        // trusted now: load
        let p = Project::load(&repo.join("hush.toml")).unwrap();
        p.trust(&store).unwrap();
        let s = hook_step(&repo, Some(&st), &store);
        let load = s.load.unwrap();
        assert_eq!(load.env.name, "dev");
        let st = ActiveState::loaded(&load, vec!["K".into()]).encode();
        assert!(!hook_step(&repo.join("sub"), Some(&st), &store).changed);
        // edited: unset K, say it changed
        std::fs::write(repo.join("hush.toml"), "[env.dev]\nfrom = [\"other/x\"]\n").unwrap();
        let s = hook_step(&repo, Some(&st), &store);
        assert_eq!(s.unset, ["K"]);
        assert!(s.message.unwrap().contains("changed since"));
        // leaving: unset, state removed
        let s = hook_step(d.path(), Some(&st), &store);
        assert!(s.changed && s.state.is_none() && s.unset == ["K"] && s.load.is_none());
    }
}
