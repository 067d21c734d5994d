//! Binary encoding of OTLP `ProfilesData`, written by hand for speed; the bytes are exactly those
//! of prost's `encode_to_vec()` (tests/encoding.rs checks this over the corpus and on generated
//! data).
//!
//! prost computes a message's length before writing it, and computing a length walks all the
//! message's descendants: every sample, stack and line was measured once per enclosing message
//! and written byte by byte through `BufMut`. Here each message is written once, straight into
//! the output: a placeholder is left for its length, the body is written after it, and the length
//! is filled in afterwards. The placeholder is sized by a guess (one byte for the small messages
//! of the hot tables); when the real length needs another size the body is moved, which keeps
//! the varint minimal, as prost writes it.
//!
//! Field order and presence follow prost's generated code for `opentelemetry-proto` 0.33: fields
//! in tag order, proto3 scalars and strings omitted when zero or empty, optional messages written
//! when present (even when empty), packed repeated scalars omitted when empty. The rarely used
//! common types (`Resource`, `InstrumentationScope`, `AnyValue`) are written by prost itself.

use prost::Message;

use super::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;

/// Encodes `data`; identical to `data.encode_to_vec()`.
pub(crate) fn profiles_data(data: &ProfilesData) -> Vec<u8> {
    let mut buf = Vec::with_capacity(capacity_hint(data));
    for rp in &data.resource_profiles {
        nested(&mut buf, 1, 3, |buf| resource_profiles(buf, rp));
    }
    if let Some(dictionary) = &data.dictionary {
        nested(&mut buf, 2, 3, |buf| profiles_dictionary(buf, dictionary));
    }
    buf
}

/// A rough size of the output, so the buffer rarely has to grow: a few bytes per sample, stack
/// entry, location, line, function and string byte.
fn capacity_hint(data: &ProfilesData) -> usize {
    let samples: usize = data
        .resource_profiles
        .iter()
        .flat_map(|rp| &rp.scope_profiles)
        .flat_map(|sp| &sp.profiles)
        .map(|p| p.samples.len() * 10 + p.original_payload.len())
        .sum();
    let dictionary = data.dictionary.as_ref().map_or(0, |d| {
        d.stack_table.len() * 4
            + d.location_table.len() * 24
            + d.function_table.len() * 12
            + d.string_table.iter().map(|s| s.len() + 3).sum::<usize>()
            + d.attribute_table.len() * 16
            + d.mapping_table.len() * 40
    });
    samples + dictionary + 1024
}

/// Bytes of the minimal varint of `v`.
#[inline(always)]
fn varint_len(v: u64) -> usize {
    // 1 + floor(log2(v | 1) / 7)
    ((64 - (v | 1).leading_zeros() as usize) * 9 + 64) / 64
}

#[inline(always)]
fn varint(buf: &mut Vec<u8>, mut v: u64) {
    if v < 0x80 {
        buf.push(v as u8);
        return;
    }
    buf.reserve(10);
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

#[inline(always)]
fn key(buf: &mut Vec<u8>, tag: u32, wire_type: u8) {
    // Every tag here is below 16, so a key is one byte.
    debug_assert!(tag < 16);
    buf.push(((tag as u8) << 3) | wire_type);
}

/// A varint field, omitted when zero (proto3).
#[inline(always)]
fn uint64(buf: &mut Vec<u8>, tag: u32, v: u64) {
    if v != 0 {
        key(buf, tag, VARINT);
        varint(buf, v);
    }
}

/// An `int32` field: negative values are sign-extended to ten bytes, as protobuf requires.
#[inline(always)]
fn int32(buf: &mut Vec<u8>, tag: u32, v: i32) {
    uint64(buf, tag, v as i64 as u64);
}

#[inline(always)]
fn int64(buf: &mut Vec<u8>, tag: u32, v: i64) {
    uint64(buf, tag, v as u64);
}

/// A `string` or `bytes` field, omitted when empty (proto3).
#[inline(always)]
fn bytes(buf: &mut Vec<u8>, tag: u32, b: &[u8]) {
    if !b.is_empty() {
        bytes_always(buf, tag, b);
    }
}

/// An element of a repeated `string`/`bytes` field: written even when empty.
#[inline(always)]
fn bytes_always(buf: &mut Vec<u8>, tag: u32, b: &[u8]) {
    key(buf, tag, LEN);
    varint(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

/// A packed repeated `int32` field, omitted when empty.
#[inline(always)]
fn packed_int32(buf: &mut Vec<u8>, tag: u32, values: &[i32]) {
    if !values.is_empty() {
        nested(buf, tag, 1, |buf| {
            for &v in values {
                varint(buf, v as i64 as u64);
            }
        });
    }
}

/// A packed repeated `int64` field, omitted when empty.
#[inline(always)]
fn packed_int64(buf: &mut Vec<u8>, tag: u32, values: &[i64]) {
    if !values.is_empty() {
        nested(buf, tag, 1, |buf| {
            for &v in values {
                varint(buf, v as u64);
            }
        });
    }
}

/// A packed repeated `fixed64` field, omitted when empty.
fn packed_fixed64(buf: &mut Vec<u8>, tag: u32, values: &[u64]) {
    if !values.is_empty() {
        key(buf, tag, LEN);
        varint(buf, values.len() as u64 * 8);
        for &v in values {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A length-delimited field whose body `write` appends. `guess` bytes are reserved for the
/// length; if the length needs another number of bytes, the body is moved.
#[inline(always)]
fn nested(buf: &mut Vec<u8>, tag: u32, guess: usize, write: impl FnOnce(&mut Vec<u8>)) {
    key(buf, tag, LEN);
    let start = buf.len();
    if guess == 1 {
        buf.push(0);
        write(buf);
        let len = buf.len() - start - 1;
        if len < 0x80 {
            buf[start] = len as u8;
            return;
        }
    } else {
        buf.resize(start + guess, 0);
        write(buf);
    }
    let len = buf.len() - start - guess;
    let need = varint_len(len as u64);
    if need > guess {
        buf.resize(buf.len() + need - guess, 0);
        buf.copy_within(start + guess..start + guess + len, start + need);
    } else if need < guess {
        buf.copy_within(start + guess..start + guess + len, start + need);
        buf.truncate(start + need + len);
    }
    let mut v = len as u64;
    for b in &mut buf[start..start + need - 1] {
        *b = (v as u8) | 0x80;
        v >>= 7;
    }
    buf[start + need - 1] = v as u8;
}

/// A message field written by prost (for the rarely used common types).
fn prost_message(buf: &mut Vec<u8>, tag: u32, message: &impl Message) {
    nested(buf, tag, 1, |buf| message.encode_raw(buf));
}

fn resource_profiles(buf: &mut Vec<u8>, rp: &ResourceProfiles) {
    if let Some(resource) = &rp.resource {
        prost_message(buf, 1, resource);
    }
    for sp in &rp.scope_profiles {
        nested(buf, 2, 3, |buf| scope_profiles(buf, sp));
    }
    bytes(buf, 3, rp.schema_url.as_bytes());
}

fn scope_profiles(buf: &mut Vec<u8>, sp: &ScopeProfiles) {
    if let Some(scope) = &sp.scope {
        prost_message(buf, 1, scope);
    }
    for p in &sp.profiles {
        nested(buf, 2, 3, |buf| profile(buf, p));
    }
    bytes(buf, 3, sp.schema_url.as_bytes());
}

fn value_type(buf: &mut Vec<u8>, tag: u32, vt: &ValueType) {
    nested(buf, tag, 1, |buf| {
        int32(buf, 1, vt.type_strindex);
        int32(buf, 2, vt.unit_strindex);
    });
}

fn profile(buf: &mut Vec<u8>, p: &Profile) {
    if let Some(vt) = &p.sample_type {
        value_type(buf, 1, vt);
    }
    for s in &p.samples {
        nested(buf, 2, 1, |buf| sample(buf, s));
    }
    if p.time_unix_nano != 0 {
        key(buf, 3, FIXED64);
        buf.extend_from_slice(&p.time_unix_nano.to_le_bytes());
    }
    uint64(buf, 4, p.duration_nano);
    if let Some(vt) = &p.period_type {
        value_type(buf, 5, vt);
    }
    int64(buf, 6, p.period);
    bytes(buf, 7, &p.profile_id);
    uint64(buf, 8, u64::from(p.dropped_attributes_count));
    bytes(buf, 9, p.original_payload_format.as_bytes());
    bytes(buf, 10, &p.original_payload);
    packed_int32(buf, 11, &p.attribute_indices);
}

#[inline]
fn sample(buf: &mut Vec<u8>, s: &Sample) {
    int32(buf, 1, s.stack_index);
    packed_int32(buf, 2, &s.attribute_indices);
    int32(buf, 3, s.link_index);
    packed_int64(buf, 4, &s.values);
    packed_fixed64(buf, 5, &s.timestamps_unix_nano);
}

fn profiles_dictionary(buf: &mut Vec<u8>, d: &ProfilesDictionary) {
    for m in &d.mapping_table {
        nested(buf, 1, 1, |buf| mapping(buf, m));
    }
    for l in &d.location_table {
        nested(buf, 2, 1, |buf| location(buf, l));
    }
    for f in &d.function_table {
        nested(buf, 3, 1, |buf| function(buf, f));
    }
    for l in &d.link_table {
        nested(buf, 4, 1, |buf| link(buf, l));
    }
    for s in &d.string_table {
        bytes_always(buf, 5, s.as_bytes());
    }
    for a in &d.attribute_table {
        nested(buf, 6, 1, |buf| key_value_and_unit(buf, a));
    }
    for s in &d.stack_table {
        nested(buf, 7, 1, |buf| stack(buf, s));
    }
}

fn mapping(buf: &mut Vec<u8>, m: &Mapping) {
    uint64(buf, 1, m.memory_start);
    uint64(buf, 2, m.memory_limit);
    uint64(buf, 3, m.file_offset);
    int32(buf, 4, m.filename_strindex);
    packed_int32(buf, 5, &m.attribute_indices);
}

#[inline]
fn location(buf: &mut Vec<u8>, l: &Location) {
    int32(buf, 1, l.mapping_index);
    uint64(buf, 2, l.address);
    for line in &l.lines {
        nested(buf, 3, 1, |buf| self::line(buf, line));
    }
    packed_int32(buf, 4, &l.attribute_indices);
}

#[inline]
fn line(buf: &mut Vec<u8>, l: &Line) {
    int32(buf, 1, l.function_index);
    int64(buf, 2, l.line);
    int64(buf, 3, l.column);
}

#[inline]
fn function(buf: &mut Vec<u8>, f: &Function) {
    int32(buf, 1, f.name_strindex);
    int32(buf, 2, f.system_name_strindex);
    int32(buf, 3, f.filename_strindex);
    int64(buf, 4, f.start_line);
}

fn link(buf: &mut Vec<u8>, l: &Link) {
    bytes(buf, 1, &l.trace_id);
    bytes(buf, 2, &l.span_id);
}

fn key_value_and_unit(buf: &mut Vec<u8>, a: &KeyValueAndUnit) {
    int32(buf, 1, a.key_strindex);
    if let Some(value) = &a.value {
        prost_message(buf, 2, value);
    }
    int32(buf, 3, a.unit_strindex);
}

#[inline]
fn stack(buf: &mut Vec<u8>, s: &Stack) {
    packed_int32(buf, 1, &s.location_indices);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_len_matches_prost() {
        for shift in 0..64 {
            for v in [1u64 << shift, (1u64 << shift) - 1, (1u64 << shift) + 1] {
                assert_eq!(varint_len(v), prost::encoding::encoded_len_varint(v), "{v}");
            }
        }
        assert_eq!(varint_len(u64::MAX), 10);
    }

    #[test]
    fn lengths_at_varint_boundaries_are_minimal() {
        // Bodies of 127, 128, 16383 and 16384 bytes need one, two, two and three length bytes;
        // guesses that are too small and too large must both end minimal.
        for len in [0usize, 127, 128, 16383, 16384] {
            for guess in [1, 3] {
                let mut buf = vec![0xaa];
                nested(&mut buf, 1, guess, |buf| {
                    buf.extend(std::iter::repeat_n(7u8, len))
                });
                let mut expected = vec![0xaa, (1 << 3) | LEN];
                prost::encoding::encode_varint(len as u64, &mut expected);
                expected.extend(std::iter::repeat_n(7u8, len));
                assert_eq!(buf, expected, "len {len} guess {guess}");
            }
        }
    }
}
