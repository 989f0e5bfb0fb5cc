//! Cross-checks the `.env` codec against the real readers: python-dotenv 1.2 (the reference) and
//! node `dotenv`. The test makes its own python venv and npm prefix under cargo's target tmp dir
//! (once; later runs reuse them). python3 with venv is required: without it these tests fail and
//! say so. npm is optional: without it the node check says it was skipped.
//!
//! What is checked:
//! - writer → python-dotenv: every value of a tricky corpus plus generated ones reads back exactly;
//! - writer → node dotenv: every value the writer marks node-portable reads back exactly;
//! - writer → docker compose (`docker-compose config` on an `env_file:`): every value the writer
//!   marks compose-portable reads back exactly (ignored in a plain `cargo test`; scripts/test.sh
//!   installs Debian's docker-compose and runs it);
//! - parser vs python-dotenv on the same bytes: same keys and values (hand-written cases and a
//!   generated differential corpus); statements python-dotenv skips are our errors;
//! - `--expand` vs python-dotenv's interpolation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use hush_core::envfile::{self, EnvFile};
use hush_core::SecretValue;
use serde_json::Value;

fn work_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dotenv-compat");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The venv's python with python-dotenv 1.2.x, made on first use.
fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = work_dir().join("venv");
        let py = venv.join("bin").join("python");
        let ok = |py: &Path| {
            Command::new(py).args(["-c", "import dotenv, sys; v = dotenv.version.__version__ if hasattr(dotenv, 'version') else ''; import importlib.metadata as m; sys.exit(0 if m.version('python-dotenv').startswith('1.2.') else 1)"])
                .status().map(|s| s.success()).unwrap_or(false)
        };
        if !ok(&py) {
            let base = std::env::var("HUSH_PYTHON").unwrap_or_else(|_| "python3".into());
            let st = Command::new(&base).args(["-m", "venv"]).arg(&venv).status().unwrap_or_else(|e| {
                panic!("these tests need python3 with venv to run python-dotenv ({base}: {e}); install python3 and python3-venv")
            });
            assert!(st.success(), "`{base} -m venv {}` failed; install python3-venv", venv.display());
            let st = Command::new(venv.join("bin").join("pip"))
                .args(["install", "-q", "--disable-pip-version-check", "python-dotenv==1.2.*"])
                .status()
                .expect("pip from the venv");
            assert!(st.success(), "pip install python-dotenv==1.2.* failed (is PyPI reachable?)");
            assert!(ok(&py), "python-dotenv 1.2.x is not importable after install");
        }
        py
    })
}

const PY_READ: &str = r#"
import json, sys
from dotenv import dotenv_values
interpolate = sys.argv[1] == "1"
out = []
for p in sys.argv[2:]:
    out.append(dotenv_values(p, interpolate=interpolate))
json.dump(out, sys.stdout)
"#;

/// python-dotenv's `dotenv_values` of each file, in order.
fn python_read(
    files: &[PathBuf],
    interpolate: bool,
    env: &[(&str, &str)],
) -> Vec<BTreeMap<String, Option<String>>> {
    let mut c = Command::new(python());
    c.args(["-c", PY_READ, if interpolate { "1" } else { "0" }]).args(files);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "python failed: {}", String::from_utf8_lossy(&o.stderr));
    let v: Vec<BTreeMap<String, Option<String>>> = serde_json::from_slice(&o.stdout).unwrap();
    v
}

fn ours(f: &EnvFile) -> BTreeMap<String, Option<String>> {
    f.entries
        .iter()
        .map(|e| (e.key.clone(), e.value.as_ref().map(|v| v.expose_str().to_string())))
        .collect()
}

/// A deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn tricky_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "  both  ",
        "plain",
        "with space",
        "#",
        "a #b",
        "a#b",
        "#start",
        "'",
        "\"",
        "'\"",
        "it's",
        "say \"hi\"",
        "\\",
        "\\\\",
        "\\'",
        "\\\"",
        "a\\nb",
        "C:\\dir\\",
        "\n",
        "\r",
        "\r\n",
        "x\n\ny",
        "\ttab\t",
        "$A ${B} $(c) `d`",
        "${HOME:-x}",
        "=",
        "==x==",
        "ünïcødé 😀 ✓",
        "\u{a0}nbsp\u{a0}",
        "`x`",
        "'a'",
        "\"a\"",
        "export X=1",
        "# not a comment",
        "\\\\\\\"",
        "-----BEGIN KEY-----\nMIIB\n-----END KEY-----\n",
        "a\u{b}b\u{c}c",
        "trailing\\ ",
        "{\"json\": [1, 2]}",
        "p@ss:w0rd/!?&*()[]{}<>|;~^%+,",
        "\u{1c}sep",
        "multi\nline with 'quotes' and \"dq\"\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let atoms = [
        "a", "Z", " ", "\t", "\n", "\r", "'", "\"", "\\", "#", "$", "{", "}", "=", "é", "😀", "`",
        "x y", "\\n",
    ];
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..400 {
        let n = (r.next() % 12) as usize;
        v.push((0..n).map(|_| r.pick(&atoms)).collect());
    }
    v
}

fn write_file(name: &str, body: &[u8]) -> PathBuf {
    let p = work_dir().join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn writer_output_reads_back_exactly_in_python_dotenv() {
    let values = tricky_values();
    let names: Vec<String> = (0..values.len()).map(|i| format!("K{i}")).collect();
    let secrets: Vec<SecretValue> =
        values.iter().map(|v| SecretValue::from_string(v.clone())).collect();
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    for (i, (n, s)) in names.iter().zip(&secrets).enumerate() {
        if envfile::render_value(&values[i], None).is_some() {
            items.push((n.as_str(), s));
        } else {
            skipped.push(values[i].clone());
        }
    }
    assert!(skipped.is_empty(), "refused values python-dotenv reads: {skipped:?}");
    let r = envfile::render(&items, None).unwrap();
    let file = write_file("writer.env", r.body.expose());
    let py = &python_read(std::slice::from_ref(&file), false, &[])[0];
    for (n, s) in &items {
        assert_eq!(
            py.get(*n),
            Some(&Some(s.expose_str().to_string())),
            "python-dotenv read {n} differently"
        );
    }
    assert_eq!(py.len(), items.len());
    // With its default interpolation (what `load_dotenv()` does): every value the writer does
    // not flag reads back exactly, and a value it does flag really is read otherwise (an export
    // note once said every value read back exactly with python-dotenv; `${…}` did not).
    let py = &python_read(&[file], true, &[])[0];
    let flagged: Vec<&str> = r
        .not_portable
        .iter()
        .filter(|(_, readers)| readers.contains(&envfile::PY_INTERPOLATING))
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(!flagged.is_empty(), "the corpus has ${{…}} values");
    for (n, s) in &items {
        let exact = py.get(*n) == Some(&Some(s.expose_str().to_string()));
        assert_eq!(
            !exact,
            flagged.contains(n),
            "{n}: {:?} read as {:?}",
            s.expose_str(),
            py.get(*n)
        );
    }
}

#[test]
fn parser_agrees_with_python_dotenv() {
    let mut cases: Vec<String> = [
        "A=1\nB = 2 \n export C=3\n",
        "A='x y' # c\nB=\"l1\\nl2\"\n",
        "A=\"multi\nline\"\nB=after\n",
        "A=unterminated \"quote\nB=2\n",
        "A=\"open\nB=2\n",
        "A='x' junk\nB=2\n",
        "MY KEY=1\nK2=2\n",
        "=v\nK=1\n",
        "KEY: value\nK=2\n",
        "A=1\nA=2\n",
        "BARE\nX=1\n",
        "A=b#c d #e\n",
        "A=\"x\\\"\nB=\"y\"\n",
        "A=\"x\\\\\"\n",
        "A=\"\\a\\b\\f\\v\\t\\r\\'\\q\"\n",
        "A='\\\\ \\' \\n'\n",
        "'quoted key'=1\n",
        "export=1\nexport\tA=2\n",
        "A=1\r\nB='2\r\n3'\r\n",
        "A=1\rB=2\r",
        "   \n\n# only comments\n\t# x\n",
        "A=\u{a0}x\u{a0}\n",
        "A=x\u{1c}\n",
        "A=\"a\" # c\nB='b'#c\nC=c#c\n",
        "A=${B}\n",
        "a.b-c=1\n",
        "A=\"\"\nB=''\nC=\n",
        "A=\"x\"\"y\"\n",
        "A='it''s'\n",
        "A=x\\\n",
        "\"A\"=1\n",
        "A==1\n",
        "A\t=\t'x'\t#\tc\n",
        "export  A\n",
        "#c\nA=1 #c\n#c",
        "\u{feff}A=1\n",
        "A= # c\nB= #\nC=#x\n",
        "A=\"a\\\"\n",
        "A='x\\'y'\n",
        "A=\"\\\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let atoms = [
        "A", "b", "=", " = ", " ", "\t", "\n", "\r\n", "\r", "'", "\"", "\\", "#", " #", "export ",
        ":", "${A}", "é", "x=y", "\\n",
    ];
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..600 {
        let n = 1 + (r.next() % 16) as usize;
        cases.push((0..n).map(|_| r.pick(&atoms)).collect());
    }
    let files: Vec<PathBuf> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| write_file(&format!("parse-{i}.env"), c.as_bytes()))
        .collect();
    let py = python_read(&files, false, &[]);
    for (i, c) in cases.iter().enumerate() {
        let f = envfile::parse(c.as_bytes());
        assert_eq!(ours(&f), py[i], "case {i}: {c:?}");
    }
}

#[test]
fn expansion_agrees_with_python_dotenv() {
    let cases = [
        "A=1\nB=${A}\nC=${HUSH_T_SET}\nD=${HUSH_T_UNSET:-dflt}\nE=${HUSH_T_EMPTY:-dflt}\n",
        "A=${A}\nB='${A}x'\nC=\"${HUSH_T_SET}-${A}\"\nD=${A:-x:-y}\nE=$A ${ ${A:x}\n",
        "HUSH_T_SET=file\nB=${HUSH_T_SET}\nBARE\nC=${BARE:-d}\n",
    ];
    let env = [("HUSH_T_SET", "from-env"), ("HUSH_T_EMPTY", "")];
    let files: Vec<PathBuf> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| write_file(&format!("expand-{i}.env"), c.as_bytes()))
        .collect();
    let py = python_read(&files, true, &env);
    for (i, c) in cases.iter().enumerate() {
        let mut f = envfile::parse(c.as_bytes());
        envfile::expand(&mut f.entries, &|n| {
            env.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
        });
        assert_eq!(ours(&f), py[i], "case {i}: {c:?}");
    }
}

/// node `dotenv`'s parse of each file, or `None` when npm is not installed.
fn node_read(files: &[PathBuf]) -> Option<Vec<BTreeMap<String, String>>> {
    if Command::new("npm").arg("--version").output().is_err() {
        return None;
    }
    let prefix = work_dir().join("node");
    let module = prefix.join("node_modules").join("dotenv");
    if !module.is_dir() {
        std::fs::create_dir_all(&prefix).unwrap();
        let st = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg("dotenv@16")
            .status()
            .unwrap();
        assert!(st.success(), "npm install dotenv@16 failed (is the npm registry reachable?)");
    }
    let script = "const d=require(process.argv[1]);const fs=require('fs');\
        console.log(JSON.stringify(process.argv.slice(2).map(p=>d.parse(fs.readFileSync(p)))));";
    let o = Command::new("node").args(["-e", script]).arg(&module).args(files).output().unwrap();
    assert!(o.status.success(), "node failed: {}", String::from_utf8_lossy(&o.stderr));
    Some(serde_json::from_slice::<Vec<BTreeMap<String, String>>>(&o.stdout).unwrap())
}

#[test]
fn writer_output_reads_back_in_node_dotenv_where_marked_portable() {
    let values = tricky_values();
    let secrets: Vec<(String, SecretValue)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("K{i}"), SecretValue::from_string(v.clone())))
        .collect();
    let items: Vec<(&str, &SecretValue)> = secrets
        .iter()
        .filter(|(_, s)| {
            envfile::render_value(s.expose_str(), None).is_some_and(|(_, _, p)| p.node)
        })
        .map(|(n, s)| (n.as_str(), s))
        .collect();
    assert!(items.len() > values.len() / 2, "most values should be node-portable");
    let r = envfile::render(&items, None).unwrap();
    assert!(r.not_portable.iter().all(|(_, readers)| !readers.contains(&"node dotenv")));
    let file = write_file("writer-node.env", r.body.expose());
    let Some(node) = node_read(&[file]) else {
        eprintln!("SKIPPED: npm is not installed, node dotenv was not checked");
        return;
    };
    for (n, s) in &items {
        assert_eq!(
            node[0].get(*n).map(String::as_str),
            Some(s.expose_str()),
            "node dotenv read {n} differently"
        );
    }
    let _ = Value::Null;
}

/// How docker compose reads `file` as a service's `env_file`: `docker-compose config` renders the
/// service's environment (it needs no Docker engine). This is Compose v1 from Debian's apt, the one
/// a registry here ships; it reads env files with python-dotenv, interpolation on, and prints `$`
/// as `$$`. Its YAML output is turned into JSON by the python that runs docker-compose.
fn compose_read(file: &Path) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let yml = dir.path().join("docker-compose.yml");
    std::fs::write(
        &yml,
        format!(
            "services:\n  s:\n    image: busybox\n    env_file: {}\n",
            serde_json::to_string(&file.display().to_string()).unwrap()
        ),
    )
    .unwrap();
    let out = Command::new("docker-compose")
        .args(["--project-directory"])
        .arg(dir.path())
        .arg("-f")
        .arg(&yml)
        .arg("config")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("docker-compose is needed for this test ({e}); scripts/test.sh installs it (apt install docker-compose)"));
    assert!(
        out.status.success(),
        "docker-compose config failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let to_json = "import sys, json, yaml; e = yaml.safe_load(sys.stdin)['services']['s'].get('environment') or {}; print(json.dumps(e))";
    let mut py = Command::new("/usr/bin/python3")
        .args(["-c", to_json])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    py.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let o = py.wait_with_output().unwrap();
    assert!(o.status.success(), "yaml → json failed");
    let env: BTreeMap<String, Value> = serde_json::from_slice(&o.stdout).unwrap();
    env.into_iter()
        .map(|(k, v)| {
            (k, v.as_str().unwrap_or_else(|| panic!("{v} is not a string")).replace("$$", "$"))
        })
        .collect()
}

#[test]
#[ignore = "needs docker-compose (apt): run via scripts/test.sh"]
fn writer_output_reads_back_in_docker_compose_where_marked_portable() {
    let values = tricky_values();
    let secrets: Vec<(String, SecretValue)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("K{i}"), SecretValue::from_string(v.clone())))
        .collect();
    let items: Vec<(&str, &SecretValue)> = secrets
        .iter()
        .filter(|(_, s)| {
            envfile::render_value(s.expose_str(), None).is_some_and(|(_, _, p)| p.compose)
        })
        .map(|(n, s)| (n.as_str(), s))
        .collect();
    assert!(
        items.len() > values.len() / 3,
        "many values should be compose-portable ({} of {})",
        items.len(),
        values.len()
    );
    let r = envfile::render(&items, None).unwrap();
    let file = write_file("writer-compose.env", r.body.expose());
    let compose = compose_read(&file);
    for (n, s) in &items {
        assert_eq!(
            compose.get(*n).map(String::as_str),
            Some(s.expose_str()),
            "docker compose read {n} differently"
        );
    }
}
