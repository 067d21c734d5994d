//! pprof validity rules (google/pprof `CheckValid` and its decode-time checks).
//!
//! A profile that passes [`check`] is one `go tool pprof` accepts: the rules are those of
//! google/pprof `profile.CheckValid` plus the string-table checks its decoder performs while
//! resolving indices (`postDecode`). Go stops at the first problem; [`check`] reports all of them,
//! in document (field-number) order, so one run shows everything that needs fixing.
//!
//! Deliberate differences from Go, all documented at the rule:
//! - A location's nonzero `mapping_id` that names no mapping is reported as
//!   [`Rule::UnknownId`]. Go's decoder silently turns it into "no mapping", losing the
//!   reference; a lossless converter cannot carry a dangling mapping reference either.
//! - Every string index is checked, including a label's `num_unit` when the label is a string
//!   label (Go resolves `num_unit` only for numeric labels and never looks at it otherwise).
//! - When the string table is empty, index 0 is not reported again at every field that uses it:
//!   the one [`Rule::StringTableFirstNotEmpty`] violation names the cause.
//! - A value-count mismatch is not reported when `sample_type` is empty: the single
//!   [`Rule::MissingSampleType`] violation already covers every sample.
//! - Wire-level checks Go makes while parsing (empty input, a repeated `time_nanos` field that
//!   reveals concatenated profiles) cannot be seen on a decoded [`Profile`]: the decoder makes
//!   them ([`crate::input`] and [`super::decode`]), so such a file is an error, not a violation.

use std::collections::HashMap;

use super::model::Profile;
use crate::validate::{Path, Rule, Violation};

/// Every google/pprof validity violation of `profile`, in document order; empty when valid.
///
/// Never panics, whatever the profile holds.
pub fn check(profile: &Profile) -> Vec<Violation> {
    let mut checker = Checker {
        profile,
        out: Vec::new(),
    };
    checker.run();
    checker.out
}

struct Checker<'p> {
    profile: &'p Profile,
    out: Vec<Violation>,
}

/// Which id-bearing table an id belongs to, for messages.
#[derive(Clone, Copy)]
enum Table {
    Mapping,
    Location,
    Function,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Mapping => "mapping",
            Table::Location => "location",
            Table::Function => "function",
        }
    }
}

impl<'p> Checker<'p> {
    fn run(&mut self) {
        let p = self.profile;
        let root = Path::ROOT;
        let mapping_ids = ids(p.mapping.iter().map(|m| m.id));
        let location_ids = ids(p.location.iter().map(|l| l.id));
        let function_ids = ids(p.function.iter().map(|f| f.id));

        // 1: sample_type
        if p.sample_type.is_empty() && !p.sample.is_empty() {
            self.push(
                &root.field("sample_type"),
                Rule::MissingSampleType,
                format!(
                    "{} samples but no sample_type: the values have no meaning",
                    p.sample.len()
                ),
            );
        }
        for (i, st) in p.sample_type.iter().enumerate() {
            let at = root.at("sample_type", i);
            self.string(&at.field("type"), st.r#type);
            self.string(&at.field("unit"), st.unit);
        }

        // 2: sample
        for (i, sample) in p.sample.iter().enumerate() {
            let at = root.at("sample", i);
            for (j, &id) in sample.location_id.iter().enumerate() {
                // Go resolves location ids through a table that includes id 0 when some location
                // (invalidly) carries it, so 0 is not special here: it resolves iff a location has it.
                // That location is reported as reserved-id below; the translator goes further and
                // refuses a frame naming id 0, which it treats as dangling.
                if !location_ids.contains_key(&id) {
                    self.push(
                        &at.at("location_id", j),
                        Rule::UnknownId,
                        format!("location id {id} names no location"),
                    );
                }
            }
            if !p.sample_type.is_empty() && sample.value.len() != p.sample_type.len() {
                self.push(
                    &at.field("value"),
                    Rule::MismatchedValueCount,
                    format!(
                        "{} values for {} sample types",
                        sample.value.len(),
                        p.sample_type.len()
                    ),
                );
            }
            for (k, label) in sample.label.iter().enumerate() {
                let at = at.at("label", k);
                self.string(&at.field("key"), label.key);
                self.string(&at.field("str"), label.str);
                self.string(&at.field("num_unit"), label.num_unit);
            }
        }

        // 3: mapping
        for (i, m) in p.mapping.iter().enumerate() {
            let at = root.at("mapping", i);
            self.id(&at, Table::Mapping, m.id, i, &mapping_ids);
            self.string(&at.field("filename"), m.filename);
            self.string(&at.field("build_id"), m.build_id);
        }

        // 4: location
        for (i, loc) in p.location.iter().enumerate() {
            let at = root.at("location", i);
            self.id(&at, Table::Location, loc.id, i, &location_ids);
            // mapping_id 0 means "no mapping".
            if loc.mapping_id != 0 && !mapping_ids.contains_key(&loc.mapping_id) {
                self.push(
                    &at.field("mapping_id"),
                    Rule::UnknownId,
                    format!("mapping id {} names no mapping", loc.mapping_id),
                );
            }
            for (k, line) in loc.line.iter().enumerate() {
                let at = at.at("line", k);
                let id = line.function_id;
                if id == 0 {
                    self.push(
                        &at.field("function_id"),
                        Rule::UnknownId,
                        "function id 0: the line has no function",
                    );
                } else if !function_ids.contains_key(&id) {
                    self.push(
                        &at.field("function_id"),
                        Rule::UnknownId,
                        format!("function id {id} names no function"),
                    );
                }
            }
        }

        // 5: function
        for (i, f) in p.function.iter().enumerate() {
            let at = root.at("function", i);
            self.id(&at, Table::Function, f.id, i, &function_ids);
            self.string(&at.field("name"), f.name);
            self.string(&at.field("system_name"), f.system_name);
            self.string(&at.field("filename"), f.filename);
        }

        // 6: string_table
        match p.string_table.first() {
            None => self.push(
                &root.field("string_table"),
                Rule::StringTableFirstNotEmpty,
                "string_table is empty; it must start with \"\"",
            ),
            Some(first) if !first.is_empty() => self.push(
                &root.at("string_table", 0),
                Rule::StringTableFirstNotEmpty,
                format!(
                    "string_table[0] must be \"\", found {:?}",
                    String::from_utf8_lossy(first)
                ),
            ),
            Some(_) => {}
        }

        // 7..15: profile-level string indices.
        self.string(&root.field("drop_frames"), p.drop_frames);
        self.string(&root.field("keep_frames"), p.keep_frames);
        if let Some(pt) = &p.period_type {
            let at = root.field("period_type");
            self.string(&at.field("type"), pt.r#type);
            self.string(&at.field("unit"), pt.unit);
        }
        for (i, &c) in p.comment.iter().enumerate() {
            self.string(&root.at("comment", i), c);
        }
        self.string(&root.field("default_sample_type"), p.default_sample_type);
        self.string(&root.field("doc_url"), p.doc_url);
    }

    /// Reports a string index outside the string table. Index 0 is never reported: it is in range
    /// whenever the table is valid, and an empty table is reported once, at `string_table`.
    fn string(&mut self, at: &Path<'_>, index: i64) {
        let len = self.profile.string_table.len();
        if index == 0 {
            return;
        }
        let in_range = usize::try_from(index).is_ok_and(|i| i < len);
        if !in_range {
            let what = if index < 0 {
                "negative"
            } else {
                "out of range"
            };
            self.push(
                at,
                Rule::StrindexOutOfRange,
                format!("string index {index} is {what}: string_table has {len} entries"),
            );
        }
    }

    /// Reports a reserved (0) or duplicated id of entry `position` of `table`. `first` maps each
    /// id to the position of its first holder.
    fn id(
        &mut self,
        at: &Path<'_>,
        table: Table,
        id: u64,
        position: usize,
        first: &HashMap<u64, usize>,
    ) {
        if id == 0 {
            self.push(
                &at.field("id"),
                Rule::ReservedId,
                format!("{} id 0 is reserved", table.name()),
            );
        } else if let Some(&earlier) = first.get(&id).filter(|&&earlier| earlier != position) {
            self.push(
                &at.field("id"),
                Rule::DuplicateId,
                format!(
                    "{} id {id} is already used by {}[{earlier}]",
                    table.name(),
                    table.name()
                ),
            );
        }
    }

    fn push(&mut self, at: &Path<'_>, rule: Rule, message: impl Into<String>) {
        self.out.push(Violation::new(at.render(), rule, message));
    }
}

/// Maps each id to the position of the first entry holding it.
fn ids(ids: impl Iterator<Item = u64>) -> HashMap<u64, usize> {
    let mut map = HashMap::new();
    for (position, id) in ids.enumerate() {
        map.entry(id).or_insert(position);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pprof::model::{Function, Line, Location, Mapping, Sample, ValueType};

    fn valid() -> Profile {
        Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            sample: vec![Sample {
                location_id: vec![1],
                value: vec![7],
                label: vec![],
            }],
            mapping: vec![Mapping {
                id: 1,
                memory_start: 0x1000,
                memory_limit: 0x2000,
                filename: 3,
                ..Mapping::default()
            }],
            location: vec![Location {
                id: 1,
                mapping_id: 1,
                address: 0x1234,
                line: vec![Line {
                    function_id: 1,
                    line: 3,
                    column: 0,
                }],
                is_folded: false,
            }],
            function: vec![Function {
                id: 1,
                name: 4,
                ..Function::default()
            }],
            string_table: ["", "cpu", "nanoseconds", "/bin/x", "main"]
                .map(|s| s.as_bytes().to_vec())
                .to_vec(),
            ..Profile::default()
        }
    }

    #[test]
    fn the_unit_fixture_is_valid() {
        assert_eq!(check(&valid()), vec![]);
    }

    #[test]
    fn a_duplicate_id_names_its_first_holder() {
        let mut p = valid();
        let mut second = p.function[0];
        second.name = 0;
        p.function.push(second);
        let v = check(&p);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].path, "function[1].id");
        assert_eq!(v[0].rule, Rule::DuplicateId);
        assert!(v[0].message.contains("function[0]"), "{}", v[0].message);
    }

    #[test]
    fn an_empty_string_table_is_reported_once() {
        let mut p = valid();
        p.string_table.clear();
        p.sample_type[0] = ValueType::default();
        p.mapping[0].filename = 0;
        p.function[0].name = 0;
        let v = check(&p);
        assert_eq!(
            v,
            vec![Violation::new(
                "string_table",
                Rule::StringTableFirstNotEmpty,
                "string_table is empty; it must start with \"\""
            )]
        );
    }
}
