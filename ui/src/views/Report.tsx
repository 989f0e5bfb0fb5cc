// The compliance report of `hush report`: inventory (metadata only), age, last rotation, expiry,
// last read, reads and writes over the period, policy findings and the audit chain's check; and
// its export to HTML, JSON or CSV through the native save dialog. Never a value.
import { useEffect, useState } from 'preact/hooks';
import type { Finding, ReportDto, ReportFormatDto } from '../lib/bindings';
import { expiry, isoDate, isoDay, kindLabel, parseDay } from '../lib/format';
import { ipc } from '../lib/ipc';
import { errorText, toast } from '../lib/toast';
import { BoxedTable } from '../components/VirtualTable';

const REPORT_ROW_H = 30;

/** Short labels of the findings in the table (the counts above carry the long ones). */
export const FINDING_SHORT: Record<Finding, string> = {
  altered: 'altered outside Hush', expired: 'expired', expiring_soon: 'expiring soon', stale: 'stale', never_rotated: 'never rotated', unused: 'unused', no_expiry: 'no expiry',
};
/** Findings that call for action: highlighted when any secret has them (expired in red). */
const WARN: Finding[] = ['altered', 'expired', 'expiring_soon', 'stale'];
const FORMATS: [ReportFormatDto, string, string][] = [['html', 'HTML', 'hush-report.html'], ['json', 'JSON', 'hush-report.json'], ['csv', 'CSV', 'hush-report.csv']];

export function Report({ onOpen }: { onOpen: (path: string) => void }) {
  const [since, setSince] = useState('');
  const [r, setR] = useState<ReportDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sinceTs = since ? parseDay(since) : null;

  useEffect(() => {
    if (since && sinceTs === null) return;
    ipc.report(sinceTs).then((x) => { setError(null); setR(x); }, (e) => setError(errorText(e)));
  }, [sinceTs]);

  const exportAs = async (format: ReportFormatDto, suggested: string) => {
    setBusy(true);
    try {
      const file = await ipc.pickFile('report', suggested);
      if (!file) return;
      const done = await ipc.reportExport(file.handle, format, sinceTs);
      toast(`Wrote the ${format.toUpperCase()} report to ${done.path}.`);
    } catch (e) {
      toast(errorText(e), { kind: 'error' });
    } finally {
      setBusy(false);
    }
  };

  if (error) return <div class="page" id="report"><h2>Report</h2><p class="error" id="report-error">{error}</p></div>;
  if (!r) return <div class="page" id="report"><h2>Report</h2><p class="muted">Loading…</p></div>;
  const max = Math.max(1, ...r.activity.map((a) => a.reads + a.writes + a.other));
  const w = Math.max(4, Math.min(24, 560 / Math.max(1, r.activity.length)));
  return (
    <div class="page" id="report">
      <h2>Report</h2>
      <div class="toolbar row wrap">
        <label class="row small">Since <input id="report-since" type="date" value={since} onInput={(e) => setSince(e.currentTarget.value)} /></label>
        <span class="muted small" id="report-period">{isoDate(r.since)} – {isoDate(r.generatedAt)}, {r.secrets.length} secrets</span>
        <span style="flex:1" />
        {FORMATS.map(([f, label, name]) => (
          <button id={`report-export-${f}`} disabled={busy} title={`Export the report as ${label} (metadata only, no values)`} onClick={() => exportAs(f, name)}>Export {label}</button>
        ))}
      </div>
      <p id="report-audit" class={r.audit.ok ? 'ok-badge' : 'bad-badge'}>
        {r.audit.ok
          ? `✓ Audit chain verified: ${r.audit.entries} entries${r.audit.keyedChecked ? ', keyed links and anchor included' : ''}.`
          : `✗ Audit chain broken at entry ${r.audit.firstBadSeq}: ${r.audit.problem}`}
      </p>
      <div class="report-findings" id="report-findings">
        {r.findings.map((f) => (
          <div class={`stat ${f.count && WARN.includes(f.finding) ? `warn ${f.finding}` : ''}`} data-finding={f.finding}>
            <b>{f.count}</b><span>{f.label}</span>
          </div>
        ))}
      </div>
      <h3>Activity (reads, writes, other)</h3>
      <svg class="chart" id="report-chart" viewBox={`0 0 ${r.activity.length * w} 80`} preserveAspectRatio="none" role="img" aria-label="audited actions per day">
        {r.activity.map((a, i) => {
          const h = ((a.reads + a.writes + a.other) / max) * 70;
          return <rect x={i * w + 1} y={75 - h} width={Math.max(1, w - 2)} height={Math.max(h, 1)} rx={1}><title>{`${isoDay(a.day)}: ${a.reads} reads, ${a.writes} writes, ${a.other} other`}</title></rect>;
        })}
      </svg>
      <ReportRows r={r} onOpen={onOpen} />
    </div>
  );
}

/** A row per secret, only those in view in the DOM: 10,000 table rows froze the page 3.6 s. */
function ReportRows({ r, onOpen }: { r: ReportDto; onOpen: (path: string) => void }) {
  const header = (
    <div class="vrow rrow head"><span>Path</span><span>Kind</span><span class="num" title="Age in days">Age</span><span class="r-opt" title="Last rotated">Rotated</span><span>Expires</span>
      <span class="r-opt">Last read</span><span class="num r-opt">Reads</span><span class="num r-opt">Writes</span><span class="r-opt">Policy</span><span>Findings</span></div>
  );
  const row = (s: ReportDto['secrets'][number]) => {
    const exp = expiry(s.expiresAt, r.generatedAt);
    return (
      <div class="vrow rrow" role="row" style={{ height: `${REPORT_ROW_H}px` }} data-report-path={s.path}>
        <span title={s.path}><a href="#" onClick={(e) => { e.preventDefault(); onOpen(s.path); }}>{s.path}</a></span>
        <span>{kindLabel(s.kind)}</span>
        <span class="num">{s.ageDays}</span>
        <span class="r-opt">{isoDate(s.lastRotatedAt)}</span>
        <span class={`c-exp ${exp.state}`} data-expiry={exp.state} title={exp.label}>{exp.label}</span>
        <span class="r-opt">{isoDate(s.lastReadAt)}</span>
        <span class="num r-opt">{s.reads}</span>
        <span class="num r-opt">{s.writes}</span>
        <span class="r-opt">{s.strategy ? `${s.strategy}${s.rotateEveryDays ? `, ${s.rotateEveryDays} d` : ''}` : s.rotateEveryDays ? `every ${s.rotateEveryDays} d` : '—'}</span>
        <span title={s.findings.map((f) => FINDING_SHORT[f]).join(', ')}>{s.findings.map((f) => <span class={`finding f-${f}`}>{FINDING_SHORT[f]}</span>)}</span>
      </div>
    );
  };
  return (
    <BoxedTable id="report-table" label="Secrets in the report" items={r.secrets} rowHeight={REPORT_ROW_H} maxRows={16} header={header} row={row} />
  );
}
