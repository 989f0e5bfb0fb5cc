//! What `hush plan` says of a folder's last sync after teammates change the remote with their
//! own tools, on the real binary against a real OpenBao server. Ignored by plain `cargo test`;
//! scripts/test.sh runs it (bao on PATH).

#[path = "../../core/tests/common/bao.rs"]
mod bao;
mod common;

use bao::Bao;
use common::{run, Out, TestVault, PASS};

/// `hush ARGS` with the passphrase and the server's root token in the environment, as a
/// developer's shell has them.
fn hush(t: &TestVault, args: &[&str]) -> Out {
    let mut c = t.cmd(args);
    run(c.env("HUSH_PASSPHRASE", PASS).env("VAULT_TOKEN", "root").write_stdin(""))
}

#[test]
#[ignore = "needs bao: run via scripts/test.sh"]
fn plan_names_the_last_real_sync_after_a_teammate_deletes_the_secret() {
    let b = Bao::dev();
    let t = TestVault::passphrase();
    t.set("app/K", "k", &[]);
    hush(&t, &["remote", "add", "dev", "--addr", &b.addr]).ok();
    hush(&t, &["push", "dev"]).ok();
    // A teammate deletes the folder's secret, versions and metadata, with the bao CLI; the next
    // push is a conflict that writes nothing.
    b.ok(&["kv", "metadata", "delete", "secret/app"]);
    let push = hush(&t, &["push", "dev"]);
    assert!(push.stdout().contains("conflict"), "{}\n{}", push.stdout(), push.stderr);
    let plan = hush(&t, &["plan", "dev"]).expect(4); // a plan with conflicts exits 4
    let line = plan.stdout().lines().find(|l| l.starts_with("app ")).map(str::to_string);
    let line = line.unwrap_or_else(|| panic!("no app line in {}", plan.stdout()));
    assert!(line.contains("(not on the remote), last synced v1"), "{line}");
    // A folder the remote never had in sync with us: its plan says nothing of a last sync.
    b.ok(&["kv", "put", "secret/other", "K=theirs"]);
    t.set("other/K", "ours", &[]);
    hush(&t, &["push", "dev"]);
    let plan = hush(&t, &["plan", "dev"]).expect(4);
    let other = plan.stdout().lines().find(|l| l.starts_with("other ")).map(str::to_string);
    let other = other.unwrap_or_else(|| panic!("no other line in {}", plan.stdout()));
    assert!(other.contains("[conflict]") && !other.contains("last synced"), "{other}");
}
