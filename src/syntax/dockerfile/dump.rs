//! BuildKit's AST dump (`Node.Dump()`), byte for byte: one line per instruction,
//! `(` + lowercased name, flags as `["--a" "--b"]`, each argument Go-quoted, `)`.

use super::ast::{Args, Dockerfile, Instruction};
use super::parser::{go_lower, unquote_flag};
use super::text::go_quote_into;

/// Invalid UTF-8 bytes are carried through the parser as these private-use characters
/// (U+10FF00 + byte) by [`decode_lossless`], so the dump can print them as Go does (`\xff`).
const RAW_BYTE_BASE: u32 = 0x10_FF00;

/// Decodes bytes as UTF-8, mapping each invalid byte to a private-use character that the dump
/// prints back as the byte. For `debug ast --format buildkit` only: spans then count those
/// characters as 4 bytes.
pub fn decode_lossless(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(char::from_u32(RAW_BYTE_BASE + b as u32).unwrap_or('\u{fffd}'));
        }
    }
    out
}

/// Turns the dump text back into bytes (raw bytes outside quotes, as BuildKit prints the
/// lowercased instruction name unquoted).
pub fn dump_bytes(dump: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(dump.len());
    let mut buf = [0u8; 4];
    for c in dump.chars() {
        let u = c as u32;
        if (RAW_BYTE_BASE..=RAW_BYTE_BASE + 0xff).contains(&u) {
            out.push((u - RAW_BYTE_BASE) as u8);
        } else {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

fn quote(out: &mut String, s: &str) {
    if s.chars().any(|c| c as u32 >= RAW_BYTE_BASE) {
        let bytes = dump_bytes(s);
        super::text::go_quote_bytes(out, &bytes);
    } else {
        go_quote_into(out, s);
    }
}

/// The whole dump, ending with a newline (as BuildKit's test files store it).
pub fn dump(df: &Dockerfile) -> String {
    let mut out = String::new();
    for instr in &df.instructions {
        out.push('(');
        dump_instruction(&mut out, instr, df.escape as u8);
        out.push_str(")\n");
    }
    out
}

/// One instruction without its surrounding parentheses.
pub fn dump_instruction(out: &mut String, instr: &Instruction, escape: u8) {
    let start = out.len();
    out.push_str(&go_lower(instr.name()));
    let flags = flag_values(instr, escape);
    if !flags.is_empty() {
        out.push_str(" [");
        for (i, f) in flags.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            quote(out, f);
        }
        out.push(']');
    }
    dump_args(out, instr, &instr.args, escape);
    // Go trims the node's string (both ends: an empty name leaves a leading space).
    let node = out.get(start..).unwrap_or("");
    let trimmed = node.trim_matches(char::is_whitespace);
    if trimmed.len() != node.len() {
        let trimmed = trimmed.to_string();
        out.truncate(start);
        out.push_str(&trimmed);
    }
}

/// The instruction's name as BuildKit's node keeps it (`Node.Value`): lowercased as Go does.
pub fn node_name(instr: &Instruction) -> String {
    go_lower(instr.name())
}

/// The instruction's flags as BuildKit's node keeps them (`Node.Flags`): each `--name=value`
/// word with its quotes removed, byte by byte.
pub fn flag_values(instr: &Instruction, escape: u8) -> Vec<String> {
    instr
        .flags
        .iter()
        .map(|f| {
            let raw = instr.logical.slice(f.logical).as_bytes();
            let (value, _) = unquote_flag(raw, escape);
            // BuildKit builds flag words byte by byte, each byte becoming one character.
            if value.is_ascii() {
                String::from_utf8_lossy(&value).into_owned()
            } else {
                value.iter().map(|&b| b as char).collect()
            }
        })
        .collect()
}

/// The values of BuildKit's `Node.Next` chain for arguments (what conftest's `Value` lists):
/// the text of a shell form, the words or JSON strings, three strings per ENV/LABEL pair (key,
/// value, and `=` or `""` for the legacy form), HEALTHCHECK's kind then its command. For ONBUILD,
/// those of the instruction it wraps.
pub fn arg_values(instr: &Instruction, args: &Args) -> Vec<String> {
    let mut out = Vec::new();
    push_values(&mut out, instr, args);
    out
}

fn push_values(out: &mut Vec<String>, instr: &Instruction, args: &Args) {
    match args {
        Args::Empty => {}
        Args::Text(t) => out.push(instr.text_of(t).to_string()),
        Args::Exec(words) | Args::Words(words) => {
            out.extend(words.iter().map(|w| w.value.clone()));
        }
        Args::Pairs(pairs) => {
            for p in pairs {
                out.push(p.key.value.clone());
                out.push(p.value.value.clone());
                out.push(if p.legacy { "" } else { "=" }.to_string());
            }
        }
        Args::Healthcheck { kind, cmd } => {
            out.push(kind.value.clone());
            push_values(out, instr, cmd);
        }
        Args::Onbuild(inner) => push_values(out, inner, &inner.args),
        Args::Unknown => out.push(String::new()),
    }
}

fn dump_args(out: &mut String, instr: &Instruction, args: &Args, escape: u8) {
    if let Args::Onbuild(inner) = args {
        out.push_str(" (");
        dump_instruction(out, inner, escape);
        out.push(')');
        return;
    }
    for v in arg_values(instr, args) {
        out.push(' ');
        quote(out, &v);
    }
}
