//! What the OTLP dump and the OTLP comparison share: strings and attribute values with every
//! index resolved, interned so that equal content gets one id on both sides of a comparison;
//! their text form; which dictionary entries samples reach; links, ids and payloads as text.
//!
//! Both go through this module, so a value reads the same in a `pprotel dump` and in a
//! difference report, and what one treats as equal the other writes identically: the `key`
//! and `key_strindex` forms of a key, the `string_value` and `string_value_strindex` forms of a
//! string, and key order in a kvlist are encoding.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

use super::correspond::to_u32;
use super::difference::quote;
use super::resolve::Str;
use crate::otlp::common::{AnyValue, KeyValue, any_value::Value};
use crate::otlp::model::{KeyValueAndUnit, ProfilesData, ProfilesDictionary};
use crate::otlp::semconv;

/// Hash maps keyed by interned content; foldhash for the same reason as the translator's
/// (hashing is most of the cost of interning).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An interned value: equal content, equal id, on both sides.
pub(crate) type ValId = u32;

/// A value's content with strings and nested values as ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ValKey {
    /// An `AnyValue` without a value (or an absent one).
    Empty,
    /// A string, from either form.
    Str(Str),
    /// A bool.
    Bool(bool),
    /// An int.
    Int(i64),
    /// A double, by its bits (so that `NaN` equals itself and `-0.0` differs from `0.0`).
    Double(u64),
    /// Bytes.
    Bytes(Box<[u8]>),
    /// An array, in order.
    Array(Box<[ValId]>),
    /// A kvlist, sorted by key bytes (stable): key order is not information.
    Kvlist(Box<[(Str, ValId)]>),
    /// The pprof labels a sample attribute becomes (the comparison's pprof view).
    Labels(Box<[LabelKey]>),
    /// What an attribute index outside the attribute table names.
    Missing(i32),
}

/// One pprof label of a [`ValKey::Labels`] value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct LabelKey {
    pub(crate) str: Str,
    pub(crate) num: i64,
    pub(crate) unit: Str,
}

/// A resolved attribute: key, value and unit (`""` where the form has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Attr {
    pub(crate) key: Str,
    pub(crate) value: ValId,
    pub(crate) unit: Str,
}

/// One payload's string table, as pool ids.
#[derive(Debug, Default)]
pub(crate) struct StringIds {
    ids: Vec<u32>,
}

impl StringIds {
    /// The string at index `i`, or the out-of-range marker.
    pub(crate) fn get(&self, i: i32) -> Str {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.ids.get(i))
            .map_or(Str::OutOfRange(i64::from(i)), |&id| Str::Id(id))
    }
}

/// Strings and values of one or two payloads, interned.
#[derive(Debug)]
pub(crate) struct Pool<'p> {
    texts: Vec<Cow<'p, str>>,
    text_ids: FastMap<Cow<'p, str>, u32>,
    values: Vec<ValKey>,
    value_ids: FastMap<ValKey, ValId>,
}

impl<'p> Pool<'p> {
    /// An empty pool; `""` is [`Str::EMPTY`].
    pub(crate) fn new() -> Self {
        let mut pool = Pool {
            texts: Vec::new(),
            text_ids: FastMap::default(),
            values: Vec::new(),
            value_ids: FastMap::default(),
        };
        pool.text(Cow::Borrowed(""));
        pool
    }

    /// The id of a string.
    pub(crate) fn text(&mut self, s: Cow<'p, str>) -> Str {
        Str::Id(self.text_id(s))
    }

    fn text_id(&mut self, s: Cow<'p, str>) -> u32 {
        if let Some(&id) = self.text_ids.get(s.as_ref()) {
            return id;
        }
        let id = to_u32(self.texts.len());
        self.texts.push(s.clone());
        self.text_ids.insert(s, id);
        id
    }

    /// The id of a borrowed string.
    pub(crate) fn str(&mut self, s: &'p str) -> Str {
        self.text(Cow::Borrowed(s))
    }

    /// Interns a payload's whole string table.
    pub(crate) fn strings(&mut self, table: &'p [String]) -> StringIds {
        self.text_ids.reserve(table.len());
        let ids = table
            .iter()
            .map(|s| self.text_id(Cow::Borrowed(s)))
            .collect();
        StringIds { ids }
    }

    /// The text of a string id; `None` for an out-of-range index.
    pub(crate) fn get(&self, s: Str) -> Option<&str> {
        match s {
            Str::Id(id) => self.texts.get(id as usize).map(|t| t.as_ref()),
            Str::OutOfRange(_) => None,
        }
    }

    /// True for `""`.
    pub(crate) fn is_empty(&self, s: Str) -> bool {
        s == Str::EMPTY
    }

    /// Orders strings by their bytes, out-of-range indices last (by index).
    pub(crate) fn cmp(&self, a: Str, b: Str) -> Ordering {
        match (self.get(a), self.get(b)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => match (a, b) {
                (Str::OutOfRange(x), Str::OutOfRange(y)) => x.cmp(&y),
                _ => Ordering::Equal,
            },
        }
    }

    /// The id of a value's content.
    pub(crate) fn intern(&mut self, key: ValKey) -> ValId {
        if let Some(&id) = self.value_ids.get(&key) {
            return id;
        }
        let id = to_u32(self.values.len());
        self.values.push(key.clone());
        self.value_ids.insert(key, id);
        id
    }

    /// The content of a value id.
    pub(crate) fn value_key(&self, v: ValId) -> &ValKey {
        &self.values[v as usize]
    }

    /// Resolves an attribute value, both string forms to the same id.
    pub(crate) fn value(&mut self, strings: &StringIds, v: Option<&'p AnyValue>) -> ValId {
        let key = match v.and_then(|v| v.value.as_ref()) {
            None => ValKey::Empty,
            Some(Value::StringValue(s)) => ValKey::Str(self.str(s)),
            Some(Value::StringValueStrindex(i)) => ValKey::Str(strings.get(*i)),
            Some(Value::BoolValue(b)) => ValKey::Bool(*b),
            Some(Value::IntValue(i)) => ValKey::Int(*i),
            Some(Value::DoubleValue(d)) => ValKey::Double(d.to_bits()),
            Some(Value::BytesValue(b)) => ValKey::Bytes(b.as_slice().into()),
            Some(Value::ArrayValue(array)) => ValKey::Array(
                array
                    .values
                    .iter()
                    .map(|e| self.value(strings, Some(e)))
                    .collect(),
            ),
            Some(Value::KvlistValue(list)) => {
                let mut entries: Vec<(Str, ValId)> = list
                    .values
                    .iter()
                    .map(|kv| {
                        (
                            self.key(strings, kv),
                            self.value(strings, kv.value.as_ref()),
                        )
                    })
                    .collect();
                entries.sort_by(|x, y| self.cmp(x.0, y.0));
                ValKey::Kvlist(entries.into())
            }
        };
        self.intern(key)
    }

    /// A `KeyValue`'s key in either form (`key`, or `key_strindex` when `key` is empty).
    pub(crate) fn key(&mut self, strings: &StringIds, kv: &'p KeyValue) -> Str {
        if kv.key.is_empty() && kv.key_strindex != 0 {
            strings.get(kv.key_strindex)
        } else {
            self.str(&kv.key)
        }
    }

    /// A resource or scope attribute (no unit).
    pub(crate) fn key_value(&mut self, strings: &StringIds, kv: &'p KeyValue) -> Attr {
        Attr {
            key: self.key(strings, kv),
            value: self.value(strings, kv.value.as_ref()),
            unit: Str::EMPTY,
        }
    }

    /// A dictionary attribute-table entry.
    pub(crate) fn table_attr(&mut self, strings: &StringIds, kvu: &'p KeyValueAndUnit) -> Attr {
        Attr {
            key: strings.get(kvu.key_strindex),
            value: self.value(strings, kvu.value.as_ref()),
            unit: strings.get(kvu.unit_strindex),
        }
    }

    /// Sorts attributes by key bytes, keeping the order of equal keys: the order a dump writes
    /// and a report names them in.
    pub(crate) fn sort_by_key(&self, attrs: &mut [Attr]) {
        attrs.sort_by(|x, y| self.cmp(x.key, y.key));
    }

    /// Reads the reference translator's `pprof.profile.comment.N` keys (in numeric N order,
    /// after the elements of `pprof.profile.comment`) as elements of one
    /// `pprof.profile.comment` string array, which a single string value becomes too: the
    /// forms say the same thing (docs/mapping.md). Keys of other forms are left alone.
    pub(crate) fn normalize_comments(&mut self, attrs: &mut Vec<Attr>) {
        let comment = self.str(semconv::COMMENT);
        let mut plain: Vec<ValId> = Vec::new();
        let mut indexed: Vec<(u64, ValId)> = Vec::new();
        let mut unit = None;
        let mut found = false;
        attrs.retain(|a| {
            if a.key == comment {
                found = true;
                unit.get_or_insert(a.unit);
                match &self.values[a.value as usize] {
                    ValKey::Array(elements) => plain.extend_from_slice(elements),
                    _ => plain.push(a.value),
                }
                return false;
            }
            let index = self
                .get(a.key)
                .and_then(|k| k.strip_prefix(semconv::COMMENT_INDEXED_PREFIX))
                .and_then(|n| n.parse::<u64>().ok());
            match index {
                Some(n) => {
                    found = true;
                    indexed.push((n, a.value));
                    false
                }
                None => true,
            }
        });
        if !found {
            return;
        }
        indexed.sort_by_key(|&(n, _)| n);
        plain.extend(indexed.into_iter().map(|(_, v)| v));
        let value = self.intern(ValKey::Array(plain.into()));
        attrs.push(Attr {
            key: comment,
            value,
            unit: unit.unwrap_or(Str::EMPTY),
        });
    }

    /// Writes a string quoted (invalid bytes cannot occur: OTLP strings are UTF-8), or the
    /// marker of an index outside the string table.
    pub(crate) fn write_str(&self, s: Str, out: &mut String) {
        match (self.get(s), s) {
            (Some(text), _) => out.push_str(&quote(text.as_bytes())),
            (None, Str::OutOfRange(i)) => {
                let _ = write!(out, "<string index {i} out of range>");
            }
            (None, Str::Id(id)) => {
                let _ = write!(out, "<string id {id} unknown>");
            }
        }
    }

    /// A string as [`Self::write_str`] writes it.
    pub(crate) fn render_str(&self, s: Str) -> String {
        let mut out = String::new();
        self.write_str(s, &mut out);
        out
    }

    /// Writes a value (docs/dump.md, "Values").
    pub(crate) fn write_value(&self, v: ValId, out: &mut String) {
        match self.value_key(v) {
            ValKey::Empty => out.push_str("<no value>"),
            ValKey::Missing(i) => {
                let _ = write!(out, "<attribute index {i} out of range>");
            }
            ValKey::Str(s) => self.write_str(*s, out),
            ValKey::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            ValKey::Int(i) => {
                let _ = write!(out, "{i}");
            }
            ValKey::Double(bits) => {
                let _ = write!(out, "{:?}", f64::from_bits(*bits));
            }
            ValKey::Bytes(bytes) => {
                out.push_str("bytes(");
                write_hex_bytes(bytes, out);
                out.push(')');
            }
            ValKey::Array(elements) => {
                out.push('[');
                for (n, &e) in elements.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    self.write_value(e, out);
                }
                out.push(']');
            }
            ValKey::Kvlist(entries) => {
                out.push('{');
                for (n, &(k, e)) in entries.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    self.write_str(k, out);
                    out.push_str(": ");
                    self.write_value(e, out);
                }
                out.push('}');
            }
            ValKey::Labels(labels) => match &labels[..] {
                [one] => self.write_label(one, out),
                _ => {
                    out.push('[');
                    for (n, l) in labels.iter().enumerate() {
                        if n > 0 {
                            out.push_str(", ");
                        }
                        self.write_label(l, out);
                    }
                    out.push(']');
                }
            },
        }
    }

    fn write_label(&self, l: &LabelKey, out: &mut String) {
        write_pprof_label(
            &self.render_str(l.str),
            self.is_empty(l.str),
            l.num,
            &self.render_str(l.unit),
            self.is_empty(l.unit),
            out,
        );
    }

    /// An attribute's value with its unit: `4096 unit "bytes"`.
    pub(crate) fn render_attr_value(&self, a: &Attr) -> String {
        let mut out = String::new();
        self.write_value(a.value, &mut out);
        if !self.is_empty(a.unit) {
            out.push_str(" unit ");
            self.write_str(a.unit, &mut out);
        }
        out
    }
}

/// Writes a pprof label's value part, the same for the pprof dump and the pprof view of OTLP
/// sample attributes: a string label as `"str"`, a numeric one as `42` (with ` unit "u"` when
/// it has a unit), a label with both as `"str" num 42 unit "u"`. `str` and `unit` come quoted
/// (or as markers); `str_empty` / `unit_empty` say whether they name `""`.
pub(crate) fn write_pprof_label(
    str: &str,
    str_empty: bool,
    num: i64,
    unit: &str,
    unit_empty: bool,
    out: &mut String,
) {
    let has_num = num != 0 || !unit_empty;
    if !str_empty || !has_num {
        out.push_str(str);
    }
    if has_num {
        if !str_empty {
            out.push_str(" num ");
        }
        let _ = write!(out, "{num}");
        if !unit_empty {
            out.push_str(" unit ");
            out.push_str(unit);
        }
    }
}

/// Lowercase hex of raw bytes, no prefix: how trace, span and profile ids are written.
pub(crate) fn write_hex_bytes(bytes: &[u8], out: &mut String) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

/// An id as lowercase hex, or `none` when empty.
pub(crate) fn render_id(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "none".to_owned();
    }
    let mut out = String::with_capacity(bytes.len() * 2);
    write_hex_bytes(bytes, &mut out);
    out
}

/// Dense ids for distinct keys, in first-seen order (deterministic), with the keys kept for
/// rendering.
#[derive(Debug)]
pub(crate) struct Interned<K> {
    keys: Vec<K>,
    ids: FastMap<K, u32>,
}

impl<K> Default for Interned<K> {
    fn default() -> Self {
        Interned {
            keys: Vec::new(),
            ids: FastMap::default(),
        }
    }
}

impl<K: Clone + Eq + std::hash::Hash> Interned<K> {
    /// The id of `key`, assigning the next one if it is new.
    pub(crate) fn intern(&mut self, key: K) -> u32 {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = to_u32(self.keys.len());
        self.keys.push(key.clone());
        self.ids.insert(key, id);
        id
    }

    /// The key of an id `intern` returned.
    pub(crate) fn get(&self, id: u32) -> &K {
        &self.keys[id as usize]
    }
}

/// The dictionary of a payload that has none: every reference then reads as out of range.
pub(crate) static EMPTY_DICTIONARY: LazyLock<ProfilesDictionary> =
    LazyLock::new(ProfilesDictionary::default);

/// Which dictionary entries some sample of some Profile reaches.
pub(crate) struct Reached {
    pub(crate) locations: Vec<bool>,
    pub(crate) mappings: Vec<bool>,
    pub(crate) functions: Vec<bool>,
}

impl Reached {
    /// Walks every sample's stack. Index 0 of `mapping_index` and `function_index` means
    /// "none" and reaches nothing; indices outside a table are skipped.
    pub(crate) fn new(d: &ProfilesData, dict: &ProfilesDictionary) -> Self {
        let mut stacks = vec![false; dict.stack_table.len()];
        for rp in &d.resource_profiles {
            for sp in &rp.scope_profiles {
                for profile in &sp.profiles {
                    for sample in &profile.samples {
                        if let Some(used) = usize::try_from(sample.stack_index)
                            .ok()
                            .and_then(|s| stacks.get_mut(s))
                        {
                            *used = true;
                        }
                    }
                }
            }
        }
        let mut locations = vec![false; dict.location_table.len()];
        for (stack, _) in dict.stack_table.iter().zip(&stacks).filter(|(_, u)| **u) {
            for &l in &stack.location_indices {
                if let Some(used) = usize::try_from(l).ok().and_then(|l| locations.get_mut(l)) {
                    *used = true;
                }
            }
        }
        let mut mappings = vec![false; dict.mapping_table.len()];
        let mut functions = vec![false; dict.function_table.len()];
        for (location, _) in dict
            .location_table
            .iter()
            .zip(&locations)
            .filter(|(_, u)| **u)
        {
            if location.mapping_index != 0
                && let Some(used) = usize::try_from(location.mapping_index)
                    .ok()
                    .and_then(|m| mappings.get_mut(m))
            {
                *used = true;
            }
            for line in &location.lines {
                if line.function_index != 0
                    && let Some(used) = usize::try_from(line.function_index)
                        .ok()
                        .and_then(|f| functions.get_mut(f))
                {
                    *used = true;
                }
            }
        }
        Reached {
            locations,
            mappings,
            functions,
        }
    }
}

/// `type "service" schema_url "" id_keys ["service.name"] description_keys []`.
pub(crate) fn render_entity_ref(er: &crate::otlp::common::EntityRef) -> String {
    let q = |t: &str| quote(t.as_bytes());
    let list = |keys: &[String]| {
        let quoted: Vec<String> = keys.iter().map(|k| q(k)).collect();
        format!("[{}]", quoted.join(", "))
    };
    format!(
        "type {} schema_url {} id_keys {} description_keys {}",
        q(&er.r#type),
        q(&er.schema_url),
        list(&er.id_keys),
        list(&er.description_keys)
    )
}

/// `format "pprof", 1234 bytes`, or `none`.
pub(crate) fn render_payload(format: &str, payload: &[u8]) -> String {
    if format.is_empty() && payload.is_empty() {
        return "none".to_owned();
    }
    format!(
        "format {}, {} bytes",
        quote(format.as_bytes()),
        payload.len()
    )
}

/// A sample's link: `trace_id … span_id …`, `none` for index 0 or an empty link, or the
/// out-of-range marker.
pub(crate) fn render_link(dict: &ProfilesDictionary, index: i32) -> String {
    if index == 0 {
        return "none".to_owned();
    }
    match usize::try_from(index)
        .ok()
        .and_then(|i| dict.link_table.get(i))
    {
        Some(link) if link.trace_id.is_empty() && link.span_id.is_empty() => "none".to_owned(),
        Some(link) => format!(
            "trace_id {} span_id {}",
            render_id(&link.trace_id),
            render_id(&link.span_id)
        ),
        None => format!("<link index {index} out of range>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otlp::common::{ArrayValue, KeyValueList};

    fn any(v: Value) -> AnyValue {
        AnyValue { value: Some(v) }
    }

    fn kv(key: &str, key_strindex: i32, v: Value) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(any(v)),
            key_strindex,
        }
    }

    #[test]
    fn values_render_by_kind_and_both_string_forms_are_one_value() {
        let table: Vec<String> = ["", "b", "text"].map(String::from).to_vec();
        let mut pool = Pool::new();
        let strings = pool.strings(&table);
        let list = any(Value::KvlistValue(KeyValueList {
            values: vec![
                kv("z", 0, Value::IntValue(1)),
                kv("", 1, Value::BoolValue(false)),
                kv("a", 0, Value::DoubleValue(1.0)),
            ],
        }));
        let array = any(Value::ArrayValue(ArrayValue {
            values: vec![
                any(Value::StringValueStrindex(2)),
                any(Value::BytesValue(vec![0x0a, 0xff])),
                AnyValue { value: None },
                any(Value::StringValueStrindex(9)),
                list,
            ],
        }));
        let id = pool.value(&strings, Some(&array));
        let mut out = String::new();
        pool.write_value(id, &mut out);
        assert_eq!(
            out,
            "[\"text\", bytes(0aff), <no value>, <string index 9 out of range>, \
             {\"a\": 1.0, \"b\": false, \"z\": 1}]"
        );
        let plain = any(Value::StringValue("text".into()));
        let strindex = any(Value::StringValueStrindex(2));
        assert_eq!(
            pool.value(&strings, Some(&plain)),
            pool.value(&strings, Some(&strindex))
        );
    }

    #[test]
    fn indexed_comment_keys_read_as_elements_of_the_comment_array() {
        let table: Vec<String> = [
            "",
            "pprof.profile.comment.10",
            "pprof.profile.comment.2",
            "pprof.profile.comment",
            "pprof.profile.comment.x",
            "c10",
            "c2",
            "first",
        ]
        .map(String::from)
        .to_vec();
        let mut pool = Pool::new();
        let strings = pool.strings(&table);
        let attr = |pool: &mut Pool<'_>, key: i32, value: i32| Attr {
            key: strings.get(key),
            value: pool.intern(ValKey::Str(strings.get(value))),
            unit: Str::EMPTY,
        };
        let mut attrs = vec![
            attr(&mut pool, 1, 5),
            attr(&mut pool, 4, 5),
            attr(&mut pool, 2, 6),
            attr(&mut pool, 3, 7),
        ];
        pool.normalize_comments(&mut attrs);
        pool.sort_by_key(&mut attrs);
        let rendered: Vec<String> = attrs
            .iter()
            .map(|a| format!("{} = {}", pool.render_str(a.key), pool.render_attr_value(a)))
            .collect();
        assert_eq!(
            rendered,
            [
                "\"pprof.profile.comment\" = [\"first\", \"c2\", \"c10\"]",
                "\"pprof.profile.comment.x\" = \"c10\"",
            ]
        );
    }
}
