//! Concurrent writers on one file, each with its own connection: check-and-set loses no update.

mod common;

use common::*;
use hush_core::{Error, WriteOptions};

#[test]
fn cas_writers_lose_no_update() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/COUNTER", "0");
    drop(v);
    const WRITERS: usize = 4;
    const EACH: usize = 10;
    let path = t.path.clone();
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut v = hush_core::Vault::open(&path).unwrap();
                v.unlock_passphrase(&pass()).unwrap();
                let mut conflicts = 0;
                let mut done = 0;
                while done < EACH {
                    // Read-modify-write of a counter: a lost update would lose an increment.
                    let (m, value) = v.get(&p("app/COUNTER"), None).unwrap();
                    let n: u64 = value.expose_str().parse().unwrap();
                    let opts = WriteOptions { cas: Some(m.version), ..Default::default() };
                    match v.set(&p("app/COUNTER"), &val(&(n + 1).to_string()), &opts) {
                        Ok(_) => done += 1,
                        Err(Error::CasConflict { .. }) => conflicts += 1,
                        Err(e) => panic!("writer {w}: {e}"),
                    }
                }
                conflicts
            })
        })
        .collect();
    let _conflicts: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let mut v = reopen(&t);
    assert_eq!(read(&mut v, "app/COUNTER"), (WRITERS * EACH).to_string());
    assert_eq!(v.meta(&p("app/COUNTER")).unwrap().version, 1 + (WRITERS * EACH) as u64);
    assert!(v.audit_verify().unwrap().ok, "the audit chain stays linear under concurrency");
}

#[test]
fn only_one_create_wins() {
    let (t, v) = new_vault();
    drop(v);
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let path = t.path.clone();
            std::thread::spawn(move || {
                let mut v = hush_core::Vault::open(&path).unwrap();
                v.unlock_passphrase(&pass()).unwrap();
                v.set(
                    &p("app/ONCE"),
                    &val(&format!("writer {i}")),
                    &WriteOptions { cas: Some(0), ..Default::default() },
                )
                .is_ok()
            })
        })
        .collect();
    let wins =
        handles.into_iter().filter(|_| true).map(|h| h.join().unwrap()).filter(|ok| *ok).count();
    assert_eq!(wins, 1);
    assert_eq!(reopen(&t).history(&p("app/ONCE")).unwrap().len(), 1);
}

/// Keys made stale by a re-key elsewhere (another process, another handle) never write or read:
/// a value sealed with the old data key after the re-key would be lost for good.
#[test]
fn a_handle_with_stale_keys_refuses_until_unlocked_again() {
    let (t, mut a) = new_vault();
    put(&mut a, "app/K", "before");
    let mut b = reopen(&t);
    let mut clone = a.try_clone().unwrap();
    a.rekey(None, &mut |_, _| {}).unwrap();
    for v in [&mut b, &mut clone] {
        let e = v.set(&p("app/K"), &val("stale"), &Default::default()).unwrap_err();
        assert!(matches!(e, hush_core::Error::Rekeyed), "{e:?}");
        assert!(matches!(v.get(&p("app/K"), None), Err(hush_core::Error::Rekeyed)));
        assert_eq!(e.kind(), hush_core::ErrorKind::Locked);
    }
    drop((b, clone));
    let mut b = reopen(&t);
    assert_eq!(read(&mut b, "app/K"), "before");
    put(&mut b, "app/K", "after");
    assert_eq!(read(&mut a, "app/K"), "after", "the re-keying handle goes on working");
    assert!(b.verify_integrity().unwrap().is_empty());
}

/// `sqlite3 FILE SQL` as another program (a DB browser, a backup script) would run it.
fn sqlite3(t: &TestVault, sql: &str) -> String {
    let o = std::process::Command::new("sqlite3").arg(&t.path).arg(sql).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// The app keeps one handle and takes another for each unlock (`try_clone`). Opening that second
/// one read the file's header through a plain descriptor and closed it, and closing any
/// descriptor of a file drops every POSIX lock the process holds on it: the first handle was left
/// without its shared lock, so any other program that read the file (`sqlite3 vault.db 'select
/// …'`) took itself for the last reader, checkpointed and deleted the WAL, and every later write
/// of the app went to the deleted file and was lost when it quit.
#[test]
fn a_second_handle_keeps_the_first_ones_lock_against_other_programs() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    let mut second = v.try_clone().unwrap();
    assert_eq!(sqlite3(&t, "select count(*) from secrets"), "1");
    put(&mut second, "app/SAVED_IN_APP", "kept");
    put(&mut v, "app/SAVED_TOO", "kept");
    // Another program sees both writes while the handles are open, and after they are gone.
    assert_eq!(sqlite3(&t, "select count(*) from secrets"), "3");
    drop((v, second));
    let mut again = reopen(&t);
    assert_eq!(read(&mut again, "app/SAVED_IN_APP"), "kept");
    assert_eq!(read(&mut again, "app/SAVED_TOO"), "kept");
}
