//! `scan`: where do stored values appear in files? Every kept version of every live secret (the
//! current one and the older ones still kept) becomes a needle of one Aho-Corasick automaton, and
//! a tree (git-ignored files included; `.git` itself only with `--history`), the git history, or
//! the staged changes are searched for all of them at once. A finding names the file, the line and
//! the secret's path and version, never the value.
//!
//! Values shorter than the masking minimum ([`crate::mask::MIN_MASKED_LEN`]) are not searched:
//! `1` or `on` would match everywhere. The values are copied from zeroizing buffers into the
//! automaton, whose tables are freed, not zeroed, when the scan ends.

use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

use super::values::all_versions;
use crate::error::{Error, Result};
use crate::mask::MIN_MASKED_LEN;
use crate::secret::SecretValue;
use crate::vault::Vault;

/// Whose a needle is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub path: String,
    pub version: u64,
    pub current: bool,
}

/// The values to look for: one automaton, and for each pattern the secrets holding it.
pub struct Needles {
    ac: Option<AhoCorasick>,
    owners: Vec<Vec<Owner>>,
    max_len: usize,
}

impl std::fmt::Debug for Needles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Needles({} values)", self.owners.len())
    }
}

impl Needles {
    /// Every kept version of the live secrets (under `folder` if given); one `scan` audit entry.
    pub fn load(vault: &mut Vault, folder: Option<&str>) -> Result<Needles> {
        let all = all_versions(vault, folder)?;
        Needles::new(
            all.into_iter()
                .map(|o| (Owner { path: o.path, version: o.version, current: o.current }, o.value)),
        )
    }

    /// Needles from values given directly (identical values share one pattern, the owners in
    /// the order given).
    pub fn new(values: impl IntoIterator<Item = (Owner, SecretValue)>) -> Result<Needles> {
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut patterns: Vec<SecretValue> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        for (owner, v) in values {
            if v.len() < MIN_MASKED_LEN {
                continue;
            }
            match index.get(v.expose()) {
                Some(&i) => owners[i].push(owner),
                None => {
                    index.insert(v.expose().to_vec(), patterns.len());
                    patterns.push(v);
                    owners.push(vec![owner]);
                }
            }
        }
        // the index keys are plain copies: zero them before they are freed
        for (mut k, _) in index.drain() {
            zeroize::Zeroize::zeroize(&mut k);
        }
        for o in &mut owners {
            o.sort_by_key(|o| (!o.current, std::cmp::Reverse(o.version)));
        }
        let max_len = patterns.iter().map(SecretValue::len).max().unwrap_or(0);
        let ac = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(patterns.iter().map(SecretValue::expose))
                    .map_err(|e| Error::InvalidInput(format!("cannot build the scanner: {e}")))?,
            )
        };
        Ok(Needles { ac, owners, max_len })
    }

    /// How many distinct values are searched.
    pub fn len(&self) -> usize {
        self.owners.len()
    }

    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }
}

/// One place a stored value was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file (relative to the scanned directory, or the path in the repository).
    pub file: String,
    /// 1-based line where the value starts.
    pub line: u64,
    /// The commit that added it (`--history`), else none.
    pub commit: Option<String>,
    /// The secret holding this value (the current version first).
    pub secret: String,
    pub version: u64,
    pub current: bool,
    /// Other secrets (or versions) holding the same value.
    pub also: Vec<String>,
}

/// What a scan looked at and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanReport {
    /// Distinct values searched for.
    pub values: usize,
    pub files: u64,
    pub bytes: u64,
    pub findings: Vec<Finding>,
    /// Files that could not be read (permission...), by path.
    pub unreadable: Vec<String>,
}

const CHUNK: usize = 1 << 20;

impl Needles {
    fn finding(&self, pattern: usize, file: &str, line: u64, commit: Option<&str>) -> Finding {
        let o = &self.owners[pattern];
        Finding {
            file: file.to_string(),
            line,
            commit: commit.map(String::from),
            secret: o[0].path.clone(),
            version: o[0].version,
            current: o[0].current,
            also: o[1..]
                .iter()
                .map(
                    |x| {
                        if x.current {
                            x.path.clone()
                        } else {
                            format!("{} v{}", x.path, x.version)
                        }
                    },
                )
                .collect(),
        }
    }

    /// Searches one reader in 1 MiB chunks (a value split across chunks is still found).
    fn scan_reader(
        &self,
        r: &mut impl Read,
        file: &str,
        buf: &mut Vec<u8>,
        out: &mut Vec<Finding>,
    ) -> std::io::Result<u64> {
        let Some(ac) = &self.ac else { return Ok(0) };
        let overlap = self.max_len.saturating_sub(1);
        buf.resize(CHUNK + overlap, 0);
        let (mut carry, mut line_base, mut total) = (0usize, 1u64, 0u64);
        loop {
            let mut len = carry;
            while len < buf.len() {
                match r.read(&mut buf[len..]) {
                    Ok(0) => break,
                    Ok(n) => len += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if len == carry {
                break;
            }
            total += (len - carry) as u64;
            let hay = &buf[..len];
            let (mut pos, mut line) = (0usize, line_base);
            for m in ac.find_iter(hay) {
                if m.end() <= carry {
                    continue; // wholly in the carried tail: found in the previous chunk
                }
                line += count_lines(&hay[pos..m.start()]);
                pos = m.start();
                out.push(self.finding(m.pattern().as_usize(), file, line, None));
            }
            let keep = overlap.min(len);
            let cut = len - keep;
            line_base += count_lines(&hay[..cut]);
            buf.copy_within(cut..len, 0);
            carry = keep;
            if len < buf.len() {
                break; // end of input
            }
        }
        Ok(total)
    }
}

fn count_lines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// Every regular file under `dir` (symlinks not followed, `.git` directories skipped, git-ignored
/// files included).
pub fn scan_tree(n: &Needles, dir: &Path) -> Result<ScanReport> {
    let mut report = ScanReport { values: n.len(), ..Default::default() };
    let meta = std::fs::symlink_metadata(dir).map_err(|e| Error::io(dir, e))?;
    let mut buf = Vec::new();
    if meta.is_file() {
        scan_file(n, dir, dir, &mut buf, &mut report);
        return Ok(report);
    }
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            report.unreadable.push(rel(dir, &d));
            continue;
        };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() && e.file_name() != ".git" {
                subdirs.push(e.path());
            } else if ft.is_file() {
                scan_file(n, dir, &e.path(), &mut buf, &mut report);
            } // symlinks, FIFOs (a mounted .env!), sockets, devices: never opened
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(report)
}

fn scan_file(n: &Needles, root: &Path, f: &Path, buf: &mut Vec<u8>, report: &mut ScanReport) {
    let name = rel(root, f);
    let read = std::fs::File::open(f).and_then(|mut fh| {
        let mut found = Vec::new();
        let bytes = n.scan_reader(&mut fh, &name, buf, &mut found)?;
        Ok((bytes, found))
    });
    match read {
        Ok((bytes, found)) => {
            report.files += 1;
            report.bytes += bytes;
            report.findings.extend(found);
        }
        Err(_) => report.unreadable.push(name),
    }
}

fn rel(root: &Path, p: &Path) -> String {
    match p.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r.display().to_string(),
        _ => p.display().to_string(),
    }
}

/// Every line ever added in the history of the repository at `repo` (all refs), via
/// `git log -p`; a finding names the commit that added the value.
pub fn scan_history(n: &Needles, repo: &Path) -> Result<ScanReport> {
    let args = ["log", "--all", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-textconv"];
    scan_git(n, repo, &[&args[..], &["--text", "--format=%x00commit %H"]].concat())
}

/// The lines the next commit would add (`git diff --cached`), for the pre-commit hook.
pub fn scan_staged(n: &Needles, repo: &Path) -> Result<ScanReport> {
    let args =
        ["diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--text"];
    scan_git(n, repo, &args)
}

fn git(repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(repo).args(["-c", "core.quotePath=false"]);
    c
}

/// Reads a `-U0` patch stream: `+` lines of a hunk are consecutive lines of the new file, so each
/// hunk's added text is searched as one block (values spanning lines are found too).
fn scan_git(n: &Needles, repo: &Path, args: &[&str]) -> Result<ScanReport> {
    let mut child = git(repo)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io("git", e))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped"));
    let mut report = ScanReport { values: n.len(), ..Default::default() };
    let (mut commit, mut file) = (None::<String>, String::new());
    let mut hunk = Vec::new();
    let mut hunk_start = 0u64;
    let mut line = Vec::new();
    let mut buf = Vec::new();
    let mut flush = |hunk: &mut Vec<u8>, start: u64, file: &str, commit: Option<&str>| {
        if hunk.is_empty() {
            return;
        }
        let mut found = Vec::new();
        let _ = n.scan_reader(&mut &hunk[..], file, &mut buf, &mut found);
        report.bytes += hunk.len() as u64;
        for mut f in found {
            f.line += start - 1;
            f.commit = commit.map(String::from);
            report.findings.push(f);
        }
        hunk.clear();
    };
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).map_err(|e| Error::io("git", e))? == 0 {
            break;
        }
        if let Some(c) = line.strip_prefix(b"\0commit ") {
            flush(&mut hunk, hunk_start, &file, commit.as_deref());
            commit = Some(String::from_utf8_lossy(c).trim().to_string());
        } else if let Some(p) = line.strip_prefix(b"+++ ") {
            flush(&mut hunk, hunk_start, &file, commit.as_deref());
            let p = String::from_utf8_lossy(p).trim_end().trim_matches('"').to_string();
            file = p.strip_prefix("b/").unwrap_or(&p).to_string();
            report.files += 1;
        } else if line.starts_with(b"@@ ") {
            flush(&mut hunk, hunk_start, &file, commit.as_deref());
            hunk_start = new_start(&line).unwrap_or(1);
        } else if let Some(added) = line.strip_prefix(b"+") {
            hunk.extend_from_slice(added);
        }
    }
    flush(&mut hunk, hunk_start, &file, commit.as_deref());
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let st = child.wait().map_err(|e| Error::io("git", e))?;
    if !st.success() {
        return Err(Error::InvalidInput(format!(
            "git {} in {} failed: {}",
            args[0],
            repo.display(),
            err.trim()
        )));
    }
    Ok(report)
}

/// `c` of `@@ -a,b +c,d @@`.
fn new_start(hdr: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(hdr).ok()?;
    let plus = s.split(' ').find(|t| t.starts_with('+'))?;
    plus[1..].split(',').next()?.parse().ok()
}

/// The marker line of the hook Hush writes.
const HOOK_MARK: &str = "# hush: scan staged changes for stored secret values";

/// Installs a pre-commit hook in the repository at `repo` that runs `hush scan --staged`; returns
/// its path. An existing hook that Hush did not write is left alone (an error says so).
pub fn install_hook(repo: &Path, hush: &Path) -> Result<PathBuf> {
    let o = git(repo)
        .args(["rev-parse", "--git-path", "hooks"])
        .output()
        .map_err(|e| Error::io("git", e))?;
    if !o.status.success() {
        return Err(Error::InvalidInput(format!("{} is not in a git repository", repo.display())));
    }
    let hooks = repo.join(String::from_utf8_lossy(&o.stdout).trim());
    std::fs::create_dir_all(&hooks).map_err(|e| Error::io(&hooks, e))?;
    let hook = hooks.join("pre-commit");
    if let Ok(old) = std::fs::read_to_string(&hook) {
        if !old.contains(HOOK_MARK) {
            return Err(Error::AlreadyExists {
                path: format!(
                    "{} (a pre-commit hook Hush did not write; add `hush scan --staged` to it)",
                    hook.display()
                ),
            });
        }
    }
    let exe = hush.display().to_string().replace('\'', "'\\''");
    let body = format!(
        "#!/bin/sh\n{HOOK_MARK} (installed by `hush scan --install-hook`)\n\
         # It prints file:line and the secret's path, never the value; `git commit --no-verify` skips it.\n\
         if command -v hush >/dev/null 2>&1; then exec hush scan --staged; fi\n\
         exec '{exe}' scan --staged\n"
    );
    std::fs::write(&hook, body).map_err(|e| Error::io(&hook, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&hook, e))?;
    }
    Ok(hook)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(vals: &[(&str, &str)]) -> Needles {
        Needles::new(vals.iter().map(|(p, v)| {
            (
                Owner { path: p.to_string(), version: 1, current: true },
                SecretValue::from_string(v.to_string()),
            )
        }))
        .unwrap()
    }

    #[test]
    fn finds_lines_across_chunk_boundaries() {
        let n =
            needles(&[("a/K", "needle-value-1"), ("a/SHORT", "abc"), ("b/K", "needle-value-1")]);
        assert_eq!(n.len(), 1, "short values are not searched; equal values share a pattern");
        let mut text = Vec::new();
        for i in 0..200_000u32 {
            text.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        // straddle the 1 MiB chunk edge, and put one at the very end
        let at = CHUNK - 5;
        let line_at = 1 + text[..at].iter().filter(|b| **b == b'\n').count() as u64;
        text.splice(at..at, b"needle-value-1".iter().copied());
        text.extend_from_slice(b"needle-value-1");
        let mut out = Vec::new();
        let mut buf = Vec::new();
        n.scan_reader(&mut &text[..], "f", &mut buf, &mut out).unwrap();
        let lines: Vec<u64> = out.iter().map(|f| f.line).collect();
        assert_eq!(lines, [line_at, 200_001]);
        assert_eq!(out[0].secret, "a/K");
        assert_eq!(out[0].also, ["b/K"]);
    }

    #[test]
    fn hunk_headers() {
        assert_eq!(new_start(b"@@ -1,2 +7,3 @@ fn x"), Some(7));
        assert_eq!(new_start(b"@@ -0,0 +1 @@"), Some(1));
    }
}
