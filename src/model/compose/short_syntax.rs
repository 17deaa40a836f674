//! Short syntaxes of volumes, ports and devices, split on the raw text so each part keeps its own
//! byte range. A `:` inside `${...}` (as in `${DATA:-./data}:/data`) does not split.

use std::ops::Range;

/// Byte ranges of the `:`-separated parts of `s`, ignoring `:` inside `${...}`.
pub fn split_colons(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                parts.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(start..b.len());
    parts
}

/// `[SOURCE:]TARGET[:MODE]` as byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortVolume {
    pub source: Option<Range<usize>>,
    pub target: Range<usize>,
    pub mode: Option<Range<usize>>,
}

/// Parses a short volume; `None` when it has too many parts.
pub fn volume(s: &str) -> Option<ShortVolume> {
    let mut parts = split_colons(s);
    // A Windows drive letter (`C:\data:/data`) is part of the source.
    if parts.len() >= 2 {
        let first = &s[parts[0].clone()];
        let next = s.get(parts[1].clone()).unwrap_or("");
        if first.len() == 1
            && first.as_bytes()[0].is_ascii_alphabetic()
            && (next.starts_with('\\') || next.starts_with('/'))
            && parts.len() >= 3
        {
            let joined = parts[0].start..parts[1].end;
            parts.splice(0..2, [joined]);
        }
    }
    match parts.as_slice() {
        [t] => Some(ShortVolume {
            source: None,
            target: t.clone(),
            mode: None,
        }),
        [src, t] => Some(ShortVolume {
            source: Some(src.clone()),
            target: t.clone(),
            mode: None,
        }),
        [src, t, m] => Some(ShortVolume {
            source: Some(src.clone()),
            target: t.clone(),
            mode: Some(m.clone()),
        }),
        _ => None,
    }
}

/// Whether a (resolved) volume source is a host path rather than a volume name.
pub fn is_host_path(source: &str) -> bool {
    source.starts_with(['/', '.', '~', '\\', '$'])
        || (source.len() >= 2
            && source.as_bytes()[0].is_ascii_alphabetic()
            && source.as_bytes()[1] == b':')
}

/// `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]` as byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortPort {
    pub host_ip: Option<Range<usize>>,
    pub published: Option<Range<usize>>,
    pub target: Range<usize>,
    pub protocol: Option<Range<usize>>,
}

/// Parses a short port (`80`, `8080:80`, `127.0.0.1:8080:80/udp`, `[::1]:80:80`,
/// `8000-8010:8000-8010`, `127.0.0.1::80`). `None` when empty.
pub fn port(s: &str) -> Option<ShortPort> {
    if s.trim().is_empty() {
        return None;
    }
    let (body, protocol) = match s.rfind('/') {
        Some(i) => (0..i, Some(i + 1..s.len())),
        None => (0..s.len(), None),
    };
    let text = &s[body.clone()];
    // A bracketed IPv6 host: `[::1]:80:80`.
    if text.starts_with('[') {
        let close = text.find(']')?;
        let host_ip = Some(1..close);
        let rest_at = close + 1;
        let rest = text.get(rest_at..)?.strip_prefix(':')?;
        let base = rest_at + 1;
        let (published, target) = match rest.rfind(':') {
            Some(i) => (Some(base..base + i), base + i + 1..base + rest.len()),
            None => (None, base..base + rest.len()),
        };
        return Some(ShortPort {
            host_ip,
            published,
            target,
            protocol,
        });
    }
    let parts = split_colons(text);
    let n = parts.len();
    let target = parts.last()?.clone();
    let published = (n >= 2).then(|| parts[n - 2].clone());
    // Everything before the last two parts is the host address (an unbracketed IPv6 has colons).
    let host_ip = (n >= 3).then(|| parts[0].start..parts[n - 3].end);
    Some(ShortPort {
        host_ip,
        published,
        target,
        protocol,
    })
}

/// `HOST[:CONTAINER[:PERMISSIONS]]` as byte ranges.
pub fn device(s: &str) -> (Range<usize>, Option<Range<usize>>, Option<Range<usize>>) {
    let parts = split_colons(s);
    let mut it = parts.into_iter();
    let src = it.next().unwrap_or(0..0);
    (src, it.next(), it.next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(s: &'a str, r: &Option<Range<usize>>) -> Option<&'a str> {
        r.clone().map(|r| &s[r])
    }

    #[test]
    fn volumes() {
        let s = "${DATA:-./data}:/var/lib/data:ro,z";
        let v = volume(s).unwrap();
        assert_eq!(parts(s, &v.source), Some("${DATA:-./data}"));
        assert_eq!(&s[v.target.clone()], "/var/lib/data");
        assert_eq!(parts(s, &v.mode), Some("ro,z"));
        let s = "C:\\data:/data";
        let v = volume(s).unwrap();
        assert_eq!(parts(s, &v.source), Some("C:\\data"));
        assert_eq!(&s[v.target.clone()], "/data");
        let v = volume("/anon").unwrap();
        assert_eq!(v.source, None);
        assert!(volume("a:b:c:d").is_none());
        assert!(is_host_path("./x") && is_host_path("/x") && is_host_path("~/x"));
        assert!(!is_host_path("dbdata"));
    }

    #[test]
    fn ports() {
        let s = "127.0.0.1:8000-8010:80-90/udp";
        let p = port(s).unwrap();
        assert_eq!(parts(s, &p.host_ip), Some("127.0.0.1"));
        assert_eq!(parts(s, &p.published), Some("8000-8010"));
        assert_eq!(&s[p.target.clone()], "80-90");
        assert_eq!(parts(s, &p.protocol), Some("udp"));
        let s = "[::1]:6001:6001";
        let p = port(s).unwrap();
        assert_eq!(parts(s, &p.host_ip), Some("::1"));
        assert_eq!(parts(s, &p.published), Some("6001"));
        let s = "127.0.0.1::80";
        let p = port(s).unwrap();
        assert_eq!(parts(s, &p.published), Some(""));
        let s = "${PORT:-8080}:80";
        let p = port(s).unwrap();
        assert_eq!(parts(s, &p.published), Some("${PORT:-8080}"));
        let p = port("3000").unwrap();
        assert_eq!(p.published, None);
        assert!(port("").is_none());
    }
}
