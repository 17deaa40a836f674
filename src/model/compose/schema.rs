//! The project's own model of the Compose Specification: which keys exist where and what shape
//! their values take. Unknown keys and wrong shapes become [`Diagnostic`]s with spans; `x-*`
//! extension keys are allowed in every mapping. Values may always be strings too, because compose
//! interpolates `${VAR}` before it converts types.

use super::{Diagnostic, DiagnosticKind};
use crate::syntax::compose::yaml::{NodeId, NodeKind, Yaml};

/// What a value must look like.
#[derive(Debug)]
pub enum Shape {
    /// Any scalar (string, number, boolean).
    Scalar,
    /// A boolean (YAML 1.1 `yes`/`no`/`on`/`off` accepted as compose does) or `${VAR}`.
    Bool,
    /// A sequence whose items take this shape.
    List(&'static Shape),
    /// A scalar or a sequence of scalars.
    StrOrList,
    /// `KEY=VALUE` items or a mapping of scalars (environment, labels, args).
    ListOrDict,
    /// Any mapping.
    Map,
    Any,
    /// One value of this shape or a list of them.
    OneOrList(&'static Shape),
    /// A mapping with these keys.
    Object(&'static [Field]),
    /// A scalar (short syntax) or a mapping with these keys (long syntax).
    ScalarOr(&'static [Field]),
    /// A list of names, or a mapping from names to `null` or this shape.
    NamesOr(&'static Shape),
    /// A mapping from names to `null` or this shape (top-level networks, volumes, ...).
    Named(&'static Shape),
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
}

const fn f(name: &'static str, shape: Shape) -> Field {
    Field { name, shape }
}

use Shape::*;

pub static FILE_REF: &[Field] = &[
    f("source", Scalar),
    f("target", Scalar),
    f("uid", Scalar),
    f("gid", Scalar),
    f("mode", Scalar),
];

pub static BUILD: &[Field] = &[
    f("context", Scalar),
    f("dockerfile", Scalar),
    f("dockerfile_inline", Scalar),
    f("entitlements", List(&Scalar)),
    f("args", ListOrDict),
    f("ssh", ListOrDict),
    f("labels", ListOrDict),
    f("cache_from", List(&Scalar)),
    f("cache_to", List(&Scalar)),
    f("no_cache", Bool),
    f("additional_contexts", ListOrDict),
    f("network", Scalar),
    f("provenance", Scalar),
    f("sbom", Scalar),
    f("pull", Bool),
    f("target", Scalar),
    f("shm_size", Scalar),
    f("extra_hosts", ListOrDict),
    f("isolation", Scalar),
    f("privileged", Bool),
    f("secrets", List(&ScalarOr(FILE_REF))),
    f("tags", List(&Scalar)),
    f("ulimits", Map),
    f("platforms", List(&Scalar)),
];

static BIND_OPTS: &[Field] = &[
    f("propagation", Scalar),
    f("create_host_path", Bool),
    f("recursive", Scalar),
    f("selinux", Scalar),
];
static VOLUME_OPTS: &[Field] = &[
    f("labels", ListOrDict),
    f("nocopy", Bool),
    f("subpath", Scalar),
];
static TMPFS_OPTS: &[Field] = &[f("size", Scalar), f("mode", Scalar)];
static IMAGE_OPTS: &[Field] = &[f("subpath", Scalar)];

pub static VOLUME_MOUNT: &[Field] = &[
    f("type", Scalar),
    f("source", Scalar),
    f("target", Scalar),
    f("read_only", Bool),
    f("consistency", Scalar),
    f("bind", Object(BIND_OPTS)),
    f("volume", Object(VOLUME_OPTS)),
    f("tmpfs", Object(TMPFS_OPTS)),
    f("image", Object(IMAGE_OPTS)),
];

pub static PORT: &[Field] = &[
    f("name", Scalar),
    f("mode", Scalar),
    f("host_ip", Scalar),
    f("target", Scalar),
    f("published", Scalar),
    f("protocol", Scalar),
    f("app_protocol", Scalar),
];

static DEVICE: &[Field] = &[
    f("source", Scalar),
    f("target", Scalar),
    f("permissions", Scalar),
];

static ENV_FILE: &[Field] = &[f("path", Scalar), f("format", Scalar), f("required", Bool)];

pub static HEALTHCHECK: &[Field] = &[
    f("disable", Bool),
    f("interval", Scalar),
    f("retries", Scalar),
    f("test", StrOrList),
    f("timeout", Scalar),
    f("start_period", Scalar),
    f("start_interval", Scalar),
];

static DEVICE_REQUEST: &[Field] = &[
    f("capabilities", List(&Scalar)),
    f("count", Scalar),
    f("device_ids", List(&Scalar)),
    f("driver", Scalar),
    f("options", ListOrDict),
];

static LIMITS: &[Field] = &[f("cpus", Scalar), f("memory", Scalar), f("pids", Scalar)];
static RESERVATIONS: &[Field] = &[
    f("cpus", Scalar),
    f("memory", Scalar),
    f("generic_resources", List(&Map)),
    f("devices", List(&Object(DEVICE_REQUEST))),
];
static RESOURCES: &[Field] = &[
    f("limits", Object(LIMITS)),
    f("reservations", Object(RESERVATIONS)),
];

pub static DEPLOY: &[Field] = &[
    f("mode", Scalar),
    f("endpoint_mode", Scalar),
    f("replicas", Scalar),
    f("labels", ListOrDict),
    f("rollback_config", Map),
    f("update_config", Map),
    f("resources", Object(RESOURCES)),
    f("restart_policy", Map),
    f("placement", Map),
];

static EXTENDS: &[Field] = &[f("service", Scalar), f("file", Scalar)];

static DEPENDS_ON: &[Field] = &[
    f("condition", Scalar),
    f("restart", Bool),
    f("required", Bool),
];

static SERVICE_NETWORK: &[Field] = &[
    f("aliases", List(&Scalar)),
    f("interface_name", Scalar),
    f("ipv4_address", Scalar),
    f("ipv6_address", Scalar),
    f("link_local_ips", List(&Scalar)),
    f("mac_address", Scalar),
    f("driver_opts", Map),
    f("priority", Scalar),
    f("gw_priority", Scalar),
];

static SERVICE_MODEL: &[Field] = &[f("endpoint_var", Scalar), f("model_var", Scalar)];

static LOGGING: &[Field] = &[f("driver", Scalar), f("options", Map)];

static HOOK: &[Field] = &[
    f("command", StrOrList),
    f("user", Scalar),
    f("privileged", Bool),
    f("working_dir", Scalar),
    f("environment", ListOrDict),
];

/// Every key a service may have.
pub static SERVICE: &[Field] = &[
    f("develop", Map),
    f("deploy", Object(DEPLOY)),
    f("annotations", ListOrDict),
    f("attach", Bool),
    f("build", ScalarOr(BUILD)),
    f("blkio_config", Map),
    f("cap_add", List(&Scalar)),
    f("cap_drop", List(&Scalar)),
    f("cgroup", Scalar),
    f("cgroup_parent", Scalar),
    f("command", StrOrList),
    f("configs", List(&ScalarOr(FILE_REF))),
    f("container_name", Scalar),
    f("cpu_count", Scalar),
    f("cpu_percent", Scalar),
    f("cpu_shares", Scalar),
    f("cpu_quota", Scalar),
    f("cpu_period", Scalar),
    f("cpu_rt_period", Scalar),
    f("cpu_rt_runtime", Scalar),
    f("cpus", Scalar),
    f("cpuset", Scalar),
    f("credential_spec", Map),
    f("depends_on", NamesOr(&Object(DEPENDS_ON))),
    f("device_cgroup_rules", List(&Scalar)),
    f("devices", List(&ScalarOr(DEVICE))),
    f("dns", StrOrList),
    f("dns_opt", List(&Scalar)),
    f("dns_search", StrOrList),
    f("domainname", Scalar),
    f("entrypoint", StrOrList),
    f("env_file", OneOrList(&ScalarOr(ENV_FILE))),
    f("label_file", StrOrList),
    f("environment", ListOrDict),
    f("expose", List(&Scalar)),
    f("extends", ScalarOr(EXTENDS)),
    f("provider", Map),
    f("external_links", List(&Scalar)),
    f("extra_hosts", ListOrDict),
    f("gpus", Any),
    f("group_add", List(&Scalar)),
    f("healthcheck", Object(HEALTHCHECK)),
    f("hostname", Scalar),
    f("image", Scalar),
    f("init", Bool),
    f("ipc", Scalar),
    f("isolation", Scalar),
    f("labels", ListOrDict),
    f("links", List(&Scalar)),
    f("logging", Object(LOGGING)),
    f("mac_address", Scalar),
    f("mem_limit", Scalar),
    f("mem_reservation", Scalar),
    f("mem_swappiness", Scalar),
    f("memswap_limit", Scalar),
    f("network_mode", Scalar),
    f("models", NamesOr(&Object(SERVICE_MODEL))),
    f("networks", NamesOr(&Object(SERVICE_NETWORK))),
    f("oom_kill_disable", Bool),
    f("oom_score_adj", Scalar),
    f("pid", Scalar),
    f("pids_limit", Scalar),
    f("platform", Scalar),
    f("ports", List(&ScalarOr(PORT))),
    f("post_start", List(&Object(HOOK))),
    f("pre_stop", List(&Object(HOOK))),
    f("pre_start", List(&Object(HOOK))),
    f("privileged", Bool),
    f("profiles", List(&Scalar)),
    f("pull_policy", Scalar),
    f("pull_refresh_after", Scalar),
    f("read_only", Bool),
    f("restart", Scalar),
    f("runtime", Scalar),
    f("scale", Scalar),
    f("security_opt", List(&Scalar)),
    f("shm_size", Scalar),
    f("secrets", List(&ScalarOr(FILE_REF))),
    f("sysctls", ListOrDict),
    f("stdin_open", Bool),
    f("stop_grace_period", Scalar),
    f("stop_signal", Scalar),
    f("storage_opt", Map),
    f("tmpfs", StrOrList),
    f("tty", Bool),
    f("ulimits", Map),
    f("use_api_socket", Bool),
    f("user", Scalar),
    f("uts", Scalar),
    f("userns_mode", Scalar),
    f("volumes", List(&ScalarOr(VOLUME_MOUNT))),
    f("volumes_from", List(&Scalar)),
    f("working_dir", Scalar),
];

static SERVICE_SHAPE: Shape = Object(SERVICE);

static NETWORK: &[Field] = &[
    f("name", Scalar),
    f("driver", Scalar),
    f("driver_opts", Map),
    f("ipam", Map),
    f("external", EXTERNAL_SHAPE),
    f("internal", Bool),
    f("enable_ipv4", Bool),
    f("enable_ipv6", Bool),
    f("attachable", Bool),
    f("labels", ListOrDict),
];
const EXTERNAL_SHAPE: Shape = Any;
static VOLUME: &[Field] = &[
    f("name", Scalar),
    f("driver", Scalar),
    f("driver_opts", Map),
    f("external", EXTERNAL_SHAPE),
    f("labels", ListOrDict),
];
static SECRET: &[Field] = &[
    f("name", Scalar),
    f("environment", Scalar),
    f("file", Scalar),
    f("external", EXTERNAL_SHAPE),
    f("labels", ListOrDict),
    f("driver", Scalar),
    f("driver_opts", Map),
    f("template_driver", Scalar),
];
static CONFIG: &[Field] = &[
    f("name", Scalar),
    f("content", Scalar),
    f("environment", Scalar),
    f("file", Scalar),
    f("external", EXTERNAL_SHAPE),
    f("labels", ListOrDict),
    f("template_driver", Scalar),
];
static MODEL: &[Field] = &[
    f("name", Scalar),
    f("model", Scalar),
    f("context_size", Scalar),
    f("runtime_flags", List(&Scalar)),
];
static INCLUDE: &[Field] = &[
    f("path", StrOrList),
    f("env_file", StrOrList),
    f("project_directory", Scalar),
];

/// Every top-level key.
pub static TOP_LEVEL: &[Field] = &[
    f("version", Scalar),
    f("name", Scalar),
    f("include", List(&ScalarOr(INCLUDE))),
    f("services", Named(&SERVICE_SHAPE)),
    f("models", Named(&Object(MODEL))),
    f("networks", Named(&Object(NETWORK))),
    f("volumes", Named(&Object(VOLUME))),
    f("secrets", Named(&Object(SECRET))),
    f("configs", Named(&Object(CONFIG))),
];

/// Service-level key names the model knows.
pub fn service_keys() -> impl Iterator<Item = &'static str> {
    SERVICE.iter().map(|f| f.name)
}

/// Top-level key names the model knows.
pub fn top_level_keys() -> impl Iterator<Item = &'static str> {
    TOP_LEVEL.iter().map(|f| f.name)
}

/// YAML 1.1 booleans as compose accepts them.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}

/// Checks a document in the version-1 layout (services at the top level) against the model:
/// each top-level entry as a service.
pub fn check_v1(yaml: &Yaml, root: NodeId, out: &mut Vec<Diagnostic>) {
    Checker { yaml, out }.check(root, &Named(&SERVICE_SHAPE), KeyPath::Root, 0);
}

/// Whether a document's root mapping is in the version-1 layout: no `services:`, no key of the
/// current layout, and some top-level value a mapping with `image` or `build` (a service).
pub fn is_v1_layout(yaml: &Yaml, root: NodeId) -> bool {
    let entries = yaml.entries(root);
    let mut service_like = false;
    for e in &entries {
        let Some(key) = yaml.scalar(e.key) else {
            return false;
        };
        if TOP_LEVEL.iter().any(|f| f.name == key) || key.starts_with("x-") {
            return false;
        }
        let v = yaml.resolve(e.value);
        service_like |= yaml.lookup(v, "image").is_some() || yaml.lookup(v, "build").is_some();
    }
    service_like
}

/// Checks a document's root mapping against the model.
pub fn check(yaml: &Yaml, root: NodeId, out: &mut Vec<Diagnostic>) {
    let top = Object(TOP_LEVEL);
    Checker { yaml, out }.check(root, &top, KeyPath::Root, 0);
}

/// Where a value sits (`services.web.ports[0]`), formatted only when a diagnostic needs it:
/// most files have none, so building the text for every key would be wasted work.
#[derive(Clone, Copy)]
enum KeyPath<'p> {
    Root,
    /// `parent.key` (just `key` under the root).
    Key(&'p KeyPath<'p>, &'p str),
    /// `parent.key`, with the dot even under the root.
    DotKey(&'p KeyPath<'p>, &'p str),
    /// `parent[i]`.
    Index(&'p KeyPath<'p>, usize),
}

impl std::fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyPath::Root => Ok(()),
            KeyPath::Key(KeyPath::Root, k) => f.write_str(k),
            KeyPath::Key(p, k) | KeyPath::DotKey(p, k) => write!(f, "{p}.{k}"),
            KeyPath::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

struct Checker<'a> {
    yaml: &'a Yaml,
    out: &'a mut Vec<Diagnostic>,
}

enum Kind {
    Scalar,
    Seq,
    Map,
}

impl<'a> Checker<'a> {
    fn kind(&self, id: NodeId) -> Kind {
        match self.yaml.get(id).map(|n| &n.kind) {
            Some(NodeKind::Sequence(_)) => Kind::Seq,
            Some(NodeKind::Mapping(_)) => Kind::Map,
            _ => Kind::Scalar,
        }
    }

    fn wrong(&mut self, id: NodeId, path: KeyPath<'_>, want: &str) {
        let span = self.yaml.node(id).map(|n| n.span).unwrap_or_default();
        let path = path.to_string();
        let path = if path.is_empty() {
            "(top level)"
        } else {
            &path
        };
        self.out.push(Diagnostic {
            kind: DiagnosticKind::Schema,
            span,
            message: format!("`{path}` must be {want}"),
            related: Vec::new(),
        });
    }

    /// Checks every item of a sequence against `item`.
    fn items(&mut self, id: NodeId, item: &Shape, path: KeyPath<'_>, depth: usize) {
        let yaml: &'a Yaml = self.yaml;
        for (i, &it) in yaml.sequence(id).unwrap_or(&[]).iter().enumerate() {
            self.check(it, item, KeyPath::Index(&path, i), depth + 1);
        }
    }

    fn check(&mut self, id: NodeId, shape: &Shape, path: KeyPath<'_>, depth: usize) {
        // Schemas nest a handful of levels; this guards against a shape cycle only.
        if depth > 16 {
            return;
        }
        let yaml: &'a Yaml = self.yaml;
        // One look at the node (and its alias target) for what `is_null`, `tag` and `kind` ask.
        let own = yaml.node(id);
        let node = match own.map(|n| &n.kind) {
            Some(NodeKind::Alias { .. }) => yaml.get(id),
            _ => own,
        };
        if node.is_some_and(|n| yaml.node_is_null(n)) {
            return;
        }
        let tag = own
            .and_then(|n| n.tag())
            .or_else(|| node.and_then(|n| n.tag()));
        if tag == Some("!reset") {
            return;
        }
        let kind = match node.map(|n| &n.kind) {
            Some(NodeKind::Sequence(_)) => Kind::Seq,
            Some(NodeKind::Mapping(_)) => Kind::Map,
            _ => Kind::Scalar,
        };
        match (shape, kind) {
            (Any, _) | (Map, Kind::Map) | (Scalar, Kind::Scalar) => {}
            (Bool, Kind::Scalar) => {
                let v = self.yaml.scalar(id).unwrap_or("");
                if parse_bool(v).is_none() && !v.contains('$') {
                    self.wrong(id, path, "a boolean");
                }
            }
            (StrOrList, Kind::Scalar) => {}
            (OneOrList(inner), Kind::Seq) => self.items(id, inner, path, depth),
            (OneOrList(inner), _) => self.check(id, inner, path, depth + 1),
            (StrOrList, Kind::Seq) | (List(_), Kind::Seq) => {
                let item = match shape {
                    List(item) => item,
                    _ => &Scalar,
                };
                self.items(id, item, path, depth)
            }
            (ListOrDict, Kind::Seq) => self.items(id, &Scalar, path, depth),
            (ListOrDict, Kind::Map) => {
                for e in yaml.iter_entries(id) {
                    if !matches!(self.kind(e.value), Kind::Scalar) {
                        let key = yaml.scalar(e.key).unwrap_or("?");
                        self.wrong(
                            e.value,
                            KeyPath::DotKey(&path, key),
                            "a string, number or null",
                        );
                    }
                }
            }
            (Object(fields), Kind::Map) | (ScalarOr(fields), Kind::Map) => {
                self.object(id, fields, path, depth)
            }
            (ScalarOr(_), Kind::Scalar) => {}
            (NamesOr(_), Kind::Seq) => self.items(id, &Scalar, path, depth),
            (NamesOr(inner), Kind::Map) | (Named(inner), Kind::Map) => {
                for e in yaml.iter_entries(id) {
                    let key = yaml.scalar(e.key).unwrap_or("?");
                    if key.starts_with("x-") && matches!(shape, Named(_)) {
                        continue;
                    }
                    self.check(e.value, inner, KeyPath::Key(&path, key), depth + 1);
                }
            }
            (Scalar | Bool, _) => self.wrong(id, path, "a single value"),
            (List(_), _) => self.wrong(id, path, "a list"),
            (StrOrList, _) => self.wrong(id, path, "a string or a list"),
            (ListOrDict, _) => self.wrong(id, path, "a list or a mapping"),
            (Map | Object(_), _) => self.wrong(id, path, "a mapping"),
            (ScalarOr(_), _) => self.wrong(id, path, "a string or a mapping"),
            (NamesOr(_), _) => self.wrong(id, path, "a list or a mapping"),
            (Named(_), _) => self.wrong(id, path, "a mapping"),
        }
    }

    fn object(&mut self, id: NodeId, fields: &[Field], path: KeyPath<'_>, depth: usize) {
        let yaml: &'a Yaml = self.yaml;
        for e in yaml.iter_entries(id) {
            let Some(key) = yaml.scalar(e.key) else {
                self.wrong(e.key, path, "keyed by strings");
                continue;
            };
            if key.starts_with("x-") {
                continue;
            }
            let p = KeyPath::Key(&path, key);
            let field = find_field(fields, key);
            match field {
                Some(field) => self.check(e.value, &field.shape, p, depth + 1),
                None => {
                    let span = yaml.node(e.key).map(|n| n.span).unwrap_or_default();
                    let message = match suggest(key, fields) {
                        Some(s) => format!("unknown key `{p}` (did you mean `{s}`?)"),
                        None => format!("unknown key `{p}`"),
                    };
                    self.out.push(Diagnostic {
                        kind: DiagnosticKind::Schema,
                        span,
                        message,
                        related: Vec::new(),
                    });
                }
            }
        }
    }
}

/// The field named `key`. Services have about a hundred keys and this runs per key, so the
/// long lists are searched by length first (sorted by it), then scanned.
fn find_field<'f>(fields: &'f [Field], key: &str) -> Option<&'f Field> {
    static SORTED: std::sync::LazyLock<[Vec<&'static Field>; 2]> = std::sync::LazyLock::new(|| {
        [SERVICE, BUILD].map(|fields| {
            let mut v: Vec<&'static Field> = fields.iter().collect();
            v.sort_by_key(|f| f.name.len());
            v
        })
    });
    let same = |f: &&Field| f.name.as_bytes().first() == key.as_bytes().first() && f.name == key;
    if fields.len() > 16 {
        let i = if std::ptr::eq(fields, SERVICE) {
            Some(0)
        } else if std::ptr::eq(fields, BUILD) {
            Some(1)
        } else {
            None
        };
        if let Some(sorted) = i.and_then(|i| SORTED.get(i)) {
            let from = sorted.partition_point(|f| f.name.len() < key.len());
            return sorted
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|f| f.name.len() == key.len())
                .find(|f| same(f))
                .copied();
        }
    }
    // Length first: most fields differ there.
    fields.iter().find(|f| f.name.len() == key.len() && same(f))
}

/// A known key one edit away (or differing only by `-`/`_`), for "did you mean".
fn suggest(key: &str, fields: &[Field]) -> Option<&'static str> {
    let norm = key.replace('-', "_").to_ascii_lowercase();
    fields
        .iter()
        .find(|f| f.name == norm || edit_distance_at_most_one(f.name, &norm))
        .map(|f| f.name)
}

fn edit_distance_at_most_one(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let p = long.iter().zip(short).take_while(|(x, y)| x == y).count();
    if long.len() == short.len() {
        long.get(p + 1..) == short.get(p + 1..)
    } else {
        long.get(p + 1..) == short.get(p..)
    }
}
