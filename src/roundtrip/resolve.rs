//! Resolving a pprof profile: every string index and id replaced by what it names.
//!
//! Both profiles of a comparison intern their strings into one [`Strings`] pool: equal bytes
//! get the same id on both sides, so the comparison compares integers, never strings. Table
//! entries compare directly by resolved content ([`MappingKey`], [`FunctionKey`], and a
//! location's fields with its references resolved through id indexes on demand); [`ContentIds`] interns that content into ids only for the entries
//! that need multiset matching, which in the common case (tables in the same order) is none.
//!
//! Broken references never panic: a string index outside the table resolves to
//! [`Str::OutOfRange`], an id naming no entry to [`Target::Missing`]; both render as visible
//! markers so a report still says something meaningful.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hash;

use super::correspond::to_u32;
use super::difference::{hex, quote};
use crate::pprof::{Label, Line, Location, Profile};

/// A resolved string: an interned id (equal bytes, equal id) or an index outside the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Str {
    /// Interned bytes.
    Id(u32),
    /// The profile referred to a string index its table does not have.
    OutOfRange(i64),
}

/// Assigns dense ids to distinct keys in first-seen order, so ids are deterministic.
#[derive(Debug)]
pub(crate) struct Interner<K> {
    ids: HashMap<K, u32>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            ids: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Interner<K> {
    /// The id of `key`, assigning the next one if it is new.
    pub(crate) fn intern(&mut self, key: K) -> u32 {
        let next = to_u32(self.ids.len());
        *self.ids.entry(key).or_insert(next)
    }
}

impl Hash for Str {
    /// One word per string, so content keys built from strings hash quickly; the two variants
    /// may collide in the hash, which equality then tells apart.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match *self {
            Str::Id(id) => state.write_u64(u64::from(id)),
            Str::OutOfRange(i) => state.write_u64(!(i as u64)),
        }
    }
}

impl Str {
    /// The empty string, interned first by every [`Strings`] pool: what an absent message
    /// field (such as `period_type`) reads as.
    pub(crate) const EMPTY: Str = Str::Id(0);
}

/// The string pool shared by both sides.
#[derive(Debug)]
pub(crate) struct Strings<'p> {
    ids: Interner<&'p [u8]>,
    texts: Vec<&'p [u8]>,
}

impl Default for Strings<'_> {
    fn default() -> Self {
        let mut strings = Strings {
            ids: Interner::default(),
            texts: Vec::new(),
        };
        strings.intern(b"");
        strings
    }
}

impl<'p> Strings<'p> {
    /// The id of `bytes`, assigning the next one if they are new.
    pub(crate) fn intern(&mut self, bytes: &'p [u8]) -> u32 {
        let id = self.ids.intern(bytes);
        if id as usize == self.texts.len() {
            self.texts.push(bytes);
        }
        id
    }

    /// Makes room for `additional` more strings, so interning a table does not rehash.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.ids.ids.reserve(additional);
        self.texts.reserve(additional);
    }

    /// The bytes of a resolved string; `None` when it was out of range.
    pub(crate) fn bytes(&self, s: Str) -> Option<&'p [u8]> {
        match s {
            Str::Id(id) => self.texts.get(id as usize).copied(),
            Str::OutOfRange(_) => None,
        }
    }

    /// True for the empty string (what index 0 names).
    pub(crate) fn is_empty(&self, s: Str) -> bool {
        self.bytes(s).is_some_and(<[u8]>::is_empty)
    }

    /// The string quoted for a report, or a marker for a bad index.
    pub(crate) fn render(&self, s: Str) -> String {
        match self.bytes(s) {
            Some(bytes) => quote(bytes),
            None => match s {
                Str::OutOfRange(i) => format!("<string index {i} out of range>"),
                Str::Id(id) => format!("<string id {id} unknown>"),
            },
        }
    }

    /// Orders strings by their bytes (bad indices last, by index): the order labels are
    /// grouped in, independent of either string table.
    pub(crate) fn cmp(&self, a: Str, b: Str) -> Ordering {
        match (self.bytes(a), self.bytes(b)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => match (a, b) {
                (Str::OutOfRange(x), Str::OutOfRange(y)) => x.cmp(&y),
                _ => Ordering::Equal,
            },
        }
    }
}

/// A mapping's content: every field but its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct MappingKey {
    pub(crate) memory_start: u64,
    pub(crate) memory_limit: u64,
    pub(crate) file_offset: u64,
    pub(crate) filename: Str,
    pub(crate) build_id: Str,
    pub(crate) has_functions: bool,
    pub(crate) has_filenames: bool,
    pub(crate) has_line_numbers: bool,
    pub(crate) has_inline_frames: bool,
}

/// A function's content: every field but its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FunctionKey {
    pub(crate) name: Str,
    pub(crate) system_name: Str,
    pub(crate) filename: Str,
    pub(crate) start_line: i64,
}

/// What an id in the profile points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// Id 0: deliberately nothing (a location without mapping, a line without function).
    None,
    /// A nonzero id that no entry of the table carries.
    Missing(u64),
    /// The table position of the entry carrying the id.
    Entry(u32),
}

/// A resolved label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResolvedLabel {
    pub(crate) key: Str,
    pub(crate) str: Str,
    pub(crate) num: i64,
    pub(crate) num_unit: Str,
}

/// Id → table position. Ids are usually small and dense (1..n), so a vector beats a hash map;
/// sparse or huge ids fall back to the map. The first entry carrying an id wins (a duplicate
/// id is invalid pprof; resolving it one fixed way keeps the comparison deterministic).
#[derive(Debug)]
enum IdIndex {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

impl IdIndex {
    fn new(ids: &[u64]) -> Self {
        let max = ids.iter().copied().max().unwrap_or(0);
        let dense_limit = (ids.len() as u64).saturating_mul(2).saturating_add(64);
        if max <= dense_limit {
            let mut positions = vec![u32::MAX; max as usize + 1];
            for (i, &id) in ids.iter().enumerate().rev() {
                positions[id as usize] = to_u32(i);
            }
            IdIndex::Dense(positions)
        } else {
            let mut positions = HashMap::with_capacity(ids.len());
            for (i, &id) in ids.iter().enumerate() {
                positions.entry(id).or_insert(to_u32(i));
            }
            IdIndex::Sparse(positions)
        }
    }

    /// Resolves a reference; id 0 means "none" wherever pprof allows it.
    fn target(&self, id: u64) -> Target {
        if id == 0 {
            return Target::None;
        }
        let position = match self {
            IdIndex::Dense(positions) => usize::try_from(id)
                .ok()
                .and_then(|i| positions.get(i))
                .copied()
                .filter(|&p| p != u32::MAX),
            IdIndex::Sparse(positions) => positions.get(&id).copied(),
        };
        position.map_or(Target::Missing(id), Target::Entry)
    }
}

/// One pprof profile with every string and id resolved; strings go into the shared pool.
#[derive(Debug)]
pub(crate) struct ResolvedPprof<'p> {
    /// The profile itself: scalar fields and sample values are read from it directly.
    pub(crate) profile: &'p Profile,
    strings: Vec<u32>,
    /// Mapping content, by table position.
    pub(crate) mappings: Vec<MappingKey>,
    /// Mapping ids, by table position.
    pub(crate) mapping_ids: Vec<u64>,
    /// Function content, by table position.
    pub(crate) functions: Vec<FunctionKey>,
    /// Function ids, by table position.
    pub(crate) function_ids: Vec<u64>,
    /// Location ids, by table position.
    pub(crate) location_ids: Vec<u64>,
    mapping_index: IdIndex,
    function_index: IdIndex,
    location_index: IdIndex,
}

impl<'p> ResolvedPprof<'p> {
    /// Resolves `profile`, interning its strings into `strings`.
    pub(crate) fn new(profile: &'p Profile, strings: &mut Strings<'p>) -> Self {
        let string_ids: Vec<u32> = profile
            .string_table
            .iter()
            .map(|s| strings.intern(s))
            .collect();
        let str_of = |i: i64| resolve_str(&string_ids, i);

        let mappings = profile
            .mapping
            .iter()
            .map(|m| MappingKey {
                memory_start: m.memory_start,
                memory_limit: m.memory_limit,
                file_offset: m.file_offset,
                filename: str_of(m.filename),
                build_id: str_of(m.build_id),
                has_functions: m.has_functions,
                has_filenames: m.has_filenames,
                has_line_numbers: m.has_line_numbers,
                has_inline_frames: m.has_inline_frames,
            })
            .collect();
        let mapping_ids: Vec<u64> = profile.mapping.iter().map(|m| m.id).collect();
        let mapping_index = IdIndex::new(&mapping_ids);

        let functions = profile
            .function
            .iter()
            .map(|f| FunctionKey {
                name: str_of(f.name),
                system_name: str_of(f.system_name),
                filename: str_of(f.filename),
                start_line: f.start_line,
            })
            .collect();
        let function_ids: Vec<u64> = profile.function.iter().map(|f| f.id).collect();
        let function_index = IdIndex::new(&function_ids);

        let location_ids: Vec<u64> = profile.location.iter().map(|l| l.id).collect();
        let location_index = IdIndex::new(&location_ids);

        ResolvedPprof {
            profile,
            strings: string_ids,
            mappings,
            mapping_ids,
            functions,
            function_ids,
            location_ids,
            mapping_index,
            function_index,
            location_index,
        }
    }

    /// The string a string-table index names.
    pub(crate) fn str(&self, index: i64) -> Str {
        resolve_str(&self.strings, index)
    }

    /// Location `i`, as decoded. Its references resolve through [`Self::mapping_of`] and
    /// [`Self::function_of`] when needed, which is cheaper than resolving every location up
    /// front (tables usually line up, and then most are compared once).
    pub(crate) fn location(&self, i: usize) -> &'p Location {
        &self.profile.location[i]
    }

    /// The mapping a location names.
    pub(crate) fn mapping_of(&self, location: &Location) -> Target {
        self.mapping_index.target(location.mapping_id)
    }

    /// The function a line names.
    pub(crate) fn function_of(&self, line: &Line) -> Target {
        self.function_index.target(line.function_id)
    }

    /// The location a sample's location id names.
    pub(crate) fn location_target(&self, id: u64) -> Target {
        match self.location_index.target(id) {
            // A sample frame cannot be "no location": id 0 is a dangling reference there.
            Target::None => Target::Missing(0),
            target => target,
        }
    }

    /// A label with its strings resolved.
    pub(crate) fn label(&self, label: &Label) -> ResolvedLabel {
        ResolvedLabel {
            key: self.str(label.key),
            str: self.str(label.str),
            num: label.num,
            num_unit: self.str(label.num_unit),
        }
    }

    /// A mapping in full, for "only in" reports.
    pub(crate) fn render_mapping(&self, strings: &Strings<'_>, i: usize) -> String {
        let m = &self.mappings[i];
        format!(
            "{{memory_start: {}, memory_limit: {}, file_offset: {}, filename: {}, build_id: {}, \
             has_functions: {}, has_filenames: {}, has_line_numbers: {}, has_inline_frames: {}}}",
            hex(m.memory_start),
            hex(m.memory_limit),
            hex(m.file_offset),
            strings.render(m.filename),
            strings.render(m.build_id),
            m.has_functions,
            m.has_filenames,
            m.has_line_numbers,
            m.has_inline_frames
        )
    }

    /// A function in full, for "only in" reports.
    pub(crate) fn render_function(&self, strings: &Strings<'_>, i: usize) -> String {
        let f = &self.functions[i];
        format!(
            "{{name: {}, system_name: {}, filename: {}, start_line: {}}}",
            strings.render(f.name),
            strings.render(f.system_name),
            strings.render(f.filename),
            f.start_line
        )
    }

    /// A location's mapping reference, short: position and file name.
    pub(crate) fn render_mapping_ref(&self, strings: &Strings<'_>, target: Target) -> String {
        match target {
            Target::None => "none".to_owned(),
            Target::Missing(id) => format!("<missing mapping id {id}>"),
            Target::Entry(i) => format!(
                "mapping[{i}] {}",
                strings.render(self.mappings[i as usize].filename)
            ),
        }
    }

    /// A line's function reference, short: position and name.
    pub(crate) fn render_function_ref(&self, strings: &Strings<'_>, target: Target) -> String {
        match target {
            Target::None => "none".to_owned(),
            Target::Missing(id) => format!("<missing function id {id}>"),
            Target::Entry(i) => format!(
                "function[{i}] {}",
                strings.render(self.functions[i as usize].name)
            ),
        }
    }

    /// A location in full (references short), for "only in" reports and sample frames.
    pub(crate) fn render_location(&self, strings: &Strings<'_>, i: usize) -> String {
        let l = self.location(i);
        let lines: Vec<String> = l
            .line
            .iter()
            .map(|line| {
                format!(
                    "{{function: {}, line: {}, column: {}}}",
                    self.render_function_ref(strings, self.function_of(line)),
                    line.line,
                    line.column
                )
            })
            .collect();
        format!(
            "{{address: {}, mapping: {}, line: [{}], is_folded: {}}}",
            hex(l.address),
            self.render_mapping_ref(strings, self.mapping_of(l)),
            lines.join(", "),
            l.is_folded
        )
    }

    /// A sample frame: the location's position and content, or the dangling id.
    pub(crate) fn render_location_ref(&self, strings: &Strings<'_>, target: Target) -> String {
        match target {
            Target::None | Target::Missing(0) => "<missing location id 0>".to_owned(),
            Target::Missing(id) => format!("<missing location id {id}>"),
            Target::Entry(i) => format!(
                "location[{i}] {}",
                self.render_location(strings, i as usize)
            ),
        }
    }
}

/// Whether two references name equal content: both none, the same dangling id, or entries
/// that `entries_equal` says are equal.
pub(crate) fn same_target(
    ta: Target,
    tb: Target,
    entries_equal: impl FnOnce(usize, usize) -> bool,
) -> bool {
    match (ta, tb) {
        (Target::None, Target::None) => true,
        (Target::Missing(x), Target::Missing(y)) => x == y,
        (Target::Entry(i), Target::Entry(j)) => entries_equal(i as usize, j as usize),
        _ => false,
    }
}

/// Whether location `i` of `a` and location `j` of `b` have equal content: the same mapping
/// content, address, lines (function content, line, column, in order) and folding.
pub(crate) fn location_content_equal(
    a: &ResolvedPprof<'_>,
    i: usize,
    b: &ResolvedPprof<'_>,
    j: usize,
) -> bool {
    let (la, lb) = (a.location(i), b.location(j));
    la.address == lb.address
        && la.is_folded == lb.is_folded
        && la.line.len() == lb.line.len()
        && same_target(a.mapping_of(la), b.mapping_of(lb), |x, y| {
            a.mappings[x] == b.mappings[y]
        })
        && la.line.iter().zip(&lb.line).all(|(x, y)| {
            x.line == y.line
                && x.column == y.column
                && same_target(a.function_of(x), b.function_of(y), |f, g| {
                    a.functions[f] == b.functions[g]
                })
        })
}

/// A reference inside a content key: nothing, a dangling id, or the referenced content's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RefKey {
    None,
    Missing(u64),
    Content(u32),
}

/// A location's content, with mapping and functions replaced by their content ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LocationKey {
    mapping: RefKey,
    address: u64,
    lines: Box<[(RefKey, i64, i64)]>,
    is_folded: bool,
}

/// Content ids shared by both sides (equal content, equal id), interned on demand for the
/// entries that multiset matching needs.
#[derive(Debug, Default)]
pub(crate) struct ContentIds {
    mappings: Interner<MappingKey>,
    functions: Interner<FunctionKey>,
    locations: Interner<LocationKey>,
}

impl ContentIds {
    /// The content id of mapping `i` of `side`.
    pub(crate) fn mapping(&mut self, side: &ResolvedPprof<'_>, i: usize) -> u32 {
        self.mappings.intern(side.mappings[i])
    }

    /// The content id of function `i` of `side`.
    pub(crate) fn function(&mut self, side: &ResolvedPprof<'_>, i: usize) -> u32 {
        self.functions.intern(side.functions[i])
    }

    /// The content id of location `i` of `side`, its references resolved to content.
    pub(crate) fn location(&mut self, side: &ResolvedPprof<'_>, i: usize) -> u32 {
        let l = side.location(i);
        let mapping = match side.mapping_of(l) {
            Target::None => RefKey::None,
            Target::Missing(id) => RefKey::Missing(id),
            Target::Entry(m) => RefKey::Content(self.mapping(side, m as usize)),
        };
        let lines = l
            .line
            .iter()
            .map(|line| {
                let function = match side.function_of(line) {
                    Target::None => RefKey::None,
                    Target::Missing(id) => RefKey::Missing(id),
                    Target::Entry(f) => RefKey::Content(self.function(side, f as usize)),
                };
                (function, line.line, line.column)
            })
            .collect();
        self.locations.intern(LocationKey {
            mapping,
            address: l.address,
            lines,
            is_folded: l.is_folded,
        })
    }
}

fn resolve_str(strings: &[u32], index: i64) -> Str {
    usize::try_from(index)
        .ok()
        .and_then(|i| strings.get(i))
        .map_or(Str::OutOfRange(index), |&id| Str::Id(id))
}

/// A label for a report: `"key"="value"` for string labels, `"key"=42 "unit"` for numeric ones,
/// every field when both a string and a number are set.
pub(crate) fn render_label(strings: &Strings<'_>, label: &ResolvedLabel) -> String {
    let key = strings.render(label.key);
    let has_str = !strings.is_empty(label.str);
    let has_num = label.num != 0 || !strings.is_empty(label.num_unit);
    match (has_str, has_num) {
        (_, false) => format!("{key}={}", strings.render(label.str)),
        (false, true) if strings.is_empty(label.num_unit) => format!("{key}={}", label.num),
        (false, true) => format!("{key}={} {}", label.num, strings.render(label.num_unit)),
        (true, true) => format!(
            "{key}={{str: {}, num: {}, num_unit: {}}}",
            strings.render(label.str),
            label.num,
            strings.render(label.num_unit)
        ),
    }
}
