//! Every RUN of the shared Dockerfile corpus goes through the shell tokenizer: no panic, every
//! span inside its text, every RUN yields a command, and the commands rules look for are found.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

#[path = "../benches/support/shell_runs.rs"]
mod runs;

use plimsoll::syntax::shell;

#[test]
fn corpus_runs_tokenize() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let runs = runs::corpus_runs(&shared);
    assert!(
        runs.len() > 100,
        "too few RUN instructions found: {}",
        runs.len()
    );
    let (mut commands, mut with_errors, mut apt_y, mut apt_install) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for (file, text) in &runs {
        let base = 1000;
        let s = shell::parse(text, base);
        if s.commands.is_empty() {
            problems.push(format!("{file}: no command in {text:?}"));
        }
        if !s.errors.is_empty() {
            with_errors += 1;
        }
        commands += s.commands.len();
        for c in &s.commands {
            for w in c.assignments.iter().chain(&c.words) {
                let raw = s.slice(w.span);
                if raw.is_empty() || w.span.start < base as u32 {
                    problems.push(format!("{file}: bad span {:?} in {text:?}", w.span));
                }
            }
            if c.is("apt-get") && c.subcommand() == Some("install") {
                apt_install += 1;
                if c.has_any_flag(&["-y", "--yes", "--assume-yes"]) {
                    apt_y += 1;
                }
            }
        }
    }
    println!(
        "{} RUNs, {commands} commands, {with_errors} with recovery notes, apt-get install: {apt_install} ({apt_y} with -y)",
        runs.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(apt_install > 0 && apt_y > 0);
    // Real RUN lines are well-formed shell: recovery notes must stay rare.
    assert!(
        with_errors * 50 < runs.len(),
        "{with_errors} RUNs with errors"
    );
}
