//! The team's Vault as teammates use it, against a REAL OpenBao server: metadata written by other
//! clients (hvac, the `bao` CLI), values shortened to fit Vault's limits, tokens that expired,
//! removals made remotely and odd paths (addresses and remote-first reads are in
//! `remote_reach.rs`). Ignored by plain `cargo test`; scripts/test.sh runs them (bao on PATH, a
//! Secret Service for stored tokens, hvac installed from PyPI on first use).

#[path = "common/bao.rs"]
mod bao;
mod common;
#[path = "common/hostile.rs"]
mod hostile;
#[path = "common/ops.rs"]
mod ops;

use std::time::Duration;

use bao::{hvac, Bao};
use common::*;
use hush_core::remote::*;
use hush_core::{SecretPath, Vault, WriteOptions};
use ops::{pull, push, spec, NO_CANCEL};

fn folder<'a>(plan: &'a Plan, f: &str) -> &'a FolderPlan {
    plan.folders.iter().find(|x| x.folder == f).unwrap_or_else(|| panic!("no {f} in {plan:#?}"))
}

fn key<'a>(plan: &'a FolderPlan, name: &str) -> &'a KeyPlan {
    plan.keys.iter().find(|k| k.name == name).unwrap_or_else(|| panic!("no {name} in {plan:#?}"))
}

/// The `custom_metadata` of `secret/<path>` as the server holds it.
fn custom(b: &Bao, path: &str) -> serde_json::Value {
    let out = b.ok(&["kv", "metadata", "get", "-format=json", &format!("secret/{path}")]);
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["data"]["custom_metadata"].clone()
}

fn meta_of(v: &Vault, path: &str) -> hush_core::SecretMeta {
    v.meta(&SecretPath::parse(path).unwrap()).unwrap()
}

#[test]
#[ignore = "needs bao and hvac: run via scripts/test.sh"]
fn metadata_a_teammate_wrote_with_hvac_is_read_reported_and_never_overwritten() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    put(&mut v, "app/B", "b");
    add(&mut v, spec("dev", &b), "root");
    assert!(push(&mut v, "dev").is_complete());
    // A teammate edits B's metadata with hvac, in their own way: an RFC 3339 date, a number as
    // text, tags as one string, a field Hush does not know; and writes A's entry as plain text.
    let b_entry = r#"{"description": "rotated by ops", "tags": "db, prod", "expires_at": "2031-05-01T00:00:00Z", "rotate_every_days": "30", "owner": "ops@example.com"}"#;
    hvac(
        &b.addr,
        "root",
        &format!(
            "m = client.secrets.kv.v2.read_secret_metadata(path='app')['data']['custom_metadata'] or {{}}\n\
             m['hush:B'] = {b_entry:?}\nm['hush:A'] = 'owner=ops'\n\
             client.secrets.kv.v2.update_metadata(path='app', custom_metadata=m)"
        ),
    );

    // Read as far as it can be, the rest reported.
    let plan = v.remote_plan("dev", Direction::Pull, &[]).unwrap();
    let notes = folder(&plan, "app").notes.join("\n");
    assert!(notes.contains("'owner' (kept on the remote)"), "{notes}");
    assert!(notes.contains("'A'") && notes.contains("not a JSON object"), "{notes}");
    assert!(notes.contains("metadata from the remote") && notes.contains('B'), "{notes}");
    let r = pull(&mut v, "dev", &SyncOptions::default());
    assert!(r.is_complete(), "{r:#?}");
    // The report says once what was taken (it said it twice: the plan's preview and a "done").
    let app = r.folders.iter().find(|f| f.folder == "app").unwrap();
    let taken: Vec<_> = app.notes.iter().filter(|n| n.contains("unchanged key(s)")).collect();
    assert_eq!(taken, ["metadata from the remote for 1 unchanged key(s): B"], "{r:#?}");
    let m = meta_of(&v, "app/B");
    assert_eq!(
        (m.description.as_deref(), m.tags.clone(), m.expires_at, m.rotate_every_days),
        (
            Some("rotated by ops"),
            vec!["db".to_string(), "prod".into()],
            Some(1_935_360_000),
            Some(30)
        )
    );

    // The next push (a value changed) leaves both entries byte for byte.
    put(&mut v, "app/A", "a2");
    let r = push(&mut v, "dev");
    assert!(r.is_complete(), "{r:#?}");
    let c = custom(&b, "app");
    assert_eq!(c["hush:B"], b_entry, "{c}");
    assert_eq!(c["hush:A"], "owner=ops", "{c}");
    assert_eq!(b.kv_get(&["secret/app"])["data"]["data"]["A"], "a2");

    // A local edit is sent, and what Hush could not read stays.
    let edit = WriteOptions { description: Some("rotated by me".into()), ..Default::default() };
    v.update_meta(&SecretPath::parse("app/B").unwrap(), &edit).unwrap();
    let r = push(&mut v, "dev");
    // A metadata-only change is a change: it read "unchanged", 0 updated, though it was written.
    assert!(r.is_complete() && r.folders[0].outcome == FolderOutcome::Done, "{r:#?}");
    let c = custom(&b, "app");
    let entry: serde_json::Value = serde_json::from_str(c["hush:B"].as_str().unwrap()).unwrap();
    assert_eq!(entry["description"], "rotated by me", "{c}");
    assert_eq!(entry["owner"], "ops@example.com", "{c}");
    // The fields that did not change read as the teammate wrote them, not in Hush's own form.
    assert_eq!(entry["tags"], "db, prod", "{c}");
    assert_eq!(entry["expires_at"], "2031-05-01T00:00:00Z", "{c}");
    assert_eq!(entry["rotate_every_days"], "30", "{c}");
    assert_eq!(c["hush:A"], "owner=ops", "{c}");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_local_edit_is_written_in_the_shape_a_teammate_used() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "svc/TOKEN", "t");
    add(&mut v, spec("dev", &b), "root");
    assert!(push(&mut v, "dev").is_complete());
    // A teammate sets the expiry and tags by hand with the bao CLI: a plain date, tags as text.
    let theirs = r#"{"expires_at":"2030-01-15","tags":"ci,deploy","description":"deploy token"}"#;
    b.ok(&[
        "kv",
        "metadata",
        "put",
        &format!("-custom-metadata=hush:TOKEN={theirs}"),
        "-custom-metadata=hush=1",
        "secret/svc",
    ]);
    assert!(pull(&mut v, "dev", &SyncOptions::default()).is_complete());
    let m = meta_of(&v, "svc/TOKEN");
    assert_eq!(
        (m.expires_at, m.tags.clone()),
        (Some(1_894_665_600), vec!["ci".into(), "deploy".into()])
    );

    // The expiry moves a month and a tag is added here: the push writes both in the teammate's
    // shapes, so their scripts that read a date and a comma list keep working.
    let edit = WriteOptions {
        expires_at: Some(1_897_344_000),
        tags: Some(vec!["ci".into(), "deploy".into(), "prod".into()]),
        ..Default::default()
    };
    v.update_meta(&SecretPath::parse("svc/TOKEN").unwrap(), &edit).unwrap();
    assert!(push(&mut v, "dev").is_complete());
    let c = custom(&b, "svc");
    let entry: serde_json::Value = serde_json::from_str(c["hush:TOKEN"].as_str().unwrap()).unwrap();
    assert_eq!(
        entry,
        serde_json::json!({"description": "deploy token", "expires_at": "2030-02-15", "tags": "ci,deploy,prod"}),
        "{c}"
    );
    // And Hush reads back what it wrote as what it holds: a pull has no metadata to take.
    let plan = v.remote_plan("dev", Direction::Pull, &[]).unwrap();
    let notes = folder(&plan, "svc").notes.join("\n");
    assert!(
        !notes.contains("cannot be read") && !notes.contains("metadata from the remote"),
        "{notes}"
    );
}

/// Writes the server's file audit device logged to `path` (`secret/data/app`, ...), in order.
/// Requests to `path` the server's audit log holds, of the operations named.
fn audited(log: &std::path::Path, path: &str, ops: &[&str]) -> usize {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "request" && e["request"]["path"] == path)
        .filter(|e| e["request"]["operation"].as_str().is_some_and(|o| ops.contains(&o)))
        .count()
}

fn audited_writes(log: &std::path::Path, path: &str) -> usize {
    audited(log, path, &["create", "update", "patch"])
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn metadata_is_written_only_when_it_changes_what_the_remote_holds() {
    let (b, log) = Bao::dev_audited();
    let (_t, mut v) = new_vault();
    put(&mut v, "plain/A", "a");
    put(&mut v, "app/B", "b");
    let tagged = WriteOptions { tags: Some(vec!["prod".into()]), ..Default::default() };
    v.set(&SecretPath::parse("app/DB").unwrap(), &val("postgres://one"), &tagged).unwrap();
    add(&mut v, spec("dev", &b), "root");
    assert!(push(&mut v, "dev").is_complete());

    // Plain secrets: one data write, no custom_metadata at all (not even Hush's format entry).
    assert!(custom(&b, "plain").is_null(), "{}", custom(&b, "plain"));
    assert_eq!(audited_writes(&log, "secret/metadata/plain"), 0);
    assert_eq!(audited_writes(&log, "secret/data/plain"), 1);
    // A tagged secret: its entry, with the format entry.
    let c = custom(&b, "app");
    assert!(c["hush:DB"].as_str().unwrap().contains("prod"), "{c}");
    assert_eq!(c["hush"], "1", "{c}");
    assert_eq!(audited_writes(&log, "secret/metadata/app"), 1);

    // A new value, the metadata as it was: the data is written, the metadata is not rewritten.
    put(&mut v, "app/DB", "postgres://two");
    put(&mut v, "plain/A", "a2");
    assert!(push(&mut v, "dev").is_complete());
    assert_eq!(b.kv_get(&["secret/app"])["data"]["data"]["DB"], "postgres://two");
    assert_eq!(audited_writes(&log, "secret/data/app"), 2);
    assert_eq!(audited_writes(&log, "secret/metadata/app"), 1, "unchanged metadata rewritten");
    assert_eq!(audited_writes(&log, "secret/metadata/plain"), 0);

    // A teammate edits the metadata after Hush read the folder and before it writes the new
    // value (another process, at the worst moment): the push leaves their edit in place.
    put(&mut v, "app/DB", "postgres://three");
    let mut edited = false;
    let r = v
        .remote_push(
            "dev",
            &SyncOptions::default(),
            &mut |p: Progress| {
                if p.phase == ProgressPhase::Reading
                    && p.folder.as_deref() == Some("app")
                    && !edited
                {
                    edited = true;
                    b.ok(&["kv", "metadata", "patch", "-custom-metadata=owner=ops", "secret/app"]);
                }
            },
            &NO_CANCEL,
        )
        .unwrap();
    assert!(edited && r.is_complete(), "{r:#?}");
    assert_eq!(b.kv_get(&["secret/app"])["data"]["data"]["DB"], "postgres://three");
    let c = custom(&b, "app");
    assert_eq!(c["owner"], "ops", "a teammate's edit was written over: {c}");
    assert!(c["hush:DB"].as_str().unwrap().contains("prod"), "{c}");
    // Two: Hush's first and the teammate's patch.
    assert_eq!(audited_writes(&log, "secret/metadata/app"), 2, "unchanged metadata rewritten");

    // An edit of the metadata alone is one metadata write, and no new version.
    let edit = WriteOptions { description: Some("main db".into()), ..Default::default() };
    v.update_meta(&SecretPath::parse("app/DB").unwrap(), &edit).unwrap();
    assert!(push(&mut v, "dev").is_complete());
    assert!(custom(&b, "app")["hush:DB"].as_str().unwrap().contains("main db"));
    assert_eq!(audited_writes(&log, "secret/metadata/app"), 3);
    assert_eq!(audited_writes(&log, "secret/data/app"), 3);
    // Sent as a merge patch of the one entry that changed: the teammate's entry was not sent.
    assert_eq!(custom(&b, "app")["owner"], "ops");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_description_shortened_for_vault_never_comes_back_over_the_original() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    let long = "the main database of the team; ".repeat(30); // 930 bytes
    let opts = WriteOptions {
        description: Some(long.clone()),
        meta: [("runbook".to_string(), "x".repeat(300))].into(),
        ..Default::default()
    };
    v.set(&SecretPath::parse("app/DB").unwrap(), &val("postgres://"), &opts).unwrap();
    add(&mut v, spec("dev", &b), "root");
    let r = push(&mut v, "dev");
    assert!(r.folders[0].notes.iter().any(|n| n.contains("shortened")), "{r:#?}");
    assert!(custom(&b, "app")["hush:DB"].as_str().unwrap().len() <= 512);

    // Pulling back changes nothing: the shortened text never lands over the full one.
    let plan = v.remote_plan("dev", Direction::Pull, &[]).unwrap();
    assert!(
        folder(&plan, "app").notes.iter().all(|n| !n.contains("metadata from the remote")),
        "{plan:#?}"
    );
    assert!(pull(&mut v, "dev", &SyncOptions::default()).is_complete());
    let m = meta_of(&v, "app/DB");
    assert_eq!(m.description.as_deref(), Some(long.as_str()));
    assert_eq!(m.meta["runbook"].len(), 300);
    // Nothing to push either (the remote entry already says what it can).
    let plan = v.remote_plan("dev", Direction::Push, &[]).unwrap();
    assert!(!folder(&plan, "app").metadata_changes, "{plan:#?}");

    // A teammate without the secret gets what there is.
    let (_t2, mut other) = new_vault();
    add(&mut other, spec("dev", &b), "root");
    assert!(pull(&mut other, "dev", &SyncOptions::default()).is_complete());
    let d = meta_of(&other, "app/DB").description.unwrap();
    assert!(d.len() < long.len() && long.starts_with(&d), "{d}");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn an_expired_or_invalid_token_is_authentication_failed_everywhere() {
    let b = Bao::dev();
    let short = b.ok(&["token", "create", "-ttl=1s", "-explicit-max-ttl=1s", "-field=token"]);
    let revoked = b.ok(&["token", "create", "-field=token"]);
    b.ok(&["token", "revoke", revoked.trim()]);
    std::thread::sleep(Duration::from_millis(2500));
    for (what, token) in
        [("expired", short.trim()), ("revoked", revoked.trim()), ("invalid", "hvs.not-a-token")]
    {
        let (_t, mut v) = new_vault();
        put(&mut v, "app/K", "v");
        add(&mut v, spec("dev", &b), token);
        let h = v.remote_test("dev").unwrap();
        let failed = h.checks.iter().find(|c| !c.ok).unwrap();
        assert_eq!(failed.code.as_deref(), Some("remote_auth"), "{what}: {h:#?}");
        let errors = [
            v.remote_plan("dev", Direction::Push, &[]).unwrap_err(),
            v.remote_pull("dev", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap_err(),
            v.remote_push("dev", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code(), "remote_auth", "{what}: {e}");
            assert_eq!(e.kind(), hush_core::ErrorKind::Denied, "{what}: {e}");
            assert!(e.to_string().contains("authentication failed"), "{what}: {e}");
        }
    }
}

/// A token that dies while the operation runs (here: a use limit, spent after the mount check
/// and the listing) is an authentication failure, as at the start, not each later folder
/// "denied access" (Vault answers 403 to both: the token's own lookup tells them apart).
#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_token_that_dies_during_the_operation_is_authentication_failed() {
    let b = Bao::dev();
    for i in 0..6 {
        b.ok(&["kv", "put", &format!("secret/app{i}"), "K=v"]);
    }
    let token = b.ok(&["token", "create", "-use-limit=3", "-field=token"]);
    let (_t, mut v) = new_vault();
    add(&mut v, spec("dev", &b), token.trim());
    let e = v.remote_pull("dev", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap_err();
    assert_eq!(e.code(), "remote_auth", "{e}");
    assert!(
        e.to_string().contains("authentication failed")
            && e.to_string().contains("read secret/data/app"),
        "{e}"
    );
    // Under a policy for the prefix's folders only, the prefix itself answers 403 first and its
    // probe finds the token alive: a token dying a moment later was "denied" folder by folder
    // while that probe was trusted for a second. Every use limit dies somewhere in the run.
    for i in 0..6 {
        b.ok(&["kv", "put", &format!("secret/team/app{i}"), "K=v"]);
    }
    b.token_with_policy(
        "team-only",
        "path \"secret/data/team/*\" { capabilities = [\"read\"] }\n\
         path \"secret/metadata/team/*\" { capabilities = [\"read\", \"list\"] }",
    );
    for uses in 3..=9 {
        let limited = format!("-use-limit={uses}");
        let token = b.ok(&["token", "create", "-policy=team-only", &limited, "-field=token"]);
        let (_t, mut v) = new_vault();
        add(&mut v, RemoteSpec { prefix: "team".into(), ..spec("team", &b) }, token.trim());
        match v.remote_pull("team", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL) {
            Err(e) => assert_eq!(e.code(), "remote_auth", "uses {uses}: {e}"),
            Ok(r) => {
                let codes: Vec<_> = r.folders.iter().filter_map(|f| f.error_code.clone()).collect();
                assert!(codes.iter().all(|c| c == "remote_auth"), "uses {uses}: {r:#?}");
                assert!(!r.notes.iter().any(|n| n.contains("may not list")), "{r:#?}");
            }
        }
    }
    // A token that lives, under a policy denying one folder, is still "denied" for it alone;
    // so is one without the `default` policy, which may not look itself up (a probe that asked
    // `auth/token/lookup-self` called it expired).
    b.token_with_policy(
        "all-but-app0",
        "path \"secret/data/*\" { capabilities = [\"read\"] }\n\
         path \"secret/metadata/*\" { capabilities = [\"read\", \"list\"] }\n\
         path \"secret/data/app0\" { capabilities = [\"deny\"] }",
    );
    let bare = ["token", "create", "-no-default-policy", "-policy=all-but-app0", "-field=token"];
    let live = b.ok(&bare);
    add(&mut v, spec("live", &b), live.trim());
    let r = v.remote_pull("live", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap();
    let failed: Vec<_> = r.folders.iter().filter_map(|f| f.error_code.as_deref()).collect();
    assert_eq!(failed, ["remote_denied"], "{r:#?}");
    let h = v.remote_test("live").unwrap();
    let auth = h.checks.iter().find(|c| c.name == "auth").unwrap();
    assert!(auth.ok && auth.message.contains("may not look itself up"), "{h:#?}");
    // Nor may it ask for its own capabilities: not checked, not failed (it plans and pulls).
    let caps = h.checks.iter().find(|c| c.name == "capabilities").unwrap();
    assert!(h.ok && caps.ok && caps.message.starts_with("not checked"), "{h:#?}");
    // A mount it cannot use is the mount's problem, not the token's.
    add(&mut v, RemoteSpec { mount: "nosuch".into(), ..spec("nosuch", &b) }, live.trim());
    let e = v.remote_plan("nosuch", Direction::Pull, &[]).unwrap_err();
    assert_eq!(e.code(), "remote_mount", "{e}");
    // A namespace the server does not have is said to be that (it read "Vault server error:
    // check the token at sys/internal/ui/mounts … HTTP 404").
    let ns = RemoteSpec { namespace: Some("nosuch-ns".into()), ..spec("ns", &b) };
    add(&mut v, ns, "root");
    let e = v.remote_plan("ns", Direction::Pull, &[]).unwrap_err();
    assert!(e.to_string().contains("the namespace 'nosuch-ns' does not exist"), "{e}");
    let h = v.remote_test("ns").unwrap();
    assert!(h.checks.iter().any(|c| c.message.contains("'nosuch-ns' does not exist")), "{h:#?}");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_pull_plan_shows_keys_and_folders_removed_remotely() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/A", "1");
    put(&mut v, "app/B", "2");
    put(&mut v, "other/X", "x");
    put(&mut v, "never/Y", "y");
    add(&mut v, spec("dev", &b), "root");
    let only_synced =
        SyncOptions { folders: vec!["app".into(), "other".into()], ..Default::default() };
    let r = v.remote_push("dev", &only_synced, &mut |_| {}, &NO_CANCEL).unwrap();
    assert!(r.is_complete(), "{r:#?}");
    // Teammates remove B from app, and the whole `other` folder.
    b.ok(&["kv", "put", "secret/app", "A=1"]);
    b.ok(&["kv", "metadata", "delete", "secret/other"]);

    let plan = v.remote_plan("dev", Direction::Pull, &[]).unwrap();
    let app = folder(&plan, "app");
    assert_eq!(key(app, "B").action, KeyAction::Conflict, "{app:#?}");
    assert!(key(app, "B").reason.as_deref().unwrap().contains("removed on the remote"), "{app:#?}");
    let other = folder(&plan, "other");
    assert!(!other.remote_exists, "{other:#?}");
    assert_eq!(key(other, "X").action, KeyAction::Conflict, "{other:#?}");
    assert!(key(other, "X").reason.as_deref().unwrap().contains("removed on the remote"));
    assert!(
        plan.folders.iter().all(|f| f.folder != "never"),
        "a folder never synced is not the remote's"
    );

    // Keeping the remote's side moves the local copies to the trash; nothing is resurrected.
    let mut keep = SyncOptions::default();
    keep.resolve("other", Resolution::KeepRemote).unwrap();
    keep.resolve("app/B", Resolution::KeepRemote).unwrap();
    let r = pull(&mut v, "dev", &keep);
    assert!(r.is_complete(), "{r:#?}");
    assert_eq!(r.totals.deleted_local, 2, "{r:#?}");
    assert!(v.get(&p("other/X"), None).is_err());
    assert!(b.cli(&["kv", "get", "secret/other"]).status.code() != Some(0), "not recreated");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_push_plan_shows_a_folder_removed_here_and_a_named_folder_must_exist() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/A", "1");
    put(&mut v, "gone/X", "x");
    add(&mut v, spec("dev", &b), "root");
    assert!(push(&mut v, "dev").is_complete());
    // Every secret of `gone` is removed here: a push plan shows it, as a sync plan does (it
    // left the folder out, so a push could never send the removal).
    v.remove(&p("gone/X")).unwrap();
    for direction in [Direction::Push, Direction::Sync] {
        let plan = v.remote_plan("dev", direction, &[]).unwrap();
        let gone = folder(&plan, "gone");
        assert_eq!(key(gone, "X").action, KeyAction::Conflict, "{direction:?}: {gone:#?}");
        assert!(key(gone, "X").reason.as_deref().unwrap().contains("removed locally"));
    }
    // Keeping this side drops the field remotely, in a new version (the old one keeps it).
    let mut keep = SyncOptions::default();
    keep.resolve("gone", Resolution::KeepLocal).unwrap();
    let r = v.remote_push("dev", &keep, &mut |_| {}, &NO_CANCEL).unwrap();
    assert!(r.is_complete(), "{r:#?}");
    assert_eq!(b.kv_get(&["secret/gone"])["data"]["data"], serde_json::json!({}));
    assert_eq!(b.kv_get(&["-version=1", "secret/gone"])["data"]["data"]["X"], "x");

    // A folder named that is nowhere (a typo) is an error, not a "done" that did nothing.
    let typo = SyncOptions { folders: vec!["ap".into()], ..Default::default() };
    let e = v.remote_push("dev", &typo, &mut |_| {}, &NO_CANCEL).unwrap_err();
    assert_eq!(e.code(), "no_such_folder", "{e}");
    let e = v.remote_pull("dev", &typo, &mut |_| {}, &NO_CANCEL).unwrap_err();
    assert!(e.to_string().contains("no folder 'ap'"), "{e}");
    // Only on the remote: a pull finds it; a push has nothing of it to send.
    b.ok(&["kv", "put", "secret/theirs", "T=t"]);
    let theirs = SyncOptions { folders: vec!["theirs".into()], ..Default::default() };
    assert!(pull(&mut v, "dev", &theirs).is_complete());
    // Only here, never pushed: a pull has nothing to bring, and says so without an error.
    put(&mut v, "mine/M", "m");
    let only_local = SyncOptions { folders: vec!["mine".into()], ..Default::default() };
    assert!(pull(&mut v, "dev", &only_local).is_complete());
}

#[test]
#[ignore = "needs bao and hvac: run via scripts/test.sh"]
fn odd_remote_paths_each_get_the_right_note() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/K", "v");
    add(&mut v, RemoteSpec { prefix: "team/hush".into(), ..spec("dev", &b) }, "root");
    assert!(push(&mut v, "dev").is_complete());
    // A secret exactly at the prefix path, a field with an empty name, a destroyed latest version.
    b.ok(&["kv", "put", "secret/team/hush", "STRAY=1"]);
    hvac(
        &b.addr,
        "root",
        "client.secrets.kv.v2.create_or_update_secret(path='team/hush/odd', secret={'': 'x', 'OK': 'y'})",
    );
    b.ok(&["kv", "put", "secret/team/hush/gone", "G=1"]);
    b.ok(&["kv", "destroy", "-versions=1", "secret/team/hush/gone"]);
    b.ok(&["kv", "put", "secret/team/hush/soft", "S=1"]);
    b.ok(&["kv", "delete", "secret/team/hush/soft"]);
    // Metadata put before any data (a teammate describing what is to come): no version yet,
    // which is not a deleted one.
    b.ok(&["kv", "metadata", "put", "-custom-metadata=owner=ops", "secret/team/hush/later"]);

    let plan = v.remote_plan("dev", Direction::Pull, &[]).unwrap();
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("prefix path itself") && n.contains("secret/team/hush")),
        "{:#?}",
        plan.notes
    );
    let empty = key(folder(&plan, "odd"), "");
    assert_eq!(empty.action, KeyAction::Skipped);
    assert!(empty.reason.as_deref().unwrap().contains("the field name is empty"), "{empty:#?}");
    assert_eq!(key(folder(&plan, "odd"), "OK").action, KeyAction::CreateLocal);
    let gone = folder(&plan, "gone").notes.join("\n");
    assert!(gone.contains("is destroyed") && !gone.contains("is deleted"), "{gone}");
    let soft = folder(&plan, "soft").notes.join("\n");
    assert!(soft.contains("is deleted") && soft.contains("undelete"), "{soft}");
    let later = folder(&plan, "later");
    assert!(later.notes.iter().all(|n| !n.contains("deleted")), "{later:#?}");
    put(&mut v, "later/K", "first");
    let only = SyncOptions { folders: vec!["later".into()], ..Default::default() };
    assert!(v.remote_push("dev", &only, &mut |_| {}, &NO_CANCEL).unwrap().is_complete());
    assert_eq!(custom(&b, "team/hush/later")["owner"], "ops");
    assert_eq!(b.kv_get(&["secret/team/hush/later"])["data"]["metadata"]["version"], 1);
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_resumed_history_replay_keeps_what_a_teammate_put_in_the_metadata() {
    // A replay that stopped after its first version (written here by the `bao` CLI, equal to
    // ours) resumes and is planned as if the remote were new; its metadata write must still keep
    // what the remote holds. (The plan's metadata, made against no remote, is not the write's.)
    let b = Bao::dev();
    let (t, mut v) = new_vault();
    for x in ["one", "two", "three"] {
        put(&mut v, "hist/K", x);
    }
    // Distinct times, as if written on different days (one snapshot per version).
    raw_conn(&t).execute_batch("UPDATE versions SET created_at = 1000 * version").unwrap();
    b.ok(&["kv", "put", "secret/hist", "K=one"]);
    b.ok(&["kv", "metadata", "put", "-custom-metadata=owner=platform", "secret/hist"]);
    add(&mut v, spec("dev", &b), "root");
    let o = MigrateOptions { with_history: true, ..Default::default() };
    let r = v.remote_migrate("dev", &o, &mut |_| {}, &NO_CANCEL).unwrap();
    assert!(r.is_complete(), "{r:#?}");
    assert_eq!(r.folders[0].history_versions, 2, "{r:#?}");
    let m = custom(&b, "hist");
    assert_eq!(m["owner"], "platform", "{m}");
    assert!(m["hush-history"].as_str().is_some_and(|h| h.starts_with("3 versions")), "{m}");
    assert_eq!(b.kv_get(&["secret/hist"])["data"]["data"]["K"], "three");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_run_that_syncs_nothing_leaves_the_last_sync_as_it_was() {
    let b = Bao::dev();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/K", "k");
    add(&mut v, spec("dev", &b), "root");
    assert!(push(&mut v, "dev").is_complete());
    let synced = |v: &Vault| {
        let all = v.remote_synced_folders("dev").unwrap();
        all.iter().map(|s| (s.folder.clone(), s.remote_version)).collect::<Vec<_>>()
    };
    assert_eq!(synced(&v), [("app".to_string(), 1)]);
    // A teammate deletes the folder's secret, metadata and all: the next push is a conflict that
    // writes nothing, and the folder was still last synced at version 1 (it said "v0").
    b.ok(&["kv", "metadata", "delete", "secret/app"]);
    assert_eq!(push(&mut v, "dev").totals.conflicts, 1);
    let plan = v.remote_plan("dev", Direction::Push, &[]).unwrap();
    assert_eq!(folder(&plan, "app").last_synced_version, Some(1), "{plan:#?}");
    assert_eq!(synced(&v), [("app".to_string(), 1)]);
    // A folder never synced whose sides differ: a conflict, and still never synced.
    b.ok(&["kv", "put", "secret/other", "K=theirs"]);
    put(&mut v, "other/K", "ours");
    assert_eq!(push(&mut v, "dev").totals.conflicts, 2);
    let plan = v.remote_plan("dev", Direction::Push, &[]).unwrap();
    assert_eq!(folder(&plan, "other").last_synced_version, None, "{plan:#?}");
    assert_eq!(synced(&v), [("app".to_string(), 1)]);
    // Settled by keeping the local side: synced again, at the version just written.
    let keep = SyncOptions {
        resolutions: [("app/K".to_string(), Resolution::KeepLocal)].into(),
        ..Default::default()
    };
    let r = v.remote_push("dev", &keep, &mut |_| {}, &NO_CANCEL).unwrap();
    assert_eq!(r.totals.created_remote, 1, "{r:#?}");
    assert_eq!(synced(&v), [("app".to_string(), 1)], "the new secret's version 1");
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn a_push_lists_the_prefix_only_when_it_may_push_several_folders() {
    // The listing spares a read per folder absent remotely; it is made while the local vault is
    // read. With one folder named there is nothing to spare, and a token without `list` (an app's
    // usual policy) would leave a refusal in the team's audit log at every push.
    let (b, log) = Bao::dev_audited();
    let (_t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    put(&mut v, "web/B", "b");
    add(&mut v, spec("dev", &b), "root");
    let lists = || audited(&log, "secret/metadata/", &["list"]);
    let named = |f: &str| SyncOptions { folders: vec![f.to_string()], ..Default::default() };
    let r = v.remote_push("dev", &named("app"), &mut |_| {}, &NO_CANCEL).unwrap();
    assert!(r.is_complete() && r.totals.created_remote == 1, "{r:#?}");
    assert_eq!(lists(), 0);
    // Everything: one listing, and no read of the folder it shows absent.
    assert!(push(&mut v, "dev").is_complete());
    assert_eq!(lists(), 1);
    assert_eq!(audited(&log, "secret/data/web", &["read"]), 0);
    assert_eq!(b.kv_get(&["secret/web"])["data"]["data"]["B"], "b");
}
