//! The report as one self-contained HTML file: inline CSS and inline SVG charts, no script, no
//! external resource (its CSP allows nothing else), every string from the vault escaped.

use std::fmt::Write;

use super::report::{Finding, Report, ReportRow};
use super::DAY;
use crate::timefmt::rfc3339;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {
                let _ = write!(out, "&#x{:x};", u32::from(c).max(0x20));
            }
            c => out.push(c),
        }
    }
    out
}

fn date(t: Option<i64>) -> String {
    t.map(|t| rfc3339(t)[..10].to_string()).unwrap_or_else(|| "—".into())
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2230;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#5a6275}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #dfe3ec;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.bad b{color:#b3261e}.ok b{color:#1e7d32}
.charts{display:flex;gap:24px;flex-wrap:wrap}.chart{border:1px solid #dfe3ec;border-radius:8px;padding:10px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef4}
th{background:#f5f6fa}td.n{text-align:right}.chip{display:inline-block;border-radius:10px;padding:0 7px;margin:1px;font-size:12px;background:#eef0f6}
.chip.expired{background:#fbe0de;color:#8c1d18}.chip.expiring_soon,.chip.stale{background:#fdf0d5;color:#7a4b00}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}";

/// Bars of reads (blue) and writes (orange) per day.
fn activity_chart(r: &Report) -> String {
    let (w, h, pad) = (640.0, 160.0, 24.0);
    let n = r.activity.len().max(1) as f64;
    let max = r.activity.iter().map(|d| d.reads.max(d.writes)).max().unwrap_or(0).max(1) as f64;
    let bw = ((w - 2.0 * pad) / n).max(1.0);
    let mut s = format!(
        "<svg id=\"chart-activity\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" role=\"img\" aria-label=\"Reads and writes per day\">",
        h + 30.0
    );
    for (i, d) in r.activity.iter().enumerate() {
        let x = pad + i as f64 * bw;
        for (k, (v, color)) in [(d.reads, "#3d6fd8"), (d.writes, "#e8913a")].iter().enumerate() {
            let bh = (*v as f64 / max) * (h - pad);
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{} {}: {v}</title></rect>",
                x + k as f64 * bw / 2.0,
                h - bh,
                (bw / 2.0 - 0.5).max(0.5),
                bh,
                date(Some(d.day)),
                if k == 0 { "reads" } else { "writes" }
            );
        }
    }
    let _ = write!(
        s,
        "<line x1=\"{pad}\" y1=\"{h}\" x2=\"{}\" y2=\"{h}\" stroke=\"#888\"/><text x=\"{pad}\" y=\"{}\" font-size=\"11\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text><text x=\"2\" y=\"{}\" font-size=\"11\">{}</text></svg>",
        w - pad,
        h + 16.0,
        date(r.activity.first().map(|d| d.day)),
        w - pad,
        h + 16.0,
        date(r.activity.last().map(|d| d.day)),
        pad,
        max as u64
    );
    s
}

/// Horizontal bars: secrets per finding.
fn findings_chart(r: &Report) -> String {
    let total = r.secrets.len().max(1) as f64;
    let mut s = String::from(
        "<svg id=\"chart-findings\" xmlns=\"http://www.w3.org/2000/svg\" width=\"420\" height=\"170\" role=\"img\" aria-label=\"Secrets per finding\">",
    );
    for (i, f) in Finding::ALL.iter().enumerate() {
        let n = r.findings.get(f.as_str()).copied().unwrap_or(0);
        let y = 8.0 + i as f64 * 26.0;
        let bw = (n as f64 / total) * 220.0;
        let color = match f {
            Finding::Expired => "#c0392b",
            Finding::ExpiringSoon | Finding::Stale => "#e8913a",
            _ => "#7b86a6",
        };
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{:.0}\" font-size=\"12\">{}</text><rect x=\"170\" y=\"{:.0}\" width=\"{bw:.1}\" height=\"16\" fill=\"{color}\"/><text x=\"{:.0}\" y=\"{:.0}\" font-size=\"12\">{n}</text>",
            y + 13.0,
            f.label(),
            y,
            176.0 + bw,
            y + 13.0
        );
    }
    s.push_str("</svg>");
    s
}

/// Secrets by time left before expiry.
fn expiry_chart(r: &Report) -> String {
    let buckets = ["expired", "< 30 d", "30–90 d", "90–365 d", "> 1 y", "none"];
    let mut counts = [0usize; 6];
    for s in &r.secrets {
        let i = match s.expires_at {
            None => 5,
            Some(e) if e <= r.generated_at => 0,
            Some(e) => match (e - r.generated_at) / DAY {
                0..=29 => 1,
                30..=89 => 2,
                90..=364 => 3,
                _ => 4,
            },
        };
        counts[i] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = String::from(
        "<svg id=\"chart-expiry\" xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"170\" role=\"img\" aria-label=\"Secrets by time to expiry\">",
    );
    let colors = ["#c0392b", "#e8913a", "#e8c33a", "#5aa469", "#3d6fd8", "#9aa3b8"];
    for (i, (label, n)) in buckets.iter().zip(counts).enumerate() {
        let bh = n as f64 / max * 120.0;
        let x = 10.0 + i as f64 * 58.0;
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{:.1}\" width=\"44\" height=\"{bh:.1}\" fill=\"{}\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"160\" font-size=\"11\" text-anchor=\"middle\">{label}</text>",
            135.0 - bh,
            colors[i],
            x + 22.0,
            130.0 - bh,
            x + 22.0
        );
    }
    s.push_str("</svg>");
    s
}

fn row(out: &mut String, r: &ReportRow) {
    let chips: String = r
        .findings
        .iter()
        .map(|f| format!("<span class=\"chip {}\">{}</span>", f.as_str(), esc(f.label())))
        .collect();
    let expiry = match r.expires_at {
        Some(e) if r.findings.contains(&Finding::Expired) => format!("expired {}", date(Some(e))),
        e => date(e),
    };
    let _ = write!(
        out,
        "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{chips}</td></tr>",
        esc(&r.path),
        r.kind.as_str(),
        r.age_days,
        date(r.last_rotated_at),
        esc(&expiry),
        date(r.last_read_at),
        r.strategy.map(|s| s.as_str()).unwrap_or("—"),
        r.reads,
        r.writes,
        r.rotate_every_days.map(|d| format!("{d} d")).unwrap_or_else(|| "—".into()),
    );
}

pub(crate) fn render(r: &Report) -> String {
    let mut out = String::with_capacity(8192 + r.secrets.len() * 400);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>Hush compliance report {}</title><style>{STYLE}</style></head><body>",
        date(Some(r.generated_at))
    );
    let _ = write!(
        out,
        "<h1>Hush compliance report</h1><div class=\"meta\">Vault {} · period {} to {} · generated {} · metadata and audit log only, no values</div>",
        esc(&r.vault_id),
        date(Some(r.since)),
        date(Some(r.generated_at)),
        esc(&rfc3339(r.generated_at))
    );
    let a = &r.audit;
    let chain = if a.ok {
        format!(
            "verified, {} entries{}",
            a.entries,
            if a.keyed_checked {
                ", keyed links and anchor checked"
            } else {
                " (hash chain only: vault locked)"
            }
        )
    } else {
        format!(
            "BROKEN at entry {}: {}",
            a.first_bad_seq.unwrap_or(0),
            esc(a.problem.as_deref().unwrap_or("unknown"))
        )
    };
    let _ = write!(
        out,
        "<div class=\"cards\"><div class=\"card\"><b id=\"total\">{}</b>secrets</div><div class=\"card {}\" id=\"audit-chain\"><b>{}</b>audit chain: {chain}</div>",
        r.secrets.len(),
        if a.ok { "ok" } else { "bad" },
        if a.ok { "OK" } else { "BROKEN" }
    );
    for f in Finding::ALL {
        let n = r.findings.get(f.as_str()).copied().unwrap_or(0);
        let bad = n > 0 && matches!(f, Finding::Expired | Finding::Stale);
        let _ = write!(
            out,
            "<div class=\"card {}\" id=\"finding-{}\"><b>{n}</b>{}</div>",
            if bad { "bad" } else { "" },
            f.as_str(),
            f.label()
        );
    }
    out.push_str("</div><h2>Activity</h2><div class=\"charts\"><div class=\"chart\">");
    out.push_str(&activity_chart(r));
    out.push_str("<div class=\"legend\"><span style=\"background:#3d6fd8\"></span>reads<span style=\"background:#e8913a\"></span>writes</div></div><div class=\"chart\">");
    out.push_str(&findings_chart(r));
    out.push_str("</div><div class=\"chart\">");
    out.push_str(&expiry_chart(r));
    out.push_str("</div></div><h2>Inventory</h2><table id=\"inventory\"><thead><tr><th>Path</th><th>Kind</th><th>Age (d)</th><th>Last rotated</th><th>Expires</th><th>Last read</th><th>Strategy</th><th>Reads</th><th>Writes</th><th>Interval</th><th>Findings</th></tr></thead><tbody>");
    for s in &r.secrets {
        row(&mut out, s);
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::esc("<a href='x'>&</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    }
}
