//! `root-user`: the final image explicitly runs as root (its last `USER` is `root` or uid 0), or
//! a compose service sets `user: root` / `0`.

use crate::model::dockerfile::is_root_user;
use crate::rules::prelude::*;

pub struct RootUser;

impl Rule for RootUser {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
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
    }

    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let Some(user) = &service.user else { return };
        if !is_root_user(&user.value) {
            return;
        }
        cx.report(
            user.span_of(0..user.raw.len()),
            format!(
                "service `{}` runs as root (`user: {}`): use an unprivileged user",
                service.name.value, user.value
            ),
        );
    }
}
