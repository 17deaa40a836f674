//! `cap-add-dangerous`: `cap_add` of a capability that reaches past the container (`ALL`,
//! `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `NET_ADMIN`, …).

use crate::analysis::compose::{capability, per_value, raw_span};
use crate::rules::prelude::*;

pub struct CapAddDangerous;

/// Capabilities Docker does not grant by default and that act on the host or escape the
/// container, with what they allow.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability, as `privileged` without the devices"),
    ("SYS_ADMIN", "mount, namespaces, BPF and much more: the usual way out of a container"),
    ("SYS_MODULE", "loading kernel modules into the host's kernel"),
    ("SYS_RAWIO", "raw I/O ports and memory of the host"),
    ("SYS_PTRACE", "tracing and reading the memory of other processes"),
    ("SYS_BOOT", "rebooting the host"),
    ("SYS_TIME", "setting the host's clock"),
    ("DAC_READ_SEARCH", "reading any host file through a handle (`open_by_handle_at`, the \"shocker\" escape)"),
    ("NET_ADMIN", "reconfiguring the network: interfaces, routes, firewall rules"),
    ("BPF", "loading BPF programs into the host's kernel"),
    ("PERFMON", "observing the host's kernel and other processes"),
    ("MAC_ADMIN", "changing the host's AppArmor or SELinux policy"),
    ("MAC_OVERRIDE", "bypassing the host's AppArmor or SELinux policy"),
    ("SYSLOG", "reading the host's kernel log and kernel addresses"),
];

impl Rule for CapAddDangerous {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for cap in &s.cap_add {
                let name = capability(&cap.value);
                if let Some(&(name, what)) = DANGEROUS.iter().find(|(n, _)| *n == name) {
                    hit(raw_span(cap), (name, what));
                }
            }
        });
        for hit in hits {
            let (name, what) = hit.item;
            let message = format!(
                "`cap_add: {name}` gives {} {what}: drop it, or grant the narrower capability \
                 the program needs",
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}
