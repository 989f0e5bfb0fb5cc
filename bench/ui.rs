//! UI benchmark (not a test): through WebDriver on the real app, ratios against baselines measured
//! in the same run.
//! - start: navigation start → first interactive screen (the lock screen), against the webview's
//!   own first contentful paint of the same page (the bare shell baseline); goal ≤ 2×;
//! - search: each keystroke typed into the search box → filtered rows painted (the next animation
//!   frame after the count changed), at 10,000 and 100,000 secrets, against one 16.7 ms frame;
//!   goals: p95 within one frame at 10,000, two at 100,000;
//! - scroll: a 100 px scroll of the list → rows repainted (next frame), against an idle frame
//!   (two animation frames with nothing to do) of the same page; goal: within one frame.
//!
//! Run by bench/ui.sh (Xvfb + tauri-driver): `cargo bench --bench ui`. `HUSH_BENCH_SIZES=10000`
//! limits the sizes.

#[path = "../tests/support/app.rs"]
mod support;

use hush_core::{ImportOptions, Passphrase, Protection, Settings, Vault};
use serde_json::json;
use support::App;

const RUNS: usize = 5;
const FRAME_MS: f64 = 1000.0 / 60.0;
const PASS: &str = "bench passphrase";

/// N secrets in 100 folders, by bulk import (one transaction per folder).
fn seed(vault: &std::path::Path, n: usize) {
    let mut v =
        Vault::create(vault, Protection::Passphrase(&Passphrase::new(PASS.into()))).unwrap();
    v.set_settings(&Settings { auto_lock_secs: 3600, ..v.settings().unwrap() }).unwrap();
    for f in 0..100 {
        let body: String = (f..n).step_by(100).map(|i| format!("KEY_{i}=value-{i}\n")).collect();
        let opts = ImportOptions { folder: format!("app{f}/env{}", f % 5), ..Default::default() };
        let p = v.import_preview_bytes("bench.env", body.as_bytes(), &opts).unwrap();
        v.import_commit_bytes(&p, body.as_bytes(), &mut |_, _| {}).unwrap();
    }
}

fn stats(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (xs[xs.len() / 2], xs[(xs.len() * 95 / 100).min(xs.len() - 1)])
}

/// Sets the search box to `q` as one keystroke does; times the work until the new rows are in
/// the DOM and laid out (Preact renders in a microtask; layout is forced), and until the frame
/// that shows them has been painted.
const KEYSTROKE_JS: &str = r#"
const [q, done] = arguments;
const box = document.querySelector('#search');
const t0 = performance.now();
box.value = q; box.dispatchEvent(new Event('input', { bubbles: true }));
setTimeout(() => {
  document.querySelector('#secrets-table').getBoundingClientRect();
  const work = performance.now() - t0;
  requestAnimationFrame(() => setTimeout(() => done([work, performance.now() - t0])));
});
"#;

/// Scrolls the list by 100 px and waits for the repaint; or, with `idle`, waits two frames only.
const SCROLL_JS: &str = r#"
const [idle, done] = arguments;
const body = document.querySelector('#secrets-table .vbody');
const t0 = performance.now();
if (!idle) body.scrollTop = body.scrollTop + 100;
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
"#;

async fn run_js(app: &App, js: &str, arg: serde_json::Value) -> serde_json::Value {
    app.client.execute_async(js, vec![arg]).await.unwrap()
}

/// Types each query a keystroke at a time (clearing between queries); times every keystroke.
async fn keystrokes(app: &App) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for q in ["KEY_1234", "env3 app1", "value", "zz"] {
        for _ in 0..RUNS {
            run_js(app, KEYSTROKE_JS, json!("")).await;
            for i in 1..=q.len() {
                let r = run_js(app, KEYSTROKE_JS, json!(&q[..i])).await;
                out.push((r[0].as_f64().unwrap(), r[1].as_f64().unwrap()));
            }
        }
    }
    run_js(app, KEYSTROKE_JS, json!("")).await;
    out
}

async fn scrolls(app: &App) -> (Vec<f64>, Vec<f64>) {
    let (mut busy, mut idle) = (Vec::new(), Vec::new());
    for _ in 0..40 {
        idle.push(run_js(app, SCROLL_JS, json!(true)).await.as_f64().unwrap());
        busy.push(run_js(app, SCROLL_JS, json!(false)).await.as_f64().unwrap());
    }
    (busy, idle)
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("HUSH_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let mut start = Vec::new();
    let mut fcp = Vec::new();
    let mut report = Vec::new();
    for &n in &sizes {
        let (_vault_dir, vault) = App::prepare();
        let t = std::time::Instant::now();
        seed(&vault, n);
        eprintln!("seeded {n} secrets in {:.1}s", t.elapsed().as_secs_f64());
        for run in 0..RUNS {
            // Each run is a fresh app process on the same vault.
            let d = tempfile::tempdir().unwrap();
            let app = App::launch(&format!("bench-{n}-{run}"), d, vault.clone()).await;
            app.wait_for("#lock-screen").await;
            let v = app.client.execute_async(
                "const done = arguments[0]; const get = (n) => (performance.getEntriesByName(n)[0] || {}).startTime;
                 const poll = () => (get('hush-interactive') != null && get('first-contentful-paint') != null)
                   ? done([get('hush-interactive'), get('first-contentful-paint'), get('hush-status-asked'),
                           performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd, !!window.__HUSH_BOOT__, (performance.getEntriesByName('hush-first-render')[0] || {}).startTime]) : setTimeout(poll, 20);
                 poll();",
                vec![],
            ).await.unwrap();
            eprintln!("start {n}/{run}: interactive, fcp, status asked, DOMContentLoaded = {v}");
            if let (Some(a), Some(b)) = (v[0].as_f64(), v[1].as_f64()) {
                start.push(a);
                fcp.push(b);
            }
            if run + 1 < RUNS {
                app.close().await;
                continue;
            }
            // Last run: unlock, then measure typing and scrolling.
            app.fill("#unlock-passphrase", PASS).await;
            app.click("#unlock").await;
            let all = format!("{n} shown");
            app.wait_text("#result-count", |t| t == all).await;
            let keys = keystrokes(&app).await;
            let (scroll, idle) = scrolls(&app).await;
            let painted = stats(keys.iter().map(|k| k.1).collect());
            let keys = stats(keys.iter().map(|k| k.0).collect());
            report.push((n, keys, painted, stats(scroll), stats(idle)));
            app.close().await;
        }
    }
    println!(
        "\nsearch: keystroke → rows rendered and laid out (→ frame painted), vs one 16.7 ms frame"
    );
    println!(
        "  {:>8} {:>9} {:>9} {:>12} {:>14}",
        "secrets", "median", "p95", "p95/frame", "painted p95"
    );
    for (n, (med, p95), (_, painted), _, _) in &report {
        println!("  {n:>8} {med:>7.1}ms {p95:>7.1}ms {:>11.2}x {painted:>12.1}ms", p95 / FRAME_MS);
    }
    println!("\nscroll: 100 px → rows repainted, vs an idle frame pair of the same page (40 each)");
    println!(
        "  {:>8} {:>12} {:>12} {:>8} {:>12}",
        "secrets", "scroll p95", "idle p95", "ratio", "extra/frame"
    );
    for (n, _, _, (_, s95), (_, i95)) in &report {
        println!(
            "  {n:>8} {s95:>10.1}ms {i95:>10.1}ms {:>7.2}x {:>11.2}x",
            s95 / i95,
            (s95 - i95).max(0.0) / FRAME_MS
        );
    }
    let (s_med, _) = stats(start);
    let (f_med, _) = stats(fcp);
    println!(
        "\napp start (navigation → first interactive screen), median of {} launches",
        RUNS * sizes.len()
    );
    println!("  hush first interactive {s_med:>7.1}ms   webview first contentful paint {f_med:>7.1}ms   ratio {:.2}x", s_med / f_med);
}
