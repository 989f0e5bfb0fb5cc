//! Keychain-mode vaults against a real Secret Service (gnome-keyring on a private D-Bus), plus
//! what happens when there is no Secret Service at all.
//!
//! The Secret Service tests are ignored in a plain `cargo test`; run them with
//! `bash scripts/with-keyring.sh cargo test -p hush --test cli_keychain -- --include-ignored`
//! (scripts/test.sh does). Entries are found with `secret-tool` by the attributes keyring's
//! Secret Service store sets: `service` = dev.hush.vault, `username` = the vault's account
//! (`vault-<vault_id>`, or `vault-<vault_id>-<hex>` after a rewrap).

mod common;

use std::ops::Deref;

use common::{keys, TestVault, PASS};

const SERVICE: &str = "dev.hush.vault";
const NO_BUS: &str = "unix:path=/nonexistent";

fn secret_tool(args: &[&str]) -> std::process::Output {
    std::process::Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool is needed (apt install libsecret-tools)")
}

fn entry_exists(account: &str) -> bool {
    secret_tool(&["lookup", "service", SERVICE, "username", account]).status.success()
}

fn clear_entry(account: &str) {
    let o = secret_tool(&["clear", "service", SERVICE, "username", account]);
    assert!(o.status.success(), "secret-tool clear: {}", String::from_utf8_lossy(&o.stderr));
    assert!(!entry_exists(account), "the entry survived secret-tool clear");
}

/// A keychain vault; its keychain entry is removed on drop.
struct Kc(TestVault);

impl Kc {
    fn new() -> Kc {
        let t = TestVault::empty();
        let out = t.run(&["init"]).ok();
        assert!(out.stderr.contains("OS keychain mode"), "{}", out.stderr);
        Kc(t)
    }
    fn account(&self) -> String {
        self.sql("SELECT keychain_account FROM vault")
    }
    fn get_nopw(&self, path: &str) -> String {
        self.run(&["get", path]).ok().stdout()
    }
    fn doctor_all_ok(&self) {
        let j = self.run(&["doctor", "--json"]).ok().json();
        let checks = j.as_array().unwrap();
        let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "keychain",
                "permissions",
                "side files",
                "sqlite",
                "vault",
                "key",
                "audit",
                "integrity",
                "state"
            ]
        );
        for c in checks {
            assert_eq!(keys(c), ["detail", "name", "ok"]);
            assert_eq!(c["ok"], true, "{c}");
        }
    }
}

impl Deref for Kc {
    type Target = TestVault;
    fn deref(&self) -> &TestVault {
        &self.0
    }
}

impl Drop for Kc {
    fn drop(&mut self) {
        if self.path.is_file() {
            let a = self.sql("SELECT coalesce(keychain_account, '') FROM vault");
            if !a.is_empty() {
                let _ = secret_tool(&["clear", "service", SERVICE, "username", &a]);
            }
        }
    }
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn a_keychain_vault_needs_no_passphrase() {
    let t = Kc::new();
    let account = t.account();
    assert_eq!(account, format!("vault-{}", t.vault_id()));
    assert!(entry_exists(&account), "no keychain entry for {account}");
    common::run(t.cmd(&["set", "app/API_KEY", "--tag", "kc"]).write_stdin("kc-value\n")).ok();
    assert_eq!(t.get_nopw("app/API_KEY"), "kc-value\n");
    let j = t.run(&["get", "app/API_KEY", "--json"]).ok().json();
    assert_eq!(j["value"], "kc-value");
    // A passphrase in the environment is irrelevant to a keychain vault.
    assert_eq!(
        common::run(t.cmd(&["get", "app/API_KEY"]).env("HUSH_PASSPHRASE", "whatever")).ok().stdout,
        b"kc-value\n"
    );
    let out = t.run(&["unlock"]).ok();
    assert!(out.stderr.contains("no unlock needed"), "{}", out.stderr);
    t.doctor_all_ok();
    t.run(&["audit", "--verify"]).ok();
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn rewrap_rotates_the_keychain_key_and_switches_modes() {
    let t = Kc::new();
    common::run(t.cmd(&["set", "app/KEY"]).write_stdin("v1")).ok();
    let old = t.account();
    let out = t.run(&["rewrap"]).ok();
    assert!(out.stderr.contains("keychain mode"), "{}", out.stderr);
    let new = t.account();
    assert_ne!(new, old);
    assert!(new.starts_with(&format!("{old}-")), "{new}");
    assert!(entry_exists(&new) && !entry_exists(&old), "the old entry must go, the new one stay");
    assert_eq!(t.get_nopw("app/KEY"), "v1\n");
    t.doctor_all_ok();

    // To a passphrase: the keychain entry is removed, the vault needs the passphrase.
    common::run(t.cmd(&["rewrap", "--to-passphrase"]).env("HUSH_NEW_PASSPHRASE", PASS)).ok();
    assert!(!entry_exists(&new));
    assert_eq!(t.sql("SELECT key_mode FROM vault"), "passphrase");
    t.run(&["get", "app/KEY"]).expect(5);
    assert_eq!(t.get("app/KEY"), "v1");
    // And back to the keychain.
    common::run(t.cmd(&["rewrap", "--to-keychain"]).env("HUSH_PASSPHRASE", PASS)).ok();
    assert!(entry_exists(&t.account()));
    assert_eq!(t.get_nopw("app/KEY"), "v1\n");
    t.doctor_all_ok();
    let changes = t.audit().iter().filter(|r| r["action"] == "key_change").count();
    assert_eq!(changes, 3);
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn a_lost_keychain_entry_is_recovered_with_the_recovery_passphrase() {
    let t = Kc::new();
    common::run(t.cmd(&["set", "app/KEY"]).write_stdin("first")).ok();
    common::run(t.cmd(&["set", "app/KEY"]).write_stdin("second")).ok();
    t.run(&["recovery", "set"]).expect(5); // no HUSH_RECOVERY_PASSPHRASE and no terminal
    common::run(t.cmd(&["recovery", "set"]).env("HUSH_RECOVERY_PASSPHRASE", "recovery words")).ok();
    assert!(t.run(&["doctor"]).ok().stdout().contains("recovery set"));

    clear_entry(&t.account());
    let out = t.run(&["get", "app/KEY"]).expect(5);
    assert!(out.stderr.contains("hush recovery restore"), "{}", out.stderr);
    let doc = t.run(&["doctor"]).expect(1).stdout();
    assert!(
        doc.lines().any(|l| l.starts_with("[FAIL] key") && l.contains("recovery restore")),
        "{doc}"
    );
    common::run(t.cmd(&["recovery", "restore"]).env("HUSH_RECOVERY_PASSPHRASE", "wrong words"))
        .expect(5);
    t.run(&["recovery", "restore"]).expect(5);
    let failures = t.audit().iter().filter(|r| r["outcome"] == "failure").count();
    assert_eq!(failures, 1, "the wrong recovery passphrase is audited");

    let out = common::run(
        t.cmd(&["recovery", "restore"]).env("HUSH_RECOVERY_PASSPHRASE", "recovery words"),
    )
    .ok();
    assert!(out.stderr.contains("opens on this machine again"), "{}", out.stderr);
    assert!(entry_exists(&t.account()));
    assert_eq!(t.get_nopw("app/KEY"), "second\n");
    assert_eq!(t.run(&["get", "app/KEY", "--version", "1"]).ok().stdout, b"first\n");
    t.doctor_all_ok();

    // Without a recovery passphrase, a lost entry cannot be recovered, and says so.
    let bare = Kc::new();
    clear_entry(&bare.account());
    bare.run(&["ls"]).ok(); // metadata needs no key
    bare.run(&["get", "app/KEY"]).expect(5); // the key is needed before the lookup
    let out = common::run(bare.cmd(&["recovery", "restore"]).env("HUSH_RECOVERY_PASSPHRASE", "x"))
        .expect(5);
    assert!(out.stderr.contains("no recovery passphrase"), "{}", out.stderr);
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn rekey_keeps_every_value_readable() {
    let t = Kc::new();
    let values =
        [("a/ONE", vec!["1a", "1b"]), ("b/c/TWO", vec!["2a"]), ("d/THREE", vec!["3a", "3b", "3c"])];
    for (p, vs) in &values {
        for v in vs {
            common::run(t.cmd(&["set", p]).write_stdin(*v)).ok();
        }
    }
    common::run(t.cmd(&["set", "e/GONE"]).write_stdin("in the trash")).ok();
    t.run(&["rm", "e/GONE"]).ok();
    common::run(t.cmd(&["recovery", "set"]).env("HUSH_RECOVERY_PASSPHRASE", "rw")).ok();
    let before = t.sql("SELECT group_concat(hex(ciphertext)) FROM versions");

    let out = t.run(&["rekey"]).expect(5);
    assert!(out.stderr.contains("HUSH_RECOVERY_PASSPHRASE"), "{}", out.stderr);
    let out = common::run(t.cmd(&["rekey"]).env("HUSH_RECOVERY_PASSPHRASE", "rw")).ok();
    assert!(
        out.stderr.contains("generation 2") && out.stderr.contains("7 versions"),
        "{}",
        out.stderr
    );
    assert_eq!(t.sql("SELECT key_generation FROM vault"), "2");
    assert_ne!(
        t.sql("SELECT group_concat(hex(ciphertext)) FROM versions"),
        before,
        "nothing was re-encrypted"
    );

    for (p, vs) in &values {
        for (i, v) in vs.iter().enumerate() {
            let got = t.run(&["get", p, "--version", &(i + 1).to_string()]).ok().stdout();
            assert_eq!(got, format!("{v}\n"), "{p} v{}", i + 1);
        }
    }
    t.run(&["restore", "e/GONE"]).ok();
    assert_eq!(t.get_nopw("e/GONE"), "in the trash\n");
    t.doctor_all_ok();
    // The recovery wrap was re-made for the new data key.
    clear_entry(&t.account());
    common::run(t.cmd(&["recovery", "restore"]).env("HUSH_RECOVERY_PASSPHRASE", "rw")).ok();
    assert_eq!(t.get_nopw("d/THREE"), "3c\n");
    t.doctor_all_ok();
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn a_keychain_vault_without_its_secret_service_says_so() {
    let t = Kc::new();
    common::run(t.cmd(&["set", "app/KEY"]).write_stdin("v")).ok();
    let out =
        common::run(t.cmd(&["get", "app/KEY"]).env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)).expect(5);
    assert!(out.stderr.contains("keychain is not reachable"), "{}", out.stderr);
    let doc =
        common::run(t.cmd(&["doctor"]).env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)).expect(1).stdout();
    assert!(
        doc.lines().any(|l| l.starts_with("[FAIL] keychain") && l.contains("not reachable")),
        "{doc}"
    );
    assert_eq!(t.get_nopw("app/KEY"), "v\n", "back on the bus, it opens again");
}

#[test]
fn init_without_a_secret_service_fails_cleanly() {
    let t = TestVault::empty();
    let out = common::run(t.cmd(&["init"]).env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)).expect(5);
    assert!(
        out.stderr.contains("keychain") && out.stderr.contains("--passphrase"),
        "{}",
        out.stderr
    );
    assert!(!t.path.exists(), "a failed init left a vault file");
    for suffix in ["-wal", "-shm"] {
        assert!(!std::path::Path::new(&format!("{}{suffix}", t.path.display())).exists());
    }
    let doc =
        common::run(t.cmd(&["doctor"]).env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)).expect(1).stdout();
    let line = doc.lines().find(|l| l.contains("keychain")).unwrap_or_else(|| panic!("{doc}"));
    assert!(
        line.starts_with("[FAIL]")
            && line.contains("not reachable")
            && line.contains("--passphrase"),
        "{doc}"
    );
    // A passphrase vault is the way on such a machine, and doctor is then content.
    common::run(
        t.cmd(&["init", "--passphrase"])
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .env("HUSH_PASSPHRASE", PASS),
    )
    .ok();
    let doc = common::run(t.cmd(&["doctor"]).env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)).ok().stdout();
    assert!(doc.contains("not reachable, and not needed"), "{doc}");
}
