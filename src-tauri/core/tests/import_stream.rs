//! The streaming import (`hush import`) against the preview and commit (the desktop's path):
//! the same statuses line for line, the same secrets, versions, layout and refusals.

mod common;

use common::*;
use hush_core::{
    Error, ExportFormat, FolderPath, ImportItem, ImportOptions, ImportOutcome, ImportSink,
    ImportStart, ImportStatus, ListFilter, OnExisting, Vault,
};

#[derive(Default)]
struct Collect {
    items: Vec<ImportItem>,
    width: usize,
    total: u64,
}

impl ImportSink for Collect {
    fn start(&mut self, s: &ImportStart<'_>) {
        self.width = s.width;
        self.total = s.total;
    }
    fn item(&mut self, i: &ImportItem) {
        self.items.push(i.clone());
    }
}

fn stream(
    v: &mut Vault,
    file: &std::path::Path,
    o: &ImportOptions,
    dry: bool,
) -> (Collect, ImportOutcome) {
    let mut c = Collect::default();
    let out = v.import_stream(file, o, dry, &mut c).unwrap();
    (c, out)
}

/// Every live secret with its value and version, and the folder's export.
fn state(v: &mut Vault) -> (Vec<(String, String, u64)>, String) {
    let all = v.list(&ListFilter::default()).unwrap();
    let vals = all.iter().map(|m| (m.path.clone(), read(v, &m.path), m.version)).collect();
    let f = FolderPath::parse("app/dev").unwrap();
    let env =
        v.export(&[f], ExportFormat::Env, None).map(|e| e.body.unwrap().expose_str().to_string());
    (vals, env.unwrap_or_default())
}

fn seed(v: &mut Vault) {
    put(v, "app/dev/SAME", "1");
    put(v, "app/dev/DIFF", "old");
    put(v, "app/dev/GONE", "x");
    v.remove(&p("app/dev/GONE")).unwrap();
}

const SOURCES: &[&[u8]] = &[
    b"NEW=n\nSAME=1\nDIFF=new\nBARE\nDUP=a\nDUP=b\nLIT=${HOME}\nGONE=back\n",
    b"# top\n\nexport A = 1 # one\nB='two'\n  C=\"3\\n4\"\nA=again\n'q k'=5\nLD_PRELOAD=x\n",
    b"ok=1\nbad line here\nalso=2\nK: v\n=v\nAPP_X=1\nX=2\n",
    b"\xef\xbb\xbfA=1\r\nB=\"x\r\ny\"\rC=3",
    b"A=1\nB=\xff\n",
];

fn options() -> Vec<ImportOptions> {
    let base = ImportOptions { folder: "app/dev".into(), ..Default::default() };
    vec![
        base.clone(),
        ImportOptions { on_existing: OnExisting::Overwrite, skip_invalid: true, ..base.clone() },
        ImportOptions { on_existing: OnExisting::Skip, skip_invalid: true, ..base.clone() },
        ImportOptions {
            on_existing: OnExisting::Overwrite,
            skip_invalid: true,
            strip_prefix: Some("APP_".into()),
            prefix: Some("P_".into()),
            ..base.clone()
        },
        ImportOptions {
            on_existing: OnExisting::Overwrite,
            skip_invalid: true,
            expand: true,
            ..base
        },
    ]
}

/// Imports `file` with `o` by preview and commit into one vault and by the stream into another
/// (both seeded, or both empty), and checks that they agree line for line and end the same.
fn agree(file: &std::path::Path, o: &ImportOptions, seeded: bool, what: &str) {
    let (_t1, mut a) = new_vault();
    let (_t2, mut b) = new_vault();
    if seeded {
        seed(&mut a);
        seed(&mut b);
    }
    // A file refused whole (another encoding) is refused by both, alike, and changes nothing.
    let p = match a.import_preview(file, o) {
        Ok(p) => p,
        Err(e) => {
            let got = b.import_stream(file, o, false, &mut Collect::default()).unwrap_err();
            assert_eq!(got.to_string(), e.to_string(), "{what} with {o:?}");
            assert_eq!(state(&mut b), state(&mut a), "{what} with {o:?}");
            return;
        }
    };
    let (dry, dry_out) = stream(&mut b, file, o, true);
    assert_eq!(dry.items, p.items, "dry run of {what} with {o:?}");
    assert_eq!(dry_out.counts, p.counts);
    assert_eq!(dry_out.digest, p.digest);
    let (c, out) = stream(&mut b, file, o, false);
    assert_eq!(c.items, p.items, "{what} with {o:?}");
    assert_eq!(out.warnings, p.warnings, "{what} with {o:?}");
    match p.blocker() {
        Some(e) => {
            let got = out.blocker.expect("refused too");
            assert_eq!(got.to_string(), e.to_string());
            assert!(out.report.is_none());
        }
        None => {
            let r = a.import_commit(&p, &mut |_, _| {}).unwrap();
            assert_eq!(out.report.as_ref(), Some(&r), "{what} with {o:?}");
        }
    }
    assert_eq!(state(&mut b), state(&mut a), "{what} with {o:?}");
}

#[test]
fn the_stream_decides_and_writes_what_preview_and_commit_do() {
    let dir = tempfile::tempdir().unwrap();
    for (si, src) in SOURCES.iter().enumerate() {
        let file = dir.path().join(format!("s{si}.env"));
        std::fs::write(&file, src).unwrap();
        for o in options() {
            agree(&file, &o, true, &format!("source {si}"));
        }
    }
}

/// Into an empty folder the stream decides on a second thread and hands records over in
/// batches of 256: a file of many batches, with a name repeated and a broken line after the
/// first batches were inserted, ends as preview and commit do (refused: nothing written).
#[test]
fn into_an_empty_folder_the_two_thread_stream_agrees_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut big: String = (0..3000).map(|i| format!("K_{i}=value {i}\n")).collect();
    big.push_str("K_7=again\nbroken line\nLAST='1'\n");
    let sources: Vec<&[u8]> = SOURCES.iter().copied().chain([big.as_bytes()]).collect();
    for (si, src) in sources.iter().enumerate() {
        let file = dir.path().join(format!("e{si}.env"));
        std::fs::write(&file, src).unwrap();
        for o in options() {
            agree(&file, &o, false, &format!("source {si} into an empty folder"));
        }
    }
}

#[test]
fn a_refused_stream_writes_nothing_and_a_dry_run_no_audit() {
    let (_t, mut v) = new_vault();
    put(&mut v, "app/dev/DIFF", "old");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.env");
    std::fs::write(&file, "NEW=1\nDIFF=new\nLATER=2\n").unwrap();
    let o = ImportOptions { folder: "app/dev".into(), ..Default::default() };
    let before = v.audit_log(&Default::default()).unwrap().len();
    let (_, out) = stream(&mut v, &file, &o, true);
    assert!(matches!(out.blocker, Some(Error::ImportConflict { .. })));
    let (c, out) = stream(&mut v, &file, &o, false);
    assert!(matches!(out.blocker, Some(Error::ImportConflict { .. })));
    assert_eq!(c.items.len(), 3);
    assert!(v.meta(&p("app/dev/NEW")).is_err(), "nothing written, not even before the conflict");
    assert_eq!(v.audit_log(&Default::default()).unwrap().len(), before);
}

#[test]
fn many_duplicates_and_a_large_folder_take_the_bounded_paths() {
    let (_t, mut v) = new_vault();
    // More records than the folder is read whole for: every key is looked up by itself.
    let mut src = String::new();
    for i in 0..5000 {
        src.push_str(&format!("K{i}=v{i}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.env");
    std::fs::write(&file, &src).unwrap();
    let mut o = ImportOptions { folder: "app/dev".into(), ..Default::default() };
    let (c, out) = stream(&mut v, &file, &o, false);
    assert_eq!((out.report.unwrap().created, c.total, c.width), (5000, 5000, 5));
    for i in (0..5000).step_by(2) {
        src.push_str(&format!("K{i}=w{i}\n"));
    }
    std::fs::write(&file, &src).unwrap();
    o.on_existing = OnExisting::Overwrite;
    let pre = v.import_preview(&file, &o).unwrap();
    let (c, out) = stream(&mut v, &file, &o, false);
    assert_eq!(c.items, pre.items);
    let r = out.report.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged, r.skipped), (0, 2500, 2500, 2500));
    assert_eq!(read(&mut v, "app/dev/K4"), "w4");
    assert_eq!(read(&mut v, "app/dev/K5"), "v5");
    assert_eq!(v.history(&p("app/dev/K4")).unwrap().len(), 2, "one new version per key");
    let st = c.items.iter().find(|i| i.line == 5).unwrap();
    assert_eq!(
        (st.status, st.note.as_deref()),
        (ImportStatus::Skipped, Some("defined again on line 5003; the last one wins"))
    );
}
