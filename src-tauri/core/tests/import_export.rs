//! Import, export, run environment and templates through the public API.

mod common;

use common::*;
use hush_core::{Error, ExportFormat, FolderPath, ImportOptions, ImportStatus, OnExisting, Vault};

fn opts(folder: &str) -> ImportOptions {
    ImportOptions { folder: folder.into(), ..Default::default() }
}

fn import(
    v: &mut Vault,
    src: &str,
    o: &ImportOptions,
) -> hush_core::Result<hush_core::ImportReport> {
    let p = v.import_preview_bytes("test.env", src.as_bytes(), o)?;
    v.import_commit_bytes(&p, src.as_bytes(), &mut |_, _| {})
}

fn f(s: &str) -> FolderPath {
    FolderPath::parse(s).unwrap()
}

fn export_env(v: &mut Vault, folders: &[&str]) -> String {
    let fs: Vec<FolderPath> = folders.iter().map(|x| f(x)).collect();
    v.export(&fs, ExportFormat::Env, None).unwrap().body.unwrap().expose_str().to_string()
}

#[test]
fn preview_classifies_and_commit_is_one_audit_entry() {
    let (_t, mut v) = new_vault();
    put(&mut v, "app/dev/SAME", "1");
    put(&mut v, "app/dev/DIFF", "old");
    let src = "NEW=n\nSAME=1\nDIFF=new\nBARE\nDUP=a\nDUP=b\nLIT=${HOME}\n";
    let p = v.import_preview_bytes("x.env", src.as_bytes(), &opts("app/dev")).unwrap();
    let st = |n: &str| {
        p.items
            .iter()
            .filter(|i| i.name.as_deref() == Some(n))
            .map(|i| i.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(st("NEW"), [ImportStatus::New]);
    assert_eq!(st("SAME"), [ImportStatus::Unchanged]);
    assert_eq!(st("DIFF"), [ImportStatus::Changed]);
    assert_eq!(st("DUP"), [ImportStatus::Skipped, ImportStatus::New]);
    assert_eq!(
        (p.counts.new, p.counts.changed, p.counts.unchanged, p.counts.skipped),
        (3, 1, 1, 2)
    );
    assert!(
        p.warnings.iter().any(|w| w.contains("LIT") && w.contains("--expand")),
        "{:?}",
        p.warnings
    );
    // Default: a differing value refuses the whole import.
    let before = v.audit_log(&Default::default()).unwrap().len();
    assert!(matches!(
        v.import_commit_bytes(&p, src.as_bytes(), &mut |_, _| {}),
        Err(Error::ImportConflict { .. })
    ));
    assert!(v.meta(&p_("app/dev/NEW")).is_err(), "nothing imported");
    let mut o = opts("app/dev");
    o.on_existing = OnExisting::Overwrite;
    let mut calls = 0;
    let p = v.import_preview_bytes("x.env", src.as_bytes(), &o).unwrap();
    let r = v.import_commit_bytes(&p, src.as_bytes(), &mut |_, _| calls += 1).unwrap();
    assert_eq!((r.created, r.updated, calls), (3, 1, 4));
    assert_eq!(read(&mut v, "app/dev/DIFF"), "new");
    assert_eq!(read(&mut v, "app/dev/DUP"), "b");
    assert_eq!(read(&mut v, "app/dev/LIT"), "${HOME}", "literal by default");
    let log = v.audit_log(&Default::default()).unwrap();
    let imports: Vec<_> =
        log[before..].iter().filter(|e| e.action == hush_core::Action::Import).collect();
    assert_eq!(imports.len(), 1);
    assert!(imports[0].detail.as_deref().unwrap().contains("x.env"));
    assert!(
        log[before..].iter().all(|e| e.action != hush_core::Action::Write),
        "one entry, not one per key"
    );
}

fn p_(s: &str) -> hush_core::SecretPath {
    p(s)
}

#[test]
fn skip_existing_prefix_strip_and_expand() {
    let (_t, mut v) = new_vault();
    put(&mut v, "a/KEEP", "vault");
    let mut o = opts("a");
    o.on_existing = OnExisting::Skip;
    import(&mut v, "KEEP=file\n", &o).unwrap();
    assert_eq!(read(&mut v, "a/KEEP"), "vault");
    let mut o = opts("b");
    o.strip_prefix = Some("REACT_APP_".into());
    o.prefix = Some("WEB_".into());
    import(&mut v, "REACT_APP_URL=u\nOTHER=o\n", &o).unwrap();
    assert_eq!(read(&mut v, "b/WEB_URL"), "u");
    assert_eq!(read(&mut v, "b/WEB_OTHER"), "o");
    let mut o = opts("c");
    o.expand = true;
    import(&mut v, "HOST=db\nURL=pg://${HOST}:${PORT:-5432}\n", &o).unwrap();
    assert_eq!(read(&mut v, "c/URL"), "pg://db:5432");
}

#[test]
fn malformed_files_import_nothing_and_name_lines() {
    let (_t, mut v) = new_vault();
    let src = "GOOD=1\nBAD=\"open\nKEY: value\nsk-canary-8812 x=1\n";
    let e = import(&mut v, src, &opts("m")).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::EnvParse { .. }), "{e}");
    assert!(
        msg.contains("test.env")
            && msg.contains("line 2")
            && msg.contains("line 3")
            && msg.contains("line 4"),
        "{msg}"
    );
    assert!(!msg.contains("canary"), "errors never quote lines: {msg}");
    assert!(v.list(&Default::default()).unwrap().is_empty(), "nothing half-imported");
    let mut o = opts("m");
    o.skip_invalid = true;
    let r = import(&mut v, src, &o).unwrap();
    assert_eq!((r.created, r.invalid), (1, 3));
    // Invalid UTF-8, a key that cannot be a name, a huge value.
    // A NUL cannot be in an environment variable (`hush run` could never pass it): that line is
    // invalid; another control character is a value like any other.
    let p = v.import_preview_bytes("nul.env", b"A=\0\nB=\x01\n", &opts("u")).unwrap();
    assert_eq!((p.items[0].status, p.items[1].status), (ImportStatus::Invalid, ImportStatus::New));
    assert!(import(&mut v, "B=\u{1}", &opts("u")).is_ok());
    // A file in another encoding is refused whole, with or without --skip-invalid: skipping "the
    // invalid line" imported nothing while naming one line.
    let mut skip = opts("u");
    skip.skip_invalid = true;
    for o in [opts("u"), skip] {
        let e = v.import_preview_bytes("bin.env", b"A=1\nB=\xff\xfe\nC=3\n", &o).unwrap_err();
        assert!(e.to_string().contains("not UTF-8") && e.to_string().contains("line 2"), "{e}");
    }
    let p = v.import_preview_bytes("k.env", b"a/b=1\n", &opts("u")).unwrap();
    assert_eq!(p.items[0].status, ImportStatus::Invalid);
    let huge = format!("H={}\n", "x".repeat(hush_core::MAX_VALUE_BYTES + 1));
    let p = v.import_preview_bytes("h.env", huge.as_bytes(), &opts("u")).unwrap();
    assert_eq!(p.items[0].status, ImportStatus::Invalid);
}

#[test]
fn hostile_folder_is_refused() {
    let (_t, mut v) = new_vault();
    for bad in ["../etc", "a/../b", "/abs", "", "a//b"] {
        assert!(
            matches!(
                v.import_preview_bytes("x", b"A=1", &opts(bad)),
                Err(Error::InvalidPath { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn commit_refuses_a_file_changed_since_preview() {
    let (_t, mut v) = new_vault();
    let p = v.import_preview_bytes("x", b"A=1\n", &opts("z")).unwrap();
    assert!(v.import_commit_bytes(&p, b"A=2\n", &mut |_, _| {}).is_err());
    assert!(v.list(&Default::default()).unwrap().is_empty());
    // A concurrent write between preview and commit aborts the whole import.
    let p = v.import_preview_bytes("x", b"A=1\nB=2\n", &opts("z")).unwrap();
    put(&mut v, "z/B", "raced");
    assert!(matches!(
        v.import_commit_bytes(&p, b"A=1\nB=2\n", &mut |_, _| {}),
        Err(Error::CasConflict { .. })
    ));
    assert!(v.meta(&p_("z/A")).is_err(), "rolled back as a whole");
}

#[test]
fn untouched_import_exports_byte_identical() {
    let (_t, mut v) = new_vault();
    let src = "# database\nexport DB_URL=postgres://u@h/db # prod\nDB_PASS='p#ss w0rd'\n\n# api\nAPI_KEY=abc\nNOTE=\"it's\"\nMULTI=\"l1\\nl2\"\n";
    import(&mut v, src, &opts("app")).unwrap();
    assert_eq!(export_env(&mut v, &["app"]), src);
    // Edits show up in place; a new secret goes at the end; a removed one disappears.
    put(&mut v, "app/API_KEY", "rotated");
    put(&mut v, "app/ADDED", "x");
    v.remove(&p("app/NOTE")).unwrap();
    let out = export_env(&mut v, &["app"]);
    assert!(out.contains("# api\nAPI_KEY=rotated\n"), "{out}");
    assert!(!out.contains("NOTE="), "{out}");
    assert!(out.ends_with("ADDED=x\n"), "{out}");
}

#[test]
fn layering_later_folder_wins_and_formats() {
    let (_t, mut v) = new_vault();
    put(&mut v, "shared/A", "base");
    put(&mut v, "shared/B", "base-b");
    put(&mut v, "me/A", "mine");
    assert_eq!(export_env(&mut v, &["shared", "me"]), "A=mine\nB=base-b\n");
    let j = v.export(&[f("shared"), f("me")], ExportFormat::Json, None).unwrap().body.unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(j.expose()).unwrap();
    assert_eq!(parsed, serde_json::json!({"A": "mine", "B": "base-b"}));
    put(&mut v, "q/S", "it's $x");
    let sh = v.export(&[f("q")], ExportFormat::Shell, None).unwrap().body.unwrap();
    assert_eq!(sh.expose_str(), "export S='it'\\''s $x'\n");
    let env = v.run_env(&[f("shared"), f("me")], "/usr/bin/env").unwrap();
    let vars: Vec<(String, String)> =
        env.vars.iter().map(|(k, v)| (k.clone(), v.expose_str().to_string())).collect();
    assert_eq!(
        vars,
        [("A".to_string(), "mine".to_string()), ("B".to_string(), "base-b".to_string())]
    );
    assert!(matches!(
        v.export(&[f("empty")], ExportFormat::Env, None),
        Err(Error::EmptyFolder { .. })
    ));
    let runs: Vec<_> = v
        .audit_log(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == hush_core::Action::Run)
        .collect();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].detail.as_deref().unwrap().starts_with("env with 2 secret(s)"));
}

#[test]
fn export_to_file_is_private_and_atomic() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/K", "v");
    let out = t.dir.path().join("out.env");
    std::fs::write(&out, "old").unwrap();
    let e = v.export(&[f("app")], ExportFormat::Env, Some(&out)).unwrap();
    assert!(e.body.is_none());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "K=v\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".hush-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn inject_renders_or_lists_every_unknown_reference() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/DB", "pg://x");
    put(&mut v, "app/\"api.key\"", "k1");
    let tpl = b"db=hush://app/DB\nkey=hush://app/\"api.key\"\nagain=hush://app/DB.\n";
    let (r, body) = v.inject("t.tpl", tpl, None).unwrap();
    assert_eq!(body.unwrap().expose_str(), "db=pg://x\nkey=k1\nagain=pg://x.\n");
    assert_eq!((r.references, r.secrets), (3, 2));
    let out = t.dir.path().join("rendered");
    let e = v
        .inject("t.tpl", b"a=hush://app/DB b=hush://app/NOPE c=hush://x/Y", Some(&out))
        .unwrap_err();
    match &e {
        Error::UnknownRefs { refs } => assert_eq!(refs, &["hush://app/NOPE", "hush://x/Y"]),
        other => panic!("{other}"),
    }
    assert!(!out.exists(), "nothing written");
    v.inject("t.tpl", b"a=hush://app/DB", Some(&out)).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a=pg://x");
}

#[test]
fn canary_never_in_audit_errors_or_db() {
    let (t, mut v) = new_vault();
    let canary = "CANARY-env-4471-zz";
    let src = format!("# comment {canary}\nTOKEN={canary}\nBROKEN=\"{canary}\n");
    let mut o = opts("c");
    o.skip_invalid = true;
    let p = v.import_preview_bytes("c.env", src.as_bytes(), &o).unwrap();
    assert!(!serde_json::to_string(&p).unwrap().contains(canary));
    v.import_commit_bytes(&p, src.as_bytes(), &mut |_, _| {}).unwrap();
    let e = import(&mut v, &format!("X=\"{canary}"), &opts("d")).unwrap_err();
    assert!(!e.to_string().contains(canary));
    let _ = export_env(&mut v, &["c"]);
    let _ = v.inject("t", format!("{canary} hush://c/TOKEN hush://c/NOPE").as_bytes(), None);
    for a in v.audit_log(&Default::default()).unwrap() {
        assert!(!format!("{a:?}").contains(canary), "{a:?}");
    }
    drop(v);
    assert!(
        !contains(&db_bytes(&t), canary),
        "plaintext in the database file (layout comments too)"
    );
}
