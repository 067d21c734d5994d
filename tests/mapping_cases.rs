//! The translation cases of the mapping specification (docs/mapping.md), each proven to round
//! trip pprof → OTLP → pprof with semantic equality, through protobuf and JSON, with every OTLP
//! output passing the conformance rules; or refused with its documented message.

use pprotel::otlp::common::{AnyValue, ArrayValue, KeyValue, any_value::Value};
use pprotel::otlp::json::{self, Style};
use pprotel::otlp::mapping::{MappingError, ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
use pprotel::otlp::model::{self as otlp, ProfilesData};
use pprotel::otlp::validate::{self, CheckOptions};
use pprotel::otlp::{decode_protobuf, encode_protobuf, semconv};
use pprotel::pprof::{Label, Line, Profile};
use pprotel::roundtrip::{OtlpView, compare_otlp, compare_pprof};

use crate::build::{self, PprofBuilder, kv, sidx};

/// pprof → OTLP, checked for conformance, and decoded again from its own protobuf bytes.
fn to_otlp(p: &Profile) -> ProfilesData {
    let data = pprof_to_otlp(p, &ToOtlpOptions::default()).expect("pprof → OTLP");
    assert_conformant(&data);
    decode_protobuf(&encode_protobuf(&data)).expect("decode our own protobuf")
}

fn assert_conformant(data: &ProfilesData) {
    let violations = validate::check(data, &CheckOptions::default());
    assert!(
        violations.is_empty(),
        "OTLP output violates conformance rules:
{}",
        build::lines(&violations)
    );
}

/// OTLP → exactly one pprof, with nothing left unrepresented.
fn back(data: &ProfilesData) -> Profile {
    let translated = otlp_to_pprof(data).expect("OTLP → pprof");
    assert!(
        translated.report.is_empty(),
        "not representable: {}",
        translated.report
    );
    assert_eq!(translated.outputs.len(), 1, "expected one pprof");
    translated.outputs[0].pprof.clone()
}

fn assert_equal(expected: &Profile, actual: &Profile) {
    let diffs = compare_pprof(expected, actual);
    assert!(
        diffs.is_empty(),
        "round trip lost information:
{}",
        build::lines(&diffs)
    );
}

/// The round trip through protobuf and through JSON; returns the OTLP for further checks.
fn assert_round_trips(p: &Profile) -> ProfilesData {
    let data = to_otlp(p);
    assert_equal(p, &back(&data));
    let via_json =
        json::from_json(&json::to_json(&data, Style::Compact)).expect("decode our own JSON");
    assert_eq!(via_json, data, "JSON changed the OTLP data");
    data
}

fn scope_attribute<'a>(data: &'a ProfilesData, key: &str) -> Option<&'a Value> {
    let scope = data.resource_profiles[0].scope_profiles[0].scope.as_ref()?;
    scope
        .attributes
        .iter()
        .find(|kv| kv.key == key)?
        .value
        .as_ref()?
        .value
        .as_ref()
}

fn sample_type_names(data: &ProfilesData) -> Vec<String> {
    let d = data.dictionary.as_ref().unwrap();
    data.resource_profiles[0].scope_profiles[0]
        .profiles
        .iter()
        .map(|p| d.string_table[p.sample_type.unwrap().type_strindex as usize].clone())
        .collect()
}

fn ints(values: &[i64]) -> Value {
    Value::ArrayValue(ArrayValue {
        values: values
            .iter()
            .map(|&i| AnyValue {
                value: Some(Value::IntValue(i)),
            })
            .collect(),
    })
}

// --- Sample types and the default sample type -------------------------------------------

#[test]
fn several_sample_types_with_default_unset_put_the_last_first() {
    let p = PprofBuilder::cpu().p;
    let data = assert_round_trips(&p);
    assert_eq!(sample_type_names(&data), ["cpu", "samples"]);
    assert_eq!(
        scope_attribute(&data, semconv::SAMPLE_TYPE_ORDER),
        Some(&ints(&[1, 0]))
    );
    assert_eq!(scope_attribute(&data, semconv::DEFAULT_SAMPLE_TYPE), None);
}

#[test]
fn default_sample_type_naming_the_last_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.p.default_sample_type = b.s("cpu");
    let data = assert_round_trips(&b.p);
    assert_eq!(
        scope_attribute(&data, semconv::DEFAULT_SAMPLE_TYPE),
        Some(&Value::StringValue("cpu".into()))
    );
}

#[test]
fn default_sample_type_naming_a_middle_one_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.sample_type("alloc_space", "bytes");
    for s in &mut b.p.sample {
        s.value.push(64);
    }
    b.p.default_sample_type = b.s("cpu");
    let data = assert_round_trips(&b.p);
    assert_eq!(sample_type_names(&data), ["alloc_space", "cpu", "samples"]);
    assert_eq!(
        scope_attribute(&data, semconv::SAMPLE_TYPE_ORDER),
        Some(&ints(&[2, 1, 0]))
    );
}

#[test]
fn default_sample_type_naming_no_sample_type_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.p.default_sample_type = b.s("wall");
    assert_round_trips(&b.p);
}

#[test]
fn sample_type_order_without_the_attribute_undoes_the_reference_swap() {
    let mut b = PprofBuilder::cpu();
    b.sample_type("alloc_space", "bytes");
    for s in &mut b.p.sample {
        s.value.push(64);
    }
    let mut data = to_otlp(&b.p);
    let scope = data.resource_profiles[0].scope_profiles[0]
        .scope
        .as_mut()
        .unwrap();
    scope
        .attributes
        .retain(|kv| kv.key != semconv::SAMPLE_TYPE_ORDER);
    assert_equal(&b.p, &back(&data));
}

// --- Labels -----------------------------------------------------------------------------

#[test]
fn labels_with_a_repeated_key_round_trip_in_order() {
    let mut b = PprofBuilder::cpu();
    b.sample(&[1], &[1, 1])
        .str_label("tag", "b")
        .str_label("tag", "a")
        .str_label("other", "x")
        .str_label("tag", "c");
    assert_round_trips(&b.p);
}

#[test]
fn a_string_and_a_number_under_one_key_round_trip() {
    let mut b = PprofBuilder::cpu();
    b.sample(&[1], &[1, 1])
        .str_label("size", "large")
        .num_label("size", 512, "bytes");
    assert_round_trips(&b.p);
}

#[test]
fn a_label_with_both_str_and_num_set_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.sample(&[1], &[1, 1]);
    let label = Label {
        key: b.s("odd"),
        str: b.s("text"),
        num: 7,
        num_unit: b.s("count"),
    };
    b.p.sample.last_mut().unwrap().label.push(label);
    assert_round_trips(&b.p);
}

#[test]
fn an_empty_string_label_value_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.sample(&[1], &[1, 1]).str_label("empty", "");
    let data = assert_round_trips(&b.p);
    let d = data.dictionary.as_ref().unwrap();
    let empty = d
        .attribute_table
        .iter()
        .find(|a| a.key_strindex == sidx(d, "empty"))
        .expect("attribute for the empty label");
    assert_eq!(
        empty.value.as_ref().unwrap().value,
        Some(Value::StringValue(String::new()))
    );
}

#[test]
fn numeric_labels_keep_their_num_unit() {
    let mut b = PprofBuilder::cpu();
    b.sample(&[1], &[1, 1])
        .num_label("alloc", 4096, "bytes")
        .num_label("requests", 3, "");
    let data = assert_round_trips(&b.p);
    let d = data.dictionary.as_ref().unwrap();
    let alloc = d
        .attribute_table
        .iter()
        .find(|a| a.key_strindex == sidx(d, "alloc"))
        .unwrap();
    assert_eq!(alloc.unit_strindex, sidx(d, "bytes"));
    assert_eq!(
        alloc.value.as_ref().unwrap().value,
        Some(Value::IntValue(4096))
    );
}

// --- Locations, mappings, functions ---------------------------------------------------------

#[test]
fn inline_frames_keep_their_unsorted_line_order() {
    let mut b = PprofBuilder::cpu();
    b.location(9, 1, 0x404000, &[(2, 30), (1, 10), (3, 20)])
        .sample(&[9], &[1, 1]);
    b.p.location.last_mut().unwrap().line[1].column = 7;
    let data = assert_round_trips(&b.p);
    let lines: Vec<i64> = data.dictionary.as_ref().unwrap().location_table[5]
        .lines
        .iter()
        .map(|l| l.line)
        .collect();
    assert_eq!(lines, [30, 10, 20]);
}

#[test]
fn a_mapping_with_memory_start_equal_to_memory_limit_round_trips_and_conforms() {
    let mut b = PprofBuilder::cpu();
    b.mapping(3, 0x9000, 0x9000, "[vdso]", "")
        .mapping(4, 0xa000, 0x8000, "inverted", "");
    let data = assert_round_trips(&b.p);
    let m = &data.dictionary.as_ref().unwrap().mapping_table[3];
    assert_eq!(
        (m.memory_start, m.memory_limit),
        (0, 0),
        "conformance forbids start == limit"
    );
}

#[test]
fn negative_time_and_duration_round_trip() {
    let mut b = PprofBuilder::cpu();
    b.p.time_nanos = -5;
    b.p.duration_nanos = -1;
    assert_round_trips(&b.p);
}

#[test]
fn comments_including_empty_ones_round_trip_in_order() {
    let mut b = PprofBuilder::cpu();
    b.p.comment = vec![b.s(""), b.s("second"), b.s(""), b.s("second")];
    assert_round_trips(&b.p);
}

#[test]
fn drop_frames_keep_frames_and_doc_url_round_trip() {
    let mut b = PprofBuilder::cpu();
    b.p.drop_frames = b.s("runtime\\..*");
    b.p.keep_frames = b.s("runtime\\.main");
    b.p.doc_url = b.s("https://example.com/profiles/cpu");
    assert_round_trips(&b.p);
}

#[test]
fn unreferenced_mappings_locations_and_functions_are_kept() {
    let mut b = PprofBuilder::cpu();
    b.mapping(7, 0x10000, 0x20000, "/lib/unused.so", "ffff")
        .function(8, "unused", "unused.c", 1)
        .location(9, 7, 0x10010, &[(8, 2)]);
    let data = assert_round_trips(&b.p);
    let d = data.dictionary.as_ref().unwrap();
    assert_eq!(
        (
            d.mapping_table.len(),
            d.function_table.len(),
            d.location_table.len()
        ),
        (4, 5, 6)
    );
}

#[test]
fn two_locations_with_identical_content_and_different_ids_stay_two() {
    let mut b = PprofBuilder::cpu();
    b.location(5, 1, 0x401000, &[(1, 12)])
        .sample(&[5, 1], &[1, 1]);
    let data = assert_round_trips(&b.p);
    assert_eq!(data.dictionary.as_ref().unwrap().location_table.len(), 6);
}

#[test]
fn non_sequential_ids_round_trip() {
    let mut b = PprofBuilder::new();
    b.sample_type("samples", "count")
        .mapping(900, 0x1000, 0x2000, "a", "")
        .function(42, "f", "f.go", 1)
        .function(7, "g", "g.go", 1)
        .location(100, 900, 0x1100, &[(7, 3)])
        .location(3, 900, 0x1200, &[(42, 5), (7, 4)])
        .sample(&[3, 100], &[9]);
    assert_round_trips(&b.p);
}

#[test]
fn a_location_with_mapping_id_zero_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.location(8, 0, 0xffffffff81000000, &[])
        .sample(&[8, 1], &[1, 1]);
    let data = assert_round_trips(&b.p);
    assert_eq!(
        data.dictionary.as_ref().unwrap().location_table[5].mapping_index,
        0
    );
}

#[test]
fn a_line_without_a_function_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.p.location[0].line.push(Line {
        function_id: 0,
        line: 3,
        column: 0,
    });
    assert_round_trips(&b.p);
}

#[test]
fn folded_locations_and_mapping_flags_round_trip() {
    let mut b = PprofBuilder::cpu();
    b.p.location[1].is_folded = true;
    let m = &mut b.p.mapping[1];
    (m.has_filenames, m.has_line_numbers, m.has_inline_frames) = (true, true, true);
    assert_round_trips(&b.p);
}

// --- Degenerate profiles -----------------------------------------------------------------

#[test]
fn a_profile_without_samples_round_trips() {
    let mut b = PprofBuilder::cpu();
    b.p.sample.clear();
    assert_round_trips(&b.p);
}

#[test]
fn a_profile_without_samples_or_sample_types_round_trips() {
    let mut b = PprofBuilder::new();
    b.p.time_nanos = 42;
    let data = assert_round_trips(&b.p);
    assert_eq!(
        data.resource_profiles[0].scope_profiles[0].profiles.len(),
        1,
        "OTLP needs one profile per scope"
    );
    assert_eq!(
        scope_attribute(&data, semconv::SAMPLE_TYPE_ORDER),
        Some(&ints(&[]))
    );
}

#[test]
fn samples_without_sample_types_are_refused() {
    let mut b = PprofBuilder::cpu();
    b.p.sample_type.clear();
    for s in &mut b.p.sample {
        s.value.clear();
    }
    let err = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap_err();
    assert_eq!(err, MappingError::SamplesWithoutTypes { samples: 3 });
    assert_eq!(
        err.to_string(),
        "profile has 3 samples but no sample_type; it is not a valid pprof"
    );
}

#[test]
fn invalid_utf8_in_a_referenced_string_is_refused_with_its_index() {
    let mut b = PprofBuilder::cpu();
    let bad = b.bytes(b"bad\xffname");
    b.p.function[1].name = bad;
    let err = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "function[1].name: string_table[{bad}] is not valid UTF-8 (bad\\xffname); OTLP strings must be UTF-8"
        )
    );
}

#[test]
fn invalid_utf8_in_an_unreferenced_string_is_not_information() {
    let mut b = PprofBuilder::cpu();
    b.bytes(b"\xfe\xff");
    assert_round_trips(&b.p);
}

#[test]
fn a_sample_naming_an_unknown_location_is_refused_with_its_path() {
    let mut b = PprofBuilder::cpu();
    b.p.sample[1].location_id[1] = 77;
    let err = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sample[1].location_id[1]: no location with id 77"
    );
}

#[test]
fn duplicate_ids_are_refused() {
    let mut b = PprofBuilder::cpu();
    b.function(2, "again", "again.c", 0);
    let err = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "function[3].id: id 2 is used by more than one function"
    );
}

#[test]
fn a_sample_with_the_wrong_number_of_values_is_refused() {
    let mut b = PprofBuilder::cpu();
    b.p.sample[2].value.push(3);
    let err = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "sample[2]: 3 values but 2 sample types");
}

// --- OTLP inputs pprof cannot hold in one file, or at all ---------------------------------

/// One Profile with `n` values-only samples on stack 1 (one location, one function).
fn otlp_profile(d: &otlp::ProfilesDictionary, sample_type: &str, values: &[i64]) -> otlp::Profile {
    otlp::Profile {
        sample_type: Some(otlp::ValueType {
            type_strindex: sidx(d, sample_type),
            unit_strindex: sidx(d, "count"),
        }),
        samples: values
            .iter()
            .map(|&v| otlp::Sample {
                stack_index: 1,
                values: vec![v],
                ..Default::default()
            })
            .collect(),
        time_unix_nano: 1_000,
        duration_nano: 1_000_000,
        ..Default::default()
    }
}

fn otlp_dictionary() -> otlp::ProfilesDictionary {
    let mut d = build::dictionary(&[
        "samples",
        "count",
        "cpu",
        "main",
        "service.name",
        "checkout",
        "thread",
        "worker",
        "/bin/app",
        "process.executable.build_id.gnu",
        "b1d",
    ]);
    d.function_table.push(otlp::Function {
        name_strindex: sidx(&d, "main"),
        ..Default::default()
    });
    d.mapping_table.push(otlp::Mapping {
        memory_start: 0x1000,
        memory_limit: 0x9000,
        filename_strindex: sidx(&d, "/bin/app"),
        ..Default::default()
    });
    d.location_table.push(otlp::Location {
        mapping_index: 1,
        address: 0x1234,
        lines: vec![otlp::Line {
            function_index: 1,
            line: 3,
            column: 0,
        }],
        ..Default::default()
    });
    d.stack_table.push(otlp::Stack {
        location_indices: vec![1],
    });
    d
}

fn scope(profiles: Vec<otlp::Profile>) -> otlp::ScopeProfiles {
    otlp::ScopeProfiles {
        profiles,
        ..Default::default()
    }
}

#[test]
fn several_resources_and_scopes_become_several_named_pprofs() {
    let d = otlp_dictionary();
    let resource = |name: &str| otlp::ResourceProfiles {
        resource: Some(pprotel::otlp::resource::Resource {
            attributes: vec![kv("service.name", build::string(name))],
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut r0 = resource("checkout");
    r0.scope_profiles = vec![
        scope(vec![otlp_profile(&d, "samples", &[1, 2])]),
        scope(vec![otlp_profile(&d, "cpu", &[3])]),
    ];
    let mut r1 = resource("cart");
    r1.scope_profiles = vec![scope(vec![otlp_profile(&d, "samples", &[4])])];
    let data = ProfilesData {
        resource_profiles: vec![r0, r1],
        dictionary: Some(d),
    };
    let translated = otlp_to_pprof(&data).unwrap();
    let names: Vec<String> = translated.outputs.iter().map(|o| o.suffix()).collect();
    assert_eq!(names, ["r0.s0", "r0.s1", "r1.s0"]);
    let values: Vec<Vec<i64>> = translated
        .outputs
        .iter()
        .map(|o| o.pprof.sample.iter().map(|s| s.value[0]).collect())
        .collect();
    assert_eq!(values, [vec![1, 2], vec![3], vec![4]]);
    let report: Vec<(String, usize)> = translated
        .report
        .entries()
        .map(|(k, e)| (k.to_owned(), e.count))
        .collect();
    assert_eq!(
        report,
        [("resource attribute \"service.name\"".to_owned(), 2)]
    );
}

#[test]
fn profiles_whose_samples_do_not_line_up_are_split_not_mixed() {
    let d = otlp_dictionary();
    let profiles = vec![
        otlp_profile(&d, "samples", &[1, 2]),
        otlp_profile(&d, "cpu", &[3]),
    ];
    let data = build::payload(d, profiles);
    let translated = otlp_to_pprof(&data).unwrap();
    let names: Vec<String> = translated.outputs.iter().map(|o| o.suffix()).collect();
    assert_eq!(names, ["r0.s0.p0", "r0.s0.p1"]);
}

#[test]
fn aligned_profiles_of_a_scope_become_one_pprof_with_several_sample_types() {
    let d = otlp_dictionary();
    let profiles = vec![
        otlp_profile(&d, "cpu", &[10, 20]),
        otlp_profile(&d, "samples", &[1, 2]),
    ];
    let data = build::payload(d, profiles);
    let p = back(&data);
    // No sample_type_order attribute: the reference translator's swap is undone.
    let types: Vec<&[u8]> = p
        .sample_type
        .iter()
        .map(|t| p.string(t.r#type).unwrap())
        .collect();
    assert_eq!(types, [b"samples".as_slice(), b"cpu"]);
    assert_eq!(
        p.sample.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
        [vec![1, 10], vec![2, 20]]
    );
}

#[test]
fn timestamped_samples_convert_with_the_timestamps_reported() {
    let d = otlp_dictionary();
    let mut profile = otlp_profile(&d, "samples", &[]);
    profile.samples = vec![
        otlp::Sample {
            stack_index: 1,
            timestamps_unix_nano: vec![1_100, 1_200, 1_300],
            ..Default::default()
        },
        otlp::Sample {
            stack_index: 1,
            values: vec![5, 6],
            timestamps_unix_nano: vec![1_400, 1_500],
            ..Default::default()
        },
    ];
    let data = build::payload(d, vec![profile]);
    let translated = otlp_to_pprof(&data).unwrap();
    let values: Vec<i64> = translated.outputs[0]
        .pprof
        .sample
        .iter()
        .map(|s| s.value[0])
        .collect();
    assert_eq!(
        values,
        [3, 5, 6],
        "timestamps only: one event each; values with timestamps: one sample per observation"
    );
    let report = translated.report.to_string();
    assert_eq!(
        report,
        "sample timestamps (5×, first at resource_profiles[0].scope_profiles[0].profiles[0].samples[0].timestamps_unix_nano)"
    );
}

#[test]
fn links_are_reported_as_not_representable() {
    let mut d = otlp_dictionary();
    d.link_table.push(otlp::Link {
        trace_id: vec![0x11; 16],
        span_id: vec![0x22; 8],
    });
    let mut profile = otlp_profile(&d, "samples", &[1]);
    profile.samples[0].link_index = 1;
    let data = build::payload(d, vec![profile]);
    let translated = otlp_to_pprof(&data).unwrap();
    assert_eq!(
        translated
            .report
            .entries()
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
        ["sample links"]
    );
}

#[test]
fn strindex_attribute_forms_are_resolved() {
    let mut d = otlp_dictionary();
    let (thread, worker, build_id_key, b1d) = (
        sidx(&d, "thread"),
        sidx(&d, "worker"),
        sidx(&d, "process.executable.build_id.gnu"),
        sidx(&d, "b1d"),
    );
    let strindex = |i| {
        Some(AnyValue {
            value: Some(Value::StringValueStrindex(i)),
        })
    };
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex: thread,
        value: strindex(worker),
        unit_strindex: 0,
    });
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex: build_id_key,
        value: strindex(b1d),
        unit_strindex: 0,
    });
    d.mapping_table[1].attribute_indices = vec![2];
    let mut profile = otlp_profile(&d, "samples", &[1]);
    profile.samples[0].attribute_indices = vec![1];
    let resource = pprotel::otlp::resource::Resource {
        attributes: vec![KeyValue {
            key: String::new(),
            value: strindex(sidx(&d, "checkout")),
            key_strindex: sidx(&d, "service.name"),
        }],
        ..Default::default()
    };
    let mut data = build::payload(d, vec![profile]);
    data.resource_profiles[0].resource = Some(resource);
    let translated = otlp_to_pprof(&data).unwrap();
    let p = &translated.outputs[0].pprof;
    let label = p.sample[0].label[0];
    assert_eq!(
        (p.string(label.key).unwrap(), p.string(label.str).unwrap()),
        (b"thread".as_slice(), b"worker".as_slice())
    );
    assert_eq!(p.string(p.mapping[0].build_id).unwrap(), b"b1d");
    assert_eq!(
        translated
            .report
            .entries()
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
        ["resource attribute \"service.name\""]
    );
}

#[test]
fn the_reference_translators_indexed_comment_keys_are_read_in_numeric_order() {
    let mut d = otlp_dictionary();
    let mut profile = otlp_profile(&d, "samples", &[1]);
    for (n, text) in [(10, "eleventh"), (2, "third"), (0, "first")] {
        d.string_table
            .push(format!("{}{n}", semconv::COMMENT_INDEXED_PREFIX));
        let key_strindex = d.string_table.len() as i32 - 1;
        d.attribute_table.push(otlp::KeyValueAndUnit {
            key_strindex,
            value: build::string(text),
            unit_strindex: 0,
        });
        profile
            .attribute_indices
            .push(d.attribute_table.len() as i32 - 1);
    }
    let data = build::payload(d, vec![profile]);
    let p = back(&data);
    let comments: Vec<&[u8]> = p.comment.iter().map(|&c| p.string(c).unwrap()).collect();
    assert_eq!(comments, [b"first".as_slice(), b"third", b"eleventh"]);
}

/// The Collector re-encodes scope attribute keys as `key_strindex`; the sample-type order and
/// the default sample type must be read in that form too.
#[test]
fn scope_attributes_in_key_strindex_form_keep_order_and_default() {
    let mut b = PprofBuilder::cpu();
    b.sample_type("alloc_space", "bytes");
    for s in &mut b.p.sample {
        s.value.push(64);
    }
    b.p.default_sample_type = b.s("samples");
    let mut data = to_otlp(&b.p);
    let d = data.dictionary.as_mut().unwrap();
    let scope = data.resource_profiles[0].scope_profiles[0]
        .scope
        .as_mut()
        .unwrap();
    for kv in &mut scope.attributes {
        d.string_table.push(std::mem::take(&mut kv.key));
        kv.key_strindex = d.string_table.len() as i32 - 1;
    }
    assert_equal(&b.p, &back(&data));
}

#[test]
fn dictionary_entries_no_output_carries_are_reported_when_the_input_splits() {
    let mut d = otlp_dictionary();
    d.function_table.push(otlp::Function {
        name_strindex: sidx(&d, "main"),
        start_line: 99,
        ..Default::default()
    });
    let profiles = vec![
        otlp_profile(&d, "samples", &[1, 2]),
        otlp_profile(&d, "cpu", &[3]),
    ];
    let data = build::payload(d, profiles);
    let translated = otlp_to_pprof(&data).unwrap();
    assert_eq!(translated.outputs.len(), 2);
    let report: Vec<(&str, usize)> = translated
        .report
        .entries()
        .map(|(k, e)| (k, e.count))
        .collect();
    assert_eq!(
        report,
        [(
            "unreferenced dictionary entries (the input splits into several pprof)",
            1
        )]
    );
}

/// A string table may hold the same key text at two indices; labels using both are one key to
/// OTLP, which requires unique attribute keys per sample.
#[test]
fn the_same_label_key_at_two_string_indices_is_one_attribute_key() {
    let mut b = PprofBuilder::cpu();
    b.sample(&[1], &[1, 1]).str_label("tag", "a");
    b.p.string_table.push(b"tag".to_vec());
    let second_key = b.p.string_table.len() as i64 - 1;
    let value = b.s("b");
    b.p.sample.last_mut().unwrap().label.push(Label {
        key: second_key,
        str: value,
        num: 0,
        num_unit: 0,
    });
    let data = assert_round_trips(&b.p);
    let sample = &data.resource_profiles[0].scope_profiles[0].profiles[0].samples[3];
    assert_eq!(
        sample.attribute_indices.len(),
        1,
        "one attribute for key \"tag\""
    );
}

// --- Alignment: Profiles of a scope share one pprof only when every sample lines up --------
//
// Each case starts from two Profiles that line up and breaks exactly one condition of
// alignment (`aligned` in src/otlp/mapping/to_pprof.rs); the scope must then become one pprof
// per Profile, each holding its own Profile, and never one pprof mixing them.

/// Entries of the attribute table of [`alignable_dictionary`].
const THREAD_WORKER: i32 = 1;
const THREAD_MAIN: i32 = 2;
const POOL_IO: i32 = 3;
const PROFILE_COMMENT: i32 = 4;
const PROFILE_DOC_URL: i32 = 5;

/// [`otlp_dictionary`] plus a second stack (`work` called from `main`), two sample label sets
/// and two profile attributes, all used by every alignable Profile.
fn alignable_dictionary() -> otlp::ProfilesDictionary {
    let mut d = otlp_dictionary();
    for s in [
        "work",
        "nanoseconds",
        "pool",
        "io",
        semconv::COMMENT,
        "aligned",
        semconv::DOC_URL,
        "https://example.com/profile",
    ] {
        d.string_table.push(s.into());
    }
    d.function_table.push(otlp::Function {
        name_strindex: sidx(&d, "work"),
        ..Default::default()
    });
    d.location_table.push(otlp::Location {
        mapping_index: 1,
        address: 0x2345,
        lines: vec![otlp::Line {
            function_index: 2,
            line: 7,
            column: 0,
        }],
        ..Default::default()
    });
    d.stack_table.push(otlp::Stack {
        location_indices: vec![2, 1],
    });
    let attribute = |d: &otlp::ProfilesDictionary, key: &str, value: Value| otlp::KeyValueAndUnit {
        key_strindex: sidx(d, key),
        value: Some(AnyValue { value: Some(value) }),
        unit_strindex: 0,
    };
    let text = |s: &str| Value::StringValue(s.into());
    let comments = Value::ArrayValue(ArrayValue {
        values: vec![AnyValue {
            value: Some(text("aligned")),
        }],
    });
    let attributes = [
        attribute(&d, "thread", text("worker")),
        attribute(&d, "thread", text("main")),
        attribute(&d, "pool", text("io")),
        attribute(&d, semconv::COMMENT, comments),
        attribute(&d, semconv::DOC_URL, text("https://example.com/profile")),
    ];
    d.attribute_table.extend(attributes);
    d
}

/// A Profile that lines up with every other one this makes: a sample on stack 1 labelled
/// thread=worker and pool=io, a sample on stack 2 labelled thread=main, one value each, and
/// the same time, duration, period, period type and profile attributes.
fn alignable_profile(
    d: &otlp::ProfilesDictionary,
    (sample_type, unit): (&str, &str),
    values: [i64; 2],
) -> otlp::Profile {
    let sample = |stack_index, value, attribute_indices| otlp::Sample {
        stack_index,
        values: vec![value],
        attribute_indices,
        ..Default::default()
    };
    otlp::Profile {
        sample_type: Some(otlp::ValueType {
            type_strindex: sidx(d, sample_type),
            unit_strindex: sidx(d, unit),
        }),
        samples: vec![
            sample(1, values[0], vec![THREAD_WORKER, POOL_IO]),
            sample(2, values[1], vec![THREAD_MAIN]),
        ],
        time_unix_nano: 1_000,
        duration_nano: 1_000_000,
        period: 10_000_000,
        period_type: Some(otlp::ValueType {
            type_strindex: sidx(d, "cpu"),
            unit_strindex: sidx(d, "nanoseconds"),
        }),
        attribute_indices: vec![PROFILE_COMMENT, PROFILE_DOC_URL],
        ..Default::default()
    }
}

/// What a scope of two Profiles must become.
enum Alignment {
    /// One pprof with both sample types.
    OnePprof,
    /// One pprof per Profile (`r0.s0.p0`, `r0.s0.p1`).
    Split,
    /// Refused with this message: a sample pprof cannot hold, in a Profile that may not be
    /// mixed with the other.
    Refused(&'static str),
}

/// Two alignable Profiles ("cpu" then "samples") in one scope, changed by `change` in exactly
/// the condition the test names, become what `expected` says.
fn assert_alignment(
    condition: &str,
    change: impl FnOnce(&mut otlp::ProfilesDictionary, &mut [otlp::Profile]),
    expected: Alignment,
) {
    let mut d = alignable_dictionary();
    let mut profiles = vec![
        alignable_profile(&d, ("cpu", "nanoseconds"), [10, 20]),
        alignable_profile(&d, ("samples", "count"), [1, 2]),
    ];
    change(&mut d, &mut profiles);
    let data = build::payload(d.clone(), profiles.clone());
    let translated = otlp_to_pprof(&data);
    let translated = match expected {
        Alignment::Refused(message) => {
            let err = translated.expect_err(&format!("{condition}: expected a refusal"));
            assert_eq!(err.to_string(), message, "{condition}");
            return;
        }
        _ => translated.unwrap_or_else(|e| panic!("{condition}: {e}")),
    };
    let placed: Vec<(usize, usize, Option<usize>)> = translated
        .outputs
        .iter()
        .map(|o| (o.resource, o.scope, o.profile))
        .collect();
    match expected {
        Alignment::OnePprof => {
            assert_eq!(placed, [(0, 0, None)], "{condition}: expected one pprof");
            assert!(
                translated.report.is_empty(),
                "{condition}: {}",
                translated.report
            );
            let p = &translated.outputs[0].pprof;
            let types: Vec<&[u8]> = p
                .sample_type
                .iter()
                .map(|t| p.string(t.r#type).unwrap())
                .collect();
            assert_eq!(types, [b"samples".as_slice(), b"cpu"], "{condition}");
            let values: Vec<Vec<i64>> = p.sample.iter().map(|s| s.value.clone()).collect();
            assert_eq!(values, [vec![1, 10], vec![2, 20]], "{condition}");
            assert_holds(condition, &data, p);
        }
        Alignment::Split => {
            assert_eq!(
                placed,
                [(0, 0, Some(0)), (0, 0, Some(1))],
                "{condition}: expected one pprof per Profile"
            );
            for (k, output) in translated.outputs.iter().enumerate() {
                assert_eq!(output.suffix(), format!("r0.s0.p{k}"));
                assert_eq!(output.pprof.sample_type.len(), 1, "{condition}: p{k}");
                let own = build::payload(d.clone(), vec![profiles[k].clone()]);
                assert_holds(&format!("{condition}: p{k}"), &own, &output.pprof);
            }
        }
        Alignment::Refused(_) => unreachable!(),
    }
}

/// `p` holds exactly what pprof can of `data`: translated back to OTLP, nothing differs.
fn assert_holds(what: &str, data: &ProfilesData, p: &Profile) {
    let back = pprof_to_otlp(p, &ToOtlpOptions::default()).expect("pprof → OTLP");
    let differences = compare_otlp(data, &back, OtlpView::PprofRepresentable);
    assert!(
        differences.is_empty(),
        "{what}: the pprof does not hold its Profile:\n{}",
        build::lines(&differences)
    );
}

#[test]
fn align_control_profiles_equal_but_in_sample_type_become_one_pprof() {
    assert_alignment("nothing differs", |_, _| {}, Alignment::OnePprof);
}

#[test]
fn align_control_attribute_order_within_a_sample_is_no_difference() {
    assert_alignment(
        "the same sample attributes in another order",
        |_, p| p[1].samples[0].attribute_indices.reverse(),
        Alignment::OnePprof,
    );
}

#[test]
fn align_control_profile_attribute_order_is_no_difference() {
    assert_alignment(
        "the same profile attributes in another order",
        |_, p| p[1].attribute_indices.reverse(),
        Alignment::OnePprof,
    );
}

#[test]
fn align_split_when_sample_counts_differ() {
    assert_alignment(
        "a third sample in the second Profile",
        |_, p| {
            let extra = p[1].samples[0].clone();
            p[1].samples.push(extra);
        },
        Alignment::Split,
    );
}

#[test]
fn align_split_when_a_position_has_another_stack() {
    // Both Profiles use both stacks, in another order.
    assert_alignment(
        "stack_index at each position",
        |_, p| {
            p[1].samples[0].stack_index = 2;
            p[1].samples[1].stack_index = 1;
        },
        Alignment::Split,
    );
}

#[test]
fn align_split_when_a_position_has_another_link() {
    assert_alignment(
        "link_index at one position",
        |d, p| {
            d.link_table.push(otlp::Link {
                trace_id: vec![0x11; 16],
                span_id: vec![0x22; 8],
            });
            p[1].samples[0].link_index = 1;
        },
        Alignment::Split,
    );
}

#[test]
fn align_split_when_a_position_has_other_attributes() {
    // Both Profiles use both label sets, in another order.
    assert_alignment(
        "sample attribute_indices at each position",
        |_, p| {
            p[1].samples[0].attribute_indices = vec![THREAD_MAIN];
            p[1].samples[1].attribute_indices = vec![THREAD_WORKER, POOL_IO];
        },
        Alignment::Split,
    );
}

#[test]
fn align_split_when_the_first_profile_has_a_timestamp() {
    assert_alignment(
        "a timestamp on a sample of the first Profile",
        |_, p| p[0].samples[0].timestamps_unix_nano = vec![1_500],
        Alignment::Split,
    );
}

#[test]
fn align_refused_not_mixed_when_the_first_profile_has_two_values() {
    assert_alignment(
        "two values in a sample of the first Profile",
        |_, p| p[0].samples[0].values = vec![10, 11],
        Alignment::Refused(
            "resource_profiles[0].scope_profiles[0].profiles[0].samples[0]: 2 values and 0 timestamps (a sample needs one value, or as many values as timestamps, or timestamps only)",
        ),
    );
}

#[test]
fn align_split_when_a_later_profile_has_a_timestamp() {
    assert_alignment(
        "a timestamp on a sample of the second Profile",
        |_, p| p[1].samples[0].timestamps_unix_nano = vec![1_500],
        Alignment::Split,
    );
}

#[test]
fn align_split_when_a_later_profile_has_timestamps_only() {
    assert_alignment(
        "timestamps and no value in a sample of the second Profile",
        |_, p| {
            let s = &mut p[1].samples[1];
            s.values.clear();
            s.timestamps_unix_nano = vec![1_500, 1_600];
        },
        Alignment::Split,
    );
}

#[test]
fn align_refused_not_mixed_when_a_later_profile_has_two_values() {
    assert_alignment(
        "two values in a sample of the second Profile",
        |_, p| p[1].samples[1].values = vec![2, 3],
        Alignment::Refused(
            "resource_profiles[0].scope_profiles[0].profiles[1].samples[1]: 2 values and 0 timestamps (a sample needs one value, or as many values as timestamps, or timestamps only)",
        ),
    );
}

#[test]
fn align_split_when_times_differ() {
    assert_alignment(
        "time_unix_nano",
        |_, p| p[1].time_unix_nano += 1,
        Alignment::Split,
    );
}

#[test]
fn align_split_when_durations_differ() {
    assert_alignment(
        "duration_nano",
        |_, p| p[1].duration_nano += 1,
        Alignment::Split,
    );
}

#[test]
fn align_split_when_periods_differ() {
    assert_alignment("period", |_, p| p[1].period += 1, Alignment::Split);
}

#[test]
fn align_split_when_period_types_differ() {
    assert_alignment(
        "period_type",
        |d, p| {
            p[1].period_type = Some(otlp::ValueType {
                type_strindex: sidx(d, "samples"),
                unit_strindex: sidx(d, "count"),
            });
        },
        Alignment::Split,
    );
}

#[test]
fn align_split_when_one_profile_has_no_period_type() {
    assert_alignment(
        "period_type present in one Profile only",
        |_, p| p[1].period_type = None,
        Alignment::Split,
    );
}

#[test]
fn align_split_when_profile_attributes_differ() {
    assert_alignment(
        "profile attribute_indices",
        |_, p| p[1].attribute_indices = vec![PROFILE_COMMENT],
        Alignment::Split,
    );
}
