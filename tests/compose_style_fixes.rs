//! The fixes of the compose rules that come from dclint, on every file of the shared compose
//! corpus: each rule's fixes, applied to a fixed point, leave YAML that loads to the same data
//! apart from the change the rule makes (an order, quotes, the `version` key), reordering fixes
//! keep every line, and fixing the result again changes nothing. Then all of them together.
//! Skips, saying so, when the shared corpus is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use std::collections::BTreeMap;

use plimsoll::finding::Fix;
use plimsoll::fix::{FixMode, MAX_PASSES, fix_until_stable};
use plimsoll::rules::settings::LintSettings;
use plimsoll::rules::{RuleId, lint_source};
use plimsoll::source::{FileKind, SourceFile};
use plimsoll::syntax::compose::yaml::{self, NodeId, NodeKind, Yaml};

/// What a loaded YAML document is, for comparison: mappings without order (merge keys applied),
/// scalars as their text (so `80` and `'80'` are equal: compose reads ports either way).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Data {
    Scalar(String),
    Seq(Vec<Data>),
    Map(BTreeMap<String, Data>),
}

fn load(y: &Yaml, id: NodeId, depth: usize) -> Data {
    assert!(depth < 64, "too deep");
    match y.get(id).map(|n| &n.kind) {
        Some(NodeKind::Scalar { value, .. }) => Data::Scalar(y.str(*value).to_string()),
        Some(NodeKind::Sequence(items)) => Data::Seq(
            y.items(*items)
                .iter()
                .map(|&i| load(y, i, depth + 1))
                .collect(),
        ),
        Some(NodeKind::Mapping(_)) => Data::Map(
            y.entries(id)
                .into_iter()
                .map(|e| {
                    let key = y.scalar(e.key).unwrap_or_default().to_string();
                    (key, load(y, e.value, depth + 1))
                })
                .collect(),
        ),
        _ => Data::Scalar(String::new()),
    }
}

fn documents(text: &str) -> Vec<Data> {
    let y = yaml::parse(text);
    y.documents
        .iter()
        .map(|d| {
            d.root
                .map_or(Data::Scalar(String::new()), |r| load(&y, r, 0))
        })
        .collect()
}

/// The data with the change `rule` makes taken out: sequences under `ports` / `depends_on`
/// sorted, the top-level `version` removed.
fn normalize(rule: RuleId, data: &mut Data, top: bool) {
    match data {
        Data::Map(m) => {
            if top && rule == RuleId::ComposeVersionObsolete {
                m.remove("version");
            }
            for (k, v) in m.iter_mut() {
                let sorted = match rule {
                    RuleId::PortsOrder => k == "ports",
                    RuleId::DependsOnOrder => k == "depends_on",
                    _ => false,
                };
                if sorted && let Data::Seq(items) = v {
                    items.sort();
                }
                normalize(rule, v, false);
            }
        }
        Data::Seq(items) => items.iter_mut().for_each(|i| normalize(rule, i, false)),
        Data::Scalar(_) => {}
    }
}

const FIXABLE: [RuleId; 8] = [
    RuleId::ComposeVersionObsolete,
    RuleId::PortUnquoted,
    RuleId::VolumeQuoted,
    RuleId::DependsOnOrder,
    RuleId::ServiceKeyOrder,
    RuleId::PortsOrder,
    RuleId::ServicesOrder,
    RuleId::TopLevelOrder,
];

fn settings(rules: &[RuleId]) -> LintSettings {
    LintSettings {
        select: rules.iter().map(|r| r.code().to_string()).collect(),
        ..LintSettings::default()
    }
}

fn fixes(name: &str, text: &str, settings: &LintSettings) -> Vec<Fix> {
    let file = SourceFile::new(name, text, FileKind::Compose);
    lint_source(&file, settings)
        .findings
        .into_iter()
        .filter_map(|f| f.fix)
        .collect()
}

fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

/// Fixes `text` with `rules` and checks the result; returns whether anything changed.
fn check(name: &str, text: &str, rules: &[RuleId], failures: &mut Vec<String>) -> bool {
    let settings = settings(rules);
    let first = fixes(name, text, &settings);
    if first.is_empty() {
        return false;
    }
    let out = fix_until_stable(text, first, FixMode::Unsafe, MAX_PASSES, |t| {
        fixes(name, t, &settings)
    });
    let what = format!("{name} ({rules:?})");
    if !out.converged {
        failures.push(format!("{what}: fixing did not settle"));
    }
    let again = fixes(name, &out.text, &settings);
    if !again.is_empty() {
        failures.push(format!(
            "{what}: a second --fix would still change {} place(s)",
            again.len()
        ));
    }
    let mut before = documents(text);
    let mut after = documents(&out.text);
    for r in rules {
        before.iter_mut().for_each(|d| normalize(*r, d, true));
        after.iter_mut().for_each(|d| normalize(*r, d, true));
    }
    if before != after {
        failures.push(format!("{what}: the fixed file loads to other data"));
    }
    let reorders = rules.iter().all(|r| {
        !matches!(
            r,
            RuleId::ComposeVersionObsolete | RuleId::PortUnquoted | RuleId::VolumeQuoted
        )
    });
    if reorders && sorted_lines(text) != sorted_lines(&out.text) {
        failures.push(format!("{what}: reordering changed a line"));
    }
    out.text != text
}

/// `text` with every written `key` list of every service (`depends_on`, `ports`) of two entries
/// or more reversed, through the same in-place reordering the fixes use; `None` when there is
/// none (or one cannot be moved).
fn reversed_lists(text: &str, key: &str) -> Option<String> {
    use plimsoll::analysis::compose_layout::{
        reorder, written_entries, written_pair, written_services,
    };
    let y = yaml::parse(text);
    let mut edits = Vec::new();
    for doc in &y.documents {
        let Some(root) = doc.root else { continue };
        for service in written_services(&y, root) {
            let Some(list) = written_pair(&y, service.value, key) else {
                continue;
            };
            let n = written_entries(&y, list.value).len();
            if n < 2 {
                continue;
            }
            let order: Vec<usize> = (0..n).rev().collect();
            edits.extend(reorder(&y, list.value, &order).ok()?);
        }
    }
    (!edits.is_empty()).then(|| plimsoll::fix::apply_edits(text, &edits))
}

#[test]
fn sorting_fixes_undo_a_shuffle_of_the_corpus() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus/compose");
    let mut failures = Vec::new();
    let mut restored: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in std::fs::read_dir(&corpus)
        .expect("read the corpus")
        .flatten()
    {
        let path = entry.path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (rule, key) in [
            (RuleId::DependsOnOrder, "depends_on"),
            (RuleId::PortsOrder, "ports"),
        ] {
            // Only lists the rule finds in order: reversed, its fix must give the file back.
            if !fixes(&name, &text, &settings(&[rule])).is_empty() {
                continue;
            }
            let Some(shuffled) = reversed_lists(&text, key) else {
                continue;
            };
            check(&name, &shuffled, &[rule], &mut failures);
            let settings = settings(&[rule]);
            let first = fixes(&name, &shuffled, &settings);
            let out = fix_until_stable(&shuffled, first, FixMode::Safe, MAX_PASSES, |t| {
                fixes(&name, t, &settings)
            });
            // Entries that sort equal (`53:53/tcp`, `53:53/udp`) keep their (reversed) order, so
            // only the files without such ties come back byte for byte; the others are checked
            // by `check` above like every fix.
            if out.text == text {
                *restored.entry(rule.name()).or_default() += 1;
            }
        }
    }
    eprintln!("files given back byte for byte after reversing their lists: {restored:?}");
    assert!(restored.get("depends-on-order").is_some_and(|&n| n > 0));
    assert!(restored.get("ports-order").is_some_and(|&n| n > 0));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn style_fixes_keep_the_data_and_settle_on_the_corpus() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus/compose");
    let mut names: Vec<_> = std::fs::read_dir(&corpus)
        .expect("read the corpus")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut failures = Vec::new();
    let mut changed: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &names {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for rule in FIXABLE {
            if check(&name, &text, &[rule], &mut failures) {
                *changed.entry(rule.name()).or_default() += 1;
            }
        }
        if check(&name, &text, &FIXABLE, &mut failures) {
            *changed.entry("all together").or_default() += 1;
        }
    }
    eprintln!("files changed by each fix, of {}: {changed:?}", names.len());
    // The corpus writes every `depends_on` and `ports` in order already (dclint agrees):
    // `sorting_fixes_undo_a_shuffle_of_the_corpus` exercises those two.
    for rule in FIXABLE
        .iter()
        .filter(|r| !matches!(r, RuleId::DependsOnOrder | RuleId::PortsOrder))
    {
        assert!(
            changed.get(rule.name()).is_some_and(|&n| n > 0),
            "{} fixed nothing in the corpus: the test would prove nothing",
            rule.name()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
