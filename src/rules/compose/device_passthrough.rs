//! `device-passthrough`: a host device that reaches the host's disks, memory or kernel,
//! given to a service through `devices:` or a bind mount of `/dev`.

use crate::analysis::compose::{bind_source, is_within, normalize_host_path, per_value, raw_span};
use crate::rules::prelude::*;

pub struct DevicePassthrough;

/// What the device at `path` (normalised) gives, when it reaches past the container. GPUs,
/// sound, serial adapters, cameras, `/dev/net/tun` and `/dev/fuse` are left alone: they are
/// what `devices:` is for.
fn reach(path: &str) -> Option<&'static str> {
    if path == "/dev" {
        return Some("every device of the host");
    }
    let name = path.strip_prefix("/dev/")?;
    let disk_prefixes = ["sd", "hd", "vd", "xvd", "nvme", "mmcblk", "loop", "dm-", "md", "nbd"];
    if disk_prefixes.iter().any(|p| name.starts_with(p))
        || is_within(path, "/dev/mapper")
        || is_within(path, "/dev/disk")
    {
        return Some("a host disk, readable and writable block by block");
    }
    match name {
        "mem" | "kmem" | "port" => Some("the host's physical memory or I/O ports"),
        "kmsg" => Some("the host's kernel log"),
        _ if is_within(path, "/dev/cpu") => Some("the host CPUs' model-specific registers"),
        _ => None,
    }
}

impl Rule for DevicePassthrough {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for d in &s.devices {
                if let Some(source) = &d.source
                    && let Some(what) = reach(&normalize_host_path(&source.value))
                {
                    hit(raw_span(source), (source.value.clone(), what));
                }
            }
            for m in &s.volumes {
                if let Some((source, path)) = bind_source(m)
                    && is_within(&path, "/dev")
                    && let Some(what) = reach(&path)
                {
                    hit(raw_span(source), (path, what));
                }
            }
        });
        for hit in hits {
            let (path, what) = &hit.item;
            let message = format!(
                "`{path}` gives {} {what}: pass only the device it needs, or give it the data \
                 through a volume",
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}
