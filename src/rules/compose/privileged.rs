//! `privileged`: a service that runs privileged (`privileged: true`), or whose build may run
//! privileged steps (`build: privileged: true`, which compose turns into the
//! `security.insecure` entitlement, or that entitlement written out).

use crate::analysis::compose::{per_value, raw_span};
use crate::rules::prelude::*;

pub struct Privileged;

/// What runs privileged.
#[derive(Clone, Copy)]
enum Where {
    /// The container (`privileged: true`).
    Container,
    /// The build (`build: privileged: true`, which compose turns into the `security.insecure`
    /// entitlement).
    Build,
    /// The build, through the entitlement itself (`build: entitlements: [security.insecure]`).
    Entitlement,
}

impl Rule for Privileged {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            if let Some(p) = s.privileged.as_ref().filter(|p| p.is_true()) {
                hit(raw_span(&p.text), Where::Container);
            }
            let Some(b) = s.build.as_deref() else { return };
            if let Some(p) = b.privileged.as_ref().filter(|p| p.is_true()) {
                hit(raw_span(&p.text), Where::Build);
            }
            for e in b.entitlements.iter().filter(|e| e.value.trim() == "security.insecure") {
                hit(raw_span(e), Where::Entitlement);
            }
        });
        for hit in hits {
            let who = hit.services_phrase();
            // The verb agrees with "service `a`" or "services `a`, `b`".
            let one = hit.services.len() == 1;
            let (runs, builds, grants) = if one {
                ("runs", "builds", "grants its build")
            } else {
                ("run", "build", "grant their build")
            };
            let message = match hit.item {
                Where::Container => format!(
                    "{who} {runs} privileged: every capability, every host device, no seccomp or \
                     AppArmor profile; root in it is root on the host. Remove `privileged` and \
                     add only the capability or device it needs (`cap_add`, `devices`)"
                ),
                Where::Build | Where::Entitlement => format!(
                    "{who} {}: `RUN --security=insecure` steps run as a privileged container on \
                     the machine that builds, so a Dockerfile or script in the build context \
                     owns that machine. Remove it unless a step truly needs it",
                    if matches!(hit.item, Where::Build) {
                        format!(
                            "{builds} with `privileged: true`, which grants the build \
                             `security.insecure`"
                        )
                    } else {
                        format!("{grants} `security.insecure`")
                    }
                ),
            };
            cx.report(hit.span, message);
        }
    }
}
