//! pprof → OTLP Profiles.
//!
//! One ResourceProfiles, one ScopeProfiles, one OTLP `Profile` per pprof sample type, all
//! sharing one dictionary. Sample j of the pprof is sample j of every Profile (one value each);
//! samples are never merged or reordered, so values line up by position on the way back.
//! Tables keep pprof order (mapping/location/function i → index i+1, unreferenced entries
//! included); stacks are deduplicated, as they have no identity in pprof.

use std::mem::size_of;

use prost::Message;

use super::interner::{FastMap, Interner};
use super::labels::{InternedLabel, encode_group};
use super::{Budget, MappingError};
use crate::otlp::common::{AnyValue, ArrayValue, InstrumentationScope, KeyValue, any_value::Value};
use crate::otlp::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use crate::otlp::resource::Resource;
use crate::otlp::semconv;
use crate::pprof;

/// Choices for pprof → OTLP.
#[derive(Debug, Clone)]
pub struct ToOtlpOptions {
    /// The original pprof bytes, carried in `profiles[0].original_payload` (format `"pprof"`)
    /// for consumers that need a byte-exact copy.
    pub original_payload: Option<Vec<u8>>,
    /// Cap on the memory the samples produced may take ([`super::DEFAULT_MAX_MEMORY`] by
    /// default): a pprof sample becomes one OTLP sample per sample type, each carrying all its
    /// labels, so many types times many labels would multiply out.
    pub max_memory: u64,
}

impl Default for ToOtlpOptions {
    fn default() -> Self {
        ToOtlpOptions {
            original_payload: None,
            max_memory: super::DEFAULT_MAX_MEMORY,
        }
    }
}

/// Translates a pprof profile into OTLP `ProfilesData`.
pub fn pprof_to_otlp(
    src: &pprof::Profile,
    options: &ToOtlpOptions,
) -> Result<ProfilesData, MappingError> {
    Translator::new(src).run(options)
}

/// Maps pprof ids to OTLP table indices (position + 1). Most writers number ids 1..=n in table
/// order; that case needs no hash map.
enum IdIndex {
    Sequential(usize),
    Map(FastMap<u64, i32>),
}

impl IdIndex {
    fn build(
        ids: impl ExactSizeIterator<Item = u64> + Clone,
        table: &'static str,
    ) -> Result<Self, MappingError> {
        let n = ids.len();
        if ids.clone().enumerate().all(|(i, id)| id == i as u64 + 1) {
            return Ok(IdIndex::Sequential(n));
        }
        let mut map = FastMap::with_capacity_and_hasher(n, Default::default());
        for (i, id) in ids.enumerate() {
            if map.insert(id, i as i32 + 1).is_some() {
                return Err(MappingError::DuplicateId {
                    path: format!("{table}[{i}].id"),
                    table,
                    id,
                });
            }
        }
        Ok(IdIndex::Map(map))
    }

    /// The OTLP index of the entry with pprof id `id`. Id 0 is reserved in pprof and names no
    /// entry, even when one (invalidly) carries it: `roundtrip` resolves it the same way, so a
    /// sample frame with id 0 is refused rather than silently bound to that entry.
    fn get(&self, id: u64) -> Option<i32> {
        match self {
            IdIndex::Sequential(n) => (id >= 1 && id <= *n as u64).then_some(id as i32),
            IdIndex::Map(_) if id == 0 => None,
            IdIndex::Map(map) => map.get(&id).copied(),
        }
    }
}

/// Attribute table with content deduplication (key: the entry's protobuf encoding).
struct Attributes {
    entries: Vec<KeyValueAndUnit>,
    index: FastMap<Vec<u8>, i32>,
}

impl Attributes {
    fn new() -> Self {
        let mut index = FastMap::default();
        index.insert(Vec::new(), 0);
        Attributes {
            entries: vec![KeyValueAndUnit::default()],
            index,
        }
    }

    fn intern(&mut self, entry: KeyValueAndUnit) -> i32 {
        let key = entry.encode_to_vec();
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.entries.len() as i32;
        self.entries.push(entry);
        self.index.insert(key, i);
        i
    }
}

struct Translator<'a> {
    src: &'a pprof::Profile,
    strings: Interner<String>,
    /// pprof string index → OTLP string index, -1 until first use.
    string_map: Vec<i32>,
    attributes: Attributes,
}

fn any(value: Value) -> Option<AnyValue> {
    Some(AnyValue { value: Some(value) })
}

impl<'a> Translator<'a> {
    fn new(src: &'a pprof::Profile) -> Self {
        Translator {
            src,
            // At most every pprof string, plus the attribute keys.
            strings: Interner::with_zero_and_capacity(String::new(), src.string_table.len() + 16),
            string_map: vec![-1; src.string_table.len()],
            attributes: Attributes::new(),
        }
    }

    /// pprof string `index` as text, checking range and UTF-8. Not interned: strings that
    /// travel as attribute values (label values, build ids, comments) are written out in the
    /// attribute, and interning them too would leave unreferenced strings in the table.
    fn text(&self, index: i64, path: impl FnOnce() -> String) -> Result<&'a str, MappingError> {
        let table = &self.src.string_table;
        let Some(bytes) = usize::try_from(index).ok().and_then(|i| table.get(i)) else {
            return Err(MappingError::IndexOutOfRange {
                path: path(),
                index,
                len: table.len(),
            });
        };
        std::str::from_utf8(bytes).map_err(|_| MappingError::InvalidUtf8 {
            path: path(),
            index,
            preview: bytes.escape_ascii().to_string(),
        })
    }

    /// The OTLP string index of pprof string `index` (for `*_strindex` fields), interned on
    /// first use.
    fn string(&mut self, index: i64, path: impl FnOnce() -> String) -> Result<i32, MappingError> {
        if let Some(&j) = usize::try_from(index)
            .ok()
            .and_then(|i| self.string_map.get(i))
            && j >= 0
        {
            return Ok(j);
        }
        let text = self.text(index, path)?;
        let j = self.strings.intern_ref(text) as i32;
        self.string_map[index as usize] = j;
        Ok(j)
    }

    fn attribute(&mut self, key: &str, value: Value, unit: i32) -> i32 {
        let key_strindex = self.strings.intern_ref(key) as i32;
        self.attributes.intern(KeyValueAndUnit {
            key_strindex,
            value: any(value),
            unit_strindex: unit,
        })
    }

    fn run(mut self, options: &ToOtlpOptions) -> Result<ProfilesData, MappingError> {
        let src = self.src;
        let mapping_ids = IdIndex::build(src.mapping.iter().map(|m| m.id), "mapping")?;
        let function_ids = IdIndex::build(src.function.iter().map(|f| f.id), "function")?;
        let location_ids = IdIndex::build(src.location.iter().map(|l| l.id), "location")?;

        let mut mapping_table = Vec::with_capacity(src.mapping.len() + 1);
        mapping_table.push(Mapping::default());
        for (i, m) in src.mapping.iter().enumerate() {
            mapping_table.push(self.mapping(i, m)?);
        }
        let mut function_table = Vec::with_capacity(src.function.len() + 1);
        function_table.push(Function::default());
        for (i, f) in src.function.iter().enumerate() {
            function_table.push(Function {
                name_strindex: self.string(f.name, || format!("function[{i}].name"))?,
                system_name_strindex: self
                    .string(f.system_name, || format!("function[{i}].system_name"))?,
                filename_strindex: self.string(f.filename, || format!("function[{i}].filename"))?,
                start_line: f.start_line,
            });
        }
        let mut location_table = Vec::with_capacity(src.location.len() + 1);
        location_table.push(Location::default());
        for (i, l) in src.location.iter().enumerate() {
            location_table.push(self.location(i, l, &mapping_ids, &function_ids)?);
        }

        let order = sample_type_order(src.sample_type.len());
        let mut profiles = self.profiles(&order)?;
        let budget = Budget::new(options.max_memory);
        let stack_table = self.samples(&order, &location_ids, &mut profiles, &budget)?;
        let profile_attributes = self.profile_attributes()?;
        for profile in &mut profiles {
            profile.attribute_indices = profile_attributes.clone();
        }
        if let (Some(payload), Some(first)) = (&options.original_payload, profiles.first_mut()) {
            first.original_payload_format = "pprof".into();
            first.original_payload = payload.clone();
        }
        let scope_attributes = self.scope_attributes(&order)?;

        Ok(ProfilesData {
            resource_profiles: vec![ResourceProfiles {
                resource: Some(Resource::default()),
                scope_profiles: vec![ScopeProfiles {
                    scope: Some(InstrumentationScope {
                        name: semconv::SCOPE_NAME.into(),
                        version: env!("CARGO_PKG_VERSION").into(),
                        attributes: scope_attributes,
                        dropped_attributes_count: 0,
                    }),
                    profiles,
                    schema_url: semconv::SCHEMA_URL.into(),
                }],
                schema_url: semconv::SCHEMA_URL.into(),
            }],
            dictionary: Some(ProfilesDictionary {
                mapping_table,
                location_table,
                function_table,
                link_table: vec![Link::default()],
                string_table: self.strings.into_values(),
                attribute_table: self.attributes.entries,
                stack_table,
            }),
        })
    }

    fn mapping(&mut self, i: usize, m: &pprof::Mapping) -> Result<Mapping, MappingError> {
        let filename_strindex = self.string(m.filename, || format!("mapping[{i}].filename"))?;
        let build_id = self
            .text(m.build_id, || format!("mapping[{i}].build_id"))?
            .to_owned();
        // Always written, even empty: the semantic conventions want a build id on every
        // mapping, and the reference translator does the same.
        let mut attribute_indices =
            vec![self.attribute(semconv::BUILD_ID_GNU, Value::StringValue(build_id), 0)];
        for (flag, key) in [
            (m.has_functions, semconv::HAS_FUNCTIONS),
            (m.has_filenames, semconv::HAS_FILENAMES),
            (m.has_line_numbers, semconv::HAS_LINE_NUMBERS),
            (m.has_inline_frames, semconv::HAS_INLINE_FRAMES),
        ] {
            if flag {
                attribute_indices.push(self.attribute(key, Value::BoolValue(true), 0));
            }
        }
        let (mut memory_start, mut memory_limit) = (m.memory_start, m.memory_limit);
        let conformant = (memory_start == 0 && memory_limit == 0) || memory_start < memory_limit;
        if !conformant {
            // OTLP conformance forbids an empty or inverted range; pprof allows it. Keep the
            // pprof values in attributes and write the "unknown range" 0..0.
            attribute_indices.push(self.attribute(
                semconv::MAPPING_MEMORY_START,
                Value::IntValue(memory_start as i64),
                0,
            ));
            attribute_indices.push(self.attribute(
                semconv::MAPPING_MEMORY_LIMIT,
                Value::IntValue(memory_limit as i64),
                0,
            ));
            (memory_start, memory_limit) = (0, 0);
        }
        Ok(Mapping {
            memory_start,
            memory_limit,
            file_offset: m.file_offset,
            filename_strindex,
            attribute_indices,
        })
    }

    fn location(
        &mut self,
        i: usize,
        l: &pprof::Location,
        mapping_ids: &IdIndex,
        function_ids: &IdIndex,
    ) -> Result<Location, MappingError> {
        let mapping_index = match l.mapping_id {
            0 => 0,
            id => mapping_ids.get(id).ok_or_else(|| MappingError::UnknownId {
                path: format!("location[{i}].mapping_id"),
                table: "mapping",
                id,
            })?,
        };
        // A plain loop: collecting into `Result<Vec<_>, _>` cannot size the vector up front.
        let mut lines = Vec::with_capacity(l.line.len());
        for (j, line) in l.line.iter().enumerate() {
            let function_index = match line.function_id {
                0 => 0,
                id => function_ids
                    .get(id)
                    .ok_or_else(|| MappingError::UnknownId {
                        path: format!("location[{i}].line[{j}].function_id"),
                        table: "function",
                        id,
                    })?,
            };
            lines.push(Line {
                function_index,
                line: line.line,
                column: line.column,
            });
        }
        let attribute_indices = if l.is_folded {
            vec![self.attribute(semconv::IS_FOLDED, Value::BoolValue(true), 0)]
        } else {
            Vec::new()
        };
        Ok(Location {
            mapping_index,
            address: l.address,
            lines,
            attribute_indices,
        })
    }

    /// One empty Profile per sample type, in OTLP order. A pprof with no sample types (and so no
    /// samples) still needs one Profile: OTLP requires every scope to hold at least one.
    fn profiles(&mut self, order: &[usize]) -> Result<Vec<Profile>, MappingError> {
        let src = self.src;
        if src.sample_type.is_empty() && !src.sample.is_empty() {
            return Err(MappingError::SamplesWithoutTypes {
                samples: src.sample.len(),
            });
        }
        let period_type = match &src.period_type {
            Some(vt) => Some(ValueType {
                type_strindex: self.string(vt.r#type, || "period_type.type".into())?,
                unit_strindex: self.string(vt.unit, || "period_type.unit".into())?,
            }),
            None => None,
        };
        let template = Profile {
            // Bit-casts: pprof times are int64, OTLP's unsigned; `as` is reversible.
            time_unix_nano: src.time_nanos as u64,
            duration_nano: src.duration_nanos as u64,
            period_type,
            period: src.period,
            samples: Vec::with_capacity(src.sample.len()),
            ..Profile::default()
        };
        if order.is_empty() {
            return Ok(vec![template]);
        }
        order
            .iter()
            .map(|&t| {
                let vt = src.sample_type[t];
                Ok(Profile {
                    sample_type: Some(ValueType {
                        type_strindex: self
                            .string(vt.r#type, || format!("sample_type[{t}].type"))?,
                        unit_strindex: self.string(vt.unit, || format!("sample_type[{t}].unit"))?,
                    }),
                    // Cloning drops the template's capacity; every Profile gets all samples.
                    samples: Vec::with_capacity(src.sample.len()),
                    ..template.clone()
                })
            })
            .collect()
    }

    /// Fills every Profile's samples; returns the stack table.
    fn samples(
        &mut self,
        order: &[usize],
        location_ids: &IdIndex,
        profiles: &mut [Profile],
        budget: &Budget,
    ) -> Result<Vec<Stack>, MappingError> {
        let src = self.src;
        // At most one stack per sample.
        let mut stacks: Interner<Vec<i32>> =
            Interner::with_zero_and_capacity(Vec::new(), src.sample.len() + 1);
        // Single labels repeat across samples: cache (key, str, num, unit) → attribute index.
        let mut label_cache: FastMap<pprof::Label, i32> = FastMap::default();
        let mut stack = Vec::new();
        let mut attribute_indices = Vec::new();
        for (j, sample) in src.sample.iter().enumerate() {
            if sample.value.len() != order.len() {
                return Err(MappingError::ValueCount {
                    sample: j,
                    values: sample.value.len(),
                    types: order.len(),
                });
            }
            stack.clear();
            for (k, &id) in sample.location_id.iter().enumerate() {
                stack.push(
                    location_ids
                        .get(id)
                        .ok_or_else(|| MappingError::UnknownId {
                            path: format!("sample[{j}].location_id[{k}]"),
                            table: "location",
                            id,
                        })?,
                );
            }
            let stack_index = stacks.intern_ref(stack.as_slice()) as i32;
            attribute_indices.clear();
            self.labels(j, &sample.label, &mut label_cache, &mut attribute_indices)?;
            // Per OTLP sample: the struct, its one value, its attribute indices.
            let per_type = (size_of::<Sample>() + size_of::<i64>()) as u64
                + (size_of::<i32>() * attribute_indices.len()) as u64;
            budget.spend(per_type.saturating_mul(order.len() as u64), || {
                format!("sample[{j}]")
            })?;
            for (profile, &t) in profiles.iter_mut().zip(order) {
                profile.samples.push(Sample {
                    stack_index,
                    attribute_indices: attribute_indices.clone(),
                    link_index: 0,
                    values: vec![sample.value[t]],
                    timestamps_unix_nano: Vec::new(),
                });
            }
        }
        Ok(stacks
            .into_values()
            .into_iter()
            .map(|location_indices| Stack { location_indices })
            .collect())
    }

    /// Appends the attribute indices of one sample's labels, one attribute per key.
    fn labels(
        &mut self,
        sample: usize,
        labels: &[pprof::Label],
        cache: &mut FastMap<pprof::Label, i32>,
        out: &mut Vec<i32>,
    ) -> Result<(), MappingError> {
        // Keys are compared as text (their OTLP string index): a pprof string table may hold
        // the same key at two indices, and OTLP requires unique keys per sample.
        let mut keys = Vec::with_capacity(labels.len());
        for (n, label) in labels.iter().enumerate() {
            keys.push(self.string(label.key, || format!("sample[{sample}].label[{n}].key"))?);
        }
        if keys_unique(&keys) {
            for (n, label) in labels.iter().enumerate() {
                let index = match cache.get(label) {
                    Some(&index) => index,
                    None => {
                        let interned = self.intern_label(sample, n, label)?;
                        let index = self.label_attribute(&[interned]);
                        cache.insert(*label, index);
                        index
                    }
                };
                out.push(index);
            }
            return Ok(());
        }
        // Repeated keys: group by key, groups in order of first appearance, labels in order.
        let mut groups: Vec<Vec<InternedLabel>> = Vec::new();
        let mut group_of_key: FastMap<i32, usize> = FastMap::default();
        for (n, label) in labels.iter().enumerate() {
            let interned = self.intern_label(sample, n, label)?;
            match group_of_key.get(&interned.key) {
                Some(&g) => groups[g].push(interned),
                None => {
                    group_of_key.insert(interned.key, groups.len());
                    groups.push(vec![interned]);
                }
            }
        }
        for group in groups {
            out.push(self.label_attribute(&group));
        }
        Ok(())
    }

    fn intern_label(
        &mut self,
        sample: usize,
        n: usize,
        label: &pprof::Label,
    ) -> Result<InternedLabel<'a>, MappingError> {
        Ok(InternedLabel {
            key: self.string(label.key, || format!("sample[{sample}].label[{n}].key"))?,
            str: self.text(label.str, || format!("sample[{sample}].label[{n}].str"))?,
            num: label.num,
            unit: self.string(label.num_unit, || {
                format!("sample[{sample}].label[{n}].num_unit")
            })?,
        })
    }

    fn label_attribute(&mut self, group: &[InternedLabel<'a>]) -> i32 {
        let (value, unit_strindex) = encode_group(group, self.strings.values());
        self.attributes.intern(KeyValueAndUnit {
            key_strindex: group[0].key,
            value: Some(value),
            unit_strindex,
        })
    }

    /// Comments, drop/keep frames and doc URL, shared by every Profile of the split.
    fn profile_attributes(&mut self) -> Result<Vec<i32>, MappingError> {
        let src = self.src;
        let mut indices = Vec::new();
        if !src.comment.is_empty() {
            let comments = src
                .comment
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    let text = self.text(c, || format!("comment[{i}]"))?;
                    Ok(AnyValue {
                        value: Some(Value::StringValue(text.to_owned())),
                    })
                })
                .collect::<Result<Vec<_>, MappingError>>()?;
            indices.push(self.attribute(
                semconv::COMMENT,
                Value::ArrayValue(ArrayValue { values: comments }),
                0,
            ));
        }
        for (index, key, field) in [
            (src.drop_frames, semconv::DROP_FRAMES, "drop_frames"),
            (src.keep_frames, semconv::KEEP_FRAMES, "keep_frames"),
            (src.doc_url, semconv::DOC_URL, "doc_url"),
        ] {
            let text = self.text(index, || field.into())?;
            if !text.is_empty() {
                indices.push(self.attribute(key, Value::StringValue(text.to_owned()), 0));
            }
        }
        Ok(indices)
    }

    fn scope_attributes(&mut self, order: &[usize]) -> Result<Vec<KeyValue>, MappingError> {
        let order = order
            .iter()
            .map(|&t| AnyValue {
                value: Some(Value::IntValue(t as i64)),
            })
            .collect();
        let mut attributes = vec![KeyValue {
            key: semconv::SAMPLE_TYPE_ORDER.into(),
            value: any(Value::ArrayValue(ArrayValue { values: order })),
            key_strindex: 0,
        }];
        let default = self.text(self.src.default_sample_type, || {
            "default_sample_type".into()
        })?;
        if !default.is_empty() {
            attributes.push(KeyValue {
                key: semconv::DEFAULT_SAMPLE_TYPE.into(),
                value: any(Value::StringValue(default.to_owned())),
                key_strindex: 0,
            });
        }
        Ok(attributes)
    }
}

/// Whether no two labels share a key. Pairwise for the few labels a sample usually has; with a
/// set beyond that, so that a sample with a hostile number of labels costs linear time.
fn keys_unique(keys: &[i32]) -> bool {
    if keys.len() <= 16 {
        return keys.iter().enumerate().all(|(i, a)| !keys[..i].contains(a));
    }
    let mut seen: FastMap<i32, ()> = FastMap::default();
    keys.iter().all(|&k| seen.insert(k, ()).is_none())
}

/// `order[k]` is the pprof sample-type index of OTLP `profiles[k]`: the reference translator's
/// convention, first and last swapped, so that pprof's implicit default (the last type) comes
/// first, where OTLP viewers look.
pub(crate) fn sample_type_order(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if n > 1 {
        order.swap(0, n - 1);
    }
    order
}
