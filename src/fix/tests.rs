use super::*;
use crate::rules::RuleId;
use crate::source::Span;
use proptest::prelude::*;

fn fix(edits: Vec<Edit>) -> Fix {
    Fix {
        description: "test".into(),
        applicability: Applicability::Safe,
        edits,
    }
}

fn rep(s: usize, e: usize, r: &str) -> Edit {
    Edit::replace(Span::new(s, e), r)
}

#[test]
fn keeps_crlf_tabs_and_comments_outside_edits() {
    let text = "# keep me\r\nFROM\talpine:3.19\r\n\tRUN echo hi # trailing\r\n";
    let at = text.find("alpine:3.19").unwrap();
    let out = apply_fixes(
        text,
        &[fix(vec![rep(at, at + 11, "alpine:3.19@sha256:abc")])],
    );
    assert_eq!(
        out.text,
        "# keep me\r\nFROM\talpine:3.19@sha256:abc\r\n\tRUN echo hi # trailing\r\n"
    );
    assert_eq!(out.applied, vec![0]);
}

#[test]
fn overlapping_fix_is_deferred_and_whole() {
    let text = "abcdefghij";
    let fixes = [
        fix(vec![rep(2, 5, "X")]),
        // Second edit overlaps the first fix: the whole fix waits, including its first edit.
        fix(vec![rep(0, 1, "Y"), rep(4, 6, "Z")]),
        fix(vec![rep(8, 9, "W")]),
    ];
    let out = apply_fixes(text, &fixes);
    assert_eq!(out.text, "abXfghWj");
    assert_eq!(out.applied, vec![0, 2]);
    assert_eq!(out.deferred, vec![1]);
}

#[test]
fn touching_ranges_and_inserts_at_boundaries_apply_in_order() {
    let text = "0123456789";
    let fixes = [
        fix(vec![rep(2, 4, "ab")]),
        fix(vec![rep(4, 6, "cd")]),
        fix(vec![Edit::insert(2, "<")]),
        fix(vec![Edit::insert(6, ">")]),
    ];
    let out = apply_fixes(text, &fixes);
    assert_eq!(out.text, "01<abcd>6789");
    assert!(out.deferred.is_empty());
}

#[test]
fn two_inserts_at_one_offset_do_not_guess_an_order() {
    let out = apply_fixes(
        "ab",
        &[
            fix(vec![Edit::insert(1, "x")]),
            fix(vec![Edit::insert(1, "y")]),
        ],
    );
    assert_eq!(out.text, "axb");
    assert_eq!(out.deferred, vec![1]);
}

#[test]
fn invalid_edits_are_refused_not_panicking() {
    let text = "héllo";
    let fixes = [
        fix(vec![rep(2, 3, "e")]),                 // inside the two-byte 'é'
        fix(vec![rep(3, 99, "")]),                 // past the end
        fix(vec![rep(0, 2, "a"), rep(1, 3, "b")]), // self-overlapping
    ];
    let out = apply_fixes(text, &fixes);
    assert_eq!(out.text, text);
    assert_eq!(out.invalid, vec![0, 1, 2]);
}

#[test]
fn fixed_point_reapplies_deferred_fixes() {
    // A toy rule: every "aa" becomes "a". Overlapping matches defer to later passes.
    fn lint(text: &str) -> Vec<Fix> {
        let b = text.as_bytes();
        (0..b.len().saturating_sub(1))
            .filter(|&i| b[i] == b'a' && b[i + 1] == b'a')
            .map(|i| fix(vec![rep(i, i + 2, "a")]))
            .collect()
    }
    let text = "xaaaaay";
    let out = fix_until_stable(text, lint(text), FixMode::Safe, MAX_PASSES, lint);
    assert_eq!(out.text, "xay");
    assert!(out.converged);
    assert!(out.passes >= 2, "{out:?}");
}

#[test]
fn fixed_point_is_bounded() {
    // A rule that always offers a growing fix never converges; the pass bound stops it.
    let grow = |t: &str| vec![fix(vec![Edit::insert(t.len(), "x")])];
    let out = fix_until_stable("", grow(""), FixMode::Safe, 3, grow);
    assert_eq!(out.text, "xxx");
    assert_eq!(out.passes, 3);
    assert!(!out.converged);
}

#[test]
fn unsafe_fixes_need_unsafe_mode() {
    let mut f = fix(vec![rep(0, 1, "B")]);
    f.applicability = Applicability::Unsafe;
    let safe = fix_until_stable("a", vec![f.clone()], FixMode::Safe, 5, |_| vec![]);
    assert_eq!(safe.text, "a");
    let all = fix_until_stable("a", vec![f], FixMode::Unsafe, 5, |_| vec![]);
    assert_eq!(all.text, "B");
}

#[test]
fn noop_fixes_do_not_loop() {
    let same = |_: &str| vec![fix(vec![rep(0, 1, "a")])];
    let out = fix_until_stable("abc", same("abc"), FixMode::Safe, 5, same);
    assert_eq!(out.text, "abc");
    assert_eq!(out.passes, 0);
    assert!(out.converged);
}

#[test]
fn diff_is_unified_and_empty_when_equal() {
    assert_eq!(unified_diff("Dockerfile", "a\n", "a\n"), "");
    let d = unified_diff("Dockerfile", "FROM a\nRUN x\n", "FROM a@sha256:1\nRUN x\n");
    assert!(
        d.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n@@"),
        "{d}"
    );
    assert!(d.contains("-FROM a\n+FROM a@sha256:1\n RUN x\n"), "{d}");
}

fn arb_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-c\\r\\n\\té#]{0,40}").unwrap()
}

proptest! {
    /// Bytes outside accepted edits are kept verbatim: walking the output alongside the input,
    /// every gap between accepted edits appears unchanged and in order.
    #[test]
    fn bytes_outside_edits_are_kept(
        text in arb_text(),
        raw in proptest::collection::vec((0usize..50, 0usize..8, "[xyz]{0,3}"), 0..8),
    ) {
        let fixes: Vec<Fix> = raw
            .iter()
            .map(|(s, l, r)| {
                let s = (*s).min(text.len());
                fix(vec![rep(s, (s + l).min(text.len()), r)])
            })
            .collect();
        let out = apply_fixes(&text, &fixes);
        let mut edits: Vec<&Edit> = out.applied.iter().flat_map(|&i| &fixes[i].edits).collect();
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut expected = String::new();
        let mut pos = 0;
        for e in &edits {
            prop_assert!(e.span.start as usize >= pos);
            expected.push_str(&text[pos..e.span.start as usize]);
            expected.push_str(&e.replacement);
            pos = e.span.end as usize;
        }
        expected.push_str(&text[pos..]);
        prop_assert_eq!(&out.text, &expected);
        // Every fix is accounted for exactly once.
        prop_assert_eq!(out.applied.len() + out.deferred.len() + out.invalid.len(), fixes.len());
        // No accepted pair conflicts.
        for w in edits.windows(2) {
            prop_assert!(!conflicts(w[0], w[1]));
        }
    }
}

#[test]
fn fix_file_writes_or_diffs_and_refuses_stale_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "MAINTAINER me\r\nRUN a\r\n").unwrap();
    let snap = FileSnapshot::read(&p).unwrap();
    let text = String::from_utf8(snap.bytes.clone()).unwrap();
    let lint = |t: &str| -> Vec<Fix> {
        t.find("MAINTAINER ")
            .map(|i| fix(vec![rep(i, i + 11, "LABEL maintainer=")]))
            .into_iter()
            .collect()
    };
    let roots = Roots::of(&[dir.path().to_path_buf()]);
    let (out, r) = fix_file(
        &snap,
        &text,
        lint(&text),
        FixMode::Safe,
        FixTo::Preview,
        lint,
    );
    assert!(matches!(r, FileFixed::Preview), "{r:?}");
    assert_eq!(out.text, "LABEL maintainer=me\r\nRUN a\r\n");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    let (out, r) = fix_file(
        &snap,
        &text,
        lint(&text),
        FixMode::Safe,
        FixTo::Disk(&roots),
        lint,
    );
    assert!(matches!(r, FileFixed::Written), "{r:?}");
    assert_eq!(out.applied, 1);
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "LABEL maintainer=me\r\nRUN a\r\n"
    );
    // The snapshot is stale now: nothing is written.
    let (_, r) = fix_file(
        &snap,
        &text,
        lint(&text),
        FixMode::Safe,
        FixTo::Disk(&roots),
        lint,
    );
    assert!(
        matches!(r, FileFixed::Failed(WriteError::Changed(_))),
        "{r:?}"
    );
    let after = FileSnapshot::read(&p).unwrap();
    let t2 = String::from_utf8(after.bytes.clone()).unwrap();
    let (_, r) = fix_file(
        &after,
        &t2,
        lint(&t2),
        FixMode::Safe,
        FixTo::Disk(&roots),
        lint,
    );
    assert!(matches!(r, FileFixed::Unchanged), "{r:?}");
}

#[test]
fn a_fixed_text_must_parse_and_must_not_be_worse() {
    use crate::finding::{Finding, Severity};
    use crate::source::FileKind;
    let finding = |code: &'static str, sev: Severity, text: &str, flagged: &str| {
        let at = text.find(flagged).unwrap();
        Finding::new(code, "rule", sev, Span::new(at, at + flagged.len()), "m")
    };
    let before = "FROM a\nRUN x\nRUN y\n";
    let ok = "FROM a\nRUN x && \\\n    y\n";
    assert_eq!(
        check_fixed(
            FileKind::Dockerfile,
            (before, &[]),
            (ok, &[]),
            Some(Severity::Info)
        ),
        Ok(())
    );
    // A joined RUN whose continuation is not one (`# escape=` changed it) leaves a line that
    // is no instruction: refused, naming the line.
    let escaped = "# escape=`\nFROM a\nRUN x && \\\n    y\n";
    let e = check_fixed(
        FileKind::Dockerfile,
        ("# escape=`\nFROM a\nRUN x\nRUN y\n", &[]),
        (escaped, &[]),
        Some(Severity::Info),
    )
    .unwrap_err();
    assert_eq!(
        e,
        "the fixed text would not parse (line 4: unknown instruction `y`)"
    );
    // A parse error that was there before is not the fix's doing.
    let broken = "FROM a\nRUN <<EOF\nx\n";
    assert_eq!(
        check_fixed(FileKind::Dockerfile, (broken, &[]), (broken, &[]), None),
        Ok(())
    );
    let e = check_fixed(FileKind::Compose, ("a: [1]\n", &[]), ("a: [1\n", &[]), None);
    assert!(
        e.unwrap_err()
            .starts_with("the fixed text would not parse (line")
    );
    // A finding that moves with the text is the same finding; a new one worse than the worst
    // fixed one is refused, one no worse is not.
    let secret = |t: &str| {
        finding(
            RuleId::SecretInVariable.code(),
            Severity::Error,
            t,
            "TOKEN=abc123",
        )
    };
    let b = "FROM a\nENV TOKEN=abc123\n";
    let a = "FROM a\n\nENV TOKEN=abc123\n";
    assert_eq!(
        check_fixed(
            FileKind::Dockerfile,
            (b, &[secret(b)]),
            (a, &[secret(a)]),
            Some(Severity::Info)
        ),
        Ok(())
    );
    let e = check_fixed(
        FileKind::Dockerfile,
        (b, &[]),
        (a, &[secret(a)]),
        Some(Severity::Info),
    )
    .unwrap_err();
    assert_eq!(
        e,
        "a fix would bring in PL501 [rule] (error) at line 3, worse than what it fixes"
    );
    let info = finding(RuleId::UnpinnedDigest.code(), Severity::Info, a, "a");
    assert_eq!(
        check_fixed(
            FileKind::Dockerfile,
            (b, &[]),
            (a, &[info]),
            Some(Severity::Warning)
        ),
        Ok(())
    );
}

#[test]
fn fix_file_checked_writes_nothing_when_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, "MAINTAINER me\n").unwrap();
    let snap = FileSnapshot::read(&p).unwrap();
    let text = String::from_utf8(snap.bytes.clone()).unwrap();
    let lint = |t: &str| -> Vec<Fix> {
        t.find("MAINTAINER ")
            .map(|i| fix(vec![rep(i, i + 11, "LABEL maintainer=")]))
            .into_iter()
            .collect()
    };
    let anywhere = crate::fsio::Roots::anywhere();
    for to in [FixTo::Disk(&anywhere), FixTo::Preview] {
        let (_, r) = fix_file_checked(&snap, &text, lint(&text), FixMode::Safe, to, lint, |_| {
            Err("no".to_string())
        });
        assert!(
            matches!(&r, FileFixed::Refused(why) if why == "no"),
            "{r:?}"
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    }
}
