//! `service-healthcheck-missing`: a policy: a service without a health check, or with its
//! health check turned off.

use crate::rules::prelude::*;

pub struct ServiceHealthcheckMissing;

impl Rule for ServiceHealthcheckMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let name = &service.name.value;
        let Some(h) = service.healthcheck.as_deref() else {
            // A key this file does not write may be written where the service is completed.
            if !service.container_is_complete() {
                return;
            }
            cx.report(
                service.name.span,
                format!(
                    "service `{name}` has no health check here: compose and \
                     `depends_on: condition: service_healthy` cannot tell a hung service from a \
                     working one; add a `healthcheck:` (unless its image declares one)"
                ),
            );
            return;
        };
        if let Some(d) = h.disable.as_ref().filter(|d| d.is_true()) {
            cx.report(
                d.text.span,
                format!("service `{name}` turns its health check off: remove `disable: true`"),
            );
            return;
        }
        let none = h.test.as_ref().and_then(|t| match (&t.shell, t.exec.first()) {
            (Some(s), _) if s.value.trim() == "NONE" => Some(s.span),
            (None, Some(first)) if first.value == "NONE" => Some(first.span),
            _ => None,
        });
        if let Some(at) = none {
            cx.report(
                at,
                format!("service `{name}` turns its health check off (`NONE`): give it a test"),
            );
        }
    }
}
