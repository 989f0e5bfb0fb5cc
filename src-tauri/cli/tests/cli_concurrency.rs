//! Concurrent `hush` processes writing one secret with check-and-set: no lost update.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use common::{Out, TestVault};

const PATH: &str = "team/shared/COUNTER";

#[test]
fn only_one_of_eight_racing_cas_writers_wins() {
    let t = Arc::new(TestVault::passphrase());
    t.set(PATH, "v1", &[]);
    let n = 8;
    let gate = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (t, gate) = (Arc::clone(&t), Arc::clone(&gate));
            std::thread::spawn(move || {
                let mut cmd = t.cmd(&["set", PATH, "--cas", "1"]);
                cmd.env("HUSH_PASSPHRASE", common::PASS).write_stdin(format!("racer-{i}"));
                gate.wait();
                (i, common::run(&mut cmd))
            })
        })
        .collect();
    let results: Vec<(usize, Out)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (i, r) in &results {
        assert!(r.code == 0 || r.code == 4, "writer {i}: exit {} ({})", r.code, r.stderr);
        assert!(!r.stderr.contains("racer-"), "an error showed a value: {}", r.stderr);
        if r.code == 4 {
            assert!(r.stderr.contains("check-and-set failed"), "writer {i}: {}", r.stderr);
        }
    }
    let winners: Vec<usize> =
        results.iter().filter(|(_, r)| r.code == 0).map(|(i, _)| *i).collect();
    assert_eq!(winners.len(), 1, "exactly one writer may win: {results:?}");
    assert_eq!(t.version(PATH), 2);
    assert_eq!(t.get(PATH), format!("racer-{}", winners[0]));
    let hist = t.run(&["history", PATH, "--json"]).ok().json();
    assert_eq!(hist.as_array().unwrap().len(), 2);
    let rows = t.audit();
    let on_path: Vec<_> =
        rows.iter().filter(|r| r["path"] == PATH && r["action"] == "write").collect();
    let ok = on_path.iter().filter(|r| r["outcome"] == "ok").count();
    let conflicts = on_path.iter().filter(|r| r["outcome"] == "conflict").count();
    assert_eq!((ok, conflicts), (2, n - 1), "audit: {on_path:?}");
    t.run(&["audit", "--verify"]).ok();
}

#[test]
fn read_modify_write_loops_lose_no_update() {
    let t = Arc::new(TestVault::passphrase());
    // Keep every version so the whole history can be checked.
    t.set(PATH, "start", &["--keep", "100"]);
    let (writers, rounds) = (4usize, 3usize);
    let gate = Arc::new(Barrier::new(writers));
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let (t, gate) = (Arc::clone(&t), Arc::clone(&gate));
            std::thread::spawn(move || {
                gate.wait();
                let mut conflicts = 0;
                for k in 0..rounds {
                    let mut attempts = 0;
                    loop {
                        attempts += 1;
                        assert!(attempts < 200, "writer {w} starved");
                        let v = t.version(PATH);
                        let out =
                            t.pw_in(&["set", PATH, "--cas", &v.to_string()], format!("w{w}-k{k}"));
                        match out.code {
                            0 => break,
                            4 => conflicts += 1,
                            c => panic!("writer {w}: exit {c}: {}", out.stderr),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    let conflicts: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let expected = 1 + writers * rounds;
    assert_eq!(t.version(PATH) as usize, expected, "an update was lost");

    // History: every version 1..=expected, exactly once.
    let hist = t.run(&["history", PATH, "--json"]).ok().json();
    let versions: Vec<u64> =
        hist.as_array().unwrap().iter().map(|r| r["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, (1..=expected as u64).collect::<Vec<_>>());
    // Every value written is some version, once.
    let mut values = BTreeSet::new();
    for v in 2..=expected {
        let got = t.pw(&["get", PATH, "--version", &v.to_string()]).ok().stdout();
        assert!(values.insert(got.trim_end().to_string()), "value written twice: {got}");
    }
    let want: BTreeSet<String> =
        (0..writers).flat_map(|w| (0..rounds).map(move |k| format!("w{w}-k{k}"))).collect();
    assert_eq!(values, want);
    // Audit: one ok write per version (details "version N"), one conflict row per failed attempt.
    let rows = t.audit();
    let writes: Vec<_> =
        rows.iter().filter(|r| r["path"] == PATH && r["action"] == "write").collect();
    let ok_details: Vec<String> = writes
        .iter()
        .filter(|r| r["outcome"] == "ok")
        .map(|r| r["detail"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ok_details, (1..=expected).map(|v| format!("version {v}")).collect::<Vec<_>>());
    assert_eq!(writes.iter().filter(|r| r["outcome"] == "conflict").count(), conflicts);
    let verify = t.run(&["audit", "--verify", "--json"]).ok().json();
    assert_eq!(verify["ok"], true);
    eprintln!("{writers} writers x {rounds} rounds: {conflicts} CAS conflicts retried");
}
