//! The whole lint of one file. The first byte picks the kind (even: Dockerfile, odd: compose)
//! and whether every rule runs; the rest is the file, decoded as the CLI decodes it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::rules::engine::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let (kind, path) = if head & 1 == 0 {
        (FileKind::Dockerfile, "/nonexistent-plimsoll-fuzz/Dockerfile")
    } else {
        (FileKind::Compose, "/nonexistent-plimsoll-fuzz/compose.yaml")
    };
    let mut settings = LintSettings::default();
    if head & 2 != 0 {
        settings.select = vec!["ALL".to_string()];
    }
    let (text, _) = decode(rest.to_vec());
    let file = SourceFile::new(path, text, kind);
    let report = lint_source(&file, &settings);
    for f in &report.findings {
        assert!(
            file.text.get(f.span.range()).is_some(),
            "finding span outside the text: {f:?}"
        );
        // Positions must be computable for every report format.
        let _ = file.line_col(f.span.start as usize);
        let _ = file.line_col(f.span.end as usize);
        assert!(!f.message.contains("internal error"), "a rule panicked: {}", f.message);
    }
});
