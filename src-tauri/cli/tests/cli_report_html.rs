//! The HTML report opened in a real browser engine (headless Chromium, Debian's `chromium`):
//! it renders with its charts and inventory, loads nothing from outside, and is screenshotted
//! into the artifacts folder ($HUSH_TEST_ARTIFACTS, set by scripts/test.sh, else
//! target/test-artifacts).

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{canary, TestVault};

fn artifacts_dir() -> PathBuf {
    let d = std::env::var_os("HUSH_TEST_ARTIFACTS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts")
    });
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn chromium(args: &[&str]) -> std::process::Output {
    Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .args(["--no-first-run", "--disable-extensions", "--disable-background-networking"])
        .args(args)
        .output()
        .expect("chromium is needed (apt install chromium; scripts/test.sh installs it)")
}

#[test]
#[ignore = "needs chromium: run via scripts/test.sh"]
fn the_html_report_renders_in_chromium_with_its_charts() {
    let t = TestVault::passphrase();
    let secret = canary();
    let now = hush_core::timefmt::now();
    let date = |days: i64| hush_core::timefmt::rfc3339(now + days * 86_400);
    t.set("shop/prod/DATABASE_URL", &secret, &["--expires", &date(-3)]);
    t.set("shop/prod/STRIPE_KEY", "sk", &["--expires", &date(12)]);
    t.set("shop/dev/API_TOKEN", "t", &["--expires", &date(200)]);
    // A name with markup in it is shown as text, never as markup.
    t.set("blog/\"<b>bold&\"", "x", &[]);
    t.set("blog/dev/SMTP_PASSWORD", "p", &[]);
    t.pw(&[
        "policy",
        "shop/dev/API_TOKEN",
        "--strategy",
        "automatic",
        "--every",
        "30",
        "--handler",
        "echo t2",
    ])
    .ok();
    t.pw(&["rotate", "shop/dev/API_TOKEN"]).ok();
    for _ in 0..3 {
        t.get("shop/prod/STRIPE_KEY");
    }
    let file = t.dir.path().join("report.html");
    t.pw(&["report", "--format", "html", "-o", file.to_str().unwrap()]).ok();
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(!html.contains(&secret), "the report holds a value");
    assert!(!html.contains("<b>bold") && html.contains("&lt;b&gt;bold&amp;"));

    let url = format!("file://{}", file.display());
    let dom = chromium(&["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for needle in [
        "id=\"chart-activity\"",
        "id=\"chart-findings\"",
        "id=\"chart-expiry\"",
        "shop/prod/STRIPE_KEY",
        "expired 20",
    ] {
        assert!(dom.contains(needle), "{needle} missing from the rendered page");
    }
    let shot = artifacts_dir().join("report.png");
    let _ = std::fs::remove_file(&shot);
    let out =
        chromium(&["--window-size=1280,1100", &format!("--screenshot={}", shot.display()), &url]);
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "{} bytes", png.len());
}
