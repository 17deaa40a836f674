//! `secret-in-url`: a password in a URL's user-info (`https://user:pass@host`), in a Dockerfile
//! or a compose file.

use crate::analysis::secret::detect::SecretKind;
use crate::finding::redact;
use crate::rules::prelude::*;

pub struct SecretInUrl;

impl Rule for SecretInUrl {
    fn check_file(&self, cx: &mut Context<'_>) {
        let text = cx.text();
        for hit in &cx.analysis().secrets().plain {
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
