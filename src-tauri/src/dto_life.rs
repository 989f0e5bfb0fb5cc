//! IPC types of the lifecycle: the editor's generator and the compliance report. The generated
//! value is the only thing here that is secret (`Generated`, redacted in `Debug`); the report is
//! metadata and the audit log only, as `hush report` prints it.

use hush_core::lifecycle::{Charset, Finding, Report, ReportFormat, ReportRow, Strategy};
use hush_core::{AuditVerification, Kind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What to generate: `words` set means a passphrase of that many words (the charset and length
/// are then ignored), as `hush generate --words N`.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GenerateRequest {
    pub charset: Charset,
    pub length: u32,
    pub words: Option<u32>,
}

impl GenerateRequest {
    pub fn spec(self) -> hush_core::lifecycle::GenSpec {
        use hush_core::lifecycle::GenSpec;
        match self.words {
            Some(count) => GenSpec::Words { count },
            None => GenSpec::Chars { charset: self.charset, length: self.length },
        }
    }
}

/// A generated value, on its way into the editor's (masked) value field, and what it is worth.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Generated {
    pub value: String,
    pub entropy_bits: f64,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("value", &"[redacted]")
            .field("entropy_bits", &self.entropy_bits)
            .finish()
    }
}

/// The formats a report is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ReportFormatDto {
    Html,
    Json,
    Csv,
}

impl From<ReportFormatDto> for ReportFormat {
    fn from(f: ReportFormatDto) -> Self {
        match f {
            ReportFormatDto::Html => ReportFormat::Html,
            ReportFormatDto::Json => ReportFormat::Json,
            ReportFormatDto::Csv => ReportFormat::Csv,
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportRowDto {
    pub path: String,
    pub folder: String,
    pub kind: Kind,
    pub version: u64,
    pub created_at: i64,
    pub age_days: i64,
    pub last_rotated_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub last_read_at: Option<i64>,
    pub reads: u64,
    pub writes: u64,
    pub strategy: Option<Strategy>,
    pub rotate_every_days: Option<u32>,
    pub findings: Vec<Finding>,
}

impl From<ReportRow> for ReportRowDto {
    fn from(r: ReportRow) -> Self {
        ReportRowDto {
            path: r.path,
            folder: r.folder,
            kind: r.kind,
            version: r.version,
            created_at: r.created_at,
            age_days: r.age_days,
            last_rotated_at: r.last_rotated_at,
            expires_at: r.expires_at,
            last_read_at: r.last_read_at,
            reads: r.reads,
            writes: r.writes,
            strategy: r.strategy,
            rotate_every_days: r.rotate_every_days,
            findings: r.findings,
        }
    }
}

/// How many secrets have one finding.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingCount {
    pub finding: Finding,
    pub label: String,
    pub count: u64,
}

/// Reads, writes and other audited actions on one UTC day.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DayActivityDto {
    pub day: i64,
    pub reads: u64,
    pub writes: u64,
    pub other: u64,
}

/// The audit chain's verification, as the report records it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditResultDto {
    pub ok: bool,
    pub entries: i64,
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
    /// The keyed links and the anchor were checked too (the vault was unlocked).
    pub keyed_checked: bool,
    /// Newest entries written while locked, after the anchor.
    pub unanchored: i64,
}

impl From<AuditVerification> for AuditResultDto {
    fn from(a: AuditVerification) -> Self {
        AuditResultDto {
            ok: a.ok,
            entries: a.entries,
            first_bad_seq: a.first_bad_seq,
            problem: a.problem,
            keyed_checked: a.keyed_checked,
            unanchored: a.unanchored,
        }
    }
}

/// The compliance report of `hush report`, for the Report view.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportDto {
    pub generated_at: i64,
    pub since: i64,
    pub vault_id: String,
    pub secrets: Vec<ReportRowDto>,
    pub findings: Vec<FindingCount>,
    pub activity: Vec<DayActivityDto>,
    pub audit: AuditResultDto,
}

impl From<Report> for ReportDto {
    fn from(r: Report) -> Self {
        let findings = Finding::ALL
            .iter()
            .map(|f| FindingCount {
                finding: *f,
                label: f.label().to_string(),
                count: r.findings.get(f.as_str()).copied().unwrap_or(0) as u64,
            })
            .collect();
        ReportDto {
            generated_at: r.generated_at,
            since: r.since,
            vault_id: r.vault_id,
            secrets: r.secrets.into_iter().map(ReportRowDto::from).collect(),
            findings,
            activity: r
                .activity
                .into_iter()
                .map(|d| DayActivityDto {
                    day: d.day,
                    reads: d.reads,
                    writes: d.writes,
                    other: d.other,
                })
                .collect(),
            audit: r.audit.into(),
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportExported {
    pub path: String,
    pub bytes: u64,
}

/// The TypeScript declarations of this module (written into bindings.ts by dto.rs's test).
#[cfg(test)]
pub fn declarations(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        Charset::decl(cfg),
        Strategy::decl(cfg),
        Finding::decl(cfg),
        GenerateRequest::decl(cfg),
        Generated::decl(cfg),
        ReportFormatDto::decl(cfg),
        ReportRowDto::decl(cfg),
        FindingCount::decl(cfg),
        DayActivityDto::decl(cfg),
        AuditResultDto::decl(cfg),
        ReportDto::decl(cfg),
        ReportExported::decl(cfg),
    ]
}
