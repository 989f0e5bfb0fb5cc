//! The Projects view end to end (issue 13): a project opened through the native picker, trusted
//! after a native question, its environment checked (names only), a `.env` served from the app
//! and read by another process (the read log names it), one served by `hush mount` from the CLI
//! listed and stopped from the app, trust taken back. Included by tests/e2e.rs.

use std::path::PathBuf;
use std::time::Duration;

use hush_core::{SecretPath, SecretValue, Settings, WriteOptions};

use super::support::{hush_cli, App};
use super::{open_seeded, seed};

const PROJECT_CANARY: &str = "project-CANARY-4e19";

const HUSH_TOML: &str = r#"default = "dev"
[env.dev]
from = ["myapp/dev", "myapp/dev-mine"]
[env.prod]
from = ["myapp/prod"]
[vars]
API_KEY = { required = true }
PORT = { type = "port" }
DB_URL = { required = true }
"#;

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and xdotool: run via scripts/test.sh"]
async fn projects_open_trust_check_serve_env_and_read_log() {
    let (dir, vault) = App::prepare();
    seed(&vault, 0);
    {
        let mut v = open_seeded(&vault);
        v.set_settings(&Settings { auto_lock_secs: 300, ..v.settings().unwrap() }).unwrap();
        for (p, val) in [("myapp/dev/API_KEY", PROJECT_CANARY), ("myapp/dev/PORT", "8080")] {
            let value = SecretValue::from_string(val.into());
            v.set(&SecretPath::parse(p).unwrap(), &value, &WriteOptions::default()).unwrap();
        }
    }
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("hush.toml"), HUSH_TOML).unwrap();
    let repo = repo.canonicalize().unwrap();
    App::run("projects", dir, vault.clone(), move |app| flow(app, repo, vault)).await;
}

async fn no_canary(app: &App, when: &str) {
    let page = app.client.source().await.unwrap();
    assert!(!page.contains(PROJECT_CANARY), "a value reached the page: {when}");
}

async fn flow(mut app: App, repo: PathBuf, vault: PathBuf) {
    app.fill("#unlock-passphrase", "e2e passphrase").await;
    app.click("#unlock").await;
    app.click("#nav-projects").await;
    app.wait_for("#projects-empty").await;
    app.wait_for("#mounts-empty").await;

    // Opened through the native picker: known, not trusted by that.
    app.pick_native("#project-open", &repo.join("hush.toml")).await;
    app.wait_for("#project-card [data-trust=\"untrusted\"]").await;
    let envs = app.text("#project-envs").await;
    assert!(envs.contains("myapp/dev + myapp/dev-mine") && envs.contains("prod"), "{envs}");
    app.gone("#project-check").await;
    app.snap("project-opened").await;

    // Trusted after a native question; its check shows at once, by name only.
    app.click("#project-trust").await;
    app.answer_native(true).await;
    app.wait_for("#project-card [data-trust=\"trusted\"]").await;
    app.wait_for("#projects-table [data-trust=\"trusted\"]").await;
    let check = app.wait_text("#project-check-result", |t| !t.is_empty()).await;
    assert!(check.contains("1 missing") && check.contains("missing DB_URL"), "{check}");
    assert!(check.contains("no secrets in myapp/dev-mine"), "{check}");
    no_canary(&app, "after the check").await;
    app.snap("project-trusted-checked").await;

    // Served from the app: a pipe at <project>/.env, read by another process, logged.
    let pipe = repo.join(".env");
    app.click("#project-mount").await;
    let row = format!("#mounts-table tr[data-mount=\"{}\"]", pipe.display());
    let served = app.wait_text(&row, |t| t.contains("this app")).await;
    assert!(served.contains("dev: myapp/dev"), "{served}");
    let read = {
        let pipe = pipe.clone();
        let reader = tokio::task::spawn_blocking(move || std::fs::read_to_string(pipe));
        tokio::time::timeout(Duration::from_secs(10), reader).await.unwrap().unwrap().unwrap()
    };
    assert!(read.contains(&format!("API_KEY={PROJECT_CANARY}")) && read.contains("PORT=8080"));
    let log = app.wait_text("#mount-reads", |t| t.contains(&pipe.display().to_string())).await;
    assert!(log.contains("ok"), "{log}");
    no_canary(&app, "in the read log").await;
    app.snap("env-served-and-read").await;
    app.click(&format!("[data-stop=\"{}\"]", pipe.display())).await;
    app.gone(&row).await;
    assert!(!pipe.exists(), "the pipe is removed when the app stops serving it");

    // A `hush mount` from the CLI shows as such, and the app can stop it (after a question).
    let cli_pipe = repo.join("cli.env");
    let mut cli = std::process::Command::new(hush_cli())
        .args(["--vault", vault.to_str().unwrap(), "mount", "--from", "myapp/dev"])
        .arg(&cli_pipe)
        .env("HUSH_PASSPHRASE", "e2e passphrase")
        .env("XDG_RUNTIME_DIR", app.dir.path().join("runtime"))
        .env("XDG_DATA_HOME", app.dir.path().join("data"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the hush CLI");
    let row = format!("#mounts-table tr[data-mount=\"{}\"]", cli_pipe.display());
    let by = app.wait_text(&row, |t| t.contains("hush mount (pid")).await;
    assert!(by.contains(&cli.id().to_string()), "{by}");
    app.snap("cli-mount-listed").await;
    app.click(&format!("[data-stop=\"{}\"]", cli_pipe.display())).await;
    app.answer_native(true).await;
    app.gone(&row).await;
    let status = tokio::task::spawn_blocking(move || cli.wait()).await.unwrap().unwrap();
    assert!(status.success() || status.code().is_none(), "hush mount ended: {status:?}");
    assert!(!cli_pipe.exists());

    // Trust taken back: no check, no serving.
    app.click("#project-untrust").await;
    app.wait_for("#project-card [data-trust=\"untrusted\"]").await;
    app.gone("#project-mount").await;
    app.snap("project-untrusted").await;
}
