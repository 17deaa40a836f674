//! What the compose service rules ask of a service's effective configuration (anchors, merge
//! keys, `extends` and interpolation already applied by the model): host paths a mount
//! reaches, container-runtime sockets, capabilities, `security_opt` entries and published
//! ports; and the grouping that reports a value several services share (an anchor, a base
//! service in the same file) once, at the value.

use crate::model::compose::{ComposeFile, MountKind, Port, Service, Text, VolumeMount};
use crate::source::Span;

/// The span of a value's text as written (the scalar without its quotes where it is written
/// verbatim, else the whole scalar).
pub fn raw_span(t: &Text) -> Span {
    t.span_of(0..t.raw.len())
}

/// An offending value and the services it applies to.
#[derive(Debug)]
pub struct Shared<'c, T> {
    pub span: Span,
    pub services: Vec<&'c Service>,
    pub item: T,
}

impl<T> Shared<'_, T> {
    /// "service `a`" or "services `a`, `b`".
    pub fn services_phrase(&self) -> String {
        let names: Vec<String> = self
            .services
            .iter()
            .map(|s| format!("`{}`", s.name.value))
            .collect();
        match names.as_slice() {
            [one] => format!("service {one}"),
            many => format!("services {}", many.join(", ")),
        }
    }
}

/// The values `find` picks in each service of the file, each span once: a value written once
/// and used by several services (through an anchor, or a base service they extend in this
/// file) is one finding naming them all, in file order of first use.
pub fn per_value<'c, T>(
    compose: &'c ComposeFile,
    mut find: impl FnMut(&'c Service, &mut dyn FnMut(Span, T)),
) -> Vec<Shared<'c, T>> {
    let mut out: Vec<Shared<'c, T>> = Vec::new();
    for service in compose.services() {
        find(
            service,
            &mut |span, item| match out.iter_mut().find(|s| s.span == span) {
                Some(s) => {
                    if !s.services.iter().any(|x| std::ptr::eq(*x, service)) {
                        s.services.push(service);
                    }
                }
                None => out.push(Shared {
                    span,
                    services: vec![service],
                    item,
                }),
            },
        );
    }
    out
}

/// The values `field` picks that are `host` (a namespace shared with the host: `pid`, `ipc`,
/// `uts`, `userns_mode`, `cgroup`, `network_mode`), each once.
pub fn host_mode<'c>(
    compose: &'c ComposeFile,
    field: fn(&Service) -> Option<&Text>,
) -> Vec<Shared<'c, ()>> {
    per_value(compose, |s, hit| {
        if let Some(t) = field(s).filter(|t| t.value.trim() == "host") {
            hit(raw_span(t), ());
        }
    })
}

/// A host path as compose hands it to the engine, normalised for comparison: `//x` (Docker
/// Desktop's spelling) and doubled slashes collapsed, `.` segments and a trailing `/` removed.
/// Relative paths and `~` keep their first segment.
pub fn normalize_host_path(path: &str) -> String {
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The host path a mount reaches: the source of a bind mount (short syntax with a path, or
/// long syntax `type: bind`), interpolated and normalised.
pub fn bind_source(m: &VolumeMount) -> Option<(&Text, String)> {
    if m.kind != MountKind::Bind {
        return None;
    }
    let source = m.source.as_ref()?;
    if source.value.is_empty() {
        return None;
    }
    Some((source, normalize_host_path(&source.value)))
}

/// Whether `path` is `dir` or inside it (both normalised).
pub fn is_within(path: &str, dir: &str) -> bool {
    match path.strip_prefix(dir) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || dir == "/",
        None => false,
    }
}

/// The container runtime whose API socket `path` is (a normalised host path), if it is one:
/// the socket itself or the directory holding it (`/var/run`, `/run/containerd`), which gives
/// the same access.
pub fn runtime_socket(path: &str) -> Option<&'static str> {
    const SOCKETS: &[(&str, &str)] = &[
        ("/var/run/docker.sock", "Docker"),
        ("/run/docker.sock", "Docker"),
        ("/var/run/docker", "Docker"),
        ("/run/docker", "Docker"),
        ("/run/containerd", "containerd"),
        ("/var/run/containerd", "containerd"),
        ("/run/crio", "CRI-O"),
        ("/var/run/crio", "CRI-O"),
        ("/run/podman", "Podman"),
        ("/var/run/podman", "Podman"),
        ("/run/k3s/containerd", "containerd"),
        ("/var/run/cri-dockerd.sock", "cri-dockerd"),
        ("/run/cri-dockerd.sock", "cri-dockerd"),
    ];
    if let Some((_, name)) = SOCKETS.iter().find(|(p, _)| is_within(path, p)) {
        return Some(name);
    }
    // Rootless and user sockets: `$XDG_RUNTIME_DIR/docker.sock`, `/run/user/1000/podman/…`,
    // `~/.docker/run/docker.sock` (Docker Desktop).
    let file = path.rsplit('/').next().unwrap_or(path);
    match file {
        "docker.sock" => Some("Docker"),
        "containerd.sock" => Some("containerd"),
        "crio.sock" => Some("CRI-O"),
        "podman.sock" => Some("Podman"),
        _ => None,
    }
}

/// A capability as the engine reads it: upper case, without the `CAP_` prefix.
pub fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// A `security_opt` entry split into its option and value: `seccomp:unconfined` and
/// `seccomp=unconfined` alike give `("seccomp", Some("unconfined"))`; `no-new-privileges`
/// gives `("no-new-privileges", None)`.
pub fn security_opt(entry: &str) -> (&str, Option<&str>) {
    let entry = entry.trim();
    match entry.find([':', '=']) {
        Some(i) => (&entry[..i], Some(&entry[i + 1..])),
        None => (entry, None),
    }
}

/// The `security_opt` entries that set `option` to one of `values`, each once.
pub fn security_opt_set<'c>(
    compose: &'c ComposeFile,
    option: &str,
    values: &[&str],
) -> Vec<Shared<'c, ()>> {
    per_value(compose, |s, hit| {
        for o in &s.security_opt {
            if let (key, Some(value)) = security_opt(&o.value)
                && key == option
                && values.contains(&value)
            {
                hit(raw_span(o), ());
            }
        }
    })
}

/// Whether the service sets `no-new-privileges` (`no-new-privileges`, `:true`, `=true`).
pub fn sets_no_new_privileges(service: &Service) -> bool {
    service.security_opt.iter().any(|o| {
        matches!(
            security_opt(&o.value),
            ("no-new-privileges", None | Some("true" | "1"))
        )
    })
}

/// What a port entry publishes on the host, as the engine will bind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The host address, `None` for every interface (none written, `0.0.0.0`, `::`).
    pub host_ip: Option<String>,
    /// The host ports, `None` when the engine picks one (no published port written).
    pub ports: Option<(u32, u32)>,
    pub protocol: String,
}

/// Whether a host address means every interface.
pub fn is_any_address(ip: &str) -> bool {
    matches!(ip.trim_matches(['[', ']']), "" | "0.0.0.0" | "::" | "*")
}

/// A port number or range (`8080`, `8000-8010`).
pub fn port_range(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}

/// What `port` publishes on the host, `None` when its values cannot be read (unresolved
/// variables, a malformed entry: the schema check says so).
pub fn published(port: &Port) -> Option<Published> {
    let host_ip = port
        .host_ip
        .as_ref()
        .map(|t| t.value.trim().to_string())
        .filter(|ip| !is_any_address(ip));
    let ports = match port.published.as_ref().map(|t| t.value.trim()) {
        None | Some("") => None,
        Some(p) => Some(port_range(p)?),
    };
    let protocol = port
        .protocol
        .as_ref()
        .map_or("tcp", |t| t.value.trim())
        .to_ascii_lowercase();
    // A target that is no number means the entry was misread; do not guess.
    port_range(&port.target.as_ref()?.value)?;
    Some(Published {
        host_ip,
        ports,
        protocol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::compose::{Env, load};
    use std::path::Path;

    fn service(yaml: &str) -> ComposeFile {
        load(yaml, Path::new("/p/compose.yaml"), &Env::new())
    }

    #[test]
    fn host_paths_are_normalised() {
        assert_eq!(
            normalize_host_path("//var/run/docker.sock"),
            "/var/run/docker.sock"
        );
        assert_eq!(normalize_host_path("/etc/"), "/etc");
        assert_eq!(normalize_host_path("/"), "/");
        assert_eq!(normalize_host_path("/./etc//ssl"), "/etc/ssl");
        assert_eq!(normalize_host_path("./data/"), "data");
        assert!(is_within("/etc/ssl", "/etc") && is_within("/etc", "/etc"));
        assert!(!is_within("/etcd", "/etc") && is_within("/x", "/"));
    }

    #[test]
    fn runtime_sockets() {
        assert_eq!(runtime_socket("/var/run/docker.sock"), Some("Docker"));
        assert_eq!(
            runtime_socket("/run/containerd/containerd.sock"),
            Some("containerd")
        );
        assert_eq!(runtime_socket("/run/user/1000/docker.sock"), Some("Docker"));
        assert_eq!(runtime_socket("/var/run"), None);
        assert_eq!(runtime_socket("/var/run/dockerd.pid"), None);
    }

    #[test]
    fn capabilities_and_security_options() {
        assert_eq!(capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(capability("ALL"), "ALL");
        assert_eq!(
            security_opt("seccomp=unconfined"),
            ("seccomp", Some("unconfined"))
        );
        assert_eq!(security_opt("label:disable"), ("label", Some("disable")));
        assert_eq!(
            security_opt("no-new-privileges"),
            ("no-new-privileges", None)
        );
    }

    #[test]
    fn published_ports() {
        let f = service(
            "services:\n  a:\n    image: x:1\n    ports:\n      - \"8080:80\"\n      - \
             127.0.0.1:5432:5432\n      - 3000\n      - \"0.0.0.0:53:53/udp\"\n      - \
             target: 80\n        published: \"8000-8010\"\n        host_ip: \"::1\"\n",
        );
        let s = f.services().next().unwrap();
        let p: Vec<Published> = s.ports.iter().filter_map(published).collect();
        assert_eq!(p.len(), 5);
        assert_eq!(p[0].host_ip, None);
        assert_eq!(p[0].ports, Some((8080, 8080)));
        assert_eq!(p[1].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(p[2].ports, None);
        assert_eq!(
            (p[3].host_ip.clone(), p[3].protocol.as_str()),
            (None, "udp")
        );
        assert_eq!(p[4].ports, Some((8000, 8010)));
        assert_eq!(p[4].host_ip.as_deref(), Some("::1"));
    }

    #[test]
    fn a_value_shared_through_an_anchor_is_one_finding() {
        let f = service(
            "x-base: &base\n  privileged: true\nservices:\n  a:\n    <<: *base\n    image: x:1\n  \
             b:\n    <<: *base\n    image: y:1\n  c:\n    image: z:1\n    privileged: true\n",
        );
        let hits = per_value(&f, |s, hit| {
            if let Some(p) = &s.privileged {
                hit(raw_span(&p.text), ());
            }
        });
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].services_phrase(), "services `a`, `b`");
        assert_eq!(hits[1].services_phrase(), "service `c`");
    }

    #[test]
    fn bind_sources_and_propagation() {
        let f = service(
            "services:\n  a:\n    image: x:1\n    volumes:\n      - /var/run/docker.sock:/s:ro\n      \
             - data:/data\n      - /mnt:/mnt:rshared\n      - type: bind\n        source: /etc/\n        \
             target: /host-etc\n        bind:\n          propagation: shared\n",
        );
        let s = f.services().next().unwrap();
        let sources: Vec<Option<String>> = s
            .volumes
            .iter()
            .map(|m| bind_source(m).map(|(_, p)| p))
            .collect();
        assert_eq!(
            sources,
            [
                Some("/var/run/docker.sock".to_string()),
                None,
                Some("/mnt".to_string()),
                Some("/etc".to_string())
            ]
        );
        let prop: Vec<Option<&str>> = s
            .volumes
            .iter()
            .map(|m| m.propagation.as_ref().map(|t| t.raw.as_str()))
            .collect();
        assert_eq!(prop, [None, None, Some("rshared"), Some("shared")]);
        assert_eq!(
            s.volumes[2]
                .propagation
                .as_ref()
                .map(|t| t.span.text(&f.yaml.text[..])),
            Some("rshared")
        );
    }
}
