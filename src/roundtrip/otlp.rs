//! Semantic comparison of two OTLP Profiles payloads.
//!
//! What is information: resources, scopes and Profiles in order with their fields; attributes
//! as a key-sorted map, whichever form (`key` / `key_strindex`, `string_value` /
//! `string_value_strindex`) names their strings; samples in order with values, timestamps,
//! link, attributes (with units) and stack resolved to location content; and the dictionary
//! entries no sample reaches, as multisets. What is encoding: the dictionary's layout (order,
//! duplicates the samples cannot tell apart, the string, attribute, stack and link tables).
//!
//! Dictionary entries are paired like pprof tables (see [`super::correspond`]) so that one
//! changed entry is one difference at `location[5].address`, and the samples using it compare
//! through the pairing instead of repeating it. An entry that samples reach and whose content
//! the other side's samples also reach (a duplicate) is absorbed, never reported.
//!
//! [`OtlpView::PprofRepresentable`] compares what survives OTLP → pprof → OTLP: each side is
//! projected the way `otlp_to_pprof` reads it (docs/mapping.md), then compared the same way.

use std::borrow::Cow;

use super::correspond::{Correspondence, Side as Which};
use super::difference::{Difference, Report, hex, quote};
use super::otlp_values::{
    Attr, EMPTY_DICTIONARY, Interned, LabelKey, Pool, Reached, StringIds, ValId, ValKey,
    render_entity_ref, render_id, render_link, render_payload,
};
use super::resolve::{FunctionKey, Str};
use crate::otlp::common::{AnyValue, KeyValue, any_value::Value};
use crate::otlp::mapping::labels::{DecodedLabel, decode_value};
use crate::otlp::model::{
    Location, Mapping, Profile, ProfilesData, ProfilesDictionary, Sample, ScopeProfiles,
};
use crate::otlp::semconv;

/// What [`super::compare_otlp`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtlpView {
    /// Everything OTLP can say: the view for OTLP → OTLP checks and for pprof → OTLP → pprof
    /// → OTLP, where nothing may change.
    Everything,
    /// Only what a pprof can hold (docs/mapping.md, "Not representable in pprof"): the view
    /// for OTLP → pprof → OTLP, whose losses the translation's `Report` names instead.
    ///
    /// Ignored: resources (and which resource a scope sits in), scope name, version, schema
    /// URL and dropped count, scope attributes other than `pprof.scope.default_sample_type`,
    /// `pprof.scope.sample_type_order` (except for the Profile order it implies), scopes
    /// without Profiles, `profile_id`, dropped counts, the original payload, links, and
    /// mapping, location and Profile attributes that the mapping does not carry; dictionary
    /// entry 0 (pprof has no zero entries). Compared as pprof sees them: Profiles in pprof
    /// sample-type order, sample attributes as the labels they become, and samples with
    /// timestamps as their pprof samples (timestamps only: one sample whose value is the
    /// count; values and timestamps: one sample per observation).
    PprofRepresentable,
}

/// Compares `expected` with `actual`; see [`super::compare_otlp`].
pub(crate) fn compare(
    expected: &ProfilesData,
    actual: &ProfilesData,
    view: OtlpView,
) -> Vec<Difference> {
    let mut content = Content::new();
    let a = Side::new(expected, &mut content, view);
    let b = Side::new(actual, &mut content, view);
    let tables = Tables::new(&a, &b);
    let mut cmp = Comparison {
        a: &a,
        b: &b,
        c: content,
        view,
        t: tables,
        report: Report::default(),
        scratch: Scratch::default(),
    };
    let profiles = match view {
        OtlpView::Everything => cmp.envelope(),
        OtlpView::PprofRepresentable => cmp.envelope_pprof(),
    };
    cmp.t.pair_by_use(&a, &b, &profiles);
    cmp.dictionary();
    for pair in &profiles {
        cmp.samples(pair);
    }
    cmp.report.finish()
}

/// A reference inside a content key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RefKey {
    /// Index 0: no mapping, no function.
    None,
    /// An index outside its table.
    Missing(i32),
    /// The content id of the referenced entry.
    Content(u32),
}

/// A mapping's content (as the view sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct MappingKey {
    memory_start: u64,
    memory_limit: u64,
    file_offset: u64,
    filename: Str,
    attrs: u32,
}

/// A location's content, references replaced by content ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LocationKey {
    mapping: RefKey,
    address: u64,
    lines: Box<[(RefKey, i64, i64)]>,
    attrs: u32,
}

/// Everything interned, shared by both sides so that equal content has equal ids.
struct Content<'p> {
    pool: Pool<'p>,
    attr_sets: Interned<Box<[Attr]>>,
    mappings: Interned<MappingKey>,
    functions: Interned<FunctionKey>,
    locations: Interned<LocationKey>,
    empty_set: u32,
}

impl<'p> Content<'p> {
    fn new() -> Self {
        let pool = Pool::new();
        let mut attr_sets = Interned::default();
        let empty_set = attr_sets.intern(Box::default());
        Content {
            pool,
            attr_sets,
            mappings: Interned::default(),
            functions: Interned::default(),
            locations: Interned::default(),
            empty_set,
        }
    }

    /// A set of attributes as one id: sorted by key id (both sides share ids, so equal maps
    /// sort alike), same-key order kept.
    fn attr_set(&mut self, mut attrs: Vec<Attr>) -> u32 {
        if attrs.is_empty() {
            return self.empty_set;
        }
        attrs.sort_by_key(|a| key_rank(a.key));
        self.attr_sets.intern(attrs.into_boxed_slice())
    }

    /// The attribute standing for an attribute index outside the table: visible in a report,
    /// equal only to the same bad index.
    fn bad_attr(&mut self, index: i32) -> Attr {
        let marker = format!("<attribute index {index} out of range>");
        Attr {
            key: self.pool.text(Cow::Owned(marker)),
            value: self.pool.intern(ValKey::Missing(index)),
            unit: Str::EMPTY,
        }
    }

    fn text_attr(&mut self, key: &'static str, value: Str) -> Attr {
        let value = self.pool.intern(ValKey::Str(value));
        Attr {
            key: self.pool.str(key),
            value,
            unit: Str::EMPTY,
        }
    }

    fn bool_attr(&mut self, key: &'static str) -> Attr {
        let value = self.pool.intern(ValKey::Bool(true));
        Attr {
            key: self.pool.str(key),
            value,
            unit: Str::EMPTY,
        }
    }
}

/// Sort rank of a string id: ids first, then out-of-range indices.
fn key_rank(s: Str) -> (u8, i64) {
    match s {
        Str::Id(id) => (0, i64::from(id)),
        Str::OutOfRange(i) => (1, i),
    }
}

/// One payload, resolved for the view.
struct Side<'p> {
    data: &'p ProfilesData,
    dict: &'p ProfilesDictionary,
    strings: StringIds,
    /// Attribute-table entries resolved (the Everything view).
    attrs: Vec<Attr>,
    /// Attribute-table entries as the pprof labels they become (the pprof view).
    labels: Vec<Attr>,
    reached: Reached,
    mappings: Vec<MappingKey>,
    mapping_cid: Vec<u32>,
    functions: Vec<FunctionKey>,
    function_cid: Vec<u32>,
    location_attrs: Vec<u32>,
    location_cid: Vec<u32>,
    /// Entry 0 of each table (mapping, function, location) is layout, not information: the
    /// zero entry (Everything), or whatever it holds (pprof view; pprof never carries it).
    skip0: [bool; 3],
}

impl<'p> Side<'p> {
    fn new(data: &'p ProfilesData, c: &mut Content<'p>, view: OtlpView) -> Self {
        let dict = data.dictionary.as_ref().unwrap_or(&EMPTY_DICTIONARY);
        let strings = c.pool.strings(&dict.string_table);
        let pprof = view == OtlpView::PprofRepresentable;
        let attrs: Vec<Attr> = if pprof {
            Vec::new()
        } else {
            dict.attribute_table
                .iter()
                .map(|a| c.pool.table_attr(&strings, a))
                .collect()
        };
        let labels = if pprof {
            dict.attribute_table
                .iter()
                .map(|kvu| {
                    let unit = text_at(&dict.string_table, kvu.unit_strindex);
                    let mut decoded: Vec<DecodedLabel<'p>> = Vec::new();
                    // What cannot be a label exactly is approximated the way the translation
                    // does it; the translation's report names it.
                    let _ =
                        decode_value(kvu.value.as_ref(), unit, &dict.string_table, &mut decoded);
                    let labels: Box<[LabelKey]> = decoded
                        .into_iter()
                        .map(|l| LabelKey {
                            str: c.pool.text(l.str),
                            num: l.num,
                            unit: c.pool.str(l.unit),
                        })
                        .collect();
                    Attr {
                        key: strings.get(kvu.key_strindex),
                        value: c.pool.intern(ValKey::Labels(labels)),
                        unit: Str::EMPTY,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut side = Side {
            data,
            dict,
            strings,
            attrs,
            labels,
            reached: Reached::new(data, dict),
            mappings: Vec::with_capacity(dict.mapping_table.len()),
            mapping_cid: Vec::with_capacity(dict.mapping_table.len()),
            functions: Vec::with_capacity(dict.function_table.len()),
            function_cid: Vec::with_capacity(dict.function_table.len()),
            location_attrs: Vec::with_capacity(dict.location_table.len()),
            location_cid: Vec::with_capacity(dict.location_table.len()),
            skip0: [
                pprof || dict.mapping_table.first() == Some(&Mapping::default()),
                pprof
                    || dict.function_table.first()
                        == Some(&crate::otlp::model::Function::default()),
                pprof || dict.location_table.first() == Some(&Location::default()),
            ],
        };
        for m in &dict.mapping_table {
            let key = if pprof {
                side.pprof_mapping(m, c)
            } else {
                let attrs = side.entity_attrs(&m.attribute_indices, c, false);
                MappingKey {
                    memory_start: m.memory_start,
                    memory_limit: m.memory_limit,
                    file_offset: m.file_offset,
                    filename: side.strings.get(m.filename_strindex),
                    attrs,
                }
            };
            side.mappings.push(key);
            side.mapping_cid.push(c.mappings.intern(key));
        }
        for f in &dict.function_table {
            let key = FunctionKey {
                name: side.strings.get(f.name_strindex),
                system_name: side.strings.get(f.system_name_strindex),
                filename: side.strings.get(f.filename_strindex),
                start_line: f.start_line,
            };
            side.functions.push(key);
            side.function_cid.push(c.functions.intern(key));
        }
        for l in &dict.location_table {
            let attrs = if pprof {
                side.pprof_location_attrs(l, c)
            } else {
                side.entity_attrs(&l.attribute_indices, c, false)
            };
            let key = LocationKey {
                mapping: side.mapping_ref_key(l.mapping_index),
                address: l.address,
                lines: l
                    .lines
                    .iter()
                    .map(|line| {
                        (
                            side.function_ref_key(line.function_index),
                            line.line,
                            line.column,
                        )
                    })
                    .collect(),
                attrs,
            };
            side.location_attrs.push(attrs);
            side.location_cid.push(c.locations.intern(key));
        }
        side
    }

    fn mapping_ref_key(&self, m: i32) -> RefKey {
        match m {
            0 => RefKey::None,
            m => usize::try_from(m)
                .ok()
                .and_then(|m| self.mapping_cid.get(m))
                .map_or(RefKey::Missing(m), |&cid| RefKey::Content(cid)),
        }
    }

    fn function_ref_key(&self, f: i32) -> RefKey {
        match f {
            0 => RefKey::None,
            f => usize::try_from(f)
                .ok()
                .and_then(|f| self.function_cid.get(f))
                .map_or(RefKey::Missing(f), |&cid| RefKey::Content(cid)),
        }
    }

    /// The attributes at `indices`, resolved (Everything view).
    fn resolved(&self, indices: &[i32], c: &mut Content<'p>) -> Vec<Attr> {
        indices
            .iter()
            .map(
                |&a| match usize::try_from(a).ok().and_then(|a| self.attrs.get(a)) {
                    Some(attr) => *attr,
                    None => c.bad_attr(a),
                },
            )
            .collect()
    }

    fn entity_attrs(&self, indices: &[i32], c: &mut Content<'p>, profile: bool) -> u32 {
        if indices.is_empty() {
            return c.empty_set;
        }
        let mut attrs = self.resolved(indices, c);
        if profile {
            c.pool.normalize_comments(&mut attrs);
        }
        c.attr_set(attrs)
    }

    /// The key text and raw value of attribute-table entry `a`, for the pprof projections.
    fn table_entry(&self, a: i32) -> Option<(&'p str, Option<&'p AnyValue>)> {
        let kvu = usize::try_from(a)
            .ok()
            .and_then(|a| self.dict.attribute_table.get(a))?;
        Some((
            text_at(&self.dict.string_table, kvu.key_strindex),
            kvu.value.as_ref(),
        ))
    }

    /// A string attribute value in either form, as the translation reads it.
    fn string_value(&self, v: Option<&'p AnyValue>, c: &mut Content<'p>) -> Option<Str> {
        match v?.value.as_ref()? {
            Value::StringValue(s) => Some(c.pool.str(s)),
            Value::StringValueStrindex(i) => match self.strings.get(*i) {
                Str::Id(id) => Some(Str::Id(id)),
                Str::OutOfRange(_) => None,
            },
            _ => None,
        }
    }

    /// A mapping as its pprof mapping comes back: pprof's range (restored from
    /// `pprotel.mapping.memory_*`), one build id, the four `has_*` flags.
    fn pprof_mapping(&self, m: &'p Mapping, c: &mut Content<'p>) -> MappingKey {
        let (mut start, mut limit) = (m.memory_start, m.memory_limit);
        let mut build_ids: [Option<Str>; 3] = [None; 3];
        let mut flags = [false; 4];
        let flag_keys = [
            semconv::HAS_FUNCTIONS,
            semconv::HAS_FILENAMES,
            semconv::HAS_LINE_NUMBERS,
            semconv::HAS_INLINE_FRAMES,
        ];
        for &a in &m.attribute_indices {
            let Some((key, value)) = self.table_entry(a) else {
                continue;
            };
            let raw = value.and_then(|v| v.value.as_ref());
            match key {
                semconv::BUILD_ID_GNU => build_ids[0] = self.string_value(value, c),
                semconv::BUILD_ID_GO => build_ids[1] = self.string_value(value, c),
                semconv::BUILD_ID_HTLHASH => build_ids[2] = self.string_value(value, c),
                semconv::MAPPING_MEMORY_START => {
                    if let Some(Value::IntValue(v)) = raw {
                        start = *v as u64;
                    }
                }
                semconv::MAPPING_MEMORY_LIMIT => {
                    if let Some(Value::IntValue(v)) = raw {
                        limit = *v as u64;
                    }
                }
                key => {
                    if let (Some(n), Some(Value::BoolValue(b))) =
                        (flag_keys.iter().position(|&k| k == key), raw)
                    {
                        flags[n] = *b;
                    }
                }
            }
        }
        let build_id = build_ids.iter().flatten().next().copied();
        let mut attrs = vec![c.text_attr(semconv::BUILD_ID_GNU, build_id.unwrap_or(Str::EMPTY))];
        for (flag, key) in flags.iter().zip(flag_keys) {
            if *flag {
                attrs.push(c.bool_attr(key));
            }
        }
        MappingKey {
            memory_start: start,
            memory_limit: limit,
            file_offset: m.file_offset,
            filename: self.strings.get(m.filename_strindex),
            attrs: c.attr_set(attrs),
        }
    }

    /// A location's attributes as pprof carries them: only `is_folded`.
    fn pprof_location_attrs(&self, l: &'p Location, c: &mut Content<'p>) -> u32 {
        let mut folded = false;
        for &a in &l.attribute_indices {
            if let Some((semconv::IS_FOLDED, Some(value))) = self.table_entry(a)
                && let Some(Value::BoolValue(b)) = value.value
            {
                folded = b;
            }
        }
        if folded {
            let attr = c.bool_attr(semconv::IS_FOLDED);
            c.attr_set(vec![attr])
        } else {
            c.empty_set
        }
    }

    /// A Profile's attributes as pprof carries them: comments (both forms, as one list), drop
    /// and keep frames, doc URL; empty ones are absent in pprof.
    fn pprof_profile_attrs(&self, p: &'p Profile, c: &mut Content<'p>) -> u32 {
        let mut comments: Vec<Str> = Vec::new();
        let mut indexed: Vec<(u64, Str)> = Vec::new();
        let mut texts: [Option<Str>; 3] = [None; 3];
        let text_keys = [semconv::DROP_FRAMES, semconv::KEEP_FRAMES, semconv::DOC_URL];
        for &a in &p.attribute_indices {
            let Some((key, value)) = self.table_entry(a) else {
                continue;
            };
            let text = self.string_value(value, c);
            if key == semconv::COMMENT {
                match value.and_then(|v| v.value.as_ref()) {
                    Some(Value::ArrayValue(array)) => {
                        for element in &array.values {
                            let s = self.string_value(Some(element), c);
                            comments.push(s.unwrap_or(Str::EMPTY));
                        }
                    }
                    _ => comments.push(text.unwrap_or(Str::EMPTY)),
                }
            } else if let Some(n) = text_keys.iter().position(|&k| k == key) {
                if text.is_some() {
                    texts[n] = text;
                }
            } else if let (Some(n), Some(t)) = (
                key.strip_prefix(semconv::COMMENT_INDEXED_PREFIX)
                    .and_then(|n| n.parse::<u64>().ok()),
                text,
            ) {
                indexed.push((n, t));
            }
        }
        indexed.sort_by_key(|&(n, _)| n);
        comments.extend(indexed.into_iter().map(|(_, s)| s));
        let mut attrs = Vec::new();
        if !comments.is_empty() {
            let elements: Box<[ValId]> = comments
                .into_iter()
                .map(|s| c.pool.intern(ValKey::Str(s)))
                .collect();
            let value = c.pool.intern(ValKey::Array(elements));
            attrs.push(Attr {
                key: c.pool.str(semconv::COMMENT),
                value,
                unit: Str::EMPTY,
            });
        }
        for (text, key) in texts.iter().zip(text_keys) {
            if let Some(t) = text
                && *t != Str::EMPTY
            {
                attrs.push(c.text_attr(key, *t));
            }
        }
        c.attr_set(attrs)
    }

    /// The scope's default sample type as pprof keeps it (`""` when absent).
    fn pprof_default_sample_type(&self, sp: &'p ScopeProfiles, c: &mut Content<'p>) -> Str {
        let mut default = Str::EMPTY;
        for kv in sp.scope.iter().flat_map(|s| &s.attributes) {
            if c.pool.key(&self.strings, kv) == c.pool.str(semconv::DEFAULT_SAMPLE_TYPE)
                && let Some(s) = self.string_value(kv.value.as_ref(), c)
            {
                default = s;
            }
        }
        default
    }

    /// The Profiles of a scope in the order of the pprof sample types they become: the
    /// recorded `pprof.scope.sample_type_order` when it is a permutation, else the reference
    /// translator's swap of first and last; only for a scope that becomes one pprof.
    fn pprof_order(&self, sp: &'p ScopeProfiles, c: &mut Content<'p>) -> Vec<usize> {
        let n = sp.profiles.len();
        let identity: Vec<usize> = (0..n).collect();
        if n < 2 || !crate::otlp::mapping::aligned(&sp.profiles) {
            return identity;
        }
        let order_key = c.pool.str(semconv::SAMPLE_TYPE_ORDER);
        let recorded = sp
            .scope
            .iter()
            .flat_map(|s| &s.attributes)
            .find(|kv| c.pool.key(&self.strings, kv) == order_key)
            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                Value::ArrayValue(array) => array
                    .values
                    .iter()
                    .map(|v| match v.value {
                        Some(Value::IntValue(i)) => usize::try_from(i).ok(),
                        _ => None,
                    })
                    .collect::<Option<Vec<usize>>>(),
                _ => None,
            });
        let order = match recorded {
            Some(order) if is_permutation(&order, n) => order,
            _ => {
                let mut swapped = identity;
                swapped.swap(0, n - 1);
                swapped
            }
        };
        // order[k] is the pprof position of profiles[k]; list the profiles by position.
        let mut by_position = vec![0; n];
        for (k, &position) in order.iter().enumerate() {
            by_position[position] = k;
        }
        by_position
    }
}

fn is_permutation(order: &[usize], n: usize) -> bool {
    let mut seen = vec![false; n];
    order.len() == n
        && order
            .iter()
            .all(|&i| i < n && !std::mem::replace(&mut seen[i], true))
}

/// The string at `i`, `""` when out of range (the projections only read key texts).
fn text_at(table: &[String], i: i32) -> &str {
    usize::try_from(i)
        .ok()
        .and_then(|i| table.get(i))
        .map_or("", String::as_str)
}

/// How one dictionary table of the two sides pairs up.
struct TablePairing {
    corr: Correspondence,
    /// Entries never reported on their own: reached entries whose content the other side's
    /// samples reach too (duplicates the samples cannot tell apart), and unreached entries
    /// whose content only the other side reaches (they are unreached because the samples
    /// differ, which the samples report).
    absorbed: [Vec<bool>; 2],
    /// Per entry, the id its references compare by: its content id, or for an actual entry
    /// paired with a changed expected entry, that entry's content id.
    class: [Vec<u32>; 2],
    skip0: [bool; 2],
}

impl TablePairing {
    /// Pairs two entries a sample (or a paired location) uses at the same place, when both
    /// are still without a partner: the samples say they are the same entry, changed.
    fn pair_by_use(&mut self, i: usize, j: usize) -> bool {
        let usable =
            |side: usize, k: usize| !(self.absorbed[side][k] || k == 0 && self.skip0[side]);
        if usable(0, i) && usable(1, j) && self.corr.pair_if_free(i, j) {
            self.class[1][j] = self.class[0][i];
            return true;
        }
        false
    }
}

/// The inputs of pairing one table.
struct TableInput<'t> {
    cid: [&'t [u32]; 2],
    reached: [&'t [bool]; 2],
    skip0: [bool; 2],
}

impl TableInput<'_> {
    fn skipped(&self, side: usize, i: usize) -> bool {
        i == 0 && self.skip0[side]
    }

    /// Pairing key: content and reachability (reached entries pair only with reached ones),
    /// or a sentinel that pairs with nothing for skipped and absorbed entries.
    fn key(&self, side: usize, i: usize, absorbed: &[Vec<bool>; 2], cid: u32) -> u32 {
        if self.skipped(side, i) || absorbed[side][i] {
            return u32::MAX - side as u32;
        }
        cid.saturating_mul(2)
            .saturating_add(u32::from(self.reached[side][i]))
            .min(u32::MAX - 2)
    }

    /// The content ids that samples reach, per side.
    fn reached_content(&self, side: usize) -> HashSet<u32> {
        (0..self.cid[side].len())
            .filter(|&i| self.reached[side][i] && !self.skipped(side, i))
            .map(|i| self.cid[side][i])
            .collect()
    }
}

type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Pairs one table: equal content (same reachability) first, position before order; then
/// absorbs what is not reported alone (see [`TablePairing::absorbed`]); then `classes` (for
/// locations, content seen through the mapping and function pairing) if given; then the rest
/// by position, reached with reached. [`Tables::pair_by_use`] may pair more afterwards.
fn pair_table(input: &TableInput<'_>, classes: Option<[Vec<u32>; 2]>) -> TablePairing {
    let (na, nb) = (input.cid[0].len(), input.cid[1].len());
    let mut corr = Correspondence::new(na, nb);
    let mut absorbed = [vec![false; na], vec![false; nb]];
    let no_ids: (&[u64], &[u64]) = (&[], &[]);
    let side_of = |s: Which| usize::from(s == Which::Actual);
    corr.pair_equal(
        no_ids,
        |i, j| {
            input.key(0, i, &absorbed, input.cid[0][i])
                == input.key(1, j, &absorbed, input.cid[1][j])
        },
        |s, i| input.key(side_of(s), i, &absorbed, input.cid[side_of(s)][i]),
    );
    let all_paired = |c: &Correspondence| {
        c.a_to_b.iter().all(Option::is_some) && c.b_to_a.iter().all(Option::is_some)
    };
    if !all_paired(&corr) {
        let reached = [input.reached_content(0), input.reached_content(1)];
        for side in 0..2 {
            let other = 1 - side;
            for (i, flag) in absorbed[side].iter_mut().enumerate() {
                let unpaired = match side {
                    0 => corr.a_to_b[i].is_none(),
                    _ => corr.b_to_a[i].is_none(),
                };
                if !unpaired || input.skipped(side, i) {
                    continue;
                }
                let cid = input.cid[side][i];
                *flag = if input.reached[side][i] {
                    reached[other].contains(&cid)
                } else {
                    reached[other].contains(&cid) && !reached[side].contains(&cid)
                };
            }
        }
    }
    if let Some(classes) = classes
        && corr.has_leftovers()
    {
        corr.pair_equal(
            no_ids,
            |i, j| {
                input.key(0, i, &absorbed, classes[0][i])
                    == input.key(1, j, &absorbed, classes[1][j])
            },
            |s, i| input.key(side_of(s), i, &absorbed, classes[side_of(s)][i]),
        );
    }
    if corr.has_leftovers() {
        corr.pair_same_position(|i, j| {
            !input.skipped(0, i)
                && !input.skipped(1, j)
                && !absorbed[0][i]
                && !absorbed[1][j]
                && input.reached[0][i] == input.reached[1][j]
        });
    }
    let class_a = input.cid[0].to_vec();
    let class_b = (0..nb)
        .map(|j| corr.b_to_a[j].map_or(input.cid[1][j], |i| input.cid[0][i as usize]))
        .collect();
    TablePairing {
        corr,
        absorbed,
        class: [class_a, class_b],
        skip0: input.skip0,
    }
}

/// The pairing of the three dictionary tables.
struct Tables {
    mappings: TablePairing,
    functions: TablePairing,
    locations: TablePairing,
}

impl Tables {
    fn new(a: &Side<'_>, b: &Side<'_>) -> Self {
        let mappings = pair_table(
            &TableInput {
                cid: [&a.mapping_cid, &b.mapping_cid],
                reached: [&a.reached.mappings, &b.reached.mappings],
                skip0: [a.skip0[0], b.skip0[0]],
            },
            None,
        );
        let functions = pair_table(
            &TableInput {
                cid: [&a.function_cid, &b.function_cid],
                reached: [&a.reached.functions, &b.reached.functions],
                skip0: [a.skip0[1], b.skip0[1]],
            },
            None,
        );
        let input = TableInput {
            cid: [&a.location_cid, &b.location_cid],
            reached: [&a.reached.locations, &b.reached.locations],
            skip0: [a.skip0[2], b.skip0[2]],
        };
        // Locations that differ only through a changed mapping or function are the same
        // location: their keys with references as classes agree.
        let mut keys: Interned<LocationKey> = Interned::default();
        let mut classes = [Vec::new(), Vec::new()];
        for (side, s) in [a, b].into_iter().enumerate() {
            let class_ref = |pairing: &TablePairing, index: i32, len: usize| match index {
                0 => RefKey::None,
                i => match usize::try_from(i).ok().filter(|&i| i < len) {
                    Some(i) => RefKey::Content(pairing.class[side][i]),
                    None => RefKey::Missing(i),
                },
            };
            classes[side] = s
                .dict
                .location_table
                .iter()
                .zip(&s.location_attrs)
                .map(|(l, &attrs)| {
                    keys.intern(LocationKey {
                        mapping: class_ref(&mappings, l.mapping_index, s.mappings.len()),
                        address: l.address,
                        lines: l
                            .lines
                            .iter()
                            .map(|line| {
                                (
                                    class_ref(&functions, line.function_index, s.functions.len()),
                                    line.line,
                                    line.column,
                                )
                            })
                            .collect(),
                        attrs,
                    })
                })
                .collect();
        }
        let locations = pair_table(&input, Some(classes));
        Tables {
            mappings,
            functions,
            locations,
        }
    }

    /// Pairs the locations still without a partner that samples at the same position use at
    /// the same frame, then the mappings and functions those new pairs use at the same place:
    /// after a reordering of the dictionary, position says nothing, but the samples still say
    /// which location is which, so a changed location stays one difference.
    fn pair_by_use(&mut self, a: &Side<'_>, b: &Side<'_>, pairs: &[ProfilePair<'_>]) {
        if !self.locations.corr.has_leftovers() {
            return;
        }
        fn stack(dict: &ProfilesDictionary, s: i32) -> Option<&[i32]> {
            usize::try_from(s)
                .ok()
                .and_then(|s| dict.stack_table.get(s))
                .map(|st| st.location_indices.as_slice())
        }
        let in_range = |i: i32, n: usize| usize::try_from(i).ok().filter(|&i| i < n);
        let (la, lb) = (a.location_cid.len(), b.location_cid.len());
        let mut new_pairs = Vec::new();
        for pair in pairs {
            for (x, y) in pair.a.samples.iter().zip(&pair.b.samples) {
                let (Some(sa), Some(sb)) =
                    (stack(a.dict, x.stack_index), stack(b.dict, y.stack_index))
                else {
                    continue;
                };
                if sa.len() != sb.len() {
                    continue;
                }
                for (&i, &j) in sa.iter().zip(sb) {
                    if let (Some(i), Some(j)) = (in_range(i, la), in_range(j, lb))
                        && self.locations.pair_by_use(i, j)
                    {
                        new_pairs.push((i, j));
                    }
                }
                if !self.locations.corr.has_leftovers() {
                    break;
                }
            }
        }
        for (i, j) in new_pairs {
            let (x, y) = (&a.dict.location_table[i], &b.dict.location_table[j]);
            if let (Some(m), Some(n)) = (
                in_range(x.mapping_index, a.mapping_cid.len()).filter(|&m| m > 0),
                in_range(y.mapping_index, b.mapping_cid.len()).filter(|&n| n > 0),
            ) {
                self.mappings.pair_by_use(m, n);
            }
            if x.lines.len() == y.lines.len() {
                for (p, q) in x.lines.iter().zip(&y.lines) {
                    if let (Some(f), Some(g)) = (
                        in_range(p.function_index, a.function_cid.len()).filter(|&f| f > 0),
                        in_range(q.function_index, b.function_cid.len()).filter(|&g| g > 0),
                    ) {
                        self.functions.pair_by_use(f, g);
                    }
                }
            }
        }
    }
}

/// Two Profiles compared, and where (expected positions).
struct ProfilePair<'p> {
    path: String,
    a: &'p Profile,
    b: &'p Profile,
}

/// Reusable buffers for sample attributes.
#[derive(Default)]
struct Scratch {
    a: Vec<Attr>,
    b: Vec<Attr>,
}

struct Comparison<'c, 'p> {
    a: &'c Side<'p>,
    b: &'c Side<'p>,
    c: Content<'p>,
    view: OtlpView,
    t: Tables,
    report: Report,
    scratch: Scratch,
}

/// A sample as compared: in the pprof view, one pprof sample of an OTLP sample.
struct Projected<'p> {
    sample: &'p Sample,
    /// Position of the OTLP sample, and of the observation for a sample that becomes several.
    origin: (usize, Option<usize>),
    values: Values<'p>,
}

enum Values<'p> {
    Raw(&'p [i64]),
    One(i64),
}

impl Values<'_> {
    fn as_slice(&self) -> &[i64] {
        match self {
            Values::Raw(v) => v,
            Values::One(v) => std::slice::from_ref(v),
        }
    }
}

/// The pprof samples of a Profile's samples (docs/mapping.md, "sample shape").
fn project(samples: &[Sample]) -> Vec<Projected<'_>> {
    let mut out = Vec::with_capacity(samples.len());
    for (i, s) in samples.iter().enumerate() {
        let (v, n) = (s.values.len(), s.timestamps_unix_nano.len());
        match (v, n) {
            (0, n) if n > 0 => out.push(Projected {
                sample: s,
                origin: (i, None),
                values: Values::One(n as i64),
            }),
            (v, n) if v == n && v > 1 => {
                out.extend(s.values.iter().enumerate().map(|(k, &value)| Projected {
                    sample: s,
                    origin: (i, Some(k)),
                    values: Values::One(value),
                }))
            }
            _ => out.push(Projected {
                sample: s,
                origin: (i, None),
                values: Values::Raw(&s.values),
            }),
        }
    }
    out
}

fn render_list<T: std::fmt::Display>(values: &[T]) -> String {
    let parts: Vec<String> = values.iter().map(T::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// A link's trace and span ids.
type LinkIds<'d> = (&'d [u8], &'d [u8]);

/// A link's ids, `None` for no link (index 0, or an empty link), `Err` for a bad index.
fn link_of(dict: &ProfilesDictionary, index: i32) -> Result<Option<LinkIds<'_>>, i32> {
    if index == 0 {
        return Ok(None);
    }
    let link = usize::try_from(index)
        .ok()
        .and_then(|i| dict.link_table.get(i))
        .ok_or(index)?;
    if link.trace_id.is_empty() && link.span_id.is_empty() {
        Ok(None)
    } else {
        Ok(Some((&link.trace_id, &link.span_id)))
    }
}

impl<'c, 'p> Comparison<'c, 'p> {
    fn side(&self, which: usize) -> &'c Side<'p> {
        if which == 0 { self.a } else { self.b }
    }

    fn q(s: &str) -> String {
        quote(s.as_bytes())
    }

    // ---------------------------------------------------------------------------------------
    // Attributes

    /// Compares two attribute lists as key-sorted maps (same-key order kept), reporting at
    /// `prefix.attribute["key"]` in key order: a changed value, or a key only one side has.
    fn attrs(&mut self, prefix: &str, mut xa: Vec<Attr>, mut xb: Vec<Attr>) {
        let pool = &self.c.pool;
        pool.sort_by_key(&mut xa);
        pool.sort_by_key(&mut xb);
        if xa == xb {
            return;
        }
        let groups_a: Vec<&[Attr]> = xa.chunk_by(|x, y| x.key == y.key).collect();
        let groups_b: Vec<&[Attr]> = xb.chunk_by(|x, y| x.key == y.key).collect();
        let render = |g: &[Attr]| {
            let parts: Vec<String> = g.iter().map(|a| pool.render_attr_value(a)).collect();
            parts.join(", ")
        };
        let path = |key: Str| format!("{prefix}.attribute[{}]", pool.render_str(key));
        let report = &mut self.report;
        let (mut p, mut q) = (0, 0);
        while p < groups_a.len() || q < groups_b.len() {
            let order = match (groups_a.get(p), groups_b.get(q)) {
                (Some(ga), Some(gb)) => pool.cmp(ga[0].key, gb[0].key),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    let ga = groups_a[p];
                    report.only_in_expected(path(ga[0].key), render(ga));
                    p += 1;
                }
                std::cmp::Ordering::Greater => {
                    let gb = groups_b[q];
                    report.only_in_actual(path(gb[0].key), render(gb));
                    q += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (ga, gb) = (groups_a[p], groups_b[q]);
                    if ga != gb {
                        report.changed(path(ga[0].key), render(ga), render(gb));
                    }
                    p += 1;
                    q += 1;
                }
            }
        }
    }

    fn attr_sets(&mut self, prefix: &str, set_a: u32, set_b: u32) {
        if set_a != set_b {
            let xa = self.c.attr_sets.get(set_a).to_vec();
            let xb = self.c.attr_sets.get(set_b).to_vec();
            self.attrs(prefix, xa, xb);
        }
    }

    fn key_values(&mut self, which: usize, kvs: &'p [KeyValue]) -> Vec<Attr> {
        let side = self.side(which);
        let strings = &side.strings;
        kvs.iter()
            .map(|kv| self.c.pool.key_value(strings, kv))
            .collect()
    }

    // ---------------------------------------------------------------------------------------
    // Envelope

    fn envelope(&mut self) -> Vec<ProfilePair<'p>> {
        let mut pairs = Vec::new();
        let (ra, rb) = (
            &self.a.data.resource_profiles,
            &self.b.data.resource_profiles,
        );
        if ra.len() != rb.len() {
            self.report.count("resource".into(), ra.len(), rb.len());
        }
        for (r, (xa, xb)) in ra.iter().zip(rb).enumerate() {
            let path = format!("resource[{r}]");
            let empty = crate::otlp::resource::Resource::default();
            let (res_a, res_b) = (
                xa.resource.as_ref().unwrap_or(&empty),
                xb.resource.as_ref().unwrap_or(&empty),
            );
            let (la, lb) = (
                self.key_values(0, xa.resource.as_ref().map_or(&[], |r| &r.attributes)),
                self.key_values(1, xb.resource.as_ref().map_or(&[], |r| &r.attributes)),
            );
            self.attrs(&path, la, lb);
            self.report.scalar(
                || format!("{path}.dropped_attributes_count"),
                res_a.dropped_attributes_count,
                res_b.dropped_attributes_count,
                u32::to_string,
            );
            if res_a.entity_refs != res_b.entity_refs {
                let render = |refs: &[crate::otlp::common::EntityRef]| {
                    let parts: Vec<String> = refs.iter().map(render_entity_ref).collect();
                    format!("[{}]", parts.join(", "))
                };
                self.report.changed(
                    format!("{path}.entity_refs"),
                    render(&res_a.entity_refs),
                    render(&res_b.entity_refs),
                );
            }
            self.report.scalar(
                || format!("{path}.schema_url"),
                xa.schema_url.as_str(),
                xb.schema_url.as_str(),
                |s| Self::q(s),
            );
            let (sa, sb) = (&xa.scope_profiles, &xb.scope_profiles);
            if sa.len() != sb.len() {
                self.report
                    .count(format!("{path}.scope"), sa.len(), sb.len());
            }
            for (s, (spa, spb)) in sa.iter().zip(sb).enumerate() {
                let path = format!("{path}.scope[{s}]");
                self.scope(&path, spa, spb, &mut pairs);
            }
        }
        pairs
    }

    fn scope(
        &mut self,
        path: &str,
        spa: &'p ScopeProfiles,
        spb: &'p ScopeProfiles,
        pairs: &mut Vec<ProfilePair<'p>>,
    ) {
        let empty = Default::default();
        let (sca, scb) = (
            spa.scope.as_ref().unwrap_or(&empty),
            spb.scope.as_ref().unwrap_or(&empty),
        );
        let q = |s: &&str| Self::q(s);
        let r = &mut self.report;
        r.scalar(
            || format!("{path}.name"),
            sca.name.as_str(),
            scb.name.as_str(),
            q,
        );
        r.scalar(
            || format!("{path}.version"),
            sca.version.as_str(),
            scb.version.as_str(),
            q,
        );
        let (la, lb) = (
            self.key_values(0, spa.scope.as_ref().map_or(&[][..], |s| &s.attributes)),
            self.key_values(1, spb.scope.as_ref().map_or(&[][..], |s| &s.attributes)),
        );
        self.attrs(path, la, lb);
        self.report.scalar(
            || format!("{path}.dropped_attributes_count"),
            sca.dropped_attributes_count,
            scb.dropped_attributes_count,
            u32::to_string,
        );
        self.report.scalar(
            || format!("{path}.schema_url"),
            spa.schema_url.as_str(),
            spb.schema_url.as_str(),
            q,
        );
        let (pa, pb) = (&spa.profiles, &spb.profiles);
        if pa.len() != pb.len() {
            self.report
                .count(format!("{path}.profile"), pa.len(), pb.len());
        }
        for (p, (xa, xb)) in pa.iter().zip(pb).enumerate() {
            let path = format!("{path}.profile[{p}]");
            self.profile_fields(&path, xa, xb);
            pairs.push(ProfilePair { path, a: xa, b: xb });
        }
    }

    /// The pprof view of the envelope: scopes with Profiles, across resources, in order;
    /// their default sample type; their Profiles in pprof sample-type order.
    fn envelope_pprof(&mut self) -> Vec<ProfilePair<'p>> {
        let scopes = |d: &'p ProfilesData| -> Vec<(usize, usize, &'p ScopeProfiles)> {
            d.resource_profiles
                .iter()
                .enumerate()
                .flat_map(|(r, rp)| {
                    rp.scope_profiles
                        .iter()
                        .enumerate()
                        .filter(|(_, sp)| !sp.profiles.is_empty())
                        .map(move |(s, sp)| (r, s, sp))
                })
                .collect()
        };
        let (sa, sb) = (scopes(self.a.data), scopes(self.b.data));
        if sa.len() != sb.len() {
            self.report.count("scope".into(), sa.len(), sb.len());
        }
        let mut pairs = Vec::new();
        for (&(r, s, spa), &(_, _, spb)) in sa.iter().zip(&sb) {
            let path = format!("resource[{r}].scope[{s}]");
            let da = self.a.pprof_default_sample_type(spa, &mut self.c);
            let db = self.b.pprof_default_sample_type(spb, &mut self.c);
            if da != db {
                let pool = &self.c.pool;
                self.report.changed(
                    format!(
                        "{path}.attribute[{}]",
                        Self::q(semconv::DEFAULT_SAMPLE_TYPE)
                    ),
                    pool.render_str(da),
                    pool.render_str(db),
                );
            }
            let oa = self.a.pprof_order(spa, &mut self.c);
            let ob = self.b.pprof_order(spb, &mut self.c);
            if oa.len() != ob.len() {
                self.report
                    .count(format!("{path}.profile"), oa.len(), ob.len());
            }
            for (&ka, &kb) in oa.iter().zip(&ob) {
                let path = format!("{path}.profile[{ka}]");
                let (xa, xb) = (&spa.profiles[ka], &spb.profiles[kb]);
                self.profile_fields(&path, xa, xb);
                pairs.push(ProfilePair { path, a: xa, b: xb });
            }
        }
        pairs
    }

    fn profile_fields(&mut self, path: &str, pa: &'p Profile, pb: &'p Profile) {
        let value_type = |side: &Side<'_>, vt: Option<&crate::otlp::model::ValueType>| {
            let vt = vt.copied().unwrap_or_default();
            (
                side.strings.get(vt.type_strindex),
                side.strings.get(vt.unit_strindex),
            )
        };
        let pool = &self.c.pool;
        let render_vt =
            |&(t, u): &(Str, Str)| format!("({}, {})", pool.render_str(t), pool.render_str(u));
        let r = &mut self.report;
        r.scalar(
            || format!("{path}.sample_type"),
            value_type(self.a, pa.sample_type.as_ref()),
            value_type(self.b, pb.sample_type.as_ref()),
            render_vt,
        );
        r.scalar(
            || format!("{path}.time_unix_nano"),
            pa.time_unix_nano,
            pb.time_unix_nano,
            u64::to_string,
        );
        r.scalar(
            || format!("{path}.duration_nano"),
            pa.duration_nano,
            pb.duration_nano,
            u64::to_string,
        );
        r.scalar(
            || format!("{path}.period_type"),
            value_type(self.a, pa.period_type.as_ref()),
            value_type(self.b, pb.period_type.as_ref()),
            render_vt,
        );
        r.scalar(
            || format!("{path}.period"),
            pa.period,
            pb.period,
            i64::to_string,
        );
        if self.view == OtlpView::PprofRepresentable {
            let set_a = self.a.pprof_profile_attrs(pa, &mut self.c);
            let set_b = self.b.pprof_profile_attrs(pb, &mut self.c);
            self.attr_sets(path, set_a, set_b);
            return;
        }
        r.scalar(
            || format!("{path}.profile_id"),
            pa.profile_id.as_slice(),
            pb.profile_id.as_slice(),
            |id| render_id(id),
        );
        r.scalar(
            || format!("{path}.dropped_attributes_count"),
            pa.dropped_attributes_count,
            pb.dropped_attributes_count,
            u32::to_string,
        );
        if (&pa.original_payload_format, &pa.original_payload)
            != (&pb.original_payload_format, &pb.original_payload)
        {
            let actual = match (
                pa.original_payload.len() == pb.original_payload.len(),
                pa.original_payload
                    .iter()
                    .zip(&pb.original_payload)
                    .position(|(x, y)| x != y),
            ) {
                (true, Some(at)) => format!(
                    "{} (bytes differ from offset {at})",
                    render_payload(&pb.original_payload_format, &pb.original_payload)
                ),
                _ => render_payload(&pb.original_payload_format, &pb.original_payload),
            };
            r.changed(
                format!("{path}.original_payload"),
                render_payload(&pa.original_payload_format, &pa.original_payload),
                actual,
            );
        }
        let set_a = self
            .a
            .entity_attrs(&pa.attribute_indices, &mut self.c, true);
        let set_b = self
            .b
            .entity_attrs(&pb.attribute_indices, &mut self.c, true);
        self.attr_sets(path, set_a, set_b);
    }

    // ---------------------------------------------------------------------------------------
    // Dictionary

    fn dictionary(&mut self) {
        self.mappings();
        self.functions();
        self.locations();
    }

    /// Whether an entry without a partner is reported: dictionary entries that samples reach
    /// show up in the samples instead, absorbed duplicates and skipped zero entries not at all.
    fn reported_alone(
        &self,
        pairing: &TablePairing,
        which: usize,
        i: usize,
        reached: &[bool],
        skip0: bool,
    ) -> bool {
        let paired = match which {
            0 => pairing.corr.a_to_b[i].is_some(),
            _ => pairing.corr.b_to_a[i].is_some(),
        };
        !(paired || pairing.absorbed[which][i] || reached[i] || i == 0 && skip0)
    }

    fn render_mapping(&self, which: usize, m: usize) -> String {
        let side = self.side(which);
        let key = &side.mappings[m];
        let pool = &self.c.pool;
        format!(
            "{{memory_start: {}, memory_limit: {}, file_offset: {}, filename: {}, attributes: {}}}",
            hex(key.memory_start),
            hex(key.memory_limit),
            hex(key.file_offset),
            pool.render_str(key.filename),
            self.render_attr_set(key.attrs)
        )
    }

    fn render_attr_set(&self, set: u32) -> String {
        let pool = &self.c.pool;
        let mut attrs = self.c.attr_sets.get(set).to_vec();
        pool.sort_by_key(&mut attrs);
        let parts: Vec<String> = attrs
            .iter()
            .map(|a| format!("{}: {}", pool.render_str(a.key), pool.render_attr_value(a)))
            .collect();
        format!("{{{}}}", parts.join(", "))
    }

    fn render_function(&self, which: usize, f: usize) -> String {
        let key = &self.side(which).functions[f];
        let pool = &self.c.pool;
        format!(
            "{{name: {}, system_name: {}, filename: {}, start_line: {}}}",
            pool.render_str(key.name),
            pool.render_str(key.system_name),
            pool.render_str(key.filename),
            key.start_line
        )
    }

    fn render_mapping_ref(&self, which: usize, m: i32) -> String {
        let side = self.side(which);
        match m {
            0 => "none".to_owned(),
            m => match usize::try_from(m).ok().and_then(|i| side.mappings.get(i)) {
                Some(key) => format!("mapping[{m}] {}", self.c.pool.render_str(key.filename)),
                None => format!("<mapping index {m} out of range>"),
            },
        }
    }

    fn render_function_ref(&self, which: usize, f: i32) -> String {
        let side = self.side(which);
        match f {
            0 => "none".to_owned(),
            f => match usize::try_from(f).ok().and_then(|i| side.functions.get(i)) {
                Some(key) => format!("function[{f}] {}", self.c.pool.render_str(key.name)),
                None => format!("<function index {f} out of range>"),
            },
        }
    }

    fn render_location(&self, which: usize, l: usize) -> String {
        let side = self.side(which);
        let location = &side.dict.location_table[l];
        let lines: Vec<String> = location
            .lines
            .iter()
            .map(|line| {
                format!(
                    "{{function: {}, line: {}, column: {}}}",
                    self.render_function_ref(which, line.function_index),
                    line.line,
                    line.column
                )
            })
            .collect();
        format!(
            "{{address: {}, mapping: {}, line: [{}], attributes: {}}}",
            hex(location.address),
            self.render_mapping_ref(which, location.mapping_index),
            lines.join(", "),
            self.render_attr_set(side.location_attrs[l])
        )
    }

    fn render_location_ref(&self, which: usize, l: i32) -> String {
        let side = self.side(which);
        match usize::try_from(l)
            .ok()
            .filter(|&l| l < side.dict.location_table.len())
        {
            Some(i) => format!("location[{l}] {}", self.render_location(which, i)),
            None => format!("<location index {l} out of range>"),
        }
    }

    /// Whether two references into a table name the same thing: both none, the same bad index,
    /// or entries of one class (equal content, or a changed pair reported at the table).
    fn same_ref(pairing: &TablePairing, len: [usize; 2], ia: i32, ib: i32) -> bool {
        if ia == 0 || ib == 0 {
            return ia == ib;
        }
        let in_range = |i: i32, n: usize| usize::try_from(i).ok().filter(|&i| i < n);
        match (in_range(ia, len[0]), in_range(ib, len[1])) {
            (Some(i), Some(j)) => pairing.class[0][i] == pairing.class[1][j],
            (None, None) => ia == ib,
            _ => false,
        }
    }

    fn mappings(&mut self) {
        let (a, b) = (self.a, self.b);
        for i in 0..a.mappings.len() {
            let Some(j) = self.t.mappings.corr.a_to_b[i] else {
                if self.reported_alone(&self.t.mappings, 0, i, &a.reached.mappings, a.skip0[0]) {
                    let e = self.render_mapping(0, i);
                    self.report.only_in_expected(format!("mapping[{i}]"), e);
                }
                continue;
            };
            let (ma, mb) = (a.mappings[i], b.mappings[j as usize]);
            if ma == mb {
                continue;
            }
            let pool = &self.c.pool;
            let r = &mut self.report;
            let path = |field: &'static str| move || format!("mapping[{i}].{field}");
            let h = |v: &u64| hex(*v);
            r.scalar(path("memory_start"), ma.memory_start, mb.memory_start, h);
            r.scalar(path("memory_limit"), ma.memory_limit, mb.memory_limit, h);
            r.scalar(path("file_offset"), ma.file_offset, mb.file_offset, h);
            r.scalar(path("filename"), ma.filename, mb.filename, |s| {
                pool.render_str(*s)
            });
            self.attr_sets(&format!("mapping[{i}]"), ma.attrs, mb.attrs);
        }
        for j in 0..b.mappings.len() {
            if self.reported_alone(&self.t.mappings, 1, j, &b.reached.mappings, b.skip0[0]) {
                let e = self.render_mapping(1, j);
                self.report.only_in_actual(format!("mapping[{j}]"), e);
            }
        }
    }

    fn functions(&mut self) {
        let (a, b) = (self.a, self.b);
        for i in 0..a.functions.len() {
            let Some(j) = self.t.functions.corr.a_to_b[i] else {
                if self.reported_alone(&self.t.functions, 0, i, &a.reached.functions, a.skip0[1]) {
                    let e = self.render_function(0, i);
                    self.report.only_in_expected(format!("function[{i}]"), e);
                }
                continue;
            };
            let (fa, fb) = (a.functions[i], b.functions[j as usize]);
            if fa == fb {
                continue;
            }
            let pool = &self.c.pool;
            let r = &mut self.report;
            let path = |field: &'static str| move || format!("function[{i}].{field}");
            let s = |v: &Str| pool.render_str(*v);
            r.scalar(path("name"), fa.name, fb.name, s);
            r.scalar(path("system_name"), fa.system_name, fb.system_name, s);
            r.scalar(path("filename"), fa.filename, fb.filename, s);
            r.scalar(path("start_line"), fa.start_line, fb.start_line, |v| {
                v.to_string()
            });
        }
        for j in 0..b.functions.len() {
            if self.reported_alone(&self.t.functions, 1, j, &b.reached.functions, b.skip0[1]) {
                let e = self.render_function(1, j);
                self.report.only_in_actual(format!("function[{j}]"), e);
            }
        }
    }

    fn locations(&mut self) {
        let (a, b) = (self.a, self.b);
        let mapping_len = [a.mappings.len(), b.mappings.len()];
        let function_len = [a.functions.len(), b.functions.len()];
        for i in 0..a.location_cid.len() {
            let Some(j) = self.t.locations.corr.a_to_b[i] else {
                if self.reported_alone(&self.t.locations, 0, i, &a.reached.locations, a.skip0[2]) {
                    let e = self.render_location(0, i);
                    self.report.only_in_expected(format!("location[{i}]"), e);
                }
                continue;
            };
            let j = j as usize;
            if a.location_cid[i] == b.location_cid[j] {
                continue;
            }
            let (la, lb) = (&a.dict.location_table[i], &b.dict.location_table[j]);
            if !Self::same_ref(
                &self.t.mappings,
                mapping_len,
                la.mapping_index,
                lb.mapping_index,
            ) {
                let e = self.render_mapping_ref(0, la.mapping_index);
                let x = self.render_mapping_ref(1, lb.mapping_index);
                self.report.changed(format!("location[{i}].mapping"), e, x);
            }
            self.report.scalar(
                || format!("location[{i}].address"),
                la.address,
                lb.address,
                |v| hex(*v),
            );
            if la.lines.len() != lb.lines.len() {
                self.report.count(
                    format!("location[{i}].line"),
                    la.lines.len(),
                    lb.lines.len(),
                );
            } else {
                for (k, (x, y)) in la.lines.iter().zip(&lb.lines).enumerate() {
                    if !Self::same_ref(
                        &self.t.functions,
                        function_len,
                        x.function_index,
                        y.function_index,
                    ) {
                        let e = self.render_function_ref(0, x.function_index);
                        let f = self.render_function_ref(1, y.function_index);
                        self.report
                            .changed(format!("location[{i}].line[{k}].function"), e, f);
                    }
                    self.report.scalar(
                        || format!("location[{i}].line[{k}].line"),
                        x.line,
                        y.line,
                        i64::to_string,
                    );
                    self.report.scalar(
                        || format!("location[{i}].line[{k}].column"),
                        x.column,
                        y.column,
                        i64::to_string,
                    );
                }
            }
            let (sa, sb) = (a.location_attrs[i], b.location_attrs[j]);
            self.attr_sets(&format!("location[{i}]"), sa, sb);
        }
        for j in 0..b.location_cid.len() {
            if self.reported_alone(&self.t.locations, 1, j, &b.reached.locations, b.skip0[2]) {
                let e = self.render_location(1, j);
                self.report.only_in_actual(format!("location[{j}]"), e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Samples

    fn samples(&mut self, pair: &ProfilePair<'p>) {
        let (sa, sb) = (&pair.a.samples, &pair.b.samples);
        match self.view {
            OtlpView::Everything => {
                if sa.len() != sb.len() {
                    self.report
                        .count(format!("{}.sample", pair.path), sa.len(), sb.len());
                }
                for (i, (x, y)) in sa.iter().zip(sb).enumerate() {
                    let at = || format!("{}.sample[{i}]", pair.path);
                    self.sample(&at, x, y, &x.values, &y.values);
                }
            }
            OtlpView::PprofRepresentable => {
                let (pa, pb) = (project(sa), project(sb));
                if pa.len() != pb.len() {
                    self.report
                        .count(format!("{}.sample", pair.path), pa.len(), pb.len());
                }
                for (x, y) in pa.iter().zip(&pb) {
                    let at = || match x.origin {
                        (i, None) => format!("{}.sample[{i}]", pair.path),
                        (i, Some(k)) => format!("{}.sample[{i}].observation[{k}]", pair.path),
                    };
                    self.sample(
                        &at,
                        x.sample,
                        y.sample,
                        x.values.as_slice(),
                        y.values.as_slice(),
                    );
                }
            }
        }
    }

    fn sample(
        &mut self,
        at: &dyn Fn() -> String,
        x: &'p Sample,
        y: &'p Sample,
        values_a: &[i64],
        values_b: &[i64],
    ) {
        if values_a != values_b {
            self.report.changed(
                at() + ".values",
                render_list(values_a),
                render_list(values_b),
            );
        }
        if self.view == OtlpView::Everything {
            if x.timestamps_unix_nano != y.timestamps_unix_nano {
                self.report.changed(
                    at() + ".timestamps",
                    render_list(&x.timestamps_unix_nano),
                    render_list(&y.timestamps_unix_nano),
                );
            }
            if link_of(self.a.dict, x.link_index) != link_of(self.b.dict, y.link_index) {
                self.report.changed(
                    at() + ".link",
                    render_link(self.a.dict, x.link_index),
                    render_link(self.b.dict, y.link_index),
                );
            }
        }
        self.sample_attrs(at, x, y);
        self.stack(at, x, y);
    }

    fn sample_attrs(&mut self, at: &dyn Fn() -> String, x: &'p Sample, y: &'p Sample) {
        let mut scratch = std::mem::take(&mut self.scratch);
        self.collect_sample_attrs(0, &x.attribute_indices, &mut scratch.a);
        self.collect_sample_attrs(1, &y.attribute_indices, &mut scratch.b);
        if scratch.a != scratch.b {
            scratch.a.sort_by_key(|a| key_rank(a.key));
            scratch.b.sort_by_key(|a| key_rank(a.key));
            if self.view == OtlpView::PprofRepresentable {
                self.merge_same_keys(&mut scratch.a);
                self.merge_same_keys(&mut scratch.b);
            }
            if scratch.a != scratch.b {
                self.attrs(&at(), scratch.a.clone(), scratch.b.clone());
            }
        }
        self.scratch = scratch;
    }

    fn collect_sample_attrs(&mut self, which: usize, indices: &[i32], out: &mut Vec<Attr>) {
        out.clear();
        let side = if which == 0 { self.a } else { self.b };
        let table = match self.view {
            OtlpView::Everything => &side.attrs,
            OtlpView::PprofRepresentable => &side.labels,
        };
        for &a in indices {
            match usize::try_from(a).ok().and_then(|a| table.get(a)) {
                Some(attr) => out.push(*attr),
                None => out.push(self.c.bad_attr(a)),
            }
        }
    }

    /// pprof has no attribute boundaries: two attributes with one key (invalid OTLP) are one
    /// run of labels under that key, in order.
    fn merge_same_keys(&mut self, attrs: &mut Vec<Attr>) {
        if attrs.windows(2).all(|w| w[0].key != w[1].key) {
            return;
        }
        let mut merged: Vec<Attr> = Vec::with_capacity(attrs.len());
        for group in attrs.chunk_by(|x, y| x.key == y.key) {
            if group.len() == 1 {
                merged.push(group[0]);
                continue;
            }
            let mut labels: Vec<LabelKey> = Vec::new();
            for a in group {
                if let ValKey::Labels(l) = self.c.pool.value_key(a.value) {
                    labels.extend_from_slice(l);
                }
            }
            let value = self.c.pool.intern(ValKey::Labels(labels.into()));
            merged.push(Attr {
                key: group[0].key,
                value,
                unit: Str::EMPTY,
            });
        }
        *attrs = merged;
    }

    fn stack(&mut self, at: &dyn Fn() -> String, x: &'p Sample, y: &'p Sample) {
        let stack_of = |side: &Side<'p>, s: i32| -> Result<&'p [i32], i32> {
            usize::try_from(s)
                .ok()
                .and_then(|i| side.dict.stack_table.get(i))
                .map(|st| st.location_indices.as_slice())
                .ok_or(s)
        };
        let (sa, sb) = (
            stack_of(self.a, x.stack_index),
            stack_of(self.b, y.stack_index),
        );
        let (fa, fb) = match (sa, sb) {
            (Ok(fa), Ok(fb)) => (fa, fb),
            (Err(ia), Err(ib)) if ia == ib => return,
            _ => {
                let render = |s: Result<&[i32], i32>| match s {
                    Ok(frames) => format!("{} frames", frames.len()),
                    Err(i) => format!("<stack index {i} out of range>"),
                };
                self.report.changed(at() + ".stack", render(sa), render(sb));
                return;
            }
        };
        if fa.len() != fb.len() {
            self.report.count(at() + ".stack", fa.len(), fb.len());
            return;
        }
        let len = [self.a.location_cid.len(), self.b.location_cid.len()];
        for (k, (&la, &lb)) in fa.iter().zip(fb).enumerate() {
            if !self.same_location(len, la, lb) {
                let e = self.render_location_ref(0, la);
                let f = self.render_location_ref(1, lb);
                self.report.changed(format!("{}.stack[{k}]", at()), e, f);
            }
        }
    }

    /// Stack frames: unlike mapping and function references, index 0 is an entry (the zero
    /// location), not "none".
    fn same_location(&self, len: [usize; 2], la: i32, lb: i32) -> bool {
        let in_range = |i: i32, n: usize| usize::try_from(i).ok().filter(|&i| i < n);
        match (in_range(la, len[0]), in_range(lb, len[1])) {
            (Some(i), Some(j)) => self.t.locations.class[0][i] == self.t.locations.class[1][j],
            (None, None) => la == lb,
            _ => false,
        }
    }
}
