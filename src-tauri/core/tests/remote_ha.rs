//! An HA cluster: three OpenBao servers with integrated storage (Raft) on loopback ports, and the
//! remote given all three addresses. The leader is killed in the middle of a migrate; the migrate
//! rides out the election and finishes without a rerun: every folder at KV version 1, every value
//! and its metadata exact. `remote test` reports each node, before and after. Ignored by plain
//! `cargo test`; scripts/test.sh runs it.

#[path = "common/bao.rs"]
mod bao;
mod common;

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use bao::Cluster;
use common::*;
use hush_core::remote::*;
use hush_core::{Kind, SecretPath, WriteOptions};

static NO_CANCEL: AtomicBool = AtomicBool::new(false);

#[test]
#[ignore = "needs bao (a 3-node Raft cluster): run via scripts/test.sh"]
fn killing_the_leader_mid_migrate_loses_nothing_and_needs_no_rerun() {
    let mut c = Cluster::raft(3);
    let (_t, mut v) = new_vault();
    let folders = 60;
    for f in 0..folders {
        for k in 0..4 {
            let opts = WriteOptions {
                kind: Some(Kind::ApiKey),
                description: Some(format!("key {k} of team {f}")),
                tags: Some(vec![format!("t{}", f % 3)]),
                ..Default::default()
            };
            let path = SecretPath::parse(&format!("team{f:02}/prod/KEY_{k}")).unwrap();
            v.set(&path, &val(&format!("value-{f}-{k}")), &opts).unwrap();
        }
    }
    // The leader first, so that its death is what the migrate meets.
    let leader = c.leader().expect("a leader");
    let mut order: Vec<usize> = vec![leader];
    order.extend((0..3).filter(|i| *i != leader));
    let addrs: Vec<String> = order.iter().map(|i| c.nodes[*i].addr.clone()).collect();
    let spec = RemoteSpec { addr: addrs.join(","), ..remote_spec("ha", &addrs[0]) };
    add(&mut v, spec, &c.root_token.clone());
    // `remote test` asks every node: the leader active, the two others standby.
    let h = v.remote_test("ha").unwrap();
    assert!(h.ok, "{h:#?}");
    let states: Vec<NodeState> = h.nodes.iter().map(|n| n.state).collect();
    assert_eq!(states, [NodeState::Active, NodeState::Standby, NodeState::Standby], "{h:#?}");

    // Killed on the first folder recorded (reported at once; later ones every 50 ms), so the
    // migrate meets the election with most folders still to write.
    let (mut killed_at, mut done_at_kill) = (None, 0);
    let started = Instant::now();
    let r = v
        .remote_migrate(
            "ha",
            &MigrateOptions { concurrency: 8, ..Default::default() },
            &mut |p: Progress| {
                if p.phase == ProgressPhase::Writing && p.done >= 1 && killed_at.is_none() {
                    killed_at = Some(started.elapsed());
                    done_at_kill = p.done;
                    c.kill(leader);
                }
            },
            &NO_CANCEL,
        )
        .unwrap();
    assert!(killed_at.is_some(), "the leader was never killed");
    assert!(done_at_kill < folders / 2, "killed too late to matter: {done_at_kill} done");
    assert!(r.is_complete(), "no rerun needed: {r:#?}");
    assert_eq!(r.totals.created_remote, folders * 4, "{:#?}", r.totals);
    eprintln!(
        "leader killed at {:?}; migrate done in {:?}; new leader: node {:?}",
        killed_at.unwrap(),
        started.elapsed(),
        c.leader()
    );

    let reader = c.leader_node();
    for f in 0..folders {
        let got = reader.kv_get(&[&format!("secret/team{f:02}/prod")]);
        assert_eq!(got["data"]["metadata"]["version"], 1, "team{f:02} was written twice: {got}");
        for k in 0..4 {
            assert_eq!(got["data"]["data"][format!("KEY_{k}")], format!("value-{f}-{k}"));
        }
        let custom = &got["data"]["metadata"]["custom_metadata"];
        assert!(
            custom["hush:KEY_3"].as_str().unwrap().contains(&format!("key 3 of team {f}")),
            "{custom}"
        );
    }
    // With the old leader down, `remote test` names it (the remote still works through the
    // others: every other check passes); it showed only the first node that answered.
    let h = v.remote_test("ha").unwrap();
    let nodes = h.checks.iter().find(|x| x.name == "nodes").expect("a nodes check");
    assert!(!nodes.ok && nodes.message.contains(&addrs[0]), "{h:#?}");
    assert_eq!(h.nodes[0].state, NodeState::Unreachable, "{h:#?}");
    assert!(h.nodes[1..].iter().any(|n| n.state == NodeState::Active), "{h:#?}");
    assert!(h.checks.iter().filter(|x| x.name != "nodes").all(|x| x.ok), "{h:#?}");

    // Idempotent afterwards, still with one node down.
    let again =
        v.remote_migrate("ha", &MigrateOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap();
    assert_eq!(
        (again.totals.created_remote, again.totals.updated_remote, again.totals.unchanged),
        (0, 0, folders * 4),
        "{again:#?}"
    );
}
