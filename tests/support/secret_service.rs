//! The Secret Service daemon of `scripts/with-keyring.sh`, for tests that stop or kill it
//! (core's keychain_restart, the CLI's cli_keychain_restart). Included with `#[path]`.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Panics unless the private bus of `scripts/with-keyring.sh` restarts the daemon unlocked: in a
/// desktop session these tests would kill the user's own keyring daemon.
pub fn assert_restartable() {
    let restarter =
        PathBuf::from(std::env::var_os("XDG_DATA_HOME").unwrap_or_default()).join("start-gkd.sh");
    assert!(
        restarter.is_file(),
        "this test kills the Secret Service daemon: run it only inside scripts/with-keyring.sh"
    );
}

fn bus(method: &str) -> String {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
        ])
        .arg(format!("org.freedesktop.DBus.{method}"))
        .arg("string:org.freedesktop.secrets")
        .output()
        .expect("dbus-send");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The pid of the process that owns org.freedesktop.secrets.
pub fn owner_pid() -> String {
    let reply = bus("GetConnectionUnixProcessID");
    let pid = reply.split_whitespace().skip_while(|w| *w != "uint32").nth(1);
    pid.unwrap_or_else(|| panic!("no owner of org.freedesktop.secrets: {reply}")).to_string()
}

/// `kill -<sig> <pid>`.
pub fn signal(pid: &str, sig: &str) {
    let ok = Command::new("kill").arg(format!("-{sig}")).arg(pid).status().unwrap().success();
    assert!(ok, "kill -{sig} {pid}");
}

/// Kills the daemon and waits until its name is free (the bus starts a new one on demand).
pub fn kill_daemon() {
    signal(&owner_pid(), "KILL");
    let start = Instant::now();
    while bus("NameHasOwner").contains("boolean true") {
        assert!(start.elapsed() < Duration::from_secs(10), "the killed daemon kept its name");
        std::thread::sleep(Duration::from_millis(50));
    }
}
