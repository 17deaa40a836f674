//! `secret-token`: a credential in a known format (AWS, GitHub, GitLab, Slack, Stripe, Google, a
//! private key block, a JWT) anywhere in a Dockerfile or compose file.

use crate::analysis::secret::detect::SecretKind;
use crate::finding::redact;
use crate::rules::prelude::*;

pub struct SecretToken;

impl Rule for SecretToken {
    fn check_file(&self, cx: &mut Context<'_>) {
        let text = cx.text();
        for hit in &cx.analysis().secrets().plain {
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
