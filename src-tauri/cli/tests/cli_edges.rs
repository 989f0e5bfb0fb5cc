//! Security at the edges, on the real binary: what a child of `hush run` inherits, names that
//! change how programs start, core dumps, terminal escapes, limits and `inject`'s scope.

mod common;
#[path = "../../core/tests/common/hostile.rs"]
mod hostile;

use common::{canary, contains_bytes, run, TestVault, PASS};

/// Asserts that `text` holds every one of `words`.
#[track_caller]
fn says_all(text: &str, words: &[&str]) {
    let missing: Vec<&&str> = words.iter().filter(|w| !text.contains(**w)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in:\n{text}");
}

const PASS_VARS: [&str; 4] = [
    "HUSH_PASSPHRASE",
    "HUSH_RECOVERY_PASSPHRASE",
    "HUSH_BACKUP_PASSPHRASE",
    "HUSH_NEW_PASSPHRASE",
];

/// `hush run` with every HUSH_*PASSPHRASE set to a canary (the vault's own one to PASS): the
/// program's environment (and its output, masked or not) never holds any of them.
#[test]
fn no_passphrase_reaches_a_child_of_run() {
    let t = TestVault::passphrase();
    t.set("app/TOKEN", "tok-value", &[]);
    let c = canary();
    for mask in [false, true] {
        let mut args = vec!["run", "--from", "app"];
        if mask {
            args.push("--mask");
        }
        args.extend(["--", "sh", "-c", "env; cat /proc/$$/environ | tr '\\0' '\\n'"]);
        let mut cmd = t.cmd(&args);
        for v in PASS_VARS {
            cmd.env(v, if v == "HUSH_PASSPHRASE" { PASS.to_string() } else { format!("{c}-{v}") });
        }
        cmd.env("HUSH_EXTRA_PASSPHRASE", format!("{c}-extra"));
        let out = run(&mut cmd).ok();
        let text = out.stdout();
        assert!(text.contains("TOKEN="), "the program ran without its secrets: {text}");
        for needle in [c.as_str(), PASS, "PASSPHRASE="] {
            assert!(
                !contains_bytes(&out.stdout, needle.as_bytes()),
                "mask={mask}: {needle:?} reached the child:\n{text}"
            );
            assert!(!out.stderr.contains(needle), "mask={mask}: {}", out.stderr);
        }
    }
    // The variable still works for hush itself, read once at start-up.
    assert_eq!(t.get("app/TOKEN"), "tok-value");
}

/// `hush run` cannot dump core, and neither can its program (it holds the secrets).
#[test]
fn run_and_its_program_dump_no_core() {
    let t = TestVault::passphrase();
    t.set("app/TOKEN", "x", &[]);
    // Started with core dumps allowed (the environment's soft limit may be 0 already).
    let mut sh = std::process::Command::new("sh");
    sh.args(["-c", "ulimit -c 4096 && ulimit -c && exec \"$0\" \"$@\""])
        .arg(common::hush_bin())
        .args(["run", "--from", "app", "--", "sh", "-c", "ulimit -c"])
        .env("HUSH_VAULT", &t.path)
        .env("XDG_RUNTIME_DIR", &t.runtime)
        .env("HUSH_PASSPHRASE", PASS);
    let out = run(&mut assert_cmd::Command::from_std(sh)).ok();
    assert_eq!(
        out.stdout().split_whitespace().collect::<Vec<_>>(),
        ["4096", "0"],
        "{}",
        out.stderr
    );
}

#[test]
fn run_refuses_names_that_change_how_programs_start_unless_allowed() {
    let t = TestVault::passphrase();
    t.set("app/TOKEN", "x", &[]);
    t.set("app/LD_PRELOAD", "/tmp/evil.so", &[]);
    t.set("app/NODE_OPTIONS", "--require /tmp/evil.js", &[]);
    let out = t.pw(&["run", "--from", "app", "--", "sh", "-c", "echo RAN"]).expect(2);
    assert!(!out.stdout().contains("RAN"), "the program ran");
    says_all(&out.stderr, &["LD_PRELOAD", "NODE_OPTIONS", "--allow-env"]);
    // One name allowed is not enough; both are.
    t.pw(&["run", "--from", "app", "--allow-env", "LD_PRELOAD", "--", "true"]).expect(2);
    let out = t
        .pw(&[
            "run",
            "--from",
            "app",
            "--allow-env",
            "LD_PRELOAD",
            "--allow-env",
            "NODE_OPTIONS",
            "--",
            "sh",
            "-c",
            "echo \"$NODE_OPTIONS\"",
        ])
        .ok();
    assert_eq!(out.stdout().trim(), "--require /tmp/evil.js");
}

/// A teammate's secret named `npm_config_node_options` (npm passes it to node as NODE_OPTIONS):
/// `hush run -- npm start`, the README's own example, ran the teammate's code before the app's.
/// So did `CC` for `make`, and `HOME` or `XDG_CONFIG_HOME` for git (core.fsmonitor).
#[test]
fn run_refuses_npm_config_compilers_and_config_homes() {
    let t = TestVault::passphrase();
    let dir = t.dir.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("package.json"), r#"{"name":"a","scripts":{"start":"node -e 1"}}"#)
        .unwrap();
    let planted = t.dir.path().join("PLANTED");
    let hook = format!(
        "--import=data:text/javascript,import(`fs`).then(f=>f.writeFileSync(`{}`,``))",
        planted.display()
    );
    t.set("atk/npm_config_node_options", &hook, &[]);
    let out = run(t
        .cmd(&["run", "--from", "atk", "--", "npm", "start"])
        .current_dir(&dir)
        .env("HUSH_PASSPHRASE", PASS));
    let out = out.expect(2);
    assert!(!planted.exists(), "npm ran the teammate's code");
    says_all(&out.stderr, &["npm_config_node_options", "--allow-env"]);
    for name in ["CC", "HOME", "XDG_CONFIG_HOME", "PS2", "PROMPT", "HTTPS_PROXY"] {
        t.set(&format!("more/{name}"), "x", &[]);
        let out = t.pw(&["run", "--from", "more", "--", "true"]).expect(2);
        says_all(&out.stderr, &[name, "--allow-env"]);
        t.pw(&["rm", &format!("more/{name}")]).ok();
    }
}

/// A value over Linux's 128 KiB per environment entry (a certificate bundle, a large JSON key)
/// failed in `execve` as "Argument list too long", exit 1, naming no secret.
#[cfg(target_os = "linux")]
#[test]
fn run_names_a_secret_too_long_for_the_environment() {
    let t = TestVault::passphrase();
    t.set("big/SMALL", "s", &[]);
    t.set("big/BUNDLE", &"b".repeat(200 * 1024), &[]);
    let out = t.pw(&["run", "--from", "big", "--", "sh", "-c", "echo STARTED"]).expect(2);
    assert!(!out.stdout().contains("STARTED"));
    says_all(&out.stderr, &["BUNDLE (204800 bytes)", "too long", "hush inject"]);
    assert!(!out.stderr.contains("SMALL") && !out.stderr.contains("bbbb"), "{}", out.stderr);
    // Under the limit, it starts.
    t.set("big/BUNDLE", &"b".repeat(100 * 1024), &[]);
    let ok = t.pw(&["run", "--from", "big", "--", "sh", "-c", "echo ${#BUNDLE}"]).ok();
    assert_eq!(ok.stdout().trim(), "102400");
}

/// A cloned repository's `.env` defining a bash function through the environment, or git
/// configuration: both ran code in the program (`bash -c 'ls'` printed the attacker's text; git
/// took core.pager from GIT_CONFIG_*), with no word at import or run.
#[test]
fn run_refuses_bash_functions_and_git_config_from_an_imported_env() {
    let t = TestVault::passphrase();
    let f = t.dir.path().join("cloned.env");
    let env = "BASH_FUNC_ls%%=() { echo PWNED; }\nGIT_CONFIG_COUNT=1\nGIT_CONFIG_KEY_0=core.pager\nGIT_CONFIG_VALUE_0=echo PWNED-git >&2; cat\nAPI=a\n";
    std::fs::write(&f, env).unwrap();
    let out = t.pw(&["import", f.to_str().unwrap(), "--into", "imp"]).ok();
    says_all(&out.stderr, &["BASH_FUNC_ls%%", "GIT_CONFIG_COUNT", "--allow-env"]);
    let out = t.pw(&["run", "--from", "imp", "--", "bash", "-c", "ls / >/dev/null; echo RAN"]);
    let out = out.expect(2);
    assert!(!out.stdout().contains("RAN") && !out.stdout().contains("PWNED"), "{}", out.stdout());
    says_all(&out.stderr, &["BASH_FUNC_ls%%", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"]);
}

#[test]
fn import_preview_flags_dangerous_names() {
    let t = TestVault::passphrase();
    let f = t.dir.path().join("cloned.env");
    std::fs::write(&f, "API_KEY=a\nLD_PRELOAD=/tmp/x.so\nPATH=/tmp/evil:/usr/bin\n").unwrap();
    let out = t.pw(&["import", f.to_str().unwrap(), "--into", "repo", "--dry-run"]).ok();
    says_all(&out.stderr, &["LD_PRELOAD", "PATH", "--allow-env"]);
    assert!(!out.stderr.contains("API_KEY"), "{}", out.stderr);
    let j =
        t.pw(&["import", f.to_str().unwrap(), "--into", "repo", "--dry-run", "--json"]).ok().json();
    let warnings = j["preview"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

/// A server that answers health and the mount like Vault, then streams a KV read without end:
/// `push` stops at the 32 MiB bound with a clear error, its peak memory well under 100 MiB (it
/// was 1.4 GB when KV reads were not bounded).
#[test]
fn an_endless_kv_answer_keeps_push_under_100_mib() {
    let server = hostile::Server::start(|s: &hostile::Seen| {
        hostile::vault_basics(s).unwrap_or_else(|| {
            if s.path.starts_with("/v1/secret/") {
                hostile::endless()
            } else {
                hostile::json(404, r#"{"errors":[]}"#)
            }
        })
    });
    let t = TestVault::passphrase();
    t.set("app/K", "local-value", &[]);
    t.pw_in(&["remote", "add", "evil", "--addr", &server.addr], "").ok();
    // Unlocked through the agent, so the push pays no Argon2id (64 MiB) and its peak is the
    // remote work's own.
    t.pw(&["unlock"]).ok();
    let (out, err) = (t.dir.path().join("out"), t.dir.path().join("err"));
    let mut child = t
        .std_cmd(&["push", "evil"])
        .env("VAULT_TOKEN", "root")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let (status, peak_kib) = hush_core::sys::wait_peak_rss(&mut child).unwrap();
    let text = format!(
        "{}{}",
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&err).unwrap()
    );
    eprintln!("push against an endless KV answer: peak RSS {} KiB", peak_kib);
    assert_eq!(status.code(), Some(7), "{text}");
    says_all(&text, &["larger than 32 MiB"]);
    assert!(peak_kib < 100 * 1024, "peak RSS {peak_kib} KiB: {text}");
    assert!(!text.contains("local-value"), "{text}");
}

/// Asserts that nothing a terminal would act on is in `bytes` (ESC, BEL, CSI, bidi overrides).
#[track_caller]
fn no_raw_terminal_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}' | '\u{202e}' | '\u{200b}'))
        .collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in:\n{text}");
}

/// A server whose error texts carry terminal escapes (clear screen, set the title) and a
/// right-to-left override: every output of `remote test` and `push` shows them escaped.
#[test]
fn escape_sequences_in_server_errors_never_reach_the_terminal_raw() {
    let hostile_errors = r#"{"errors":["\u001b]0;pwned\u0007\u001b[2J\u001b[1;1Hall good \u202egnp.exe \u009b31m"]}"#;
    let server = hostile::Server::start(move |s: &hostile::Seen| {
        if s.path.starts_with("/v1/sys/health") {
            hostile::json(200, r#"{"initialized":true,"sealed":false,"version":"\u001b[31m9.9"}"#)
        } else {
            hostile::json(400, hostile_errors)
        }
    });
    let t = TestVault::passphrase();
    t.set("app/K", "v", &[]);
    t.pw_in(&["remote", "add", "evil", "--addr", &server.addr], "").ok();
    let env = [("VAULT_TOKEN", "root")];
    let runs: [&[&str]; 4] = [
        &["remote", "test", "evil"],
        &["remote", "test", "evil", "--json"],
        &["push", "evil"],
        &["plan", "evil", "--json"],
    ];
    let mut shown = String::new();
    for args in runs {
        let mut c = t.cmd(args);
        c.env("HUSH_PASSPHRASE", PASS);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = run(&mut c);
        assert_ne!(out.code, 0, "{args:?}");
        no_raw_terminal_controls(&format!("{args:?} stdout"), &out.stdout);
        no_raw_terminal_controls(&format!("{args:?} stderr"), out.stderr.as_bytes());
        shown.push_str(&String::from_utf8_lossy(&out.stdout));
        shown.push_str(&out.stderr);
    }
    // Shown escaped, not dropped: the user sees what the server said.
    says_all(&shown, &["\\u{1b}[2J", "\\u{202e}", "all good"]);
}

/// Two names that look alike on screen cannot both exist: invisible and text-direction
/// characters are refused in names (typed, imported) and in folders.
#[test]
fn names_refuse_invisible_and_bidi_characters() {
    let t = TestVault::passphrase();
    for path in ["app/\"key\u{202e}txt.exe\"", "app/\"api\u{200b}key\"", "a\u{200b}pp/KEY"] {
        let out = t.pw_in(&["set", path], "v").expect(2);
        assert!(out.stderr.contains("invisible"), "{path:?}: {}", out.stderr);
        no_raw_terminal_controls(path, out.stderr.as_bytes());
    }
    let f = t.dir.path().join("bidi.env");
    std::fs::write(&f, "GOOD=1\nad\u{202e}min.key=2\n").unwrap();
    let out = t.pw(&["import", f.to_str().unwrap(), "--into", "app"]).expect(2);
    no_raw_terminal_controls("import", &out.stdout);
    says_all(&out.stdout(), &["invalid", "U+202E"]);
    assert!(t.pw(&["ls", "app", "--json"]).ok().json().as_array().unwrap().is_empty());
}

/// An oversized value is reported with its exact size (it was the bytes read before stopping);
/// `--keep 0` (every version deleted on the next write) is refused like `settings` refuses it.
#[test]
fn oversize_values_are_reported_exactly_and_keep_is_range_checked() {
    let t = TestVault::passphrase();
    let limit = 1024 * 1024;
    for (input, size) in [
        (vec![b'a'; limit + 1], limit + 1),
        (vec![b'b'; 3 * limit + 5], 3 * limit + 5),
        ([vec![b'c'; 2 * limit], b"\n".to_vec()].concat(), 2 * limit),
        ([vec![b'd'; limit + 7], b"\r\n".to_vec()].concat(), limit + 7),
    ] {
        let out = t.pw_in(&["set", "big/BLOB"], input).expect(2);
        says_all(&out.stderr, &[&format!("the value is {size} bytes"), "limit is 1048576"]);
    }
    let out = t
        .pw_in(&["set", "big/RAW", "--raw"], [vec![b'e'; limit], b"\n".to_vec()].concat())
        .expect(2);
    says_all(&out.stderr, &[&format!("the value is {} bytes", limit + 1)]);
    t.pw_in(&["set", "app/K", "--keep", "0"], "v").expect(2);
    t.run(&["show", "app/K"]).expect(3);
    t.set("app/K", "v", &["--keep", "1000"]);
    let help = t.run(&["set", "--help"]).ok().stdout();
    says_all(&help, &["1 MiB"]);
    let help = t.run(&["import", "--help"]).ok().stdout();
    says_all(&help, &["64 MiB", "1 MiB"]);
    // Each command's summary is one short line; details go to its own --help (a doc comment's
    // second line without a blank one before it ran into the summary).
    fn summaries(help: &str) -> Vec<(String, String)> {
        let list = help.split("Commands:").nth(1).unwrap_or("").split("\n\n").next().unwrap();
        let rows = list.lines().filter_map(|l| l.trim().split_once(' '));
        rows.map(|(c, s)| (c.to_string(), s.trim().to_string())).collect()
    }
    let root = summaries(&t.run(&["--help"]).ok().stdout());
    for (cmd, summary) in root.iter().filter(|(c, _)| c != "help") {
        let own = t.run(&[cmd, "--help"]).ok().stdout();
        let subs = summaries(&own);
        for (sub, line) in [(cmd.clone(), summary.clone())].into_iter().chain(subs) {
            assert!(line.len() <= 120, "`{cmd}` --help: the summary of {sub} is too long: {line}");
        }
    }
    assert!(root.len() > 30 && root.iter().any(|(c, _)| c == "remote"), "{root:?}");
    let inject = t.run(&["inject", "--help"]).ok().stdout();
    assert!(inject.lines().next().unwrap().ends_with("with -o)"), "{inject}");
    // An oversize .env file, as a file (sparse: its size is known unread) and through a pipe:
    // both refused with their exact size, nothing imported.
    let big = t.dir.path().join("big.env");
    let size = 64 * limit as u64 + 3;
    std::fs::File::create(&big).unwrap().set_len(size).unwrap();
    let out = t.pw(&["import", big.to_str().unwrap(), "--into", "big"]).expect(2);
    says_all(&out.stderr, &[&format!("is {size} bytes"), "limit is 67108864"]);
    let out =
        t.pw_in(&["import", "/dev/stdin", "--into", "big"], vec![b'#'; 64 * limit + 9]).expect(2);
    says_all(&out.stderr, &[&format!("is {} bytes", 64 * limit + 9), "limit is 67108864"]);
    assert!(!t.run(&["ls"]).ok().stdout().contains("big/"), "nothing was imported");
}

/// `inject` names what it resolved (stderr and the audit entry); `--only` refuses a template from
/// elsewhere that reaches outside the folders named, before reading any value.
#[test]
fn inject_names_what_it_resolved_and_only_scopes_it() {
    let t = TestVault::passphrase();
    t.set("app/dev/DB_URL", "postgres://db", &[]);
    t.set("personal/GITHUB_TOKEN", "ghp-personal", &[]);
    let tpl = t.dir.path().join("cloned.tpl");
    std::fs::write(&tpl, "db=hush://app/dev/DB_URL\ngh=hush://personal/GITHUB_TOKEN\n").unwrap();
    let tpl = tpl.to_str().unwrap();
    let out = t.pw(&["inject", "-i", tpl]).ok();
    assert!(out.stdout().contains("gh=ghp-personal"));
    says_all(&out.stderr, &["2 secret(s)", "app/dev/DB_URL", "personal/GITHUB_TOKEN"]);
    let audit = t.audit();
    let last = audit.iter().rev().find(|e| e["action"] == "export").unwrap();
    says_all(last["detail"].as_str().unwrap(), &["app/dev/DB_URL", "personal/GITHUB_TOKEN"]);

    let out = t.pw(&["inject", "-i", tpl, "--only", "app"]).expect(2);
    assert!(out.stdout.is_empty(), "{}", out.stdout());
    says_all(&out.stderr, &["outside --only app", "hush://personal/GITHUB_TOKEN"]);
    assert!(!out.stderr.contains("hush://app/dev/DB_URL"), "{}", out.stderr);
    let out_file = t.dir.path().join("out.yaml");
    std::fs::write(t.dir.path().join("ok.tpl"), "db=hush://app/dev/DB_URL\n").unwrap();
    let ok_tpl = t.dir.path().join("ok.tpl");
    t.pw(&[
        "inject",
        "-i",
        ok_tpl.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
        "--only",
        "app",
    ])
    .ok();
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), "db=postgres://db\n");
    // `--only app` is a folder, not a prefix of names: `apple/…` stays outside.
    t.set("apple/K", "x", &[]);
    std::fs::write(t.dir.path().join("apple.tpl"), "k=hush://apple/K\n").unwrap();
    let apple = t.dir.path().join("apple.tpl");
    t.pw(&["inject", "-i", apple.to_str().unwrap(), "--only", "app"]).expect(2);
}

/// `hush import` streams: its peak memory follows the file's size, not its number of lines
/// times a preview item (before: ~1.3 KB a line, ~270 MB for these 200,000 lines). The limits
/// are generous (the binary, SQLite's 32 MiB page cache, a few times the file); `bench/import-mem.sh`
/// measures the real ratios at 100,000 and 1,000,000 lines.
#[test]
fn a_large_import_stays_near_the_size_of_its_file() {
    let t = TestVault::passphrase();
    // Through the agent: no Argon2id (64 MiB) in the numbers.
    t.pw(&["unlock"]).ok();
    let peak = |args: &[&str], lines: usize| {
        let f = t.dir.path().join(format!("big-{lines}.env"));
        let body: String = (0..lines).map(|i| format!("K{i}=v{}\n", i % 10)).collect();
        std::fs::write(&f, body).unwrap();
        let mut argv = vec!["import", f.to_str().unwrap(), "--into", "big"];
        argv.extend_from_slice(args);
        let err = t.dir.path().join("err");
        let mut child = t
            .std_cmd(&argv)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        let (status, kib) = hush_core::sys::wait_peak_rss(&mut child).unwrap();
        let size = std::fs::metadata(&f).unwrap().len() / 1024;
        eprintln!("import {args:?} of {lines} lines ({size} KiB): peak RSS {kib} KiB");
        assert!(status.success(), "{}", std::fs::read_to_string(&err).unwrap());
        kib
    };
    assert!(peak(&["--dry-run", "--json"], 200_000) < 48 * 1024);
    assert!(peak(&[], 50_000) < 64 * 1024);
    assert_eq!(t.sql("SELECT count(*) FROM secrets"), "50000");
    t.stop_agents();
}

/// `run --from team:FOLDER` with the remote down and no local copy of the folder: one clear error
/// naming the remote's failure and the missing copy, exit 7, and the program does not start. (It
/// said "using the local copy (… never synced)", then "no secrets in the folder".)
#[test]
fn remote_first_with_the_remote_down_and_no_local_copy_says_so_and_runs_nothing() {
    let t = TestVault::passphrase();
    t.set("kept/A", "local-a", &[]);
    let mut add = t.cmd(&["remote", "add", "team", "--addr", "http://127.0.0.1:1"]);
    run(add.env("HUSH_PASSPHRASE", PASS).env("VAULT_TOKEN", "t").write_stdin("")).ok();
    let marker = t.dir.path().join("ran");
    let script = format!("touch {}", marker.display());
    for args in [
        &["run", "--from", "team:myapp/dev", "--", "sh", "-c", &script][..],
        &["run", "--from", "kept", "--from", "team:myapp/dev", "--", "sh", "-c", &script],
        &["export", "team:myapp/dev"],
        &["export", "--from", "team:myapp/dev"],
    ] {
        let mut c = t.cmd(args);
        let out = run(c.env("HUSH_PASSPHRASE", PASS).env("VAULT_TOKEN", "t")).expect(7);
        for part in ["cannot reach the Vault server", "'myapp/dev' has no local copy", "hush pull"]
        {
            assert!(out.stderr.contains(part), "{args:?} {part}: {}", out.stderr);
        }
        assert!(!out.stderr.contains("using the local copy"), "{}", out.stderr);
    }
    assert!(!marker.exists(), "the program ran");
}

/// `-o` naming a pipe, a terminal-like device or this process's stdout: written into, as a
/// shell's `>` would. The atomic writer once renamed a file of plaintext over them (the pipe's
/// reader waited forever; as root, `-o /dev/null` and `-o /dev/stdout` replaced the device and
/// the link in /dev). `inject -o` naming its own template is refused: it replaced the references
/// with the values.
#[test]
fn output_paths_that_are_pipes_devices_or_the_template_itself() {
    use std::os::unix::fs::FileTypeExt;
    let t = TestVault::passphrase();
    t.set("app/A", "v1", &[]);
    let fifo = t.dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (tx, rx) = std::sync::mpsc::channel();
    let f = fifo.clone();
    std::thread::spawn(move || tx.send(std::fs::read_to_string(f).unwrap()));
    t.pw(&["export", "app", "-o", fifo.to_str().unwrap()]).ok();
    // Checked first and bounded: a regression fails here, before -o touches anything in /dev.
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "still a pipe");
    let got = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the reader got nothing");
    assert_eq!(got, "A=v1\n");
    let out = t.pw(&["export", "app", "-o", "/dev/stdout"]).ok();
    assert_eq!(out.stdout(), "A=v1\n");
    assert!(std::fs::symlink_metadata("/dev/stdout").unwrap().file_type().is_symlink());
    // A link that merely points at a descriptor (planted in a cloned repository) is replaced,
    // never followed into whatever the process holds open.
    let link = t.dir.path().join("planted.env");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let out = t.pw(&["export", "app", "-o", link.to_str().unwrap()]).ok();
    assert_eq!(out.stdout(), "", "followed the link to stdout");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "A=v1\n");
    t.pw(&["export", "app", "-o", "/dev/null"]).ok();
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    // A real shell's process substitution: `-o >(cmd)` names /dev/fd/N.
    let got = t.dir.path().join("from-psub.txt");
    let sh = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{} export app -o >(cat > {}); wait $!", common::hush_bin(), got.display()))
        .env("HUSH_VAULT", &t.path)
        .env("XDG_RUNTIME_DIR", &t.runtime)
        .env("HUSH_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(sh.status.success(), "{}", String::from_utf8_lossy(&sh.stderr));
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "A=v1\n");
    let dir = t.dir.path().join("adir");
    std::fs::create_dir(&dir).unwrap();
    let out = t.pw(&["export", "app", "-o", dir.to_str().unwrap()]).expect(2);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    let missing = t.dir.path().join("no/such/dir/x.env");
    let out = t.pw(&["export", "app", "-o", missing.to_str().unwrap()]).expect(1);
    assert!(out.stderr.contains(missing.to_str().unwrap()), "names the path: {}", out.stderr);
    let tpl = t.dir.path().join("t.tpl");
    std::fs::write(&tpl, "a: hush://app/A\n").unwrap();
    let out = t.pw(&["inject", "-i", tpl.to_str().unwrap(), "-o", tpl.to_str().unwrap()]);
    assert!(out.expect(2).stderr.contains("is the template itself"));
    assert_eq!(std::fs::read_to_string(&tpl).unwrap(), "a: hush://app/A\n");
}

/// Small things a first week with Hush trips on, each once misleading: a program without its
/// execute bit exited 1 (shells say 126); `HUSH_VAULT` naming a directory said "no vault, create
/// one with `hush init`"; a backup without its passphrase said "the vault is locked"; `generate
/// --kind` without a PATH printed a value and dropped the kind without a word.
#[test]
fn exit_codes_and_messages_that_say_what_happened() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestVault::passphrase();
    t.set("app/A", "v", &[]);
    let script = t.dir.path().join("noexec.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = t.pw(&["run", "--from", "app", "--", script.to_str().unwrap()]).expect(126);
    assert!(out.stderr.contains("not executable"), "{}", out.stderr);
    t.pw(&["run", "--from", "app", "--", "./no-such-program"]).expect(127);

    let dir = t.dir.path().to_str().unwrap().to_string();
    let out = t.pw(&["--vault", &dir, "ls"]).expect(2);
    assert!(out.stderr.contains("is a directory") && !out.stderr.contains("hush init"));

    let bak = t.dir.path().join("b.hushbak");
    let out = t.pw(&["backup", "-o", bak.to_str().unwrap()]).expect(5);
    assert!(out.stderr.contains("HUSH_BACKUP_PASSPHRASE"), "{}", out.stderr);
    assert!(!out.stderr.contains("vault is locked"), "{}", out.stderr);

    t.pw(&["generate", "--kind", "api_key"]).expect(2);
}
