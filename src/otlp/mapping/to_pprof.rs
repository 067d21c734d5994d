//! OTLP Profiles → pprof.
//!
//! A scope whose Profiles line up sample by sample (same count, and per position the same
//! stack, attributes and link, one value each, and the same profile-level fields) becomes one
//! pprof with one sample type per Profile. Any other scope becomes one pprof per Profile:
//! unaligned samples are never mixed. What pprof cannot carry is counted in a [`Report`].

use std::mem::size_of;

use super::interner::{FastMap, Interner};
use super::labels::{DecodedLabel, decode_value, reencodes_exactly};
use super::to_otlp::sample_type_order;
use super::{Budget, MappingError, Report};
use crate::otlp::common::{AnyValue, KeyValue, any_value::Value};
use crate::otlp::model::{KeyValueAndUnit, Profile, ProfilesData, ProfilesDictionary, Sample};
use crate::otlp::semconv;
use crate::pprof;

/// The result of translating one OTLP payload.
#[derive(Debug, Clone)]
pub struct ToPprof {
    /// The pprof profiles, in resource, scope, profile order.
    pub outputs: Vec<PprofOutput>,
    /// What could not be carried into pprof.
    pub report: Report,
}

/// One pprof and where in the OTLP payload it came from.
#[derive(Debug, Clone)]
pub struct PprofOutput {
    /// Index into `resource_profiles`.
    pub resource: usize,
    /// Index into `scope_profiles`.
    pub scope: usize,
    /// Index into `profiles` when the scope was split; `None` when the whole scope became this
    /// pprof.
    pub profile: Option<usize>,
    /// The profile.
    pub pprof: pprof::Profile,
}

impl PprofOutput {
    /// The name suffix that tells outputs apart: `r0.s1` for a whole scope, `r0.s1.p2` for one
    /// Profile of a split scope (docs/cli.md, "Several outputs").
    pub fn suffix(&self) -> String {
        match self.profile {
            None => format!("r{}.s{}", self.resource, self.scope),
            Some(p) => format!("r{}.s{}.p{}", self.resource, self.scope, p),
        }
    }
}

/// Choices for OTLP → pprof.
#[derive(Debug, Clone)]
pub struct ToPprofOptions {
    /// Cap on the memory all pprof profiles produced may take ([`super::DEFAULT_MAX_MEMORY`] by
    /// default): pprof repeats a sample's stack and labels where OTLP refers to shared ones, so a
    /// small OTLP input can describe a huge pprof.
    pub max_memory: u64,
}

impl Default for ToPprofOptions {
    fn default() -> Self {
        ToPprofOptions {
            max_memory: super::DEFAULT_MAX_MEMORY,
        }
    }
}

/// Translates OTLP `ProfilesData` into one or more pprof profiles, under the default output cap.
pub fn otlp_to_pprof(data: &ProfilesData) -> Result<ToPprof, MappingError> {
    otlp_to_pprof_with(data, &ToPprofOptions::default())
}

/// Translates OTLP `ProfilesData` into one or more pprof profiles with explicit options.
pub fn otlp_to_pprof_with(
    data: &ProfilesData,
    options: &ToPprofOptions,
) -> Result<ToPprof, MappingError> {
    let mut report = Report::default();
    let mut groups = Vec::new();
    for (r, rp) in data.resource_profiles.iter().enumerate() {
        for (s, sp) in rp.scope_profiles.iter().enumerate() {
            if sp.profiles.is_empty() {
                continue;
            }
            if aligned(&sp.profiles) {
                groups.push((r, s, None));
            } else {
                groups.extend((0..sp.profiles.len()).map(|p| (r, s, Some(p))));
            }
        }
    }
    if groups.is_empty() {
        return Ok(ToPprof {
            outputs: Vec::new(),
            report,
        });
    }
    let dict = Dict::new(
        data.dictionary
            .as_ref()
            .ok_or(MappingError::MissingDictionary)?,
    );
    report_envelope(data, &dict, &mut report)?;
    let whole_dictionary = groups.len() == 1;
    let budget = Budget::new(options.max_memory);
    let mut carried = (!whole_dictionary).then(|| Carried::new(dict.d));
    let outputs = groups
        .into_iter()
        .map(|(r, s, p)| {
            let scope = &data.resource_profiles[r].scope_profiles[s];
            let (profiles, base) = match p {
                None => (&scope.profiles[..], 0),
                Some(p) => (&scope.profiles[p..=p], p),
            };
            let path = ProfilePath { r, s, base };
            let pprof = Builder::new(&dict, &budget, whole_dictionary).build(
                profiles,
                &path,
                scope.scope.as_ref().map_or(&[][..], |sc| &sc.attributes),
                p.is_none(),
                &mut report,
                carried.as_mut(),
            )?;
            Ok(PprofOutput {
                resource: r,
                scope: s,
                profile: p,
                pprof,
            })
        })
        .collect::<Result<Vec<_>, MappingError>>()?;
    if let Some(carried) = carried {
        report.note_n(
            "unreferenced dictionary entries (the input splits into several pprof)",
            carried.missing(),
            || "dictionary".into(),
        );
    }
    report_unreferenced(data, dict.d, &mut report);
    Ok(ToPprof { outputs, report })
}

/// Attribute and link entries that nothing refers to have no place in pprof, which keeps
/// unreferenced mappings, locations and functions but has no table of labels or of links:
/// they are reported, not dropped quietly. (Unreferenced strings and stacks are layout, not
/// information: a string or a stack means something only where it is used.) Indices out of
/// range were refused during translation.
fn report_unreferenced(data: &ProfilesData, d: &ProfilesDictionary, report: &mut Report) {
    let mut attributes = vec![false; d.attribute_table.len()];
    let mut links = vec![false; d.link_table.len()];
    let mark = |used: &mut [bool], i: i32| {
        if let Some(u) = usize::try_from(i).ok().and_then(|i| used.get_mut(i)) {
            *u = true;
        }
    };
    let entries = d.mapping_table.iter().map(|m| &m.attribute_indices);
    for indices in entries.chain(d.location_table.iter().map(|l| &l.attribute_indices)) {
        indices.iter().for_each(|&i| mark(&mut attributes, i));
    }
    let profiles = data
        .resource_profiles
        .iter()
        .flat_map(|rp| &rp.scope_profiles)
        .flat_map(|sp| &sp.profiles);
    for p in profiles {
        p.attribute_indices
            .iter()
            .for_each(|&i| mark(&mut attributes, i));
        for s in &p.samples {
            s.attribute_indices
                .iter()
                .for_each(|&i| mark(&mut attributes, i));
            mark(&mut links, s.link_index);
        }
    }
    for (table, used) in [("attribute_table", &attributes), ("link_table", &links)] {
        let mut unused = used.iter().enumerate().skip(1).filter(|(_, u)| !**u);
        if let Some((first, _)) = unused.next() {
            report.note_n(
                format!("unreferenced {table} entries"),
                1 + unused.count(),
                || format!("dictionary.{table}[{first}]"),
            );
        }
    }
}

/// True when the Profiles of one scope can be one pprof with several sample types.
pub(crate) fn aligned(profiles: &[Profile]) -> bool {
    let [first, rest @ ..] = profiles else {
        return true;
    };
    if rest.is_empty() {
        return true;
    }
    let one_value = |s: &Sample| s.values.len() == 1 && s.timestamps_unix_nano.is_empty();
    if !first.samples.iter().all(one_value) {
        return false;
    }
    rest.iter().all(|p| {
        p.samples.len() == first.samples.len()
            && p.time_unix_nano == first.time_unix_nano
            && p.duration_nano == first.duration_nano
            && p.period == first.period
            && p.period_type == first.period_type
            && same_set(&p.attribute_indices, &first.attribute_indices)
            && p.samples.iter().zip(&first.samples).all(|(a, b)| {
                one_value(a)
                    && a.stack_index == b.stack_index
                    && a.link_index == b.link_index
                    && same_set(&a.attribute_indices, &b.attribute_indices)
            })
    })
}

fn same_set(a: &[i32], b: &[i32]) -> bool {
    if a == b {
        return true;
    }
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// Reports resource and scope data that pprof has no field for.
fn report_envelope(
    data: &ProfilesData,
    dict: &Dict,
    report: &mut Report,
) -> Result<(), MappingError> {
    for (r, rp) in data.resource_profiles.iter().enumerate() {
        if let Some(resource) = &rp.resource {
            for (i, kv) in resource.attributes.iter().enumerate() {
                let path = || format!("resource_profiles[{r}].resource.attributes[{i}]");
                let key = dict.key(kv, path)?;
                report.note(format!("resource attribute {key:?}"), path);
            }
            if resource.dropped_attributes_count != 0 {
                report.note("resource dropped_attributes_count", || {
                    format!("resource_profiles[{r}].resource.dropped_attributes_count")
                });
            }
            report.note_n("resource entity_refs", resource.entity_refs.len(), || {
                format!("resource_profiles[{r}].resource.entity_refs")
            });
        }
        if !rp.schema_url.is_empty() && rp.schema_url != semconv::SCHEMA_URL {
            report.note("resource schema_url", || {
                format!("resource_profiles[{r}].schema_url")
            });
        }
        for (s, sp) in rp.scope_profiles.iter().enumerate() {
            let at = |field: &str| format!("resource_profiles[{r}].scope_profiles[{s}].{field}");
            if let Some(scope) = &sp.scope
                && scope.name != semconv::SCOPE_NAME
                && (!scope.name.is_empty() || !scope.version.is_empty())
            {
                report.note("scope name and version", || at("scope.name"));
            }
            if !sp.schema_url.is_empty() && sp.schema_url != semconv::SCHEMA_URL {
                report.note("scope schema_url", || at("schema_url"));
            }
            if sp.profiles.is_empty() {
                report.note("scope without profiles", || at("profiles"));
            }
            if sp
                .scope
                .as_ref()
                .is_some_and(|s| s.dropped_attributes_count != 0)
            {
                report.note("scope dropped_attributes_count", || {
                    at("scope.dropped_attributes_count")
                });
            }
            for (i, kv) in sp
                .scope
                .iter()
                .flat_map(|s| s.attributes.iter())
                .enumerate()
            {
                let path = || at(&format!("scope.attributes[{i}]"));
                let key = dict.key(kv, path)?;
                if key != semconv::SAMPLE_TYPE_ORDER && key != semconv::DEFAULT_SAMPLE_TYPE {
                    report.note(format!("scope attribute {key:?}"), path);
                }
            }
        }
    }
    Ok(())
}

/// Where a group of Profiles sits, for error paths.
struct ProfilePath {
    r: usize,
    s: usize,
    base: usize,
}

impl ProfilePath {
    fn profile(&self, k: usize) -> String {
        format!(
            "resource_profiles[{}].scope_profiles[{}].profiles[{}]",
            self.r,
            self.s,
            self.base + k
        )
    }
}

/// Range-checked access to the dictionary.
struct Dict<'a> {
    d: &'a ProfilesDictionary,
}

impl<'a> Dict<'a> {
    fn new(d: &'a ProfilesDictionary) -> Self {
        Dict { d }
    }

    fn string(&self, i: i32, path: impl FnOnce() -> String) -> Result<&'a str, MappingError> {
        index(&self.d.string_table, i, path).map(String::as_str)
    }

    fn attribute(
        &self,
        i: i32,
        path: impl FnOnce() -> String,
    ) -> Result<&'a KeyValueAndUnit, MappingError> {
        index(&self.d.attribute_table, i, path)
    }

    /// A KeyValue's key in either form (`key` or `key_strindex`).
    fn key(
        &self,
        kv: &'a KeyValue,
        path: impl FnOnce() -> String,
    ) -> Result<&'a str, MappingError> {
        if kv.key.is_empty() && kv.key_strindex != 0 {
            self.string(kv.key_strindex, || path() + ".key_strindex")
        } else {
            Ok(&kv.key)
        }
    }

    /// The value of the scope attribute named `key`, whichever key form it uses.
    fn scope_attribute(&self, attributes: &'a [KeyValue], key: &str) -> Option<&'a AnyValue> {
        attributes
            .iter()
            .find(|kv| self.key(kv, String::new).is_ok_and(|k| k == key))?
            .value
            .as_ref()
    }

    /// A string attribute value in either form.
    fn string_value(&self, value: Option<&'a AnyValue>) -> Option<&'a str> {
        match value?.value.as_ref()? {
            Value::StringValue(s) => Some(s),
            Value::StringValueStrindex(i) => {
                self.d.string_table.get(*i as usize).map(|s| s.as_str())
            }
            _ => None,
        }
    }
}

fn index<T>(table: &[T], i: i32, path: impl FnOnce() -> String) -> Result<&T, MappingError> {
    usize::try_from(i)
        .ok()
        .and_then(|i| table.get(i))
        .ok_or_else(|| MappingError::IndexOutOfRange {
            path: path(),
            index: i64::from(i),
            len: table.len(),
        })
}

/// Which dictionary entries some output carries, over all outputs of a split payload: what none
/// carries is reported, since it has no home in any pprof.
struct Carried {
    locations: Vec<bool>,
    functions: Vec<bool>,
    mappings: Vec<bool>,
}

impl Carried {
    fn new(d: &ProfilesDictionary) -> Self {
        Carried {
            locations: vec![false; d.location_table.len()],
            functions: vec![false; d.function_table.len()],
            mappings: vec![false; d.mapping_table.len()],
        }
    }

    fn mark(&mut self, locations: &Selection, functions: &Selection, mappings: &Selection) {
        for (carried, chosen) in [
            (&mut self.locations, locations),
            (&mut self.functions, functions),
            (&mut self.mappings, mappings),
        ] {
            for &i in &chosen.order {
                carried[i] = true;
            }
        }
    }

    /// Entries past the zero entry that no output carries.
    fn missing(&self) -> usize {
        [&self.locations, &self.functions, &self.mappings]
            .iter()
            .map(|carried| carried.iter().skip(1).filter(|&&c| !c).count())
            .sum()
    }
}

/// Which dictionary entries of one table go into one pprof, and their pprof ids.
///
/// With the whole dictionary, entry i > 0 gets id i and nothing needs storing. A split output
/// keeps just the entries it uses (ids: position among them + 1), so that many small outputs of
/// one large dictionary cost time in proportion to what each uses, not to the dictionary.
struct Selection {
    /// The table's length, for range errors.
    len: usize,
    /// The chosen entries (never 0), in table order.
    order: Vec<usize>,
    /// Entry → id, for a split output; `None` when every entry is chosen.
    ids: Option<FastMap<usize, u64>>,
}

impl Selection {
    fn all(len: usize) -> Self {
        Selection {
            len,
            order: (1..len).collect(),
            ids: None,
        }
    }

    /// The entries in `used` (any order, repeats allowed, all `< len`).
    fn some(len: usize, mut used: Vec<usize>) -> Self {
        used.sort_unstable();
        used.dedup();
        used.retain(|&i| i > 0);
        let ids = used
            .iter()
            .enumerate()
            .map(|(n, &i)| (i, n as u64 + 1))
            .collect();
        Selection {
            len,
            order: used,
            ids: Some(ids),
        }
    }

    /// The pprof id of entry `i`: 0 for the zero entry (and for an entry not chosen, which
    /// `select` rules out); an error when `i` is outside the table.
    fn id(&self, i: i32, path: impl FnOnce() -> String) -> Result<u64, MappingError> {
        let Some(n) = usize::try_from(i).ok().filter(|&n| n < self.len) else {
            return Err(MappingError::IndexOutOfRange {
                path: path(),
                index: i64::from(i),
                len: self.len,
            });
        };
        Ok(match &self.ids {
            None => n as u64,
            Some(ids) => ids.get(&n).copied().unwrap_or(0),
        })
    }
}

/// OTLP string index → pprof string index, for the strings one pprof has used so far.
enum StringMap {
    /// One slot per dictionary string (-1: not yet used), for the single output of a payload.
    Dense(Vec<i64>),
    /// Only the strings used, for one of several outputs of a large dictionary.
    Sparse(FastMap<i32, i64>),
}

struct Builder<'a, 'd> {
    dict: &'d Dict<'a>,
    budget: &'d Budget,
    whole_dictionary: bool,
    strings: Interner<Vec<u8>>,
    string_map: StringMap,
    /// Attribute index → its pprof labels, filled on first use.
    label_cache: FastMap<i32, Vec<pprof::Label>>,
}

impl<'a, 'd> Builder<'a, 'd> {
    fn new(dict: &'d Dict<'a>, budget: &'d Budget, whole_dictionary: bool) -> Self {
        Builder {
            dict,
            budget,
            whole_dictionary,
            strings: Interner::with_zero(Vec::new()),
            string_map: if whole_dictionary {
                StringMap::Dense(vec![-1; dict.d.string_table.len()])
            } else {
                StringMap::Sparse(FastMap::default())
            },
            label_cache: FastMap::default(),
        }
    }

    fn text(&mut self, s: &str) -> i64 {
        self.strings.intern_ref(s.as_bytes()) as i64
    }

    /// The pprof string index of OTLP string `i`.
    fn string(&mut self, i: i32, path: impl FnOnce() -> String) -> Result<i64, MappingError> {
        let s = self.dict.string(i, path)?;
        let slot = match &mut self.string_map {
            StringMap::Dense(slots) => &mut slots[i as usize],
            StringMap::Sparse(slots) => slots.entry(i).or_insert(-1),
        };
        if *slot < 0 {
            *slot = self.strings.intern_ref(s.as_bytes()) as i64;
        }
        Ok(*slot)
    }

    fn build(
        mut self,
        profiles: &[Profile],
        at: &ProfilePath,
        scope_attributes: &'a [KeyValue],
        whole_scope: bool,
        report: &mut Report,
        carried: Option<&mut Carried>,
    ) -> Result<pprof::Profile, MappingError> {
        let d = self.dict.d;
        let first = &profiles[0];
        let (locations, functions, mappings) = self.select(profiles, at)?;
        if let Some(carried) = carried {
            carried.mark(&locations, &functions, &mappings);
        }

        let mut out = pprof::Profile::default();
        // Tables count against the output cap too: a split payload repeats in every output the
        // entries its samples share.
        for (n, &i) in mappings.order.iter().enumerate() {
            self.budget.spend(size_of::<pprof::Mapping>() as u64, || {
                format!("dictionary.mapping_table[{i}]")
            })?;
            out.mapping.push(self.mapping(i, n as u64 + 1, report)?);
        }
        for (n, &i) in functions.order.iter().enumerate() {
            let f = &d.function_table[i];
            let path = |field: &str| format!("dictionary.function_table[{i}].{field}");
            self.budget.spend(size_of::<pprof::Function>() as u64, || {
                format!("dictionary.function_table[{i}]")
            })?;
            out.function.push(pprof::Function {
                id: n as u64 + 1,
                name: self.string(f.name_strindex, || path("name_strindex"))?,
                system_name: self
                    .string(f.system_name_strindex, || path("system_name_strindex"))?,
                filename: self.string(f.filename_strindex, || path("filename_strindex"))?,
                start_line: f.start_line,
            });
        }
        for (n, &i) in locations.order.iter().enumerate() {
            let lines = d.location_table[i].lines.len() as u64;
            let memory =
                size_of::<pprof::Location>() as u64 + size_of::<pprof::Line>() as u64 * lines;
            self.budget
                .spend(memory, || format!("dictionary.location_table[{i}]"))?;
            out.location
                .push(self.location(i, n as u64 + 1, &functions, &mappings, report)?);
        }

        let (sample_types, order) =
            self.sample_types(profiles, scope_attributes, whole_scope, at, report)?;
        out.sample_type = sample_types;
        out.sample = self.samples(profiles, &order, &locations, at, report)?;

        out.time_nanos = first.time_unix_nano as i64;
        out.duration_nanos = first.duration_nano as i64;
        out.period = first.period;
        out.period_type = match &first.period_type {
            Some(vt) => Some(pprof::ValueType {
                r#type: self.string(vt.type_strindex, || {
                    at.profile(0) + ".period_type.type_strindex"
                })?,
                unit: self.string(vt.unit_strindex, || {
                    at.profile(0) + ".period_type.unit_strindex"
                })?,
            }),
            None => None,
        };
        self.profile_attributes(first, &mut out, at, report)?;
        for (k, p) in profiles.iter().enumerate() {
            if !p.profile_id.is_empty() {
                report.note("profile_id", || at.profile(k) + ".profile_id");
            }
            if p.dropped_attributes_count != 0 {
                report.note("profile dropped_attributes_count", || {
                    at.profile(k) + ".dropped_attributes_count"
                });
            }
            if !p.original_payload.is_empty() || !p.original_payload_format.is_empty() {
                report.note(
                    format!("original_payload (format {:?})", p.original_payload_format),
                    || at.profile(k) + ".original_payload",
                );
            }
        }
        if let Some(name) = self
            .dict
            .scope_attribute(scope_attributes, semconv::DEFAULT_SAMPLE_TYPE)
            .and_then(|value| self.dict.string_value(Some(value)))
        {
            out.default_sample_type = self.text(name);
        }
        out.string_table = self.strings.into_values();
        let string_bytes: u64 = out
            .string_table
            .iter()
            .map(|s| (size_of::<Vec<u8>>() + s.len()) as u64)
            .sum();
        self.budget
            .spend(string_bytes, || at.profile(0) + " (string table)")?;
        Ok(out)
    }

    /// Chooses the dictionary entries this pprof carries: all of them when it is the only
    /// output (so unreferenced entries survive a round trip), else those its samples reach.
    fn select(
        &self,
        profiles: &[Profile],
        at: &ProfilePath,
    ) -> Result<(Selection, Selection, Selection), MappingError> {
        let d = self.dict.d;
        let (nl, nf, nm) = (
            d.location_table.len(),
            d.function_table.len(),
            d.mapping_table.len(),
        );
        if self.whole_dictionary {
            return Ok((Selection::all(nl), Selection::all(nf), Selection::all(nm)));
        }
        // Each stack is walked once however many samples share it.
        let mut seen_stacks: FastMap<i32, ()> = FastMap::default();
        let mut used_locations = Vec::new();
        for (k, p) in profiles.iter().enumerate() {
            for (j, s) in p.samples.iter().enumerate() {
                let stack = index(&d.stack_table, s.stack_index, || {
                    format!("{}.samples[{j}].stack_index", at.profile(k))
                })?;
                if seen_stacks.insert(s.stack_index, ()).is_some() {
                    continue;
                }
                for (n, &l) in stack.location_indices.iter().enumerate() {
                    index(&d.location_table, l, || {
                        format!(
                            "dictionary.stack_table[{}].location_indices[{n}]",
                            s.stack_index
                        )
                    })?;
                    used_locations.push(l as usize);
                }
            }
        }
        let locations = Selection::some(nl, used_locations);
        let mut used_functions = Vec::new();
        let mut used_mappings = Vec::new();
        for &i in &locations.order {
            let l = &d.location_table[i];
            index(&d.mapping_table, l.mapping_index, || {
                format!("dictionary.location_table[{i}].mapping_index")
            })?;
            used_mappings.push(l.mapping_index as usize);
            for (n, line) in l.lines.iter().enumerate() {
                index(&d.function_table, line.function_index, || {
                    format!("dictionary.location_table[{i}].lines[{n}].function_index")
                })?;
                used_functions.push(line.function_index as usize);
            }
        }
        Ok((
            locations,
            Selection::some(nf, used_functions),
            Selection::some(nm, used_mappings),
        ))
    }

    fn mapping(
        &mut self,
        i: usize,
        id: u64,
        report: &mut Report,
    ) -> Result<pprof::Mapping, MappingError> {
        let m = &self.dict.d.mapping_table[i];
        let path = |field: &str| format!("dictionary.mapping_table[{i}].{field}");
        let mut out = pprof::Mapping {
            id,
            memory_start: m.memory_start,
            memory_limit: m.memory_limit,
            file_offset: m.file_offset,
            filename: self.string(m.filename_strindex, || path("filename_strindex"))?,
            ..pprof::Mapping::default()
        };
        let mut build_ids: [Option<&str>; 3] = [None; 3];
        for (n, &a) in m.attribute_indices.iter().enumerate() {
            let attr_path = || path(&format!("attribute_indices[{n}]"));
            let kv = self.dict.attribute(a, attr_path)?;
            let key = self.dict.string(kv.key_strindex, attr_path)?;
            note_unit(kv, "mapping", key, attr_path, report);
            let value = kv.value.as_ref().and_then(|v| v.value.as_ref());
            match (key, value) {
                (semconv::BUILD_ID_GNU | semconv::BUILD_ID_GO | semconv::BUILD_ID_HTLHASH, _) => {
                    let kind = match key {
                        semconv::BUILD_ID_GNU => 0,
                        semconv::BUILD_ID_GO => 1,
                        _ => 2,
                    };
                    match self.dict.string_value(kv.value.as_ref()) {
                        Some(build_id) => build_ids[kind] = Some(build_id),
                        None => report.note("mapping build id that is not a string", attr_path),
                    }
                }
                // pprof writes a flag only when it is true: an explicit false comes back absent.
                (
                    semconv::HAS_FUNCTIONS
                    | semconv::HAS_FILENAMES
                    | semconv::HAS_LINE_NUMBERS
                    | semconv::HAS_INLINE_FRAMES,
                    Some(Value::BoolValue(false)),
                ) => report.note(format!("mapping attribute {key:?} = false"), attr_path),
                (semconv::HAS_FUNCTIONS, Some(Value::BoolValue(b))) => out.has_functions = *b,
                (semconv::HAS_FILENAMES, Some(Value::BoolValue(b))) => out.has_filenames = *b,
                (semconv::HAS_LINE_NUMBERS, Some(Value::BoolValue(b))) => out.has_line_numbers = *b,
                (semconv::HAS_INLINE_FRAMES, Some(Value::BoolValue(b))) => {
                    out.has_inline_frames = *b
                }
                (semconv::MAPPING_MEMORY_START, Some(Value::IntValue(v))) => {
                    out.memory_start = *v as u64
                }
                (semconv::MAPPING_MEMORY_LIMIT, Some(Value::IntValue(v))) => {
                    out.memory_limit = *v as u64
                }
                _ => report.note(format!("mapping attribute {key:?}"), attr_path),
            }
        }
        // pprof has one build id; prefer the GNU one pprotel and the reference translator write.
        let mut found = build_ids.iter().flatten();
        if let Some(build_id) = found.next() {
            out.build_id = self.text(build_id);
            if build_ids[0].is_none() {
                // pprof does not say which kind it is; back in OTLP it is the GNU one.
                report.note("mapping build id of another kind than GNU", || {
                    path("attribute_indices")
                });
            }
        }
        if found.next().is_some() {
            report.note("mapping build id of a second kind", || {
                path("attribute_indices")
            });
        }
        Ok(out)
    }

    fn location(
        &mut self,
        i: usize,
        id: u64,
        functions: &Selection,
        mappings: &Selection,
        report: &mut Report,
    ) -> Result<pprof::Location, MappingError> {
        let l = &self.dict.d.location_table[i];
        let path = |field: &str| format!("dictionary.location_table[{i}].{field}");
        let mapping_id = mappings.id(l.mapping_index, || path("mapping_index"))?;
        let mut line = Vec::with_capacity(l.lines.len());
        for (n, ln) in l.lines.iter().enumerate() {
            let function_id = functions.id(ln.function_index, || {
                path(&format!("lines[{n}].function_index"))
            })?;
            line.push(pprof::Line {
                function_id,
                line: ln.line,
                column: ln.column,
            });
        }
        let mut is_folded = false;
        for (n, &a) in l.attribute_indices.iter().enumerate() {
            let attr_path = || path(&format!("attribute_indices[{n}]"));
            let kv = self.dict.attribute(a, attr_path)?;
            let key = self.dict.string(kv.key_strindex, attr_path)?;
            note_unit(kv, "location", key, attr_path, report);
            match (key, kv.value.as_ref().and_then(|v| v.value.as_ref())) {
                // pprof writes the flag only when true: an explicit false comes back absent.
                (semconv::IS_FOLDED, Some(Value::BoolValue(false))) => {
                    report.note(format!("location attribute {key:?} = false"), attr_path)
                }
                (semconv::IS_FOLDED, Some(Value::BoolValue(b))) => is_folded = *b,
                _ => report.note(format!("location attribute {key:?}"), attr_path),
            }
        }
        Ok(pprof::Location {
            id,
            mapping_id,
            address: l.address,
            line,
            is_folded,
        })
    }

    /// pprof sample types and, for each Profile k, its pprof value position.
    fn sample_types(
        &mut self,
        profiles: &[Profile],
        scope_attributes: &[KeyValue],
        whole_scope: bool,
        at: &ProfilePath,
        report: &mut Report,
    ) -> Result<(Vec<pprof::ValueType>, Vec<usize>), MappingError> {
        let m = profiles.len();
        let attribute = whole_scope
            .then(|| {
                self.dict
                    .scope_attribute(scope_attributes, semconv::SAMPLE_TYPE_ORDER)
            })
            .flatten();
        let recorded = recorded_order(attribute);
        // pprotel writes `[]` and one Profile without a sample type for a pprof that has none.
        if recorded.as_deref() == Some(&[])
            && m == 1
            && profiles[0].samples.is_empty()
            && profiles[0]
                .sample_type
                .is_none_or(|vt| vt == Default::default())
        {
            return Ok((Vec::new(), Vec::new()));
        }
        let order = match recorded {
            Some(order) if is_permutation(&order, m) => order,
            _ if attribute.is_some() => {
                // Not an order of these Profiles: it says nothing pprof can keep.
                report.note(
                    "scope attribute \"pprof.scope.sample_type_order\" that is not an order of the profiles",
                    || {
                        format!(
                            "resource_profiles[{}].scope_profiles[{}].scope.attributes",
                            at.r, at.s
                        )
                    },
                );
                sample_type_order(m)
            }
            _ => sample_type_order(m),
        };
        let mut types = vec![pprof::ValueType::default(); m];
        for (k, p) in profiles.iter().enumerate() {
            let vt = p.sample_type.unwrap_or_default();
            types[order[k]] = pprof::ValueType {
                r#type: self.string(vt.type_strindex, || {
                    at.profile(k) + ".sample_type.type_strindex"
                })?,
                unit: self.string(vt.unit_strindex, || {
                    at.profile(k) + ".sample_type.unit_strindex"
                })?,
            };
        }
        Ok((types, order))
    }

    fn samples(
        &mut self,
        profiles: &[Profile],
        order: &[usize],
        locations: &Selection,
        at: &ProfilePath,
        report: &mut Report,
    ) -> Result<Vec<pprof::Sample>, MappingError> {
        let d = self.dict.d;
        let first = &profiles[0];
        let mut out = Vec::with_capacity(first.samples.len());
        for (j, s) in first.samples.iter().enumerate() {
            let sample_path = || format!("{}.samples[{j}]", at.profile(0));
            let stack = index(&d.stack_table, s.stack_index, || {
                sample_path() + ".stack_index"
            })?;
            let location_id = stack
                .location_indices
                .iter()
                .enumerate()
                .map(|(n, &l)| {
                    let stack_path = || {
                        format!(
                            "dictionary.stack_table[{}].location_indices[{n}]",
                            s.stack_index
                        )
                    };
                    match locations.id(l, stack_path)? {
                        0 => Err(MappingError::InvalidSample {
                            path: stack_path(),
                            what: "refers to location_table[0], the zero entry".into(),
                        }),
                        id => Ok(id),
                    }
                })
                .collect::<Result<Vec<u64>, _>>()?;
            let attribute_path = |n: usize| sample_path() + &format!(".attribute_indices[{n}]");
            // Count before copying: one attribute may stand for many labels, and the same
            // attribute may be listed many times.
            let mut labels = 0u64;
            for (n, &a) in s.attribute_indices.iter().enumerate() {
                labels += self.labels(a, || attribute_path(n), report)?.len() as u64;
            }
            let copies = match (s.values.len(), s.timestamps_unix_nano.len()) {
                (v, n) if profiles.len() == 1 && v == n && v > 1 => v as u64,
                _ => 1,
            };
            // Per pprof sample: the struct, its location ids, values and labels.
            let per_sample = (size_of::<pprof::Sample>()
                + size_of::<u64>() * location_id.len()
                + size_of::<i64>() * order.len().max(1)) as u64
                + size_of::<pprof::Label>() as u64 * labels;
            self.budget
                .spend(copies.saturating_mul(per_sample), sample_path)?;
            let mut label = Vec::with_capacity(labels as usize);
            for (n, &a) in s.attribute_indices.iter().enumerate() {
                label.extend_from_slice(self.labels(a, || attribute_path(n), report)?);
            }
            if s.attribute_indices.len() > 1 && self.share_a_key(&s.attribute_indices) {
                // pprof labels of one key are one attribute again: the two come back merged.
                report.note("sample attributes that share a key", || {
                    sample_path() + ".attribute_indices"
                });
            }
            if s.link_index != 0 {
                index(&d.link_table, s.link_index, || {
                    sample_path() + ".link_index"
                })?;
                report.note("sample links", || sample_path() + ".link_index");
            }
            if profiles.len() > 1 {
                // Aligned: one value from each Profile, at its pprof position.
                let mut value = vec![0; order.len()];
                for (k, p) in profiles.iter().enumerate() {
                    value[order[k]] = p.samples[j].values[0];
                }
                out.push(pprof::Sample {
                    location_id,
                    value,
                    label,
                });
                continue;
            }
            let timestamps = s.timestamps_unix_nano.len();
            report.note_n("sample timestamps", timestamps, || {
                sample_path() + ".timestamps_unix_nano"
            });
            match (s.values.len(), timestamps) {
                (1, 0) => out.push(pprof::Sample {
                    location_id,
                    value: s.values.clone(),
                    label,
                }),
                // Timestamps only: each stands for one event.
                (0, n) if n > 0 => out.push(pprof::Sample {
                    location_id,
                    value: vec![n as i64],
                    label,
                }),
                // One value per timestamp: one pprof sample per observation.
                (v, n) if v == n && v > 0 => {
                    for &value in &s.values {
                        out.push(pprof::Sample {
                            location_id: location_id.clone(),
                            value: vec![value],
                            label: label.clone(),
                        });
                    }
                }
                (v, n) => {
                    return Err(MappingError::InvalidSample {
                        path: sample_path(),
                        what: format!(
                            "{v} values and {n} timestamps (a sample needs one value, or as many values as timestamps, or timestamps only)"
                        ),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Whether two of the attributes (already decoded into [`Self::labels`]) have the same key.
    fn share_a_key(&self, attributes: &[i32]) -> bool {
        let mut keys: Vec<i64> = attributes
            .iter()
            .filter_map(|a| self.label_cache[a].first().map(|l| l.key))
            .collect();
        keys.sort_unstable();
        keys.windows(2).any(|w| w[0] == w[1])
    }

    /// The pprof labels of one sample attribute.
    fn labels(
        &mut self,
        a: i32,
        path: impl Fn() -> String,
        report: &mut Report,
    ) -> Result<&[pprof::Label], MappingError> {
        if !self.label_cache.contains_key(&a) {
            let kv = self.dict.attribute(a, &path)?;
            let key = self.string(kv.key_strindex, || path() + " key_strindex")?;
            let unit = self
                .dict
                .string(kv.unit_strindex, || path() + " unit_strindex")?;
            let mut decoded: Vec<DecodedLabel> = Vec::new();
            let strings = &self.dict.d.string_table;
            match decode_value(kv.value.as_ref(), unit, strings, &mut decoded) {
                Some(what) => report.note(what, &path),
                None if !reencodes_exactly(&decoded, kv.value.as_ref(), unit, strings) => report
                    .note(
                        "attribute value that pprof labels hold in another form",
                        &path,
                    ),
                None => {}
            }
            let labels = decoded
                .iter()
                .map(|l| pprof::Label {
                    key,
                    str: self.text(&l.str),
                    num: l.num,
                    num_unit: self.text(l.unit),
                })
                .collect();
            self.label_cache.insert(a, labels);
        }
        Ok(&self.label_cache[&a])
    }

    fn profile_attributes(
        &mut self,
        p: &Profile,
        out: &mut pprof::Profile,
        at: &ProfilePath,
        report: &mut Report,
    ) -> Result<(), MappingError> {
        let mut indexed_comments: Vec<(u64, &str)> = Vec::new();
        for (n, &a) in p.attribute_indices.iter().enumerate() {
            let attr_path = || at.profile(0) + &format!(".attribute_indices[{n}]");
            let kv = self.dict.attribute(a, attr_path)?;
            let key = self.dict.string(kv.key_strindex, attr_path)?;
            note_unit(kv, "profile", key, attr_path, report);
            let value = kv.value.as_ref();
            let text = self.dict.string_value(value);
            match (key, text) {
                (semconv::COMMENT, _) => match value.and_then(|v| v.value.as_ref()) {
                    Some(Value::ArrayValue(array)) => {
                        for element in &array.values {
                            let c = self.dict.string_value(Some(element));
                            if c.is_none() {
                                report.note("profile comment that is not a string", attr_path);
                            }
                            let c = self.text(c.unwrap_or_default());
                            out.comment.push(c);
                        }
                    }
                    _ => {
                        if text.is_none() {
                            report.note("profile comment that is not a string", attr_path);
                        }
                        let c = self.text(text.unwrap_or_default());
                        out.comment.push(c);
                    }
                },
                (semconv::DROP_FRAMES, Some(t)) => out.drop_frames = self.text(t),
                (semconv::KEEP_FRAMES, Some(t)) => out.keep_frames = self.text(t),
                (semconv::DOC_URL, Some(t)) => out.doc_url = self.text(t),
                (key, Some(t)) if key.starts_with(semconv::COMMENT_INDEXED_PREFIX) => {
                    match key[semconv::COMMENT_INDEXED_PREFIX.len()..].parse::<u64>() {
                        Ok(n) => indexed_comments.push((n, t)),
                        Err(_) => report.note(format!("profile attribute {key:?}"), attr_path),
                    }
                }
                _ => report.note(format!("profile attribute {key:?}"), attr_path),
            }
        }
        // The reference translator's `pprof.profile.comment.N` form, in N order.
        indexed_comments.sort_by_key(|&(n, _)| n);
        for (_, c) in indexed_comments {
            let c = self.text(c);
            out.comment.push(c);
        }
        Ok(())
    }
}

/// The unit of a profile, mapping or location attribute: these become pprof fields, which have
/// no unit (only labels have one, `num_unit`).
fn note_unit(
    kv: &KeyValueAndUnit,
    owner: &str,
    key: &str,
    path: impl FnOnce() -> String,
    report: &mut Report,
) {
    if kv.unit_strindex != 0 {
        report.note(format!("{owner} attribute {key:?} with a unit"), path);
    }
}

/// The `pprof.scope.sample_type_order` value, if present and made of non-negative ints.
fn recorded_order(value: Option<&AnyValue>) -> Option<Vec<usize>> {
    let Some(Value::ArrayValue(array)) = value?.value.as_ref() else {
        return None;
    };
    array
        .values
        .iter()
        .map(|v| match v.value {
            Some(Value::IntValue(i)) => usize::try_from(i).ok(),
            _ => None,
        })
        .collect()
}

fn is_permutation(order: &[usize], m: usize) -> bool {
    let mut seen = vec![false; m];
    order.len() == m
        && order
            .iter()
            .all(|&i| i < m && !std::mem::replace(&mut seen[i], true))
}
