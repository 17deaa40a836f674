//! Key and credential files by name: what `COPY`/`ADD` must not put into an image.

use super::names::name_words;

/// What a path names when it is a key or credential file (`an SSH private key`), else `None`.
pub fn credential_file(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if base.is_empty() || base.contains(['*', '?', '[', '$']) {
        return None;
    }
    // Directories and files known by their place.
    const BY_PATH: &[(&str, &str)] = &[
        (".docker/config.json", "Docker registry credentials"),
        (".aws/credentials", "AWS credentials"),
        (
            ".kube/config",
            "a Kubernetes config with cluster credentials",
        ),
        (".config/gcloud/credentials.db", "Google Cloud credentials"),
        (".config/gh/hosts.yml", "GitHub CLI credentials"),
    ];
    for (suffix, what) in BY_PATH {
        if path == *suffix || path.ends_with(&format!("/{suffix}")) {
            return Some(what);
        }
    }
    match base {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            return Some("an SSH private key");
        }
        ".ssh" => return Some("an SSH directory (private keys)"),
        ".gnupg" => return Some("a GnuPG home (private keys)"),
        ".aws" => return Some("an AWS configuration directory (credentials)"),
        ".env" => return Some("an environment file (usually secrets)"),
        ".npmrc" => return Some("an npm config (registry tokens)"),
        ".yarnrc.yml" => return Some("a Yarn config (registry tokens)"),
        ".netrc" | "_netrc" => return Some("a netrc file (passwords)"),
        ".pypirc" => return Some("a PyPI config (upload tokens)"),
        ".git-credentials" => return Some("stored Git credentials"),
        ".pgpass" => return Some("a PostgreSQL password file"),
        ".my.cnf" => return Some("a MySQL client config (passwords)"),
        ".htpasswd" => return Some("a password file"),
        "credentials.json" | "service-account.json" | "service_account.json" => {
            return Some("a service account key");
        }
        // strongSwan / libreswan pre-shared keys and passwords; PPP CHAP and PAP passwords.
        "ipsec.secrets" => return Some("IPsec pre-shared keys"),
        "chap-secrets" | "pap-secrets" => return Some("PPP passwords"),
        "shadow" | "gshadow" | "shadow-" => return Some("password hashes"),
        _ => {}
    }
    if let Some(rest) = base.strip_prefix(".env.") {
        // `.env.example` and friends are templates committed on purpose.
        let template = matches!(
            rest,
            "example" | "sample" | "template" | "dist" | "defaults" | "default" | "schema"
        );
        return (!template).then_some("an environment file (usually secrets)");
    }
    let (stem, ext) = base.rsplit_once('.')?;
    let stem_words = name_words(stem);
    let has = |ws: &[&str]| stem_words.iter().any(|w| ws.contains(&w.as_str()));
    // `secrets.yml`, `client_secret.json`, `app-credentials.json`: named for what they hold,
    // unless they are the template committed beside the real file.
    let config_ext = matches!(
        ext.to_ascii_lowercase().as_str(),
        "json"
            | "yml"
            | "yaml"
            | "env"
            | "toml"
            | "ini"
            | "conf"
            | "cfg"
            | "properties"
            | "xml"
            | "txt"
    );
    if config_ext
        && has(&["secret", "secrets", "credential", "credentials", "creds"])
        && !has(&[
            "example", "sample", "template", "dist", "default", "defaults", "public", "schema",
        ])
    {
        return Some("a file of secrets");
    }
    match ext.to_ascii_lowercase().as_str() {
        // A `.pem` is as often a CA certificate or chain: judge by its name.
        "pem"
            if !has(&[
                "ca",
                "cacert",
                "cert",
                "certs",
                "certificate",
                "crt",
                "chain",
                "fullchain",
                "bundle",
                "root",
                "public",
                "pub",
                "trust",
                "truststore",
            ]) =>
        {
            Some("a PEM file (private key)")
        }
        // Repository signing keys (`nginx_signing.key`, `apt.key`) are public.
        "key"
            if !has(&[
                "gpg", "pgp", "signing", "apt", "repo", "archive", "keyring", "release", "public",
                "pub", "asc",
            ]) =>
        {
            Some("a private key")
        }
        "p12" | "pfx" => Some("a PKCS#12 key store"),
        "jks" | "keystore" => Some("a Java key store"),
        "ppk" => Some("a PuTTY private key"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_files() {
        for p in [
            "id_rsa",
            "/root/.ssh/id_ed25519",
            "keys/server.key",
            "tls/privkey.pem",
            "key.pem",
            ".env",
            ".env.production",
            "./.npmrc",
            ".netrc",
            ".pypirc",
            "home/.docker/config.json",
            ".aws/credentials",
            "~/.aws/credentials",
            ".ssh/",
            "store.p12",
            "credentials.json",
            "ipsec.secrets",
            "/etc/ppp/chap-secrets",
            "secrets.yml",
            "config/client_secret.json",
            "app-credentials.json",
        ] {
            assert!(credential_file(p).is_some(), "{p}");
        }
    }

    #[test]
    fn ordinary_files() {
        for p in [
            "id_rsa.pub",
            "ca.pem",
            "certs/fullchain.pem",
            "rds-combined-ca-bundle.pem",
            "nginx_signing.key",
            "apt.key",
            ".env.example",
            "package.json",
            "config.json",
            ".docker/daemon.json",
            "*.pem",
            "$KEY_FILE",
            "",
            "/",
            "app.py",
            "Dockerfile",
            "passwd.lst",
            "secrets.example.yml",
            "secret-template.json",
            "docker-secrets-howto.md",
            "internal/secrets.go",
        ] {
            assert!(credential_file(p).is_none(), "{p}");
        }
    }
}
