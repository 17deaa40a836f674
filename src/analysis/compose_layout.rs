//! The written layout of a compose file: its collections as they stand in the text (before merge
//! keys and `extends` are applied), the order their entries are in, and the byte edits that
//! reorder or re-quote them while keeping every other byte.
//!
//! The style rules of the `compose` family (the order of services, of a service's keys, of
//! `depends_on` and `ports`, of the top-level keys; quotes around ports and volumes) judge what
//! is written, as a reader sees it, and fix it in place: an entry moves as whole lines, with the
//! comments written directly above it and those indented under it, and the blank lines between
//! entries stay where they are. A move that would put an alias (`*name`) before the anchor
//! (`&name`) it refers to is refused: YAML reads aliases in text order, so the file would no
//! longer load.

use std::cmp::Ordering;

use crate::source::{Edit, Span};
use crate::syntax::compose::yaml::{NodeId, NodeKind, Yaml};

/// One entry of a collection as written: a mapping pair (`key` set) or a sequence item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrittenEntry {
    pub key: Option<NodeId>,
    pub value: NodeId,
    /// From the key (or the item) to the end of the value.
    pub span: Span,
}

/// The entries of the collection `coll` as written: a mapping's pairs (merge keys `<<`
/// included, nothing merged in) or a sequence's items. Empty for a scalar or an alias.
pub fn written_entries(yaml: &Yaml, coll: NodeId) -> Vec<WrittenEntry> {
    let Some(node) = yaml.node(coll) else {
        return Vec::new();
    };
    let value_end = |v: NodeId, from: u32| yaml.node(v).map_or(from, |n| n.span.end.max(from));
    match &node.kind {
        NodeKind::Mapping(c) => yaml
            .pairs(*c)
            .iter()
            .filter_map(|p| {
                let key = yaml.node(p.key)?;
                let end = value_end(p.value, key.span.end);
                Some(WrittenEntry {
                    key: Some(p.key),
                    value: p.value,
                    span: Span {
                        start: key.span.start,
                        end,
                    },
                })
            })
            .collect(),
        NodeKind::Sequence(c) => yaml
            .items(*c)
            .iter()
            .filter_map(|&i| {
                let n = yaml.node(i)?;
                Some(WrittenEntry {
                    key: None,
                    value: i,
                    span: n.span,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The pair of mapping `map` whose key is written `key` (merge keys not followed).
pub fn written_pair(yaml: &Yaml, map: NodeId, key: &str) -> Option<WrittenEntry> {
    written_entries(yaml, map)
        .into_iter()
        .find(|e| e.key.and_then(|k| yaml.scalar(k)) == Some(key))
}

/// The services of a document as written: the pairs of its top-level `services` mapping.
pub fn written_services(yaml: &Yaml, root: NodeId) -> Vec<WrittenEntry> {
    written_pair(yaml, root, "services")
        .filter(|s| {
            yaml.node(s.value)
                .is_some_and(|n| matches!(n.kind, NodeKind::Mapping(_)))
        })
        .map(|s| written_entries(yaml, s.value))
        .unwrap_or_default()
}

/// The positions `0..n` in the order `cmp` sorts them (stable: equal entries keep their order).
pub fn sorted_positions(n: usize, mut cmp: impl FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Where a finding about key `key` of a service belongs as a reader sees the service: the key
/// where the service's mapping writes it; else the `*alias` of the merge key that brings it;
/// else the service's `extends` (the key comes from the base service); `None` when the service
/// has no such key at all.
pub fn key_site(yaml: &Yaml, service: &crate::model::compose::Service, key: &str) -> Option<Span> {
    if let Some(k) = written_pair(yaml, service.node, key).and_then(|e| yaml.node(e.key?)) {
        return Some(k.span);
    }
    if let Some(merged) = yaml.lookup(service.node, key).and_then(|e| e.merged_from) {
        return Some(merged.use_span);
    }
    service.extends.as_ref().map(|e| e.span)
}

/// Where a finding about a value of a service's key `key` belongs: the value itself when this
/// service writes it; when it comes through an anchor or `extends` (and so stands in another
/// service's text, or is shared), this service's [`key_site`].
pub fn value_site(
    yaml: &Yaml,
    service: &crate::model::compose::Service,
    key: &str,
    value: &crate::model::compose::Text,
) -> Span {
    match value.origin {
        None => value.span,
        Some(_) => key_site(yaml, service, key).unwrap_or(value.span),
    }
}

/// An order of the positions `0..n` in which those that are `movable` are sorted by `cmp`
/// among themselves (stably) and the others stay where they are: merge keys in a service, keys
/// an order does not name at the top level.
pub fn sorted_in_place(
    n: usize,
    movable: impl Fn(usize) -> bool,
    mut cmp: impl FnMut(usize, usize) -> Ordering,
) -> Vec<usize> {
    let slots: Vec<usize> = (0..n).filter(|&i| movable(i)).collect();
    let sorted = sorted_positions(slots.len(), |a, b| cmp(slots[a], slots[b]));
    let mut order: Vec<usize> = (0..n).collect();
    for (slot, &s) in slots.iter().enumerate() {
        order[s] = slots[sorted[slot]];
    }
    order
}

/// The written text of an entry's key (a scalar key read as YAML reads it).
pub fn key_text<'y>(yaml: &'y Yaml, entry: &WrittenEntry) -> Option<&'y str> {
    entry.key.and_then(|k| match &yaml.node(k)?.kind {
        NodeKind::Scalar { value, .. } => Some(yaml.str(*value)),
        _ => None,
    })
}

/// Why a collection cannot be reordered in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The move would put the alias `*name` before its anchor `&name`.
    Anchor { name: String },
    /// The entries are not written one block each (two share a line, or one starts on its
    /// parent's line), or a flow collection holds comments or anchors.
    Layout,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Anchor { name } => write!(
                f,
                "not reordered automatically: the alias `*{name}` would come before its anchor \
                 `&{name}`, and YAML reads an alias only after its anchor"
            ),
            Refusal::Layout => f.write_str(
                "not reordered automatically: the entries are not written one per line block",
            ),
        }
    }
}

/// Start of the line holding byte `at`. Searches bytes: `at` may fall inside a character (the
/// last byte of a value ending in `é`), and a newline is always a character boundary.
fn line_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    bytes[..at.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// End of the line holding byte `at`, after its newline (or the end of the text). Like
/// [`line_start`], `at` need not be a character boundary.
fn line_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i + 1)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The lines of one entry: `[start, end)`, whole lines, comments included.
#[derive(Clone, Copy, Debug)]
struct Chunk {
    start: usize,
    end: usize,
}

/// Reorders the entries of collection `coll` so that the entry at position `order[i]` comes
/// `i`-th. `order` must be a permutation of `0..entries`. Returns the edits (none when the order
/// is already that), or why the collection cannot be reordered in place.
pub fn reorder(yaml: &Yaml, coll: NodeId, order: &[usize]) -> Result<Vec<Edit>, Refusal> {
    let entries = written_entries(yaml, coll);
    if order.len() != entries.len() || order.iter().enumerate().all(|(i, &o)| i == o) {
        return Ok(Vec::new());
    }
    // With a key written twice, which one counts could change with the order.
    let mut keys: Vec<&str> = entries.iter().filter_map(|e| key_text(yaml, e)).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(Refusal::Layout);
    }
    let mut seen = vec![false; order.len()];
    for &o in order {
        match seen.get_mut(o) {
            Some(s) if !*s => *s = true,
            _ => return Err(Refusal::Layout),
        }
    }
    let text = yaml.text.as_str();
    let Some(node) = yaml.node(coll) else {
        return Err(Refusal::Layout);
    };
    if matches!(
        text.as_bytes().get(node.span.start as usize),
        Some(b'[' | b'{')
    ) {
        return reorder_flow(yaml, node.span, &entries, order);
    }
    let chunks = chunks(text, &entries)?;
    let region = Span::new(
        chunks.first().map_or(0, |c| c.start),
        chunks.last().map_or(0, |c| c.end),
    );
    // Check anchors before building the text: where each old byte of the region lands.
    let mut new_start = Vec::with_capacity(chunks.len());
    let mut pos = region.start as usize;
    for (slot, &from) in order.iter().enumerate() {
        new_start.push((from, pos));
        pos += chunks[from].end - chunks[from].start;
        if let Some(next) = chunks.get(slot + 1) {
            pos += next.start - chunks[slot].end;
        }
    }
    let moved = |old: usize| -> usize {
        for &(from, start) in &new_start {
            let c = chunks[from];
            if (c.start..c.end).contains(&old) {
                return start + (old - c.start);
            }
        }
        old
    };
    check_aliases(yaml, region, moved)?;
    // Without a final newline, the last entry gains one when it moves and the new last loses it.
    let missing_newline = !text[..region.end as usize].ends_with('\n');
    let piece = |c: &Chunk| -> String {
        let mut s = text[c.start..c.end].to_string();
        if missing_newline && c.end == region.end as usize {
            s.push('\n');
        }
        s
    };
    let mut out = String::with_capacity(region.len() + 1);
    for (slot, &from) in order.iter().enumerate() {
        out.push_str(&piece(&chunks[from]));
        if let Some(next) = chunks.get(slot + 1) {
            out.push_str(&text[chunks[slot].end..next.start]);
        }
    }
    if missing_newline {
        out.pop();
    }
    Ok(vec![Edit {
        span: region,
        replacement: out,
    }])
}

/// The whole-line blocks of block-collection entries: from the comments written directly above
/// an entry (at its indentation or deeper; for the first entry of a top-level collection they
/// stay put, as a file's header) to the last line of its value and the comments indented under it.
fn chunks(text: &str, entries: &[WrittenEntry]) -> Result<Vec<Chunk>, Refusal> {
    let mut out: Vec<Chunk> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let first = line_start(text, e.span.start as usize);
        let prefix = &text[first..e.span.start as usize];
        let marker = prefix.trim_start_matches([' ', '\t']);
        // A pair stands alone on its line; an item follows its `- ` (and maybe an anchor).
        let own_line = match e.key {
            Some(_) => marker.is_empty(),
            None => marker.starts_with('-') && !marker.contains(':'),
        };
        if !own_line {
            return Err(Refusal::Layout);
        }
        let indent = indent_of(prefix);
        if let Some(prev) = out.last()
            && first < prev.end
        {
            return Err(Refusal::Layout);
        }
        let floor = out.last().map_or(0, |c| c.end);
        let mut start = first;
        let top_first = i == 0 && indent == 0;
        while !top_first && start > floor {
            let above = line_start(text, start - 1);
            let line = &text[above..start];
            if is_comment_line(line) && indent_of(line) >= indent && above >= floor {
                start = above;
            } else {
                break;
            }
        }
        // The last line of the value (a block scalar's span may end after its newline).
        let last_byte = (e.span.end as usize)
            .saturating_sub(1)
            .max(e.span.start as usize);
        let mut end = line_end(text, last_byte);
        let next_first = entries
            .get(i + 1)
            .map_or(text.len(), |n| line_start(text, n.span.start as usize));
        while end < next_first {
            let line = &text[end..line_end(text, end)];
            if is_comment_line(line) && indent_of(line) > indent {
                end = line_end(text, end);
            } else {
                break;
            }
        }
        if end > next_first {
            return Err(Refusal::Layout);
        }
        out.push(Chunk { start, end });
    }
    Ok(out)
}

/// A flow collection (`[a, b]`, `{a: 1, b: 2}`): each entry's text moves into another's place,
/// the separators stay. Refused when the collection holds comments or anchors.
fn reorder_flow(
    yaml: &Yaml,
    span: Span,
    entries: &[WrittenEntry],
    order: &[usize],
) -> Result<Vec<Edit>, Refusal> {
    let text = yaml.text.as_str();
    let inner = &text[span.start as usize..span.end as usize];
    if inner.contains('#') || inner.contains('&') || inner.contains('*') {
        return Err(Refusal::Layout);
    }
    Ok(order
        .iter()
        .enumerate()
        .filter(|(slot, from)| slot != *from)
        .map(|(slot, &from)| Edit {
            span: entries[slot].span,
            replacement: text[entries[from].span.start as usize..entries[from].span.end as usize]
                .to_string(),
        })
        .collect())
}

/// Refuses a move after which an alias would precede its anchor (`moved` maps an old offset in
/// the region to the new one; offsets outside the region do not move).
fn check_aliases(yaml: &Yaml, region: Span, moved: impl Fn(usize) -> usize) -> Result<(), Refusal> {
    let inside = |o: u32| region.start <= o && o < region.end;
    for n in &yaml.nodes {
        let NodeKind::Alias { target, name } = &n.kind else {
            continue;
        };
        let Some(t) = yaml.node(*target) else {
            continue;
        };
        let anchor_at = t.anchor().map_or(t.span.start, |(_, s)| s.start);
        let alias_at = n.span.start;
        if !inside(alias_at) && !inside(anchor_at) {
            continue;
        }
        if moved(alias_at as usize) < moved(anchor_at as usize) {
            return Err(Refusal::Anchor {
                name: yaml.str(*name).to_string(),
            });
        }
    }
    Ok(())
}

/// The order of names as dclint's "alphabetical" order reads them (JavaScript's
/// `localeCompare`, ICU's root collation): letters compare without regard to case (lower case
/// first on a tie), and `_`, `-`, `.` and other punctuation come before digits, which come
/// before letters. With `numeric`, runs of digits compare by value (`8080` after `443`).
pub fn collate(a: &str, b: &str, numeric: bool) -> Ordering {
    let primary = compare_primary(a, b, numeric);
    if primary != Ordering::Equal {
        return primary;
    }
    // Tie: lower case first, then the bytes.
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y && x.eq_ignore_ascii_case(&y) {
            return if x.is_lowercase() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
    }
    a.cmp(b)
}

/// A character's place: (class, rank); whitespace, punctuation, digits, letters, the rest.
fn weight(c: char) -> (u8, u32) {
    const PUNCT: &str = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
    if c.is_whitespace() {
        return (0, 0);
    }
    if let Some(i) = PUNCT.find(c) {
        return (1, i as u32);
    }
    if c.is_ascii_digit() {
        return (2, c as u32);
    }
    if c.is_alphabetic() {
        return (3, c.to_lowercase().next().unwrap_or(c) as u32);
    }
    (4, c as u32)
}

fn compare_primary(a: &str, b: &str, numeric: bool) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let as_str = |s: &[u8], k: usize| -> char {
        std::str::from_utf8(&s[k..])
            .ok()
            .and_then(|t| t.chars().next())
            .unwrap_or(s[k] as char)
    };
    while i < a.len() && j < b.len() {
        if numeric && a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let ea = i + a[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let eb = j + b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
            let na = trim_zeros(&a[i..ea]);
            let nb = trim_zeros(&b[j..eb]);
            let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if o != Ordering::Equal {
                return o;
            }
            i = ea;
            j = eb;
            continue;
        }
        let (ca, cb) = (as_str(a, i), as_str(b, j));
        let o = weight(ca).cmp(&weight(cb));
        if o != Ordering::Equal {
            return o;
        }
        i += ca.len_utf8().max(1);
        j += cb.len_utf8().max(1);
    }
    (a.len() - i.min(a.len())).cmp(&(b.len() - j.min(b.len())))
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let n = d.iter().take_while(|&&c| c == b'0').count();
    &d[n.min(d.len().saturating_sub(1))..]
}

/// Whether `value`, written without quotes as a sequence item (of a flow sequence `[...]` when
/// `in_flow`), reads back as the same string: nothing YAML would take as structure, a comment, a
/// tag, an anchor, or a null, boolean or number.
pub fn plain_reads_same(value: &str, in_flow: bool) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if value.trim() != value || value.contains(['\n', '\r', '\t']) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if value.contains(": ") || value.contains(" #") || value.ends_with(':') {
        return false;
    }
    if in_flow && value.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    let scalar_word = matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | ".nan"
    );
    // Numbers, and YAML 1.1's base-60 `1:30` that older readers still take for one.
    let numberish = value
        .chars()
        .all(|c| c.is_ascii_digit() || "+-._:eEoOxX".contains(c))
        && value.chars().any(|c| c.is_ascii_digit());
    !scalar_word && !numberish
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::compose::yaml::parse;

    fn root(y: &Yaml) -> NodeId {
        y.documents[0].root.unwrap()
    }

    fn apply(text: &str, edits: &[Edit]) -> String {
        let mut out = text.to_string();
        let mut sorted = edits.to_vec();
        sorted.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in sorted {
            out.replace_range(e.span.start as usize..e.span.end as usize, &e.replacement);
        }
        out
    }

    fn reordered(text: &str, path: &[&str], order: &[usize]) -> Result<String, Refusal> {
        let y = parse(text);
        let mut node = root(&y);
        for k in path {
            node = written_pair(&y, node, k).unwrap().value;
        }
        reorder(&y, node, order).map(|e| apply(text, &e))
    }

    #[test]
    fn moves_entries_with_their_comments_and_keeps_blank_lines() {
        let text = "services:\n  # the web server\n  web:\n    image: a  # pinned\n    # ports: [80]\n\n  db:\n    image: b\n";
        let got = reordered(text, &["services"], &[1, 0]).unwrap();
        assert_eq!(
            got,
            "services:\n  db:\n    image: b\n\n  # the web server\n  web:\n    image: a  # pinned\n    # ports: [80]\n"
        );
    }

    #[test]
    fn last_entry_without_final_newline() {
        let text = "b: 1\na: 2";
        assert_eq!(reordered(text, &[], &[1, 0]).unwrap(), "a: 2\nb: 1");
    }

    #[test]
    fn values_ending_in_a_multibyte_character() {
        // The last byte of `café` is inside `é`: the line search must not slice there.
        let text = "b: café\na: naïve\n";
        assert_eq!(
            reordered(text, &[], &[1, 0]).unwrap(),
            "a: naïve\nb: café\n"
        );
        let text = "b: café\na: ü";
        assert_eq!(reordered(text, &[], &[1, 0]).unwrap(), "a: ü\nb: café");
    }

    #[test]
    fn header_comment_of_the_file_stays() {
        let text = "# dclint disable-line\nservices: {}\nname: x\n";
        assert_eq!(
            reordered(text, &[], &[1, 0]).unwrap(),
            "# dclint disable-line\nname: x\nservices: {}\n"
        );
    }

    #[test]
    fn sequences_block_and_flow() {
        let text = "ports:\n  - \"8080:80\"\n  - '443:443'\n";
        assert_eq!(
            reordered(text, &["ports"], &[1, 0]).unwrap(),
            "ports:\n  - '443:443'\n  - \"8080:80\"\n"
        );
        let text = "d: [web, cache, db]\n";
        assert_eq!(
            reordered(text, &["d"], &[1, 2, 0]).unwrap(),
            "d: [cache, db, web]\n"
        );
    }

    #[test]
    fn an_alias_never_moves_before_its_anchor() {
        let text = "services:\n  web: &base\n    image: a\n  api:\n    <<: *base\n";
        assert_eq!(
            reordered(text, &["services"], &[1, 0]),
            Err(Refusal::Anchor {
                name: "base".into()
            })
        );
        // Moving the anchor earlier is fine.
        let text = "services:\n  web:\n    <<: *base\n  api: &base\n    image: a\n";
        let y = parse(text);
        // (that file does not load: the check is on the result)
        let services = written_pair(&y, root(&y), "services").unwrap().value;
        assert!(reorder(&y, services, &[1, 0]).is_ok());
    }

    #[test]
    fn entries_sharing_a_line_are_refused() {
        let text = "- a: 1\n  b: 2\n";
        let y = parse(text);
        let item = written_entries(&y, root(&y))[0].value;
        assert_eq!(reorder(&y, item, &[1, 0]), Err(Refusal::Layout));
    }

    #[test]
    fn collation_is_dclint_alphabetical() {
        let mut v = vec!["web", "Api", "db-2", "db_1", "db", "app", "db.3"];
        v.sort_by(|a, b| collate(a, b, false));
        assert_eq!(v, vec!["Api", "app", "db", "db_1", "db-2", "db.3", "web"]);
        let mut p = vec!["8080", "443", "80", "8000-8010"];
        p.sort_by(|a, b| collate(a, b, true));
        assert_eq!(p, vec!["80", "443", "8000-8010", "8080"]);
    }

    #[test]
    fn plain_scalars_that_read_the_same() {
        assert!(plain_reads_same("./data:/var/lib/data:ro", false));
        assert!(plain_reads_same("${DATA:-./data}:/data", false));
        assert!(!plain_reads_same("${DATA:-./data}:/data", true));
        for bad in [
            "", "true", "80", "1:30", "a: b", "*x", "- a", "a #b", "{x}", " a",
        ] {
            assert!(!plain_reads_same(bad, false), "{bad}");
        }
    }
}
