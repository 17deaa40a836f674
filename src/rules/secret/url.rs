//! `secret-in-url` (PL505): a password in a URL's user-info (`https://user:pass@host`), in a
//! Dockerfile or a compose file.

use super::allowlist::Allowlist;
use super::detect::{ScanOptions, SecretKind, scan_file};
use crate::finding::redact;
use crate::rules::{Context, Rule};

pub struct SecretInUrl;

impl Rule for SecretInUrl {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/secret-in-url.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let allow = Allowlist::cached(&cx.options.secret_allowlist);
        let text = cx.text();
        let opts = ScanOptions { assignments: false };
        for hit in scan_file(text, &allow, opts) {
            if hit.kind != SecretKind::UrlCredentials {
                continue;
            }
            let shown = redact(hit.secret.text(text));
            let message = format!(
                "this URL carries a password (`{shown}`): it ends up in the image history or the \
                 container's environment; take it from a secret or an interpolated variable instead"
            );
            cx.report(hit.secret, message).secret = Some(hit.secret);
        }
    }
}
