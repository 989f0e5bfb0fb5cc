//! `hush unlock` / `hush lock`: the per-user agent that keeps a passphrase vault's key for a
//! working session. Each test has its own XDG_RUNTIME_DIR (no socket collisions) and its
//! `TestVault` stops any agent on drop.

mod common;

use std::time::{Duration, Instant};

use common::{agent_pids, TestVault};

#[test]
fn unlock_then_get_without_passphrase_then_lock() {
    let t = TestVault::passphrase();
    t.set("app/dev/API_KEY", "agent-served", &[]);
    t.run(&["get", "app/dev/API_KEY"]).expect(5); // locked before unlock
    let id = t.vault_id();

    let out = t.pw(&["unlock", "--timeout", "30s"]).ok();
    assert!(out.stderr.contains("unlocked"), "{}", out.stderr);
    assert!(t.socket().exists(), "no agent socket at {}", t.socket().display());
    assert_eq!(agent_pids(&id).len(), 1, "exactly one agent runs");

    // No HUSH_PASSPHRASE from here on: the agent opens the vault.
    let start = Instant::now();
    assert_eq!(t.run(&["get", "app/dev/API_KEY"]).ok().stdout, b"agent-served\n");
    let elapsed = start.elapsed();
    let w = common::run(t.cmd(&["set", "app/dev/OTHER"]).write_stdin("written-via-agent"));
    w.ok();
    assert_eq!(t.run(&["get", "app/dev/OTHER"]).ok().stdout, b"written-via-agent\n");
    // doctor sees the agent and can check every ciphertext.
    let doc = t.run(&["doctor"]).ok().stdout();
    assert!(
        doc.contains("unlocked by the running agent")
            && doc.contains("every kept version decrypts"),
        "{doc}"
    );
    eprintln!("get through the agent took {elapsed:?}");

    let out = t.run(&["lock"]).ok();
    assert!(out.stderr.contains("locked: the agent dropped the key"), "{}", out.stderr);
    assert!(common::wait_for(5, || agent_pids(&id).is_empty()), "the agent survived `hush lock`");
    assert!(!t.socket().exists(), "the socket outlived the agent");
    let locked = t.run(&["get", "app/dev/API_KEY"]).expect(5);
    assert!(locked.stderr.contains("locked"), "{}", locked.stderr);
    // Locking again is harmless.
    assert!(t.run(&["lock"]).ok().stderr.contains("no agent was running"));

    let acts = common::actions(&t.audit(), None);
    assert!(acts.contains(&"unlock".to_string()) && acts.contains(&"lock".to_string()), "{acts:?}");
}

#[test]
fn the_agent_expires_after_its_idle_timeout() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "short-lived", &[]);
    let id = t.vault_id();
    t.pw(&["unlock", "--timeout", "2s"]).ok();
    assert_eq!(t.run(&["get", "app/KEY"]).ok().stdout, b"short-lived\n");
    std::thread::sleep(Duration::from_millis(3500));
    let out = t.run(&["get", "app/KEY"]).expect(5);
    assert!(out.stderr.contains("locked"), "{}", out.stderr);
    assert!(
        common::wait_for(3, || agent_pids(&id).is_empty()),
        "the agent outlived its idle timeout"
    );
    assert!(!t.socket().exists());
}

#[test]
fn unlock_with_a_wrong_passphrase_starts_no_agent() {
    let t = TestVault::passphrase();
    let id = t.vault_id();
    let out = common::run(t.cmd(&["unlock", "--timeout", "30s"]).env("HUSH_PASSPHRASE", "wrong"));
    out.expect(5);
    assert!(agent_pids(&id).is_empty());
    assert!(!t.socket().exists());
    t.run(&["unlock"]).expect(5); // no passphrase at all
    t.pw(&["unlock", "--timeout", "0s"]).expect(2);
    t.pw(&["unlock", "--timeout", "soon"]).expect(2);
    assert!(agent_pids(&id).is_empty());
}

#[test]
fn a_second_unlock_replaces_the_first_agent() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "v", &[]);
    let id = t.vault_id();
    t.pw(&["unlock", "--timeout", "30s"]).ok();
    t.pw(&["unlock", "--timeout", "30s"]).ok();
    assert!(
        common::wait_for(5, || agent_pids(&id).len() == 1),
        "two agents for one vault: {:?}",
        agent_pids(&id)
    );
    assert_eq!(t.run(&["get", "app/KEY"]).ok().stdout, b"v\n");
    t.run(&["lock"]).ok();
    assert!(common::wait_for(5, || agent_pids(&id).is_empty()));
}

/// A session bus of the test's own (the real dbus-daemon), so its signals reach only this test's
/// agent; stopped on drop.
struct Bus(std::process::Child, String);

impl Bus {
    fn start() -> Bus {
        use std::io::BufRead;
        let mut child = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("dbus-daemon (apt: dbus)");
        let mut addr = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut addr).unwrap();
        Bus(child, addr.trim().to_string())
    }

    /// Emits a screen saver's `ActiveChanged(active)` with dbus-send, as a desktop does.
    fn screen_saver(&self, active: bool) {
        let ok = std::process::Command::new("dbus-send")
            .arg(format!("--bus={}", self.1))
            .args(["--type=signal", "/org/gnome/ScreenSaver"])
            .arg("org.gnome.ScreenSaver.ActiveChanged")
            .arg(format!("boolean:{active}"))
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_locked_screen_ends_the_agent() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "until-the-screen-locks", &[]);
    let id = t.vault_id();
    let bus = Bus::start();
    let unlock = common::run(
        t.cmd(&["unlock"])
            .env("HUSH_PASSPHRASE", common::PASS)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.1),
    );
    assert_eq!(unlock.code, 0, "{}", unlock.stderr);
    // The screen saver going away (unlocking the screen) keeps the agent.
    bus.screen_saver(false);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(t.run(&["get", "app/KEY"]).ok().stdout, b"until-the-screen-locks\n");
    // The screen locking ends it (sent until seen: the agent subscribes as it starts).
    let gone = common::wait_for(10, || {
        bus.screen_saver(true);
        agent_pids(&id).is_empty()
    });
    assert!(gone, "the agent outlived a screen lock");
    assert!(!t.socket().exists());
    assert!(t.run(&["get", "app/KEY"]).expect(5).stderr.contains("locked"));
}
