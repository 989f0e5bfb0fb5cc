// At a glance: counts, secrets expiring within 30 days, secrets past their rotation interval,
// and recent activity as a small bar chart.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Overview, SecretRow } from '../lib/bindings';
import { expiry, isoDay, relative } from '../lib/format';
import { errorText } from '../lib/toast';
import { ipc } from '../lib/ipc';

export function Dashboard({ onOpen }: { onOpen: (path: string) => void }) {
  const [o, setO] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void ipc.overview().then(setO, (e) => setError(errorText(e))), []);
  if (error) return <p class="error">{error}</p>;
  if (!o) return <p class="muted">Loading…</p>;
  const now = Date.now() / 1000;
  const max = Math.max(1, ...o.activity.map((a) => a.count));
  const expired = o.expiring.filter((r) => expiry(r.expiresAt, now).state === 'expired').length;
  const list = (rows: SecretRow[], when: (r: SecretRow) => string | JSX.Element, id: string) =>
    rows.length === 0 ? <p class="muted small">Nothing here.</p> : (
      <ul class="plain" id={id}>{rows.slice(0, 12).map((r) => <li><a href="#" onClick={(e) => { e.preventDefault(); onOpen(r.path); }}>{r.path}</a> <span class="muted small">{when(r)}</span></li>)}</ul>
    );
  return (
    <div class="page" id="dashboard">
      <h2>Dashboard</h2>
      <div class="cards">
        <div class="stat"><b id="stat-secrets">{o.secrets}</b><span>secrets</span></div>
        <div class="stat"><b>{o.folders}</b><span>folders</span></div>
        <div class={`stat ${expired ? 'warn expired' : ''}`}><b id="stat-expired">{expired}</b><span>expired</span></div>
        <div class={`stat ${o.expiring.length > expired ? 'warn' : ''}`}><b id="stat-expiring">{o.expiring.length - expired}</b><span>expiring ≤ 30 days</span></div>
        <div class={`stat ${o.stale.length ? 'warn' : ''}`}><b id="stat-stale">{o.stale.length}</b><span>due for rotation</span></div>
        <div class="stat"><b>{o.inTrash}</b><span>in trash</span></div>
      </div>
      <div class="grid2">
        <section><h3>Expired or expiring soon</h3>{list(o.expiring, (r) => expiry(r.expiresAt, now).state === 'expired' ? <span class="chip expired">expired {isoDay(r.expiresAt)}</span> : `expires ${isoDay(r.expiresAt)} (${relative(r.expiresAt, now)})`, 'expiring')}</section>
        <section><h3>Past rotation interval</h3>{list(o.stale, (r) => `updated ${relative(r.updatedAt, now)}`, 'stale')}</section>
      </div>
      <h3>Activity, last 14 days</h3>
      <svg class="chart" id="activity-chart" viewBox={`0 0 ${o.activity.length * 24} 80`} preserveAspectRatio="none" role="img" aria-label="audit entries per day">
        {o.activity.map((a, i) => {
          const h = (a.count / max) * 70;
          return <rect x={i * 24 + 4} y={75 - h} width={16} height={Math.max(h, 1)} rx={2}><title>{`${isoDay(a.day)}: ${a.count}`}</title></rect>;
        })}
      </svg>
    </div>
  );
}
