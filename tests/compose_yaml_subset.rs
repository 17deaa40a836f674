//! The fast YAML reader against saphyr-parser: wherever the fast path answers, its tree must be
//! the reference tree (nodes, spans, values, styles, tags, anchors, errors).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::path::{Path, PathBuf};

use plimsoll::syntax::compose::{subset_reader, yaml};
use proptest::prelude::*;

/// Checks one input; returns whether the fast path took it.
fn same(text: &str, what: &str) -> bool {
    let Some(got) = subset_reader::parse(text) else {
        return false;
    };
    let want = yaml::parse_reference(text);
    if got != want {
        // Name the first difference rather than print two whole trees.
        let n = got.nodes.iter().zip(&want.nodes).position(|(a, b)| a != b);
        let pair = n.map(|i| (&got.nodes[i], &want.nodes[i]));
        panic!(
            "fast and reference trees differ for {what}:\n{text:?}\nfirst differing node {n:?}: \
             {pair:#?}\nnode counts {} vs {}\ndocuments {:?} vs {:?}\nerrors {:?} vs {:?}",
            got.nodes.len(),
            want.nodes.len(),
            got.documents,
            want.documents,
            got.errors,
            want.errors
        );
    }
    assert_eq!(yaml::parse(text), want, "parse() differs for {what}");
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_takes_the_fast_path_with_the_same_tree() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let mut files = Vec::new();
    yaml_files(&shared.join("corpus/compose"), &mut files);
    assert!(!files.is_empty(), "no compose corpus files");
    let mut fast_count = 0;
    let mut slow = Vec::new();
    for p in &files {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        if same(&text, &p.display().to_string()) {
            fast_count += 1;
        } else {
            slow.push(p.display().to_string());
        }
    }
    eprintln!(
        "fast path: {fast_count} of {} corpus files; fallback: {slow:?}",
        files.len()
    );
    // Nearly all real compose files are in the subset the fast reader handles.
    assert!(
        fast_count * 100 >= files.len() * 97,
        "only {fast_count} of {} took the fast path: {slow:?}",
        files.len()
    );
}

#[test]
fn repository_fixtures_have_the_same_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["tests", "examples", "fuzz"] {
        yaml_files(&root.join(d), &mut files);
    }
    assert!(!files.is_empty());
    for p in &files {
        if let Ok(text) = std::fs::read_to_string(p) {
            same(&text, &p.display().to_string());
        }
    }
}

/// Snippets for each construct the fast reader models, and for some it must refuse.
const SNIPPETS: &[&str] = &[
    "",
    "# only a comment\n",
    "a: 1\n",
    "a: 1",
    "a:\nb:\n",
    "a:    # comment\nb: 2\n",
    "a: b # c\n# d\n  # e\nf: g\n",
    "  a: 1\n  b: 2\n",
    "a:\n  b:\n    c: d\n  e: f\ng: h\n",
    "a:\n- b\n- c\nd: e\n",
    "a:\n  - b\n  -\n  - \n  - # c\n  - d\n",
    "- a: b\n  c: d\n- e\n- - f\n  - g\n",
    "- \n- x\n",
    "-\n  a: b\n",
    "key with spaces: value with spaces  \n",
    "a : b\n\"q\" : 'r'\n",
    "url: http://example.com:8080/x?y=z#frag\n",
    "a: b:c\nd: -e\nf: ?g\ng: :h\n",
    "a: 'it''s'\nb: \"esc \\\" \\\\ \\n \\t \\x41 \\u00e9 \\U0001F600 \\/ \\0 \\e \\N \\_ \\L \\P\"\n",
    "a: \"multi\n  line\"\nb: 'x\n\n  y\n   \n  z'\n",
    "a: \"a\\\n   b  \n\n  c\"\n",
    "a: 'trailing   \n  next'\n",
    "- \"a\nb\"\n",
    "a: plain\n  multi\n\n  line\nb: 2\n",
    "a: plain   \n  next\n",
    "- plain\n  cont\n- x\n",
    "top\nlevel\n",
    "a: |\n  lit\n  eral\nb: 1\n",
    "a: |-\n  x\n\n",
    "a: |+\n  x\n\n\nb: 1\n",
    "a: >\n  folded\n  text\n\n  para\n    more\n  back\nb: 1\n",
    "a: >-\n  x\n  y\n",
    "a: >+\n\n  z\n\n",
    "a: |2\n   x\n  y\n",
    "a: |1-\n  x\n",
    "a: >2+\n   a\n  b\n\n   c\n  d\n",
    "a: |\n  a\n# c\ny: 1\n",
    "a: | # comment\n  x\n",
    "a: |\n\nb: 1\n",
    "a: !t |  # h\n# c\ny: 1\n",
    "a: !reset |\n  x\n",
    "- |\n  item\n- >\n  folded\n",
    "- a: |\n    nested\n  b: 1\n",
    "a: |\n  x\n  # not a comment\n  y\n",
    "a: |\n    deep\n  shallow\n",
    "a: |\n  tab\there\n",
    "a: |",
    "a: |\n",
    "a: &x 1\nb: *x\n",
    "a: &x\n  k: v\nb: *x\n",
    "base: &base\n  image: x\n  env: 1\nsvc:\n  <<: *base\n  image: y\n",
    "a: &a {k: 1}\nb: &b {j: 2}\nc:\n  <<: [*a, *b]\n  k: 3\n",
    "a: &x\nb: *x\n",
    "a: !t\nb: 1\n",
    "a: !reset []\nb: !override {x: 1}\nc: !reset null\n",
    "a: !!str 1\nb: !!merge x\n<<: !!merge {a: 1}\n",
    "a: &anchor !tag value\nb: !tag &anchor2 value\n",
    "a: [1, 2, \"three\", 'four', [5], {six: 6}]\n",
    "a: []\nb: {}\nc: [ ]\nd: { }\n",
    "a: [x,y]\nb: {k: v, \"q\":w, 'r': s}\n",
    "a: [\n  1,\n  2\n]\nb: 1\n",
    "a: [\n    1, # c\n    2\n  ]\n",
    "a: {k: [1, {x: y}], j: *missing}\n",
    "a: [a:b, c]\n",
    "a: [a: b]\n",
    "a: [1, 2,]\n",
    "a: {x}\n",
    "a: [&a x, *a]\n",
    "---\na: 1\n---\nb: 2\n",
    "---\na: 1\n...\n---\nb: 2\n...\n",
    "--- # c\na: 1\n",
    "---\n",
    "---\n---\n",
    "a: 1\n---\n",
    "...\na: 1\n",
    "--- !!str foo\n",
    "%YAML 1.2\n---\na: 1\n",
    "? complex\n: key\n",
    "a:\tb\n",
    "\ta: b\n",
    "a: b\r\nc: d\r\n",
    "a: 1\na: 2\nb: 3\na: 4\n",
    "a: &k x\n*k : y\n",
    "a: b: c\n",
    "a: 'unterminated\n",
    "a: \"bad \\q escape\"\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n  - b\n  c: d\n",
    "- a\nb: c\n",
    "[a, b]: c\n",
    "a: *undefined\n",
    "a: &x [*x]\n",
    "a: \"quoted\" trailing\n",
    "a: 'x' # c\n",
    "a: \"é ü 日本\"\nb: ünïcode plain\nc: |\n  ✓ done\n",
    "k\u{00e9}y: v\n",
    "a: -\n",
    "a: - b\n",
    "- - - x\n",
    "a: x #c\n  y\n",
    "a: x\n  - y\n",
    "a:\n\n\n  b: c\n",
    "a: 'x'\nb: \"y\"\nc: 'p''q'\n",
    "environment:\n  - A=1\n  - B=${X:-d}\nports:\n  - \"80:80\"\n  - 443:443\n",
    "a: @x\n",
    "a: `x`\n",
    "a: %x\n",
    "a: !\n",
    "a: !<tag:x> b\n",
    "a: !e!x b\n",
    "a: &\n",
    "a: *\n",
    "--- a\n",
    "a: 1\n...\n# tail\n",
    "a: 1\n# tail\n",
    "a: 1\n\n\n",
    "a:\n- b\n-   c\n",
    "a:\n  -   b: 1\n      c: 2\n",
    // Found by fuzzing: a document marker followed by a tab inside a quoted scalar.
    "'a\n...\tb'\n",
    "a: \"x\n---\ty\"\n",
    "---\t\na: 1\n",
    "k:\n |\n x\n ",
    "k: |\n  x\n   ",
    "a: [x - -]\n",
    "a: [x -, y]\n",
    "{a\n\n:'b'}\n",
    "a: [x\n  , y]\n",
    "a: [x\n  y]\n",
    "\u{a0}",
    "a: b\u{a0}\nc: [d\u{3000}]\n\u{a0}k: v\n",
    // Lines of flow collections and quoted scalars left of their opening column, which docker
    // compose's reader accepts (see `go_yaml_indentation_is_accepted`).
    "a:\n  b: [\n  1, 2\n  ]\n  c: 3\n",
    "a:\n  b: [\n1]\nc: 2\n",
    "a:\n  - b: [\n 1]\n",
    "a:\n  b: [ # c\n# d\n1 ]\n",
    "a:\n  b: \"x\ny\"\n  c: 3\n",
    "a:\n  b: 'x\n\ny'\n",
    "a:\n  b: [ \"x\ny\" ]\n",
    "- [\n1]\n",
];

#[test]
fn snippets_have_the_same_tree() {
    let mut taken = 0;
    for s in SNIPPETS {
        if same(s, "snippet") {
            taken += 1;
        }
    }
    eprintln!("fast path: {taken} of {} snippets", SNIPPETS.len());
    // Most snippets are in the fast subset; the refused ones are there to be refused.
    assert!(taken * 2 > SNIPPETS.len());
}

/// Pieces YAML-ish inputs are made of: indentation, keys, indicators, quotes, breaks.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a", "b", "key", "<<", ": ", ":", "- ", "-", "\n", "\n  ", "\n    ", "  ", " ", "#c",
        " # c", "'", "\"", "''", "\\", "\\n", "\\x4", "|", "|-", "|+", ">", ">2", "&x ", "*x",
        "!t ", "!!str ", "[", "]", "{", "}", ", ", "---", "...", "\t", "é", "1", "null", "~", "?",
        "%", "\r\n",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn generated_inputs_agree(pieces in prop::collection::vec(piece(), 0..40)) {
        let text: String = pieces.concat();
        same(&text, "generated input");
    }

    #[test]
    fn mutated_corpus_lines_agree(
        seed in prop::collection::vec((0usize..12, piece()), 1..6),
    ) {
        // A small compose file with pieces spliced in at line starts and ends.
        let base = [
            "services:", "  web:", "    image: nginx:1.25", "    ports:", "      - \"80:80\"",
            "    environment:", "      A: 1", "      B: 'x'", "    command: [\"a\", \"b\"]",
            "    healthcheck:", "      test: |", "        curl -f x",
        ];
        let mut lines: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        for (i, p) in seed {
            if let Some(l) = lines.get_mut(i) {
                if i % 2 == 0 { l.push_str(p) } else { l.insert_str(0, p) }
            }
        }
        let text = lines.join("\n") + "\n";
        same(&text, "mutated input");
    }
}

/// A scalar tree as JSON with every scalar a string (and null for YAML null), for comparing
/// values with what docker compose's reader makes of a text.
fn json(y: &yaml::Yaml, id: yaml::NodeId) -> serde_json::Value {
    use serde_json::Value;
    let Some(node) = y.get(id) else {
        return Value::Null;
    };
    match &node.kind {
        yaml::NodeKind::Scalar { .. } if y.is_null(id) => Value::Null,
        yaml::NodeKind::Scalar { value, .. } => Value::String(y.str(*value).to_string()),
        yaml::NodeKind::Sequence(items) => {
            Value::Array(y.items(*items).iter().map(|i| json(y, *i)).collect())
        }
        yaml::NodeKind::Mapping(_) => Value::Object(
            y.entries(id)
                .into_iter()
                .map(|e| (y.scalar(e.key).unwrap_or("").to_string(), json(y, e.value)))
                .collect(),
        ),
        yaml::NodeKind::Alias { .. } => Value::Null,
    }
}

/// docker compose reads YAML with go-yaml v3, which ignores the indentation of lines inside a
/// flow collection and of a quoted scalar's continuation lines (Sentry's docker-compose.yml
/// closes `test: [` with `]` at the key's column). Both readers accept these texts, with the
/// values go-yaml v3 gives them (checked with go-yaml v3.0.1; scalars as strings here).
#[test]
fn go_yaml_indentation_is_accepted() {
    let cases = [
        (
            "services:\n  web:\n    healthcheck:\n      test: [\n        \"CMD\", \"true\"\n      ]\n      interval: 5s\n  db:\n    image: postgres:16\n",
            r#"{"services":{"web":{"healthcheck":{"test":["CMD","true"],"interval":"5s"}},"db":{"image":"postgres:16"}}}"#,
        ),
        (
            "a:\n  b: [\n  1, 2\n  ]\n  c: 3\n",
            r#"{"a":{"b":["1","2"],"c":"3"}}"#,
        ),
        (
            "a:\n  b: {\nx: 1,\n}\n  c: 3\n",
            r#"{"a":{"b":{"x":"1"},"c":"3"}}"#,
        ),
        (
            "a:\n  b: \"x\ny\"\n  c: 3\n",
            r#"{"a":{"b":"x y","c":"3"}}"#,
        ),
        ("a:\n  b: 'x\ny'\n  c: 3\n", r#"{"a":{"b":"x y","c":"3"}}"#),
        ("a:\n  b: [x\ny]\n", r#"{"a":{"b":["x y"]}}"#),
        ("- [\n1]\n", r#"[["1"]]"#),
        ("a:\n  - b: [\n 1]\n", r#"{"a":[{"b":["1"]}]}"#),
        ("a:\n  b: [ # c\n# d\n1 ]\n", r#"{"a":{"b":["1"]}}"#),
        ("a:\n  b: [\n1]\nc: 2\n", r#"{"a":{"b":["1"]},"c":"2"}"#),
        ("a:\n  b: [ \"x\ny\" ]\n", r#"{"a":{"b":["x y"]}}"#),
        // CRLF line ends always take the saphyr path.
        (
            "a:\r\n  b: [\r\n  1, 2\r\n  ]\r\n  c: 3\r\n",
            r#"{"a":{"b":["1","2"],"c":"3"}}"#,
        ),
    ];
    for (text, want) in cases {
        let want: serde_json::Value = serde_json::from_str(want).unwrap();
        for (reader, y) in [
            ("parse", yaml::parse(text)),
            ("parse_reference", yaml::parse_reference(text)),
        ] {
            assert!(y.errors.is_empty(), "{reader} {text:?}: {:?}", y.errors);
            let root = y.documents[0].root.unwrap();
            assert_eq!(json(&y, root), want, "{reader} {text:?}");
        }
        same(text, "go-yaml indentation");
    }
    // What go-yaml refuses stays refused: a document marker inside a flow collection, and a
    // block plain scalar continued left of its key.
    for text in ["a: [\n---\n]\n", "a:\n  b: x\ny\n"] {
        assert!(!yaml::parse(text).errors.is_empty(), "{text:?}");
    }
}
