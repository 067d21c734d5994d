//! Validation rules: the pprof validator (google/pprof `CheckValid` + decode checks) and the OTLP
//! validator (profcheck's rules + the proto MUSTs profcheck skips). Each rule has a minimal broken
//! input and the test names the exact path and rule it must produce.

use crate::util;
use pprotel::validate::{Rule, Violation};

/// The (path, rule) pairs of a violation list, for exact comparisons that do not depend on the
/// wording of messages.
fn found(violations: &[Violation]) -> Vec<(String, Rule)> {
    violations
        .iter()
        .map(|v| (v.path.clone(), v.rule))
        .collect()
}

fn expect(path: &str, rule: Rule) -> Vec<(String, Rule)> {
    vec![(path.to_owned(), rule)]
}

// ============================================================================ pprof

mod pprof {
    use super::*;
    use pprotel::pprof::{Function, Label, Line, Location, Mapping, Profile, Sample, ValueType};

    fn check(p: &Profile) -> Vec<(String, Rule)> {
        found(&pprotel::pprof::validate::check(p))
    }

    /// One sample type, one sample, one mapping, location and function, a label: every field a
    /// rule looks at is populated with a valid value.
    fn minimal_valid() -> Profile {
        Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            sample: vec![Sample {
                location_id: vec![10],
                value: vec![42],
                label: vec![
                    Label {
                        key: 5,
                        str: 6,
                        ..Label::default()
                    },
                    Label {
                        key: 7,
                        num: 8,
                        num_unit: 8,
                        ..Label::default()
                    },
                ],
            }],
            mapping: vec![Mapping {
                id: 1,
                memory_start: 0x1000,
                memory_limit: 0x2000,
                filename: 3,
                build_id: 9,
                ..Mapping::default()
            }],
            location: vec![Location {
                id: 10,
                mapping_id: 1,
                address: 0x1100,
                line: vec![Line {
                    function_id: 100,
                    line: 12,
                    column: 0,
                }],
                is_folded: false,
            }],
            function: vec![Function {
                id: 100,
                name: 4,
                system_name: 4,
                filename: 3,
                start_line: 10,
            }],
            string_table: [
                "",
                "cpu",
                "nanoseconds",
                "/bin/app",
                "main",
                "thread",
                "worker",
                "size",
                "bytes",
                "abc123",
            ]
            .map(|s| s.as_bytes().to_vec())
            .to_vec(),
            drop_frames: 4,
            keep_frames: 4,
            period_type: Some(ValueType { r#type: 1, unit: 2 }),
            period: 10,
            comment: vec![6],
            default_sample_type: 1,
            doc_url: 3,
            ..Profile::default()
        }
    }

    #[test]
    fn the_minimal_profile_is_valid() {
        assert_eq!(check(&minimal_valid()), vec![]);
    }

    /// Every corpus pprof is accepted by `go tool pprof` (PROVENANCE.md), so the validator, which
    /// implements the same rules (plus the stricter dangling-mapping-id and string-index checks),
    /// finds nothing in any of them.
    #[test]
    fn every_corpus_pprof_is_valid() {
        for path in util::corpus_files("pprof") {
            let profile = util::decode_pprof(&path);
            let violations = pprotel::pprof::validate::check(&profile);
            let rendered: Vec<String> = violations.iter().map(ToString::to_string).collect();
            assert!(rendered.is_empty(), "{}: {rendered:#?}", util::name(&path));
        }
    }

    /// A real profile broken in one place reports that one place and nothing else.
    #[test]
    fn a_corpus_profile_with_one_dangling_location_reports_exactly_that() {
        let Some(path) = util::corpus_files("pprof")
            .into_iter()
            .find(|p| util::name(p).contains("single-stack"))
        else {
            return;
        };
        let mut profile = util::decode_pprof(&path);
        let last = profile.sample[0].location_id.len() - 1;
        profile.sample[0].location_id[last] = u64::MAX;
        assert_eq!(
            check(&profile),
            expect(&format!("sample[0].location_id[{last}]"), Rule::UnknownId)
        );
    }

    #[test]
    fn samples_without_sample_types_are_reported_once() {
        let mut p = minimal_valid();
        p.sample_type.clear();
        assert_eq!(check(&p), expect("sample_type", Rule::MissingSampleType));
    }

    #[test]
    fn no_samples_and_no_sample_types_is_valid() {
        let mut p = minimal_valid();
        p.sample_type.clear();
        p.sample.clear();
        assert_eq!(check(&p), vec![]);
    }

    #[test]
    fn value_count_must_match_sample_type_count() {
        let mut p = minimal_valid();
        p.sample[0].value.push(1);
        assert_eq!(
            check(&p),
            expect("sample[0].value", Rule::MismatchedValueCount)
        );
    }

    #[test]
    fn sample_location_ids_must_resolve() {
        let mut p = minimal_valid();
        p.sample[0].location_id = vec![10, 11, 0];
        assert_eq!(
            check(&p),
            vec![
                ("sample[0].location_id[1]".to_owned(), Rule::UnknownId),
                ("sample[0].location_id[2]".to_owned(), Rule::UnknownId),
            ]
        );
    }

    #[test]
    fn ids_zero_are_reserved() {
        let mut p = minimal_valid();
        p.mapping[0].id = 0;
        p.location[0].mapping_id = 0;
        p.location[0].id = 0;
        p.sample[0].location_id = vec![0];
        p.function[0].id = 0;
        // The line's function_id 100 now names no function.
        assert_eq!(
            check(&p),
            vec![
                ("mapping[0].id".to_owned(), Rule::ReservedId),
                ("location[0].id".to_owned(), Rule::ReservedId),
                (
                    "location[0].line[0].function_id".to_owned(),
                    Rule::UnknownId
                ),
                ("function[0].id".to_owned(), Rule::ReservedId),
            ]
        );
    }

    #[test]
    fn ids_must_be_unique_per_table() {
        let mut p = minimal_valid();
        p.mapping.push(p.mapping[0].clone());
        p.location.push(p.location[0].clone());
        p.function.push(p.function[0]);
        assert_eq!(
            check(&p),
            vec![
                ("mapping[1].id".to_owned(), Rule::DuplicateId),
                ("location[1].id".to_owned(), Rule::DuplicateId),
                ("function[1].id".to_owned(), Rule::DuplicateId),
            ]
        );
    }

    /// The same id in different tables is fine: each table has its own id space.
    #[test]
    fn ids_may_repeat_across_tables() {
        let mut p = minimal_valid();
        p.location[0].id = 1;
        p.sample[0].location_id = vec![1];
        p.function[0].id = 1;
        p.location[0].line[0].function_id = 1;
        assert_eq!(check(&p), vec![]);
    }

    #[test]
    fn location_mapping_id_must_be_zero_or_resolve() {
        let mut p = minimal_valid();
        p.location[0].mapping_id = 2;
        assert_eq!(check(&p), expect("location[0].mapping_id", Rule::UnknownId));
        p.location[0].mapping_id = 0;
        assert_eq!(check(&p), vec![]);
    }

    #[test]
    fn every_line_needs_a_function() {
        let mut p = minimal_valid();
        p.location[0].line.push(Line {
            function_id: 0,
            line: 1,
            column: 0,
        });
        p.location[0].line.push(Line {
            function_id: 101,
            line: 1,
            column: 0,
        });
        assert_eq!(
            check(&p),
            vec![
                (
                    "location[0].line[1].function_id".to_owned(),
                    Rule::UnknownId
                ),
                (
                    "location[0].line[2].function_id".to_owned(),
                    Rule::UnknownId
                ),
            ]
        );
    }

    #[test]
    fn string_table_must_start_with_the_empty_string() {
        let mut p = minimal_valid();
        p.string_table[0] = b"x".to_vec();
        assert_eq!(
            check(&p),
            expect("string_table[0]", Rule::StringTableFirstNotEmpty)
        );
    }

    #[test]
    fn an_empty_string_table_is_one_violation() {
        let p = Profile::default();
        assert_eq!(
            check(&p),
            expect("string_table", Rule::StringTableFirstNotEmpty)
        );
    }

    /// Every string index of the pprof schema, set out of range (past the end, then negative),
    /// is reported at its own path.
    #[test]
    fn every_string_index_must_be_in_range() {
        type Setter = fn(&mut Profile, i64);
        let fields: [(&str, Setter); 19] = [
            ("sample_type[0].type", |p, i| p.sample_type[0].r#type = i),
            ("sample_type[0].unit", |p, i| p.sample_type[0].unit = i),
            ("sample[0].label[0].key", |p, i| {
                p.sample[0].label[0].key = i
            }),
            ("sample[0].label[0].str", |p, i| {
                p.sample[0].label[0].str = i
            }),
            ("sample[0].label[1].num_unit", |p, i| {
                p.sample[0].label[1].num_unit = i
            }),
            ("mapping[0].filename", |p, i| p.mapping[0].filename = i),
            ("mapping[0].build_id", |p, i| p.mapping[0].build_id = i),
            ("function[0].name", |p, i| p.function[0].name = i),
            ("function[0].system_name", |p, i| {
                p.function[0].system_name = i
            }),
            ("function[0].filename", |p, i| p.function[0].filename = i),
            ("drop_frames", |p, i| p.drop_frames = i),
            ("keep_frames", |p, i| p.keep_frames = i),
            ("period_type.type", |p, i| {
                p.period_type.as_mut().unwrap().r#type = i
            }),
            ("period_type.unit", |p, i| {
                p.period_type.as_mut().unwrap().unit = i
            }),
            ("comment[0]", |p, i| p.comment[0] = i),
            ("default_sample_type", |p, i| p.default_sample_type = i),
            ("doc_url", |p, i| p.doc_url = i),
            // Go ignores num_unit on string labels; pprotel still requires it to resolve.
            ("sample[0].label[0].num_unit", |p, i| {
                p.sample[0].label[0].num_unit = i
            }),
            ("sample[0].label[1].key", |p, i| {
                p.sample[0].label[1].key = i
            }),
        ];
        for (path, set) in fields {
            let len = minimal_valid().string_table.len() as i64;
            for bad in [len, -1] {
                let mut p = minimal_valid();
                set(&mut p, bad);
                assert_eq!(
                    check(&p),
                    expect(path, Rule::StrindexOutOfRange),
                    "{path} = {bad}"
                );
            }
            // The last valid index passes.
            let mut p = minimal_valid();
            set(&mut p, len - 1);
            let violations = check(&p);
            assert!(
                violations
                    .iter()
                    .all(|(_, r)| *r != Rule::StrindexOutOfRange),
                "{path} = {}: {violations:?}",
                len - 1
            );
        }
    }

    #[test]
    fn violations_come_in_document_order() {
        let mut p = minimal_valid();
        p.doc_url = 1000;
        p.function[0].id = 0;
        p.mapping[0].id = 0;
        p.sample[0].value.clear();
        let paths: Vec<String> = check(&p).into_iter().map(|(path, _)| path).collect();
        assert_eq!(
            paths,
            [
                "sample[0].value",
                "mapping[0].id",
                // The location's mapping_id 1 and line's function_id 100 no longer resolve.
                "location[0].mapping_id",
                "location[0].line[0].function_id",
                "function[0].id",
                "doc_url",
            ]
        );
    }
}

// ============================================================================ OTLP

mod otlp {
    use super::*;
    use pprotel::otlp::common::{
        AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList, any_value::Value,
    };
    use pprotel::otlp::model::{
        Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
        ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
    };
    use pprotel::otlp::resource::Resource;
    use pprotel::otlp::validate::CheckOptions;

    const PROFILE: &str = "resource_profiles[0].scope_profiles[0].profiles[0]";
    const SAMPLE: &str = "resource_profiles[0].scope_profiles[0].profiles[0].samples[0]";

    fn check(data: &ProfilesData) -> Vec<(String, Rule)> {
        found(&pprotel::otlp::validate::check(data, &CheckOptions::all()))
    }

    fn check_default(data: &ProfilesData) -> Vec<(String, Rule)> {
        found(&pprotel::otlp::validate::check(
            data,
            &CheckOptions::default(),
        ))
    }

    fn string(s: &str) -> Option<AnyValue> {
        Some(AnyValue {
            value: Some(Value::StringValue(s.to_owned())),
        })
    }

    /// String table of [`minimal_valid`]; the constants below are positions in it.
    const STRINGS: [&str; 9] = [
        "",
        "samples",
        "count",
        "cpu",
        "nanoseconds",
        "main",
        "main.go",
        "/bin/app",
        "thread.name",
    ];
    const S_MAIN: i32 = 5;
    const S_THREAD: i32 = 8;

    /// All 7 tables with their zero entries and one used entry each, one profile with one sample
    /// that references every table: valid under every option (orphans included).
    fn minimal_valid() -> ProfilesData {
        let dictionary = ProfilesDictionary {
            mapping_table: vec![
                Mapping::default(),
                Mapping {
                    memory_start: 0x1000,
                    memory_limit: 0x2000,
                    file_offset: 0,
                    filename_strindex: 7,
                    attribute_indices: vec![],
                },
            ],
            location_table: vec![
                Location::default(),
                Location {
                    mapping_index: 1,
                    address: 0x1100,
                    lines: vec![Line {
                        function_index: 1,
                        line: 10,
                        column: 2,
                    }],
                    attribute_indices: vec![],
                },
            ],
            function_table: vec![
                Function::default(),
                Function {
                    name_strindex: S_MAIN,
                    system_name_strindex: S_MAIN,
                    filename_strindex: 6,
                    start_line: 3,
                },
            ],
            link_table: vec![
                Link::default(),
                Link {
                    trace_id: vec![1; 16],
                    span_id: vec![2; 8],
                },
            ],
            string_table: STRINGS.map(str::to_owned).to_vec(),
            attribute_table: vec![
                KeyValueAndUnit::default(),
                KeyValueAndUnit {
                    key_strindex: S_THREAD,
                    value: string("worker"),
                    unit_strindex: 0,
                },
            ],
            stack_table: vec![
                Stack::default(),
                Stack {
                    location_indices: vec![1],
                },
            ],
        };
        let profile = Profile {
            sample_type: Some(ValueType {
                type_strindex: 1,
                unit_strindex: 2,
            }),
            samples: vec![Sample {
                stack_index: 1,
                attribute_indices: vec![1],
                link_index: 1,
                values: vec![5],
                timestamps_unix_nano: vec![],
            }],
            time_unix_nano: 1_000,
            duration_nano: 100,
            period_type: Some(ValueType {
                type_strindex: 3,
                unit_strindex: 4,
            }),
            period: 10,
            profile_id: (1..=16).collect(),
            ..Profile::default()
        };
        ProfilesData {
            resource_profiles: vec![ResourceProfiles {
                resource: Some(Resource {
                    attributes: vec![KeyValue {
                        key: "service.name".to_owned(),
                        value: string("app"),
                        key_strindex: 0,
                    }],
                    ..Resource::default()
                }),
                scope_profiles: vec![ScopeProfiles {
                    scope: Some(InstrumentationScope {
                        name: "pprotel".to_owned(),
                        ..InstrumentationScope::default()
                    }),
                    profiles: vec![profile],
                    schema_url: String::new(),
                }],
                schema_url: String::new(),
            }],
            dictionary: Some(dictionary),
        }
    }

    fn dict(data: &mut ProfilesData) -> &mut ProfilesDictionary {
        data.dictionary.as_mut().unwrap()
    }

    fn profile(data: &mut ProfilesData) -> &mut Profile {
        &mut data.resource_profiles[0].scope_profiles[0].profiles[0]
    }

    fn sample(data: &mut ProfilesData) -> &mut Sample {
        &mut profile(data).samples[0]
    }

    #[test]
    fn the_minimal_document_is_valid_with_every_option() {
        assert_eq!(check(&minimal_valid()), vec![]);
    }

    #[test]
    fn default_options_are_profcheck_cli_defaults() {
        assert_eq!(
            CheckOptions::default(),
            CheckOptions {
                sample_shapes: true,
                duplicates: false,
                orphans: false,
            }
        );
    }

    // ------------------------------------------------------------------- rule 1

    #[test]
    fn an_empty_document_is_one_violation_not_a_panic() {
        assert_eq!(
            check(&ProfilesData::default()),
            expect("resource_profiles", Rule::NoResourceProfiles)
        );
    }

    #[test]
    fn a_resource_needs_scopes_and_a_scope_needs_profiles() {
        let mut d = minimal_valid();
        d.resource_profiles[0].scope_profiles[0].profiles.clear();
        assert_eq!(
            check_default(&d),
            expect(
                "resource_profiles[0].scope_profiles[0].profiles",
                Rule::NoProfiles
            )
        );
        d.resource_profiles[0].scope_profiles.clear();
        assert_eq!(
            check_default(&d),
            expect("resource_profiles[0].scope_profiles", Rule::NoScopeProfiles)
        );
    }

    // ------------------------------------------------------------------- dictionary presence

    /// profcheck panics here; pprotel reports the missing dictionary, then checks every index
    /// against empty tables.
    #[test]
    fn a_missing_dictionary_is_reported_not_a_panic() {
        let mut d = minimal_valid();
        d.dictionary = None;
        let v = check(&d);
        assert!(
            v.contains(&("dictionary".to_owned(), Rule::MissingDictionary)),
            "{v:?}"
        );
        assert!(
            v.contains(&(format!("{SAMPLE}.stack_index"), Rule::IndexOutOfRange)),
            "{v:?}"
        );
        for table in [
            "mapping_table",
            "location_table",
            "function_table",
            "link_table",
            "string_table",
            "attribute_table",
            "stack_table",
        ] {
            assert!(
                v.contains(&(format!("dictionary.{table}"), Rule::ZeroEntry)),
                "{table}: {v:?}"
            );
        }
    }

    /// profcheck panics on an empty mapping or link table; pprotel reports each empty table.
    #[test]
    fn empty_tables_are_reported_not_a_panic() {
        let mut d = minimal_valid();
        d.resource_profiles[0].scope_profiles[0].profiles[0] = Profile::default();
        d.resource_profiles[0].resource = None;
        d.dictionary = Some(ProfilesDictionary::default());
        let v = check(&d);
        assert_eq!(
            v,
            vec![
                (
                    format!("{PROFILE}.sample_type.type_strindex"),
                    Rule::StrindexOutOfRange
                ),
                (
                    format!("{PROFILE}.sample_type.unit_strindex"),
                    Rule::StrindexOutOfRange
                ),
                (
                    format!("{PROFILE}.period_type.type_strindex"),
                    Rule::StrindexOutOfRange
                ),
                (
                    format!("{PROFILE}.period_type.unit_strindex"),
                    Rule::StrindexOutOfRange
                ),
                ("dictionary.mapping_table".to_owned(), Rule::ZeroEntry),
                ("dictionary.location_table".to_owned(), Rule::ZeroEntry),
                ("dictionary.function_table".to_owned(), Rule::ZeroEntry),
                ("dictionary.link_table".to_owned(), Rule::ZeroEntry),
                ("dictionary.string_table".to_owned(), Rule::ZeroEntry),
                ("dictionary.attribute_table".to_owned(), Rule::ZeroEntry),
                ("dictionary.stack_table".to_owned(), Rule::ZeroEntry),
            ]
        );
    }

    // ------------------------------------------------------------------- rules 2, 3, 11

    #[test]
    fn sample_indices_must_be_in_range() {
        let mut d = minimal_valid();
        sample(&mut d).stack_index = 2;
        sample(&mut d).link_index = -1;
        assert_eq!(
            check_default(&d),
            vec![
                (format!("{SAMPLE}.stack_index"), Rule::IndexOutOfRange),
                (format!("{SAMPLE}.link_index"), Rule::IndexOutOfRange),
            ]
        );
    }

    #[test]
    fn dictionary_indices_must_be_in_range() {
        let mut d = minimal_valid();
        dict(&mut d).location_table[1].lines.push(Line {
            function_index: 2,
            line: 1,
            column: 0,
        });
        dict(&mut d).location_table[1].mapping_index = 5;
        dict(&mut d).stack_table[1].location_indices.push(17);
        dict(&mut d).mapping_table[1].attribute_indices.push(9);
        let v = check(&d);
        assert_eq!(
            v,
            vec![
                (
                    "dictionary.mapping_table[1].attribute_indices[0]".to_owned(),
                    Rule::IndexOutOfRange
                ),
                (
                    "dictionary.location_table[1].mapping_index".to_owned(),
                    Rule::IndexOutOfRange
                ),
                (
                    "dictionary.location_table[1].lines[1].function_index".to_owned(),
                    Rule::IndexOutOfRange
                ),
                (
                    "dictionary.stack_table[1].location_indices[1]".to_owned(),
                    Rule::IndexOutOfRange
                ),
                // With orphans on: mapping_table[1] is no longer referenced by any location.
                ("dictionary.mapping_table[1]".to_owned(), Rule::Orphan),
            ]
        );
    }

    #[test]
    fn string_indices_profcheck_checks_must_be_in_range() {
        let mut d = minimal_valid();
        profile(&mut d).period_type.as_mut().unwrap().unit_strindex = 9;
        dict(&mut d).function_table[1].filename_strindex = -3;
        dict(&mut d).mapping_table[1].filename_strindex = 100;
        dict(&mut d).attribute_table[1].unit_strindex = 9;
        assert_eq!(
            check_default(&d),
            vec![
                (
                    format!("{PROFILE}.period_type.unit_strindex"),
                    Rule::StrindexOutOfRange
                ),
                (
                    "dictionary.mapping_table[1].filename_strindex".to_owned(),
                    Rule::StrindexOutOfRange
                ),
                (
                    "dictionary.function_table[1].filename_strindex".to_owned(),
                    Rule::StrindexOutOfRange
                ),
                (
                    "dictionary.attribute_table[1].unit_strindex".to_owned(),
                    Rule::StrindexOutOfRange
                ),
            ]
        );
    }

    // ------------------------------------------------------------------- rule 12

    #[test]
    fn attribute_keys_must_be_unique_per_list() {
        let mut d = minimal_valid();
        // A second attribute with the same key string but another value: allowed in the
        // table, not twice in one attribute_indices list.
        dict(&mut d).attribute_table.push(KeyValueAndUnit {
            key_strindex: S_THREAD,
            value: string("other"),
            unit_strindex: 0,
        });
        profile(&mut d).attribute_indices = vec![2];
        assert_eq!(check(&d), vec![]);
        sample(&mut d).attribute_indices = vec![1, 2];
        assert_eq!(
            check(&d),
            expect(
                &format!("{SAMPLE}.attribute_indices[1]"),
                Rule::DuplicateAttributeKey
            )
        );
    }

    /// Keys are compared as resolved strings, not as indices: a duplicate string entry with the
    /// same text is the same key.
    #[test]
    fn attribute_keys_compare_by_resolved_string() {
        let mut d = minimal_valid();
        dict(&mut d).string_table.push("thread.name".to_owned());
        dict(&mut d).attribute_table.push(KeyValueAndUnit {
            key_strindex: 9,
            value: string("x"),
            unit_strindex: 0,
        });
        sample(&mut d).attribute_indices = vec![1, 2];
        assert_eq!(
            check_default(&d),
            expect(
                &format!("{SAMPLE}.attribute_indices[1]"),
                Rule::DuplicateAttributeKey
            )
        );
    }

    #[test]
    fn an_attribute_key_out_of_range_is_reported_at_the_reference_too() {
        let mut d = minimal_valid();
        dict(&mut d).attribute_table[1].key_strindex = 50;
        assert_eq!(
            check_default(&d),
            vec![
                (
                    format!("{SAMPLE}.attribute_indices[0]"),
                    Rule::StrindexOutOfRange
                ),
                (
                    "dictionary.attribute_table[1].key_strindex".to_owned(),
                    Rule::StrindexOutOfRange
                ),
            ]
        );
    }

    // ------------------------------------------------------------------- rule 3: timestamps

    #[test]
    fn timestamps_must_fall_in_the_half_open_profile_range() {
        let mut d = minimal_valid();
        // time 1000, duration 100: [1000, 1100).
        sample(&mut d).values = vec![1, 1, 1, 1];
        sample(&mut d).timestamps_unix_nano = vec![1_000, 1_099, 1_100, 999];
        assert_eq!(
            check(&d),
            vec![
                (
                    format!("{SAMPLE}.timestamps_unix_nano[2]"),
                    Rule::TimestampOutOfRange
                ),
                (
                    format!("{SAMPLE}.timestamps_unix_nano[3]"),
                    Rule::TimestampOutOfRange
                ),
            ]
        );
    }

    #[test]
    fn with_zero_duration_every_timestamp_is_out_of_range() {
        let mut d = minimal_valid();
        profile(&mut d).duration_nano = 0;
        sample(&mut d).values = vec![];
        sample(&mut d).timestamps_unix_nano = vec![1_000];
        assert_eq!(
            check(&d),
            expect(
                &format!("{SAMPLE}.timestamps_unix_nano[0]"),
                Rule::TimestampOutOfRange
            )
        );
    }

    // ------------------------------------------------------------------- rules 4-10: zero entries

    /// The proto comment recommends 16/8 zero bytes for link_table[0], but profcheck's
    /// proto.Equal only accepts the empty Link{}; pprotel agrees with profcheck.
    #[test]
    fn link_zero_entry_must_be_the_empty_link() {
        let mut d = minimal_valid();
        dict(&mut d).link_table[0] = Link {
            trace_id: vec![0; 16],
            span_id: vec![0; 8],
        };
        assert_eq!(
            check(&d),
            expect("dictionary.link_table[0]", Rule::ZeroEntry)
        );
    }

    #[test]
    fn every_table_needs_its_zero_entry_first() {
        let mut d = minimal_valid();
        let t = dict(&mut d);
        t.mapping_table[0].file_offset = 1;
        t.location_table[0].address = 1;
        t.function_table[0].start_line = 1;
        t.string_table[0] = "x".to_owned();
        t.stack_table[0].location_indices = vec![1];
        assert_eq!(
            check_default(&d),
            vec![
                ("dictionary.mapping_table[0]".to_owned(), Rule::ZeroEntry),
                ("dictionary.location_table[0]".to_owned(), Rule::ZeroEntry),
                ("dictionary.function_table[0]".to_owned(), Rule::ZeroEntry),
                ("dictionary.string_table[0]".to_owned(), Rule::ZeroEntry),
                ("dictionary.stack_table[0]".to_owned(), Rule::ZeroEntry),
            ]
        );
    }

    #[test]
    fn attribute_zero_entry_must_have_no_key_unit_or_value() {
        let mut d = minimal_valid();
        // A present AnyValue with nothing set still counts as "no value".
        dict(&mut d).attribute_table[0].value = Some(AnyValue { value: None });
        assert_eq!(check(&d), vec![]);
        dict(&mut d).attribute_table[0].value = string("");
        assert_eq!(
            check(&d),
            expect("dictionary.attribute_table[0]", Rule::ZeroEntry)
        );
    }

    /// profcheck checks mapping and link entries from index 1 on, but location, function,
    /// attribute and stack entries from index 0: a broken entry 0 of the first kind is one
    /// violation, of the second kind it is checked field by field as well.
    #[test]
    fn which_tables_check_their_zero_entry_fields_follows_profcheck() {
        let mut d = minimal_valid();
        dict(&mut d).mapping_table[0].filename_strindex = 99;
        dict(&mut d).location_table[0].mapping_index = 99;
        assert_eq!(
            check_default(&d),
            vec![
                ("dictionary.mapping_table[0]".to_owned(), Rule::ZeroEntry),
                ("dictionary.location_table[0]".to_owned(), Rule::ZeroEntry),
                (
                    "dictionary.location_table[0].mapping_index".to_owned(),
                    Rule::IndexOutOfRange
                ),
            ]
        );
    }

    // ------------------------------------------------------------------- rule 4: mapping range

    #[test]
    fn mapping_start_must_be_below_limit_unless_both_are_zero() {
        let mut d = minimal_valid();
        dict(&mut d).mapping_table[1].memory_limit = 0x1000;
        assert_eq!(
            check(&d),
            expect(
                "dictionary.mapping_table[1].memory_limit",
                Rule::MappingRange
            )
        );
        dict(&mut d).mapping_table[1].memory_limit = 0x800;
        assert_eq!(
            check(&d),
            expect(
                "dictionary.mapping_table[1].memory_limit",
                Rule::MappingRange
            )
        );
        dict(&mut d).mapping_table[1].memory_start = 0;
        dict(&mut d).mapping_table[1].memory_limit = 0;
        assert_eq!(check(&d), vec![]);
    }

    // ------------------------------------------------------------------- rules 5, 6: negatives

    #[test]
    fn line_column_and_start_line_must_not_be_negative() {
        let mut d = minimal_valid();
        dict(&mut d).location_table[1].lines[0].line = -1;
        dict(&mut d).location_table[1].lines[0].column = -2;
        dict(&mut d).function_table[1].start_line = -3;
        assert_eq!(
            check(&d),
            vec![
                (
                    "dictionary.location_table[1].lines[0].line".to_owned(),
                    Rule::NegativeLine
                ),
                (
                    "dictionary.location_table[1].lines[0].column".to_owned(),
                    Rule::NegativeLine
                ),
                (
                    "dictionary.function_table[1].start_line".to_owned(),
                    Rule::NegativeLine
                ),
            ]
        );
    }

    // ------------------------------------------------------------------- rule 7: link ids

    #[test]
    fn link_ids_must_be_16_and_8_bytes() {
        let mut d = minimal_valid();
        dict(&mut d).link_table[1].trace_id = vec![];
        dict(&mut d).link_table[1].span_id = vec![1; 16];
        assert_eq!(
            check(&d),
            vec![
                (
                    "dictionary.link_table[1].trace_id".to_owned(),
                    Rule::LinkIdLength
                ),
                (
                    "dictionary.link_table[1].span_id".to_owned(),
                    Rule::LinkIdLength
                ),
            ]
        );
    }

    // ------------------------------------------------------------------- rule 13: shapes

    #[test]
    fn values_without_timestamps_must_be_exactly_one() {
        let mut d = minimal_valid();
        sample(&mut d).values = vec![1, 2];
        assert_eq!(
            check(&d),
            expect(&format!("{SAMPLE}.values"), Rule::SampleShape)
        );
        let off = CheckOptions {
            sample_shapes: false,
            ..CheckOptions::all()
        };
        assert!(pprotel::otlp::validate::check(&d, &off).is_empty());
    }

    #[test]
    fn values_and_timestamps_must_pair_up() {
        let mut d = minimal_valid();
        sample(&mut d).values = vec![1, 2];
        sample(&mut d).timestamps_unix_nano = vec![1_000];
        assert_eq!(
            check(&d),
            expect(&format!("{SAMPLE}.values"), Rule::SampleShape)
        );
    }

    #[test]
    fn a_sample_needs_values_or_timestamps() {
        let mut d = minimal_valid();
        sample(&mut d).values = vec![];
        assert_eq!(check(&d), expect(SAMPLE, Rule::SampleShape));
    }

    #[test]
    fn all_samples_of_a_profile_share_the_first_samples_shape() {
        let mut d = minimal_valid();
        let mut second = sample(&mut d).clone();
        second.values = vec![];
        second.timestamps_unix_nano = vec![1_050];
        profile(&mut d).samples.push(second);
        assert_eq!(
            check(&d),
            expect(
                "resource_profiles[0].scope_profiles[0].profiles[0].samples[1]",
                Rule::SampleShape
            )
        );
    }

    // ------------------------------------------------------------------- rule 14: duplicates

    #[test]
    fn duplicate_strings_are_reported_only_when_asked() {
        let mut d = minimal_valid();
        dict(&mut d).string_table.push("cpu".to_owned());
        // Reference it so that the orphan rule stays quiet.
        dict(&mut d).function_table[1].system_name_strindex = 9;
        assert_eq!(
            check(&d),
            expect("dictionary.string_table[9]", Rule::DuplicateString)
        );
        assert_eq!(check_default(&d), vec![]);
    }

    /// Mapping identity is (filename, attribute index set, start, limit, offset): the order of
    /// attribute indices does not matter.
    #[test]
    fn duplicate_mappings_are_reported_only_when_asked() {
        let mut d = minimal_valid();
        dict(&mut d).attribute_table.push(KeyValueAndUnit {
            key_strindex: 5,
            value: string("x"),
            unit_strindex: 0,
        });
        dict(&mut d).mapping_table[1].attribute_indices = vec![1, 2];
        let mut copy = dict(&mut d).mapping_table[1].clone();
        copy.attribute_indices = vec![2, 1];
        dict(&mut d).mapping_table.push(copy);
        dict(&mut d).location_table[1].mapping_index = 2;
        dict(&mut d).location_table.push(Location {
            mapping_index: 1,
            ..Location::default()
        });
        dict(&mut d).stack_table[1].location_indices.push(2);
        assert_eq!(
            check(&d),
            expect("dictionary.mapping_table[2]", Rule::DuplicateMapping)
        );
        assert_eq!(check_default(&d), vec![]);
    }

    // ------------------------------------------------------------------- rule 15: orphans

    #[test]
    fn unreferenced_entries_are_orphans_only_when_asked() {
        let mut d = minimal_valid();
        dict(&mut d).function_table.push(Function {
            name_strindex: S_MAIN,
            ..Function::default()
        });
        dict(&mut d).link_table.push(Link {
            trace_id: vec![3; 16],
            span_id: vec![4; 8],
        });
        dict(&mut d).stack_table.push(Stack::default());
        assert_eq!(
            check(&d),
            vec![
                ("dictionary.function_table[2]".to_owned(), Rule::Orphan),
                ("dictionary.link_table[2]".to_owned(), Rule::Orphan),
                ("dictionary.stack_table[2]".to_owned(), Rule::Orphan),
            ]
        );
        assert_eq!(check_default(&d), vec![]);
    }

    /// profcheck counts references from every entry, used or not: an orphan stack still
    /// "references" its locations, so only the stack is reported.
    #[test]
    fn orphans_are_counted_by_reference_not_by_reachability() {
        let mut d = minimal_valid();
        dict(&mut d).location_table.push(Location {
            mapping_index: 1,
            ..Location::default()
        });
        dict(&mut d).stack_table.push(Stack {
            location_indices: vec![2],
        });
        assert_eq!(check(&d), expect("dictionary.stack_table[2]", Rule::Orphan));
    }

    /// QUIRK kept for agreement with profcheck: strings used only as Resource/Scope
    /// `key_strindex` / `string_value_strindex`, or as `string_value_strindex` inside an
    /// attribute value, are not counted as references and so are reported as orphans.
    #[test]
    fn strings_used_only_by_strindex_attribute_forms_are_orphans_like_in_profcheck() {
        let mut d = minimal_valid();
        let t = dict(&mut d);
        t.string_table
            .extend(["host.name", "h1", "scope.key", "value"].map(str::to_owned));
        d.resource_profiles[0]
            .resource
            .as_mut()
            .unwrap()
            .attributes
            .push(KeyValue {
                key: String::new(),
                value: Some(AnyValue {
                    value: Some(Value::StringValueStrindex(10)),
                }),
                key_strindex: 9,
            });
        d.resource_profiles[0].scope_profiles[0]
            .scope
            .as_mut()
            .unwrap()
            .attributes
            .push(KeyValue {
                key: String::new(),
                value: string("plain"),
                key_strindex: 11,
            });
        dict(&mut d).attribute_table[1].value = Some(AnyValue {
            value: Some(Value::StringValueStrindex(12)),
        });
        assert_eq!(
            check(&d),
            vec![
                ("dictionary.string_table[9]".to_owned(), Rule::Orphan),
                ("dictionary.string_table[10]".to_owned(), Rule::Orphan),
                ("dictionary.string_table[11]".to_owned(), Rule::Orphan),
                ("dictionary.string_table[12]".to_owned(), Rule::Orphan),
            ]
        );
        // Without the orphan rule the document is clean: every index is in range.
        let no_orphans = CheckOptions {
            orphans: false,
            ..CheckOptions::all()
        };
        assert!(pprotel::otlp::validate::check(&d, &no_orphans).is_empty());
    }

    // ------------------------------------------------------------------- extra proto MUSTs

    #[test]
    fn a_function_needs_a_name_system_name_or_filename() {
        let mut d = minimal_valid();
        dict(&mut d).function_table[1] = Function {
            start_line: 3,
            ..Function::default()
        };
        assert_eq!(
            check_default(&d),
            expect("dictionary.function_table[1]", Rule::FunctionWithoutName)
        );
        // Any one of the three is enough.
        dict(&mut d).function_table[1].filename_strindex = 6;
        assert_eq!(check_default(&d), vec![]);
    }

    #[test]
    fn profile_id_is_empty_or_16_nonzero_bytes() {
        let mut d = minimal_valid();
        profile(&mut d).profile_id = vec![];
        assert_eq!(check(&d), vec![]);
        profile(&mut d).profile_id = vec![1; 8];
        assert_eq!(
            check(&d),
            expect(&format!("{PROFILE}.profile_id"), Rule::ProfileIdLength)
        );
        profile(&mut d).profile_id = vec![0; 16];
        assert_eq!(
            check(&d),
            expect(&format!("{PROFILE}.profile_id"), Rule::ProfileIdAllZero)
        );
    }

    #[test]
    fn original_payload_and_its_format_come_together() {
        let mut d = minimal_valid();
        profile(&mut d).original_payload_format = "pprof".to_owned();
        assert_eq!(
            check(&d),
            expect(
                &format!("{PROFILE}.original_payload"),
                Rule::OriginalPayloadPairing
            )
        );
        profile(&mut d).original_payload = vec![0x1f, 0x8b];
        assert_eq!(check(&d), vec![]);
        profile(&mut d).original_payload_format.clear();
        assert_eq!(
            check(&d),
            expect(
                &format!("{PROFILE}.original_payload_format"),
                Rule::OriginalPayloadPairing
            )
        );
    }

    #[test]
    fn resource_and_scope_strindex_attributes_must_be_in_range_at_any_depth() {
        let mut d = minimal_valid();
        d.resource_profiles[0]
            .resource
            .as_mut()
            .unwrap()
            .attributes
            .push(KeyValue {
                key: String::new(),
                value: string("v"),
                key_strindex: 99,
            });
        let nested = AnyValue {
            value: Some(Value::ArrayValue(ArrayValue {
                values: vec![
                    AnyValue {
                        value: Some(Value::StringValueStrindex(S_MAIN)),
                    },
                    AnyValue {
                        value: Some(Value::KvlistValue(KeyValueList {
                            values: vec![KeyValue {
                                key: String::new(),
                                value: Some(AnyValue {
                                    value: Some(Value::StringValueStrindex(-1)),
                                }),
                                key_strindex: 40,
                            }],
                        })),
                    },
                ],
            })),
        };
        d.resource_profiles[0].scope_profiles[0]
            .scope
            .as_mut()
            .unwrap()
            .attributes
            .push(KeyValue {
                key: "list".to_owned(),
                value: Some(nested),
                key_strindex: 0,
            });
        let kv = "resource_profiles[0].scope_profiles[0].scope.attributes[0].value.array_value\
                  .values[1].kvlist_value.values[0]";
        assert_eq!(
            check_default(&d),
            vec![
                (
                    "resource_profiles[0].resource.attributes[1].key_strindex".to_owned(),
                    Rule::ResourceScopeStrindexOutOfRange
                ),
                (
                    format!("{kv}.key_strindex"),
                    Rule::ResourceScopeStrindexOutOfRange
                ),
                (
                    format!("{kv}.value.string_value_strindex"),
                    Rule::ResourceScopeStrindexOutOfRange
                ),
            ]
        );
    }

    #[test]
    fn attribute_table_string_values_must_be_in_range() {
        let mut d = minimal_valid();
        dict(&mut d).attribute_table[1].value = Some(AnyValue {
            value: Some(Value::StringValueStrindex(42)),
        });
        assert_eq!(
            check_default(&d),
            expect(
                "dictionary.attribute_table[1].value.string_value_strindex",
                Rule::AttributeValueStrindexOutOfRange
            )
        );
    }

    #[test]
    fn key_and_key_strindex_exclude_each_other() {
        let mut d = minimal_valid();
        d.resource_profiles[0].resource.as_mut().unwrap().attributes[0].key_strindex = S_THREAD;
        assert_eq!(
            check_default(&d),
            expect(
                "resource_profiles[0].resource.attributes[0]",
                Rule::ConflictingKeyForms
            )
        );
    }

    // ------------------------------------------------------------------- property

    proptest::proptest! {
        /// Whatever values the index fields hold, the validator does not panic and reports
        /// exactly one range violation per out-of-range index, at that index's path.
        #[test]
        fn each_out_of_range_index_is_reported_exactly_once(
            stack in -2i32..4,
            link in -2i32..4,
            mapping in -2i32..4,
            function in -2i32..4,
            location in -2i32..4,
            name in -2i32..12,
            filename in -2i32..12,
        ) {
            let mut d = minimal_valid();
            sample(&mut d).stack_index = stack;
            sample(&mut d).link_index = link;
            let t = dict(&mut d);
            t.location_table[1].mapping_index = mapping;
            t.location_table[1].lines[0].function_index = function;
            t.stack_table[1].location_indices[0] = location;
            t.function_table[1].name_strindex = name;
            t.mapping_table[1].filename_strindex = filename;
            let strings = STRINGS.len() as i32;
            let mut want: Vec<String> = [
                (stack, 2, format!("{SAMPLE}.stack_index")),
                (link, 2, format!("{SAMPLE}.link_index")),
                (filename, strings, "dictionary.mapping_table[1].filename_strindex".to_owned()),
                (mapping, 2, "dictionary.location_table[1].mapping_index".to_owned()),
                (
                    function,
                    2,
                    "dictionary.location_table[1].lines[0].function_index".to_owned(),
                ),
                (name, strings, "dictionary.function_table[1].name_strindex".to_owned()),
                (location, 2, "dictionary.stack_table[1].location_indices[0]".to_owned()),
            ]
            .into_iter()
            .filter(|(value, len, _)| *value < 0 || value >= len)
            .map(|(_, _, path)| path)
            .collect();
            want.sort();
            let mut got: Vec<String> = check(&d)
                .into_iter()
                .filter(|(_, rule)| {
                    matches!(rule, Rule::IndexOutOfRange | Rule::StrindexOutOfRange)
                })
                .map(|(path, _)| path)
                .collect();
            got.sort();
            proptest::prop_assert_eq!(got, want);
        }
    }

    // ------------------------------------------------------------------- cross-cutting

    /// Filtering on `is_profcheck_rule` keeps what profcheck reports and drops pprotel's extras.
    #[test]
    fn profcheck_rules_can_be_separated_from_the_extra_musts() {
        let mut d = minimal_valid();
        sample(&mut d).stack_index = 7; // profcheck
        profile(&mut d).profile_id = vec![0; 16]; // extra
        dict(&mut d).function_table[1] = Function {
            start_line: -1,        // profcheck
            ..Function::default()  // extra: no name
        };
        let all = pprotel::otlp::validate::check(&d, &CheckOptions::default());
        assert_eq!(all.len(), 4, "{all:?}");
        let profcheck: Vec<Violation> = all
            .into_iter()
            .filter(|v| v.rule.is_profcheck_rule())
            .collect();
        assert_eq!(
            found(&profcheck),
            vec![
                (format!("{SAMPLE}.stack_index"), Rule::IndexOutOfRange),
                (
                    "dictionary.function_table[1].start_line".to_owned(),
                    Rule::NegativeLine
                ),
            ]
        );
        for rule in [
            Rule::MissingDictionary,
            Rule::FunctionWithoutName,
            Rule::ProfileIdLength,
            Rule::ProfileIdAllZero,
            Rule::OriginalPayloadPairing,
            Rule::ResourceScopeStrindexOutOfRange,
            Rule::AttributeValueStrindexOutOfRange,
            Rule::ConflictingKeyForms,
        ] {
            assert!(!rule.is_profcheck_rule(), "{rule}");
        }
    }

    /// Envelope first (resources, scopes, profiles, samples), then the dictionary tables in field
    /// order, then orphans; and the same input gives the same list every time.
    #[test]
    fn violations_come_in_document_order() {
        let mut d = minimal_valid();
        dict(&mut d).stack_table.push(Stack::default()); // orphan
        dict(&mut d).function_table[1].start_line = -1;
        dict(&mut d).mapping_table[1].memory_limit = 1;
        profile(&mut d).original_payload = vec![1];
        sample(&mut d).link_index = 9;
        let first = pprotel::otlp::validate::check(&d, &CheckOptions::all());
        assert_eq!(
            found(&first),
            vec![
                (format!("{SAMPLE}.link_index"), Rule::IndexOutOfRange),
                (
                    format!("{PROFILE}.original_payload_format"),
                    Rule::OriginalPayloadPairing
                ),
                (
                    "dictionary.mapping_table[1].memory_limit".to_owned(),
                    Rule::MappingRange
                ),
                (
                    "dictionary.function_table[1].start_line".to_owned(),
                    Rule::NegativeLine
                ),
                ("dictionary.link_table[1]".to_owned(), Rule::Orphan),
                ("dictionary.stack_table[2]".to_owned(), Rule::Orphan),
            ]
        );
        assert_eq!(
            first,
            pprotel::otlp::validate::check(&d, &CheckOptions::all())
        );
    }

    #[test]
    fn violations_display_as_path_colon_message() {
        let mut d = minimal_valid();
        sample(&mut d).stack_index = 2;
        let v = pprotel::otlp::validate::check(&d, &CheckOptions::default());
        assert_eq!(
            v[0].to_string(),
            format!("{SAMPLE}.stack_index: index 2 is out of range of stack_table [0..2)")
        );
    }
}
