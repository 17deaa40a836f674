//! The sections of a service: `build`, volumes, ports, secrets and configs, devices,
//! `env_file`, `healthcheck`, `deploy` and `extends`, in their short and long syntaxes.

use super::super::short_syntax as short;
use super::*;

impl Cx<'_> {
    pub(super) fn build(&mut self, id: NodeId) -> Option<Box<Build>> {
        let mut b = Box::new(Build {
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            short: false,
            context: None,
            dockerfile: None,
            dockerfile_inline: None,
            args: Vec::new(),
            built: None,
            target: None,
            secrets: Vec::new(),
            privileged: None,
            entitlements: Vec::new(),
        });
        if !self.yaml.is_mapping(id) {
            b.short = true;
            b.context = Some(self.text(id)?);
            return Some(b);
        }
        self.fields(id, |cx, k, v| match k {
            "context" => b.context = cx.text(v),
            "dockerfile" => b.dockerfile = cx.text(v),
            "dockerfile_inline" => b.dockerfile_inline = cx.text(v),
            "args" => b.args = cx.key_values(v),
            "target" => b.target = cx.text(v),
            "secrets" => b.secrets = cx.list(v, Cx::file_ref),
            "privileged" => b.privileged = cx.flag(v),
            "entitlements" => b.entitlements = cx.texts(v),
            _ => {}
        });
        Some(b)
    }

    pub(super) fn volume(&mut self, id: NodeId) -> Option<VolumeMount> {
        let span = self.node_span(id);
        if let Some(t) = self.text(id) {
            let parts = short::volume(&t.raw);
            let mut m = VolumeMount {
                span: t.span,
                node: id,
                short: Some(t.clone()),
                kind: MountKind::Volume,
                source: None,
                target: None,
                mode: None,
                read_only: false,
                propagation: None,
            };
            let Some(p) = parts else {
                self.diags.push(Diagnostic {
                    kind: DiagnosticKind::Schema,
                    span: t.span,
                    message: format!("volume `{}` has too many `:`-separated parts", t.raw),
                    related: Vec::new(),
                });
                return Some(m);
            };
            m.source = p.source.and_then(|r| self.sub_text(&t, r));
            m.target = self.sub_text(&t, p.target);
            m.mode = p.mode.and_then(|r| self.sub_text(&t, r));
            m.read_only = m
                .mode
                .as_ref()
                .is_some_and(|x| x.value.split(',').any(|o| o == "ro"));
            m.propagation = m.mode.as_ref().and_then(|mode| {
                let mut start = 0;
                for word in mode.raw.split(',') {
                    if is_propagation(word) {
                        return self.sub_text(mode, start..start + word.len());
                    }
                    start += word.len() + 1;
                }
                None
            });
            m.kind = match &m.source {
                Some(s) if short::is_host_path(&s.value) => MountKind::Bind,
                _ => MountKind::Volume,
            };
            return Some(m);
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut m = VolumeMount {
            span,
            node: id,
            short: None,
            kind: MountKind::Volume,
            source: None,
            target: None,
            mode: None,
            read_only: false,
            propagation: None,
        };
        self.fields(id, |cx, k, v| match k {
            "type" => {
                m.kind = match cx.yaml.scalar(v).map(|s| cx.resolve_text(s)).as_deref() {
                    Some("bind") => MountKind::Bind,
                    Some("volume") => MountKind::Volume,
                    Some("tmpfs") => MountKind::Tmpfs,
                    Some("npipe") => MountKind::Npipe,
                    Some("cluster") => MountKind::Cluster,
                    Some("image") => MountKind::Image,
                    _ => MountKind::Other,
                }
            }
            "source" => m.source = cx.text(v),
            "target" => m.target = cx.text(v),
            "read_only" => m.read_only = cx.flag(v).is_some_and(|f| f.is_true()),
            "bind" => cx.fields(v, |cx, k, v| {
                if k == "propagation" {
                    m.propagation = cx.text(v);
                }
            }),
            _ => {}
        });
        Some(m)
    }

    pub(super) fn port(&mut self, id: NodeId) -> Option<Port> {
        let mut p = Port {
            span: self.node_span(id),
            node: id,
            short: None,
            host_ip: None,
            published: None,
            target: None,
            protocol: None,
            mode: None,
            name: None,
            app_protocol: None,
        };
        if let Some(t) = self.text(id) {
            if let Some(sp) = short::port(&t.raw) {
                p.host_ip = sp.host_ip.and_then(|r| self.sub_text(&t, r));
                p.published = sp.published.and_then(|r| self.sub_text(&t, r));
                p.target = self.sub_text(&t, sp.target);
                p.protocol = sp.protocol.and_then(|r| self.sub_text(&t, r));
            }
            p.span = t.span;
            p.short = Some(t);
            return Some(p);
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        self.fields(id, |cx, k, v| match k {
            "host_ip" => p.host_ip = cx.text(v),
            "published" => p.published = cx.text(v),
            "target" => p.target = cx.text(v),
            "protocol" => p.protocol = cx.text(v),
            "mode" => p.mode = cx.text(v),
            "name" => p.name = cx.text(v),
            "app_protocol" => p.app_protocol = cx.text(v),
            _ => {}
        });
        Some(p)
    }

    pub(super) fn file_ref(&mut self, id: NodeId) -> Option<FileRef> {
        if let Some(t) = self.text(id) {
            return Some(FileRef {
                span: t.span,
                node: id,
                source: t,
                target: None,
                uid: None,
                gid: None,
                mode: None,
            });
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let span = self.node_span(id);
        let (mut source, mut target, mut uid, mut gid, mut mode) = (None, None, None, None, None);
        self.fields(id, |cx, k, v| match k {
            "source" => source = cx.text(v),
            "target" => target = cx.text(v),
            "uid" => uid = cx.text(v),
            "gid" => gid = cx.text(v),
            "mode" => mode = cx.num(v),
            _ => {}
        });
        Some(FileRef {
            span,
            node: id,
            source: source?,
            target,
            uid,
            gid,
            mode,
        })
    }

    pub(super) fn device(&mut self, id: NodeId) -> Option<Device> {
        if let Some(t) = self.text(id) {
            let (s, d, p) = short::device(&t.raw);
            return Some(Device {
                span: t.span,
                node: id,
                source: self.sub_text(&t, s),
                target: d.and_then(|r| self.sub_text(&t, r)),
                permissions: p.and_then(|r| self.sub_text(&t, r)),
                short: Some(t),
            });
        }
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut d = Device {
            span: self.node_span(id),
            node: id,
            short: None,
            source: None,
            target: None,
            permissions: None,
        };
        self.fields(id, |cx, k, v| match k {
            "source" => d.source = cx.text(v),
            "target" => d.target = cx.text(v),
            "permissions" => d.permissions = cx.text(v),
            _ => {}
        });
        Some(d)
    }

    pub(super) fn env_files(&mut self, id: NodeId) -> Vec<EnvFile> {
        if let Some(t) = self.text(id) {
            return vec![EnvFile {
                span: t.span,
                path: t,
                required: None,
                format: None,
            }];
        }
        self.list(id, |cx, i| {
            if let Some(t) = cx.text(i) {
                return Some(EnvFile {
                    span: t.span,
                    path: t,
                    required: None,
                    format: None,
                });
            }
            let span = cx.node_span(i);
            let (mut path, mut required, mut format) = (None, None, None);
            cx.fields(i, |cx, k, v| match k {
                "path" => path = cx.text(v),
                "required" => required = cx.flag(v),
                "format" => format = cx.text(v),
                _ => {}
            });
            Some(EnvFile {
                span,
                path: path?,
                required,
                format,
            })
        })
    }

    pub(super) fn healthcheck(&mut self, id: NodeId) -> Option<Box<Healthcheck>> {
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut h = Box::new(Healthcheck {
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            test: None,
            disable: None,
            interval: None,
            timeout: None,
            start_period: None,
            start_interval: None,
            retries: None,
        });
        self.fields(id, |cx, k, v| match k {
            "test" => h.test = cx.command(v),
            "disable" => h.disable = cx.flag(v),
            "interval" => h.interval = cx.text(v),
            "timeout" => h.timeout = cx.text(v),
            "start_period" => h.start_period = cx.text(v),
            "start_interval" => h.start_interval = cx.text(v),
            "retries" => h.retries = cx.num(v),
            _ => {}
        });
        Some(h)
    }

    pub(super) fn deploy(&mut self, id: NodeId) -> Option<Box<Deploy>> {
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut d = Box::new(Deploy {
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            mode: None,
            replicas: None,
            resources: None,
        });
        self.fields(id, |cx, k, v| match k {
            "mode" => d.mode = cx.text(v),
            "replicas" => d.replicas = cx.num(v),
            "resources" if cx.yaml.is_mapping(v) => {
                let mut r = Resources {
                    span: cx.node_span(v),
                    limits: None,
                    reservations: None,
                };
                cx.fields(v, |cx, k, v| match k {
                    "limits" => r.limits = cx.resource_spec(v),
                    "reservations" => r.reservations = cx.resource_spec(v),
                    _ => {}
                });
                d.resources = Some(r);
            }
            _ => {}
        });
        Some(d)
    }

    pub(super) fn resource_spec(&mut self, id: NodeId) -> Option<ResourceSpec> {
        if !self.yaml.is_mapping(id) {
            return None;
        }
        let mut r = ResourceSpec {
            span: self.node_span(id),
            cpus: None,
            memory: None,
            pids: None,
        };
        self.fields(id, |cx, k, v| match k {
            "cpus" => r.cpus = cx.text(v),
            "memory" => r.memory = cx.text(v),
            "pids" => r.pids = cx.num(v),
            _ => {}
        });
        Some(r)
    }

    pub(super) fn extends(&mut self, id: NodeId) -> Option<Extends> {
        let span = self.node_span(id);
        if let Some(t) = self.text(id) {
            return Some(Extends {
                span,
                service: t,
                file: None,
                resolved: false,
            });
        }
        let (mut service, mut file) = (None, None);
        self.fields(id, |cx, k, v| match k {
            "service" => service = cx.text(v),
            "file" => file = cx.text(v),
            _ => {}
        });
        Some(Extends {
            span,
            service: service?,
            file,
            resolved: false,
        })
    }
}

/// Whether a short-syntax volume mode word sets the bind propagation.
fn is_propagation(word: &str) -> bool {
    matches!(
        word,
        "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"
    )
}
