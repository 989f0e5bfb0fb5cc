//! Rotation: a new value from a handler command (the policy's, or `--with`), or generated, written
//! as a new version only when the handler succeeded; then an optional post-rotation command.
//!
//! The handler runs outside any transaction (it may call `hush` itself, e.g. to read an admin
//! credential), with the current value on stdin. It fails, and nothing changes but an audit entry
//! `rotate_failed` with how it ended (never its output), when it exits non-zero, is killed, runs
//! past its timeout, prints nothing, prints the current value again, or prints something that is
//! not a value of the secret's kind. On success the new version is written in one transaction
//! (`rotate`, last-rotated set). The post-rotation command gets the new value on stdin; its
//! failure is reported and audited, and the new version stays: the provider already rotated.

use serde::Serialize;

use super::exec::{self, CommandOutcome, DEFAULT_TIMEOUT_SECS};
use super::generate::{generate, GenSpec};
use super::policy::Strategy;
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::model::{ListFilter, WriteOptions};
use crate::path::SecretPath;
use crate::secret::SecretValue;
use crate::vault::{live_row, open_current, Vault};

/// Where the new value comes from.
#[derive(Debug, Clone)]
pub enum RotateHow {
    /// The policy's handler command.
    Policy,
    /// This command (reads the current value on stdin, prints the new one).
    With(String),
    /// A generated value (the provider is told by the post-rotation command, if any).
    Generate(GenSpec),
}

/// How the post-rotation command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ThenOutcome {
    pub ok: bool,
    pub outcome: CommandOutcome,
}

/// A successful rotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotateReport {
    pub path: String,
    /// The new version.
    pub version: u64,
    /// The version the handler was given.
    pub previous: u64,
    /// `handler`, `command` or the generated spec.
    pub source: String,
    /// The post-rotation command's result, when there was one.
    pub then: Option<ThenOutcome>,
}

/// What `rotate --due` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DueSummary {
    pub rotated: Vec<RotateReport>,
    /// Secrets whose rotation failed (nothing changed for them): path and why.
    pub failed: Vec<DueFailure>,
    /// Due automatic secrets' count when the run started.
    pub due: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DueFailure {
    pub path: String,
    pub reason: String,
    pub kind: crate::ErrorKind,
}

impl Vault {
    /// Rotates one secret. `then` overrides the policy's post-rotation command.
    pub fn rotate(
        &mut self,
        path: &SecretPath,
        how: &RotateHow,
        then: Option<&str>,
    ) -> Result<RotateReport> {
        let path_s = path.to_string();
        let (current, row) = {
            let (keys, store) = self.parts()?;
            let tx = store.read()?;
            let row = live_row(&tx, keys, &path_s)?
                .ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
            (open_current(&tx, keys, &row)?, row)
        };
        let timeout = row.policy.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        let (new, source) = match how {
            RotateHow::Generate(spec) => (generate(*spec)?.value, spec.describe()),
            RotateHow::With(cmd) => {
                (self.run_handler(&path_s, cmd, &current, timeout)?, "command".into())
            }
            RotateHow::Policy => {
                let cmd = row
                    .policy
                    .handler
                    .clone()
                    .ok_or_else(|| Error::NoHandler { path: path_s.clone() })?;
                (self.run_handler(&path_s, &cmd, &current, timeout)?, "handler".into())
            }
        };
        if let Err(e) = row.kind.validate(&new) {
            let why = format!("the new value is not a valid {}", row.kind.as_str());
            self.rotate_failed(&path_s, &why)?;
            return Err(Error::RotationFailed { path: path_s, reason: format!("{why}: {e}") });
        }
        drop(current);
        let detail = format!("version {} from {source}", row.current_version + 1);
        let out = self.write(path, &new, &WriteOptions::default(), Action::Rotate, Some(detail))?;
        let then_cmd = then.map(String::from).or(row.policy.then.clone());
        let then = match then_cmd {
            None => None,
            Some(cmd) => {
                let ran = exec::run(&cmd, &path_s, &new, timeout)?;
                let ok = ran.outcome.ok();
                let detail = format!("post-rotation command: {}", ran.outcome.describe());
                let outcome = if ok { Outcome::Ok } else { Outcome::Failure };
                self.audit_event(Action::Rotate, Some(&path_s), outcome, Some(&detail))?;
                Some(ThenOutcome { ok, outcome: ran.outcome })
            }
        };
        Ok(RotateReport {
            path: out.path,
            version: out.version,
            previous: row.current_version,
            source,
            then,
        })
    }

    /// Runs a handler; any failure is audited (`rotate_failed`, how it ended) and returned.
    fn run_handler(
        &mut self,
        path: &str,
        cmd: &str,
        current: &SecretValue,
        timeout: u32,
    ) -> Result<SecretValue> {
        let ran = exec::run(cmd, path, current, timeout)?;
        let why = if !ran.outcome.ok() {
            format!("the handler ended with {}", ran.outcome.describe())
        } else {
            match exec::output_value(&ran.stdout) {
                Ok(v) if v.expose() == current.expose() => {
                    "the handler printed the current value again".to_string()
                }
                Ok(v) => return Ok(v),
                Err(why) => format!("the handler {why}"),
            }
        };
        self.rotate_failed(path, &why)?;
        Err(Error::RotationFailed { path: path.into(), reason: why })
    }

    fn rotate_failed(&mut self, path: &str, why: &str) -> Result<()> {
        self.audit_event(Action::RotateFailed, Some(path), Outcome::Failure, Some(why))
    }

    /// Every live secret with the automatic strategy whose rotation is due at `now`.
    pub fn due_automatic(&self, now: i64) -> Result<Vec<SecretPath>> {
        let mut out = Vec::new();
        for m in self.list(&ListFilter::default())? {
            let auto = m.policy.as_ref().and_then(|p| p.strategy) == Some(Strategy::Automatic);
            let due = super::due_at(m.rotate_every_days, m.last_rotated_at, m.created_at);
            if auto && due.is_some_and(|d| d <= now) {
                out.push(SecretPath::parse(&m.path)?);
            }
        }
        Ok(out)
    }

    /// Rotates every due automatic secret, each in its own transaction; a failure is recorded
    /// and the next one goes on.
    pub fn rotate_due(&mut self, now: i64) -> Result<DueSummary> {
        let due = self.due_automatic(now)?;
        let mut s = DueSummary { due: due.len(), ..Default::default() };
        for p in due {
            match self.rotate(&p, &RotateHow::Policy, None) {
                Ok(r) => s.rotated.push(r),
                Err(e) => s.failed.push(DueFailure {
                    path: p.to_string(),
                    reason: e.to_string(),
                    kind: e.kind(),
                }),
            }
        }
        Ok(s)
    }

    /// Runs a secret's check command (`hush test`) with its value on stdin; records when it last
    /// passed, and audits `test` either way. `with` overrides the policy's command.
    pub fn test_secret(&mut self, path: &SecretPath, with: Option<&str>) -> Result<CommandOutcome> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let (value, row) = {
            let tx = store.read()?;
            let row = live_row(&tx, keys, &path_s)?
                .ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
            (open_current(&tx, keys, &row)?, row)
        };
        let cmd = with
            .map(String::from)
            .or(row.policy.check.clone())
            .ok_or_else(|| Error::NoCheck { path: path_s.clone() })?;
        let timeout = row.policy.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        let ran = exec::run(&cmd, &path_s, &value, timeout)?;
        drop(value);
        let tx = store.write()?;
        let outcome = if ran.outcome.ok() {
            tx.mark_checked(row.id, crate::timefmt::now())?;
            Outcome::Ok
        } else {
            Outcome::Failure
        };
        let detail = format!("version {}: {}", row.current_version, ran.outcome.describe());
        audit::append(&tx, Some(keys), Action::Test, Some(&path_s), outcome, Some(&detail))?;
        tx.commit()?;
        Ok(ran.outcome)
    }
}
