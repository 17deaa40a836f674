//! `sensitive-host-mount`: a bind mount of a host directory whose contents hand over the
//! host: the root filesystem, `/etc`, root's home, credentials, Docker's data; or a system
//! directory (`/usr`, `/boot`, `/proc`, `/sys`, …) mounted writable.

use crate::analysis::compose::{bind_source, is_within, per_value, raw_span, runtime_socket};
use crate::rules::prelude::*;

pub struct SensitiveHostMount;

/// Reading them is enough: the host's whole filesystem, its accounts and password hashes,
/// root's home, the directory holding the runtime sockets, every container's data.
const READ_EXPOSES: &[&str] = &[
    "/",
    "/etc",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d",
    "/etc/ssh",
    "/etc/kubernetes",
    "/root",
    "/home",
    "/run",
    "/var/run",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
];

/// Writing there changes what the host runs or how its kernel behaves: system programs and
/// libraries, the kernel and its modules, and the configuration the host's own services read.
/// (Other directories under `/etc` or `/usr`, such as `/etc/pihole` or `/usr/share/appdata`,
/// are often the data of the containerised service itself, which the host never reads.)
const WRITE_TAKES_OVER: &[&str] = &[
    "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libexec",
    "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/bin", "/sbin", "/lib", "/lib32",
    "/lib64", "/libx32", "/boot", "/proc", "/sys", "/var/spool/cron", "/etc/systemd",
    "/etc/cron.d", "/etc/cron.daily", "/etc/cron.hourly", "/etc/crontab", "/etc/init.d",
    "/etc/rc.local", "/etc/profile", "/etc/profile.d", "/etc/environment", "/etc/bash.bashrc",
    "/etc/ld.so.preload", "/etc/ld.so.conf.d", "/etc/pam.d", "/etc/security", "/etc/passwd",
    "/etc/group", "/etc/docker", "/etc/containerd", "/etc/udev", "/etc/modprobe.d",
    "/etc/modules-load.d", "/etc/sysctl.conf", "/etc/sysctl.d", "/etc/apt", "/etc/yum.repos.d",
    "/etc/hosts", "/etc/resolv.conf",
];

/// Files under those directories that many images mount writable by habit and whose change
/// hands nothing over (the clock's zone).
const HARMLESS: &[&str] = &["/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo"];

/// Credential directories in a home (`~/.ssh`, `/home/alice/.aws`, `/root/.docker`).
fn credential_dir(path: &str) -> bool {
    let in_home = path.starts_with("~/") || path.starts_with("/home/") || path.starts_with("/root/");
    in_home
        && path.split('/').any(|seg| {
            matches!(seg, ".ssh" | ".aws" | ".kube" | ".docker" | ".gnupg" | ".azure" | ".gcloud")
        })
}

/// Why mounting `path` is dangerous, `None` when it is not.
fn danger(path: &str, read_only: bool) -> Option<&'static str> {
    if path.starts_with("/dev") && is_within(path, "/dev") {
        // Devices are `device-passthrough`'s.
        return None;
    }
    if runtime_socket(path).is_some() {
        return None; // `runtime-socket-mount` says more.
    }
    if READ_EXPOSES.contains(&path) || credential_dir(path) || is_within(path, "/root") {
        return Some(if path == "/" {
            "the host's whole filesystem"
        } else if path == "/run" || path == "/var/run" {
            "the host's runtime directory (the Docker socket and every other daemon's socket)"
        } else {
            "host credentials (password hashes, SSH or cloud keys, cluster certificates)"
        });
    }
    if read_only || HARMLESS.iter().any(|h| is_within(path, h)) {
        return None;
    }
    let takes_over = WRITE_TAKES_OVER
        .iter()
        .any(|dir| if *dir == "/usr" { path == "/usr" } else { is_within(path, dir) });
    if takes_over {
        // A prefix entry like `/usr` covers only itself: `/usr/share/...` is left alone.
        return Some(if is_within(path, "/proc") || is_within(path, "/sys") {
            "writable kernel settings of the host (`/proc/sys`, cgroups)"
        } else {
            "writable system files of the host, which the host then runs"
        });
    }
    None
}

impl Rule for SensitiveHostMount {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for m in &s.volumes {
                if let Some((source, path)) = bind_source(m)
                    && let Some(why) = danger(&path, m.read_only)
                {
                    hit(raw_span(source), (path, why, m.read_only));
                }
            }
        });
        for hit in hits {
            let (path, why, read_only) = &hit.item;
            let advice = if *read_only {
                "mount only the files it needs"
            } else {
                "mount only the files it needs, read-only (`:ro`)"
            };
            let message = format!(
                "bind mount of `{path}` gives {} {why}: {advice}",
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}
