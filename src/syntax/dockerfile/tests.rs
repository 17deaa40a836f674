//! Unit tests and tree snapshots for the Dockerfile parser.

use super::*;

fn snap(name: &str, text: &str) {
    let df = parse(text);
    crate::assert_snap!(name, debug_tree::render(&df, text));
}

#[test]
fn snapshot_multistage() {
    snap(
        "multistage",
        "# syntax=docker/dockerfile:1\n\
         ARG BASE=debian:12\n\
         FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n\
         WORKDIR /src\n\
         # build it\n\
         RUN --mount=type=cache,target=/root/.cache \\\n    go build -o /out/app ./cmd/app\n\
         FROM ${BASE}\n\
         COPY --from=build --chmod=755 /out/app /usr/local/bin/app\n\
         USER 65532:65532\n\
         EXPOSE 8080/tcp 9090\n\
         HEALTHCHECK --interval=30s CMD [\"app\", \"health\"]\n\
         ENTRYPOINT [\"/usr/local/bin/app\"]\n",
    );
}

#[test]
fn snapshot_continuations_and_comments() {
    snap(
        "continuations",
        "FROM alpine\r\n\
         RUN apk add --no-cache \\\r\n  # the client\r\n  curl \\\r\n\r\n  jq\r\n\
         ENV A=1 B=\"two words\" \\\n    C='x'\n\
         ENV LEGACY value with spaces\n\
         LABEL org.opencontainers.image.title=\"demo\"\n",
    );
}

#[test]
fn snapshot_heredocs() {
    snap(
        "heredocs",
        "FROM alpine\n\
         RUN <<EOF\nset -e\napk add curl\nEOF\n\
         COPY <<-\"CONF\" <<B /etc/\n\tkey=value\n\tCONF\nb\nB\n\
         ONBUILD RUN 2<<X cat /dev/fd/2\nx\nX\n",
    );
}

#[test]
fn snapshot_errors_and_recovery() {
    snap(
        "recovery",
        "# escape=x\n\
         FROM a\n\
         ENV a=b c\n\
         CMD [\"a\", 1]\n\
         LABEL onlykey\n\
         RUN echo still parsed\n\
         RUN <<EOF\nunterminated\n",
    );
}

#[test]
fn snapshot_backtick_and_flags() {
    snap(
        "backtick",
        "\u{feff}# escape=`\n\
         FROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
         RUN powershell -Command `\n    Write-Host hi\n\
         COPY --chown=\"a b\" -- --weird C:\\dst\n\
         SHELL [\"powershell\", \"-Command\"]\n\
         unknown instruction here\n",
    );
}

#[test]
fn directives_and_escape() {
    let text = "# syntax=docker/dockerfile:1.7\n#  ESCAPE = ` \n# check=skip=all\nFROM a\n";
    let df = parse(text);
    assert!(df.is_ok(), "{:?}", df.errors);
    assert_eq!(df.escape, '`');
    let names: Vec<&str> = df.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["syntax", "escape", "check"]);
    let esc = df.directive("escape").expect("escape");
    assert_eq!(esc.value_span.text(text), "`");
    assert_eq!(esc.name_span.text(text), "ESCAPE");
    assert_eq!(
        df.directive("check").map(|d| d.value.as_str()),
        Some("skip=all")
    );
    // Directives are not the FROM's comments.
    assert!(df.instructions[0].comments.is_empty());

    // A blank line ends the directive region; a duplicate or bad escape is an error.
    assert_eq!(parse("\n# escape=`\nFROM a\n").escape, '\\');
    assert!(!parse("# escape=\\\n# escape=`\nFROM a\n").is_ok());
    let bad = parse("# escape=x\nFROM a\n");
    assert_eq!(bad.errors[0].span, crate::source::Span::new(9, 10));
    assert_eq!(bad.instructions.len(), 1);
}

#[test]
fn spans_of_flags_words_and_image() {
    let text = "FROM --platform=linux/amd64 nginx:1.25 AS web\nCOPY --from=web \"/a b\" /c\n";
    let df = parse(text);
    let from = df.instructions[0].from().expect("from");
    assert_eq!(from.image.span.text(text), "nginx:1.25");
    assert_eq!(from.stage_name.map(|w| w.span.text(text)), Some("web"));
    let platform = from.platform.expect("platform");
    assert_eq!(
        platform.value_span.map(|s| s.text(text)),
        Some("linux/amd64")
    );
    assert_eq!(platform.name_span.text(text), "platform");
    assert_eq!(platform.span.text(text), "--platform=linux/amd64");

    let copy = df.instructions[1].copy().expect("copy");
    assert_eq!(copy.dest.map(|w| w.value.as_str()), Some("/c"));
    let srcs: Vec<&str> = copy.sources.iter().map(|w| w.span.text(text)).collect();
    assert_eq!(srcs, ["\"/a", "b\""]);
    assert_eq!(
        df.instructions[1]
            .flag("from")
            .and_then(|f| f.value.as_deref()),
        Some("web")
    );
}

#[test]
fn shell_text_maps_back_across_continuations() {
    let text = "RUN apt-get update && \\\n  # note\n    apt-get install -y curl\n";
    let df = parse(text);
    let run = &df.instructions[0];
    let shell = run.shell_text().expect("shell form");
    assert_eq!(shell, "apt-get update &&     apt-get install -y curl");
    // One word of the command, found in the logical text, maps to its source bytes.
    let t = run.shell().expect("text");
    let at = t.logical.start as usize + shell.find("curl").expect("curl");
    let span = run.source_span(at, at + 4);
    assert_eq!(span.text(text), "curl");
    // A range across the continuation covers the removed bytes in the source ...
    let all = run.source_span(t.logical.start as usize, t.logical.end as usize);
    assert!(all.text(text).contains("# note"));
    // ... and the pieces give exactly the kept bytes.
    let pieces = run
        .logical
        .source_pieces(t.logical.start as usize, t.logical.end as usize);
    let joined: String = pieces.iter().map(|s| s.text(text)).collect();
    assert_eq!(joined, shell);
    assert_eq!((run.start_line, run.end_line), (1, 3));
}

#[test]
fn exec_form_and_fallback() {
    let text = "CMD [\"a\", \"b c\"]\nCMD [\"a\"] x\nRUN ['a']\nENTRYPOINT []\n";
    let df = parse(text);
    let args = df.instructions[0].exec_args().expect("json");
    assert_eq!(args[1].value, "b c");
    assert_eq!(args[1].span.text(text), "\"b c\"");
    assert_eq!(df.instructions[1].shell_text(), Some("[\"a\"] x"));
    assert_eq!(df.instructions[2].shell_text(), Some("['a']"));
    assert_eq!(df.instructions[3].exec_args().map(<[_]>::len), Some(0));
}

#[test]
fn env_arg_and_legacy_forms() {
    let text = "ENV A=1 B=\"x y\"\nENV K v w\nARG N\nARG M=3\n";
    let df = parse(text);
    let p = df.instructions[0].pairs();
    assert_eq!(p[1].key.value, "B");
    assert_eq!(p[1].value.value, "\"x y\"");
    assert_eq!(p[1].value.span.text(text), "\"x y\"");
    let legacy = &df.instructions[1].pairs()[0];
    assert!(legacy.legacy);
    assert_eq!(
        (legacy.key.value.as_str(), legacy.value.value.as_str()),
        ("K", "v w")
    );
    let a = df.instructions[2].arg_decls();
    assert_eq!((a[0].name, a[0].default), ("N", None));
    let m = df.instructions[3].arg_decls();
    assert_eq!((m[0].name, m[0].default), ("M", Some("3")));
    assert_eq!(m[0].default_span.map(|s| s.text(text)), Some("3"));
    assert_eq!(m[0].name_span.text(text), "M");
}

#[test]
fn heredoc_lines_have_spans() {
    let text = "RUN <<EOF\necho a\r\necho b\nEOF\nRUN after\n";
    let df = parse(text);
    let h = &df.instructions[0].heredocs[0];
    let lines: Vec<(&str, &str)> = h.lines().map(|(s, l)| (s.text(text), l)).collect();
    assert_eq!(lines, [("echo a", "echo a"), ("echo b", "echo b")]);
    assert_eq!(h.terminator.map(|s| s.text(text)), Some("EOF"));
    assert_eq!(h.word_span.text(text), "<<EOF");
    assert_eq!(df.instructions[0].end_line, 4);
    assert_eq!(df.instructions[1].shell_text(), Some("after"));
    // Heredocs only for RUN, COPY and ADD.
    assert!(
        parse("CMD <<EOF\nx\nEOF\n").instructions[0]
            .heredocs
            .is_empty()
    );
}

#[test]
fn onbuild_inner_instruction() {
    let text = "ONBUILD COPY --from=x a b\n";
    let df = parse(text);
    let inner = df.instructions[0].onbuild().expect("inner");
    assert_eq!(inner.kind, InstructionKind::Copy);
    assert_eq!(inner.keyword.text(text), "COPY");
    assert_eq!(
        inner
            .flag("from")
            .and_then(|f| f.value_span)
            .map(|s| s.text(text)),
        Some("x")
    );
    assert_eq!(inner.words()[1].span.text(text), "b");
}

#[test]
fn recovery_keeps_later_instructions() {
    let df = parse("FROM a\nENV x\nCMD [1]\nRUN ok\n");
    assert_eq!(df.errors.len(), 2);
    assert_eq!(df.instructions.len(), 4);
    assert_eq!(df.instructions[3].shell_text(), Some("ok"));
    assert!(df.errors[0].message.contains("ENV must have two arguments"));
}

#[test]
fn instruction_names_are_case_insensitive() {
    assert_eq!(InstructionKind::from_name("rUn"), InstructionKind::Run);
    assert_eq!(
        InstructionKind::from_name("healthcheck"),
        InstructionKind::Healthcheck
    );
    assert_eq!(
        InstructionKind::from_name("RUN\u{a0}x"),
        InstructionKind::Unknown
    );
    let df = parse("from a\nFoo bar\n");
    assert_eq!(df.instructions[0].kind, InstructionKind::From);
    assert_eq!(df.instructions[1].kind, InstructionKind::Unknown);
    assert_eq!(df.instructions[1].args_text(), "bar");
}
