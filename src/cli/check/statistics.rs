//! `--statistics`: findings per rule, most frequent first, instead of the findings.

use crate::finding::{FileReport, Severity};
use crate::output_format::Format;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Counts per rule (code, name), with the highest severity seen.
#[derive(Default)]
pub(super) struct Statistics(BTreeMap<(&'static str, &'static str), (usize, Severity)>);

impl Statistics {
    /// The counts of one file's findings.
    pub(super) fn of(report: &FileReport) -> Statistics {
        let mut s = Statistics::default();
        for f in &report.findings {
            s.count(f.code, f.name, 1, f.severity);
        }
        s
    }

    pub(super) fn add(&mut self, other: Statistics) {
        for ((code, name), (n, sev)) in other.0 {
            self.count(code, name, n, sev);
        }
    }

    fn count(&mut self, code: &'static str, name: &'static str, n: usize, sev: Severity) {
        let e = self.0.entry((code, name)).or_insert((0, sev));
        e.0 += n;
        e.1 = e.1.max(sev);
    }

    /// A table (or, for `--format json`, a JSON array) of the counts.
    pub(super) fn write(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        let mut rows: Vec<_> = self.0.iter().collect();
        rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        if format == Format::Json {
            let list: Vec<_> = rows
                .iter()
                .map(|((code, name), (count, sev))| {
                    serde_json::json!({ "code": code, "name": name, "count": count, "severity": sev })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            return writeln!(out);
        }
        for ((code, name), (count, sev)) in &rows {
            writeln!(out, "{count:>6}  {code:<6} {name:<28} {sev}")?;
        }
        Ok(())
    }
}
