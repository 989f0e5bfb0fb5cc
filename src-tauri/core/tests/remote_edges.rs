//! The edges of the remote client against loopback servers written to be hostile: a server that
//! redirects elsewhere (307, 308, another host, https → http) must never make Hush send the token
//! or a body of values to the second server; a same-origin redirect is followed; an endless answer
//! is cut with a clear error. Ignored by plain `cargo test` (tokens live in the keychain);
//! scripts/test.sh runs them.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use common::*;
use hostile::{json, redirect, vault_basics, Reply, Seen, Server};
use hush_core::remote::*;
use hush_core::Vault;

static NO_CANCEL: AtomicBool = AtomicBool::new(false);

fn spec(name: &str, addr: &str) -> RemoteSpec {
    remote_spec(name, addr)
}

/// A server that answers health and the mount like Vault, says no secret exists yet, and
/// redirects every other call (the token lookup, KV writes with their values) to `to` + path.
fn redirector(code: u16, to: String) -> impl Fn(&Seen) -> Reply + Send + Sync + 'static {
    move |s: &Seen| {
        if s.path.starts_with("/v1/auth/token/lookup-self") {
            return redirect(code, &format!("{to}{}", s.path));
        }
        if let Some(r) = vault_basics(s) {
            return r;
        }
        if s.method == "GET" {
            return json(404, r#"{"errors":[]}"#);
        }
        redirect(code, &format!("{to}{}", s.path))
    }
}

/// A throw-away CA and a server certificate for 127.0.0.1 it signed (openssl CLI):
/// (CA PEM, server certificate PEM, server key PEM).
fn certificates(dir: &std::path::Path) -> [std::path::PathBuf; 3] {
    let f = |n: &str| dir.join(n).display().to_string();
    std::fs::write(dir.join("ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
        .unwrap();
    let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    let steps: [Vec<String>; 3] = [
        [&["req", "-x509"][..], &key, &["-days", "1", "-subj", "/CN=hush-test-ca"]]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .chain(["-keyout".into(), f("ca.key"), "-out".into(), f("ca.pem")])
            .collect(),
        [&["req"][..], &key, &["-subj", "/CN=127.0.0.1"]]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .chain(["-keyout".into(), f("key.pem"), "-out".into(), f("csr.pem")])
            .collect(),
        ["x509", "-req", "-days", "1", "-CAcreateserial"]
            .iter()
            .map(|s| s.to_string())
            .chain([
                "-in".into(),
                f("csr.pem"),
                "-CA".into(),
                f("ca.pem"),
                "-CAkey".into(),
                f("ca.key"),
                "-extfile".into(),
                f("ext"),
                "-out".into(),
                f("cert.pem"),
            ])
            .collect(),
    ];
    for args in steps {
        let out = std::process::Command::new("openssl").args(&args).output().expect("openssl");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    ["ca.pem", "cert.pem", "key.pem"].map(|n| dir.join(n))
}

/// Serves `handler` over HTTPS with the certificate of `certificates`.
fn tls_server(
    cert: &std::path::Path,
    key: &std::path::Path,
    handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> Server {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert).unwrap().map(|c| c.unwrap()).collect();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    Server::start_with(
        "https",
        Arc::new(move |tcp| {
            let conn = rustls::ServerConnection::new(config.clone()).ok()?;
            Some(Box::new(rustls::StreamOwned::new(conn, tcp)) as Box<dyn hostile::ReadWrite>)
        }),
        handler,
    )
}

/// The push's error text, whether the whole operation or only its folder failed.
fn push_error(v: &mut Vault, name: &str) -> String {
    match v.remote_push(name, &SyncOptions::default(), &mut |_| {}, &NO_CANCEL) {
        Err(e) => e.to_string(),
        Ok(r) => {
            assert!(!r.is_complete(), "{r:#?}");
            r.folders.iter().filter_map(|f| f.error.clone()).collect::<Vec<_>>().join("; ")
        }
    }
}

#[test]
#[ignore = "needs a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn a_redirect_elsewhere_never_carries_the_token_or_values() {
    let dir = tempfile::tempdir().unwrap();
    let [ca, cert, key] = certificates(dir.path());
    let canary = format!("CANARY-redirect-{}", std::process::id());
    let token = format!("hvs.redirect-token-{}", std::process::id());
    for (what, code, host, tls) in [
        ("307 to another port", 307, "127.0.0.1", false),
        ("308 to another host", 308, "localhost", false),
        ("https to http (307)", 307, "127.0.0.1", true),
    ] {
        let second = Server::recorder();
        let to = format!("http://{host}:{}", second.port);
        let first = if tls {
            tls_server(&cert, &key, redirector(code, to))
        } else {
            Server::start(redirector(code, to))
        };
        let (_t, mut v) = new_vault();
        put(&mut v, "app/K", &canary);
        let ca = tls.then(|| ca.display().to_string());
        add(&mut v, RemoteSpec { ca_cert: ca, ..spec("evil", &first.addr) }, &token);

        let h = v.remote_test("evil").unwrap();
        let auth =
            h.checks.iter().find(|c| c.name == "auth").unwrap_or_else(|| panic!("{what}: {h:#?}"));
        assert!(!auth.ok && auth.message.contains("redirected"), "{what}: {h:#?}");
        let e = push_error(&mut v, "evil");
        assert!(e.contains("redirected") && !e.contains(&canary), "{what}: {e}");

        assert!(
            second.seen().is_empty(),
            "{what}: the second server received: {:#?}",
            second.seen().iter().map(Seen::all).collect::<Vec<_>>()
        );
        // The first server (the configured address) did get the write: this is what was held back.
        let writes: Vec<Seen> = first.seen().into_iter().filter(|s| s.method == "POST").collect();
        assert!(
            writes.iter().any(|s| String::from_utf8_lossy(&s.body).contains(&canary)),
            "{what}: the push never tried to write"
        );
        assert_eq!(writes[0].header("x-vault-token"), Some(token.as_str()), "{what}");
    }
}

#[test]
#[ignore = "needs a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn a_same_origin_redirect_is_followed_with_the_token() {
    let server = Server::start(|s: &Seen| {
        if s.path == "/v1/auth/token/lookup-self" {
            return redirect(307, "/v1/auth/token/lookup-self?again=1");
        }
        vault_basics(s).unwrap_or_else(|| json(404, r#"{"errors":[]}"#))
    });
    let (_t, mut v) = new_vault();
    add(&mut v, spec("moved", &server.addr), "hvs.same-origin");
    let h = v.remote_test("moved").unwrap();
    assert!(h.checks.iter().any(|c| c.name == "auth" && c.ok), "{h:#?}");
    let again: Vec<Seen> =
        server.seen().into_iter().filter(|s| s.path.ends_with("?again=1")).collect();
    assert_eq!(again.len(), 1, "the redirect was not followed");
    assert_eq!(again[0].header("x-vault-token"), Some("hvs.same-origin"));
}

#[test]
#[ignore = "needs a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn an_endless_kv_answer_is_cut_with_a_clear_error() {
    let server = Server::start(|s: &Seen| {
        vault_basics(s).unwrap_or_else(|| {
            if s.path.starts_with("/v1/secret/") {
                hostile::endless()
            } else {
                json(404, r#"{"errors":[]}"#)
            }
        })
    });
    let (_t, mut v) = new_vault();
    put(&mut v, "app/K", "local");
    add(&mut v, spec("endless", &server.addr), "root");
    let started = std::time::Instant::now();
    let e = push_error(&mut v, "endless");
    assert!(e.contains("larger than 32 MiB"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(read(&mut v, "app/K"), "local");
}

#[test]
#[ignore = "needs a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn folder_discovery_is_bounded_in_depth_and_count() {
    // Every directory lists itself again ("a/" inside "a/" …), or thousands of directories.
    let cases: [(&str, &'static str, usize); 2] = [
        ("endless depth", "deeper than 32 levels", 1),
        ("endless breadth", "more than 100000 entries", 5000),
    ];
    for (what, says, width) in cases {
        let keys: Vec<String> = (0..width).map(|i| format!("\"d{i}/\"")).collect();
        let listing = format!(r#"{{"data":{{"keys":[{}]}}}}"#, keys.join(","));
        let server = Server::start(move |s: &Seen| {
            vault_basics(s).unwrap_or_else(|| {
                if s.method == "LIST" {
                    json(200, &listing)
                } else {
                    json(404, r#"{"errors":[]}"#)
                }
            })
        });
        let (_t, mut v) = new_vault();
        add(&mut v, spec("deep", &server.addr), "root");
        let started = std::time::Instant::now();
        let e =
            v.remote_pull("deep", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap_err();
        assert!(e.to_string().contains(says), "{what}: {e}");
        let lists = server.seen().iter().filter(|s| s.method == "LIST").count();
        assert!(lists <= 40 || width > 1, "{what}: {lists} listings");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{what}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
#[ignore = "needs a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn remote_test_asks_each_node_without_the_token_and_follows_no_redirect_elsewhere() {
    // Node B is a plain Vault; node A answers `sys/health` with a redirect to a server that is
    // none of the remote's addresses. `remote test` reaches B, then asks both nodes at once.
    let elsewhere = Server::recorder();
    let to = format!("http://localhost:{}", elsewhere.port);
    let a = Server::start(move |s: &Seen| {
        if s.path.starts_with("/v1/sys/health") {
            return redirect(307, &format!("{to}{}", s.path));
        }
        vault_basics(s).unwrap_or_else(|| json(404, r#"{"errors":[]}"#))
    });
    let b = Server::start(|s: &Seen| vault_basics(s).unwrap_or_else(|| json(404, "{}")));
    let (_t, mut v) = new_vault();
    let token = format!("hvs.nodes-token-{}", std::process::id());
    add(&mut v, spec("ha", &format!("{},{}", b.addr, a.addr)), &token);
    let h = v.remote_test("ha").unwrap();
    // B is active, A reported as not serving (why: the redirect); nothing reached the other
    // server, and the token was accepted through B.
    let states: Vec<NodeState> = h.nodes.iter().map(|n| n.state).collect();
    assert_eq!(states, [NodeState::Active, NodeState::Unreachable], "{h:#?}");
    assert!(h.nodes[1].error.as_deref().unwrap().contains("redirected"), "{h:#?}");
    assert!(h.checks.iter().any(|c| c.name == "auth" && c.ok), "{h:#?}");
    assert!(elsewhere.seen().is_empty(), "a redirect elsewhere was followed");
    // The node probes carry no token: only the token lookup does, at the address in use.
    for server in [&a, &b] {
        for seen in server.seen().iter().filter(|s| s.path.starts_with("/v1/sys/health")) {
            assert_eq!(seen.header("x-vault-token"), None, "{}", seen.path);
        }
    }
}

/// A teammate's push lands between Hush's two reads of a folder: the data endpoint said 404 (no
/// secret yet), and the metadata read just after names a live version 1. Hush took that for a
/// deleted latest version ("`kv undelete` brings it back"), planned every local key as new, and
/// wrote over the teammate's version 1 with check-and-set on it, without a conflict (seen with
/// two pushes at once against OpenBao: folders at version 2). It now reads the folder again.
#[test]
#[ignore = "needs a Secret Service (the token goes to the keychain): run via scripts/test.sh"]
fn a_secret_created_between_the_two_reads_is_read_again_not_taken_for_deleted() {
    // The first data read answers 404 alone (older servers) or 404 with the half-stored
    // version's metadata, neither deleted nor destroyed (newer ones).
    let half = r#"{"errors":[],"data":{"data":null,"metadata":{"version":1,"custom_metadata":null,"deletion_time":"","destroyed":false}}}"#;
    for first in [r#"{"errors":[]}"#, half] {
        read_again_after(first);
    }
}

fn read_again_after(first: &'static str) {
    let data_reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reads = data_reads.clone();
    let server = Server::start(move |s: &Seen| {
        if let Some(r) = vault_basics(s) {
            return r;
        }
        if s.method == "LIST" || s.path.contains("list=true") {
            return json(200, r#"{"data":{"keys":["app"]}}"#);
        }
        let path = s.path.split('?').next().unwrap_or("");
        match (s.method.as_str(), path) {
            ("GET", "/v1/secret/data/app") => {
                // The first read comes before the teammate's write; every later one after it.
                if reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    json(404, first)
                } else {
                    json(
                        200,
                        r#"{"data":{"data":{"K":"theirs"},"metadata":{"version":1,"custom_metadata":null,"deletion_time":"","destroyed":false}}}"#,
                    )
                }
            }
            ("GET", "/v1/secret/metadata/app") => json(
                200,
                r#"{"data":{"current_version":1,"custom_metadata":null,"versions":{"1":{"created_time":"2026-11-27T00:00:00Z","deletion_time":"","destroyed":false}}}}"#,
            ),
            _ => json(404, r#"{"errors":[]}"#),
        }
    });
    let (_t, mut v) = new_vault();
    put(&mut v, "app/K", "mine");
    add(&mut v, spec("team", &server.addr), "root");
    let plan = v.remote_plan("team", Direction::Push, &[]).unwrap();
    let app = plan.folders.iter().find(|f| f.folder == "app").unwrap();
    let k = &app.keys[0];
    assert_eq!((k.action, k.remote_version), (KeyAction::Conflict, Some(1)), "{plan:#?}");
    assert!(!app.notes.iter().any(|n| n.contains("deleted")), "{plan:#?}");
    assert!(data_reads.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    // And a push writes nothing over it.
    let r = v.remote_push("team", &SyncOptions::default(), &mut |_| {}, &NO_CANCEL).unwrap();
    assert_eq!(r.totals.conflicts, 1, "{r:#?}");
    let writes: Vec<_> =
        server.seen().into_iter().filter(|s| s.method == "POST" || s.method == "PUT").collect();
    assert!(writes.is_empty(), "{:?}", writes.iter().map(|s| &s.path).collect::<Vec<_>>());
}
