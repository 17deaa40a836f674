//! `environment-secret`: a policy: a secret handed to a service as an environment
//! variable (taken from the host's environment or `.env`) rather than as a `secrets:` file.

use crate::analysis::compose::{per_value, raw_span};
use crate::analysis::secret::names::{SecretName, secret_name};
use crate::rules::prelude::*;

pub struct EnvironmentSecret;

impl Rule for EnvironmentSecret {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for kv in &s.environment {
                if secret_name(&kv.key.value) != Some(SecretName::Literal) {
                    continue;
                }
                // A literal is `secret-in-variable`'s (a worse finding); a reference or a bare
                // name passes the host's value on.
                let passed_on = kv.value.as_ref().is_none_or(|v| v.is_interpolated());
                if passed_on {
                    hit(raw_span(&kv.key), kv.key.value.clone());
                }
            }
        });
        for hit in hits {
            let message = format!(
                "`{}` reaches {} as an environment variable, which `docker inspect` shows, child \
                 processes inherit and crash reports print: give it as a `secrets:` file (most \
                 images read `{}_FILE`)",
                hit.item,
                hit.services_phrase(),
                hit.item
            );
            cx.report(hit.span, message);
        }
    }
}
