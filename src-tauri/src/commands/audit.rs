//! The audit log and the dashboard.

use hush_core::{Action, AuditFilter};
use tauri::State;

use crate::dto::{AuditCheck, AuditQuery, AuditRow, DayCount, Overview, SecretRow};
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn audit_list(state: State<'_, AppState>, query: AuditQuery) -> IpcResult<Vec<AuditRow>> {
    let filter = AuditFilter {
        path_prefix: query.path.filter(|p| !p.is_empty()),
        action: query.action.filter(|a| !a.is_empty()).map(|a| Action::parse(&a)).transpose()?,
        since: query.since,
        limit: query.limit.or(Some(1000)),
    };
    state
        .actor
        .vault(move |v| Ok(v.audit_log(&filter)?.into_iter().map(AuditRow::from).collect()))
        .await
}

#[tauri::command]
pub async fn audit_verify(state: State<'_, AppState>) -> IpcResult<AuditCheck> {
    let r = state.actor.vault(|v| v.audit_verify()).await?;
    Ok(AuditCheck {
        ok: r.ok,
        entries: r.entries,
        first_bad_seq: r.first_bad_seq,
        problem: r.problem,
    })
}

#[tauri::command]
pub async fn overview(state: State<'_, AppState>) -> IpcResult<Overview> {
    let o = state.actor.vault(|v| v.overview(hush_core::timefmt::now(), 14)).await?;
    Ok(Overview {
        secrets: o.secrets,
        folders: o.folders,
        in_trash: o.in_trash,
        expiring: o.expiring.iter().map(SecretRow::from).collect(),
        stale: o.stale.iter().map(SecretRow::from).collect(),
        activity: o.activity.into_iter().map(|d| DayCount { day: d.day, count: d.count }).collect(),
    })
}
