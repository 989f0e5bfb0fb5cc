//! A planted canary value never leaves the vault except through `get`: not in the database
//! files, not in any stderr (errors included), not in any `--json` listing, not in `doctor`, and
//! not in the argv or environment of the process that stores it.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{contains_bytes, Out, TestVault, PASS};

/// Runs and remembers every output, so the canary can be looked for in all of them.
struct Seen<'a> {
    t: &'a TestVault,
    outputs: Vec<(String, Out)>,
}

impl Seen<'_> {
    fn keep(&mut self, what: &str, out: Out) -> &Out {
        self.outputs.push((what.to_string(), out));
        &self.outputs.last().unwrap().1
    }
    fn pw(&mut self, args: &[&str]) -> &Out {
        let out = self.t.pw(args);
        self.keep(&args.join(" "), out)
    }
    fn run(&mut self, args: &[&str]) -> &Out {
        let out = self.t.run(args);
        self.keep(&args.join(" "), out)
    }
    fn pw_in(&mut self, args: &[&str], input: impl Into<Vec<u8>>) -> &Out {
        let out = self.t.pw_in(args, input);
        self.keep(&args.join(" "), out)
    }
}

#[test]
fn the_canary_never_leaks() {
    let t = TestVault::passphrase();
    let canary = common::canary();
    let path = "leak/check/CANARY_SECRET";
    let mut s = Seen { t: &t, outputs: Vec::new() };

    // The value goes in through stdin only; look at the live process's argv and environment.
    let mut child = t
        .std_cmd(&["set", path, "--description", "holds a canary", "--tag", "canary"])
        .env("HUSH_PASSPHRASE", PASS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // hush waits for stdin, so it stays alive; wait until /proc shows it after its exec.
    let read_cmdline = || std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    common::wait_for(5, || contains_bytes(&read_cmdline(), b"set"));
    let cmdline = read_cmdline();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    assert!(contains_bytes(&environ, b"HUSH_VAULT="), "could not read the environment of {pid}");
    assert!(
        contains_bytes(&cmdline, b"set"),
        "read the wrong process: {:?}",
        String::from_utf8_lossy(&cmdline)
    );
    child.stdin.take().unwrap().write_all(format!("{canary}\n").as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !contains_bytes(&cmdline, canary.as_bytes())
            && !contains_bytes(&environ, canary.as_bytes())
    );
    s.keep(
        "set (spawned)",
        Out { code: 0, stdout: o.stdout, stderr: String::from_utf8_lossy(&o.stderr).into_owned() },
    );

    // Sanity: it is stored and readable.
    assert_eq!(s.pw(&["get", path]).stdout, format!("{canary}\n").into_bytes());
    let j = s.pw(&["get", path, "--json"]).json();
    assert_eq!(j["value"], canary.as_str());
    s.outputs.retain(|(what, _)| !what.starts_with("get leak/check/CANARY_SECRET")); // get must show it

    // A second version and a rollback, so older versions exist too.
    s.pw_in(&["set", path], format!("{canary}-v2"));
    s.pw(&["rollback", path, "--to", "1"]);

    // Failing commands whose input holds the canary.
    s.pw_in(&["set", path, "--cas", "1"], format!("{canary}-cas"));
    assert_eq!(s.outputs.last().unwrap().1.code, 4);
    let wrong = common::run(
        t.cmd(&["set", path])
            .env("HUSH_PASSPHRASE", format!("{canary}-as-passphrase"))
            .write_stdin(canary.clone()),
    );
    assert_eq!(wrong.code, 5);
    s.keep("set with a wrong passphrase", wrong);
    s.pw_in(&["set", path, "--kind", "bogus"], canary.clone());
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    let docker = format!(r#"{{"registry":"ghcr.io","password":"{canary}""#);
    s.pw_in(&["set", "leak/check/DOCKER", "--kind", "docker_credentials"], docker);
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    let no_user = format!(r#"{{"registry":"ghcr.io","username":"","password":"{canary}"}}"#);
    s.pw_in(&["set", "leak/check/DOCKER", "--kind", "docker_credentials"], no_user);
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    s.pw_in(&["set", "leak/check/CERT", "--kind", "certificate"], canary.clone());
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    let mut bad_utf8 = canary.clone().into_bytes();
    bad_utf8.extend_from_slice(b"\xff\xfe");
    s.pw_in(&["set", "leak/check/BYTES"], bad_utf8);
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    let mut big = canary.repeat(1 + (1 << 20) / canary.len());
    big.push('x');
    s.pw_in(&["set", "leak/check/BIG"], big);
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    s.pw_in(&["set", "leak/check/../X"], canary.clone());
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    s.pw_in(&["set", path, "--meta", "novalue"], canary.clone());
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    // The value typed as an argument, as newcomers (and scripts) do: refused, and not repeated
    // in the error (clap said "unexpected argument '<the value>' found", into a CI log).
    let err = &s.pw(&["set", path, &format!("{canary}-argv")]).stderr.clone();
    assert!(err.contains("never from the command line"), "{err}");
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    let vault = t.path.to_string_lossy().into_owned();
    s.pw(&["--vault", &vault, "set", path, "--tag", "x", &canary]);
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    s.pw(&["remote", "add", "team", "--addr", "http://127.0.0.1:1", &canary]);
    assert_eq!(s.outputs.last().unwrap().1.code, 2);
    // Elsewhere a stray word is likely a path, and clap's message keeps it.
    let other = s.pw(&["get", path, "extra-word"]).stderr.clone();
    assert!(other.contains("unexpected argument 'extra-word'"), "{other}");

    // Every listing and report.
    for args in [
        &["ls", "--json"][..],
        &["ls"],
        &["ls", "--search", "canary", "--json"],
        &["show", path, "--json"],
        &["show", path],
        &["history", path, "--json"],
        &["history", path],
        &["audit", "--json"],
        &["audit"],
        &["audit", "--verify", "--json"],
        &["trash", "--json"],
        &["doctor"],
        &["doctor", "--json"],
        &["settings", "--json"],
    ] {
        let out = s.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    // doctor with the agent running also decrypts every version.
    s.pw(&["unlock", "--timeout", "30s"]);
    let doc = s.run(&["doctor"]).stdout();
    assert!(doc.contains("every kept version decrypts"), "{doc}");
    s.run(&["lock"]);
    s.run(&["rm", path]);
    s.run(&["trash", "--json"]);
    s.run(&["trash"]);

    for (what, out) in &s.outputs {
        assert!(
            !out.stderr.contains(&canary),
            "stderr of `{what}` shows the value: {}",
            out.stderr
        );
        assert!(
            !contains_bytes(&out.stdout, canary.as_bytes()),
            "stdout of `{what}` shows the value: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert!(s.outputs.len() > 30, "expected many commands, got {}", s.outputs.len());

    // The database files, WAL included, never hold the plaintext.
    let bytes = t.file_bytes();
    assert!(bytes.len() > 4096, "read too little of the vault: {} bytes", bytes.len());
    assert!(
        !contains_bytes(&bytes, canary.as_bytes()),
        "the vault files contain the plaintext canary"
    );
    // Not as hex or as the passphrase's neighbour either: the random part alone is absent.
    let random_part = canary.rsplit('-').next().unwrap();
    assert!(!contains_bytes(&bytes, random_part.as_bytes()));
    assert!(!contains_bytes(&bytes, PASS.as_bytes()), "the vault files contain the passphrase");
}
