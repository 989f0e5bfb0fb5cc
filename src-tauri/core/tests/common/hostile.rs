//! Loopback HTTP servers that behave like a Vault server only as far as a test needs, then turn
//! hostile (redirect elsewhere, stream without end), and a recorder that keeps every byte it is
//! sent. Shared by the engine and CLI tests via `#[path]`; each server stops when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as received: the request line, the headers (lower-cased names) and the body.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// Everything received, as text, for "does it hold X" checks.
    pub fn all(&self) -> String {
        let h: Vec<String> = self.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!(
            "{} {}\n{}\n\n{}",
            self.method,
            self.path,
            h.join("\n"),
            String::from_utf8_lossy(&self.body)
        )
    }
}

/// What the server does with a request: the answer bytes, or `Stream` to send `head` and then
/// bytes without end until the client goes away.
pub enum Reply {
    Bytes(Vec<u8>),
    Stream { head: Vec<u8> },
}

pub type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// Reads one HTTP/1.1 request (headers, then a Content-Length body).
pub fn read_request(s: &mut impl Read) -> Option<Seen> {
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    Some(Seen { method, path, headers, body })
}

/// A complete HTTP answer with a JSON body; the connection closes after it.
pub fn json(code: u16, body: &str) -> Reply {
    Reply::Bytes(
        format!(
            "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

/// Sends `s` on to `target` (`http://127.0.0.1:PORT`) as it came and returns the answer as it
/// came back: a server in front of a real one that steps in only where a test says.
pub fn forward(target: &str, s: &Seen) -> Reply {
    let host = target.trim_start_matches("http://");
    let mut up = TcpStream::connect(host).unwrap();
    let mut head = format!("{} {} HTTP/1.1\r\nHost: {host}\r\n", s.method, s.path);
    for (k, v) in s.headers.iter().filter(|(k, _)| !["host", "connection"].contains(&k.as_str())) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes()).unwrap();
    up.write_all(&s.body).unwrap();
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).unwrap();
    Reply::Bytes(answer)
}

/// A redirect to `location`.
pub fn redirect(code: u16, location: &str) -> Reply {
    Reply::Bytes(
        format!("HTTP/1.1 {code} X\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .into_bytes(),
    )
}

/// An answer that never ends: headers of a 200 JSON answer, then spaces forever.
pub fn endless() -> Reply {
    Reply::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"data\":"
            .to_vec(),
    }
}

/// Answers for the calls a push or `remote test` makes before touching a secret: health, the
/// KV v2 mount `secret/`, the token's lookup and capabilities.
pub fn vault_basics(s: &Seen) -> Option<Reply> {
    let p = s.path.split('?').next().unwrap_or("");
    Some(match p {
        "/v1/sys/health" => json(
            200,
            r#"{"initialized":true,"sealed":false,"standby":false,"version":"1.0.0-hostile"}"#,
        ),
        "/v1/sys/internal/ui/mounts/secret" => {
            json(200, r#"{"data":{"type":"kv","options":{"version":"2"},"path":"secret/"}}"#)
        }
        "/v1/auth/token/lookup-self" => json(200, r#"{"data":{"policies":["root"],"ttl":0}}"#),
        "/v1/sys/capabilities-self" => json(200, r#"{"capabilities":["root"]}"#),
        _ => return None,
    })
}

/// A server on a free loopback port, plain HTTP or (with `tls`) HTTPS.
pub struct Server {
    /// `http://127.0.0.1:PORT` (or https).
    pub addr: String,
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Wraps an accepted connection (TLS servers add a handshake here).
pub type Wrap = dyn Fn(TcpStream) -> Option<Box<dyn ReadWrite>> + Send + Sync;

pub trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

impl Server {
    /// Serves `handler` over plain HTTP.
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_with("http", Arc::new(|s| Some(Box::new(s) as Box<dyn ReadWrite>)), handler)
    }

    /// A recorder: answers 200 `{}` to everything and keeps what it was sent.
    pub fn recorder() -> Server {
        Server::start(|_| json(200, "{}"))
    }

    pub fn start_with(
        scheme: &str,
        wrap: Arc<Wrap>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (flag, log) = (stop.clone(), seen.clone());
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(c) = conn else { continue };
                let (handler, log, wrap) = (handler.clone(), log.clone(), wrap.clone());
                std::thread::spawn(move || {
                    let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
                    let Some(mut s) = wrap(c) else { return };
                    let Some(req) = read_request(&mut s) else { return };
                    log.lock().unwrap().push(req.clone());
                    match handler(&req) {
                        Reply::Bytes(b) => {
                            let _ = s.write_all(&b);
                            let _ = s.flush();
                        }
                        Reply::Stream { head } => {
                            let _ = s.write_all(&head);
                            let chunk = vec![b' '; 1 << 16];
                            while s.write_all(&chunk).is_ok() {}
                        }
                    }
                });
            }
        });
        Server {
            addr: format!("{scheme}://127.0.0.1:{port}"),
            port,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A far server: a loopback TCP proxy in front of `target` (`http://127.0.0.1:PORT`) that holds
/// every chunk for `delay` in each direction, so each round trip costs `2 * delay`, as to a team
/// Vault across a network. Stops accepting when dropped; its connections end with the server's.
pub struct Far {
    pub addr: String,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Far {
    pub fn new(target: &str, delay: Duration) -> Far {
        let to = target.trim_start_matches("http://").to_string();
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        std::thread::spawn(move || {
            for client in l.incoming() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let (Ok(client), Ok(server)) = (client, TcpStream::connect(&to)) else { continue };
                for (mut from, mut into) in
                    [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let mut buf = vec![0u8; 64 * 1024];
                        while let Ok(n @ 1..) = from.read(&mut buf) {
                            std::thread::sleep(delay);
                            if into.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = into.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        Far { addr: format!("http://127.0.0.1:{port}"), stop, port }
    }
}

impl Drop for Far {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
