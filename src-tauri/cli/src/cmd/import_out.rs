//! `hush import`'s output, streamed: each line's status is printed as the engine decides it, so
//! a million-line file never has its whole preview in memory (text or `--json`).

use std::fmt::Write as _;
use std::io::{BufWriter, IsTerminal, Stdout, Write};

use hush_core::{ImportItem, ImportOutcome, ImportSink, ImportStart, ImportStatus};
use serde::Serialize;

/// Prints items to stdout through one buffer. A failed write (a closed pipe) stops the printing
/// but not the import, which ends as it would have; the failure is reported after it.
pub struct Printer {
    out: BufWriter<Stdout>,
    failed: Option<std::io::Error>,
    json: bool,
    width: usize,
    first: bool,
    /// Progress on stderr (a terminal) while stdout goes elsewhere.
    progress: Option<(u64, u64)>,
    line: String,
}

impl Printer {
    pub fn new(json: bool, dry_run: bool) -> Printer {
        let progress = (!json
            && !dry_run
            && std::io::stderr().is_terminal()
            && !std::io::stdout().is_terminal())
        .then_some((0, 0));
        Printer {
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            failed: None,
            json,
            width: 4,
            first: true,
            progress,
            line: String::new(),
        }
    }

    fn put(&mut self, text: &str) {
        if self.failed.is_none() {
            let safe =
                if self.json { crate::term::safe_json(text) } else { crate::term::safe(text) };
            if let Err(e) = self.out.write_all(safe.as_bytes()) {
                self.failed = Some(e);
            }
        }
    }

    fn json<T: Serialize + ?Sized>(&mut self, v: &T) {
        self.put(&serde_json::to_string(v).expect("serialisable"));
    }

    /// The end: counts, warnings and what was written (or the JSON's closing part).
    pub fn finish(mut self, o: &ImportOutcome) {
        if let Some((_, total)) = self.progress.filter(|(d, _)| *d > 0) {
            eprintln!("\rimporting {total}/{total}");
        }
        let c = &o.counts;
        if self.json {
            self.put("\n],\"counts\":");
            self.json(c);
            self.put(",\"warnings\":");
            self.json(&o.warnings);
            self.put(",\"digest\":");
            self.json(&o.digest);
            self.put(&format!("}},\n\"committed\":{}", o.report.is_some()));
            if let Some(r) = &o.report {
                self.put(",\"report\":");
                self.json(r);
            }
            self.put("}\n");
        } else {
            let counts = format!(
                "new {}, changed {}, unchanged {}, skipped {}, invalid {}\n",
                c.new, c.changed, c.unchanged, c.skipped, c.invalid
            );
            self.put(&counts);
        }
        if let Err(e) = self.out.flush() {
            self.failed.get_or_insert(e);
        }
        if !self.json {
            for w in &o.warnings {
                errln!("warning: {w}");
            }
            if let Some(r) = &o.report {
                self.put(&format!(
                    "imported into {}: {} new, {} updated\n",
                    r.folder, r.created, r.updated
                ));
                if let Err(e) = self.out.flush() {
                    self.failed.get_or_insert(e);
                }
            }
        }
        if let Some(e) = &self.failed {
            crate::term::stdout_failed(e);
        }
    }
}

impl ImportSink for Printer {
    fn start(&mut self, s: &ImportStart<'_>) {
        self.width = s.width;
        if let Some(p) = &mut self.progress {
            p.1 = s.total;
        }
        if self.json {
            self.put("{\"preview\":{\"source\":");
            self.json(s.source);
            self.put(",\"folder\":");
            self.json(s.folder);
            self.put(",\"options\":");
            self.json(s.options);
            self.put(",\"items\":[");
        } else {
            self.put(&format!("import {} into {}\n", s.source, s.folder));
        }
    }

    fn item(&mut self, i: &ImportItem) {
        if let Some((done, total)) = &mut self.progress {
            *done += 1;
            if *done % 200 == 0 {
                eprint!("\rimporting {done}/{total}");
            }
        }
        if self.json {
            self.put(if self.first { "\n" } else { ",\n" });
            self.first = false;
            self.json(i);
            return;
        }
        let status = match i.status {
            ImportStatus::New => "new",
            ImportStatus::Changed => "changed",
            ImportStatus::Unchanged => "unchanged",
            ImportStatus::Skipped => "skipped",
            ImportStatus::Invalid => "invalid",
        };
        let name = i.name.as_deref().unwrap_or("-");
        let w = self.width;
        // One buffer for every line (a large file prints tens of thousands).
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let _ = write!(line, "  {status:<9}  {name:<w$}  line {}", i.line);
        if let Some(n) = &i.note {
            let _ = write!(line, "  ({n})");
        }
        line.push('\n');
        self.put(&line);
        self.line = line;
    }
}
