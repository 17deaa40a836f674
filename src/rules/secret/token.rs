//! `secret-token` (PL503): a credential in a known format (AWS, GitHub, GitLab, Slack, Stripe,
//! Google, a private key block, a JWT) anywhere in a Dockerfile or compose file.

use super::allowlist::Allowlist;
use super::detect::{ScanOptions, SecretKind, scan_file};
use crate::finding::redact;
use crate::rules::{Context, Rule};

pub struct SecretToken;

impl Rule for SecretToken {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/secret-token.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let allow = Allowlist::cached(&cx.options.secret_allowlist);
        let text = cx.text();
        let opts = ScanOptions { assignments: false };
        for hit in scan_file(text, &allow, opts) {
            if hit.kind == SecretKind::UrlCredentials {
                continue; // secret-in-url
            }
            let shown = redact(hit.secret.text(text));
            let message = format!(
                "{} `{shown}` is written in the file: anyone who can read the image or the \
                 source can use it; revoke it and pass it at build time with \
                 `RUN --mount=type=secret` (compose: `secrets:`)",
                hit.kind.describe()
            );
            cx.report(hit.span, message).secret = Some(hit.secret);
        }
    }
}
