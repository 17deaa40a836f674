//! Platforms (`linux/amd64`, `linux/arm/v7`, `windows(10.0.20348)/amd64`) read the way BuildKit
//! reads `--platform` and `FROM --platform=…`: containerd's specifier grammar and its
//! normalisation (`x86_64` → `amd64`, `aarch64` → `arm64`, `armhf` → `arm/v7`, `arm64/v8` →
//! `arm64`).

use std::fmt;

/// An OS, architecture and optional variant (and Windows OS version).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    /// `v7` for `linux/arm/v7`; empty when there is none.
    pub variant: String,
    /// `10.0.20348` for `windows(10.0.20348)/amd64`; empty when there is none.
    pub os_version: String,
}

/// containerd's operating systems: a one-part specifier that names one of these is an OS.
const KNOWN_OS: [&str; 17] = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
];

/// containerd's architectures, for a one-part specifier.
const KNOWN_ARCH: [&str; 24] = [
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "ppc64",
    "ppc64le",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

impl Platform {
    /// The platform `docker build` targets on this machine when none is given: Linux (Docker
    /// builds Linux images on macOS and Windows hosts too) on this machine's architecture.
    pub fn host() -> Platform {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", ""),
            "x86" => ("386", ""),
            "aarch64" => ("arm64", ""),
            "arm" => ("arm", "v7"),
            "powerpc64" if cfg!(target_endian = "little") => ("ppc64le", ""),
            "powerpc64" => ("ppc64", ""),
            "loongarch64" => ("loong64", ""),
            "s390x" => ("s390x", ""),
            "riscv64" => ("riscv64", ""),
            other => (other, ""),
        };
        Platform {
            os: "linux".to_string(),
            architecture: architecture.to_string(),
            variant: variant.to_string(),
            os_version: String::new(),
        }
    }

    /// Parses a specifier as containerd's `platforms.Parse` does, normalised. A one-part
    /// specifier is an OS (on the host's architecture) or an architecture (on Linux).
    pub fn parse(specifier: &str) -> Result<Platform, String> {
        if specifier.contains('*') {
            return Err(format!(
                "{specifier:?}: wildcards are not supported in a platform"
            ));
        }
        let parts: Vec<&str> = specifier.splitn(4, '/').collect();
        let first = parts.first().copied().unwrap_or("");
        let (os, os_version) = split_os(first).ok_or_else(|| {
            format!(
                "{first:?} is not a valid operating system in platform {specifier:?} \
                 (letters, digits, `_` and `-`, with an optional `(version)`)"
            )
        })?;
        for part in parts.iter().skip(1) {
            if part.is_empty() || !part.bytes().all(is_specifier_byte) {
                return Err(format!(
                    "{part:?} is not a valid component of platform {specifier:?} \
                     (letters, digits, `_`, `.` and `-` only)"
                ));
            }
        }
        let os = normalize_os(os);
        let mut p = Platform {
            os,
            os_version: os_version.to_string(),
            ..Platform::default()
        };
        match parts.as_slice() {
            [_] => {
                if KNOWN_OS.contains(&p.os.as_str()) {
                    let host = Platform::host();
                    p.architecture = host.architecture;
                    p.variant = if host.variant == "v7" {
                        String::new()
                    } else {
                        host.variant
                    };
                    return Ok(p);
                }
                let (arch, variant) = normalize_arch(first, "");
                if KNOWN_ARCH.contains(&arch.as_str()) {
                    p.os = "linux".to_string();
                    p.os_version.clear();
                    p.architecture = arch;
                    p.variant = if variant == "v7" && p.architecture == "arm" {
                        String::new()
                    } else {
                        variant
                    };
                    return Ok(p);
                }
                Err(format!(
                    "{specifier:?} is neither an operating system nor an architecture"
                ))
            }
            [_, arch] => {
                let (arch, variant) = normalize_arch(arch, "");
                p.variant = if arch == "arm" && variant == "v7" {
                    String::new()
                } else {
                    variant
                };
                p.architecture = arch;
                Ok(p)
            }
            [_, arch, variant] => {
                let (arch, mut variant) = normalize_arch(arch, variant);
                if arch == "arm64" && variant.is_empty() {
                    variant = "v8".to_string();
                }
                p.architecture = arch;
                p.variant = variant;
                Ok(p)
            }
            _ => Err(format!(
                "{specifier:?} has too many parts for a platform (os/arch/variant)"
            )),
        }
    }

    /// The normalised form used for comparison (containerd's `Normalize`): `arm64/v8` and
    /// `arm64` are one platform, as are `arm` and `arm/v7`.
    pub fn normalized(&self) -> Platform {
        let (architecture, variant) = normalize_arch(&self.architecture, &self.variant);
        Platform {
            os: normalize_os(&self.os),
            architecture,
            variant,
            os_version: self.os_version.clone(),
        }
    }

    /// Whether an image built for `self` runs as `target` asks, as BuildKit compares them for
    /// InvalidBaseImagePlatform: the same OS and architecture.
    pub fn same_os_arch(&self, target: &Platform) -> bool {
        let (a, b) = (self.normalized(), target.normalized());
        a.os == b.os && a.architecture == b.architecture
    }
}

impl fmt::Display for Platform {
    /// `os[(version)]/arch[/variant]` (containerd's `FormatAll`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.os.is_empty() {
            return f.write_str("unknown");
        }
        f.write_str(&self.os)?;
        if !self.os_version.is_empty() {
            write!(f, "({})", self.os_version)?;
        }
        if !self.architecture.is_empty() {
            write!(f, "/{}", self.architecture)?;
        }
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

/// `[A-Za-z0-9_.-]`.
fn is_specifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// `os[(version)]`: containerd's `^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)…\))?$` (OS features
/// after `+` are accepted and dropped).
fn split_os(part: &str) -> Option<(&str, &str)> {
    let (os, rest) = match part.find('(') {
        Some(i) => (part.get(..i)?, Some(part.get(i + 1..)?)),
        None => (part, None),
    };
    if os.is_empty()
        || !os
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    let Some(rest) = rest else {
        return Some((os, ""));
    };
    let inner = rest.strip_suffix(')')?;
    let version = inner.split('+').next().unwrap_or("");
    let ok = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'%' | b'-'))
    };
    if !ok(version) || inner.split('+').skip(1).any(|f| f.is_empty() || !ok(f)) {
        return None;
    }
    Some((os, version))
}

fn normalize_os(os: &str) -> String {
    let os = os.to_ascii_lowercase();
    match os.as_str() {
        "macos" => "darwin".to_string(),
        _ => os,
    }
}

/// containerd's `normalizeArch`.
fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant.to_ascii_lowercase();
    let (a, v): (&str, String) = match arch.as_str() {
        "i386" => ("386", String::new()),
        "x86_64" | "x86-64" | "amd64" => (
            "amd64",
            if variant == "v1" {
                String::new()
            } else {
                variant
            },
        ),
        "aarch64" | "arm64" => (
            "arm64",
            match variant.as_str() {
                "8" | "v8" | "v8.0" => String::new(),
                "9" | "9.0" | "v9.0" => "v9".to_string(),
                _ => variant,
            },
        ),
        "armhf" => ("arm", "v7".to_string()),
        "armel" => ("arm", "v6".to_string()),
        "arm" => (
            "arm",
            match variant.as_str() {
                "" | "7" => "v7".to_string(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            },
        ),
        _ => return (arch, variant),
    };
    (a.to_string(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Platform::parse(s).map_or_else(|e| format!("error: {e}"), |p| p.to_string())
    }

    #[test]
    fn parses_and_normalises_like_containerd() {
        assert_eq!(p("linux/amd64"), "linux/amd64");
        assert_eq!(p("linux/x86_64"), "linux/amd64");
        assert_eq!(p("Linux/AARCH64"), "linux/arm64");
        assert_eq!(p("linux/arm64/v8"), "linux/arm64/v8");
        assert_eq!(p("linux/arm"), "linux/arm");
        assert_eq!(p("linux/arm/v7"), "linux/arm/v7");
        assert_eq!(p("linux/armhf"), "linux/arm");
        assert_eq!(p("linux/arm/6"), "linux/arm/v6");
        assert_eq!(p("amd64"), "linux/amd64");
        assert_eq!(p("windows(10.0.20348)/amd64"), "windows(10.0.20348)/amd64");
        assert!(p("linux").starts_with("linux/"));
        assert!(p("linux/").starts_with("error"), "{}", p("linux/"));
        assert!(p("").starts_with("error"));
        assert!(p("linux/*").starts_with("error"));
        assert!(p("nonsense").starts_with("error"));
        assert!(p("linux/amd64/v2/x").starts_with("error"));
    }

    #[test]
    fn compares_os_and_architecture() {
        let a = Platform::parse("linux/arm64/v8").unwrap();
        let b = Platform::parse("linux/arm64").unwrap();
        assert!(a.same_os_arch(&b));
        let c = Platform::parse("linux/amd64").unwrap();
        assert!(!a.same_os_arch(&c));
        assert_eq!(Platform::host().os, "linux");
    }
}
