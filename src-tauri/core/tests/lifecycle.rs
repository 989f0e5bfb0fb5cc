//! Lifecycle through the public API (issue 14): generated values (length, charset, chi-square
//! over many draws), policies carried by backups and bound by the record MAC, reminders once per
//! threshold across reopenings, validation of real certificates and OpenSSH keys, reports.

mod common;

use common::{new_vault, p, pass, put, reopen, val};
use hush_core::lifecycle::{
    generate, validate, Charset, GenSpec, NoticeSubject, PolicyUpdate, ReportFormat, RotateHow,
    Strategy,
};
use hush_core::{Kind, Protection, Vault, WriteOptions};

const DAY: i64 = 86_400;

/// Pearson's chi-square of observed counts against a uniform expectation.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let e = total as f64 / counts.len() as f64;
    counts.iter().map(|&o| (o as f64 - e).powi(2) / e).sum()
}

/// Upper bound well beyond the 99.9th percentile of chi-square with `df` degrees of freedom
/// (Wilson–Hilferty with z = 4.5: a false alarm about once in 300,000 runs).
fn bound(df: f64) -> f64 {
    let z = 4.5;
    df * (1.0 - 2.0 / (9.0 * df) + z * (2.0 / (9.0 * df)).sqrt()).powi(3)
}

#[test]
fn generated_values_have_their_length_charset_and_a_uniform_distribution() {
    for charset in Charset::ALL {
        let alphabet = charset.alphabet();
        let mut counts = vec![0u64; alphabet.len()];
        let mut first = vec![0u64; alphabet.len()];
        let draws = 4000;
        for _ in 0..draws {
            let g = generate(GenSpec::Chars { charset, length: 24 }).unwrap();
            let s = g.value.expose();
            assert_eq!(s.len(), 24);
            for (i, b) in s.iter().enumerate() {
                let idx = alphabet
                    .iter()
                    .position(|a| a == b)
                    .unwrap_or_else(|| panic!("{} outside {}", *b as char, charset.as_str()));
                counts[idx] += 1;
                if i == 0 {
                    first[idx] += 1;
                }
            }
        }
        let df = (alphabet.len() - 1) as f64;
        let (x2, x2_first) = (chi_square(&counts), chi_square(&first));
        assert!(x2 < bound(df), "{}: chi-square {x2:.1} over {df} df", charset.as_str());
        assert!(x2_first < bound(df), "{} first char: {x2_first:.1}", charset.as_str());
        let bits = GenSpec::Chars { charset, length: 24 }.entropy_bits();
        assert!((bits - 24.0 * (alphabet.len() as f64).log2()).abs() < 1e-9);
    }
    // Words: 30,000 one-word draws over the 7772 words of the list (the EFF list less its four
    // hyphenated words: a phrase splits back into exactly its words).
    let g = generate(GenSpec::Words { count: 6 }).unwrap();
    assert!((g.entropy_bits - 77.55).abs() < 0.01);
    assert_eq!(g.value.expose_str().split('-').count(), 6);
    let mut words: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for _ in 0..30_000 {
        let g = generate(GenSpec::Words { count: 1 }).unwrap();
        *words.entry(g.value.expose_str().to_string()).or_default() += 1;
    }
    assert!(words.len() <= 7772 && words.keys().all(|w| !w.contains('-')));
    let mut counts: Vec<u64> = words.values().copied().collect();
    counts.resize(7772, 0);
    let x2 = chi_square(&counts);
    assert!(x2 < bound(7771.0), "words: chi-square {x2:.1}");
}

#[test]
fn a_policy_survives_backup_and_restore_and_still_rotates() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/KEY", "one");
    let u = PolicyUpdate {
        strategy: Some(Some(Strategy::Automatic)),
        every_days: Some(30),
        handler: Some("read v; echo \"$v-two\"".into()),
        then: Some("cat >/dev/null".into()),
        timeout_secs: Some(9),
        check: Some("grep -q two".into()),
        clear: false,
    };
    let m = v.set_policy(&p("app/KEY"), &u).unwrap();
    let bak = t.dir.path().join("b.hushbak");
    v.backup(&bak, &pass()).unwrap();
    let restored = t.dir.path().join("restored.db");
    let mut r =
        Vault::restore_backup(&bak, &pass(), &restored, Protection::Passphrase(&pass())).unwrap().0;
    if !r.is_unlocked() {
        r.unlock_passphrase(&pass()).unwrap();
    }
    let rm = r.meta(&p("app/KEY")).unwrap();
    assert_eq!(rm.policy, m.policy);
    assert_eq!(rm.rotate_every_days, Some(30));
    let rep = r.rotate(&p("app/KEY"), &RotateHow::Policy, None).unwrap();
    assert_eq!((rep.version, rep.then.map(|t| t.ok)), (2, Some(true)));
    assert!(r.test_secret(&p("app/KEY"), None).unwrap().ok());
    drop(v);
    // Cleared, the record is back to the MAC form of a record that never had a policy.
    let mut v = reopen(&t);
    v.set_policy(&p("app/KEY"), &PolicyUpdate { clear: true, ..Default::default() }).unwrap();
    assert_eq!(v.meta(&p("app/KEY")).unwrap().policy, None);
    assert!(v.verify_integrity().unwrap().is_empty());
}

#[test]
fn reminders_are_given_once_per_threshold_and_not_again_after_reopening() {
    let (t, mut v) = new_vault();
    let now = hush_core::timefmt::now();
    let opts = |e: i64| WriteOptions { expires_at: Some(e), ..Default::default() };
    v.set(&p("c/CERT"), &val("x"), &opts(now + 20 * DAY)).unwrap();
    v.set(&p("c/FAR"), &val("x"), &opts(now + 200 * DAY)).unwrap();
    put(&mut v, "c/ROTATE", "x");
    let every = PolicyUpdate {
        strategy: Some(Some(Strategy::Notify)),
        every_days: Some(10),
        ..Default::default()
    };
    v.set_policy(&p("c/ROTATE"), &every).unwrap();
    let first = v.pending_notices(now).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].path.as_str(), first[0].threshold), ("c/CERT", 30));
    v.record_notices(&first, now).unwrap();
    assert!(v.pending_notices(now).unwrap().is_empty());
    drop(v);
    let mut v = reopen(&t);
    assert!(v.pending_notices(now + 3600).unwrap().is_empty(), "not again after a restart");
    // Seven days later the 14-day threshold; a day after the interval the rotation.
    let later = now + 7 * DAY;
    let n = v.pending_notices(later).unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].threshold, 14);
    v.record_notices(&n, later).unwrap();
    let n = v.pending_notices(now + 11 * DAY).unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].subject, n[0].path.as_str()), (NoticeSubject::Rotation, "c/ROTATE"));
    // Skipped thresholds are not sent late: at expiry only "expired" is given.
    let n = v.pending_notices(now + 21 * DAY).unwrap();
    let expiry: Vec<_> = n.iter().filter(|n| n.subject == NoticeSubject::Expiry).collect();
    assert_eq!(expiry.len(), 1);
    assert_eq!(expiry[0].threshold, 0);
    assert!(expiry[0].text(now + 21 * DAY).0.contains("has expired"));
}

#[test]
fn certificates_and_keys_are_parsed_and_report_their_expiry() {
    let cert = include_str!("fixtures/cert.pem");
    let v = validate(Kind::Certificate, &val(cert));
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.expires_at, Some(hush_core::timefmt::parse_date("2029-08-22T11:02:15Z").unwrap()));
    let key = include_str!("fixtures/id_ed25519_test");
    assert!(validate(Kind::SshKey, &val(key)).problems.is_empty());
    let broken = cert.replacen("MI", "XX", 1);
    assert_eq!(validate(Kind::Certificate, &val(&broken)).problems.len(), 1);

    let (_t, mut v) = new_vault();
    let cert_opts = WriteOptions { kind: Some(Kind::Certificate), ..Default::default() };
    let out = v.set(&p("tls/CERT"), &val(cert), &cert_opts).unwrap();
    assert!(out.warnings.is_empty());
    assert!(out.value_expires_at.is_some());
    // Warned by default, refused when strict; nothing written then.
    let out = v.set(&p("tls/BAD"), &val(&broken), &cert_opts).unwrap();
    assert_eq!(out.warnings.len(), 1);
    let strict = WriteOptions { strict: true, ..cert_opts };
    assert!(v.set(&p("tls/BAD"), &val(&broken), &strict).is_err());
    assert_eq!(v.meta(&p("tls/BAD")).unwrap().version, 1);
    let url =
        WriteOptions { kind: Some(Kind::ConnectionString), strict: true, ..Default::default() };
    assert!(v.set(&p("db/URL"), &val("postgres://u:p@localhost/db"), &url).is_ok());
    assert!(v.set(&p("db/ADO"), &val("Server=x;Password=y"), &url).is_err());
}

#[test]
fn the_report_holds_metadata_activity_and_the_chain_never_a_value() {
    let (_t, mut v) = new_vault();
    let canary = format!("CANARY-{}", std::process::id());
    put(&mut v, "app/A", &canary);
    put(&mut v, "app/B", "b");
    common::read(&mut v, "app/A");
    common::read(&mut v, "app/A");
    let now = hush_core::timefmt::now();
    let r = v.report(now - 30 * DAY, now).unwrap();
    assert!(r.audit.ok && r.audit.keyed_checked);
    let a = r.secrets.iter().find(|s| s.path == "app/A").unwrap();
    assert_eq!((a.reads, a.writes), (2, 1));
    assert_eq!(r.activity.len(), 31);
    assert_eq!(r.findings["no_expiry"], 2);
    for f in [ReportFormat::Json, ReportFormat::Csv, ReportFormat::Html] {
        let text = r.render(f);
        assert!(!text.contains(&canary), "{f:?} holds a value");
        assert!(text.contains("app/A"));
    }
    let html = r.render(ReportFormat::Html);
    assert!(html.contains("<svg") && html.contains("id=\"inventory\""));
    for external in ["<script", "src=", "href=", "url("] {
        assert!(!html.contains(external), "{external}: the HTML must be self-contained");
    }
}
