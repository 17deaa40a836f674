//! SARIF 2.1.0: `tool.driver.rules[]` with metadata and help URIs, `security-severity` on
//! security rules, `partialFingerprints` that survive line shifts, and fixes as
//! `artifactChanges`. Columns count Unicode code points (`columnKind`).

use super::{Context, Hash128, RuleInfo, Secrets, display_path, fingerprints};
use crate::finding::{FileReport, Finding, Location, Severity};
use crate::source::{SourceFile, Span};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

/// GitHub code scanning reads `security-severity` (0.0–10.0) for security rules.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "3.0",
        Severity::Style => "1.0",
    }
}

/// A URI reference for a path: relative paths stay relative, absolute ones become `file://`;
/// bytes outside the unreserved set (and `/`) are percent-encoded.
pub(crate) fn path_uri(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

// The log is serialized from typed structs borrowing the reports. Field order is alphabetical
// (as the `serde_json::Value` maps this format was first written with), which keeps the output
// stable byte for byte.

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    byte_length: usize,
    byte_offset: u32,
    end_column: u32,
    end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet<'a>>,
    start_column: u32,
    start_line: u32,
}

#[derive(Serialize)]
struct Snippet<'a> {
    text: Cow<'a, str>,
}

impl<'a> Region<'a> {
    /// The region of `span`; with its source text (secrets masked) as the snippet if asked.
    fn of(span: Span, file: &'a SourceFile, secrets: Option<&Secrets>) -> Region<'a> {
        let l = Location::of(span, file);
        Region {
            byte_length: span.len(),
            byte_offset: span.start,
            end_column: l.end_column,
            end_line: l.end_line,
            snippet: secrets.map(|s| Snippet {
                text: s.mask(span.text(&file.text), span.start as usize),
            }),
            start_column: l.column,
            start_line: l.line,
        }
    }
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    message: Text<'a>,
    physical_location: RelatedPhysical<'a>,
}

/// A related location in the result's own file, or in another file of the project (the
/// Dockerfile stage a compose service builds, the compose service a Dockerfile is built for),
/// where only the line and column are known.
#[derive(Serialize)]
#[serde(untagged)]
enum RelatedPhysical<'a> {
    Here(PhysicalLocation<'a>),
    #[serde(rename_all = "camelCase")]
    Elsewhere {
        artifact_location: OwnedArtifactLocation,
        region: PointRegion,
    },
}

#[derive(Serialize)]
struct OwnedArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PointRegion {
    start_column: u32,
    start_line: u32,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "plimsoll/v1")]
    v1: Hash128,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region<'a>,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    artifact_changes: [ArtifactChange<'a>; 1],
    description: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[SarifFix<'a>; 1]>,
    level: &'static str,
    locations: [ResultLocation<'a>; 1],
    message: Text<'a>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    rule_id: &'a str,
    rule_index: usize,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    tags: &'static [&'static str],
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    default_configuration: Level,
    full_description: OwnedText,
    help: OwnedText,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    id: String,
    name: String,
    properties: Properties,
    short_description: OwnedText,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    information_uri: &'static str,
    name: &'static str,
    rules: &'a [RuleDescriptor],
    semantic_version: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact<'a> {
    location: ArtifactLocation<'a>,
    source_language: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    artifacts: Vec<Artifact<'a>>,
    column_kind: &'static str,
    results: &'a [SarifResult<'a>],
    tool: Tool<'a>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

fn rule_descriptor(code: &str, f: &Finding, info: Option<RuleInfo>) -> RuleDescriptor {
    let info = info.unwrap_or_else(|| RuleInfo {
        code: code.to_string(),
        name: f.name.to_string(),
        summary: f.name.replace('-', " "),
        help_uri: None,
        default_severity: f.severity,
        security: false,
    });
    let help = match &info.help_uri {
        Some(uri) => format!("{} See {uri}", info.summary),
        None => info.summary.clone(),
    };
    RuleDescriptor {
        default_configuration: Level {
            level: level(info.default_severity),
        },
        full_description: OwnedText {
            text: info.summary.clone(),
        },
        help: OwnedText { text: help },
        help_uri: info.help_uri,
        id: info.code,
        name: info.name,
        properties: if info.security {
            Properties {
                security_severity: Some(security_severity(info.default_severity)),
                tags: &["security"],
            }
        } else {
            Properties {
                security_severity: None,
                tags: &[],
            }
        },
        short_description: OwnedText { text: info.summary },
    }
}

pub fn render(reports: &[FileReport], ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Once per file: the path, its URI, the secrets and the fingerprints.
    let paths: Vec<String> = reports.iter().map(|r| display_path(&r.file)).collect();
    let uris: Vec<String> = paths.iter().map(|p| path_uri(p)).collect();
    let mut rules: Vec<RuleDescriptor> = Vec::new();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut results = Vec::with_capacity(reports.iter().map(|r| r.findings.len()).sum());
    for ((r, uri), path) in reports.iter().zip(&uris).zip(&paths) {
        let file = &r.file;
        let secrets = Secrets::of(r);
        let prints = fingerprints(r, path);
        for (f, print) in r.findings.iter().zip(prints) {
            let index = *rule_index.entry(f.code).or_insert_with(|| {
                rules.push(rule_descriptor(f.code, f, (ctx.rules)(f.code)));
                rules.len() - 1
            });
            let at = |region| PhysicalLocation {
                artifact_location: ArtifactLocation { uri },
                region,
            };
            results.push(SarifResult {
                fixes: f.fix.as_ref().map(|fix| {
                    [SarifFix {
                        artifact_changes: [ArtifactChange {
                            artifact_location: ArtifactLocation { uri },
                            replacements: fix
                                .edits
                                .iter()
                                .map(|e| Replacement {
                                    deleted_region: Region::of(e.span, file, None),
                                    inserted_content: Text {
                                        text: super::mask_replacement(&e.replacement, r),
                                    },
                                })
                                .collect(),
                        }],
                        description: Text {
                            text: std::borrow::Cow::Borrowed(&fix.description),
                        },
                    }]
                }),
                level: level(f.severity),
                locations: [ResultLocation {
                    physical_location: at(Region::of(f.span, file, Some(&secrets))),
                }],
                message: Text {
                    text: std::borrow::Cow::Borrowed(&f.message),
                },
                partial_fingerprints: Fingerprints { v1: print },
                related_locations: f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| RelatedLocation {
                        id: i + 1,
                        message: Text {
                            text: std::borrow::Cow::Borrowed(&rel.label),
                        },
                        physical_location: match rel.elsewhere.as_deref() {
                            Some(e) => RelatedPhysical::Elsewhere {
                                artifact_location: OwnedArtifactLocation {
                                    uri: path_uri(&e.path.to_string_lossy()),
                                },
                                region: PointRegion {
                                    start_column: e.column,
                                    start_line: e.line,
                                },
                            },
                            None => RelatedPhysical::Here(at(Region::of(
                                rel.span,
                                file,
                                Some(&secrets),
                            ))),
                        },
                    })
                    .collect(),
                rule_id: f.code,
                rule_index: index,
            });
        }
    }
    let log = Log {
        schema: SCHEMA,
        runs: [Run {
            artifacts: reports
                .iter()
                .zip(&uris)
                .map(|(r, uri)| Artifact {
                    location: ArtifactLocation { uri },
                    source_language: r.file.kind.as_str(),
                })
                .collect(),
            column_kind: "unicodeCodePoints",
            results: &results,
            tool: Tool {
                driver: Driver {
                    information_uri: "https://github.com/plimsoll/plimsoll",
                    name: "plimsoll",
                    rules: &rules,
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    super::write_pretty_json(out, &log)
}

#[cfg(test)]
mod tests {
    use crate::report::{Context, testdata};
    use crate::rules::RuleId;

    #[test]
    fn sarif_snapshot() {
        let mut out = Vec::new();
        let ctx = Context::new(&testdata::rule_info);
        super::render(&testdata::reports(), &ctx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("ghp_abcdefghijklmnop"), "secret masked");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let secret = rules
            .iter()
            .find(|r| r["id"] == RuleId::SecretToken.code())
            .unwrap();
        assert_eq!(secret["properties"]["security-severity"], "8.0");
        let latest = rules
            .iter()
            .find(|r| r["id"] == RuleId::LatestTag.code())
            .unwrap();
        assert!(latest["properties"].get("security-severity").is_none());
        crate::assert_snap!("sarif", text);
    }

    /// A related note about another file of the project points into that file.
    #[test]
    fn a_note_about_another_file_points_there() {
        let mut reports = testdata::reports();
        let f = &mut reports[0].findings[0];
        f.related = vec![
            crate::finding::Related::new(f.span, "here"),
            crate::finding::Related::elsewhere(f.span, "the stage built", "app/Dockerfile", 7, 3),
        ];
        let mut out = Vec::new();
        let ctx = Context::new(&testdata::rule_info);
        super::render(&reports, &ctx, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let related = &v["runs"][0]["results"][0]["relatedLocations"];
        let here = &related[0]["physicalLocation"];
        assert_eq!(
            here["artifactLocation"]["uri"],
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        );
        assert!(here["region"]["byteOffset"].is_number());
        let there = &related[1]["physicalLocation"];
        assert_eq!(there["artifactLocation"]["uri"], "app/Dockerfile");
        assert_eq!(there["region"]["startLine"], 7);
        assert_eq!(there["region"]["startColumn"], 3);
        assert_eq!(related[1]["message"]["text"], "the stage built");
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(super::path_uri("a b/Dockerfile"), "a%20b/Dockerfile");
        assert_eq!(super::path_uri("/x/y"), "file:///x/y");
    }
}
