//! Rotation policies: a strategy, an interval (the record's `rotate_every_days`), for automatic
//! rotation a handler command, a post-rotation command, a timeout, and a check command.

use serde::Serialize;

use super::exec::MAX_TIMEOUT_SECS;
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::keys::MacInput;
use crate::path::SecretPath;
use crate::vault::{live_row, Vault};

/// How a secret is rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Strategy {
    /// The user rotates it (`hush rotate PATH --with/--generate`); status shows when it is due.
    Manual,
    /// Like manual, and the desktop app reminds the user when it falls due.
    Notify,
    /// `hush rotate --due` runs the handler command when it falls due.
    Automatic,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Manual, Strategy::Notify, Strategy::Automatic];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Manual => "manual",
            Strategy::Notify => "notify",
            Strategy::Automatic => "automatic",
        }
    }

    pub fn parse(s: &str) -> Result<Strategy> {
        Strategy::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            Error::InvalidInput(format!(
                "unknown rotation strategy '{}'; use manual, notify or automatic",
                s.escape_debug()
            ))
        })
    }
}

/// A secret's policy. Every command here is run by Hush with the value on stdin (never in argv or
/// the environment) and is covered by the record's MAC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub strategy: Option<Strategy>,
    /// `automatic`: reads the current value on stdin, prints the new one on stdout.
    pub handler: Option<String>,
    /// Run after a successful rotation with the new value on stdin.
    pub then: Option<String>,
    /// How long the handler (and the post-rotation command) may run, in seconds.
    pub timeout_secs: Option<u32>,
    /// `hush test`: exits 0 when the value works (e.g. an API call).
    pub check: Option<String>,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}

/// A change of policy: `None` keeps a field, `Some("")` (or `Some(0)`) removes it.
#[derive(Debug, Clone, Default)]
pub struct PolicyUpdate {
    pub strategy: Option<Option<Strategy>>,
    pub every_days: Option<u32>,
    pub handler: Option<String>,
    pub then: Option<String>,
    pub timeout_secs: Option<u32>,
    pub check: Option<String>,
    /// Removes the whole policy (and the interval) first.
    pub clear: bool,
}

/// The record MAC's trailing parts for a policy: none when there is no policy, so records written
/// before policies existed keep their MAC.
pub(crate) fn policy_mac_tail(m: MacInput, p: &Policy) -> MacInput {
    if p.is_empty() {
        return m;
    }
    m.text("policy")
        .opt_text(p.strategy.map(Strategy::as_str))
        .opt_text(p.handler.as_deref())
        .opt_text(p.then.as_deref())
        .opt_int(p.timeout_secs.map(i64::from))
        .opt_text(p.check.as_deref())
}

fn command(field: &str, s: &str) -> Result<Option<String>> {
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 4096 || s.contains('\0') || s.trim().is_empty() {
        return Err(Error::InvalidInput(format!(
            "the {field} command must be 1-4096 characters with no NUL"
        )));
    }
    Ok(Some(s.to_string()))
}

fn apply(p: &mut Policy, every: &mut Option<u32>, u: &PolicyUpdate) -> Result<()> {
    if u.clear {
        *p = Policy::default();
        *every = None;
    }
    if let Some(s) = u.strategy {
        p.strategy = s;
    }
    if let Some(d) = u.every_days {
        *every = (d > 0).then_some(d);
    }
    if let Some(h) = &u.handler {
        p.handler = command("handler", h)?;
    }
    if let Some(t) = &u.then {
        p.then = command("post-rotation", t)?;
    }
    if let Some(c) = &u.check {
        p.check = command("check", c)?;
    }
    if let Some(t) = u.timeout_secs {
        if t > MAX_TIMEOUT_SECS {
            return Err(Error::InvalidInput(format!(
                "the timeout is at most {MAX_TIMEOUT_SECS} seconds"
            )));
        }
        p.timeout_secs = (t > 0).then_some(t);
    }
    if every.is_some_and(|d| d > 36_500) {
        return Err(Error::InvalidInput("the rotation interval is 1-36500 days".into()));
    }
    if p.strategy == Some(Strategy::Automatic) && p.handler.is_none() {
        return Err(Error::InvalidInput(
            "automatic rotation needs a handler command (it reads the current value on stdin and prints the new one)"
                .into(),
        ));
    }
    if p.strategy.is_some() && every.is_none() {
        return Err(Error::InvalidInput("a rotation strategy needs an interval in days".into()));
    }
    Ok(())
}

impl Vault {
    /// Sets or changes a secret's policy (no new version). Audited as `policy`, naming the
    /// strategy and which commands are set, never their text.
    pub fn set_policy(&mut self, path: &SecretPath, u: &PolicyUpdate) -> Result<crate::SecretMeta> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let mut row = live_row(&tx, keys, &path_s)?
            .ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
        apply(&mut row.policy, &mut row.rotate_every_days, u)?;
        row.updated_at = crate::timefmt::now();
        tx.update_secret(keys, &mut row)?;
        let p = &row.policy;
        let mut detail = vec![format!("strategy {}", p.strategy.map_or("none", Strategy::as_str))];
        if let Some(d) = row.rotate_every_days {
            detail.push(format!("every {d} days"));
        }
        for (name, set) in [("handler", &p.handler), ("then", &p.then), ("check", &p.check)] {
            if set.is_some() {
                detail.push(format!("{name} set"));
            }
        }
        let detail = detail.join(", ");
        audit::append(&tx, Some(keys), Action::Policy, Some(&path_s), Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        Ok(row.meta())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_needs_a_handler_and_an_interval() {
        let (mut p, mut every) = (Policy::default(), None);
        let auto = PolicyUpdate { strategy: Some(Some(Strategy::Automatic)), ..Default::default() };
        assert!(apply(&mut p, &mut every, &auto).is_err());
        let u = PolicyUpdate { handler: Some("rotate.sh".into()), every_days: Some(30), ..auto };
        apply(&mut p, &mut every, &u).unwrap();
        assert_eq!(
            (p.strategy, p.handler.as_deref(), every),
            (Some(Strategy::Automatic), Some("rotate.sh"), Some(30))
        );
        apply(&mut p, &mut every, &PolicyUpdate { clear: true, ..Default::default() }).unwrap();
        assert!(p.is_empty() && every.is_none());
    }
}
