//! Protobuf wire bytes straight to proto3 JSON, driven by the descriptors,
//! without building a `DynamicMessage` first: the answers of REST routes
//! (a page of fifty interlinkers is ~40 kB of nested messages) are written
//! in one pass over the bytes.
//!
//! It writes what prost-reflect's serializer writes with its default
//! options (lowerCamel names, defaults omitted, enums by name, 64-bit
//! integers as strings, bytes in base64, timestamps in RFC 3339). What it
//! does not handle — the other well-known types (`Any`, `Struct`, wrappers,
//! `Duration`, `FieldMask`), groups, malformed input — makes it give up,
//! and the caller falls back to prost-reflect, which either writes it or
//! reports the error. A test compares both on every kind of field.

use std::io::Write as _;

use base64::Engine as _;
use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};

/// The wire could not be written here; use the general path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported;

type Result<T> = std::result::Result<T, Unsupported>;

/// The JSON of the encoded `descriptor` message, or `None` when it needs
/// the general path.
#[cfg(test)]
pub(crate) fn message_json(descriptor: &MessageDescriptor, bytes: &[u8]) -> Option<Vec<u8>> {
    message_json_in(descriptor, bytes, &[])
}

/// As [`message_json`], each translatable text kept in the first of
/// `languages` it has (all of its languages when it has none of them, or
/// when `languages` is empty).
pub(crate) fn message_json_in(
    descriptor: &MessageDescriptor,
    bytes: &[u8],
    languages: &[String],
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() * 2 + 16);
    let keys: Vec<Vec<u8>> = languages
        .iter()
        .map(|l| {
            let mut key = Vec::new();
            let _ = write_json_str(&mut key, l);
            key
        })
        .collect();
    LANGUAGE_KEYS.with(|cell| *cell.borrow_mut() = keys);
    let written = write_message(descriptor, bytes, &mut out, 0);
    LANGUAGE_KEYS.with(|cell| cell.borrow_mut().clear());
    written.ok()?;
    Some(out)
}

thread_local! {
    /// The JSON keys (quoted language tags) a translatable text is cut down
    /// to while one answer is written (writing is synchronous).
    static LANGUAGE_KEYS: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The full name of the map of a translatable text's values.
pub(crate) const TRANSLATABLE_VALUES: &str = "interlink.common.v1.TranslatableText.values";

/// Nesting deeper than prost's decoder allows is left to the general path
/// (which refuses it).
const MAX_DEPTH: usize = 100;

/// The largest field number protobuf allows.
const MAX_FIELD_NUMBER: u32 = (1 << 29) - 1;

/// One value on the wire.
#[derive(Debug, Clone, Copy)]
enum Raw<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(&'a [u8]),
}

fn varint(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at).ok_or(Unsupported)?;
        *at += 1;
        // The tenth byte holds the 64th bit only.
        if shift == 63 && byte > 1 {
            return Err(Unsupported);
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err(Unsupported)
}

fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> Result<&'a [u8]> {
    let end = at.checked_add(n).ok_or(Unsupported)?;
    let slice = bytes.get(*at..end).ok_or(Unsupported)?;
    *at = end;
    Ok(slice)
}

/// The fields of a message in wire order: (number, value).
fn scan(bytes: &[u8]) -> Result<Vec<(u32, Raw<'_>)>> {
    let mut fields = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        let number = u32::try_from(key >> 3).map_err(|_| Unsupported)?;
        if number == 0 || number > MAX_FIELD_NUMBER {
            return Err(Unsupported);
        }
        let raw = match key & 7 {
            0 => Raw::Varint(varint(bytes, &mut at)?),
            1 => {
                let b = take(bytes, &mut at, 8)?;
                Raw::Fixed64(u64::from_le_bytes(b.try_into().map_err(|_| Unsupported)?))
            }
            2 => {
                let n = usize::try_from(varint(bytes, &mut at)?).map_err(|_| Unsupported)?;
                Raw::Bytes(take(bytes, &mut at, n)?)
            }
            5 => {
                let b = take(bytes, &mut at, 4)?;
                Raw::Fixed32(u32::from_le_bytes(b.try_into().map_err(|_| Unsupported)?))
            }
            // Groups (3, 4) and invalid wire types.
            _ => return Err(Unsupported),
        };
        fields.push((number, raw));
    }
    Ok(fields)
}

/// A decoded scalar.
#[derive(Debug, Clone)]
enum Scalar<'a> {
    Bool(bool),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Str(&'a str),
    Bytes(&'a [u8]),
    Enum(i32),
}

impl Scalar<'_> {
    fn is_default(&self) -> bool {
        match self {
            Scalar::Bool(v) => !v,
            Scalar::I32(v) | Scalar::Enum(v) => *v == 0,
            Scalar::U32(v) => *v == 0,
            Scalar::I64(v) => *v == 0,
            Scalar::U64(v) => *v == 0,
            Scalar::F32(v) => *v == 0.0,
            Scalar::F64(v) => *v == 0.0,
            Scalar::Str(v) => v.is_empty(),
            Scalar::Bytes(v) => v.is_empty(),
        }
    }
}

fn zigzag32(v: u64) -> i32 {
    let v = v as u32;
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

fn zigzag64(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Decodes one scalar of `kind` (not a message).
fn scalar<'a>(kind: &Kind, raw: Raw<'a>) -> Result<Scalar<'a>> {
    Ok(match (kind, raw) {
        (Kind::Bool, Raw::Varint(v)) => Scalar::Bool(v != 0),
        (Kind::Int32, Raw::Varint(v)) => Scalar::I32(v as i32),
        (Kind::Sint32, Raw::Varint(v)) => Scalar::I32(zigzag32(v)),
        (Kind::Uint32, Raw::Varint(v)) => Scalar::U32(v as u32),
        (Kind::Int64, Raw::Varint(v)) => Scalar::I64(v as i64),
        (Kind::Sint64, Raw::Varint(v)) => Scalar::I64(zigzag64(v)),
        (Kind::Uint64, Raw::Varint(v)) => Scalar::U64(v),
        (Kind::Enum(_), Raw::Varint(v)) => Scalar::Enum(v as i32),
        (Kind::Fixed32, Raw::Fixed32(v)) => Scalar::U32(v),
        (Kind::Sfixed32, Raw::Fixed32(v)) => Scalar::I32(v as i32),
        (Kind::Float, Raw::Fixed32(v)) => Scalar::F32(f32::from_bits(v)),
        (Kind::Fixed64, Raw::Fixed64(v)) => Scalar::U64(v),
        (Kind::Sfixed64, Raw::Fixed64(v)) => Scalar::I64(v as i64),
        (Kind::Double, Raw::Fixed64(v)) => Scalar::F64(f64::from_bits(v)),
        (Kind::String, Raw::Bytes(b)) => {
            Scalar::Str(std::str::from_utf8(b).map_err(|_| Unsupported)?)
        }
        (Kind::Bytes, Raw::Bytes(b)) => Scalar::Bytes(b),
        _ => return Err(Unsupported),
    })
}

/// The elements of a repeated scalar field's wire values (packed or not).
fn elements<'a>(kind: &Kind, raws: &[Raw<'a>]) -> Result<Vec<Scalar<'a>>> {
    let mut out = Vec::with_capacity(raws.len());
    for raw in raws {
        match (kind, raw) {
            (Kind::String | Kind::Bytes, _)
            | (_, Raw::Varint(_) | Raw::Fixed32(_) | Raw::Fixed64(_)) => {
                out.push(scalar(kind, *raw)?);
            }
            (_, Raw::Bytes(packed)) => {
                let mut at = 0;
                while at < packed.len() {
                    let raw = match kind {
                        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => {
                            let b = take(packed, &mut at, 8)?;
                            Raw::Fixed64(u64::from_le_bytes(b.try_into().map_err(|_| Unsupported)?))
                        }
                        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => {
                            let b = take(packed, &mut at, 4)?;
                            Raw::Fixed32(u32::from_le_bytes(b.try_into().map_err(|_| Unsupported)?))
                        }
                        _ => Raw::Varint(varint(packed, &mut at)?),
                    };
                    out.push(scalar(kind, raw)?);
                }
            }
        }
    }
    Ok(out)
}

fn write_json_str(out: &mut Vec<u8>, s: &str) -> Result<()> {
    serde_json::to_writer(&mut *out, s).map_err(|_| Unsupported)
}

fn write_scalar(out: &mut Vec<u8>, kind: &Kind, value: &Scalar<'_>) -> Result<()> {
    match value {
        // 64-bit integers are strings in JSON (beyond a double's precision).
        Scalar::Bool(_) | Scalar::I32(_) | Scalar::U32(_) => write_plain(out, value, false)?,
        Scalar::I64(_) | Scalar::U64(_) => write_plain(out, value, true)?,
        Scalar::F32(v) => {
            if v.is_finite() {
                serde_json::to_writer(&mut *out, v).map_err(|_| Unsupported)?;
            } else {
                out.extend_from_slice(non_finite(f64::from(*v)));
            }
        }
        Scalar::F64(v) => {
            if v.is_finite() {
                serde_json::to_writer(&mut *out, v).map_err(|_| Unsupported)?;
            } else {
                out.extend_from_slice(non_finite(*v));
            }
        }
        Scalar::Str(v) => write_json_str(out, v)?,
        Scalar::Bytes(v) => {
            out.push(b'"');
            out.extend_from_slice(
                base64::engine::general_purpose::STANDARD
                    .encode(v)
                    .as_bytes(),
            );
            out.push(b'"');
        }
        Scalar::Enum(number) => {
            let Kind::Enum(enumeration) = kind else {
                return Err(Unsupported);
            };
            if enumeration.full_name().starts_with("google.protobuf.") {
                // NullValue is `null`: the general path knows.
                return Err(Unsupported);
            }
            match enumeration.get_value(*number) {
                Some(value) => write_json_str(out, value.name())?,
                None => {
                    let _ = write!(out, "{number}");
                }
            }
        }
    }
    Ok(())
}

/// Writes a boolean's or an integer's text, in quotes when `quoted`.
fn write_plain(out: &mut Vec<u8>, value: &Scalar<'_>, quoted: bool) -> Result<()> {
    if quoted {
        out.push(b'"');
    }
    // serde_json writes integers without going through `fmt`.
    let written = match value {
        Scalar::Bool(v) => {
            out.extend_from_slice(if *v { b"true" } else { b"false" });
            Ok(())
        }
        Scalar::I32(v) => serde_json::to_writer(&mut *out, v),
        Scalar::U32(v) => serde_json::to_writer(&mut *out, v),
        Scalar::I64(v) => serde_json::to_writer(&mut *out, v),
        Scalar::U64(v) => serde_json::to_writer(&mut *out, v),
        _ => return Err(Unsupported),
    };
    written.map_err(|_| Unsupported)?;
    if quoted {
        out.push(b'"');
    }
    Ok(())
}

fn non_finite(v: f64) -> &'static [u8] {
    if v.is_nan() {
        b"\"NaN\""
    } else if v > 0.0 {
        b"\"Infinity\""
    } else {
        b"\"-Infinity\""
    }
}

/// The seconds of 0001-01-01T00:00:00Z and of 9999-12-31T23:59:59Z, the
/// range the JSON mapping allows.
const TIMESTAMP_SECONDS: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;

fn write_timestamp(bytes: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let mut timestamp = prost_types::Timestamp::default();
    for (number, raw) in scan(bytes)? {
        match (number, raw) {
            (1, Raw::Varint(v)) => timestamp.seconds = v as i64,
            (2, Raw::Varint(v)) => timestamp.nanos = v as i32,
            (1 | 2, _) => return Err(Unsupported),
            _ => {}
        }
    }
    if !TIMESTAMP_SECONDS.contains(&timestamp.seconds)
        || !(0..1_000_000_000).contains(&timestamp.nanos)
    {
        return Err(Unsupported);
    }
    let _ = write!(out, "\"{timestamp}\"");
    Ok(())
}

/// Writes the encoded `descriptor` message `bytes` as JSON.
fn write_message(
    descriptor: &MessageDescriptor,
    bytes: &[u8],
    out: &mut Vec<u8>,
    depth: usize,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Unsupported);
    }
    let name = descriptor.full_name();
    if name == "google.protobuf.Timestamp" {
        return write_timestamp(bytes, out);
    }
    if name.starts_with("google.protobuf.") && name != "google.protobuf.Empty" {
        return Err(Unsupported);
    }
    let mut fields = scan(bytes)?;
    if descriptor.oneofs().len() > 0 {
        drop_cleared_oneof_members(descriptor, &mut fields, depth)?;
    }
    // Grouped by number, wire order kept within a field (a stable sort).
    fields.sort_by_key(|(number, _)| *number);
    out.push(b'{');
    let mut first = true;
    let mut at = 0;
    while at < fields.len() {
        let number = fields[at].0;
        let end = at
            + fields[at..]
                .iter()
                .take_while(|(n, _)| *n == number)
                .count();
        let group = &fields[at..end];
        at = end;
        // Unknown fields are not part of the JSON.
        let Some(field) = descriptor.get_field(number) else {
            continue;
        };
        // Most fields occur once: no list for them.
        let one;
        let many: Vec<Raw<'_>>;
        let raws: &[Raw<'_>] = if let [(_, raw)] = group {
            one = [*raw];
            &one
        } else {
            many = group.iter().map(|(_, raw)| *raw).collect();
            &many
        };
        write_field(&field, raws, out, &mut first, depth)?;
    }
    out.push(b'}');
    Ok(())
}

/// Setting a oneof member clears the others: of a oneof's occurrences on
/// the wire, only the last member's after the last occurrence of another
/// member count. The cleared ones are checked (they must decode, as they
/// must for prost) and taken out of `fields`. Usually one member occurs,
/// and nothing is allocated.
fn drop_cleared_oneof_members(
    descriptor: &MessageDescriptor,
    fields: &mut Vec<(u32, Raw<'_>)>,
    depth: usize,
) -> Result<()> {
    for oneof in descriptor.oneofs().filter(|o| !o.is_synthetic()) {
        let is_member = |n: u32| oneof.fields().any(|f| f.number() == n);
        // The last occurrence of a member, and the last of another member.
        let Some(last) = fields.iter().rposition(|(n, _)| is_member(*n)) else {
            continue;
        };
        let winner = fields[last].0;
        let Some(cut) = fields[..last]
            .iter()
            .rposition(|(n, _)| *n != winner && is_member(*n))
        else {
            continue;
        };
        let mut cleared: Vec<(u32, Raw<'_>)> = Vec::new();
        let mut index = 0;
        fields.retain(|(n, raw)| {
            let keep = index > cut || !is_member(*n);
            if !keep {
                cleared.push((*n, *raw));
            }
            index += 1;
            keep
        });
        cleared.sort_by_key(|(n, _)| *n);
        for group in cleared.chunk_by(|a, b| a.0 == b.0) {
            if let Some(field) = descriptor.get_field(group[0].0) {
                let raws: Vec<Raw<'_>> = group.iter().map(|(_, raw)| *raw).collect();
                write_field(&field, &raws, &mut Vec::new(), &mut true, depth)?;
            }
        }
    }
    Ok(())
}

fn write_key(out: &mut Vec<u8>, field: &FieldDescriptor, first: &mut bool) -> Result<()> {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_json_str(out, field.json_name())?;
    out.push(b':');
    Ok(())
}

fn write_field(
    field: &FieldDescriptor,
    raws: &[Raw<'_>],
    out: &mut Vec<u8>,
    first: &mut bool,
    depth: usize,
) -> Result<()> {
    let kind = field.kind();
    if field.is_map() {
        return write_map(field, raws, out, first, depth);
    }
    if field.is_list() {
        if let Kind::Message(element) = &kind {
            write_key(out, field, first)?;
            out.push(b'[');
            for (i, raw) in raws.iter().enumerate() {
                let Raw::Bytes(bytes) = raw else {
                    return Err(Unsupported);
                };
                if i > 0 {
                    out.push(b',');
                }
                write_message(element, bytes, out, depth + 1)?;
            }
            out.push(b']');
            return Ok(());
        }
        let values = elements(&kind, raws)?;
        if values.is_empty() {
            return Ok(());
        }
        write_key(out, field, first)?;
        out.push(b'[');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_scalar(out, &kind, value)?;
        }
        out.push(b']');
        return Ok(());
    }
    if let Kind::Message(message) = &kind {
        // Occurrences of a singular message merge: their bytes concatenated.
        let mut merged = Vec::new();
        let bytes: &[u8] = if raws.len() == 1 {
            let Raw::Bytes(bytes) = raws[0] else {
                return Err(Unsupported);
            };
            bytes
        } else {
            for raw in raws {
                let Raw::Bytes(bytes) = raw else {
                    return Err(Unsupported);
                };
                merged.extend_from_slice(bytes);
            }
            &merged
        };
        write_key(out, field, first)?;
        return write_message(message, bytes, out, depth + 1);
    }
    // A singular scalar: the last occurrence wins. A packed encoding of a
    // singular field is not something the general path accepts either.
    let Some(raw) = raws.last() else {
        return Ok(());
    };
    // Every occurrence must decode, though the last one wins.
    for earlier in &raws[..raws.len() - 1] {
        scalar(&kind, *earlier)?;
    }
    let value = scalar(&kind, *raw)?;
    if value.is_default() && !field.supports_presence() {
        return Ok(());
    }
    write_key(out, field, first)?;
    write_scalar(out, &kind, &value)
}

fn write_map(
    field: &FieldDescriptor,
    raws: &[Raw<'_>],
    out: &mut Vec<u8>,
    first: &mut bool,
    depth: usize,
) -> Result<()> {
    let Kind::Message(entry) = field.kind() else {
        return Err(Unsupported);
    };
    let key_field = entry.map_entry_key_field();
    let value_field = entry.map_entry_value_field();
    let (key_kind, value_kind) = (key_field.kind(), value_field.kind());
    // (key JSON, value JSON); a later entry with the same key wins.
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(raws.len());
    for raw in raws {
        let Raw::Bytes(bytes) = raw else {
            return Err(Unsupported);
        };
        // Every occurrence must decode; the last one counts (a message
        // value's occurrences merge).
        let (mut key, mut value, mut value_parts) = (None, None, Vec::new());
        for (number, raw) in scan(bytes)? {
            match number {
                1 => key = Some(scalar(&key_kind, raw)?),
                2 if matches!(value_kind, Kind::Message(_)) => value_parts.push(raw),
                2 => value = Some(scalar(&value_kind, raw)?),
                _ => {}
            }
        }
        let mut key_json = Vec::new();
        let key_value = match key {
            Some(key) => key,
            None => default_scalar(&key_kind)?,
        };
        // JSON object keys are strings: an integer or boolean key is its
        // text, quoted.
        match key_value {
            Scalar::Str(s) => write_json_str(&mut key_json, s)?,
            other => write_plain(&mut key_json, &other, true)?,
        }
        let mut value_json = Vec::new();
        match &value_kind {
            Kind::Message(message) => {
                let mut merged = Vec::new();
                for raw in &value_parts {
                    let Raw::Bytes(bytes) = raw else {
                        return Err(Unsupported);
                    };
                    merged.extend_from_slice(bytes);
                }
                write_message(message, &merged, &mut value_json, depth + 1)?;
            }
            kind => {
                let scalar = match value {
                    Some(value) => value,
                    None => default_scalar(kind)?,
                };
                write_scalar(&mut value_json, kind, &scalar)?;
            }
        }
        match entries.iter_mut().find(|(k, _)| *k == key_json) {
            Some(slot) => slot.1 = value_json,
            None => entries.push((key_json, value_json)),
        }
    }
    if field.full_name() == TRANSLATABLE_VALUES {
        LANGUAGE_KEYS.with(|cell| {
            let wanted = cell.borrow();
            if let Some(kept) = wanted
                .iter()
                .find_map(|key| entries.iter().position(|(k, _)| k == key))
            {
                entries = vec![entries.swap_remove(kept)];
            }
        });
    }
    if entries.is_empty() {
        return Ok(());
    }
    write_key(out, field, first)?;
    out.push(b'{');
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(key);
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'}');
    Ok(())
}

fn default_scalar(kind: &Kind) -> Result<Scalar<'static>> {
    Ok(match kind {
        Kind::Bool => Scalar::Bool(false),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Scalar::I32(0),
        Kind::Uint32 | Kind::Fixed32 => Scalar::U32(0),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Scalar::I64(0),
        Kind::Uint64 | Kind::Fixed64 => Scalar::U64(0),
        Kind::Float => Scalar::F32(0.0),
        Kind::Double => Scalar::F64(0.0),
        Kind::String => Scalar::Str(""),
        Kind::Bytes => Scalar::Bytes(&[]),
        Kind::Enum(_) => Scalar::Enum(0),
        Kind::Message(_) => return Err(Unsupported),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use prost::Message as _;
    use prost_reflect::{DynamicMessage, MapKey, Value};

    fn pool() -> prost_reflect::DescriptorPool {
        crate::descriptor_pool().expect("descriptor pool")
    }

    /// A scalar of `kind`, different from its default, varied by `n`.
    fn sample(kind: &Kind, n: u32) -> Option<Value> {
        Some(match kind {
            Kind::Bool => Value::Bool(true),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(-7 - n as i32),
            Kind::Uint32 | Kind::Fixed32 => Value::U32(7 + n),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
                Value::I64(-9_007_199_254_740_993 - i64::from(n))
            }
            Kind::Uint64 | Kind::Fixed64 => Value::U64(18_446_744_073_709_551_000 + u64::from(n)),
            Kind::Float => Value::F32(1.5e-3 + n as f32),
            Kind::Double => Value::F64(0.1 + f64::from(n)),
            Kind::String => Value::String(format!("Zaragoza \"{n}\" ñ \u{1F600}\n")),
            Kind::Bytes => Value::Bytes(vec![0, 255, n as u8, 42].into()),
            Kind::Enum(e) => Value::EnumNumber(e.values().last().map_or(0, |v| v.number())),
            Kind::Message(_) => return None,
        })
    }

    /// A message of `descriptor` with every field set (lists and maps with
    /// two entries, messages two levels deep), except the well-known types
    /// only the general path writes.
    fn populated(descriptor: &MessageDescriptor, depth: usize) -> DynamicMessage {
        let mut message = DynamicMessage::new(descriptor.clone());
        if descriptor.full_name() == "google.protobuf.Timestamp" {
            message.set_field_by_name("seconds", Value::I64(1_795_737_600 + depth as i64));
            message.set_field_by_name("nanos", Value::I32(123_456_000));
            return message;
        }
        for field in descriptor.fields() {
            let kind = field.kind();
            let value = |n: u32| -> Option<Value> {
                match &kind {
                    Kind::Message(m)
                        if m.full_name().starts_with("google.protobuf.")
                            && m.full_name() != "google.protobuf.Timestamp"
                            && m.full_name() != "google.protobuf.Empty" =>
                    {
                        None
                    }
                    Kind::Message(_) if depth >= 2 => None,
                    Kind::Message(m) => Some(Value::Message(populated(m, depth + 1))),
                    other => sample(other, n),
                }
            };
            if field.is_map() {
                let Kind::Message(entry) = &kind else {
                    continue;
                };
                let (k, v) = (
                    entry.map_entry_key_field().kind(),
                    entry.map_entry_value_field().kind(),
                );
                let mut map = std::collections::HashMap::new();
                for n in 0..2 {
                    let key = match sample(&k, n) {
                        Some(Value::String(s)) => MapKey::String(format!("{s}{n}")),
                        Some(Value::I32(i)) => MapKey::I32(i),
                        Some(Value::I64(i)) => MapKey::I64(i),
                        Some(Value::U32(i)) => MapKey::U32(i),
                        Some(Value::U64(i)) => MapKey::U64(i),
                        Some(Value::Bool(_)) => MapKey::Bool(n == 0),
                        _ => continue,
                    };
                    let value = match &v {
                        Kind::Message(m)
                            if depth < 2 && !m.full_name().starts_with("google.protobuf.") =>
                        {
                            Value::Message(populated(m, depth + 1))
                        }
                        Kind::Message(_) => continue,
                        other => match sample(other, n) {
                            Some(value) => value,
                            None => continue,
                        },
                    };
                    map.insert(key, value);
                }
                if !map.is_empty() {
                    message.set_field(&field, Value::Map(map));
                }
            } else if field.is_list() {
                let values: Vec<Value> = (0..2).filter_map(value).collect();
                if !values.is_empty() {
                    message.set_field(&field, Value::List(values));
                }
            } else if let Some(v) = value(0) {
                message.set_field(&field, v);
            }
        }
        message
    }

    fn both(
        descriptor: &MessageDescriptor,
        bytes: &[u8],
    ) -> (Option<serde_json::Value>, Option<serde_json::Value>) {
        let fast = message_json(descriptor, bytes)
            .map(|j| serde_json::from_slice(&j).expect("fast JSON parses"));
        let general = crate::transcode::dynamic_response_json(descriptor, bytes)
            .ok()
            .map(|j| serde_json::from_slice(&j).expect("general JSON parses"));
        (fast, general)
    }

    /// Every message of the API, fully populated, and the same emptied:
    /// the same JSON as prost-reflect's, and most go the fast way.
    #[test]
    fn every_api_message_is_written_as_prost_reflect_writes_it() {
        let pool = pool();
        let (mut fast, mut total) = (0, 0);
        for descriptor in pool
            .all_messages()
            .filter(|m| m.full_name().starts_with("interlink."))
        {
            for message in [
                populated(&descriptor, 0),
                DynamicMessage::new(descriptor.clone()),
            ] {
                let bytes = message.encode_to_vec();
                let (quick, general) = both(&descriptor, &bytes);
                let general =
                    general.unwrap_or_else(|| panic!("{} encodes", descriptor.full_name()));
                total += 1;
                if let Some(quick) = quick {
                    assert_eq!(quick, general, "{}", descriptor.full_name());
                    fast += 1;
                }
            }
        }
        assert!(total > 300, "{total} messages");
        assert!(
            fast * 10 >= total * 9,
            "only {fast} of {total} went the fast way"
        );
    }

    #[test]
    fn translatable_texts_are_cut_to_the_first_asked_language_on_both_paths() {
        use interlink_proto::common::v1::TranslatableText;
        use prost::Message as _;
        let text = |pairs: &[(&str, &str)]| {
            Some(TranslatableText {
                values: pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            })
        };
        let item = interlink_proto::coproduction::v1::TreeItem {
            name: "tasks/t".into(),
            title: text(&[("en", "Listen"), ("es", "Escuchar"), ("it", "Ascoltare")]),
            description: text(&[("lv", "Klausīties")]),
            ..Default::default()
        };
        let bytes = item.encode_to_vec();
        let descriptor = pool()
            .get_message_by_name("interlink.coproduction.v1.TreeItem")
            .expect("TreeItem");
        let json = |languages: &[&str]| {
            let languages: Vec<String> = languages.iter().map(|l| (*l).to_owned()).collect();
            let fast = message_json_in(&descriptor, &bytes, &languages).expect("fast");
            let general =
                crate::transcode::dynamic_response_json_in(&descriptor, &bytes, &languages)
                    .expect("general");
            let fast: serde_json::Value = serde_json::from_slice(&fast).expect("JSON");
            let general: serde_json::Value = serde_json::from_slice(&general).expect("JSON");
            assert_eq!(fast, general, "{languages:?}");
            fast
        };
        let cut = json(&["es", "lv"]);
        assert_eq!(
            cut["title"]["values"],
            serde_json::json!({"es": "Escuchar"})
        );
        assert_eq!(
            cut["description"]["values"],
            serde_json::json!({"lv": "Klausīties"})
        );
        let none = json(&["fr"]);
        assert_eq!(
            none["title"]["values"].as_object().map(|m| m.len()),
            Some(3)
        );
        assert_eq!(json(&[]), none);
    }

    #[test]
    fn wire_oddities_are_read_as_prost_reflect_reads_them() {
        let pool = pool();
        let tree = pool
            .get_message_by_name("interlink.coproduction.v1.ProcessTree")
            .expect("ProcessTree");
        let one = populated(&tree, 0).encode_to_vec();
        let mut two = populated(&tree, 1).encode_to_vec();
        // Concatenated encodings merge: singular fields take the last,
        // messages merge, lists append.
        let mut merged = one.clone();
        merged.append(&mut two);
        // An unknown field (number 1000, varint) is skipped.
        merged.extend_from_slice(&[0xc0, 0x3e, 0x01]);
        let (quick, general) = both(&tree, &merged);
        assert_eq!(quick.expect("fast"), general.expect("general"));
        // A singular scalar encoded with its default value is omitted.
        let process = pool
            .get_message_by_name("interlink.coproduction.v1.Process")
            .expect("Process");
        // status = 0 (enum), title = "", public = false.
        let (quick, general) = both(&process, &[0x58, 0x00, 0x12, 0x00, 0x68, 0x00]);
        assert_eq!(quick.clone().expect("fast"), general.expect("general"));
        assert_eq!(quick, Some(serde_json::json!({})));
        // A oneof: software, then knowledge, then software again leaves
        // only the last software (setting a member clears the others, and
        // what came before).
        let interlinker = pool
            .get_message_by_name("interlink.catalogue.v1.Interlinker")
            .expect("Interlinker");
        let member = |name: &str, depth: usize| {
            let field = interlinker.get_field_by_name(name).expect("member");
            let Kind::Message(details) = field.kind() else {
                panic!("{name} is a message");
            };
            let mut message = DynamicMessage::new(interlinker.clone());
            message.set_field(&field, Value::Message(populated(&details, depth)));
            message.encode_to_vec()
        };
        let mut switching = member("software", 0);
        switching.extend(member("knowledge", 0));
        switching.extend(member("software", 1));
        let (quick, general) = both(&interlinker, &switching);
        assert_eq!(quick.expect("fast"), general.expect("general"));
        // An early occurrence that does not decode fails prost, so the fast
        // way gives up too: a string that is not UTF-8, then a good one.
        assert_eq!(
            message_json(&process, &[0x12, 0x01, 0xff, 0x12, 0x01, b'a']),
            None
        );
        // An 11-bit tenth varint byte is not a varint.
        assert_eq!(
            message_json(
                &process,
                &[
                    0x68, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02
                ]
            ),
            None
        );
        // Broken input is left to the general path.
        assert_eq!(message_json(&tree, &one[..one.len() - 1]), None);
        assert_eq!(message_json(&tree, &[0x0b]), None, "groups");
        // Not UTF-8 in a string field.
        assert_eq!(message_json(&process, &[0x12, 0x01, 0xff]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Damaged encodings: whenever the fast way writes something, the
        /// general way writes the same.
        #[test]
        fn damaged_encodings_agree_or_fall_back(
            message in 0usize..400,
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
            cut in any::<usize>(),
        ) {
            let pool = pool();
            let messages: Vec<MessageDescriptor> = pool
                .all_messages()
                .filter(|m| m.full_name().starts_with("interlink."))
                .collect();
            let descriptor = &messages[message % messages.len()];
            let mut bytes = populated(descriptor, 0).encode_to_vec();
            if bytes.is_empty() {
                return Ok(());
            }
            for (at, byte) in flips {
                let len = bytes.len();
                bytes[at % len] = byte;
            }
            bytes.truncate(bytes.len() - cut % (bytes.len().min(8)));
            let (quick, general) = both(descriptor, &bytes);
            if let Some(quick) = quick {
                prop_assert_eq!(Some(quick), general);
            }
        }
    }
}
