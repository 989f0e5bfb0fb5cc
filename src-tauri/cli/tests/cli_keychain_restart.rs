//! `hush` waiting on a Secret Service daemon that dies under it.
//!
//! gnome-keyring-daemon aborts on a known race between Secret Service sessions ("assertion
//! 'client' failed"); the session bus then starts a new one. A `hush` already waiting on the dead
//! daemon got "NoReply" (or, when the first connection failed, "No default store has been set")
//! and exited 5: the failures that ended one CI run. It now connects to the new daemon and goes
//! on. Own test binary, because it stops and kills the daemon, and only inside
//! `scripts/with-keyring.sh`, whose private bus restarts it unlocked.

mod common;
#[path = "../../../tests/support/secret_service.rs"]
mod secret_service;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::TestVault;
use secret_service::{owner_pid, signal};

#[test]
#[ignore = "stops and kills the Secret Service daemon: run via scripts/test.sh"]
fn a_command_waiting_on_a_daemon_that_dies_reaches_the_one_that_replaces_it() {
    secret_service::assert_restartable();
    let t = TestVault::empty();
    let out = t.run(&["init"]).ok();
    assert!(out.stderr.contains("OS keychain mode"), "{}", out.stderr);
    common::run(t.cmd(&["set", "app/KEY"]).write_stdin("survives-the-daemon")).ok();

    // The daemon stops answering; hush sends its first request and waits.
    let pid = owner_pid();
    signal(&pid, "STOP");
    let mut child = t
        .std_cmd(&["get", "app/KEY"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert!(child.try_wait().unwrap().is_none(), "hush did not wait on the stopped daemon");
    // It dies with hush's request unanswered; the bus starts a new one on the next request.
    signal(&pid, "KILL");

    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("hush still waits 60 s after the daemon died");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(stdout, "survives-the-daemon\n");
    assert_ne!(owner_pid(), pid, "a new daemon answers");
    // And the next command finds it as any command would.
    assert_eq!(t.run(&["get", "app/KEY"]).ok().stdout(), "survives-the-daemon\n");
}
