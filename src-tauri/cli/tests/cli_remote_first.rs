//! The CLI's output ends and remote-first reads on the real binary: a closed stdout under every
//! kind of output, `run`/`export`/`inject --from REMOTE:FOLDER` reading the server first and
//! falling back to the local copy, an expired token and several addresses. The remote tests are
//! ignored by plain `cargo test`; scripts/test.sh runs them (bao on PATH, a Secret Service).

#[path = "../../core/tests/common/bao.rs"]
mod bao;
mod common;
#[path = "../../core/tests/common/hostile.rs"]
mod hostile;

use bao::Bao;
use common::{Out, TestVault, PASS};

/// `hush ARGS` against a team's server (see `TestVault::remote_run`).
fn hush(t: &TestVault, args: &[&str], stdin: &str, env: &[(&str, Option<&str>)]) -> Out {
    t.remote_run(args, stdin, env)
}

/// `sh -c SCRIPT` with the vault's environment; returns (status, stdout, stderr).
fn shell(t: &TestVault, script: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = std::process::Command::new("bash");
    c.args(["-c", script])
        .current_dir(t.dir.path())
        .env("HUSH", env!("CARGO_BIN_EXE_hush"))
        .env("HUSH_VAULT", &t.path)
        .env("XDG_RUNTIME_DIR", &t.runtime)
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
    // 0 is no bound: the message's range says so (it read "0-600", then refused 0).
    let zero = hush(&t, &["export", "team:app"], "", &[("HUSH_REMOTE_TIMEOUT", Some("0"))]);
    assert!(zero.code == 2 && zero.stderr.contains("above 0 and at most 600"), "{}", zero.stderr);
    let bad = hush(&t, &["export", "team:app"], "", &[("HUSH_REMOTE_TIMEOUT", Some("soon"))]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// A folder the token may not read, with no local copy: the program started anyway, told
/// "not on remote … the local copy is used", and failed with "no secrets", exit 3. And a run of
/// a parent folder pulled its subfolders (changing local secrets) before failing the same way.
#[test]
#[ignore = "needs bao and a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn remote_first_never_runs_on_nothing_and_reads_only_the_folders_named() {
    let b = Bao::dev();
    b.ok(&["kv", "put", "secret/prod", "TOKEN=x"]);
    b.ok(&["kv", "put", "secret/myapp/prod", "DB=rotated"]);
    let t = TestVault::passphrase();
    t.set("keep/K", "k", &[]);
    let blind = b.token_with_policy(
        "blind",
        r#"path "secret/data/prod" { capabilities = ["deny"] }
path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }"#,
    );
    hush(&t, &["remote", "add", "team", "--addr", &b.addr], &blind, &[]).ok();
    let cmds = [
        &["run", "--from", "team:prod", "--", "sh", "-c", "echo STARTED"][..],
        &["export", "--from", "team:prod"],
    ];
    for cmd in cmds {
        let o = hush(&t, cmd, "", &[]);
        assert_eq!(o.code, 8, "{cmd:?}: {}{}", o.stdout(), o.stderr);
        assert!(!o.stdout().contains("STARTED"), "{cmd:?}");
        assert!(o.stderr.contains("'prod' has no local copy"), "{cmd:?}: {}", o.stderr);
        assert_eq!(o.stderr.matches("permission denied").count(), 1, "{cmd:?}: {}", o.stderr);
        assert!(
            !o.stderr.contains("not on remote") && !o.stderr.contains("pull it"),
            "{}",
            o.stderr
        );
    }
    // A parent folder: its subfolders are not pulled, and nothing is run on nothing.
    let o = hush(&t, &["run", "--from", "team:myapp", "--", "sh", "-c", "echo STARTED"], "", &[]);
    assert_eq!(o.code, 3, "{}{}", o.stdout(), o.stderr);
    assert!(!o.stdout().contains("STARTED"));
    assert!(o.stderr.contains("no folder 'myapp' in the vault or on the remote"), "{}", o.stderr);
    assert!(!o.stderr.contains("hush push"), "{}", o.stderr);
    let get = hush(&t, &["get", "myapp/prod/DB"], "", &[]);
    assert_eq!(get.code, 3, "pulled by a run of its parent: {}", get.stdout());
    // With a subfolder here (not synced), the parent is still not read for it, nor run.
    t.set("myapp/dev/K", "k", &[]);
    let o = hush(&t, &["run", "--from", "team:myapp", "--", "sh", "-c", "echo STARTED"], "", &[]);
    assert_eq!(o.code, 3, "{}{}", o.stdout(), o.stderr);
    assert!(
        o.stderr.contains("no secret at 'myapp' on the remote 'team' (nor in the vault"),
        "{}",
        o.stderr
    );
    assert_eq!(hush(&t, &["get", "myapp/prod/DB"], "", &[]).code, 3);
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

/// A proxy in the environment (a corporate `HTTP_PROXY`) and a Vault on this machine (a dev
/// server, a `kubectl port-forward`) over plain http://, which Hush allows only on loopback: the
/// proxy was handed the token, and every value, in clear text. Loopback is reached directly, as
/// the `bao` CLI does.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_proxy_in_the_environment_never_sees_a_loopback_vault() {
    let b = Bao::dev();
    let proxy = hostile::Server::recorder();
    let t = TestVault::passphrase();
    t.set("app/A", "proxied-value", &[]);
    let env = [
        ("VAULT_TOKEN", Some("root")),
        ("HTTP_PROXY", Some(proxy.addr.as_str())),
        ("http_proxy", Some(proxy.addr.as_str())),
        ("ALL_PROXY", Some(proxy.addr.as_str())),
        ("NO_PROXY", None),
        ("no_proxy", None),
    ];
    hush(&t, &["remote", "add", "team", "--addr", &b.addr], "", &env).ok();
    hush(&t, &["push", "team"], "", &env).ok();
    let run =
        hush(&t, &["run", "--from", "team:app", "--", "sh", "-c", "printf %s \"$A\""], "", &env);
    assert_eq!(run.ok().stdout(), "proxied-value");
    assert!(proxy.seen().is_empty(), "the proxy saw {:?}", proxy.seen());
}

/// A standby redirecting to a node of the remote that is down (a killed leader): the error named
/// the standby as the address that refused the connection, not the node it sent the request to.
#[test]
fn a_redirect_to_a_dead_node_names_it_and_who_sent_there() {
    use hostile::{json, redirect, vault_basics, Seen, Server};
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let to = dead.clone();
    let standby = Server::start(move |s: &Seen| {
        if s.method == "POST" {
            return redirect(307, &format!("{to}{}", s.path));
        }
        vault_basics(s).unwrap_or_else(|| json(404, r#"{"errors":[]}"#))
    });
    let t = TestVault::passphrase();
    t.set("app/K", "nowhere", &[]);
    let env = [("VAULT_TOKEN", Some("root")), ("HUSH_REMOTE_RETRY_SECS", Some("1"))];
    let addrs = format!("{},{dead}", standby.addr);
    hush(&t, &["remote", "add", "ha", "--addr", &addrs], "", &env).ok();
    let push = hush(&t, &["push", "ha"], "", &env);
    assert_eq!(push.code, 7, "{}{}", push.stdout(), push.stderr);
    let said = format!("{dead}, where {} redirected the request", standby.addr);
    assert!(push.stdout().contains(&said), "{}{}", push.stdout(), push.stderr);
}
