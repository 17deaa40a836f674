//! The output formats a report can be written in, named as on the command line (`--format`)
//! and in the configuration (`output-format`). Kept apart from [`crate::report`], which renders
//! them, so that configuration can name a format without depending on the renderers.

/// Output formats, named as on the command line (`--format`, through clap's `ValueEnum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Checkstyle,
    Gitlab,
    Github,
    Junit,
    /// Code Climate engine issues, NUL-separated (hadolint's `codeclimate`).
    Codeclimate,
    /// `plimsoll:FILE:LINE: CODE severity: message` (hadolint's `gnu`).
    Gnu,
    /// SonarQube's generic issue import JSON (hadolint's `sonarqube`).
    Sonarqube,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "human" | "full" | "tty" => Format::Human,
            "concise" | "text" => Format::Concise,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "checkstyle" => Format::Checkstyle,
            "gitlab" | "gitlab_codeclimate" => Format::Gitlab,
            "github" | "github-actions" => Format::Github,
            "junit" => Format::Junit,
            "codeclimate" => Format::Codeclimate,
            "gnu" => Format::Gnu,
            "sonarqube" => Format::Sonarqube,
            _ => return None,
        })
    }
}
