//! Lifecycle on the real binary (issue 14): generate, rotation with handlers that fail, hang or
//! print nothing (nothing changes), the post-rotation command, an edited handler in the vault
//! file (integrity, nothing runs), status --fail-on, reports, validation on write, `hush test`.

mod common;

use common::{canary, TestVault};

fn audit_of(t: &TestVault, action: &str) -> Vec<serde_json::Value> {
    t.audit().into_iter().filter(|e| e["action"] == action).collect()
}

#[test]
fn generate_prints_or_stores_with_entropy() {
    let t = TestVault::passphrase();
    let out = t.run(&["generate", "--charset", "hex", "--length", "48"]).ok();
    let v = out.stdout();
    assert_eq!(v.trim_end().len(), 48);
    assert!(v.trim_end().chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert!(out.stderr.contains("192.0 bits"), "{}", out.stderr);
    assert!(!out.stderr.contains("guessable"), "{}", out.stderr);
    // Short enough to guess by trying: said so.
    let out = t.run(&["generate", "--charset", "hex", "--length", "8"]).ok();
    assert!(
        out.stderr.contains("under 64 bits") && out.stderr.contains("guessable"),
        "{}",
        out.stderr
    );
    let w = t.run(&["generate", "--words", "6"]).ok().stdout();
    assert_eq!(w.trim_end().split('-').count(), 6, "{w}");
    // With PATH: stored, nothing on stdout.
    let out = t.pw(&["generate", "app/TOKEN", "--charset", "base64url", "--length", "43"]).ok();
    assert!(out.stdout.is_empty(), "printed {:?}", out.stdout());
    assert!(out.stderr.contains("258.0 bits"), "{}", out.stderr);
    let stored = t.get("app/TOKEN");
    assert_eq!(stored.len(), 43);
    assert!(!out.stderr.contains(&stored));
    let printed = t.pw(&["generate", "app/TOKEN", "--print"]).ok().stdout();
    assert_eq!(printed.trim_end(), t.get("app/TOKEN"));
    assert_eq!(t.version("app/TOKEN"), 2);
    let g = audit_of(&t, "generate");
    assert_eq!(g.len(), 2);
    assert!(g[0]["detail"].as_str().unwrap().contains("bits"));
    t.run(&["generate", "--length", "0"]).expect(2);
}

/// Every way a handler can fail leaves the secret as it was and audits `rotate_failed` with how it
/// ended, never what it printed.
#[test]
fn failing_hanging_and_silent_handlers_change_nothing() {
    let t = TestVault::passphrase();
    t.set("svc/PASSWORD", "old-password", &[]);
    let leak = canary();
    let cases = [
        (format!("echo {leak}; echo {leak} >&2; exit 3"), "exit 3"),
        ("cat >/dev/null".to_string(), "printed nothing"),
        ("cat".to_string(), "printed the current value again"),
        (format!("echo {leak}; sleep 60"), "timed out after 2 s"),
        ("kill -9 $$".to_string(), "signal 9"),
    ];
    t.pw(&["policy", "svc/PASSWORD", "--strategy", "manual", "--every", "30", "--timeout", "2"])
        .ok();
    for (handler, why) in &cases {
        let started = std::time::Instant::now();
        let out = t.pw(&["rotate", "svc/PASSWORD", "--with", handler]).expect(1);
        assert!(
            out.stderr.contains(why) && out.stderr.contains("nothing was changed"),
            "{}",
            out.stderr
        );
        assert!(started.elapsed().as_secs() < 30, "{handler} took {:?}", started.elapsed());
        assert!(!out.stdout().contains(&leak));
        assert_eq!(t.get("svc/PASSWORD"), "old-password");
        assert_eq!(t.version("svc/PASSWORD"), 1);
    }
    let failed = audit_of(&t, "rotate_failed");
    assert_eq!(failed.len(), cases.len());
    assert!(failed[0]["detail"].as_str().unwrap().contains("exit 3"));
    assert!(failed.iter().all(|e| !e.to_string().contains(&leak)), "{failed:?}");
    assert!(audit_of(&t, "rotate").is_empty());
    assert!(!common::contains_bytes(&t.file_bytes(), leak.as_bytes()));
}

#[test]
fn a_handler_gets_the_value_on_stdin_only_and_rotation_records_it() {
    let t = TestVault::passphrase();
    let dir = t.dir.path().to_path_buf();
    // A value no environment holds by chance (a bare "v1" once matched a temporary D-Bus path).
    let v1 = canary();
    t.set("svc/KEY", &v1, &[]);
    // The handler records its argv and environment; the value must be in neither.
    let handler = format!(
        "read cur; printf '%s\\n' \"$0 $*\" > {d}/argv; env > {d}/env; echo \"$cur-rotated\"",
        d = dir.display()
    );
    t.pw(&["policy", "svc/KEY", "--strategy", "automatic", "--every", "1", "--handler", &handler])
        .ok();
    let out = t.pw(&["rotate", "svc/KEY"]).ok();
    assert!(out.stderr.contains("version 2"), "{}", out.stderr);
    assert_eq!(t.get("svc/KEY"), format!("{v1}-rotated"));
    let env = std::fs::read_to_string(dir.join("env")).unwrap();
    assert!(!env.contains(&v1) && !env.contains("HUSH_PASSPHRASE"), "{env}");
    assert!(env.contains("HUSH_SECRET_PATH=svc/KEY"));
    assert!(!std::fs::read_to_string(dir.join("argv")).unwrap().contains(&v1));
    let show = t.run(&["show", "svc/KEY", "--json"]).ok().json();
    assert!(show["last_rotated_at"].is_string());
    assert_eq!(show["policy"]["strategy"], "automatic");
    assert_eq!(audit_of(&t, "rotate").len(), 1);
}

#[test]
fn a_failing_post_rotation_command_keeps_the_new_version_and_says_what_to_do() {
    let t = TestVault::passphrase();
    let dir = t.dir.path().to_path_buf();
    // A value no environment holds by chance (a bare "v1" once matched a temporary D-Bus path).
    let v1 = canary();
    t.set("svc/KEY", &v1, &[]);
    let out = t
        .pw(&["rotate", "svc/KEY", "--generate", "hex:20", "--then", "cat > /dev/null; exit 5"])
        .expect(1);
    assert_eq!(t.version("svc/KEY"), 2);
    assert_eq!(t.get("svc/KEY").len(), 20);
    assert!(out.stderr.contains("exit 5") && out.stderr.contains("stays"), "{}", out.stderr);
    assert!(out.stderr.contains("hush get svc/KEY | sh -c"), "{}", out.stderr);
    // A working one gets the new value on stdin.
    let sink = dir.join("pushed");
    t.pw(&[
        "rotate",
        "svc/KEY",
        "--generate",
        "words:4",
        "--then",
        &format!("cat > {}", sink.display()),
    ])
    .ok();
    assert_eq!(std::fs::read_to_string(&sink).unwrap(), t.get("svc/KEY"));
}

/// Someone who can edit the vault file cannot make Hush run a command: the handler is part of the
/// record's MAC.
#[test]
fn an_edited_handler_is_an_integrity_error_and_runs_nothing() {
    let t = TestVault::passphrase();
    let marker = t.dir.path().join("ran");
    t.set("svc/A", "a", &[]);
    t.set("svc/B", "b", &[]);
    t.pw(&[
        "policy",
        "svc/A",
        "--strategy",
        "automatic",
        "--every",
        "1",
        "--handler",
        "echo new-a",
    ])
    .ok();
    let evil = format!("touch {}; echo pwned", marker.display());
    // Due (times are not MAC'd), so `rotate --due` would pick them up.
    t.sql("UPDATE secrets SET last_rotated_at = last_rotated_at - 172800, created_at = created_at - 172800");
    t.sql(&format!("UPDATE secrets SET rotation_handler = '{evil}' WHERE path = 'svc/A'"));
    // And a policy planted on a record that had none.
    t.sql(&format!(
        "UPDATE secrets SET rotation_strategy = 'automatic', rotate_every_days = 1, rotation_handler = '{evil}' WHERE path = 'svc/B'"
    ));
    for args in
        [&["rotate", "svc/A"][..], &["rotate", "svc/B"], &["rotate", "--due"], &["test", "svc/A"]]
    {
        let out = t.pw(args).expect(6);
        assert!(out.stderr.contains("integrity"), "{args:?}: {}", out.stderr);
    }
    assert!(!marker.exists(), "a command from the edited vault file ran");
    t.pw(&["doctor"]).expect(1);
}

#[test]
fn rotate_due_rotates_each_due_automatic_secret_and_summarises() {
    let t = TestVault::passphrase();
    for p in ["a/ONE", "a/TWO", "a/MANUAL"] {
        t.set(p, "v1", &[]);
    }
    t.pw(&[
        "policy",
        "a/ONE",
        "--strategy",
        "automatic",
        "--every",
        "1",
        "--handler",
        "echo one-2",
    ])
    .ok();
    t.pw(&["policy", "a/TWO", "--strategy", "automatic", "--every", "1", "--handler", "exit 7"])
        .ok();
    t.pw(&["policy", "a/MANUAL", "--strategy", "manual", "--every", "1"]).ok();
    // Not due yet: nothing happens.
    let out = t.pw(&["rotate", "--due"]).ok();
    assert!(out.stderr.contains("0 due"), "{}", out.stderr);
    // Two days later (the records' times moved back: they are not MAC'd).
    t.sql("UPDATE secrets SET last_rotated_at = last_rotated_at - 172800, created_at = created_at - 172800");
    let out = t.pw(&["rotate", "--due", "--json"]).expect(1);
    let s = out.json();
    assert_eq!(s["due"], 2);
    assert_eq!(s["rotated"][0]["path"], "a/ONE");
    assert_eq!(s["failed"][0]["path"], "a/TWO");
    assert_eq!(t.get("a/ONE"), "one-2");
    assert_eq!(t.get("a/TWO"), "v1");
    assert_eq!(t.get("a/MANUAL"), "v1");
    let st = t.run(&["status", "--json", "--fail-on", "due"]).expect(9).json();
    let due: Vec<&str> = st["rotation_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(due.len(), 2);
    assert!(due.contains(&"a/MANUAL") && due.contains(&"a/TWO"), "{due:?}");
}

#[test]
fn status_lists_and_fails_on_for_ci() {
    let t = TestVault::passphrase();
    t.set("s/EXPIRED", "x", &["--expires", "2020-01-01"]);
    // Ten days less an hour: whole days left is 9 however fast the test runs (exactly ten days,
    // read within the same second, would be 10).
    let soon = hush_core::timefmt::rfc3339(hush_core::timefmt::now() + 10 * 86_400 - 3600);
    t.set("s/SOON", "x", &["--expires", &soon]);
    t.set("s/LATER", "x", &["--expires", "2999-01-01"]);
    t.set("s/NONE", "x", &[]);
    // Locked: status reads metadata only.
    let s = t.run(&["status", "--json"]).ok().json();
    assert_eq!(s["expired"][0]["path"], "s/EXPIRED");
    assert_eq!(s["expiring"][0]["path"], "s/SOON");
    assert_eq!(s["expiring"][0]["days"], 9);
    assert_eq!(s["no_expiry"][0]["path"], "s/NONE");
    assert_eq!(s["never_rotated"].as_array().unwrap().len(), 4);
    let out = t.run(&["status", "--fail-on", "expired,due"]).expect(9);
    assert!(
        out.stderr.contains("expired") && out.stdout().contains("Expired (1)"),
        "{}",
        out.stderr
    );
    // Created seconds ago: "today", not "1 days ago" (the days were floored); in whole days.
    let text = t.run(&["status"]).ok().stdout();
    let line = |p: &str| text.lines().find(|l| l.contains(p)).unwrap_or_default().to_string();
    assert!(line("s/NONE").ends_with("(today)"), "{text}");
    assert!(line("s/SOON").ends_with("(in 9 days)"), "{text}");
    assert_eq!(s["never_rotated"][0]["days"], 0);
    t.run(&["status", "--fail-on", "due"]).ok();
    t.run(&["status", "--fail-on", "bogus"]).expect(2);
    // Unused: nothing read for 90 days (times moved back; the audit log is read too).
    t.sql("UPDATE secrets SET created_at = created_at - 100*86400");
    t.sql("UPDATE audit SET ts = ts - 100*86400");
    t.get("s/LATER");
    let s = t.run(&["status", "--json"]).ok().json();
    let unused: Vec<&str> =
        s["unused"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert!(!unused.contains(&"s/LATER") && unused.contains(&"s/NONE"), "{unused:?}");
}

/// An expiry once could not be removed (`--expires ""` refused, `policy` does not touch it), and a
/// date already past was taken without a word: the secret then showed as expired for good.
#[test]
fn an_expiry_can_be_removed_and_a_past_one_is_said() {
    let t = TestVault::passphrase();
    let out = t.set("e/K", "x", &["--expires", "2020-01-01"]);
    assert!(out.stderr.contains("that expiry has passed"), "{}", out.stderr);
    assert_eq!(t.pw(&["status", "--json"]).ok().json()["expired"][0]["path"], "e/K");
    t.set("e/K", "y", &["--expires", "never"]);
    let s = t.pw(&["status", "--json"]).ok().json();
    assert_eq!(s["expired"], serde_json::json!([]), "{s}");
    assert_eq!(s["no_expiry"][0]["path"], "e/K");
    assert!(t.pw(&["show", "e/K", "--json"]).ok().json()["expires_at"].is_null());
}

#[test]
fn hush_test_runs_the_check_with_the_value_on_stdin() {
    let t = TestVault::passphrase();
    t.set("api/TOKEN", "good-token", &[]);
    t.pw(&["policy", "api/TOKEN", "--check", "grep -qx good-token"]).ok();
    t.pw(&["test", "api/TOKEN"]).ok();
    let m = t.run(&["show", "api/TOKEN", "--json"]).ok().json();
    let passed = m["last_checked_at"].as_str().unwrap().to_string();
    t.set("api/TOKEN", "bad-token", &[]);
    let out = t.pw(&["test", "api/TOKEN"]).expect(9);
    assert!(out.stderr.contains("exit 1"), "{}", out.stderr);
    let m = t.run(&["show", "api/TOKEN", "--json"]).ok().json();
    assert_eq!(m["last_checked_at"].as_str().unwrap(), passed, "a failure keeps the last pass");
    let tests = audit_of(&t, "test");
    assert_eq!(
        (tests[0]["outcome"].as_str(), tests[1]["outcome"].as_str()),
        (Some("ok"), Some("failure"))
    );
    t.pw(&["test", "api/TOKEN", "--with", "grep -qx bad-token"]).ok();
}

/// `rotate` and `test` on a secret whose policy names no command: the error says which options
/// give one (it said "give a command or a generator", naming neither option), and nothing changes.
#[test]
fn a_missing_handler_or_check_names_the_options_that_give_one() {
    let t = TestVault::passphrase();
    t.set("svc/KEY", "first-value", &[]);
    let out = t.pw(&["rotate", "svc/KEY"]).expect(2);
    assert!(out.stderr.contains("'svc/KEY' has no rotation handler"), "{}", out.stderr);
    for option in ["--generate hex:64", "--with CMD", "hush policy PATH --handler CMD"] {
        assert!(out.stderr.contains(option), "{option}: {}", out.stderr);
    }
    assert_eq!(t.get("svc/KEY"), "first-value");
    assert!(audit_of(&t, "rotate").is_empty() && audit_of(&t, "rotate_failed").is_empty());

    let out = t.pw(&["test", "svc/KEY"]).expect(2);
    assert!(out.stderr.contains("'svc/KEY' has no check command"), "{}", out.stderr);
    assert!(out.stderr.contains("hush policy PATH --check CMD"), "{}", out.stderr);
}
