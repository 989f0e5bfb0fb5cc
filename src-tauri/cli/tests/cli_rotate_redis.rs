//! Rotation against a real service: a Redis server (Debian's redis-server) the test starts, with
//! an ACL user whose password the handler rotates. The old password stops working, the new one
//! works, and the vault holds the new one; a failing, hanging or silent handler changes nothing
//! (the old password still works and is still what the vault holds).

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestVault;

struct Redis {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Redis {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect(
                "redis-server is needed (apt install redis-server; scripts/test.sh installs it)",
            );
        let r = Redis { child, port, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while r.cli(&[], &["PING"]).0 != "PONG" {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    /// `redis-cli` with `auth` args; (stdout, exit ok).
    fn cli(&self, auth: &[&str], cmd: &[&str]) -> (String, bool) {
        let o = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--no-auth-warning"])
            .args(auth)
            .args(cmd)
            .output()
            .unwrap();
        (String::from_utf8_lossy(&o.stdout).trim().to_string(), o.status.success())
    }

    /// Whether user `app` can log in with `password` (a failed AUTH leaves redis-cli connected
    /// as `default`, so ask who we are).
    fn works(&self, password: &str) -> bool {
        self.cli(&["--user", "app", "--pass", password], &["ACL", "WHOAMI"]).0 == "app"
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs redis-server: run via scripts/test.sh"]
fn a_real_handler_rotates_a_redis_password() {
    let redis = Redis::start();
    let old = "old-Pa55word-1";
    let (out, _) =
        redis.cli(&[], &["ACL", "SETUSER", "app", "on", &format!(">{old}"), "~*", "+@all"]);
    assert_eq!(out, "OK");
    assert!(redis.works(old));
    let t = TestVault::passphrase();
    t.set("cache/REDIS_PASSWORD", old, &[]);
    // The handler logs in as the user with the current password (stdin) and replaces it with a
    // fresh one; it prints the new password only once the server accepted it.
    let handler = format!(
        "set -e; cur=$(cat); new=$(head -c 24 /dev/urandom | base64 | tr -d '/+='); \
         out=$(redis-cli -p {port} --no-auth-warning --user app --pass \"$cur\" ACL SETUSER app resetpass \">$new\"); \
         [ \"$out\" = OK ] || exit 2; printf '%s\\n' \"$new\"",
        port = redis.port
    );
    t.pw(&[
        "policy",
        "cache/REDIS_PASSWORD",
        "--strategy",
        "automatic",
        "--every",
        "30",
        "--handler",
        &handler,
        "--timeout",
        "3",
    ])
    .ok();

    // Failing handlers first: each changes nothing, in the vault or the service.
    let failing = [
        format!("redis-cli -p {} --user app --pass wrong PING >/dev/null; exit 1", redis.port),
        "sleep 30".to_string(),
        "cat > /dev/null".to_string(),
    ];
    for h in &failing {
        t.pw(&["rotate", "cache/REDIS_PASSWORD", "--with", h]).expect(1);
        assert_eq!(t.get("cache/REDIS_PASSWORD"), old);
        assert!(redis.works(old), "{h}: the old password stopped working");
    }

    t.pw(&["rotate", "cache/REDIS_PASSWORD"]).ok();
    let new = t.get("cache/REDIS_PASSWORD");
    assert_ne!(new, old);
    assert!(!redis.works(old), "the old password still works");
    assert!(redis.works(&new), "the new password does not work");
    assert_eq!(t.version("cache/REDIS_PASSWORD"), 2);

    // Rotated again through `--due` once it is due (times are not MAC'd).
    t.sql("UPDATE secrets SET last_rotated_at = last_rotated_at - 31*86400");
    t.pw(&["rotate", "--due"]).ok();
    let third = t.get("cache/REDIS_PASSWORD");
    assert!(!redis.works(&new) && redis.works(&third));
    let actions: Vec<String> =
        t.audit().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
    assert_eq!(actions.iter().filter(|a| *a == "rotate_failed").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "rotate").count(), 2);
}
