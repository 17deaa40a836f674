//! `root-user` (PL201): the final image explicitly runs as root (its last `USER` is `root` or uid
//! 0), or a compose service sets `user: root` / `0`.

use super::{Context, Rule};
use crate::model::dockerfile::is_root_user;

pub struct RootUser;

impl Rule for RootUser {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/root-user.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        if let Some(df) = cx.dockerfile() {
            // Build stages are not the image that runs; only the final stage matters.
            let Some(user) = df.final_stage().and_then(|s| s.user.as_ref()) else {
                return;
            };
            if !user.is_root() {
                return;
            }
            let shown = user.resolved.as_deref().unwrap_or(&user.raw);
            let via = if user.raw == shown {
                String::new()
            } else {
                format!(" (`{}` resolves to `{shown}`)", user.raw)
            };
            cx.report(
                user.span,
                format!("the final image runs as root{via}: switch to an unprivileged user after the steps that need root"),
            );
            return;
        }
        let Some(compose) = cx.compose() else { return };
        let mut found = Vec::new();
        for service in compose.services() {
            if let Some(user) = &service.user
                && is_root_user(&user.value)
            {
                found.push((
                    user.span_of(0..user.raw.len()),
                    service.name.value.clone(),
                    user.value.clone(),
                ));
            }
        }
        for (span, name, value) in found {
            cx.report(
                span,
                format!(
                    "service `{name}` runs as root (`user: {value}`): use an unprivileged user"
                ),
            );
        }
    }
}
