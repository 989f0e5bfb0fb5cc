//! The Secret Service daemon dies and comes back while a process holds a connection to it.
//!
//! gnome-keyring-daemon 42 and 50 abort on a known race between Secret Service sessions
//! ("assertion 'client' failed"); the session bus (or systemd) then starts a new one. A process
//! that connected before (the desktop app, which runs for days) must reach the new daemon rather
//! than keep asking the dead one for a session that no longer exists.
//!
//! This test kills the daemon, so it runs only inside `scripts/with-keyring.sh`, whose private bus
//! restarts it unlocked (in a desktop session the restarted keyring is locked, and the retry then
//! asks the user to unlock it, as any first use would). Its own test binary: nothing else talks to
//! the daemon while it is killed.

mod common;
#[path = "../../../tests/support/secret_service.rs"]
mod secret_service;

use common::*;
use hush_core::{Protection, Vault};

#[test]
#[ignore = "kills the Secret Service daemon: run via scripts/test.sh (scripts/with-keyring.sh)"]
fn a_vault_opens_after_the_secret_service_died_and_came_back() {
    secret_service::assert_restartable();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    // Creating the vault connects this process to the daemon and stores the key in it.
    let mut v = Vault::create(&path, Protection::Keychain).expect("a Secret Service");
    put(&mut v, "app/TOKEN", "kept-across-the-restart");
    drop(v);

    secret_service::kill_daemon();

    // Same process, same keyring: the bus starts a new daemon on the next request.
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().expect("the keychain answers again once its daemon is back");
    assert_eq!(read(&mut v, "app/TOKEN"), "kept-across-the-restart");
    // Writing goes to the new daemon too: a rewrap stores a new entry and drops the old one.
    v.rewrap(Protection::Keychain).unwrap();
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(read(&mut v, "app/TOKEN"), "kept-across-the-restart");
}
