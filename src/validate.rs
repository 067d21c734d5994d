//! What the validators of both formats report: a [`Violation`] names the exact field that breaks
//! a [`Rule`], so a user (or a CI job) can find it in a dump of the profile without guessing.
//!
//! The checks themselves live beside their formats: [`crate::pprof::validate`] (google/pprof
//! `CheckValid` and its decode-time checks) and [`crate::otlp::validate`] (profcheck's rules plus
//! the proto MUSTs profcheck skips). Both return every violation in document order rather than
//! stopping at the first, because a report that hides the second problem costs a second run.

use std::fmt;

/// One broken rule at one place in a profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    /// Where: protobuf field names joined by dots, repeated fields indexed, e.g.
    /// `resource_profiles[0].scope_profiles[0].profiles[1].samples[3].stack_index` or
    /// `location[4].line[0].function_id`. Indices are positions in the message as decoded.
    pub path: String,
    /// Which rule, so callers can filter or count without parsing messages.
    pub rule: Rule,
    /// What is wrong, with the offending values, for humans.
    pub message: String,
}

impl Violation {
    /// A violation of `rule` at `path`.
    pub fn new(path: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            path: path.into(),
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, profcheck: $profcheck:literal; )*) => {
        /// The rules a profile can break. Names (see [`Rule::name`]) are stable: scripts and CI
        /// filters match on them.
        ///
        /// Some rules belong to one format only; [`Rule::is_profcheck_rule`] tells which OTLP
        /// rules profcheck (open-telemetry/sig-profiling) also enforces, so pprotel's output can
        /// be compared with profcheck's rule for rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in declaration order: for documentation and exhaustive tests.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable kebab-case name, for output and filters.
            pub fn name(self) -> &'static str {
                match self {
                    $(Rule::$variant => $name,)*
                }
            }

            /// Whether profcheck reports this rule for OTLP input, so that keeping only the OTLP
            /// violations whose rule passes this predicate gives what profcheck (run with the same
            /// options) reports.
            ///
            /// `StrindexOutOfRange` is `true` because profcheck checks those indices in OTLP; the
            /// pprof validator uses the same rule for pprof's string indices, where profcheck has
            /// no say. `MissingDictionary` is `false`: profcheck panics on a missing dictionary
            /// instead of reporting it.
            pub fn is_profcheck_rule(self) -> bool {
                match self {
                    $(Rule::$variant => $profcheck,)*
                }
            }
        }
    };
}

rules! {
    // ---- OTLP, as profcheck checks them ----
    /// OTLP: `ProfilesData.resource_profiles` is empty.
    NoResourceProfiles => "no-resource-profiles", profcheck: true;
    /// OTLP: a `ResourceProfiles` has no `scope_profiles`.
    NoScopeProfiles => "no-scope-profiles", profcheck: true;
    /// OTLP: a `ScopeProfiles` has no `profiles`.
    NoProfiles => "no-profiles", profcheck: true;
    /// OTLP: an index into a dictionary table other than the string table (stack, link,
    /// attribute, mapping, function, location) is negative or past the table's end.
    IndexOutOfRange => "index-out-of-range", profcheck: true;
    /// A string-table index is negative or past the table's end. OTLP: the `*_strindex` fields
    /// profcheck checks (value types, mapping and function strings, attribute keys and units).
    /// pprof: every string index of the profile.
    StrindexOutOfRange => "strindex-out-of-range", profcheck: true;
    /// OTLP: two entries of one `attribute_indices` list resolve to the same key string.
    DuplicateAttributeKey => "duplicate-attribute-key", profcheck: true;
    /// OTLP: a sample timestamp lies outside `[time_unix_nano, time_unix_nano + duration_nano)`.
    TimestampOutOfRange => "timestamp-out-of-range", profcheck: true;
    /// OTLP: a dictionary table is empty, or its entry 0 is not the zero value (for the link
    /// table: the EMPTY `Link{}`, as profcheck's `proto.Equal` requires).
    ZeroEntry => "zero-entry", profcheck: true;
    /// OTLP: a mapping's memory range is neither all zero nor `memory_start < memory_limit`.
    MappingRange => "mapping-range", profcheck: true;
    /// OTLP: a `Line.line`, `Line.column` or `Function.start_line` is negative.
    NegativeLine => "negative-line", profcheck: true;
    /// OTLP: a link (other than entry 0) has a trace id that is not 16 bytes or a span id that
    /// is not 8 bytes.
    LinkIdLength => "link-id-length", profcheck: true;
    /// OTLP (optional): a sample has neither values nor timestamps, values and timestamps of
    /// different lengths, several values without timestamps, or another shape than the
    /// profile's first sample.
    SampleShape => "sample-shape", profcheck: true;
    /// OTLP (optional): the string table holds the same string twice.
    DuplicateString => "duplicate-string", profcheck: true;
    /// OTLP (optional): two mappings share filename, attribute set, address range and offset.
    DuplicateMapping => "duplicate-mapping", profcheck: true;
    /// OTLP (optional): a dictionary entry (other than entry 0) is referenced by nothing,
    /// counted the way profcheck counts references.
    Orphan => "orphan", profcheck: true;

    // ---- OTLP, proto MUSTs profcheck does not check ----
    /// OTLP: the `dictionary` field is absent.
    MissingDictionary => "missing-dictionary", profcheck: false;
    /// OTLP: a function (other than entry 0) has none of name, system name and filename.
    FunctionWithoutName => "function-without-name", profcheck: false;
    /// OTLP: `profile_id` is neither empty nor 16 bytes long.
    ProfileIdLength => "profile-id-length", profcheck: false;
    /// OTLP: `profile_id` is 16 zero bytes, which the proto declares invalid.
    ProfileIdAllZero => "profile-id-all-zero", profcheck: false;
    /// OTLP: exactly one of `original_payload_format` and `original_payload` is set.
    OriginalPayloadPairing => "original-payload-pairing", profcheck: false;
    /// OTLP: a `key_strindex` or `string_value_strindex` in a Resource or Scope attribute
    /// (nested arrays and key-value lists included) is negative or past the string table's end.
    ResourceScopeStrindexOutOfRange => "resource-scope-strindex-out-of-range", profcheck: false;
    /// OTLP: a `string_value_strindex` (or a nested `key_strindex`) inside an attribute-table
    /// value is negative or past the string table's end.
    AttributeValueStrindexOutOfRange => "attribute-value-strindex-out-of-range", profcheck: false;
    /// OTLP: a `KeyValue` sets both `key` and `key_strindex`, which common.proto forbids.
    ConflictingKeyForms => "conflicting-key-forms", profcheck: false;

    // ---- pprof (google/pprof CheckValid and decode) ----
    /// pprof: samples exist but `sample_type` is empty.
    MissingSampleType => "missing-sample-type", profcheck: false;
    /// pprof: a sample's value count differs from the number of sample types.
    MismatchedValueCount => "mismatched-value-count", profcheck: false;
    /// pprof: a mapping, location or function id is 0, which is reserved.
    ReservedId => "reserved-id", profcheck: false;
    /// pprof: two mappings, locations or functions share an id.
    DuplicateId => "duplicate-id", profcheck: false;
    /// pprof: a sample's location id, a location's mapping id or a line's function id refers to
    /// nothing (including a line with function id 0, which google/pprof reads as a line without
    /// a function).
    UnknownId => "unknown-id", profcheck: false;
    /// pprof: the string table is empty or its entry 0 is not `""`.
    StringTableFirstNotEmpty => "string-table-first-not-empty", profcheck: false;
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A violation path under construction, as a chain of borrowed segments on the stack.
///
/// Validators walk every sample, location and line of large profiles; building a `String` per
/// element would allocate for the (usual) case of no violation. A `Path` is only rendered when a
/// violation is recorded.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Field(&'a str),
    Index(usize),
    FieldIndex(&'a str, usize),
}

impl<'a> Path<'a> {
    /// The empty path; fields below it render without a leading dot.
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    /// `self.name`.
    pub(crate) fn field(&'a self, name: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    /// `self[index]`.
    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// `self.name[index]`: the common case of an element of a repeated field.
    pub(crate) fn at(&'a self, name: &'a str, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::FieldIndex(name, index),
        }
    }

    /// The dotted text form.
    pub(crate) fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut node = Some(self);
        while let Some(p) = node {
            segments.push(p.segment);
            node = p.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            match *segment {
                Segment::Root => {}
                Segment::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Segment::Index(i) => push_index(&mut out, i),
                Segment::FieldIndex(name, i) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                    push_index(&mut out, i);
                }
            }
        }
        out
    }
}

fn push_index(out: &mut String, i: usize) {
    use fmt::Write;
    // Writing to a String cannot fail.
    let _ = write!(out, "[{i}]");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_dotted_with_indices() {
        let root = Path::ROOT;
        let dict = root.field("dictionary");
        let table = dict.field("location_table");
        let entry = table.index(17);
        let lines = entry.field("lines");
        let line = lines.index(1);
        let leaf = line.field("function_index");
        assert_eq!(
            leaf.render(),
            "dictionary.location_table[17].lines[1].function_index"
        );
        assert_eq!(root.render(), "");
        let sample = root.at("sample", 12);
        assert_eq!(
            sample.field("location_id").index(3).render(),
            "sample[12].location_id[3]"
        );
    }

    #[test]
    fn rule_names_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for rule in Rule::ALL {
            let name = rule.name();
            assert!(seen.insert(name), "duplicate rule name {name}");
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !name.starts_with('-')
                    && !name.ends_with('-')
                    && !name.contains("--"),
                "{name} is not kebab-case"
            );
            assert_eq!(rule.to_string(), name);
        }
    }

    #[test]
    fn violation_displays_path_then_message() {
        let v = Violation::new("mapping[2].id", Rule::ReservedId, "id 0 is reserved");
        assert_eq!(v.to_string(), "mapping[2].id: id 0 is reserved");
    }
}
