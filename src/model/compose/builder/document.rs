//! A compose document and its services: the top-level sections, each service's keys, and the
//! top-level networks, volumes, secrets, configs, models and includes.

use super::*;

/// The most services modelled per document. Real files hold dozens; a service's model takes a
/// few kilobytes, so a generated file of 100,000 two-line services would take hundreds of
/// megabytes. Past this the rest are not modelled, and `input-limit` says where.
pub(in crate::model::compose) const MAX_SERVICES: usize = 10_000;

impl Cx<'_> {
    pub(in crate::model::compose) fn compose(&mut self, root: NodeId, span: Span) -> Compose {
        let mut c = Compose {
            span,
            node: Some(root),
            ..Compose::default()
        };
        let entries: Vec<_> = self.entries(root).collect();
        self.services = entries
            .iter()
            .find(|(k, _)| *k == "services")
            .map(|(_, e)| self.yaml.resolve(e.value));
        for (key, e) in &entries {
            match *key {
                "name" => c.name = self.entry(e, |cx, v| cx.text(v)),
                "version" => c.version = self.entry(e, |cx, v| cx.text(v)),
                "services" => c.services = self.entry(e, |cx, v| cx.services(v)),
                "networks" => c.networks = self.entry(e, |cx, v| cx.resources(v)),
                "volumes" => c.volumes = self.entry(e, |cx, v| cx.resources(v)),
                "secrets" => c.secrets = self.entry(e, |cx, v| cx.resources(v)),
                "configs" => c.configs = self.entry(e, |cx, v| cx.resources(v)),
                "models" => c.models = self.entry(e, |cx, v| cx.resources(v)),
                "include" => c.include = self.entry(e, |cx, v| cx.includes(v)),
                k if k.starts_with("x-") => c.extensions.extend(self.key_text(e.key)),
                _ => {}
            }
        }
        c
    }

    /// A document in the version-1 layout: every top-level key is a service.
    pub(in crate::model::compose) fn compose_v1(&mut self, root: NodeId, span: Span) -> Compose {
        self.services = Some(root);
        Compose {
            span,
            node: Some(root),
            services: self.services(root),
            ..Compose::default()
        }
    }

    fn services(&mut self, id: NodeId) -> Vec<Service> {
        if !self.yaml.is_mapping(id) {
            return Vec::new();
        }
        self.scoped(id, |cx, m| {
            let entries: Vec<_> = cx.entries(m).collect();
            // Services are large: grow the list once, not by doubling copies.
            let mut out = Vec::with_capacity(entries.len().min(MAX_SERVICES));
            for (name, e) in entries {
                if name.starts_with("x-") || !cx.yaml.is_mapping(e.value) {
                    continue;
                }
                if out.len() >= MAX_SERVICES {
                    cx.budget.stop(
                        cx.yaml.node(e.key).map_or(Span::default(), |n| n.span),
                        format!(
                            "the file defines more than {MAX_SERVICES} services: only those \
                             before this one are modelled and linted"
                        ),
                    );
                    break;
                }
                // Filled only when the service has `extends` (see `service_extended`).
                let mut visiting = Vec::new();
                cx.entry(&e, |cx, v| {
                    cx.service_extended(e.key, v, &mut visiting, &mut out)
                });
            }
            out
        })
    }

    /// Pushes the service at `key`/`id` onto `out`; returns its keys' `!reset`/`!override` tags.
    pub(super) fn service(&mut self, key: NodeId, id: NodeId, out: &mut Vec<Service>) -> KeyTags {
        let name = self.key_text(key).unwrap_or_else(|| Text {
            raw: String::new(),
            value: String::new(),
            span: self.span(key),
            style: ScalarStyle::Plain,
            raw_offset: None,
            node: key,
            origin: None,
        });
        out.push(Service {
            name,
            span: self.node_span(id),
            node: self.yaml.resolve(id),
            image: None,
            build: None,
            user: None,
            privileged: None,
            read_only: None,
            use_api_socket: None,
            init: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            security_opt: Vec::new(),
            network_mode: None,
            pid: None,
            ipc: None,
            userns_mode: None,
            uts: None,
            cgroup: None,
            cgroup_parent: None,
            mem_limit: None,
            cpus: None,
            cpu_quota: None,
            pids_limit: None,
            restart: None,
            container_name: None,
            platform: None,
            volumes: Vec::new(),
            ports: Vec::new(),
            environment: Vec::new(),
            env_file: Vec::new(),
            secrets: Vec::new(),
            configs: Vec::new(),
            devices: Vec::new(),
            healthcheck: None,
            deploy: None,
            profiles: Vec::new(),
            labels: Vec::new(),
            depends_on: Vec::new(),
            networks: Vec::new(),
            command: None,
            entrypoint: None,
            extends: None,
            provider: None,
        });
        let mut tags = KeyTags::default();
        let Some(s) = out.last_mut() else {
            return tags;
        };
        for (k, e) in self.entries(id) {
            match self.yaml.tag(e.value) {
                Some("!reset") => {
                    tags.reset.push(k.to_string());
                    continue;
                }
                Some("!override") => tags.replace.push(k.to_string()),
                _ => {}
            }
            self.entry(&e, |cx, v| match k {
                "image" => s.image = cx.text(v),
                "build" => s.build = cx.build(v),
                "user" => s.user = cx.text(v),
                "privileged" => s.privileged = cx.flag(v),
                "read_only" => s.read_only = cx.flag(v),
                "use_api_socket" => s.use_api_socket = cx.flag(v),
                "init" => s.init = cx.flag(v),
                "cap_add" => s.cap_add = cx.texts(v),
                "cap_drop" => s.cap_drop = cx.texts(v),
                "security_opt" => s.security_opt = cx.texts(v),
                "network_mode" => s.network_mode = cx.text(v),
                "pid" => s.pid = cx.text(v),
                "ipc" => s.ipc = cx.text(v),
                "userns_mode" => s.userns_mode = cx.text(v),
                "uts" => s.uts = cx.text(v),
                "cgroup" => s.cgroup = cx.text(v),
                "cgroup_parent" => s.cgroup_parent = cx.text(v),
                "mem_limit" => s.mem_limit = cx.text(v),
                "cpus" => s.cpus = cx.text(v),
                "cpu_quota" => s.cpu_quota = cx.text(v),
                "pids_limit" => s.pids_limit = cx.num(v),
                "restart" => s.restart = cx.text(v),
                "container_name" => s.container_name = cx.text(v),
                "platform" => s.platform = cx.text(v),
                "volumes" => s.volumes = cx.list(v, Cx::volume),
                "ports" => s.ports = cx.list(v, Cx::port),
                "environment" => s.environment = cx.key_values(v),
                "env_file" => s.env_file = cx.env_files(v),
                "secrets" => s.secrets = cx.list(v, Cx::file_ref),
                "configs" => s.configs = cx.list(v, Cx::file_ref),
                "devices" => s.devices = cx.list(v, Cx::device),
                "healthcheck" => s.healthcheck = cx.healthcheck(v),
                "deploy" => s.deploy = cx.deploy(v),
                "profiles" => s.profiles = cx.texts(v),
                "labels" => s.labels = cx.key_values(v),
                "depends_on" => s.depends_on = cx.names(v),
                "networks" => s.networks = cx.names(v),
                "command" => s.command = cx.command(v),
                "entrypoint" => s.entrypoint = cx.command(v),
                "extends" => s.extends = cx.extends(v),
                "provider" => s.provider = Some(cx.node_span(v)),
                _ => {}
            });
        }
        tags
    }

    fn resources(&mut self, id: NodeId) -> Vec<Resource> {
        if !self.yaml.is_mapping(id) {
            return Vec::new();
        }
        self.scoped(id, |cx, m| {
            let mut out = Vec::new();
            for (k, e) in cx.entries(m) {
                if k.starts_with("x-") {
                    continue;
                }
                let Some(key) = cx.entry(&e, |cx, _| cx.key_text(e.key)) else {
                    continue;
                };
                let mut r = Resource {
                    span: cx.entry(&e, |cx, v| cx.node_span(v)),
                    node: cx.yaml.resolve(e.value),
                    key,
                    name: None,
                    external: None,
                    driver: None,
                    file: None,
                    environment: None,
                    content: None,
                    labels: Vec::new(),
                };
                cx.entry(&e, |cx, v| {
                    cx.fields(v, |cx, k, v| match k {
                        "name" => r.name = cx.text(v),
                        "external" => r.external = cx.flag(v),
                        "driver" => r.driver = cx.text(v),
                        "file" => r.file = cx.text(v),
                        "environment" => r.environment = cx.text(v),
                        "content" => r.content = cx.text(v),
                        "labels" => r.labels = cx.key_values(v),
                        _ => {}
                    })
                });
                out.push(r);
            }
            out
        })
    }

    fn includes(&mut self, id: NodeId) -> Vec<Include> {
        self.list(id, |cx, i| {
            let span = cx.node_span(i);
            if let Some(t) = cx.text(i) {
                return Some(Include {
                    span,
                    node: i,
                    path: vec![t],
                    project_directory: None,
                    env_file: Vec::new(),
                });
            }
            let mut inc = Include {
                span,
                node: i,
                path: Vec::new(),
                project_directory: None,
                env_file: Vec::new(),
            };
            cx.fields(i, |cx, k, v| match k {
                "path" => inc.path = cx.texts(v),
                "project_directory" => inc.project_directory = cx.text(v),
                "env_file" => inc.env_file = cx.texts(v),
                _ => {}
            });
            Some(inc)
        })
    }
}
