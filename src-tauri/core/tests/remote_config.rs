//! Changing a remote with `remote_update` against a real OpenBao server: what its sync history
//! says afterwards. Ignored by plain `cargo test` (tokens live in the keychain); scripts/test.sh
//! runs them.

#[path = "common/bao.rs"]
mod bao;
mod common;

use std::sync::atomic::AtomicBool;

use bao::Bao;
use common::*;
use hush_core::remote::*;
use hush_core::Vault;

static NO_CANCEL: AtomicBool = AtomicBool::new(false);

fn team(v: &Vault) -> RemoteSpec {
    v.remotes().unwrap().into_iter().find(|r| r.spec.name == "team").unwrap().spec
}

fn actions(plan: &Plan) -> Vec<(String, KeyAction)> {
    let keys = plan.folders.iter().flat_map(|f| f.keys.iter().map(move |k| (f, k)));
    keys.map(|(f, k)| (format!("{}/{}", f.folder, k.name), k.action)).collect()
}

/// A remote pointed at another prefix, mount or namespace starts without the sync history of the
/// old place. Kept (as it was), that history called every key "removed on the remote since the
/// last sync": the move showed as conflicts only, a push could never fill the new place, and
/// `--keep-remote` would have sent every local secret to the trash. A new address keeps the
/// history: the same secrets, reached another way.
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_remote_moved_to_another_place_starts_without_the_old_sync_history() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    put(&mut v, "app/B", "b");
    put(&mut v, "web/C", "c");
    add(&mut v, remote_spec("team", &b.addr), "root");
    let mut s = team(&v);
    s.prefix = "first".into();
    assert_eq!(v.remote_update(&s, None, false).unwrap().history, SyncHistory::None);
    s.prefix = String::new();
    assert_eq!(v.remote_update(&s, None, false).unwrap().history, SyncHistory::None);
    let all = SyncOptions::default();
    assert!(v.remote_push("team", &all, &mut |_| {}, &NO_CANCEL).unwrap().is_complete());

    // Another spelling of the same server's address: the history stays.
    s.addr = b.addr.replace("127.0.0.1", "localhost");
    let up = v.remote_update(&s, None, false).unwrap();
    assert_eq!((up.history, up.info.synced_folders), (SyncHistory::Kept, 2));

    // The team copied `app` under a new prefix and changed B there since; `web` was not copied.
    b.ok(&["kv", "put", "secret/moved/app", "A=a", "B=b-theirs"]);
    s.prefix = "moved".into();
    let up = v.remote_update(&s, None, false).unwrap();
    let dropped = SyncHistory::Dropped { folders: 2, was: "secret".into() };
    assert_eq!((up.history, up.info.synced_folders), (dropped, 0));
    let plan = v.remote_plan("team", Direction::Sync, &[]).unwrap();
    let expected = [
        ("app/A", KeyAction::Unchanged),
        ("app/B", KeyAction::Conflict),
        ("web/C", KeyAction::CreateRemote),
    ];
    let expected: Vec<_> = expected.iter().map(|(p, a)| (p.to_string(), *a)).collect();
    assert_eq!(actions(&plan), expected, "{plan:#?}");
    let reasons: Vec<_> =
        plan.folders.iter().flat_map(|f| &f.keys).filter_map(|k| k.reason.as_deref()).collect();
    assert!(!reasons.iter().any(|r| r.contains("removed")), "{reasons:?}");

    // A push fills the new place; B stays a conflict until someone chooses, the local value kept.
    let r = v.remote_push("team", &all, &mut |_| {}, &NO_CANCEL).unwrap();
    assert_eq!((r.totals.created_remote, r.totals.conflicts), (1, 1), "{r:#?}");
    assert_eq!(b.kv_get(&["secret/moved/web"])["data"]["data"]["C"], "c");
    assert_eq!(b.kv_get(&["secret/moved/app"])["data"]["data"]["B"], "b-theirs");
    assert_eq!(read(&mut v, "app/B"), "b");

    // Another mount (a KV v2 enabled by the team), then a namespace: each drops the history.
    b.ok(&["secrets", "enable", "-path=kv-team", "-version=2", "kv"]);
    s.mount = "kv-team".into();
    let up = v.remote_update(&s, None, false).unwrap();
    let dropped = SyncHistory::Dropped { folders: 2, was: "secret/moved".into() };
    assert_eq!(up.history, dropped);
    b.ok(&["namespace", "create", "ops"]);
    b.ok(&["secrets", "enable", "-namespace=ops", "-path=kv-team", "-version=2", "kv"]);
    assert!(v.remote_push("team", &all, &mut |_| {}, &NO_CANCEL).unwrap().is_complete());
    s.namespace = Some("ops".into());
    let up = v.remote_update(&s, None, false).unwrap();
    let dropped = SyncHistory::Dropped { folders: 2, was: "kv-team/moved".into() };
    assert_eq!(up.history, dropped);
    let r = v.remote_push("team", &all, &mut |_| {}, &NO_CANCEL).unwrap();
    assert_eq!((r.totals.created_remote, r.totals.conflicts), (3, 0), "{r:#?}");
    let got = b.ok(&["kv", "get", "-namespace=ops", "-field=C", "-mount=kv-team", "moved/web"]);
    assert_eq!(got.trim(), "c");
    // And the way back names where the history was.
    s.namespace = None;
    let up = v.remote_update(&s, None, false).unwrap();
    let dropped = SyncHistory::Dropped { folders: 2, was: "namespace ops, kv-team/moved".into() };
    assert_eq!(up.history, dropped);
}
