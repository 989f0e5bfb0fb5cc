//! `hush scan` on the real binary: planted values (current and older kept versions) in a tree,
//! git-ignored files included; in git history after removal; staged content through the installed
//! pre-commit hook; nothing in a clean tree. Output names files, lines and secret paths, never values.

mod project_common;

use project_common::{err, git, out, P};

const CURRENT: &str = "ghp_CurrentValue0123456789abcdef";
const OLD: &str = "ghp_OlderValue9876543210fedcba";
const DB: &str = "postgres://admin:s3cr3t-pw@db.internal:5432/app";

fn seeded() -> P {
    let p = P::new();
    p.set("team/ci/GITHUB_TOKEN", OLD);
    p.set("team/ci/GITHUB_TOKEN", CURRENT);
    p.set("team/ci/DATABASE_URL", DB);
    p.set("team/ci/SHORT", "on"); // below the masking minimum: never searched
    p
}

fn no_values(s: &str) {
    for v in [CURRENT, OLD, DB] {
        assert!(!s.contains(v), "a value leaked:\n{s}");
    }
}

#[test]
fn finds_planted_values_in_a_tree_and_nothing_in_a_clean_one() {
    let p = seeded();
    let tree = p.mkdir("tree");
    std::fs::create_dir_all(tree.join("src/deep")).unwrap();
    std::fs::write(tree.join("src/deep/config.py"), format!("# settings\n\nTOKEN = '{CURRENT}'\n"))
        .unwrap();
    std::fs::write(tree.join("notes.txt"), format!("a\nb\nc\nold one: {OLD}\nthe db {DB}\n"))
        .unwrap();
    std::fs::write(tree.join("on.txt"), "on on on\n").unwrap();
    git(&tree, &["init", "-q"]);
    std::fs::write(tree.join(".gitignore"), "secret.log\n").unwrap();
    std::fs::write(tree.join("secret.log"), format!("x={CURRENT}")).unwrap();
    let o = p.code(&tree, &["scan"], 10);
    let text = out(&o);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "notes.txt:4: team/ci/GITHUB_TOKEN (older version 1)",
            "notes.txt:5: team/ci/DATABASE_URL",
            "secret.log:1: team/ci/GITHUB_TOKEN",
            "src/deep/config.py:3: team/ci/GITHUB_TOKEN",
        ],
        "{text}"
    );
    no_values(&(text + &err(&o)));
    let j = out(&p.code(&tree, &["scan", "--json", "."], 10));
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 4);
    no_values(&j);
    // a clean tree: exit 0, nothing printed
    let clean = p.mkdir("clean");
    std::fs::write(clean.join("README"), "nothing to see\n").unwrap();
    let o = p.ok(&clean, &["scan"]);
    assert!(out(&o).is_empty(), "{}", out(&o));
    assert!(err(&o).contains("0 finding(s)"), "{}", err(&o));
    assert!(p.audit_json().contains("\"scan\""));
    // --folder: its subfolders are searched; a folder with no secret, or a name that cannot be
    // one, is an error (a typo in a hook's --folder scanned for nothing and passed every commit).
    p.code(&tree, &["scan", "--folder", "team"], 10);
    let o = p.code(&tree, &["scan", "--folder", "taem/ci"], 3);
    assert!(err(&o).contains("no secrets in the folder 'taem/ci'"), "{}", err(&o));
    p.code(&tree, &["scan", "--folder", "team//ci"], 2);
}

#[test]
fn finds_values_in_history_and_blocks_a_commit_through_the_hook() {
    let p = seeded();
    let repo = p.mkdir("repo");
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("app.env"), format!("ONE=1\nDATABASE_URL={DB}\n")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "oops"]);
    std::fs::remove_file(repo.join("app.env")).unwrap();
    git(&repo, &["commit", "-qam", "remove it"]);
    let sha = out(&git(&repo, &["rev-list", "--max-parents=0", "HEAD"])).trim().to_string();
    // the tree is clean now; history is not
    p.ok(&repo, &["scan"]);
    let o = p.code(&repo, &["scan", "--history"], 10);
    assert_eq!(out(&o).trim(), format!("{}:app.env:2: team/ci/DATABASE_URL", &sha[..12]));
    assert!(err(&o).contains("file(s) and the git history"), "{}", err(&o));
    no_values(&(out(&o) + &err(&o)));
    // the pre-commit hook scans staged content
    let o = p.ok(&repo, &["scan", "--install-hook"]);
    assert!(out(&o).contains("pre-commit"), "{}", out(&o));
    std::fs::write(repo.join("ok.txt"), "fine\n").unwrap();
    std::fs::write(repo.join("leak.yaml"), format!("a: 1\ntoken: {CURRENT}\n")).unwrap();
    git(&repo, &["add", "."]);
    let commit = |p: &P, pass: bool| {
        let mut c = std::process::Command::new("git");
        c.current_dir(&repo).args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "x",
        ]);
        for (k, v) in p.envs() {
            c.env(k, v);
        }
        if pass {
            c.env("HUSH_PASSPHRASE", project_common::PASS);
        }
        c.output().unwrap()
    };
    // Locked (no agent, no passphrase): the commit is stopped, and the reason said once.
    let o = commit(&p, false);
    assert!(!o.status.success(), "a locked vault must block the commit");
    assert!(err(&o).contains("the staged changes were not scanned"), "{}", err(&o));
    assert_eq!(err(&o).matches("key unavailable").count(), 1, "{}", err(&o));
    let o = commit(&p, true);
    assert!(!o.status.success(), "the hook must block the commit");
    let both = out(&o) + &err(&o);
    assert!(both.contains("leak.yaml:2: team/ci/GITHUB_TOKEN"), "{both}");
    no_values(&(out(&o) + &err(&o)));
    std::fs::remove_file(repo.join("leak.yaml")).unwrap();
    git(&repo, &["add", "-A"]);
    assert!(commit(&p, true).status.success());
    // an existing foreign hook is left alone
    std::fs::write(repo.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    p.code(&repo, &["scan", "--install-hook"], 4);
}
