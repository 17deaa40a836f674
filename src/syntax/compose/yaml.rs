//! A spanned YAML tree built from `saphyr-parser` events.
//!
//! Nodes live in one arena ([`Yaml::nodes`]) and refer to each other by [`NodeId`], so an alias is
//! a pointer to its anchor's node (never a copy), a deep tree drops without recursion, and the
//! expansion work an alias would cause is counted once per node ([`Node::expanded`]). Spans are
//! byte offsets into the original text (the parser counts characters; we convert).

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle as PStyle};

use crate::source::Span;

/// Index of a node in [`Yaml::nodes`].
pub type NodeId = u32;

/// Deepest nesting of collections accepted (compose files nest about ten levels).
pub const MAX_DEPTH: usize = 256;

/// The most nodes a document may expand to through aliases, beyond ten times its own node count.
/// Past this the document is refused as an alias bomb.
pub const ALIAS_EXPANSION_BUDGET: u64 = 200_000;

/// The most bytes of scalar text a document may expand to through aliases, beyond four times the
/// source's size. Counting nodes alone lets one anchored megabyte, aliased two thousand times,
/// stand for gigabytes.
pub const ALIAS_BYTE_BUDGET: u64 = 16 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Scalar {
        /// The value as YAML reads it, in [`Yaml::text`]: see [`Yaml::str`].
        value: Str,
        style: ScalarStyle,
    },
    /// Items in [`Yaml::item_list`]: see [`Yaml::items`].
    Sequence(Children),
    /// Pairs in [`Yaml::pair_list`]: see [`Yaml::pairs`].
    Mapping(Children),
    /// `*name`: refers to the anchored node `target`; `name` is in [`Yaml::text`].
    Alias { target: NodeId, name: Str },
}

/// A collection's children: a range of [`Yaml::item_list`] or [`Yaml::pair_list`] (one list
/// per tree, not one per collection).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Children {
    pub start: u32,
    pub len: u32,
}

/// A byte range of [`Yaml::text`]: where a scalar's value is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Str {
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    pub key: NodeId,
    pub value: NodeId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// The node's content: a scalar's text (quotes included), `[`..`]` of a flow collection, first
    /// to last entry of a block collection, `*name` of an alias.
    pub span: Span,
    /// The node's tag and anchor, when it has either (most nodes have neither, and a node
    /// without them stays small): see [`Node::tag`], [`Node::anchor`].
    pub props: Option<Box<NodeProps>>,
    /// Nodes this node stands for once aliases are expanded (saturating).
    pub expanded: u64,
}

/// A node's properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeProps {
    /// The tag as written, e.g. `!reset`, `!!str`.
    pub tag: Option<Box<str>>,
    /// The anchor defined on this node (`&name`) and its span.
    pub anchor: Option<(Box<str>, Span)>,
}

impl Node {
    /// The tag as written, e.g. `!reset`, `!!str`.
    pub fn tag(&self) -> Option<&str> {
        self.props.as_ref().and_then(|p| p.tag.as_deref())
    }

    /// The anchor defined on this node (`&name`) and its span.
    pub fn anchor(&self) -> Option<(&str, Span)> {
        self.props
            .as_ref()
            .and_then(|p| p.anchor.as_ref())
            .map(|(n, s)| (&**n, *s))
    }

    fn new(
        kind: NodeKind,
        span: Span,
        tag: Option<Box<str>>,
        anchor: Option<(Box<str>, Span)>,
        expanded: u64,
    ) -> Node {
        let props = if tag.is_none() && anchor.is_none() {
            None
        } else {
            Some(Box::new(NodeProps { tag, anchor }))
        };
        Node {
            kind,
            span,
            props,
            expanded,
        }
    }
}

/// One YAML document of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub root: Option<NodeId>,
    pub span: Span,
    /// Set when the document was refused (alias bomb, nesting too deep): its tree is not usable.
    pub refused: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YamlErrorKind {
    Syntax,
    DuplicateKey,
    AliasBudget,
    Depth,
    /// An alias to an anchor whose node is still open (`&a [*a]`).
    RecursiveAlias,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub span: Span,
    pub message: String,
    /// For duplicate keys: the first occurrence.
    pub related: Option<Span>,
}

/// A parsed YAML stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Yaml {
    /// The source text, then the scalar values that differ from their source text (escapes,
    /// folding): every scalar value is a range of it, so the tree holds no string per scalar.
    pub text: String,
    pub nodes: Vec<Node>,
    /// The items of all sequences.
    pub item_list: Vec<NodeId>,
    /// The pairs of all mappings.
    pub pair_list: Vec<Pair>,
    pub documents: Vec<Document>,
    pub errors: Vec<YamlError>,
    /// Whether any node is an alias (else [`Yaml::resolve`] has nothing to follow).
    aliases: bool,
    /// Whether any mapping has a `<<` key (else entries are always the pairs as written).
    merge_keys: bool,
}

/// The entries of a mapping: see [`Yaml::iter_entries`].
pub enum Entries<'a> {
    Pairs(std::slice::Iter<'a, Pair>),
    Merged(std::vec::IntoIter<Entry>),
}

impl Iterator for Entries<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        match self {
            Entries::Pairs(it) => it.next().map(|p| Entry {
                key: p.key,
                value: p.value,
                merged_from: None,
            }),
            Entries::Merged(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Entries::Pairs(it) => it.size_hint(),
            Entries::Merged(it) => it.size_hint(),
        }
    }
}

/// A mapping entry after merge keys are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
    /// Set when the entry came in through `<<`: the merged alias (use site) and its anchor.
    pub merged_from: Option<MergeSource>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergeSource {
    /// The `*name` alias (or inline mapping) given to `<<`.
    pub use_span: Span,
    /// The anchored mapping the entry was defined in.
    pub anchor_node: NodeId,
}

impl Yaml {
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// Follows an alias to the node it names (one step: anchors never sit on aliases).
    pub fn resolve(&self, id: NodeId) -> NodeId {
        if !self.aliases {
            return id;
        }
        match self.node(id).map(|n| &n.kind) {
            Some(NodeKind::Alias { target, .. }) => *target,
            _ => id,
        }
    }

    /// The node after alias resolution.
    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.node(self.resolve(id))
    }

    /// A sequence's items.
    pub fn items(&self, c: Children) -> &[NodeId] {
        let start = c.start as usize;
        self.item_list
            .get(start..start + c.len as usize)
            .unwrap_or_default()
    }

    /// A mapping's pairs, as written.
    pub fn pairs(&self, c: Children) -> &[Pair] {
        let start = c.start as usize;
        self.pair_list
            .get(start..start + c.len as usize)
            .unwrap_or_default()
    }

    /// The text of a scalar value.
    pub fn str(&self, s: Str) -> &str {
        self.text
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    /// The bytes of a scalar value (no UTF-8 boundary checks: for comparisons).
    fn bytes(&self, s: Str) -> &[u8] {
        self.text
            .as_bytes()
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    /// Whether two scalar values read the same (lengths first: most keys differ there).
    pub fn same_str(&self, a: Str, b: Str) -> bool {
        a.end.wrapping_sub(a.start) == b.end.wrapping_sub(b.start)
            && (a == b || self.bytes(a) == self.bytes(b))
    }

    /// Whether a scalar value is `<<`.
    fn is_merge_str(&self, s: Str) -> bool {
        s.end.wrapping_sub(s.start) == 2 && self.bytes(s) == b"<<"
    }

    /// A scalar's value (through aliases).
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.get(id)?.kind {
            NodeKind::Scalar { value, .. } => Some(self.str(*value)),
            _ => None,
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.get(id).map(|n| &n.kind), Some(NodeKind::Mapping(_)))
    }

    pub fn sequence(&self, id: NodeId) -> Option<&[NodeId]> {
        match &self.get(id)?.kind {
            NodeKind::Sequence(items) => Some(self.items(*items)),
            _ => None,
        }
    }

    pub fn tag(&self, id: NodeId) -> Option<&str> {
        self.node(id)
            .and_then(|n| n.tag())
            .or_else(|| self.get(id).and_then(|n| n.tag()))
    }

    /// Whether a scalar is YAML null (`~`, `null`, empty plain).
    pub fn is_null(&self, id: NodeId) -> bool {
        self.get(id).is_some_and(|n| self.node_is_null(n))
    }

    /// [`Yaml::is_null`] of a node in hand (not following an alias).
    pub fn node_is_null(&self, n: &Node) -> bool {
        match &n.kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => {
                value.end.wrapping_sub(value.start) <= 4
                    && matches!(self.bytes(*value), b"" | b"~" | b"null" | b"Null" | b"NULL")
            }
            _ => false,
        }
    }

    /// A mapping's entries with `<<` merge keys applied: explicit keys win over merged ones, and
    /// earlier mappings in a `<<` list win over later ones. Keys keep their written order.
    pub fn entries(&self, id: NodeId) -> Vec<Entry> {
        self.iter_entries(id).collect()
    }

    /// [`Yaml::entries`] as an iterator: without merge keys or duplicate keys (the common case)
    /// the entries are the pairs, read in place.
    pub fn iter_entries(&self, id: NodeId) -> Entries<'_> {
        if let Some(&NodeKind::Mapping(pairs)) = self.get(id).map(|n| &n.kind)
            && let pairs = self.pairs(pairs)
            && !self.has_duplicate_keys()
            && !self.has_merge_key(pairs)
        {
            return Entries::Pairs(pairs.iter());
        }
        let mut out = Vec::new();
        self.collect_entries(id, None, 0, &mut out);
        Entries::Merged(out.into_iter())
    }

    fn collect_entries(
        &self,
        id: NodeId,
        via: Option<MergeSource>,
        depth: usize,
        out: &mut Vec<Entry>,
    ) {
        let Some(&NodeKind::Mapping(pairs)) = self.get(id).map(|n| &n.kind) else {
            return;
        };
        let pairs = self.pairs(pairs);
        if depth > 8 {
            return;
        }
        let anchor_node = self.resolve(id);
        let mut merges: Vec<NodeId> = Vec::new();
        for p in pairs {
            if self.is_merge_key(p.key) {
                match self.get(p.value).map(|n| &n.kind) {
                    Some(NodeKind::Sequence(items)) => {
                        merges.extend(self.items(*items).iter().copied())
                    }
                    _ => merges.push(p.value),
                }
                continue;
            }
            let key = self.scalar(p.key);
            if let Some(k) = key
                && let Some(existing) = out.iter_mut().find(|e| self.scalar(e.key) == Some(k))
            {
                // An explicit key overrides one merged in earlier; a merged key never
                // overrides one already present.
                if via.is_none() && existing.merged_from.is_some() {
                    *existing = Entry {
                        key: p.key,
                        value: p.value,
                        merged_from: None,
                    };
                }
                continue;
            }
            let merged_from = via.map(|v| MergeSource {
                use_span: v.use_span,
                anchor_node,
            });
            out.push(Entry {
                key: p.key,
                value: p.value,
                merged_from,
            });
        }
        for m in merges {
            let use_span = self.node(m).map(|n| n.span).unwrap_or_default();
            // Within a merged mapping the outermost use site is kept.
            let src = via.unwrap_or(MergeSource {
                use_span,
                anchor_node: self.resolve(m),
            });
            self.collect_entries(m, Some(src), depth + 1, out);
        }
    }

    fn has_merge_key(&self, pairs: &[Pair]) -> bool {
        self.merge_keys && pairs.iter().any(|p| self.is_merge_key(p.key))
    }

    fn has_duplicate_keys(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.kind == YamlErrorKind::DuplicateKey)
    }

    /// `<<` as a plain (untagged or `!!merge`) key.
    pub fn is_merge_key(&self, id: NodeId) -> bool {
        match self.node(id).map(|n| (&n.kind, n.tag())) {
            Some((NodeKind::Scalar { value, style }, tag)) => {
                self.is_merge_str(*value)
                    && (*style == ScalarStyle::Plain || tag == Some("!!merge"))
                    && tag.is_none_or(|t| t.ends_with("merge"))
            }
            _ => false,
        }
    }

    /// The value under key `key` in mapping `id` (after merges).
    pub fn lookup(&self, id: NodeId, key: &str) -> Option<Entry> {
        // Without merge keys the entries are the pairs (first of duplicates wins): no need to
        // collect them all.
        if let Some(&NodeKind::Mapping(pairs)) = self.get(id).map(|n| &n.kind)
            && let pairs = self.pairs(pairs)
            && !self.has_merge_key(pairs)
        {
            return pairs
                .iter()
                .find(|p| self.scalar(p.key) == Some(key))
                .map(|p| Entry {
                    key: p.key,
                    value: p.value,
                    merged_from: None,
                });
        }
        self.entries(id)
            .into_iter()
            .find(|e| self.scalar(e.key) == Some(key))
    }

    /// The anchor name and definition span of an anchored node.
    pub fn anchor_of(&self, id: NodeId) -> Option<(&str, Span)> {
        self.node(id).and_then(|n| n.anchor())
    }
}

/// Converts the parser's character indices to byte offsets.
struct Offsets {
    len: usize,
    /// (char index of a non-ASCII char, extra bytes of all non-ASCII chars up to and including it)
    wide: Vec<(u32, u32)>,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0u32;
            for (ci, c) in text.chars().enumerate() {
                let l = c.len_utf8() as u32;
                if l > 1 {
                    extra += l - 1;
                    wide.push((ci as u32, extra));
                }
            }
        }
        Offsets {
            len: text.len(),
            wide,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let ci = char_index as u32;
        let i = self.wide.partition_point(|&(c, _)| c < ci);
        let extra = if i == 0 { 0 } else { self.wide[i - 1].1 };
        (char_index + extra as usize).min(self.len)
    }
}

/// One parse event with byte spans, as both parsers ([`parse_reference`] and [`super::subset_reader`])
/// hand it to the [`Builder`], so the two build their trees with the same code.
pub(super) enum Ev<'a> {
    DocStart(usize),
    DocEnd(usize),
    Alias {
        /// Anchor id, as the parser numbered the `&name` definitions (0: none).
        aid: usize,
        name: &'a str,
        span: Span,
    },
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
        aid: usize,
        tag: Option<Box<str>>,
        anchor: Option<(Box<str>, Span)>,
        span: Span,
    },
    Open {
        seq: bool,
        aid: usize,
        tag: Option<Box<str>>,
        anchor: Option<(Box<str>, Span)>,
        /// Where the content starts (after the properties).
        start: usize,
    },
    /// The end of the innermost open collection; `flow_end` is just past a flow collection's
    /// closing bracket (`None` for a block collection).
    Close {
        flow_end: Option<usize>,
    },
}

struct Frame {
    id: NodeId,
    seq: bool,
    /// Where this frame's items start in [`Builder::items`].
    base: usize,
    /// For mappings of many keys: scalar keys seen so far (value, key span), so duplicate
    /// detection stays linear.
    keys: Option<std::collections::HashMap<Box<str>, Span>>,
    /// Where this frame's scalar keys start in [`Builder::key_strs`].
    key_base: usize,
    start: usize,
    anchor_id: usize,
}

/// Mappings with more keys than this check duplicates through a hash map, not a scan.
const SMALL_MAPPING: usize = 32;

pub(super) struct Builder {
    yaml: Yaml,
    /// Anchor id (from the parser) -> node, and whether the node is complete.
    anchors: Vec<Option<(NodeId, bool)>>,
    stack: Vec<Frame>,
    /// Items of all open collections, innermost last (one buffer instead of a Vec per frame).
    items: Vec<NodeId>,
    /// Scalar keys of all open mappings (value, key span), innermost last: duplicate detection
    /// scans these instead of looking each key node up again.
    key_strs: Vec<(Str, Span)>,
    doc_start: usize,
    doc_nodes: usize,
    doc_refused: bool,
    doc_root: Option<NodeId>,
    /// Length of the source at the start of [`Yaml::text`].
    src_len: usize,
    /// Address of the source text the parser reads (to tell values borrowed from it).
    src_addr: usize,
    /// Per node, the bytes of scalar text it stands for once aliases are expanded (saturating).
    /// Only needed while building, so kept here rather than in every [`Node`].
    bytes: Vec<u64>,
}

/// Parses a YAML stream. Never panics; syntax errors end the stream with a [`YamlError`] and keep
/// the documents completed before it. Takes the fast path ([`super::subset_reader`]) when it is
/// sure of the input and saphyr-parser ([`parse_reference`]) otherwise: both build the same tree.
pub fn parse(text: &str) -> Yaml {
    super::subset_reader::parse(text).unwrap_or_else(|| parse_reference(text))
}

/// Parses a YAML stream with saphyr-parser, the reference (and the fallback of [`parse`]).
///
/// A text saphyr-parser refuses is read again with the lines of its flow collections and
/// quoted scalars indented as the YAML specification wants ([`super::lenient`]): docker
/// compose's reader accepts them as written, and their indentation is never content. The
/// second reading is kept when it reads further than the first.
pub fn parse_reference(text: &str) -> Yaml {
    let yaml = read_with_saphyr(text, text, &|p| p);
    let first_error = |y: &Yaml| {
        y.errors
            .iter()
            .find(|e| e.kind == YamlErrorKind::Syntax)
            .map(|e| e.span.start)
    };
    let Some(refused_at) = first_error(&yaml) else {
        return yaml;
    };
    let Some(padded) = super::lenient::pad(text) else {
        return yaml;
    };
    let again = read_with_saphyr(text, &padded.text, &|p| padded.original(p));
    match first_error(&again) {
        Some(at) if at <= refused_at => yaml,
        _ => again,
    }
}

/// Reads `parsed` with saphyr-parser into a tree of `source`: the same text, or `source` with
/// spaces inserted, whose positions `original` maps back to `source`'s.
fn read_with_saphyr(source: &str, parsed: &str, original: &dyn Fn(usize) -> usize) -> Yaml {
    let off = Offsets::new(parsed);
    let mut b = Builder::new(source);
    let mut parser = Parser::new_from_str(parsed);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((ev, span))) => {
                let s = off.byte(span.start.index());
                let e = off.byte(span.end.index()).max(s);
                if matches!(ev, Event::StreamEnd) {
                    break;
                }
                if let Some(ev) = convert(parsed, ev, s, e) {
                    b.event(ev.map_positions(original));
                }
            }
            Some(Err(err)) => {
                let at = original(off.byte(err.marker().index()));
                b.yaml.errors.push(YamlError {
                    kind: YamlErrorKind::Syntax,
                    span: Span::empty(at),
                    message: err.info().to_string(),
                    related: None,
                });
                // Keep what was built of the open document so rules still see it.
                if !b.stack.is_empty() || b.doc_root.is_some() {
                    b.finish_document(at);
                }
                break;
            }
        }
    }
    b.finish()
}

/// A saphyr-parser event as an [`Ev`]; `None` for the events the builder has no use for.
fn convert<'a>(text: &'a str, ev: Event<'a>, s: usize, e: usize) -> Option<Ev<'a>> {
    let seq = matches!(ev, Event::SequenceStart(..));
    Some(match ev {
        Event::StreamStart | Event::StreamEnd | Event::Nothing => return None,
        Event::DocumentStart(_) => Ev::DocStart(s),
        Event::DocumentEnd => Ev::DocEnd(s),
        Event::Alias(aid) => {
            let name = text
                .get(s..e)
                .unwrap_or("")
                .trim_start_matches('*')
                .trim_end();
            Ev::Alias {
                aid,
                name,
                span: Span::new(s, s + 1 + name.len()),
            }
        }
        Event::Scalar(value, style, aid, tag) => {
            let (start, anchor) = properties(text, s, e);
            let end = scalar_end(text, start, e, style);
            let style = match style {
                PStyle::Plain => ScalarStyle::Plain,
                PStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                PStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                PStyle::Literal => ScalarStyle::Literal,
                PStyle::Folded => ScalarStyle::Folded,
            };
            Ev::Scalar {
                value,
                style,
                aid,
                tag: tag.map(|t| t.to_string().into_boxed_str()),
                anchor,
                span: Span::new(start, end.max(start)),
            }
        }
        Event::SequenceStart(aid, tag) | Event::MappingStart(aid, tag) => {
            let (start, anchor) = properties(text, s, e);
            Ev::Open {
                seq,
                aid,
                tag: tag.map(|t| t.to_string().into_boxed_str()),
                anchor,
                start,
            }
        }
        Event::SequenceEnd | Event::MappingEnd => {
            let flow_end = if e > s {
                let t = text.get(s..e).unwrap_or("");
                Some(s + t.trim_end().len())
            } else {
                None
            };
            Ev::Close { flow_end }
        }
    })
}

impl Ev<'_> {
    /// The event with every position passed through `f` (from a padded text to the source).
    fn map_positions(self, f: &dyn Fn(usize) -> usize) -> Self {
        let span = |s: Span| {
            let start = f(s.start as usize);
            Span::new(start, f(s.end as usize).max(start))
        };
        let anchor = |a: Option<(Box<str>, Span)>| a.map(|(n, s)| (n, span(s)));
        match self {
            Ev::DocStart(s) => Ev::DocStart(f(s)),
            Ev::DocEnd(s) => Ev::DocEnd(f(s)),
            Ev::Alias { aid, name, span: s } => Ev::Alias {
                aid,
                name,
                span: span(s),
            },
            Ev::Scalar {
                value,
                style,
                aid,
                tag,
                anchor: a,
                span: s,
            } => Ev::Scalar {
                value,
                style,
                aid,
                tag,
                anchor: anchor(a),
                span: span(s),
            },
            Ev::Open {
                seq,
                aid,
                tag,
                anchor: a,
                start,
            } => Ev::Open {
                seq,
                aid,
                tag,
                anchor: anchor(a),
                start: f(start),
            },
            Ev::Close { flow_end } => Ev::Close {
                flow_end: flow_end.map(f),
            },
        }
    }
}

impl Builder {
    pub(super) fn new(text: &str) -> Self {
        let len = text.len();
        // Room for a few values that differ from their source (escapes, folding).
        let mut copy = String::with_capacity(len + len / 8 + 16);
        copy.push_str(text);
        // Compose files run about one node per 10 bytes: size the arena once for most.
        Builder {
            yaml: Yaml {
                text: copy,
                nodes: Vec::with_capacity(len / 8 + 4),
                item_list: Vec::with_capacity(len / 64 + 4),
                pair_list: Vec::with_capacity(len / 24 + 4),
                documents: Vec::new(),
                errors: Vec::new(),
                aliases: false,
                merge_keys: false,
            },
            anchors: Vec::new(),
            stack: Vec::with_capacity(16),
            items: Vec::with_capacity(64),
            key_strs: Vec::with_capacity(64),
            doc_start: 0,
            doc_nodes: 0,
            doc_refused: false,
            doc_root: None,
            src_len: len,
            src_addr: text.as_ptr() as usize,
            bytes: Vec::with_capacity(len / 8 + 4),
        }
    }

    pub(super) fn finish(self) -> Yaml {
        self.yaml
    }

    /// Handles one event.
    pub(super) fn event(&mut self, ev: Ev<'_>) {
        match ev {
            Ev::DocStart(s) => {
                self.doc_start = s;
                self.doc_nodes = 0;
                self.doc_refused = false;
                self.doc_root = None;
                self.anchors.clear();
            }
            Ev::DocEnd(s) => self.finish_document(s),
            Ev::Alias { aid, name, span } => {
                let (target, expanded) = match self.anchors.get(aid).copied().flatten() {
                    Some((t, true)) => (t, self.expanded(t)),
                    Some((t, false)) => {
                        self.error(
                            YamlErrorKind::RecursiveAlias,
                            span,
                            format!("alias *{name} refers to the node that contains it"),
                        );
                        self.doc_refused = true;
                        (t, 1)
                    }
                    None => {
                        self.error(
                            YamlErrorKind::Syntax,
                            span,
                            format!("unknown anchor *{name}"),
                        );
                        return;
                    }
                };
                self.yaml.aliases = true;
                let name = self.intern_at(name, span.start as usize + 1);
                let bytes = self.bytes_of(target);
                let id = self.push(
                    Node::new(NodeKind::Alias { target, name }, span, None, None, expanded),
                    bytes,
                );
                self.attach(id);
            }
            Ev::Scalar {
                value,
                style,
                aid,
                tag,
                anchor,
                span,
            } => self.scalar(&value, style, aid, tag, anchor, span),
            Ev::Open {
                seq,
                aid,
                tag,
                anchor,
                start,
            } => self.open(seq, aid, tag, anchor, start),
            Ev::Close { flow_end } => self.end(flow_end),
        }
    }

    /// [`Ev::Scalar`], called directly by the fast reader (an event is large to move).
    #[inline]
    pub(super) fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        aid: usize,
        tag: Option<Box<str>>,
        anchor: Option<(Box<str>, Span)>,
        span: Span,
    ) {
        let value = self.intern(value, span, style);
        let id = self.push(
            Node::new(NodeKind::Scalar { value, style }, span, tag, anchor, 1),
            u64::from(value.end - value.start),
        );
        self.define_anchor(aid, id, true);
        self.attach_node(id, Some((value, span)));
    }

    /// [`Ev::Close`].
    pub(super) fn end(&mut self, flow_end: Option<usize>) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        self.close(frame, flow_end);
    }

    /// [`Ev::Open`].
    #[inline]
    pub(super) fn open(
        &mut self,
        seq: bool,
        aid: usize,
        tag: Option<Box<str>>,
        anchor: Option<(Box<str>, Span)>,
        start: usize,
    ) {
        let kind = if seq {
            NodeKind::Sequence(Children::default())
        } else {
            NodeKind::Mapping(Children::default())
        };
        let id = self.push(Node::new(kind, Span::new(start, start), tag, anchor, 1), 0);
        self.define_anchor(aid, id, false);
        if self.stack.len() >= MAX_DEPTH && !self.doc_refused {
            self.error(
                YamlErrorKind::Depth,
                Span::new(start, start),
                format!("collections nest deeper than {MAX_DEPTH} levels"),
            );
            self.doc_refused = true;
        }
        self.stack.push(Frame {
            id,
            seq,
            base: self.items.len(),
            keys: None,
            key_base: self.key_strs.len(),
            start,
            anchor_id: aid,
        });
    }

    fn close(&mut self, frame: Frame, flow_end: Option<usize>) {
        let base = frame.base.min(self.items.len());
        let items = &self.items[base..];
        let (start, end) = match flow_end {
            Some(end) => (frame.start, end),
            None => {
                let first = items.first().and_then(|&i| self.yaml.node(i));
                let last = items.last().and_then(|&i| self.yaml.node(i));
                (
                    first.map_or(frame.start, |n| n.span.start as usize),
                    last.map_or(frame.start, |n| n.span.end as usize),
                )
            }
        };
        let bytes = items
            .iter()
            .fold(0u64, |sum, &i| sum.saturating_add(self.bytes_of(i)));
        let expanded = if self.yaml.aliases {
            let mut expanded: u64 = 1;
            for &i in items {
                expanded = expanded.saturating_add(self.expanded(i));
            }
            expanded
        } else {
            // Without aliases a collection stands for its subtree: the nodes made since it
            // opened, itself included.
            (self.yaml.nodes.len() as u64).saturating_sub(frame.id as u64)
        };
        let kind = if frame.seq {
            let start = self.yaml.item_list.len() as u32;
            self.yaml.item_list.extend_from_slice(items);
            let len = self.yaml.item_list.len() as u32 - start;
            NodeKind::Sequence(Children { start, len })
        } else {
            let start = self.yaml.pair_list.len() as u32;
            self.yaml
                .pair_list
                .extend(items.chunks_exact(2).map(|c| Pair {
                    key: c[0],
                    value: c[1],
                }));
            let len = self.yaml.pair_list.len() as u32 - start;
            NodeKind::Mapping(Children { start, len })
        };
        self.items.truncate(base);
        self.key_strs.truncate(frame.key_base);
        let budget = ALIAS_EXPANSION_BUDGET.saturating_add(10 * self.doc_nodes as u64);
        if expanded > budget && !self.doc_refused {
            self.error(
                YamlErrorKind::AliasBudget,
                Span::new(start, end.max(start)),
                format!(
                    "aliases expand this document past {budget} nodes (an alias bomb?); refusing it"
                ),
            );
            self.doc_refused = true;
        }
        let byte_budget = ALIAS_BYTE_BUDGET.saturating_add(4 * self.src_len as u64);
        if bytes > byte_budget && !self.doc_refused {
            self.error(
                YamlErrorKind::AliasBudget,
                Span::new(start, end.max(start)),
                format!(
                    "aliases expand this document past {} MiB of text (an alias bomb?); refusing it",
                    byte_budget >> 20
                ),
            );
            self.doc_refused = true;
        }
        if let Some(b) = self.bytes.get_mut(frame.id as usize) {
            *b = bytes;
        }
        if let Some(node) = self.yaml.nodes.get_mut(frame.id as usize) {
            node.kind = kind;
            node.span = Span::new(start, end.max(start));
            node.expanded = expanded;
        }
        self.define_anchor(frame.anchor_id, frame.id, true);
        self.attach(frame.id);
    }

    pub(super) fn finish_document(&mut self, at: usize) {
        while let Some(frame) = self.stack.pop() {
            self.close(frame, None);
        }
        self.yaml.documents.push(Document {
            root: self.doc_root.take(),
            span: Span::new(self.doc_start.min(at), at),
            refused: self.doc_refused,
        });
        self.doc_refused = false;
    }

    /// Where a scalar's value is kept in [`Yaml::text`]: its source text when it reads the same
    /// (the common case, so nothing is copied), else a copy appended after the source. Decided
    /// from the value and span alone, so both parsers build equal trees.
    #[inline]
    fn intern(&mut self, value: &str, span: Span, style: ScalarStyle) -> Str {
        let (s, e) = (span.start as usize, span.end as usize);
        let content = match style {
            ScalarStyle::Plain => Some((s, e)),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if e >= s + 2 => {
                Some((s + 1, e - 1))
            }
            _ => None,
        };
        // A value borrowed from the source at its place (the fast reader's usual case) needs no
        // comparison.
        if let Some((s, e)) = content
            && e - s == value.len()
            && e <= self.src_len
            && (value.as_ptr() as usize == self.src_addr.wrapping_add(s)
                || self.yaml.text.as_bytes().get(s..e) == Some(value.as_bytes()))
        {
            return Str {
                start: s as u32,
                end: e as u32,
            };
        }
        self.append(value)
    }

    /// Where a name read at byte `s` of the source is kept in [`Yaml::text`] (see
    /// [`Builder::intern`]).
    fn intern_at(&mut self, value: &str, s: usize) -> Str {
        let e = s + value.len();
        if e <= self.src_len && self.yaml.text.as_bytes().get(s..e) == Some(value.as_bytes()) {
            return Str {
                start: s as u32,
                end: e as u32,
            };
        }
        self.append(value)
    }

    fn append(&mut self, value: &str) -> Str {
        let start = self.yaml.text.len();
        self.yaml.text.push_str(value);
        Str {
            start: start as u32,
            end: self.yaml.text.len() as u32,
        }
    }

    fn push(&mut self, node: Node, bytes: u64) -> NodeId {
        let id = self.yaml.nodes.len() as NodeId;
        self.yaml.nodes.push(node);
        self.bytes.push(bytes);
        self.doc_nodes += 1;
        id
    }

    fn bytes_of(&self, id: NodeId) -> u64 {
        self.bytes.get(id as usize).copied().unwrap_or(0)
    }

    fn expanded(&self, id: NodeId) -> u64 {
        self.yaml.node(id).map_or(1, |n| n.expanded)
    }

    fn define_anchor(&mut self, aid: usize, id: NodeId, complete: bool) {
        if aid == 0 {
            return;
        }
        if self.anchors.len() <= aid {
            self.anchors.resize(aid + 1, None);
        }
        self.anchors[aid] = Some((id, complete));
    }

    fn error(&mut self, kind: YamlErrorKind, span: Span, message: String) {
        self.yaml.errors.push(YamlError {
            kind,
            span,
            message,
            related: None,
        });
    }

    /// The scalar value a key node stands for (through an alias), unless it is `<<`.
    fn key_value(yaml: &Yaml, id: NodeId) -> Option<Str> {
        match &yaml.get(id)?.kind {
            NodeKind::Scalar { value, .. } if !yaml.is_merge_str(*value) => Some(*value),
            _ => None,
        }
    }

    /// Adds a finished node to the open collection (or makes it the document root).
    fn attach(&mut self, id: NodeId) {
        self.attach_node(id, None);
    }

    /// [`Builder::attach`]; `scalar` is the node's value and span when the caller just made a
    /// scalar (saves looking the node up again).
    #[inline]
    fn attach_node(&mut self, id: NodeId, scalar: Option<(Str, Span)>) {
        let Some(frame) = self.stack.last_mut() else {
            self.doc_root = Some(id);
            return;
        };
        let base = frame.base.min(self.items.len());
        let is_key = !frame.seq && (self.items.len() - base).is_multiple_of(2);
        self.items.push(id);
        if is_key {
            self.attach_key(id, scalar);
        }
    }

    /// [`Builder::attach_node`] for a mapping key: duplicate detection.
    #[inline(never)]
    fn attach_key(&mut self, id: NodeId, scalar: Option<(Str, Span)>) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let found = match scalar {
            Some((v, span)) if !self.yaml.is_merge_str(v) => Some((v, span)),
            Some(_) => None,
            None => Self::key_value(&self.yaml, id)
                .map(|v| (v, self.yaml.node(id).map(|n| n.span).unwrap_or_default())),
        };
        let Some((key, span)) = found else {
            if self.yaml.is_merge_key(id) {
                self.yaml.merge_keys = true;
            }
            return;
        };
        let yaml = &self.yaml;
        let kbase = frame.key_base.min(self.key_strs.len());
        let first = if let Some(map) = &mut frame.keys {
            Self::key_in_map(yaml, map, key, span)
        } else {
            let earlier = &self.key_strs[kbase..];
            let first = earlier
                .iter()
                .find(|(k, _)| yaml.same_str(*k, key))
                .map(|&(_, s)| s);
            if first.is_none() && earlier.len() + 1 >= SMALL_MAPPING {
                frame.keys = Some(Self::key_map(yaml, earlier, (key, span)));
            }
            first
        };
        if first.is_none() && frame.keys.is_none() {
            self.key_strs.push((key, span));
        }
        if let Some(first) = first {
            self.duplicate_key(key, span, first);
        }
    }

    /// A key of a mapping of many keys: the first one equal to it, else it is added.
    #[cold]
    fn key_in_map(
        yaml: &Yaml,
        map: &mut std::collections::HashMap<Box<str>, Span>,
        key: Str,
        span: Span,
    ) -> Option<Span> {
        let value = yaml.str(key);
        match map.get(value) {
            Some(&first) => Some(first),
            None => {
                map.insert(value.into(), span);
                None
            }
        }
    }

    /// Many keys: index them (the first of equal keys wins, as in the scan).
    #[cold]
    fn key_map(
        yaml: &Yaml,
        earlier: &[(Str, Span)],
        key: (Str, Span),
    ) -> std::collections::HashMap<Box<str>, Span> {
        let mut map = std::collections::HashMap::new();
        for &(k, s) in earlier.iter().chain([&key]) {
            map.entry(Box::<str>::from(yaml.str(k))).or_insert(s);
        }
        map
    }

    #[cold]
    fn duplicate_key(&mut self, key: Str, span: Span, first: Span) {
        let message = format!("duplicate key `{}`", self.yaml.str(key));
        self.yaml.errors.push(YamlError {
            kind: YamlErrorKind::DuplicateKey,
            span,
            message,
            related: Some(first),
        });
    }
}

/// Skips the node properties (`&anchor`, `!tag`) at the start of an event's span; returns
/// where the content starts and the anchor defined there.
fn properties(text: &str, s: usize, e: usize) -> (usize, Option<(Box<str>, Span)>) {
    let bytes = text.as_bytes();
    let mut pos = s;
    let mut anchor = None;
    while pos < e {
        match bytes.get(pos) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => pos += 1,
            Some(c @ (b'&' | b'!')) => {
                let c = *c;
                let start = pos;
                while pos < e
                    && !matches!(
                        bytes.get(pos),
                        None | Some(
                            b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'
                        )
                    )
                {
                    pos += 1;
                }
                if c == b'&' {
                    let name = text.get(start + 1..pos).unwrap_or("");
                    anchor = Some((name.into(), Span::new(start, pos)));
                }
            }
            _ => break,
        }
    }
    if !text.is_char_boundary(pos) {
        return (s, anchor);
    }
    (pos, anchor)
}

/// The end of a scalar's text: the closing quote of a quoted scalar (the parser's span may
/// run on over a comment), or the last non-blank byte of a plain or block scalar.
fn scalar_end(text: &str, start: usize, e: usize, style: PStyle) -> usize {
    let bytes = text.as_bytes();
    match style {
        PStyle::SingleQuoted | PStyle::DoubleQuoted => {
            let q = if style == PStyle::SingleQuoted {
                b'\''
            } else {
                b'"'
            };
            if bytes.get(start) != Some(&q) {
                return e;
            }
            let mut i = start + 1;
            while i < bytes.len() {
                let c = bytes[i];
                if q == b'"' && c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            e
        }
        _ => {
            let t = text.get(start..e.max(start)).unwrap_or("");
            start + t.trim_end().len()
        }
    }
}
