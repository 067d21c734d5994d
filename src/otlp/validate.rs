//! OTLP Profiles conformance rules.
//!
//! [`check`] applies the rules of profcheck (open-telemetry/sig-profiling `profcheck`, the
//! checker the OpenTelemetry profiling SIG points producers at) and, always on, the proto MUSTs
//! profcheck leaves out. Agreeing with profcheck matters more than being "right": a file pprotel
//! calls clean must be one profcheck calls clean, and the other way round. So profcheck's quirks
//! are kept and documented where they live; [`Rule::is_profcheck_rule`] separates its rules from
//! the extra ones so the two outputs can be compared.
//!
//! Where pprotel differs from profcheck on purpose:
//! - Nothing panics. profcheck panics on a missing dictionary or an empty mapping or link table;
//!   here a missing dictionary is [`Rule::MissingDictionary`] (then checked as if empty) and an
//!   empty table is [`Rule::ZeroEntry`].
//! - Paths use the real table position. profcheck numbers `mapping_table` and `link_table`
//!   entries from the slice that skips entry 0, so its messages are one lower than the index.
//! - Every violation is a separate item with a path made of proto field names (`samples`,
//!   `lines`), not profcheck's joined error text.
//!
//! Order: the document's, by field number. First `resource_profiles` (each resource, scope,
//! profile, sample in turn), then the dictionary tables in field order, then (when asked) the
//! orphans, which are a property of the whole document.

use std::collections::HashMap;

use super::common::{AnyValue, KeyValue, any_value};
use super::model::{
    Function, Link, Location, Mapping, Profile, ProfilesData, ProfilesDictionary, Sample, Stack,
    ValueType,
};
use crate::validate::{Path, Rule, Violation};

/// Which optional profcheck rule groups to apply.
///
/// The rules that are always on cover index ranges and the dictionary's zero entries; these
/// options add the stricter checks, each of which valid producers may fail for good reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Rule 13 (profcheck `-check-sample-shapes`): every sample has values or timestamps, values
    /// alone are exactly one, both have equal lengths, and all samples of a profile share a shape.
    pub sample_shapes: bool,
    /// Rule 14 (profcheck `-check-dupes`): no duplicate strings and no duplicate mappings.
    pub duplicates: bool,
    /// Rule 15 (profcheck `-check-orphans`): every dictionary entry is referenced.
    pub orphans: bool,
}

impl Default for CheckOptions {
    /// profcheck's command-line defaults: sample shapes on, duplicates and orphans off.
    fn default() -> Self {
        CheckOptions {
            sample_shapes: true,
            duplicates: false,
            orphans: false,
        }
    }
}

impl CheckOptions {
    /// Every optional rule on: what pprotel's own output must pass.
    pub fn all() -> Self {
        CheckOptions {
            sample_shapes: true,
            duplicates: true,
            orphans: true,
        }
    }
}

/// Every conformance violation of `data`, in document order; empty when it conforms.
///
/// Never panics, whatever `data` holds.
pub fn check(data: &ProfilesData, options: &CheckOptions) -> Vec<Violation> {
    let root = Path::ROOT;
    if data.resource_profiles.is_empty() {
        // profcheck returns at once here, before looking at the dictionary; so does pprotel, so
        // that the two agree on such documents.
        return vec![Violation::new(
            root.field("resource_profiles").render(),
            Rule::NoResourceProfiles,
            "no resource profiles",
        )];
    }
    let empty = ProfilesDictionary::default();
    let mut checker = Checker {
        dict: data.dictionary.as_ref().unwrap_or(&empty),
        options,
        out: Vec::new(),
    };
    checker.envelope(data);
    let dictionary = root.field("dictionary");
    if data.dictionary.is_none() {
        checker.push(
            &dictionary,
            Rule::MissingDictionary,
            "no dictionary: every index refers to an empty table",
        );
    }
    checker.dictionary(&dictionary);
    if options.orphans {
        checker.orphans(data, &dictionary);
    }
    checker.out
}

struct Checker<'d> {
    dict: &'d ProfilesDictionary,
    options: &'d CheckOptions,
    out: Vec<Violation>,
}

/// How a sample carries its observations (rule 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    ValuesOnly,
    TimestampsOnly,
    Both,
    Neither,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::ValuesOnly => "values only",
            Shape::TimestampsOnly => "timestamps only",
            Shape::Both => "values and timestamps",
            Shape::Neither => "neither values nor timestamps",
        }
    }
}

impl<'d> Checker<'d> {
    // ---------------------------------------------------------------- envelope and profiles

    fn envelope(&mut self, data: &ProfilesData) {
        let root = Path::ROOT;
        for (i, rp) in data.resource_profiles.iter().enumerate() {
            let rp_at = root.at("resource_profiles", i);
            if let Some(resource) = &rp.resource {
                let at = rp_at.field("resource");
                self.key_values(
                    &at,
                    "attributes",
                    &resource.attributes,
                    Rule::ResourceScopeStrindexOutOfRange,
                );
            }
            if rp.scope_profiles.is_empty() {
                self.push(
                    &rp_at.field("scope_profiles"),
                    Rule::NoScopeProfiles,
                    "resource profiles without scope profiles",
                );
            }
            for (j, sp) in rp.scope_profiles.iter().enumerate() {
                let sp_at = rp_at.at("scope_profiles", j);
                if let Some(scope) = &sp.scope {
                    let at = sp_at.field("scope");
                    self.key_values(
                        &at,
                        "attributes",
                        &scope.attributes,
                        Rule::ResourceScopeStrindexOutOfRange,
                    );
                }
                if sp.profiles.is_empty() {
                    self.push(
                        &sp_at.field("profiles"),
                        Rule::NoProfiles,
                        "scope profiles without profiles",
                    );
                }
                for (k, profile) in sp.profiles.iter().enumerate() {
                    self.profile(&sp_at.at("profiles", k), profile);
                }
            }
        }
    }

    fn profile(&mut self, at: &Path<'_>, profile: &Profile) {
        // 1: sample_type
        self.value_type(&at.field("sample_type"), profile.sample_type.as_ref());
        // 2: samples. The end of the time range wraps on overflow, as Go's uint64 addition in
        // profcheck does, so the two agree even on absurd durations.
        let start = profile.time_unix_nano;
        let end = start.wrapping_add(profile.duration_nano);
        let mut expected_shape = None;
        for (i, sample) in profile.samples.iter().enumerate() {
            self.sample(
                &at.at("samples", i),
                sample,
                start,
                end,
                &mut expected_shape,
            );
        }
        // 5: period_type
        self.value_type(&at.field("period_type"), profile.period_type.as_ref());
        // 7: profile_id: "16 bytes, all zeroes is invalid", and optional.
        let id = &profile.profile_id;
        if !id.is_empty() {
            if id.len() != 16 {
                self.push(
                    &at.field("profile_id"),
                    Rule::ProfileIdLength,
                    format!("profile_id has {} bytes; it must be empty or 16", id.len()),
                );
            } else if id.iter().all(|&b| b == 0) {
                self.push(
                    &at.field("profile_id"),
                    Rule::ProfileIdAllZero,
                    "profile_id is all zero, which is invalid; leave it empty instead",
                );
            }
        }
        // 9, 10: original_payload_format and original_payload are set together or not at all.
        match (
            profile.original_payload_format.is_empty(),
            profile.original_payload.is_empty(),
        ) {
            (false, true) => self.push(
                &at.field("original_payload"),
                Rule::OriginalPayloadPairing,
                format!(
                    "original_payload is empty but original_payload_format is {:?}",
                    profile.original_payload_format
                ),
            ),
            (true, false) => self.push(
                &at.field("original_payload_format"),
                Rule::OriginalPayloadPairing,
                format!(
                    "original_payload_format is empty but original_payload has {} bytes",
                    profile.original_payload.len()
                ),
            ),
            _ => {}
        }
        // 11: attribute_indices
        self.attribute_indices(at, &profile.attribute_indices);
    }

    fn value_type(&mut self, at: &Path<'_>, value_type: Option<&ValueType>) {
        // An absent ValueType reads as all zero, as in Go's nil-safe getters.
        let vt = value_type.copied().unwrap_or_default();
        self.strindex(&at.field("type_strindex"), vt.type_strindex);
        self.strindex(&at.field("unit_strindex"), vt.unit_strindex);
    }

    fn sample(
        &mut self,
        at: &Path<'_>,
        sample: &Sample,
        start: u64,
        end: u64,
        expected_shape: &mut Option<Shape>,
    ) {
        let dict = self.dict;
        self.index(
            &at.field("stack_index"),
            sample.stack_index,
            dict.stack_table.len(),
            "stack_table",
        );
        self.attribute_indices(at, &sample.attribute_indices);
        self.index(
            &at.field("link_index"),
            sample.link_index,
            dict.link_table.len(),
            "link_table",
        );
        if self.options.sample_shapes {
            self.sample_shape(at, sample, expected_shape);
        }
        for (i, &ts) in sample.timestamps_unix_nano.iter().enumerate() {
            // With duration 0 the range is empty and every timestamp fails, as in profcheck.
            if ts < start || ts >= end {
                self.push(
                    &at.at("timestamps_unix_nano", i),
                    Rule::TimestampOutOfRange,
                    format!("timestamp {ts} is outside the profile's time range [{start}, {end})"),
                );
            }
        }
    }

    fn sample_shape(&mut self, at: &Path<'_>, sample: &Sample, expected: &mut Option<Shape>) {
        let values = sample.values.len();
        let timestamps = sample.timestamps_unix_nano.len();
        let shape = match (values > 0, timestamps > 0) {
            (true, true) => {
                if values != timestamps {
                    self.push(
                        &at.field("values"),
                        Rule::SampleShape,
                        format!(
                            "{values} values but {timestamps} timestamps; they must pair up one to one"
                        ),
                    );
                }
                Shape::Both
            }
            (true, false) => {
                if values != 1 {
                    self.push(
                        &at.field("values"),
                        Rule::SampleShape,
                        format!("{values} values without timestamps; there must be exactly one"),
                    );
                }
                Shape::ValuesOnly
            }
            (false, true) => Shape::TimestampsOnly,
            (false, false) => {
                self.push(
                    at,
                    Rule::SampleShape,
                    "the sample has neither values nor timestamps",
                );
                Shape::Neither
            }
        };
        // The first sample sets the profile's shape, even when it is itself broken: profcheck
        // does the same, so a broken first sample makes every later sample disagree.
        match *expected {
            None => *expected = Some(shape),
            Some(first) if first != shape => self.push(
                at,
                Rule::SampleShape,
                format!(
                    "shape is {} but the profile's first sample has {}",
                    shape.name(),
                    first.name()
                ),
            ),
            Some(_) => {}
        }
    }

    /// Rule 12: every index in range, its key in range, no key string twice.
    fn attribute_indices(&mut self, parent: &Path<'_>, indices: &[i32]) {
        let dict = self.dict;
        let mut keys: HashMap<&str, usize> = HashMap::new();
        for (pos, &index) in indices.iter().enumerate() {
            let at = parent.at("attribute_indices", pos);
            let Some(attribute) = get(&dict.attribute_table, index) else {
                self.index(&at, index, dict.attribute_table.len(), "attribute_table");
                continue;
            };
            let Some(key) = get(&dict.string_table, attribute.key_strindex) else {
                self.push(
                    &at,
                    Rule::StrindexOutOfRange,
                    format!(
                        "the key of attribute_table[{index}] is string {}, out of range [0..{})",
                        attribute.key_strindex,
                        dict.string_table.len()
                    ),
                );
                continue;
            };
            match keys.get(key.as_str()) {
                Some(&earlier) => self.push(
                    &at,
                    Rule::DuplicateAttributeKey,
                    format!("key {key:?} already appears at attribute_indices[{earlier}]"),
                ),
                None => {
                    keys.insert(key, pos);
                }
            }
        }
    }

    /// Resource, scope and nested key-value lists: the profiles-only string-table forms
    /// (`key_strindex`, `string_value_strindex`) must point into the string table, and `key` and
    /// `key_strindex` exclude each other.
    fn key_values(&mut self, parent: &Path<'_>, field: &str, kvs: &[KeyValue], rule: Rule) {
        for (i, kv) in kvs.iter().enumerate() {
            let at = parent.at(field, i);
            // key_strindex 0 is the proto3 default: "not set".
            if kv.key_strindex != 0 {
                if !kv.key.is_empty() {
                    self.push(
                        &at,
                        Rule::ConflictingKeyForms,
                        format!(
                            "both key {:?} and key_strindex {} are set; use one",
                            kv.key, kv.key_strindex
                        ),
                    );
                }
                self.extra_strindex(&at.field("key_strindex"), kv.key_strindex, rule);
            }
            if let Some(value) = &kv.value {
                self.any_value(&at.field("value"), value, rule);
            }
        }
    }

    fn any_value(&mut self, at: &Path<'_>, value: &AnyValue, rule: Rule) {
        match &value.value {
            Some(any_value::Value::StringValueStrindex(index)) => {
                self.extra_strindex(&at.field("string_value_strindex"), *index, rule);
            }
            Some(any_value::Value::ArrayValue(array)) => {
                let array_at = at.field("array_value");
                for (i, v) in array.values.iter().enumerate() {
                    self.any_value(&array_at.at("values", i), v, rule);
                }
            }
            Some(any_value::Value::KvlistValue(list)) => {
                self.key_values(&at.field("kvlist_value"), "values", &list.values, rule);
            }
            _ => {}
        }
    }

    // ---------------------------------------------------------------- dictionary

    fn dictionary(&mut self, at: &Path<'_>) {
        let dict = self.dict;
        self.mapping_table(&at.field("mapping_table"), &dict.mapping_table);
        self.location_table(&at.field("location_table"), &dict.location_table);
        self.function_table(&at.field("function_table"), &dict.function_table);
        self.link_table(&at.field("link_table"), &dict.link_table);
        self.string_table(&at.field("string_table"), &dict.string_table);
        self.attribute_table(&at.field("attribute_table"), dict);
        self.stack_table(&at.field("stack_table"), &dict.stack_table);
    }

    /// Rules 4-10: the table is non-empty and `table[0]` is the zero value. Returns whether
    /// `table[0]` is the zero value.
    fn zero_entry<T: PartialEq + Default + std::fmt::Debug>(
        &mut self,
        at: &Path<'_>,
        table: &[T],
    ) -> bool {
        match table.first() {
            None => {
                self.push(
                    at,
                    Rule::ZeroEntry,
                    "empty table; entry 0 must be the zero value",
                );
                false
            }
            Some(first) if *first != T::default() => {
                self.push(
                    &at.index(0),
                    Rule::ZeroEntry,
                    format!("entry 0 must be the zero value, found {first:?}"),
                );
                false
            }
            Some(_) => true,
        }
    }

    fn mapping_table(&mut self, at: &Path<'_>, table: &[Mapping]) {
        self.zero_entry(at, table);
        // profcheck checks mappings from index 1 on only (entry 0 is covered by the zero check).
        let mut seen: HashMap<(i32, Vec<i32>, u64, u64, u64), usize> = HashMap::new();
        for (i, m) in table.iter().enumerate().skip(1) {
            let entry = at.index(i);
            if self.options.duplicates {
                // Identity as profcheck defines it: filename, attribute index multiset, range
                // and offset. A later copy is reported, the first is not.
                let mut attributes = m.attribute_indices.clone();
                attributes.sort_unstable();
                let key = (
                    m.filename_strindex,
                    attributes,
                    m.memory_start,
                    m.memory_limit,
                    m.file_offset,
                );
                if let Some(&first) = seen.get(&key) {
                    self.push(
                        &entry,
                        Rule::DuplicateMapping,
                        format!("duplicate of mapping_table[{first}]"),
                    );
                } else {
                    seen.insert(key, i);
                }
            }
            if !(m.memory_start == 0 && m.memory_limit == 0) && m.memory_start >= m.memory_limit {
                self.push(
                    &entry.field("memory_limit"),
                    Rule::MappingRange,
                    format!(
                        "memory_start {:#x}, memory_limit {:#x}: both must be zero or start < limit",
                        m.memory_start, m.memory_limit
                    ),
                );
            }
            self.strindex(&entry.field("filename_strindex"), m.filename_strindex);
            self.attribute_indices(&entry, &m.attribute_indices);
        }
    }

    fn location_table(&mut self, at: &Path<'_>, table: &[Location]) {
        self.zero_entry(at, table);
        let dict = self.dict;
        // Every entry, entry 0 included, as profcheck does.
        for (i, loc) in table.iter().enumerate() {
            let entry = at.index(i);
            self.index(
                &entry.field("mapping_index"),
                loc.mapping_index,
                dict.mapping_table.len(),
                "mapping_table",
            );
            for (j, line) in loc.lines.iter().enumerate() {
                let line_at = entry.at("lines", j);
                self.index(
                    &line_at.field("function_index"),
                    line.function_index,
                    dict.function_table.len(),
                    "function_table",
                );
                self.non_negative(&line_at.field("line"), line.line);
                self.non_negative(&line_at.field("column"), line.column);
            }
            self.attribute_indices(&entry, &loc.attribute_indices);
        }
    }

    fn function_table(&mut self, at: &Path<'_>, table: &[Function]) {
        self.zero_entry(at, table);
        for (i, f) in table.iter().enumerate() {
            let entry = at.index(i);
            // Proto MUST: "At least one of name_strindex, system_name_strindex,
            // filename_strindex MUST be present". Entry 0 is the zero value by definition.
            if i > 0
                && f.name_strindex == 0
                && f.system_name_strindex == 0
                && f.filename_strindex == 0
            {
                self.push(
                    &entry,
                    Rule::FunctionWithoutName,
                    "none of name_strindex, system_name_strindex and filename_strindex is set",
                );
            }
            self.strindex(&entry.field("name_strindex"), f.name_strindex);
            self.strindex(&entry.field("system_name_strindex"), f.system_name_strindex);
            self.strindex(&entry.field("filename_strindex"), f.filename_strindex);
            self.non_negative(&entry.field("start_line"), f.start_line);
        }
    }

    fn link_table(&mut self, at: &Path<'_>, table: &[Link]) {
        // `Link::default()` has EMPTY ids. The proto comment recommends 16/8 zero bytes for
        // link_table[0], but profcheck's proto.Equal counts a non-empty bytes field as set, so
        // only the empty form passes; pprotel agrees with profcheck.
        self.zero_entry(at, table);
        for (i, link) in table.iter().enumerate().skip(1) {
            let entry = at.index(i);
            if link.trace_id.len() != 16 {
                self.push(
                    &entry.field("trace_id"),
                    Rule::LinkIdLength,
                    format!(
                        "trace_id has {} bytes; it must have 16",
                        link.trace_id.len()
                    ),
                );
            }
            if link.span_id.len() != 8 {
                self.push(
                    &entry.field("span_id"),
                    Rule::LinkIdLength,
                    format!("span_id has {} bytes; it must have 8", link.span_id.len()),
                );
            }
        }
    }

    fn string_table(&mut self, at: &Path<'_>, table: &[String]) {
        match table.first() {
            None => {
                self.push(
                    at,
                    Rule::ZeroEntry,
                    "empty string table; entry 0 must be \"\"",
                );
                return;
            }
            Some(first) if !first.is_empty() => {
                self.push(
                    &at.index(0),
                    Rule::ZeroEntry,
                    format!("entry 0 must be \"\", found {first:?}"),
                );
                // profcheck stops here: no duplicate check on a table without its "" entry.
                return;
            }
            Some(_) => {}
        }
        if self.options.duplicates {
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(table.len());
            for (i, s) in table.iter().enumerate() {
                if let Some(&first) = seen.get(s.as_str()) {
                    self.push(
                        &at.index(i),
                        Rule::DuplicateString,
                        format!("{s:?} duplicates string_table[{first}]"),
                    );
                } else {
                    seen.insert(s, i);
                }
            }
        }
    }

    fn attribute_table(&mut self, at: &Path<'_>, dict: &ProfilesDictionary) {
        let table = &dict.attribute_table;
        match table.first() {
            None => self.push(
                at,
                Rule::ZeroEntry,
                "empty table; entry 0 must be the zero value",
            ),
            // profcheck's zero check looks at key, unit and whether a value is set; a present
            // AnyValue with no oneof set counts as no value.
            Some(first)
                if first.key_strindex != 0
                    || first.unit_strindex != 0
                    || first.value.as_ref().is_some_and(|v| v.value.is_some()) =>
            {
                self.push(
                    &at.index(0),
                    Rule::ZeroEntry,
                    format!("entry 0 must have no key, unit or value, found {first:?}"),
                )
            }
            Some(_) => {}
        }
        for (i, kvu) in table.iter().enumerate() {
            let entry = at.index(i);
            self.strindex(&entry.field("key_strindex"), kvu.key_strindex);
            if let Some(value) = &kvu.value {
                self.any_value(
                    &entry.field("value"),
                    value,
                    Rule::AttributeValueStrindexOutOfRange,
                );
            }
            self.strindex(&entry.field("unit_strindex"), kvu.unit_strindex);
        }
    }

    fn stack_table(&mut self, at: &Path<'_>, table: &[Stack]) {
        self.zero_entry(at, table);
        let locations = self.dict.location_table.len();
        for (i, stack) in table.iter().enumerate() {
            let entry = at.index(i);
            for (j, &index) in stack.location_indices.iter().enumerate() {
                self.index(
                    &entry.at("location_indices", j),
                    index,
                    locations,
                    "location_table",
                );
            }
        }
    }

    // ---------------------------------------------------------------- orphans

    /// Rule 15, with profcheck's reference counting kept exactly:
    ///
    /// - References are counted from every table entry, reachable or not: a stack nobody uses
    ///   still "references" its locations, and so on down. This is counting, not reachability.
    /// - QUIRK, kept on purpose: profcheck does not count `key_strindex` /
    ///   `string_value_strindex` in Resource and Scope attributes, nor `string_value_strindex`
    ///   inside attribute-table values. A string used only there is reported as an orphan,
    ///   although the document does use it. Agreement with profcheck is a requirement, so
    ///   pprotel reports it too; producers avoid the report by keeping such strings out of
    ///   `string_table` (plain `key` / `string_value`) or by also using them elsewhere.
    fn orphans(&mut self, data: &ProfilesData, at: &Path<'_>) {
        let dict = self.dict;
        let mut strings = Refs::new(dict.string_table.len());
        let mut attributes = Refs::new(dict.attribute_table.len());
        let mut mappings = Refs::new(dict.mapping_table.len());
        let mut functions = Refs::new(dict.function_table.len());
        let mut locations = Refs::new(dict.location_table.len());
        let mut stacks = Refs::new(dict.stack_table.len());
        let mut links = Refs::new(dict.link_table.len());

        for rp in &data.resource_profiles {
            for sp in &rp.scope_profiles {
                for profile in &sp.profiles {
                    for vt in [&profile.sample_type, &profile.period_type] {
                        let vt = vt.unwrap_or_default();
                        strings.mark(vt.type_strindex);
                        strings.mark(vt.unit_strindex);
                    }
                    attributes.mark_all(&profile.attribute_indices);
                    for sample in &profile.samples {
                        stacks.mark(sample.stack_index);
                        links.mark(sample.link_index);
                        attributes.mark_all(&sample.attribute_indices);
                    }
                }
            }
        }
        for stack in &dict.stack_table {
            locations.mark_all(&stack.location_indices);
        }
        for loc in &dict.location_table {
            mappings.mark(loc.mapping_index);
            attributes.mark_all(&loc.attribute_indices);
            for line in &loc.lines {
                functions.mark(line.function_index);
            }
        }
        for m in &dict.mapping_table {
            strings.mark(m.filename_strindex);
            attributes.mark_all(&m.attribute_indices);
        }
        for f in &dict.function_table {
            strings.mark(f.name_strindex);
            strings.mark(f.system_name_strindex);
            strings.mark(f.filename_strindex);
        }
        for kvu in &dict.attribute_table {
            strings.mark(kvu.key_strindex);
            strings.mark(kvu.unit_strindex);
        }

        for (table, refs) in [
            ("mapping_table", &mappings),
            ("location_table", &locations),
            ("function_table", &functions),
            ("link_table", &links),
            ("string_table", &strings),
            ("attribute_table", &attributes),
            ("stack_table", &stacks),
        ] {
            for i in refs.unreferenced() {
                self.push(
                    &at.at(table, i),
                    Rule::Orphan,
                    "entry is referenced by nothing",
                );
            }
        }
    }

    // ---------------------------------------------------------------- leaf checks

    /// Rule 11: a table index other than a string index.
    fn index(&mut self, at: &Path<'_>, index: i32, len: usize, table: &str) {
        if !in_range(index, len) {
            self.push(
                at,
                Rule::IndexOutOfRange,
                format!("index {index} is out of range of {table} [0..{len})"),
            );
        }
    }

    /// Rule 11 for the string indices profcheck checks.
    fn strindex(&mut self, at: &Path<'_>, index: i32) {
        let len = self.dict.string_table.len();
        if !in_range(index, len) {
            self.push(
                at,
                Rule::StrindexOutOfRange,
                format!("string index {index} is out of range of string_table [0..{len})"),
            );
        }
    }

    /// A string index profcheck does not check, reported under `rule`.
    fn extra_strindex(&mut self, at: &Path<'_>, index: i32, rule: Rule) {
        let len = self.dict.string_table.len();
        if !in_range(index, len) {
            self.push(
                at,
                rule,
                format!("string index {index} is out of range of string_table [0..{len})"),
            );
        }
    }

    fn non_negative(&mut self, at: &Path<'_>, n: i64) {
        if n < 0 {
            self.push(
                at,
                Rule::NegativeLine,
                format!("{n} is negative; 0 means unknown"),
            );
        }
    }

    fn push(&mut self, at: &Path<'_>, rule: Rule, message: impl Into<String>) {
        self.out.push(Violation::new(at.render(), rule, message));
    }
}

fn in_range(index: i32, len: usize) -> bool {
    usize::try_from(index).is_ok_and(|i| i < len)
}

fn get<T>(table: &[T], index: i32) -> Option<&T> {
    usize::try_from(index).ok().and_then(|i| table.get(i))
}

/// Which entries of one table something refers to; entry 0 always counts as referenced.
struct Refs(Vec<bool>);

impl Refs {
    fn new(len: usize) -> Self {
        let mut refs = vec![false; len];
        if let Some(first) = refs.first_mut() {
            *first = true;
        }
        Refs(refs)
    }

    /// Out-of-range indices are ignored here; rule 11 reports them.
    fn mark(&mut self, index: i32) {
        if let Some(slot) = usize::try_from(index).ok().and_then(|i| self.0.get_mut(i)) {
            *slot = true;
        }
    }

    fn mark_all(&mut self, indices: &[i32]) {
        for &i in indices {
            self.mark(i);
        }
    }

    fn unreferenced(&self) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, referenced)| !**referenced)
            .map(|(i, _)| i)
    }
}
