//! Lifecycle: the editor's generator and the compliance report (view and export).

use hush_core::lifecycle::ReportFormat;
use tauri::State;

use crate::dto_life::{GenerateRequest, Generated, ReportDto, ReportExported, ReportFormatDto};
use crate::error::IpcResult;
use crate::picks::PickPurpose;
use crate::state::AppState;

/// The period a report covers when none is given, as `hush report`: the last 90 days.
const DEFAULT_SINCE_DAYS: i64 = 90;

fn since_or_default(since: Option<i64>, now: i64) -> i64 {
    since.unwrap_or(now - DEFAULT_SINCE_DAYS * 86_400)
}

/// A value from the OS CSPRNG for the editor, as `hush generate` draws it. Stored only when the
/// user saves the editor; never logged.
#[tauri::command]
pub async fn generate_value(req: GenerateRequest) -> IpcResult<Generated> {
    let g = hush_core::lifecycle::generate(req.spec())?;
    Ok(Generated { value: g.value.expose_str().to_owned(), entropy_bits: g.entropy_bits })
}

/// The report of `hush report` from `since` (Unix seconds; default the last 90 days) to now.
#[tauri::command]
pub async fn report(state: State<'_, AppState>, since: Option<i64>) -> IpcResult<ReportDto> {
    let now = hush_core::timefmt::now();
    let since = since_or_default(since, now);
    state.actor.vault(move |v| Ok(v.report(since, now)?.into())).await
}

/// Writes the report in `format` to the file picked in the save dialog (0600, atomically).
#[tauri::command]
pub async fn report_export(
    state: State<'_, AppState>,
    file: String,
    format: ReportFormatDto,
    since: Option<i64>,
) -> IpcResult<ReportExported> {
    let now = hush_core::timefmt::now();
    let since = since_or_default(since, now);
    state
        .actor
        .run(move |o| {
            let path = o.picks.resolve(&file, PickPurpose::Report)?;
            let text = o.unlocked()?.report(since, now)?.render(ReportFormat::from(format));
            hush_core::write_private_atomic(&path, text.as_bytes())?;
            Ok(ReportExported { path: path.display().to_string(), bytes: text.len() as u64 })
        })
        .await
}
