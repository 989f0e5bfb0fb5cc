//! `remote_peek` (the remote side of a conflict, revealed on demand) and the per-folder sync
//! state, against a REAL OpenBao server. Ignored by plain `cargo test`; scripts/test.sh runs them
//! with `bao` on PATH and a Secret Service (the token lives in the keychain).

#[path = "common/bao.rs"]
mod bao;
mod common;

use std::sync::atomic::AtomicBool;

use bao::Bao;
use common::*;
use hush_core::remote::SyncOptions;
use hush_core::{Action, AuditFilter, ErrorKind, Outcome};

static NO_CANCEL: AtomicBool = AtomicBool::new(false);

#[test]
#[ignore = "needs bao and a Secret Service: run via scripts/test.sh"]
fn peek_reads_the_remote_side_audited_as_a_reveal_and_never_writes() {
    let b = Bao::dev();
    let canary = format!("remote-PEEK-canary-{}", std::process::id());
    let (t, mut v) = new_vault();
    put(&mut v, "app/API_KEY", "local-1");
    put(&mut v, "app/\"api.key-v2\"", "dotted-1");
    add(&mut v, remote_spec("team", &b.addr), bao::ROOT);
    let before = hush_core::timefmt::now();
    let r = v.remote_push("team", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap();
    assert!(r.is_complete(), "{r:?}");

    // The sync state says when each folder was synced, and at which remote version.
    let synced = v.remote_synced_folders("team").unwrap();
    assert_eq!(synced.len(), 1, "{synced:?}");
    assert_eq!((synced[0].folder.as_str(), synced[0].remote_version), ("app", 1));
    assert!(synced[0].synced_at >= before && synced[0].synced_at <= hush_core::timefmt::now());

    // Both sides change: peek gives the remote's current value, local stays as it is.
    b.ok(&["kv", "patch", "secret/app", &format!("API_KEY={canary}")]);
    put(&mut v, "app/API_KEY", "local-2");
    let got = v.remote_peek("team", &p("app/API_KEY")).unwrap();
    assert_eq!(got.value.expose_str(), canary);
    assert_eq!((got.remote_version, got.remote_path.as_str()), (2, "secret/app"));
    assert_eq!(read(&mut v, "app/API_KEY"), "local-2", "peeking changes nothing locally");
    assert_eq!(b.kv_get(&["secret/app"])["data"]["metadata"]["version"], 2, "nor remotely");

    // A quoted name is the field it names.
    let dotted = v.remote_peek("team", &p("app/\"api.key-v2\"")).unwrap();
    assert_eq!(dotted.value.expose_str(), "dotted-1");

    // Every peek is one reveal entry naming the remote and version, never the value.
    let reveals =
        v.audit_log(&AuditFilter { action: Some(Action::Reveal), ..Default::default() }).unwrap();
    assert_eq!(reveals.len(), 2, "{reveals:?}");
    let e = reveals.iter().find(|e| e.path.as_deref() == Some("app/API_KEY")).unwrap();
    assert_eq!(e.outcome, Outcome::Ok);
    assert_eq!(e.detail.as_deref(), Some("remote team: secret/app, version 2"));

    // A key the remote does not hold: not found, and audited as such.
    let err = v.remote_peek("team", &p("app/NOT_THERE")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    // Said plainly (it read "no secret at 'app/NOT_THERE on the remote 'team' (secret/app)'").
    assert_eq!(
        err.to_string(),
        "no secret at 'app/NOT_THERE' on the remote 'team' (secret/app)",
        "{err}"
    );
    let err = v.remote_peek("team", &p("elsewhere/API_KEY")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let misses = v
        .audit_log(&AuditFilter { action: Some(Action::Reveal), ..Default::default() })
        .unwrap()
        .into_iter()
        .filter(|e| e.outcome == Outcome::NotFound)
        .count();
    assert_eq!(misses, 2);

    // No such remote, and a locked vault: refused before anything is sent.
    assert_eq!(v.remote_peek("nope", &p("app/API_KEY")).unwrap_err().code(), "no_remote");
    v.lock();
    assert_eq!(v.remote_peek("team", &p("app/API_KEY")).unwrap_err().kind(), ErrorKind::Locked);
    // Metadata only: the sync state reads while locked.
    assert_eq!(v.remote_synced_folders("team").unwrap().len(), 1);

    // The value never reached the vault file.
    assert!(!contains(&db_bytes(&t), &canary), "the peeked value was stored");
}

#[test]
#[ignore = "needs bao and a Secret Service: run via scripts/test.sh"]
fn peek_of_an_unreachable_server_fails_as_remote_and_is_audited() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/API_KEY", "x");
    add(&mut v, remote_spec("team", &b.addr), bao::ROOT);
    drop(b);
    let err = v.remote_peek("team", &p("app/API_KEY")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Remote, "{err}");
    let e = v
        .audit_log(&AuditFilter { action: Some(Action::Reveal), ..Default::default() })
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(e.outcome, Outcome::Failure);
    assert!(e.detail.unwrap().ends_with("remote_unreachable"));
}
