//! The RUN shell tokenizer: commands, operators, words, spans, wrappers, nested scripts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::syntax::shell::{Context, Op, Script, parse};

/// Words of each command (cooked values), in source order.
fn cmds(text: &str) -> Vec<Vec<String>> {
    parse(text, 0)
        .commands
        .iter()
        .map(|c| c.words.iter().map(|w| w.value.to_string()).collect())
        .collect()
}

/// A readable dump for snapshots: one line per command, then its words with raw text and span.
fn dump(s: &Script<'_>) -> String {
    let mut out = String::new();
    for c in &s.commands {
        out.push_str(&format!(
            "{:?} depth={} {:?} -> {:?} name={:?} span={}..{}\n",
            c.context,
            c.depth,
            c.op_before.map(Op::as_str),
            c.op_after.map(Op::as_str),
            c.name(),
            c.span.start,
            c.span.end
        ));
        for a in &c.assignments {
            out.push_str(&format!("  assign {:?} @{}\n", a.value, a.span.start));
        }
        for w in &c.words {
            out.push_str(&format!(
                "  word {:?} raw={:?} @{}..{}{}{}\n",
                w.value,
                s.slice(w.span),
                w.span.start,
                w.span.end,
                if w.has_expansion { " exp" } else { "" },
                if w.quoted { " quoted" } else { "" },
            ));
        }
        for r in &c.redirects {
            out.push_str(&format!(
                "  redirect {} {:?} body={:?}\n",
                r.op,
                r.target.as_ref().map(|t| t.as_str()),
                r.heredoc_body.map(|b| s.slice(b)),
            ));
        }
    }
    for e in &s.errors {
        out.push_str(&format!("error {} @{}\n", e.message, e.span.start));
    }
    out
}

#[test]
fn splits_on_operators() {
    let s = parse("a 1 && b || c; d | e |& f & g\nh", 0);
    let names: Vec<_> = s.commands.iter().map(|c| c.name().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e", "f", "g", "h"]);
    let ops: Vec<_> = s.commands.iter().map(|c| c.op_after).collect();
    assert_eq!(
        ops,
        [
            Some(Op::And),
            Some(Op::Or),
            Some(Op::Seq),
            Some(Op::Pipe),
            Some(Op::PipeAll),
            Some(Op::Background),
            Some(Op::Newline),
            None
        ]
    );
    assert_eq!(s.commands[1].op_before, Some(Op::And));
}

#[test]
fn operator_then_newline_keeps_the_operator() {
    let s = parse("a &&\n  b", 0);
    assert_eq!(s.commands[1].op_before, Some(Op::And));
    let s = parse("if a; then b; fi && c", 0);
    assert_eq!(s.commands[2].op_before, Some(Op::And));
}

#[test]
fn continuation_keeps_word_spans_tight() {
    let text = "apt-get install -y\\\n    curl\\\n && x";
    let s = parse(text, 0);
    let c = &s.commands[0];
    assert_eq!(s.slice(c.words[2].span), "-y");
    assert!(!c.words[2].quoted);
    assert_eq!(s.slice(c.words[3].span), "curl");
    assert_eq!(s.commands[1].op_before, Some(Op::And));
}

#[test]
fn quoting_and_cooking() {
    assert_eq!(
        cmds(r#"echo 'a b' "c d" e\ f"#),
        [["echo", "a b", "c d", "e f"]]
    );
    assert_eq!(
        cmds(r#"echo "a \"q\" \$x \n""#),
        [["echo", "a \"q\" $x \\n"]]
    );
    assert_eq!(cmds(r"echo $'a\tb\x41\101\'c'"), [["echo", "a\tbAA'c"]]);
    assert_eq!(cmds("echo a';'b \"x&&y\""), [["echo", "a;b", "x&&y"]]);
    assert_eq!(cmds("echo a\\\n  b"), [["echo", "a", "b"]]);
    assert_eq!(cmds("echo ab\\\ncd"), [["echo", "abcd"]]);
    assert_eq!(cmds("echo 'é' \\é x"), [["echo", "é", "é", "x"]]);
    let s = parse("echo $HOME \"${A:-x}\" plain", 0);
    let w = &s.commands[0].words;
    assert!(w[1].has_expansion && !w[1].quoted);
    assert!(w[2].has_expansion && w[2].quoted);
    assert!(!w[3].has_expansion);
    assert!(matches!(w[3].value, std::borrow::Cow::Borrowed(_)));
}

#[test]
fn spans_are_file_spans() {
    let text = "curl -u user:pass https://x";
    let s = parse(text, 100);
    let c = &s.commands[0];
    assert_eq!(c.span.start, 100);
    assert_eq!(s.slice(c.words[2].span), "user:pass");
    let v = c.flag_value("-u").unwrap();
    assert_eq!(v.value, "user:pass");
    assert_eq!(v.span.start, 108);
    let s = parse("curl -uuser:pw x", 7);
    let v = s.commands[0].flag_value("-u").unwrap();
    assert_eq!((v.value, s.slice(v.span)), ("user:pw", "user:pw"));
}

#[test]
fn flags() {
    let s = parse(
        "apt-get install -qy --no-install-recommends curl && curl -fsSLu me:pw --output=f u -- -z",
        0,
    );
    let apt = &s.commands[0];
    assert!(apt.has_flag("-y") && apt.has_flag("-q"));
    assert!(apt.has_flag("--no-install-recommends"));
    assert!(!apt.has_flag("--yes") && !apt.has_flag("-n"));
    assert_eq!(apt.subcommand(), Some("install"));
    let curl = &s.commands[1];
    assert_eq!(curl.flag_value("-u").map(|v| v.value), Some("me:pw"));
    assert_eq!(curl.flag_value("--output").map(|v| v.value), Some("f"));
    assert!(curl.has_flag("--output"));
    assert!(!curl.has_flag("-z"), "after --");
    let s = parse("wget -qO- https://x | sh; mysql -uroot -p\"$PW\" db", 0);
    assert_eq!(s.commands[0].flag_value("-O").map(|v| v.value), Some("-"));
    assert_eq!(s.commands[0].flag_value("-q").map(|v| v.value), Some("O-"));
    let v = s.commands[2].flag_value("-p").unwrap();
    assert_eq!(v.value, "$PW");
    assert_eq!(s.slice(v.span), "-p\"$PW\"", "quoted: the whole word");
    assert_eq!(
        s.commands[2].flag_value("-u").map(|v| v.value),
        Some("root")
    );
    let ops: Vec<_> = curl.operands().map(|w| w.as_str()).collect();
    assert_eq!(ops, ["me:pw", "u", "-z"]);
}

#[test]
fn wrappers() {
    let s = parse(
        "sudo -E -u root env A=1 B=2 nice -n 5 /usr/bin/apt-get install -y x; \
         xargs -r -n1 chmod 4755 < list; env; timeout 10 gosu app curl -u a:b h; sudo -- ls",
        0,
    );
    let c = &s.commands;
    assert_eq!(c[0].name(), Some("apt-get"));
    assert!(c[0].is_wrapped_by("sudo") && c[0].is_wrapped_by("nice"));
    assert!(c[0].has_flag("-y"));
    assert_eq!(c[0].args()[0].as_str(), "install");
    assert_eq!(c[1].name(), Some("chmod"));
    assert_eq!(c[1].arg_values().collect::<Vec<_>>(), ["4755"]);
    assert_eq!(c[2].name(), Some("env"));
    assert_eq!(c[3].name(), Some("curl"));
    assert_eq!(c[3].flag_value("-u").map(|v| v.value), Some("a:b"));
    assert_eq!(c[4].name(), Some("ls"));
}

#[test]
fn assignments_and_redirects() {
    let s = parse("A=1 B=\"x y\" make -j4 > log 2>&1 </dev/null &>>all", 0);
    let c = &s.commands[0];
    assert_eq!(c.assignments.len(), 2);
    assert_eq!(c.assignments[1].as_str(), "B=x y");
    assert_eq!(c.name(), Some("make"));
    let r: Vec<_> = c
        .redirects
        .iter()
        .map(|r| (r.op, r.target.as_ref().map(|t| t.as_str())))
        .collect();
    assert_eq!(
        r,
        [
            (">", Some("log")),
            (">&", Some("1")),
            ("<", Some("/dev/null")),
            ("&>>", Some("all"))
        ]
    );
    // Only leading NAME=value words are assignments.
    assert_eq!(cmds("echo A=1"), [["echo", "A=1"]]);
    assert_eq!(parse("A=1", 0).commands[0].name(), None);
}

#[test]
fn nesting() {
    let s = parse(
        "(cd /x && make) ; { a; b; } ; echo $(date +%s `whoami`) <(sort f) \"$(id -u)\"",
        0,
    );
    let got: Vec<_> = s
        .commands
        .iter()
        .map(|c| (c.name().unwrap_or(""), c.context, c.depth))
        .collect();
    assert_eq!(
        got,
        [
            ("cd", Context::Subshell, 1),
            ("make", Context::Subshell, 1),
            ("a", Context::TopLevel, 0),
            ("b", Context::TopLevel, 0),
            ("echo", Context::TopLevel, 0),
            ("date", Context::CommandSubst, 1),
            ("whoami", Context::Backtick, 2),
            ("sort", Context::ProcessSubst, 1),
            ("id", Context::CommandSubst, 1),
        ]
    );
    let echo = &s.commands[4];
    assert_eq!(echo.words.len(), 4);
    assert!(echo.words[1].has_expansion);
}

#[test]
fn compound_commands() {
    let text = "if [ -f x ]; then apt-get update; else yum makecache; fi\n\
                for f in a b; do chmod 755 $f; done\n\
                while read l; do echo $l; done < file\n\
                case $x in a|b) echo ab ;; *) echo other ;; esac\n\
                f() { rm -rf /tmp; }\n\
                [[ -n $a && $b < 3 ]] && ok\n\
                (( i++ )) && arith";
    let names: Vec<_> = parse(text, 0)
        .commands
        .iter()
        .filter_map(|c| c.name().map(str::to_owned))
        .collect();
    assert_eq!(
        names,
        [
            "[", "apt-get", "yum", "chmod", "read", "echo", "echo", "echo", "rm", "[[", "ok",
            "arith"
        ]
    );
}

#[test]
fn comments_and_heredocs() {
    let text = "echo a # not && a command\ncat <<EOF > /etc/x\nrm -rf / && evil\nEOF\ncat <<-'E' && ok\n\tbody $x\n\tE\nlast";
    let s = parse(text, 0);
    let names: Vec<_> = s.commands.iter().map(|c| c.name().unwrap_or("")).collect();
    assert_eq!(names, ["echo", "cat", "cat", "ok", "last"]);
    assert_eq!(s.commands[0].words.len(), 2);
    let body = s.commands[1].redirects[0].heredoc_body.unwrap();
    assert_eq!(s.slice(body), "rm -rf / && evil\n");
    let body = s.commands[2].redirects[0].heredoc_body.unwrap();
    assert_eq!(s.slice(body), "\tbody $x\n");
    assert!(s.errors.is_empty(), "{:?}", s.errors);
}

#[test]
fn shell_c_is_parsed_again() {
    let text = "su -c 'chown x y' app && sudo sh -euxc 'apt-get install -y a && chmod u+s /bin/b' && bash -c \"curl -u \\\"u:p\\\" h\"";
    let s = parse(text, 10);
    let c: Vec<_> = s
        .commands
        .iter()
        .map(|c| (c.name().unwrap_or(""), c.context))
        .collect();
    assert_eq!(
        c,
        [
            ("su", Context::TopLevel),
            ("chown", Context::ShellC),
            ("sh", Context::TopLevel),
            ("apt-get", Context::ShellC),
            ("chmod", Context::ShellC),
            ("bash", Context::TopLevel),
            ("curl", Context::ShellC),
        ]
    );
    // Verbatim inside single quotes: exact spans.
    let chmod = &s.commands[4];
    assert_eq!(s.slice(chmod.words[1].span), "u+s");
    assert_eq!(chmod.depth, 1);
    // Escapes inside: spans fall back to the whole script word.
    let curl = &s.commands[6];
    assert_eq!(curl.flag_value("-u").map(|v| v.value), Some("u:p"));
    assert!(s.slice(curl.span).starts_with("\"curl"));
}

#[test]
fn find_exec() {
    let s = parse(
        "find / -perm /6000 -type f -exec chmod a-s {} \\; -o -execdir chmod u+s {} + ; true",
        0,
    );
    let execs: Vec<_> = s
        .commands
        .iter()
        .filter(|c| c.context == Context::FindExec)
        .map(|c| c.arg_values().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(execs, ["a-s {}", "u+s {}"]);
    assert_eq!(s.commands_named("chmod").count(), 2);
}

#[test]
fn recovers_from_unterminated_text() {
    for text in [
        "echo 'abc",
        "echo \"abc",
        "echo $(abc",
        "echo `abc",
        "echo ${abc",
        "cat <<EOF\nno end",
        "echo $'abc",
        ")",
        "(((",
        "<<",
        "a && && b",
        "\\",
        "$",
        "echo \"$(\"",
    ] {
        let s = parse(text, 0);
        // Never loses the first command, never panics.
        assert!(
            !s.commands.is_empty() || text.starts_with(')') || text == "<<" || text == "(((",
            "{text:?}"
        );
        for c in &s.commands {
            for w in &c.words {
                assert!(w.span.end as usize <= text.len(), "{text:?}");
            }
        }
    }
    assert!(!parse("echo 'abc", 0).errors.is_empty());
}

#[test]
fn deep_nesting_is_bounded_and_linear() {
    let n = 20_000;
    for text in [
        "$(".repeat(n) + &")".repeat(n),
        "(".repeat(n) + "x" + &")".repeat(n),
        "`".repeat(n),
        "\"$(".repeat(n),
        "${".repeat(n),
        "sh -c '".repeat(n),
        "a && ".repeat(n),
        "<<EOF\n".repeat(n),
        "case x in ".repeat(n),
    ] {
        let t = std::time::Instant::now();
        let s = parse(&text, 0);
        assert!(t.elapsed().as_secs() < 5, "too slow on {:?}", &text[..20]);
        assert!(s.commands.iter().all(|c| c.depth <= 64));
    }
}

#[test]
fn snapshot_representative_run() {
    let text = "set -eux; \\\n    apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n       ca-certificates curl=\"7.*\" \\\n && curl -fsSL -u \"$USER:${TOKEN}\" https://example.com/x.sh | sh -s -- --flag \\\n && rm -rf /var/lib/apt/lists/* \\\n && echo \"$(id -un)\" > /tmp/who 2>&1";
    let s = parse(text, 4);
    support::snapshot_settings()
        .bind(|| insta::assert_snapshot!("shell_representative_run", dump(&s)));
}

#[test]
fn snapshot_nested() {
    let text = "sudo -u app sh -c 'cd /app && find . -name \"*.sh\" -exec chmod +x {} \\;' ; (umask 077; cat <<EOF > key\nsecret\nEOF\n)";
    let s = parse(text, 0);
    support::snapshot_settings().bind(|| insta::assert_snapshot!("shell_nested", dump(&s)));
}
