//! The projects engine through the public API: select (--from vs a trusted project, walking up),
//! trust and change, check against [vars], the scan needles over a tree, and the activation hook's
//! decisions. (The CLI tests drive the same on the real binary, with shells, pipes and git.)

use hush_core::project::check::{self, Spec};
use hush_core::project::scan::{self, Needles};
use hush_core::project::{self, hook_step, layered_values, Project, TrustStore};
use hush_core::{
    Action, FolderPath, Passphrase, Protection, SecretPath, SecretValue, Vault, WriteOptions,
};

fn vault(dir: &std::path::Path) -> Vault {
    let p = Passphrase::new("project api test".into());
    let mut v = Vault::create(&dir.join("v.db"), Protection::Passphrase(&p)).unwrap();
    for (path, val) in [
        ("app/dev/API_KEY", "sk-dev-1234567"),
        ("app/dev/PORT", "8080"),
        ("app/mine/API_KEY", "sk-mine-7654321"),
    ] {
        let sp = SecretPath::parse(path).unwrap();
        v.set(&sp, &SecretValue::from_string(val.into()), &WriteOptions::default()).unwrap();
    }
    v
}

#[test]
fn select_trust_check_scan_and_hook() {
    let d = tempfile::tempdir().unwrap();
    let mut v = vault(d.path());
    let store = TrustStore::at(d.path().join("trust"));
    let repo = d.path().join("repo");
    std::fs::create_dir_all(repo.join("a/b")).unwrap();
    std::fs::write(
        repo.join("hush.toml"),
        "[env.dev]\nfrom = [\"app/dev\", \"app/none\", \"app/mine\"]\n[vars]\nAPI_KEY = {}\nPORT = { type = \"port\" }\nDB = { type = \"url\", required = false }\n",
    )
    .unwrap();
    let deep = repo.join("a/b");
    // untrusted: refused; --from: fine
    let e = project::select(&deep, &[], None, &store).unwrap_err();
    assert_eq!(e.code(), "untrusted");
    assert!(project::select(&deep, &["app/dev".into()], None, &store).unwrap().project.is_none());
    let p = Project::load(&repo.join("hush.toml")).unwrap();
    p.trust(&store).unwrap();
    let sel = project::select(&deep, &[], None, &store).unwrap();
    assert_eq!(sel.env.as_deref(), Some("dev"));
    let (present, missing) = project::present_folders(&v, &sel.folders).unwrap();
    assert_eq!(missing, [FolderPath::parse("app/none").unwrap()]);
    let values = layered_values(&mut v, &present, Some((Action::Check, "test"))).unwrap();
    assert_eq!(values["API_KEY"].expose_str(), "sk-mine-7654321", "a later folder wins");
    let spec = Spec::for_project(&p.root, &p.config).unwrap().unwrap();
    let r = check::check(&spec, &values);
    assert!(r.passed && r.defaulted == ["DB"], "{r:?}");
    // a change asks again
    std::fs::write(repo.join("hush.toml"), "[env.dev]\nfrom = [\"other/x\"]\n").unwrap();
    let e = project::select(&deep, &[], None, &store).unwrap_err();
    assert!(e.to_string().contains("changed since you trusted it"), "{e}");
    // the hook: changed → nothing loaded, one message
    let step = hook_step(&deep, None, &store);
    assert!(step.load.is_none() && step.message.is_some());
    // scan: a planted value is found with its path, the short one is not searched
    std::fs::write(repo.join("a/leak.txt"), "x\nkey=sk-dev-1234567\nport 8080\n").unwrap();
    let n = Needles::load(&mut v, None).unwrap();
    let rep = scan::scan_tree(&n, &repo).unwrap();
    let found: Vec<(String, u64, String)> =
        rep.findings.iter().map(|f| (f.file.clone(), f.line, f.secret.clone())).collect();
    assert_eq!(
        found,
        [
            ("a/leak.txt".to_string(), 2, "app/dev/API_KEY".to_string()),
            ("a/leak.txt".to_string(), 3, "app/dev/PORT".to_string())
        ]
    );
    let log = v.audit_log(&Default::default()).unwrap();
    assert!(
        log.iter().any(|e| e.action == hush_core::Action::Scan)
            && log.iter().any(|e| e.action == hush_core::Action::Check)
    );
}

/// A project file that is a device or a pipe is refused unread: `/dev/zero` says 0 bytes, so
/// the size check let it through and the read never ended.
#[test]
fn a_project_file_that_is_not_a_regular_file_is_refused_unread() {
    let started = std::time::Instant::now();
    let err = hush_core::project::Project::load(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
