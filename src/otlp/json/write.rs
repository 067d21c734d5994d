//! JSON output: every message is written straight into one `Vec<u8>`, fields in field-number
//! order, so the bytes depend only on the model.

use super::Style;
use crate::otlp::common::{AnyValue, EntityRef, InstrumentationScope, KeyValue, any_value};
use crate::otlp::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use crate::otlp::resource::Resource;
use base64::Engine as _;

pub(super) fn profiles_data(data: &ProfilesData, style: Style) -> Vec<u8> {
    let mut out = Out {
        buf: Vec::with_capacity(4096),
        pretty: style == Style::Pretty,
        depth: 0,
        comma: false,
    };
    out.open(b'{');
    out.messages(
        "resourceProfiles",
        &data.resource_profiles,
        resource_profiles,
    );
    if let Some(dictionary) = &data.dictionary {
        out.key("dictionary");
        self::dictionary(&mut out, dictionary);
    }
    out.close(b'}');
    out.buf
}

fn dictionary(o: &mut Out, d: &ProfilesDictionary) {
    o.open(b'{');
    o.messages("mappingTable", &d.mapping_table, mapping);
    o.messages("locationTable", &d.location_table, location);
    o.messages("functionTable", &d.function_table, function);
    o.messages("linkTable", &d.link_table, link);
    o.strings("stringTable", &d.string_table);
    o.messages("attributeTable", &d.attribute_table, key_value_and_unit);
    o.messages("stackTable", &d.stack_table, stack);
    o.close(b'}');
}

fn resource_profiles(o: &mut Out, r: &ResourceProfiles) {
    o.open(b'{');
    if let Some(res) = &r.resource {
        o.key("resource");
        resource(o, res);
    }
    o.messages("scopeProfiles", &r.scope_profiles, scope_profiles);
    o.string("schemaUrl", &r.schema_url);
    o.close(b'}');
}

fn resource(o: &mut Out, r: &Resource) {
    o.open(b'{');
    o.messages("attributes", &r.attributes, key_value);
    o.u32("droppedAttributesCount", r.dropped_attributes_count);
    o.messages("entityRefs", &r.entity_refs, entity_ref);
    o.close(b'}');
}

fn entity_ref(o: &mut Out, e: &EntityRef) {
    o.open(b'{');
    o.string("schemaUrl", &e.schema_url);
    o.string("type", &e.r#type);
    o.strings("idKeys", &e.id_keys);
    o.strings("descriptionKeys", &e.description_keys);
    o.close(b'}');
}

fn scope_profiles(o: &mut Out, s: &ScopeProfiles) {
    o.open(b'{');
    if let Some(scope) = &s.scope {
        o.key("scope");
        instrumentation_scope(o, scope);
    }
    o.messages("profiles", &s.profiles, profile);
    o.string("schemaUrl", &s.schema_url);
    o.close(b'}');
}

fn instrumentation_scope(o: &mut Out, s: &InstrumentationScope) {
    o.open(b'{');
    o.string("name", &s.name);
    o.string("version", &s.version);
    o.messages("attributes", &s.attributes, key_value);
    o.u32("droppedAttributesCount", s.dropped_attributes_count);
    o.close(b'}');
}

fn profile(o: &mut Out, p: &Profile) {
    o.open(b'{');
    if let Some(t) = &p.sample_type {
        o.key("sampleType");
        value_type(o, t);
    }
    o.messages("samples", &p.samples, sample);
    o.u64("timeUnixNano", p.time_unix_nano);
    o.u64("durationNano", p.duration_nano);
    if let Some(t) = &p.period_type {
        o.key("periodType");
        value_type(o, t);
    }
    o.i64("period", p.period);
    o.hex("profileId", &p.profile_id);
    o.u32("droppedAttributesCount", p.dropped_attributes_count);
    o.string("originalPayloadFormat", &p.original_payload_format);
    o.base64("originalPayload", &p.original_payload);
    o.i32s("attributeIndices", &p.attribute_indices);
    o.close(b'}');
}

fn value_type(o: &mut Out, t: &ValueType) {
    o.open(b'{');
    o.i32("typeStrindex", t.type_strindex);
    o.i32("unitStrindex", t.unit_strindex);
    o.close(b'}');
}

fn sample(o: &mut Out, s: &Sample) {
    o.open(b'{');
    o.i32("stackIndex", s.stack_index);
    o.i32s("attributeIndices", &s.attribute_indices);
    o.i32("linkIndex", s.link_index);
    o.i64s("values", &s.values);
    o.u64s("timestampsUnixNano", &s.timestamps_unix_nano);
    o.close(b'}');
}

fn mapping(o: &mut Out, m: &Mapping) {
    o.open(b'{');
    o.u64("memoryStart", m.memory_start);
    o.u64("memoryLimit", m.memory_limit);
    o.u64("fileOffset", m.file_offset);
    o.i32("filenameStrindex", m.filename_strindex);
    o.i32s("attributeIndices", &m.attribute_indices);
    o.close(b'}');
}

fn location(o: &mut Out, l: &Location) {
    o.open(b'{');
    o.i32("mappingIndex", l.mapping_index);
    o.u64("address", l.address);
    o.messages("lines", &l.lines, line);
    o.i32s("attributeIndices", &l.attribute_indices);
    o.close(b'}');
}

fn line(o: &mut Out, l: &Line) {
    o.open(b'{');
    o.i32("functionIndex", l.function_index);
    o.i64("line", l.line);
    o.i64("column", l.column);
    o.close(b'}');
}

fn function(o: &mut Out, f: &Function) {
    o.open(b'{');
    o.i32("nameStrindex", f.name_strindex);
    o.i32("systemNameStrindex", f.system_name_strindex);
    o.i32("filenameStrindex", f.filename_strindex);
    o.i64("startLine", f.start_line);
    o.close(b'}');
}

fn link(o: &mut Out, l: &Link) {
    o.open(b'{');
    o.hex("traceId", &l.trace_id);
    o.hex("spanId", &l.span_id);
    o.close(b'}');
}

fn stack(o: &mut Out, s: &Stack) {
    o.open(b'{');
    o.i32s("locationIndices", &s.location_indices);
    o.close(b'}');
}

fn key_value_and_unit(o: &mut Out, a: &KeyValueAndUnit) {
    o.open(b'{');
    o.i32("keyStrindex", a.key_strindex);
    if let Some(v) = &a.value {
        o.key("value");
        any_value(o, v);
    }
    o.i32("unitStrindex", a.unit_strindex);
    o.close(b'}');
}

fn key_value(o: &mut Out, kv: &KeyValue) {
    o.open(b'{');
    o.string("key", &kv.key);
    if let Some(v) = &kv.value {
        o.key("value");
        any_value(o, v);
    }
    o.i32("keyStrindex", kv.key_strindex);
    o.close(b'}');
}

/// The set variant is always written, even when it holds a default: `{"stringValue": ""}` is
/// an empty string, `{}` is "no value", and the two must stay apart.
fn any_value(o: &mut Out, v: &AnyValue) {
    use any_value::Value;
    o.open(b'{');
    match &v.value {
        None => {}
        Some(Value::StringValue(s)) => {
            o.key("stringValue");
            o.quoted(s);
        }
        Some(Value::BoolValue(b)) => {
            o.key("boolValue");
            o.buf.extend_from_slice(if *b { b"true" } else { b"false" });
            o.comma = true;
        }
        Some(Value::IntValue(i)) => {
            o.key("intValue");
            o.quoted_i64(*i);
        }
        Some(Value::DoubleValue(d)) => {
            o.key("doubleValue");
            o.double(*d);
        }
        Some(Value::ArrayValue(a)) => {
            o.key("arrayValue");
            o.open(b'{');
            o.messages("values", &a.values, any_value);
            o.close(b'}');
        }
        Some(Value::KvlistValue(l)) => {
            o.key("kvlistValue");
            o.open(b'{');
            o.messages("values", &l.values, key_value);
            o.close(b'}');
        }
        Some(Value::BytesValue(b)) => {
            o.key("bytesValue");
            o.quoted_base64(b);
        }
        Some(Value::StringValueStrindex(i)) => {
            o.key("stringValueStrindex");
            o.number_i64(i64::from(*i));
            o.comma = true;
        }
    }
    o.close(b'}');
}

/// The output buffer and the layout state: how deep we are, and whether the current container
/// already holds a member (so the next one needs a comma).
struct Out {
    buf: Vec<u8>,
    pretty: bool,
    depth: usize,
    comma: bool,
}

impl Out {
    fn open(&mut self, bracket: u8) {
        self.buf.push(bracket);
        self.depth += 1;
        self.comma = false;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        // `comma` is false only when nothing was written since `open`: `{}` / `[]` stay flat.
        if self.comma && self.pretty {
            self.newline();
        }
        self.buf.push(bracket);
        self.comma = true;
    }

    fn newline(&mut self) {
        self.buf.push(b'\n');
        for _ in 0..self.depth {
            self.buf.extend_from_slice(b"  ");
        }
    }

    /// Starts a member of the current object or array.
    fn separate(&mut self) {
        if self.comma {
            self.buf.push(b',');
        }
        if self.pretty {
            self.newline();
        }
    }

    /// Keys are our own ASCII names, so they need no escaping.
    fn key(&mut self, name: &str) {
        self.separate();
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf
            .extend_from_slice(if self.pretty { b"\": " } else { b"\":" });
    }

    fn messages<T>(&mut self, name: &str, items: &[T], write: fn(&mut Out, &T)) {
        if items.is_empty() {
            return;
        }
        self.key(name);
        self.open(b'[');
        for item in items {
            self.separate();
            write(self, item);
        }
        self.close(b']');
    }

    fn strings(&mut self, name: &str, items: &[String]) {
        if items.is_empty() {
            return;
        }
        self.key(name);
        self.open(b'[');
        for item in items {
            self.separate();
            self.quoted(item);
        }
        self.close(b']');
    }

    fn string(&mut self, name: &str, value: &str) {
        if !value.is_empty() {
            self.key(name);
            self.quoted(value);
        }
    }

    fn i32(&mut self, name: &str, value: i32) {
        if value != 0 {
            self.key(name);
            self.number_i64(i64::from(value));
            self.comma = true;
        }
    }

    fn u32(&mut self, name: &str, value: u32) {
        if value != 0 {
            self.key(name);
            push_u64(&mut self.buf, u64::from(value));
            self.comma = true;
        }
    }

    fn i64(&mut self, name: &str, value: i64) {
        if value != 0 {
            self.key(name);
            self.quoted_i64(value);
        }
    }

    fn u64(&mut self, name: &str, value: u64) {
        if value != 0 {
            self.key(name);
            self.buf.push(b'"');
            push_u64(&mut self.buf, value);
            self.buf.push(b'"');
            self.comma = true;
        }
    }

    /// Number arrays stay on one line even in pretty output: a stack or a sample reads better
    /// as `[1, 2, 3]` than as one index per line.
    fn inline_list<T: Copy>(&mut self, name: &str, items: &[T], write: fn(&mut Vec<u8>, T)) {
        if items.is_empty() {
            return;
        }
        self.key(name);
        self.buf.push(b'[');
        for (i, &item) in items.iter().enumerate() {
            if i > 0 {
                self.buf
                    .extend_from_slice(if self.pretty { b", " } else { b"," });
            }
            write(&mut self.buf, item);
        }
        self.buf.push(b']');
        self.comma = true;
    }

    fn i32s(&mut self, name: &str, items: &[i32]) {
        self.inline_list(name, items, |buf, v| push_i64(buf, i64::from(v)));
    }

    fn i64s(&mut self, name: &str, items: &[i64]) {
        self.inline_list(name, items, |buf, v| {
            buf.push(b'"');
            push_i64(buf, v);
            buf.push(b'"');
        });
    }

    fn u64s(&mut self, name: &str, items: &[u64]) {
        self.inline_list(name, items, |buf, v| {
            buf.push(b'"');
            push_u64(buf, v);
            buf.push(b'"');
        });
    }

    fn hex(&mut self, name: &str, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.key(name);
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.buf.reserve(bytes.len() * 2 + 2);
        self.buf.push(b'"');
        for &b in bytes {
            self.buf.push(DIGITS[usize::from(b >> 4)]);
            self.buf.push(DIGITS[usize::from(b & 0xf)]);
        }
        self.buf.push(b'"');
        self.comma = true;
    }

    fn base64(&mut self, name: &str, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.key(name);
            self.quoted_base64(bytes);
        }
    }

    fn quoted_base64(&mut self, bytes: &[u8]) {
        self.buf.push(b'"');
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(b'"');
        self.comma = true;
    }

    fn quoted_i64(&mut self, value: i64) {
        self.buf.push(b'"');
        push_i64(&mut self.buf, value);
        self.buf.push(b'"');
        self.comma = true;
    }

    fn number_i64(&mut self, value: i64) {
        push_i64(&mut self.buf, value);
    }

    /// Finite doubles are JSON numbers in the shortest form that reads back to the same bits
    /// (Rust's `{:?}`: `0.1`, `1e300`, `-0.0`); the rest are the proto3 JSON strings.
    fn double(&mut self, value: f64) {
        if value.is_nan() {
            self.buf.extend_from_slice(b"\"NaN\"");
        } else if value == f64::INFINITY {
            self.buf.extend_from_slice(b"\"Infinity\"");
        } else if value == f64::NEG_INFINITY {
            self.buf.extend_from_slice(b"\"-Infinity\"");
        } else {
            self.buf.extend_from_slice(format!("{value:?}").as_bytes());
        }
        self.comma = true;
    }

    /// A JSON string: `"`, `\` and control characters escaped, everything else (valid UTF-8,
    /// since it comes from a `String`) copied as is.
    fn quoted(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.buf.reserve(bytes.len() + 2);
        self.buf.push(b'"');
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    b'0' + (b >> 4),
                    b"0123456789abcdef"[usize::from(b & 0xf)],
                ],
                _ => continue,
            };
            self.buf.extend_from_slice(&bytes[start..i]);
            self.buf.extend_from_slice(escape);
            start = i + 1;
        }
        self.buf.extend_from_slice(&bytes[start..]);
        self.buf.push(b'"');
        self.comma = true;
    }
}

fn push_u64(buf: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

fn push_i64(buf: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buf.push(b'-');
    }
    push_u64(buf, value.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(s: &str) -> String {
        let mut out = Out {
            buf: Vec::new(),
            pretty: false,
            depth: 0,
            comma: false,
        };
        out.quoted(s);
        String::from_utf8(out.buf).unwrap()
    }

    #[test]
    fn strings_escape_exactly_what_json_requires() {
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(quoted("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        assert_eq!(quoted("héllo ☃ 𝄞 /"), "\"héllo ☃ 𝄞 /\"");
    }

    #[test]
    fn integers_are_formatted_in_full_range() {
        for v in [0, 7, -7, 10, i64::MAX, i64::MIN] {
            let mut buf = Vec::new();
            push_i64(&mut buf, v);
            assert_eq!(String::from_utf8(buf).unwrap(), v.to_string());
        }
        let mut buf = Vec::new();
        push_u64(&mut buf, u64::MAX);
        assert_eq!(String::from_utf8(buf).unwrap(), u64::MAX.to_string());
    }

    #[test]
    fn doubles_use_json_numbers_or_proto3_names() {
        let text = |v: f64| {
            let mut out = Out {
                buf: Vec::new(),
                pretty: false,
                depth: 0,
                comma: false,
            };
            out.double(v);
            String::from_utf8(out.buf).unwrap()
        };
        assert_eq!(text(0.1), "0.1");
        assert_eq!(text(1.0), "1.0");
        assert_eq!(text(-0.0), "-0.0");
        assert_eq!(text(1e300), "1e300");
        assert_eq!(text(5e-324), "5e-324");
        assert_eq!(text(f64::NAN), "\"NaN\"");
        assert_eq!(text(f64::INFINITY), "\"Infinity\"");
        assert_eq!(text(f64::NEG_INFINITY), "\"-Infinity\"");
    }
}
