//! `hush remote|plan|push|pull|sync|migrate` on the real binary against a real OpenBao server.
//! Ignored by plain `cargo test`; scripts/test.sh runs them (bao on PATH, a Secret Service for
//! stored tokens). They fail, never skip, when `bao` is missing.

#[path = "../../core/tests/common/bao.rs"]
mod bao;

use std::path::PathBuf;

use assert_cmd::Command;
use bao::Bao;

const PASS: &str = "remote-test-passphrase";

/// What one `hush` run gave back.
struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Out {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout(), self.stderr))
    }
    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "stdout: {}\nstderr: {}", self.stdout(), self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }
}

/// A passphrase vault in its own temp dir (which is also HOME for the runs).
struct TestVault {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl TestVault {
    fn passphrase() -> TestVault {
        let dir = tempfile::tempdir().unwrap();
        let t = TestVault { path: dir.path().join("vault.db"), dir };
        hush(&t, &["init", "--passphrase"], "", &[]).ok();
        t
    }
    fn set(&self, path: &str, value: &str, extra: &[&str]) {
        let mut args = vec!["set", path];
        args.extend_from_slice(extra);
        hush(self, &args, value, &[]).ok();
    }
    fn get(&self, path: &str) -> String {
        hush(self, &["get", path], "", &[]).ok().stdout().trim_end_matches('\n').to_string()
    }
    fn file_bytes(&self) -> Vec<u8> {
        ["", "-wal"]
            .iter()
            .flat_map(|s| std::fs::read(format!("{}{s}", self.path.display())).unwrap_or_default())
            .collect()
    }
}

fn canary() -> String {
    format!(
        "CANARY-{}-{:x}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    )
}

fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `hush ARGS` with the passphrase, `stdin`, and `env` (None removes the variable).
fn hush(t: &TestVault, args: &[&str], stdin: &str, env: &[(&str, Option<&str>)]) -> Out {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hush"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("HUSH_") {
            c.env_remove(&k);
        }
    }
    c.args(args)
        .env("HUSH_VAULT", &t.path)
        .env("XDG_RUNTIME_DIR", t.dir.path())
        .env("HUSH_PASSPHRASE", PASS)
        .env_remove("VAULT_TOKEN")
        .env_remove("VAULT_ADDR")
        .env("HOME", t.dir.path())
        .write_stdin(stdin.to_string());
    for (k, v) in env {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let o = c.timeout(std::time::Duration::from_secs(120)).output().expect("run hush");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: o.stdout,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn token_from_stdin_plan_migrate_pull_with_json_and_no_leaks() {
    let b = Bao::dev();
    let token = format!("hvs-canary-token-{}", std::process::id());
    b.ok(&["token", "create", &format!("-id={token}"), "-policy=root", "-field=token"]);
    let t = TestVault::passphrase();
    let canary = canary();
    t.set(
        "myapp/dev/DATABASE_URL",
        "postgres://db\nline two",
        &["--kind", "connection_string", "--tag", "db"],
    );
    t.set("myapp/dev/CANARY", &canary, &[]);
    t.set("other/TOKEN", "t1", &[]);

    let mut outputs = Vec::new();
    let add = hush(
        &t,
        &["remote", "add", "team", "--addr", &b.addr, "--prefix", "hush"],
        &format!("{token}\n"),
        &[],
    )
    .ok();
    assert!(add.stderr.contains("keychain"), "{}", add.stderr);
    let ls = hush(&t, &["remote", "ls", "--json"], "", &[]).ok();
    assert_eq!(ls.json()[0]["credential_in_keychain"], true);
    let test = hush(&t, &["remote", "test", "team", "--json"], "", &[]).ok();
    assert_eq!(test.json()["ok"], true, "{}", test.stdout());
    assert_eq!(test.json()["kv_version"], 2);
    let plan = hush(&t, &["plan", "team", "--for", "push", "--json"], "", &[]).ok();
    assert_eq!(plan.json()["totals"]["created_remote"], 3);
    let words = hush(&t, &["plan", "team", "--for", "push"], "", &[]).ok();
    assert!(
        words.stdout().contains("[local ahead]  secret/hush/myapp/dev (not on the remote)")
            && words.stdout().contains(" create on remote ")
            && words.stdout().contains("local v1, not on the remote")
            && !words.stdout().contains("CreateRemote")
            && !words.stdout().contains(" v-"),
        "{}",
        words.stdout()
    );
    let mig = hush(&t, &["migrate", "team", "--json"], "", &[]).ok();
    assert_eq!(mig.json()["totals"]["created_remote"], 3, "{}", mig.stdout());
    assert_eq!(
        b.kv_get(&["secret/hush/myapp/dev"])["data"]["data"]["DATABASE_URL"],
        "postgres://db\nline two"
    );
    let human = hush(&t, &["plan", "team"], "", &[]).ok();
    assert!(human.stdout().contains("[in sync]"), "{}", human.stdout());

    b.ok(&["kv", "patch", "secret/hush/other", "TOKEN=t2", "NEW=n"]);
    let words = hush(&t, &["plan", "team", "--for", "pull"], "", &[]).ok().stdout();
    let new = words.lines().find(|l| l.contains(" NEW ")).unwrap_or_default();
    assert!(new.contains("create locally") && new.ends_with("remote v2, not local"), "{words}");
    let pull = hush(&t, &["pull", "team", "--json"], "", &[]).ok();
    assert_eq!(
        (
            pull.json()["totals"]["updated_local"].as_u64(),
            pull.json()["totals"]["created_local"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(t.get("other/TOKEN"), "t2");
    let audit = hush(&t, &["audit", "--json"], "", &[]).ok();
    let actions: Vec<String> = audit
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "migrate").count(), 2, "one entry per folder");
    outputs.extend([add, ls, test, plan, mig, human, pull, audit]);
    for o in &outputs {
        let all = format!("{}{}", o.stdout(), o.stderr);
        assert!(
            !all.contains(&canary) && !all.contains(&token),
            "a value or the token leaked: {all}"
        );
    }
    assert!(!contains_bytes(&t.file_bytes(), token.as_bytes()), "the token is in the vault file");
    hush(&t, &["remote", "rm", "team"], "", &[]).ok();
    assert_eq!(hush(&t, &["remote", "ls", "--json"], "", &[]).ok().json(), serde_json::json!([]));
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn env_token_token_file_and_vault_addr_are_honoured() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    t.set("app/K", "v", &[]);
    // No --addr: VAULT_ADDR. Empty stdin: no token stored.
    let add = hush(&t, &["remote", "add", "dev"], "", &[("VAULT_ADDR", Some(&b.addr))]).ok();
    assert!(add.stderr.contains("no token stored"), "{}", add.stderr);
    let none = hush(&t, &["remote", "test", "dev"], "", &[]);
    assert_eq!(none.code, 8, "no token anywhere is an auth failure: {}", none.stdout());
    assert!(none.stdout().contains("VAULT_TOKEN"), "{}", none.stdout());
    let env = hush(&t, &["remote", "test", "dev"], "", &[("VAULT_TOKEN", Some("root"))]).ok();
    assert!(env.stdout().contains("token from VAULT_TOKEN"), "{}", env.stdout());
    std::fs::write(t.dir.path().join(".vault-token"), "root\n").unwrap();
    let file = hush(&t, &["remote", "test", "dev"], "", &[]).ok();
    assert!(file.stdout().contains("~/.vault-token"), "{}", file.stdout());
    hush(&t, &["push", "dev"], "", &[]).ok();
    assert_eq!(b.kv_get(&["secret/app"])["data"]["data"]["K"], "v");
    let bad = hush(&t, &["remote", "test", "dev"], "", &[("VAULT_TOKEN", Some("not-a-token"))]);
    assert_eq!(bad.code, 8, "{}", bad.stdout());
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn exit_codes_for_conflicts_denials_and_a_sealed_server() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    t.set("app/A", "a0", &[]);
    hush(&t, &["remote", "add", "dev", "--addr", &b.addr], "root", &[]).ok();
    hush(&t, &["push", "dev"], "", &[]).ok();
    b.ok(&["kv", "patch", "secret/app", "A=remote"]);
    t.set("app/A", "local", &[]);
    let push = hush(&t, &["push", "dev"], "", &[]);
    assert_eq!(push.code, 4, "a conflict: {}{}", push.stdout(), push.stderr);
    // The hint names the secret to settle, a command that can be pasted.
    assert!(push.stderr.contains("--keep-local app/A"), "{}", push.stderr);
    let plan = hush(&t, &["plan", "dev"], "", &[]);
    assert_eq!(plan.code, 4);
    // People read words: the plan says "conflict", never an enum's name.
    assert!(plan.stdout().contains("app  [conflict]  secret/app v2"), "{}", plan.stdout());
    assert!(plan.stdout().contains(" conflict "), "{}", plan.stdout());
    hush(&t, &["sync", "dev", "--keep-local", "app/A"], "", &[]).ok();
    assert_eq!(b.kv_get(&["secret/app"])["data"]["data"]["A"], "local");

    let ro = b.token_with_policy(
        "ro",
        r#"path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }"#,
    );
    t.set("new/K", "k", &[]);
    hush(&t, &["remote", "add", "ro", "--addr", &b.addr], &ro, &[]).ok();
    let denied = hush(&t, &["migrate", "ro", "--continue-on-error"], "", &[]);
    assert_eq!(denied.code, 8, "{}{}", denied.stdout(), denied.stderr);
    assert!(denied.stdout().contains("secret/data/new"), "{}", denied.stdout());
    let dry = hush(&t, &["migrate", "ro", "--dry-run", "--json"], "", &[]).ok();
    assert_eq!(dry.json()["dry_run"], true);

    // A folder name with a typo: exit 3 naming it, never "done" having done nothing; a run
    // from it does not start the program.
    for cmd in [&["push", "dev", "ap"][..], &["pull", "dev", "ap"], &["plan", "dev", "ap/x"]] {
        let typo = hush(&t, cmd, "", &[]);
        assert_eq!(typo.code, 3, "{cmd:?}: {}", typo.stderr);
        assert!(typo.stderr.contains("no folder 'ap"), "{cmd:?}: {}", typo.stderr);
        assert!(!typo.stdout().contains("done"), "{cmd:?}: {}", typo.stdout());
    }
    let run = hush(&t, &["run", "--from", "dev:ap", "--", "sh", "-c", "echo STARTED"], "", &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        !run.stdout().contains("STARTED") && run.stderr.contains("no folder 'ap'"),
        "{}",
        run.stderr
    );

    b.ok(&["operator", "seal"]);
    let sealed = hush(&t, &["push", "dev"], "", &[]);
    assert_eq!(sealed.code, 7, "{}", sealed.stderr);
    assert!(sealed.stderr.contains("sealed"), "{}", sealed.stderr);
    assert_eq!(hush(&t, &["remote", "test", "dev"], "", &[]).code, 7);
    let missing = hush(&t, &["push", "nope"], "", &[]);
    assert_eq!(missing.code, 3, "no remote by that name is 'not found': {}", missing.stderr);
}

/// A teammate with write access to a KV path puts `LD_PRELOAD` there: the plan flags it, the pull
/// brings it (it is a secret like any other), and `run` refuses to start a program with it.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn ld_preload_pulled_from_a_real_server_is_flagged_and_refused_by_run() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    b.ok(&["kv", "put", "secret/team/app", "API_KEY=k", "LD_PRELOAD=/tmp/hush-evil.so"]);
    let tok = [("VAULT_TOKEN", Some("root"))];
    hush(&t, &["remote", "add", "team", "--addr", &b.addr], "", &tok).ok();
    let plan = hush(&t, &["plan", "team", "--for", "pull"], "", &tok).ok();
    assert!(
        plan.stdout().contains("LD_PRELOAD") && plan.stdout().contains("--allow-env LD_PRELOAD"),
        "{}",
        plan.stdout()
    );
    hush(&t, &["pull", "team"], "", &tok).ok();
    assert_eq!(t.get("team/app/LD_PRELOAD"), "/tmp/hush-evil.so");
    let run = hush(&t, &["run", "--from", "team/app", "--", "sh", "-c", "echo RAN"], "", &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout(), run.stderr);
    assert!(!run.stdout().contains("RAN"), "the program ran");
    assert!(
        run.stderr.contains("LD_PRELOAD") && run.stderr.contains("--allow-env"),
        "{}",
        run.stderr
    );
}

/// Field names, metadata and listing entries written on a real server with terminal escapes and a
/// right-to-left override: plan, pull, ls and show print them escaped, never raw.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn escape_sequences_in_remote_names_and_metadata_never_reach_the_terminal_raw() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    b.ok(&["kv", "put", "secret/app", "K=v", "\u{1b}[2Jfield=x", "n\u{202e}ame=y"]);
    // JSON escapes (printable text, as Vault requires of custom_metadata) that decode to ESC,
    // BEL, CSI and a right-to-left override.
    let meta = r#"{"description":"\u001b]0;pwned\u0007desc \u009b31m \u202egnp.exe","meta":{"note":"\u001b[31mred"}}"#;
    b.ok(&["kv", "metadata", "put", &format!("-custom-metadata=hush:K={meta}"), "secret/app"]);
    let tok = [("VAULT_TOKEN", Some("root"))];
    hush(&t, &["remote", "add", "dev", "--addr", &b.addr], "", &tok).ok();
    let runs: [&[&str]; 6] = [
        &["plan", "dev", "--for", "pull"],
        &["pull", "dev"],
        &["ls", "app"],
        &["show", "app/K"],
        &["show", "app/K", "--json"],
        &["audit"],
    ];
    let mut shown = String::new();
    for args in runs {
        let out = hush(&t, args, "", &tok).ok();
        for (stream, bytes) in [("stdout", &out.stdout[..]), ("stderr", out.stderr.as_bytes())] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
                "{args:?} {stream}: raw control in {text:?}"
            );
            shown.push_str(&text);
        }
    }
    assert!(shown.contains("\\u{1b}[2Jfield"), "the hostile field is shown escaped: {shown}");
    assert!(shown.contains("\\u{1b}]0;pwned"), "the description is shown escaped: {shown}");
}

/// Addresses: plain http beyond this machine needs --allow-http; `user:pass@` is refused without
/// echoing the password. Every operation without TLS verification warns (and says why), and
/// every operation says which token source it used.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn unverified_tls_warns_every_time_and_addresses_are_checked() {
    let tls = Bao::dev_tls();
    let t = TestVault::passphrase();
    t.set("app/K", "v", &[]);
    let refused =
        hush(&t, &["remote", "add", "far", "--addr", "http://vault.example.com:8200"], "", &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--allow-http"), "{}", refused.stderr);
    hush(
        &t,
        &["remote", "add", "far", "--addr", "http://vault.example.com:8200", "--allow-http"],
        "",
        &[],
    )
    .ok();
    let creds = hush(
        &t,
        &["remote", "add", "pw", "--addr", "https://me:hunter2@vault.example.com"],
        "",
        &[],
    );
    assert_eq!(creds.code, 2, "{}", creds.stderr);
    assert!(
        creds.stderr.contains("user:pass") && !creds.stderr.contains("hunter2"),
        "{}",
        creds.stderr
    );
    assert!(!contains_bytes(&t.file_bytes(), b"hunter2"));

    let tok = [("VAULT_TOKEN", Some("root"))];
    hush(&t, &["remote", "add", "skip", "--addr", &tls.addr, "--skip-verify"], "", &tok).ok();
    for args in [
        &["remote", "test", "skip"][..],
        &["plan", "skip"],
        &["push", "skip"],
        &["pull", "skip", "--json"],
    ] {
        let out = hush(&t, args, "", &tok).ok();
        assert!(
            out.stderr.contains("NOT verified") && out.stderr.contains("--skip-verify"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let push = hush(&t, &["push", "skip"], "", &tok).ok();
    assert!(push.stderr.contains("token from VAULT_TOKEN"), "{}", push.stderr);
    // VAULT_SKIP_VERIFY turns verification off for a remote added without --skip-verify: said.
    let ca = tls.ca_cert.clone().unwrap().display().to_string();
    hush(&t, &["remote", "add", "env", "--addr", &tls.addr, "--ca-cert", &ca], "", &tok).ok();
    let quiet = hush(&t, &["push", "env"], "", &tok).ok();
    assert!(!quiet.stderr.contains("NOT verified"), "{}", quiet.stderr);
    let env = [("VAULT_TOKEN", Some("root")), ("VAULT_SKIP_VERIFY", Some("1"))];
    let loud = hush(&t, &["push", "env"], "", &env).ok();
    assert!(loud.stderr.contains("VAULT_SKIP_VERIFY"), "{}", loud.stderr);
}

/// Local paths stay local: a secret imported from `<dir>/proj/.env` is pushed without its source
/// path in the team's `custom_metadata` (it keeps it locally); a pull records the remote instead.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn push_does_not_send_the_local_source_path() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    let proj = t.dir.path().join("secret-project-dir");
    std::fs::create_dir(&proj).unwrap();
    let env = proj.join(".env");
    std::fs::write(&env, "API_KEY=k1\n").unwrap();
    hush(&t, &["import", env.to_str().unwrap(), "--into", "app"], "", &[]).ok();
    t.set("app/API_KEY", "k1", &["--tag", "db"]);
    let show = hush(&t, &["show", "app/API_KEY", "--json"], "", &[]).ok();
    assert!(show.json()["source"].as_str().unwrap().contains("secret-project-dir"));
    let tok = [("VAULT_TOKEN", Some("root"))];
    hush(&t, &["remote", "add", "team", "--addr", &b.addr], "", &tok).ok();
    hush(&t, &["push", "team"], "", &tok).ok();
    let meta = b.ok(&["kv", "metadata", "get", "-format=json", "secret/app"]);
    assert!(meta.contains("hush:API_KEY"), "no metadata pushed: {meta}");
    assert!(!meta.contains("secret-project-dir") && !meta.contains(".env"), "{meta}");
    let local = hush(&t, &["show", "app/API_KEY", "--json"], "", &[]).ok();
    assert!(local.json()["source"].as_str().unwrap().contains("secret-project-dir"));
}

/// A conflicting key whose name needs quoting is settled by its unquoted spelling too (as the
/// importer accepted it); a choice that names no folder or key is refused, never ignored.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_conflict_on_a_quoted_name_is_settled_however_it_is_spelled() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    t.set("acme/dev/\"api.key-v2\"", "k0", &[]);
    hush(&t, &["remote", "add", "dev", "--addr", &b.addr], "root", &[]).ok();
    hush(&t, &["push", "dev"], "", &[]).ok();
    b.ok(&["kv", "patch", "secret/acme/dev", "api.key-v2=remote"]);
    t.set("acme/dev/\"api.key-v2\"", "local", &[]);
    assert_eq!(hush(&t, &["sync", "dev"], "", &[]).code, 4, "a conflict first");
    let bad = hush(&t, &["sync", "dev", "--keep-local", "acme/dev/a\"b"], "", &[]);
    assert_eq!(bad.code, 2, "a choice naming nothing is a usage error: {}", bad.stderr);
    // A choice with a typo (a valid path that holds nothing) is said to have settled nothing;
    // the conflict stays (exit 4). The right one, unquoted, draws no such note.
    let typo = hush(&t, &["sync", "dev", "--keep-local", "acme/dev/api.kye-v2"], "", &[]);
    assert_eq!(typo.code, 4, "{}", typo.stderr);
    let out = format!("{}{}", typo.stdout(), typo.stderr);
    assert!(out.contains("--keep-local acme/dev/api.kye-v2: no folder or secret"), "{out}");
    let ok = hush(&t, &["sync", "dev", "--keep-local", "acme/dev/api.key-v2"], "", &[]).ok();
    assert!(!format!("{}{}", ok.stdout(), ok.stderr).contains("settled nothing"), "{}", ok.stderr);
    assert_eq!(b.kv_get(&["secret/acme/dev"])["data"]["data"]["api.key-v2"], "local");
    let plan = hush(&t, &["plan", "dev", "--json"], "", &[]).ok();
    assert_eq!(plan.json()["totals"]["conflicts"], 0, "{}", plan.stdout());
}

/// `sh -c SCRIPT` with the vault's environment; returns (status, stdout, stderr).
fn shell(t: &TestVault, script: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = std::process::Command::new("bash");
    c.args(["-c", script])
        .current_dir(t.dir.path())
        .env("HUSH", env!("CARGO_BIN_EXE_hush"))
        .env("HUSH_VAULT", &t.path)
        .env("XDG_RUNTIME_DIR", t.dir.path())
        .env("HUSH_PASSPHRASE", PASS)
        .env("HOME", t.dir.path())
        .env_remove("VAULT_TOKEN")
        .env_remove("VAULT_ADDR");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_is_a_normal_end_for_every_kind_of_output() {
    let t = TestVault::passphrase();
    // Enough output to outlast the pipe's buffer after `head` has gone.
    let env: String =
        (0..600).map(|i| format!("KEY_{i}=value-{i}-{}\n", "x".repeat(200))).collect();
    let file = t.dir.path().join("big.env");
    std::fs::write(&file, env).unwrap();
    hush(&t, &["import", file.to_str().unwrap(), "--into", "app"], "", &[]).ok();
    for cmd in [
        "ls --json",
        "ls",
        "export app",
        "export app --format json",
        "audit --json",
        "show app/KEY_1",
    ] {
        let (code, out, err) = shell(
            &t,
            &format!("set -o pipefail; \"$HUSH\" {cmd} 2>err.txt | head -c 10 >/dev/null; s=$?; cat err.txt >&2; exit $s"),
            &[],
        );
        assert_eq!(code, 0, "{cmd}: stdout {out}\nstderr {err}");
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{cmd}: {err}");
    }
}

#[test]
#[ignore = "needs bao and a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn run_export_and_inject_read_the_remote_first_and_fall_back_to_the_local_copy() {
    let mut b = Bao::persistent();
    let t = TestVault::passphrase();
    t.set("app/A", "local-1", &[]);
    let root = format!("{}\n", b.root_token);
    hush(&t, &["remote", "add", "team", "--addr", &b.addr], &root, &[]).ok();
    hush(&t, &["push", "team"], "", &[]).ok();
    b.ok(&["kv", "put", "secret/app", "A=remote-2", "B=b"]);

    let run =
        hush(&t, &["run", "--from", "team:app", "--", "sh", "-c", "printf %s \"$A $B\""], "", &[])
            .ok();
    assert_eq!(run.stdout(), "remote-2 b", "{}", run.stderr);
    assert!(run.stderr.contains("read from remote team (2 key(s) refreshed"), "{}", run.stderr);
    assert_eq!(t.get("app/A"), "remote-2", "the local copy was refreshed");
    let export = hush(&t, &["export", "team:app"], "", &[]).ok();
    assert!(export.stdout().contains("A=remote-2"), "{}", export.stdout());
    let tpl = t.dir.path().join("config.tpl");
    std::fs::write(&tpl, "a: hush://app/A\n").unwrap();
    let inject =
        hush(&t, &["inject", "-i", tpl.to_str().unwrap(), "--only", "team:app"], "", &[]).ok();
    assert_eq!(inject.stdout(), "a: remote-2\n", "{}", inject.stderr);

    // Changed on both sides: the local value is used and the conflict named.
    t.set("app/A", "mine", &[]);
    b.ok(&["kv", "put", "secret/app", "A=theirs", "B=b"]);
    let run =
        hush(&t, &["run", "--from", "team:app", "--", "sh", "-c", "printf %s \"$A\""], "", &[])
            .ok();
    assert_eq!(run.stdout(), "mine");
    assert!(
        run.stderr.contains("app/A") && run.stderr.contains("the local value is used"),
        "{}",
        run.stderr
    );
    // Nothing was refreshed, and the copy is not called up to date beside a conflict.
    assert!(
        run.stderr.contains("no key refreshed") && !run.stderr.contains("up to date"),
        "{}",
        run.stderr
    );
    // It names the two commands that settle it; the one taking the remote's side does.
    for hint in ["hush push team --keep-local app/A", "hush pull team --keep-remote app/A"] {
        assert!(run.stderr.contains(hint), "{hint}: {}", run.stderr);
    }
    hush(&t, &["pull", "team", "--keep-remote", "app/A"], "", &[]).ok();
    assert_eq!(t.get("app/A"), "theirs");
    let again = hush(&t, &["run", "--from", "team:app", "--", "true"], "", &[]).ok();
    assert!(!again.stderr.contains("the local value is used"), "{}", again.stderr);

    // An edit made here and a key created here, neither pushed: the program gets them, and the
    // run says so ("read from remote" alone hid that it got values the remote does not hold).
    t.set("app/A", "edited-here", &[]);
    t.set("app/NEW", "n", &[]);
    let both = ["run", "--from", "team:app", "--", "sh", "-c", "printf %s \"$A $NEW\""];
    let run = hush(&t, &both, "", &[]).ok();
    assert_eq!(run.stdout(), "edited-here n", "{}", run.stderr);
    let newer = "changed here since the last sync, not pushed yet (the local value is used; `hush push team` sends it): app/A";
    assert!(run.stderr.contains(newer), "{}", run.stderr);
    assert!(
        run.stderr.contains("only here, not on team (the local value is used): app/NEW"),
        "{}",
        run.stderr
    );
    hush(&t, &["push", "team"], "", &[]).ok();
    let run = hush(&t, &both, "", &[]).ok();
    assert_eq!(run.stdout(), "edited-here n", "{}", run.stderr);
    assert!(!run.stderr.contains("the local value is used"), "{}", run.stderr);

    // A teammate keeps their own fields in the metadata (the bao CLI): a pull plan names each,
    // but a run, which is about the values, says it once per folder instead of on every secret.
    b.ok(&[
        "kv",
        "metadata",
        "put",
        r#"-custom-metadata=hush:A={"owner":"ops","description":"a"}"#,
        r#"-custom-metadata=hush:B={"owner":"ops","ticket":"OPS-1"}"#,
        "secret/app",
    ]);
    let plan = hush(&t, &["plan", "team", "--for", "pull"], "", &[]).ok();
    let plan = plan.stdout();
    assert!(plan.contains("'A'") && plan.contains("'B'"), "{plan}");
    let run = hush(&t, &["run", "--from", "team:app", "--", "true"], "", &[]).ok();
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.contains("cannot read")).collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains("app") && lines[0].contains("2 secret(s)"), "{}", run.stderr);
    assert!(!run.stderr.contains("unknown field"), "{}", run.stderr);
    // The description taken for A is said once, not as a plan's preview and again as done.
    let taken = run.stderr.lines().filter(|l| l.contains("unchanged key(s)")).count();
    assert_eq!(taken, 1, "{}", run.stderr);

    // B removed here since the last sync: the run goes without it, and says how to settle it
    // (not "the local value is used": there is none).
    hush(&t, &["rm", "app/B"], "", &[]).ok();
    let run = hush(
        &t,
        &["run", "--from", "team:app", "--", "sh", "-c", "printf %s \"${B-unset}\""],
        "",
        &[],
    )
    .ok();
    assert_eq!(run.stdout(), "unset", "{}", run.stderr);
    assert!(
        run.stderr.contains("app/B") && run.stderr.contains("it stays removed here"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hush pull team --keep-remote app/B"), "{}", run.stderr);
    hush(&t, &["pull", "team", "--keep-remote", "app/B"], "", &[]).ok();
    assert_eq!(t.get("app/B"), "b");

    // A token with an app's usual policy (read under the team's prefix, nothing at the prefix
    // itself), stored by `remote add`: a remote-first run reads through it (a 403 at the prefix
    // once failed every pull).
    b.ok(&["kv", "put", "secret/team/svc", "S=team-s"]);
    let app = format!("{}\n", b.token_reading_under("app", "team"));
    hush(&t, &["remote", "add", "app", "--addr", &b.addr, "--prefix", "team"], &app, &[]).ok();
    let run =
        hush(&t, &["run", "--from", "app:svc", "--", "sh", "-c", "printf %s \"$S\""], "", &[]);
    assert_eq!(run.ok().stdout(), "team-s");

    // The server is down: the last synced local copy, said so.
    b.kill();
    let started = std::time::Instant::now();
    let run =
        hush(&t, &["run", "--from", "team:app", "--", "sh", "-c", "printf %s \"$B\""], "", &[])
            .ok();
    assert_eq!(run.stdout(), "b");
    assert!(
        run.stderr.contains("using the local copy") && run.stderr.contains("last synced"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    let export = hush(&t, &["export", "team:app", "--format", "json"], "", &[]).ok();
    assert!(export.stdout().contains("\"B\""), "{}", export.stdout());
    // A bad bound is a usage error, never a silent default.
    let bad = hush(&t, &["export", "team:app"], "", &[("HUSH_REMOTE_TIMEOUT", Some("soon"))]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
#[ignore = "needs bao and a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn an_expired_token_exits_8_and_remote_set_takes_several_addresses() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    t.set("app/K", "v", &[]);
    let short = b.ok(&["token", "create", "-ttl=1s", "-explicit-max-ttl=1s", "-field=token"]);
    hush(&t, &["remote", "add", "team", "--addr", &b.addr], &short, &[]).ok();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    for args in
        [&["plan", "team"][..], &["pull", "team"], &["push", "team"], &["remote", "test", "team"]]
    {
        let o = hush(&t, args, "", &[]);
        assert_eq!(o.code, 8, "{args:?}: {}{}", o.stdout(), o.stderr);
        let all = format!("{}{}", o.stdout(), o.stderr);
        assert!(
            all.contains("authentication failed") || all.contains("refused"),
            "{args:?}: {all}"
        );
        assert!(!all.contains("mount"), "{args:?}: {all}");
    }

    // The token in the keychain is what to renew, and the advice says how.
    let o = hush(&t, &["plan", "team"], "", &[]);
    let renew = "hint: store a valid token with `hush remote set NAME --new-credential`";
    assert!(o.stderr.contains(renew), "{}", o.stderr);

    // A new token and the cluster's addresses, the sync history kept.
    hush(&t, &["remote", "set", "team", "--new-credential"], "root\n", &[]).ok();
    hush(&t, &["push", "team"], "", &[]).ok();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let list = format!("http://127.0.0.1:{dead},{}", b.addr);
    let set = hush(&t, &["remote", "set", "team", "--addr", &list], "", &[]).ok();
    assert!(set.stderr.contains("sync history is kept"), "{}", set.stderr);
    let ls = hush(&t, &["remote", "ls", "--json"], "", &[]).ok().json();
    assert_eq!(
        (ls[0]["addr"].as_str(), ls[0]["synced_folders"].as_u64()),
        (Some(list.as_str()), Some(1))
    );
    t.set("app/K", "v2", &[]);
    hush(&t, &["push", "team"], "", &[]).ok();
    assert_eq!(b.kv_get(&["secret/app"])["data"]["data"]["K"], "v2");
    // The test reaches the server through the second address, and names the first as a node
    // that does not serve (exit 7: one of the remote's addresses is down).
    let test = hush(&t, &["remote", "test", "team"], "", &[]);
    assert_eq!(test.code, 7, "{}{}", test.stdout(), test.stderr);
    let out = test.stdout();
    assert!(out.contains(&format!("{} active", b.addr)), "{out}");
    assert!(out.contains(&format!("http://127.0.0.1:{dead} unreachable")), "{out}");
    assert!(out.contains("ok   auth") && out.contains("ok   capabilities"), "{out}");
    let bad = hush(&t, &["remote", "set", "team", "--addr", "https://a.example,ftp://b"], "", &[]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    // Adding it again says what to do instead.
    let again = hush(&t, &["remote", "add", "team", "--addr", &b.addr], "root\n", &[]);
    assert_eq!(again.code, 4, "{}", again.stderr);
    assert!(again.stderr.contains("a remote named 'team' already exists"), "{}", again.stderr);
    assert!(again.stderr.contains("hush remote set"), "{}", again.stderr);
}
