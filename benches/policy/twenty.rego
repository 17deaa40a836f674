# Twenty rules of the kind organisations write, for benches/policy.rs: twelve over Dockerfiles,
# eight over compose files, all on plimsoll's input.
package main

approved_registries := {"docker.io", "ghcr.io", "gcr.io", "quay.io"}

deny_registry contains {"msg": sprintf("%s is from an unapproved registry", [img.resolved]), "span": img.span} if {
	some img in input.images
	img.target == "external"
	not approved_registries[img.reference.registry]
}

deny_latest contains {"msg": sprintf("%s uses a moving tag", [img.resolved]), "span": img.span} if {
	some img in input.images
	img.target == "external"
	img.reference.tag == "latest"
}

warn_untagged contains {"msg": sprintf("%s has no tag", [img.resolved]), "span": img.span} if {
	some img in input.images
	img.target == "external"
	not img.reference.tag
	not img.reference.digest
}

deny_root contains {"msg": "the final stage runs as root", "span": stage.span} if {
	input.kind == "dockerfile"
	some stage in input.stages
	stage.last
	stage.user.root
}

warn_no_user contains {"msg": "the final stage sets no USER", "span": stage.span} if {
	input.kind == "dockerfile"
	some stage in input.stages
	stage.last
	not stage.user
}

deny_curl_pipe contains {"msg": "a script is downloaded and run", "span": i.span} if {
	some i in input.instructions
	i.cmd == "run"
	regex.match(`(curl|wget)[^|]*\|\s*(ba)?sh`, i.text)
}

deny_sudo contains {"msg": "sudo in RUN", "span": c.span} if {
	some i in input.instructions
	some c in i.commands
	c.name == "sudo"
}

warn_unpinned_apt contains {"msg": sprintf("%s is not pinned", [p.name]), "span": p.span} if {
	some i in input.instructions
	some c in i.commands
	c.package.manager == "apt-get"
	some p in c.package.packages
	not p.pinned
}

deny_add_url contains {"msg": "ADD downloads a URL", "span": i.span} if {
	some i in input.instructions
	i.cmd == "add"
	some a in i.args
	startswith(a.text, "http")
}

warn_expose_ssh contains {"msg": "port 22 is exposed", "span": i.span} if {
	some i in input.instructions
	i.cmd == "expose"
	some v in i.value
	startswith(v, "22")
}

deny_secret_env contains {"msg": sprintf("ENV %s looks like a secret", [p.key]), "span": p.key_span} if {
	some i in input.instructions
	i.cmd == "env"
	some p in i.pairs
	regex.match(`(?i)(password|secret|token|api_key)`, p.key)
}

deny_escalated contains {"msg": f.message, "span": f.span} if {
	some f in input.findings
	f.severity == "error"
	startswith(f.code, "PL5")
}

deny_privileged contains {"msg": sprintf("%s is privileged", [name]), "path": ["services", name, "config", "privileged"]} if {
	some name, svc in input.services
	svc.config.privileged == true
}

deny_host_network contains {"msg": sprintf("%s uses the host network", [name]), "path": ["services", name, "config", "network_mode"]} if {
	some name, svc in input.services
	svc.config.network_mode == "host"
}

warn_no_limits contains {"msg": sprintf("%s has no memory limit", [name]), "span": svc.span} if {
	some name, svc in input.services
	not svc.config.deploy.resources.limits.memory
	not svc.config.mem_limit
}

warn_not_read_only contains {"msg": sprintf("%s is not read-only", [name]), "span": svc.span} if {
	some name, svc in input.services
	not svc.config.read_only
}

deny_docker_socket contains {"msg": sprintf("%s mounts the Docker socket", [name]), "span": svc.span} if {
	some name, svc in input.services
	some v in svc.config.volumes
	contains(sprintf("%v", [v]), "docker.sock")
}

deny_cap_add_all contains {"msg": sprintf("%s adds every capability", [name]), "span": svc.span} if {
	some name, svc in input.services
	some cap in svc.config.cap_add
	upper(cap) == "ALL"
}

warn_published_db contains {"msg": sprintf("%s publishes a database port", [name]), "span": svc.span} if {
	some name, svc in input.services
	some p in svc.config.ports
	regex.match(`(3306|5432|6379|27017)`, sprintf("%v", [p]))
}

warn_no_healthcheck contains {"msg": sprintf("%s has no healthcheck", [name]), "span": svc.span} if {
	some name, svc in input.services
	not svc.config.healthcheck
}
