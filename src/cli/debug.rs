//! `plimsoll debug ast [--format tree|buildkit] FILE`: print a Dockerfile's syntax tree.

use super::ExitStatus;
use crate::syntax::dockerfile;
use std::io::Write;

pub fn ast(args: super::DebugAstArgs) -> ExitStatus {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return super::fail(format!("cannot read {}: {e}", args.file.display())),
    };
    match args.format.as_str() {
        "buildkit" => {
            // Invalid UTF-8 bytes survive parsing so the dump can print them as BuildKit does.
            let text = dockerfile::dump::decode_lossless(&bytes);
            let df = dockerfile::parse(&text);
            if let Some(e) = df.errors.first() {
                let line =
                    crate::source::LineIndex::new(&text).line_col(e.span.start as usize, &text);
                return super::fail(format!(
                    "{}:{}:{}: BuildKit rejects this file: {}",
                    args.file.display(),
                    line.line,
                    line.column,
                    e.message
                ));
            }
            let out = dockerfile::dump::dump_bytes(&dockerfile::dump::dump(&df));
            write_out(&out)
        }
        "tree" => {
            let (text, bad) = crate::source::decode(bytes);
            let df = dockerfile::parse(&text);
            let mut out = String::new();
            if let Some(at) = bad {
                out.push_str(&format!(
                    "note: invalid UTF-8 at byte offset {at}; bad bytes read as U+FFFD\n"
                ));
            }
            out.push_str(&dockerfile::debug_tree::render(&df, &text));
            write_out(out.as_bytes())
        }
        other => super::fail(format!(
            "unknown format `{other}` for `debug ast` (expected tree or buildkit)"
        )),
    }
}

fn write_out(bytes: &[u8]) -> ExitStatus {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitStatus::Success,
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(e) => super::fail(format!("cannot write output: {e}")),
    }
}
