//! Semantic equality of OTLP payloads: dictionary layout and attribute forms are encoding and
//! never reported; every change of information is reported once, at its path; the pprof view
//! holds exactly what survives OTLP → pprof → OTLP, and the full view names what does not.

use std::sync::OnceLock;

use pprotel::otlp::common::{AnyValue, ArrayValue, KeyValue, any_value::Value};
use pprotel::otlp::mapping::{ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
use pprotel::otlp::model::{self as otlp, ProfilesData};
use pprotel::otlp::resource::Resource;
use pprotel::otlp::semconv;
use pprotel::roundtrip::{Difference, DifferenceKind, OtlpView, compare_otlp};

use crate::build::{self, kv, sidx};
use crate::util;

/// The OTLP translation of every corpus pprof, made once for all tests of this module.
fn corpus() -> &'static [(String, ProfilesData)] {
    static CORPUS: OnceLock<Vec<(String, ProfilesData)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        util::corpus_pprofs()
            .iter()
            .map(|(name, p)| {
                let data = pprof_to_otlp(p, &ToOtlpOptions::default())
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (name.clone(), data)
            })
            .collect()
    })
}

fn render(differences: &[Difference]) -> String {
    differences.iter().map(|d| format!("  {d}\n")).collect()
}

fn paths(differences: &[Difference]) -> Vec<&str> {
    differences.iter().map(|d| d.path.as_str()).collect()
}

fn assert_equal(what: &str, expected: &ProfilesData, actual: &ProfilesData, view: OtlpView) {
    let differences = compare_otlp(expected, actual, view);
    assert!(
        differences.is_empty(),
        "{what} ({view:?}): expected no differences, got:\n{}",
        render(&differences)
    );
}

/// OTLP → pprof (one output, as every payload here has one scope) → OTLP.
fn through_pprof(data: &ProfilesData) -> (ProfilesData, pprotel::otlp::mapping::Report) {
    let translated = otlp_to_pprof(data).expect("OTLP → pprof");
    assert_eq!(translated.outputs.len(), 1, "one pprof expected");
    let back = pprof_to_otlp(&translated.outputs[0].pprof, &ToOtlpOptions::default())
        .expect("pprof → OTLP");
    (back, translated.report)
}

// ---------------------------------------------------------------------------------------------
// Encoding transformations of a payload: each keeps every piece of information.

/// Maps every string index a payload holds through `f`.
pub(crate) fn map_strings(d: &mut ProfilesData, f: &dyn Fn(i32) -> i32) {
    fn value(v: &mut AnyValue, f: &dyn Fn(i32) -> i32) {
        match &mut v.value {
            Some(Value::StringValueStrindex(i)) => *i = f(*i),
            Some(Value::ArrayValue(array)) => array.values.iter_mut().for_each(|e| value(e, f)),
            Some(Value::KvlistValue(list)) => {
                list.values.iter_mut().for_each(|kv| key_value(kv, f))
            }
            _ => {}
        }
    }
    fn key_value(kv: &mut KeyValue, f: &dyn Fn(i32) -> i32) {
        if kv.key_strindex != 0 {
            kv.key_strindex = f(kv.key_strindex);
        }
        if let Some(v) = &mut kv.value {
            value(v, f);
        }
    }
    let vt = |vt: &mut Option<otlp::ValueType>| {
        if let Some(vt) = vt {
            vt.type_strindex = f(vt.type_strindex);
            vt.unit_strindex = f(vt.unit_strindex);
        }
    };
    for rp in &mut d.resource_profiles {
        for a in rp.resource.iter_mut().flat_map(|r| &mut r.attributes) {
            key_value(a, f);
        }
        for sp in &mut rp.scope_profiles {
            for a in sp.scope.iter_mut().flat_map(|s| &mut s.attributes) {
                key_value(a, f);
            }
            for p in &mut sp.profiles {
                vt(&mut p.sample_type);
                vt(&mut p.period_type);
            }
        }
    }
    let dict = d.dictionary.as_mut().unwrap();
    for m in &mut dict.mapping_table {
        m.filename_strindex = f(m.filename_strindex);
    }
    for func in &mut dict.function_table {
        func.name_strindex = f(func.name_strindex);
        func.system_name_strindex = f(func.system_name_strindex);
        func.filename_strindex = f(func.filename_strindex);
    }
    for a in &mut dict.attribute_table {
        a.key_strindex = f(a.key_strindex);
        a.unit_strindex = f(a.unit_strindex);
        if let Some(v) = &mut a.value {
            value(v, f);
        }
    }
}

/// Reverses entries 1.. of a table, returning the old → new index map (0 stays 0).
fn reverse_table<T>(table: &mut [T]) -> Vec<i32> {
    let n = table.len();
    if n > 1 {
        table[1..].reverse();
    }
    (0..n)
        .map(|i| if i == 0 { 0 } else { (n - i) as i32 })
        .collect()
}

/// The same payload with every dictionary table (strings, attributes, stacks, locations,
/// mappings, functions, links) in reverse order after its zero entry, references rewritten.
fn relayout(data: &ProfilesData) -> ProfilesData {
    let mut d = data.clone();
    let dict = d.dictionary.as_mut().unwrap();
    let strings = reverse_table(&mut dict.string_table);
    let attributes = reverse_table(&mut dict.attribute_table);
    let stacks = reverse_table(&mut dict.stack_table);
    let locations = reverse_table(&mut dict.location_table);
    let mappings = reverse_table(&mut dict.mapping_table);
    let functions = reverse_table(&mut dict.function_table);
    let links = reverse_table(&mut dict.link_table);
    let at = |map: &[i32], i: i32| map.get(i as usize).copied().unwrap_or(i);
    for stack in &mut dict.stack_table {
        for l in &mut stack.location_indices {
            *l = at(&locations, *l);
        }
    }
    for l in &mut dict.location_table {
        l.mapping_index = at(&mappings, l.mapping_index);
        for line in &mut l.lines {
            line.function_index = at(&functions, line.function_index);
        }
        for a in &mut l.attribute_indices {
            *a = at(&attributes, *a);
        }
    }
    for m in &mut dict.mapping_table {
        for a in &mut m.attribute_indices {
            *a = at(&attributes, *a);
        }
    }
    for sp in d
        .resource_profiles
        .iter_mut()
        .flat_map(|rp| &mut rp.scope_profiles)
    {
        for p in &mut sp.profiles {
            for a in &mut p.attribute_indices {
                *a = at(&attributes, *a);
            }
            for s in &mut p.samples {
                s.stack_index = at(&stacks, s.stack_index);
                s.link_index = at(&links, s.link_index);
                for a in &mut s.attribute_indices {
                    *a = at(&attributes, *a);
                }
                // Attribute order within a sample is not information either.
                s.attribute_indices.reverse();
            }
        }
    }
    map_strings(&mut d, &|i| at(&strings, i));
    d
}

/// The same payload with every key and string value in its `*_strindex` form.
fn strindex_forms(data: &ProfilesData) -> ProfilesData {
    fn intern(table: &mut Vec<String>, s: &str) -> i32 {
        match table.iter().position(|x| x == s) {
            Some(i) => i as i32,
            None => {
                table.push(s.to_owned());
                table.len() as i32 - 1
            }
        }
    }
    fn value(v: &mut AnyValue, table: &mut Vec<String>) {
        match &mut v.value {
            Some(Value::StringValue(s)) => {
                let i = intern(table, s);
                v.value = Some(Value::StringValueStrindex(i));
            }
            Some(Value::ArrayValue(array)) => array.values.iter_mut().for_each(|e| value(e, table)),
            Some(Value::KvlistValue(list)) => {
                list.values.iter_mut().for_each(|kv| key_value(kv, table))
            }
            _ => {}
        }
    }
    fn key_value(kv: &mut KeyValue, table: &mut Vec<String>) {
        if !kv.key.is_empty() {
            kv.key_strindex = intern(table, &kv.key);
            kv.key.clear();
        }
        if let Some(v) = &mut kv.value {
            value(v, table);
        }
    }
    let mut d = data.clone();
    let mut table = std::mem::take(&mut d.dictionary.as_mut().unwrap().string_table);
    for rp in &mut d.resource_profiles {
        for a in rp.resource.iter_mut().flat_map(|r| &mut r.attributes) {
            key_value(a, &mut table);
        }
        for sp in &mut rp.scope_profiles {
            for a in sp.scope.iter_mut().flat_map(|s| &mut s.attributes) {
                key_value(a, &mut table);
            }
        }
    }
    let dict = d.dictionary.as_mut().unwrap();
    for a in &mut dict.attribute_table {
        if let Some(v) = &mut a.value {
            value(v, &mut table);
        }
    }
    dict.string_table = table;
    d
}

// ---------------------------------------------------------------------------------------------
// A hand-built payload with what pprof cannot hold.

const T0: u64 = 1_700_000_000_000_000_000;

fn strindex(i: i32) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(Value::StringValueStrindex(i)),
    })
}

fn int(i: i64) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(Value::IntValue(i)),
    })
}

fn push_attr(d: &mut otlp::ProfilesDictionary, key: &str, value: Option<AnyValue>, unit: &str) {
    let (key_strindex, unit_strindex) = (sidx(d, key), sidx(d, unit));
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex,
        value,
        unit_strindex,
    });
}

/// One resource (two attributes, one in `key_strindex` form), one scope that is not
/// pprotel's (with pprotel's two scope attributes and one of its own), one Profile with a
/// profile id, indexed comments and an attribute of its own, and five samples: timestamps
/// only, a value with a timestamp, a link, `string_value_strindex` and unit attributes. The
/// mapping and a location carry an attribute pprof has no field for; one location is
/// unreferenced.
fn hand_built() -> ProfilesData {
    let mut d = build::dictionary(&[
        "cpu",
        "nanoseconds",
        "/bin/app",
        "main",
        "main.c",
        "work",
        "work.c",
        "thread",
        "worker-1",
        "bytes",
        semconv::BUILD_ID_GNU,
        "abc",
        "host.name",
        "h1",
        "vendor.mapping.kind",
        "elf",
        "vendor.location.jit",
        "pprof.profile.comment.0",
        "pprof.profile.comment.1",
        "hello",
        "world",
        "vendor.profile.tag",
        "x",
    ]);
    let worker = strindex(sidx(&d, "worker-1"));
    push_attr(&mut d, "thread", worker, ""); // 1
    push_attr(&mut d, "bytes", int(4096), "bytes"); // 2
    push_attr(&mut d, semconv::BUILD_ID_GNU, build::string("abc"), ""); // 3
    push_attr(&mut d, "vendor.mapping.kind", build::string("elf"), ""); // 4
    let jit = Some(AnyValue {
        value: Some(Value::BoolValue(true)),
    });
    push_attr(&mut d, "vendor.location.jit", jit, ""); // 5
    push_attr(
        &mut d,
        "pprof.profile.comment.1",
        build::string("world"),
        "",
    ); // 6
    push_attr(
        &mut d,
        "pprof.profile.comment.0",
        build::string("hello"),
        "",
    ); // 7
    push_attr(&mut d, "vendor.profile.tag", build::string("x"), ""); // 8

    d.mapping_table.push(otlp::Mapping {
        memory_start: 0x400000,
        memory_limit: 0x500000,
        file_offset: 0,
        filename_strindex: sidx(&d, "/bin/app"),
        attribute_indices: vec![3, 4],
    });
    for (name, file, start) in [("main", "main.c", 1), ("work", "work.c", 18)] {
        d.function_table.push(otlp::Function {
            name_strindex: sidx(&d, name),
            system_name_strindex: sidx(&d, name),
            filename_strindex: sidx(&d, file),
            start_line: start,
        });
    }
    let line = |function_index, line| otlp::Line {
        function_index,
        line,
        column: 0,
    };
    d.location_table.push(otlp::Location {
        mapping_index: 1,
        address: 0x401000,
        lines: vec![line(1, 10)],
        attribute_indices: vec![],
    });
    d.location_table.push(otlp::Location {
        mapping_index: 1,
        address: 0x402000,
        lines: vec![line(2, 20), line(1, 12)],
        attribute_indices: vec![5],
    });
    d.location_table.push(otlp::Location {
        mapping_index: 1,
        address: 0x403000,
        lines: vec![line(2, 30)],
        attribute_indices: vec![],
    });
    d.stack_table.push(otlp::Stack {
        location_indices: vec![2, 1],
    });
    d.stack_table.push(otlp::Stack {
        location_indices: vec![1],
    });
    d.link_table.push(otlp::Link {
        trace_id: (1..=16).collect(),
        span_id: (1..=8).collect(),
    });

    let sample =
        |stack_index, values: Vec<i64>, timestamps: Vec<u64>, attributes: Vec<i32>| otlp::Sample {
            stack_index,
            attribute_indices: attributes,
            link_index: 0,
            values,
            timestamps_unix_nano: timestamps,
        };
    let mut linked = sample(1, vec![5], vec![], vec![]);
    linked.link_index = 1;
    let vt = |t: &str, u: &str| {
        Some(otlp::ValueType {
            type_strindex: sidx(&d, t),
            unit_strindex: sidx(&d, u),
        })
    };
    let profile = otlp::Profile {
        sample_type: vt("cpu", "nanoseconds"),
        samples: vec![
            sample(1, vec![], vec![T0 + 1, T0 + 2, T0 + 3], vec![1]),
            sample(2, vec![7], vec![T0 + 4], vec![2]),
            linked,
            sample(2, vec![2], vec![], vec![1, 2]),
            sample(2, vec![9], vec![], vec![]),
        ],
        time_unix_nano: T0,
        duration_nano: 10_000_000_000,
        period_type: vt("cpu", "nanoseconds"),
        period: 10_000_000,
        profile_id: (0xa0..0xb0).collect(),
        dropped_attributes_count: 0,
        original_payload_format: String::new(),
        original_payload: Vec::new(),
        attribute_indices: vec![6, 7, 8],
    };
    let order = Some(AnyValue {
        value: Some(Value::ArrayValue(ArrayValue {
            values: vec![AnyValue {
                value: Some(Value::IntValue(0)),
            }],
        })),
    });
    let resource = Resource {
        attributes: vec![
            kv("service.name", build::string("checkout")),
            KeyValue {
                key: String::new(),
                value: strindex(sidx(&d, "h1")),
                key_strindex: sidx(&d, "host.name"),
            },
        ],
        dropped_attributes_count: 0,
        entity_refs: vec![],
    };
    ProfilesData {
        resource_profiles: vec![otlp::ResourceProfiles {
            resource: Some(resource),
            scope_profiles: vec![otlp::ScopeProfiles {
                scope: Some(pprotel::otlp::common::InstrumentationScope {
                    name: "otel-ebpf-profiler".into(),
                    version: "1.2.3".into(),
                    attributes: vec![
                        kv(semconv::SAMPLE_TYPE_ORDER, order),
                        kv(semconv::DEFAULT_SAMPLE_TYPE, build::string("cpu")),
                        kv("vendor.scope.attr", build::string("a")),
                    ],
                    dropped_attributes_count: 0,
                }),
                profiles: vec![profile],
                schema_url: "https://example.com/scope".into(),
            }],
            schema_url: "https://opentelemetry.io/schemas/1.30.0".into(),
        }],
        dictionary: Some(d),
    }
}

const P: &str = "resource[0].scope[0].profile[0]";

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn every_corpus_pprofs_otlp_round_trips_through_pprof_with_nothing_different() {
    for (name, data) in corpus() {
        let (back, report) = through_pprof(data);
        assert!(report.is_empty(), "{name}: {report}");
        assert_equal(name, data, &back, OtlpView::Everything);
        assert_equal(name, data, &back, OtlpView::PprofRepresentable);
    }
}

#[test]
fn hand_built_otlp_round_trips_in_the_pprof_view_and_the_full_view_names_what_pprof_cannot_hold() {
    let data = hand_built();
    let (back, report) = through_pprof(&data);
    assert_equal("hand-built", &data, &back, OtlpView::PprofRepresentable);

    let differences = compare_otlp(&data, &back, OtlpView::Everything);
    let s = |k: usize, field: &str| format!("{P}.sample[{k}].{field}");
    let expected = [
        "resource[0].attribute[\"host.name\"]".to_owned(),
        "resource[0].attribute[\"service.name\"]".to_owned(),
        "resource[0].schema_url".to_owned(),
        "resource[0].scope[0].name".to_owned(),
        "resource[0].scope[0].version".to_owned(),
        "resource[0].scope[0].attribute[\"vendor.scope.attr\"]".to_owned(),
        "resource[0].scope[0].schema_url".to_owned(),
        format!("{P}.profile_id"),
        format!("{P}.attribute[\"vendor.profile.tag\"]"),
        "mapping[1].attribute[\"vendor.mapping.kind\"]".to_owned(),
        "location[2].attribute[\"vendor.location.jit\"]".to_owned(),
        s(0, "values"),
        s(0, "timestamps"),
        s(1, "timestamps"),
        s(2, "link"),
    ];
    assert_eq!(paths(&differences), expected, "\n{}", render(&differences));
    let only_in_expected = |path: &str| {
        differences
            .iter()
            .any(|d| d.path == path && d.kind == DifferenceKind::OnlyInExpected)
    };
    assert!(only_in_expected("resource[0].attribute[\"host.name\"]"));
    let timestamps = differences.iter().find(|d| d.path == s(0, "timestamps"));
    assert_eq!(
        timestamps.map(|d| (d.expected.as_str(), d.actual.as_str())),
        Some((
            "[1700000000000000001, 1700000000000000002, 1700000000000000003]",
            "[]"
        ))
    );
    let link = differences.iter().find(|d| d.path == s(2, "link"));
    assert_eq!(
        link.map(|d| (d.expected.as_str(), d.actual.as_str())),
        Some((
            "trace_id 0102030405060708090a0b0c0d0e0f10 span_id 0102030405060708",
            "none"
        ))
    );

    // The translation's report names the same losses.
    let named: Vec<&str> = report.entries().map(|(what, _)| what).collect();
    assert_eq!(
        named,
        [
            "location attribute \"vendor.location.jit\"",
            "mapping attribute \"vendor.mapping.kind\"",
            "profile attribute \"vendor.profile.tag\"",
            "profile_id",
            "resource attribute \"host.name\"",
            "resource attribute \"service.name\"",
            "resource schema_url",
            "sample links",
            "sample timestamps",
            "scope attribute \"vendor.scope.attr\"",
            "scope name and version",
            "scope schema_url",
        ]
    );
}

#[test]
fn a_sample_with_several_observations_compares_as_its_pprof_samples() {
    let mut data = hand_built();
    let profile = &mut data.resource_profiles[0].scope_profiles[0].profiles[0];
    profile.samples[4].values = vec![3, 4];
    profile.samples[4].timestamps_unix_nano = vec![T0 + 5, T0 + 6];
    let (back, _) = through_pprof(&data);
    assert_equal("observations", &data, &back, OtlpView::PprofRepresentable);

    // A changed observation is named by its OTLP sample and its position in it.
    let mut changed = data.clone();
    changed.resource_profiles[0].scope_profiles[0].profiles[0].samples[4].values[1] = 5;
    let differences = compare_otlp(&changed, &back, OtlpView::PprofRepresentable);
    assert_eq!(
        paths(&differences),
        [format!("{P}.sample[4].observation[1].values")]
    );
    assert_eq!(
        (
            differences[0].expected.as_str(),
            differences[0].actual.as_str()
        ),
        ("[5]", "[4]")
    );
    // The full view sees one sample where there are two.
    let differences = compare_otlp(&data, &back, OtlpView::Everything);
    assert!(
        differences
            .iter()
            .any(|d| d.path == format!("{P}.sample") && d.kind == DifferenceKind::Count),
        "{}",
        render(&differences)
    );
}

#[test]
fn profiles_compare_in_pprof_sample_type_order_in_the_pprof_view() {
    let Some((name, data)) = corpus()
        .iter()
        .find(|(_, d)| d.resource_profiles[0].scope_profiles[0].profiles.len() >= 3)
    else {
        assert!(
            corpus().is_empty(),
            "no corpus profile with three sample types"
        );
        return;
    };
    // Swap the first two Profiles and record that in sample_type_order: the pprof is the same.
    let mut swapped = data.clone();
    let scope = &mut swapped.resource_profiles[0].scope_profiles[0];
    scope.profiles.swap(0, 1);
    let order = scope.scope.as_mut().unwrap().attributes.iter_mut();
    for kv in order.filter(|kv| kv.key == semconv::SAMPLE_TYPE_ORDER) {
        if let Some(Value::ArrayValue(array)) = kv.value.as_mut().and_then(|v| v.value.as_mut()) {
            array.values.swap(0, 1);
        }
    }
    assert_equal(name, data, &swapped, OtlpView::PprofRepresentable);
    let differences = compare_otlp(data, &swapped, OtlpView::Everything);
    assert!(
        paths(&differences).contains(&"resource[0].scope[0].profile[0].sample_type"),
        "{name}:\n{}",
        render(&differences)
    );
}

// ---------------------------------------------------------------------------------------------
// Encoding is never reported

#[test]
fn dictionary_layout_and_attribute_forms_are_encoding_for_every_corpus_profile() {
    for (name, data) in corpus() {
        assert_equal(name, data, &relayout(data), OtlpView::Everything);
        assert_equal(name, data, &strindex_forms(data), OtlpView::Everything);
    }
}

#[test]
fn key_strindex_and_key_forms_compare_equal_and_layout_is_encoding_for_hand_built_otlp() {
    let data = hand_built();
    let variant = relayout(&strindex_forms(&data));
    assert_equal("hand-built", &data, &variant, OtlpView::Everything);
    assert_equal("hand-built", &variant, &data, OtlpView::Everything);
    assert_equal("hand-built", &data, &variant, OtlpView::PprofRepresentable);
}

#[test]
fn a_duplicate_location_the_samples_cannot_tell_apart_is_encoding() {
    let mut data = hand_built();
    let dict = data.dictionary.as_mut().unwrap();
    // A copy of location 1, used by a new stack that sample 4 now points at.
    let copy = dict.location_table[1].clone();
    dict.location_table.push(copy);
    let l = dict.location_table.len() as i32 - 1;
    dict.stack_table.push(otlp::Stack {
        location_indices: vec![l],
    });
    let s = dict.stack_table.len() as i32 - 1;
    let sample = &mut data.resource_profiles[0].scope_profiles[0].profiles[0].samples[4];
    assert_eq!(sample.stack_index, 2);
    sample.stack_index = s;
    assert_equal("duplicate", &hand_built(), &data, OtlpView::Everything);

    // An unreferenced copy is information: the multiset of unreferenced entries changed.
    let mut unreferenced = hand_built();
    let dict = unreferenced.dictionary.as_mut().unwrap();
    let copy = dict.location_table[1].clone();
    dict.location_table.push(copy);
    let differences = compare_otlp(&hand_built(), &unreferenced, OtlpView::Everything);
    assert_eq!(
        paths(&differences),
        ["location[4]"],
        "{}",
        render(&differences)
    );
    assert_eq!(differences[0].kind, DifferenceKind::OnlyInActual);
}

// ---------------------------------------------------------------------------------------------
// Changes of information, each reported once at its path

/// Applies `change` to the hand-built payload and returns the differences it makes.
fn mutated(change: impl FnOnce(&mut ProfilesData), view: OtlpView) -> Vec<Difference> {
    let expected = hand_built();
    let mut actual = expected.clone();
    change(&mut actual);
    compare_otlp(&expected, &actual, view)
}

fn samples(d: &mut ProfilesData) -> &mut Vec<otlp::Sample> {
    &mut d.resource_profiles[0].scope_profiles[0].profiles[0].samples
}

fn dict(d: &mut ProfilesData) -> &mut otlp::ProfilesDictionary {
    d.dictionary.as_mut().unwrap()
}

#[test]
fn a_changed_sample_value_is_one_difference() {
    for view in [OtlpView::Everything, OtlpView::PprofRepresentable] {
        let differences = mutated(|d| samples(d)[3].values[0] = 6, view);
        assert_eq!(paths(&differences), [format!("{P}.sample[3].values")]);
        assert_eq!(
            (
                differences[0].expected.as_str(),
                differences[0].actual.as_str()
            ),
            ("[2]", "[6]")
        );
    }
}

#[test]
fn a_changed_timestamp_is_one_difference_and_not_pprof_information() {
    let change = |d: &mut ProfilesData| samples(d)[0].timestamps_unix_nano[1] += 1;
    let differences = mutated(change, OtlpView::Everything);
    assert_eq!(paths(&differences), [format!("{P}.sample[0].timestamps")]);
    assert!(mutated(change, OtlpView::PprofRepresentable).is_empty());
}

#[test]
fn a_changed_link_is_one_difference_and_not_pprof_information() {
    let change = |d: &mut ProfilesData| dict(d).link_table[1].span_id[7] ^= 0xff;
    let differences = mutated(change, OtlpView::Everything);
    assert_eq!(paths(&differences), [format!("{P}.sample[2].link")]);
    assert!(differences[0].actual.ends_with("span_id 01020304050607f7"));
    assert!(mutated(change, OtlpView::PprofRepresentable).is_empty());
}

#[test]
fn a_changed_resource_attribute_is_one_difference_and_not_pprof_information() {
    let change = |d: &mut ProfilesData| {
        let resource = d.resource_profiles[0].resource.as_mut().unwrap();
        resource.attributes[0].value = build::string("cart");
    };
    let differences = mutated(change, OtlpView::Everything);
    assert_eq!(
        paths(&differences),
        ["resource[0].attribute[\"service.name\"]"]
    );
    assert_eq!(
        (
            differences[0].expected.as_str(),
            differences[0].actual.as_str()
        ),
        ("\"checkout\"", "\"cart\"")
    );
    assert!(mutated(change, OtlpView::PprofRepresentable).is_empty());
}

#[test]
fn a_changed_attribute_unit_is_one_difference() {
    for view in [OtlpView::Everything, OtlpView::PprofRepresentable] {
        let differences = mutated(
            |d| {
                // Sample 1 alone gets `bytes` with another unit (the entry is shared).
                let dict = dict(d);
                dict.string_table.push("kilobytes".into());
                push_attr(dict, "bytes", int(4096), "kilobytes");
                let a = dict.attribute_table.len() as i32 - 1;
                samples(d)[1].attribute_indices = vec![a];
            },
            view,
        );
        assert_eq!(
            paths(&differences),
            [format!("{P}.sample[1].attribute[\"bytes\"]")]
        );
        if view == OtlpView::Everything {
            assert_eq!(
                (
                    differences[0].expected.as_str(),
                    differences[0].actual.as_str()
                ),
                ("4096 unit \"bytes\"", "4096 unit \"kilobytes\"")
            );
        }
    }
}

#[test]
fn a_changed_location_address_is_one_difference_however_many_samples_use_it() {
    for view in [OtlpView::Everything, OtlpView::PprofRepresentable] {
        let differences = mutated(|d| dict(d).location_table[1].address += 0x10, view);
        assert_eq!(paths(&differences), ["location[1].address"], "{view:?}");
        assert_eq!(
            (
                differences[0].expected.as_str(),
                differences[0].actual.as_str()
            ),
            ("0x401000", "0x401010")
        );
    }
}

#[test]
fn a_renamed_function_is_one_difference_however_many_locations_use_it() {
    for view in [OtlpView::Everything, OtlpView::PprofRepresentable] {
        let differences = mutated(
            |d| {
                let dict = dict(d);
                dict.string_table.push("helper".into());
                dict.function_table[1].name_strindex = dict.string_table.len() as i32 - 1;
            },
            view,
        );
        assert_eq!(paths(&differences), ["function[1].name"], "{view:?}");
        assert_eq!(
            (
                differences[0].expected.as_str(),
                differences[0].actual.as_str()
            ),
            ("\"main\"", "\"helper\"")
        );
    }
}

#[test]
fn a_changed_mapping_is_one_difference_however_many_locations_use_it() {
    for view in [OtlpView::Everything, OtlpView::PprofRepresentable] {
        let differences = mutated(
            |d| {
                let dict = dict(d);
                dict.string_table.push("/bin/app2".into());
                dict.mapping_table[1].filename_strindex = dict.string_table.len() as i32 - 1;
            },
            view,
        );
        assert_eq!(paths(&differences), ["mapping[1].filename"], "{view:?}");
    }
    // A build id is a mapping attribute in OTLP, and pprof keeps it.
    for view in [OtlpView::Everything, OtlpView::PprofRepresentable] {
        let differences = mutated(
            |d| dict(d).attribute_table[3].value = build::string("def"),
            view,
        );
        assert_eq!(
            paths(&differences),
            [format!(
                "mapping[1].attribute[\"{}\"]",
                semconv::BUILD_ID_GNU
            )],
            "{view:?}"
        );
    }
}

#[test]
fn a_changed_unreferenced_location_is_one_difference() {
    let differences = mutated(
        |d| dict(d).location_table[3].lines[0].line = 31,
        OtlpView::Everything,
    );
    assert_eq!(paths(&differences), ["location[3].line[0].line"]);
    assert_eq!(
        (
            differences[0].expected.as_str(),
            differences[0].actual.as_str()
        ),
        ("30", "31")
    );
}

#[test]
fn a_changed_location_in_a_corpus_profile_is_reported_once_even_after_relayout() {
    let Some((name, data)) = corpus().iter().max_by_key(|(_, d)| {
        let dict = d.dictionary.as_ref().unwrap();
        dict.location_table.len().min(200)
    }) else {
        return;
    };
    // The most used location.
    let dict = data.dictionary.as_ref().unwrap();
    let mut uses = vec![0usize; dict.location_table.len()];
    for s in &data.resource_profiles[0].scope_profiles[0].profiles[0].samples {
        for &l in &dict.stack_table[s.stack_index as usize].location_indices {
            uses[l as usize] += 1;
        }
    }
    let l = (1..uses.len()).max_by_key(|&l| uses[l]).unwrap();
    assert!(uses[l] > 1, "{name}: location {l} used once");
    let mut changed = relayout(data);
    let n = changed.dictionary.as_ref().unwrap().location_table.len();
    changed.dictionary.as_mut().unwrap().location_table[n - l].address ^= 0x1;
    let differences = compare_otlp(data, &changed, OtlpView::Everything);
    assert_eq!(
        paths(&differences),
        [format!("location[{l}].address")],
        "{name}"
    );
}

#[test]
fn a_missing_sample_and_a_missing_profile_are_counted() {
    let differences = mutated(|d| drop(samples(d).pop()), OtlpView::Everything);
    assert_eq!(paths(&differences), [format!("{P}.sample")]);
    assert_eq!(differences[0].kind, DifferenceKind::Count);
    assert_eq!(
        (
            differences[0].expected.as_str(),
            differences[0].actual.as_str()
        ),
        ("5", "4")
    );
    let differences = mutated(
        |d| d.resource_profiles[0].scope_profiles[0].profiles.clear(),
        OtlpView::Everything,
    );
    assert_eq!(paths(&differences), ["resource[0].scope[0].profile"]);
}

#[test]
fn broken_references_are_compared_without_panicking() {
    let differences = mutated(
        |d| {
            samples(d)[0].stack_index = 99;
            samples(d)[1].attribute_indices = vec![77];
            dict(d).stack_table[1].location_indices[0] = 55;
            dict(d).location_table[1].mapping_index = 66;
        },
        OtlpView::Everything,
    );
    let text = render(&differences);
    for marker in [
        "<stack index 99 out of range>",
        "<attribute index 77 out of range>",
        "<location index 55 out of range>",
        "<mapping index 66 out of range>",
    ] {
        assert!(text.contains(marker), "{marker} missing from:\n{text}");
    }
}

/// OTLP sample attributes whose value pprof labels can hold only in another form are reported
/// by name when converting to pprof (so `roundtrip` lists them as not representable instead of
/// calling a changed value lossless); the forms pprof labels hold exactly are not reported.
#[test]
fn attribute_values_pprof_labels_hold_in_another_form_are_reported() {
    const ANOTHER_FORM: &str = "attribute value that pprof labels hold in another form";
    let any = |v: Value| Some(AnyValue { value: Some(v) });
    let int = |n: i64| any(Value::IntValue(n));
    let text = |t: &str| any(Value::StringValue(t.into()));
    let array = |values: Vec<Option<AnyValue>>| {
        any(Value::ArrayValue(ArrayValue {
            values: values.into_iter().flatten().collect(),
        }))
    };
    // String 5 is "x" (see below).
    let cases: Vec<(&str, Option<AnyValue>, &str, bool)> = vec![
        ("a string", text("x"), "", false),
        ("an empty string", text(""), "", false),
        (
            "a string by index",
            any(Value::StringValueStrindex(5)),
            "",
            false,
        ),
        ("a nonzero int", int(7), "", false),
        ("an int 0 with a unit", int(0), "bytes", false),
        ("strings", array(vec![text("a"), text("b")]), "", false),
        (
            "ints with a unit",
            array(vec![int(1), int(2)]),
            "bytes",
            false,
        ),
        ("no value", None, "", true),
        ("an int 0 without a unit", int(0), "", true),
        ("an empty string with a unit", text(""), "bytes", true),
        ("a one-element array", array(vec![text("a")]), "", true),
        ("an empty array", array(vec![]), "", true),
        ("a mixed array", array(vec![text("a"), int(2)]), "", true),
    ];
    for (case, value, unit, reported) in cases {
        let mut data = build::counted(vec![otlp::Sample {
            stack_index: 1,
            values: vec![1],
            attribute_indices: vec![1],
            ..Default::default()
        }]);
        let d = data.dictionary.as_mut().unwrap();
        d.string_table.extend(["k", "bytes", "x"].map(String::from));
        d.attribute_table.push(otlp::KeyValueAndUnit {
            key_strindex: sidx(d, "k"),
            value,
            unit_strindex: if unit.is_empty() { 0 } else { sidx(d, unit) },
        });
        let report = otlp_to_pprof(&data).unwrap().report;
        let noted: Vec<&str> = report.entries().map(|(what, _)| what).collect();
        assert_eq!(noted.contains(&ANOTHER_FORM), reported, "{case}: {noted:?}");
    }
}

/// Two attributes of one sample with the same key (or one attribute listed twice) become labels
/// of one key, which come back as one attribute: reported, not merged silently. So are mapping
/// attributes pprof keeps only in another form: a build id of a kind other than GNU, and a
/// `has_*` flag written as false.
#[test]
fn shared_sample_attribute_keys_and_mapping_attributes_pprof_reshapes_are_reported() {
    let text = |t: &str| {
        Some(AnyValue {
            value: Some(Value::StringValue(t.into())),
        })
    };
    for (case, indices, values) in [
        ("two attributes, one key", vec![1, 2], &["a", "b"][..]),
        ("one attribute twice", vec![1, 1], &["a"][..]),
    ] {
        let mut data = build::counted(vec![otlp::Sample {
            stack_index: 1,
            values: vec![1],
            attribute_indices: indices,
            ..Default::default()
        }]);
        let d = data.dictionary.as_mut().unwrap();
        d.string_table.push("k".into());
        let k = sidx(d, "k");
        for &v in values {
            d.attribute_table.push(otlp::KeyValueAndUnit {
                key_strindex: k,
                value: text(v),
                unit_strindex: 0,
            });
        }
        let report = otlp_to_pprof(&data).unwrap().report;
        let noted: Vec<(&str, &str)> = report
            .entries()
            .map(|(what, e)| (what, e.first.as_str()))
            .collect();
        assert_eq!(
            noted,
            [(
                "sample attributes that share a key",
                "resource_profiles[0].scope_profiles[0].profiles[0].samples[0].attribute_indices"
            )],
            "{case}"
        );
    }

    let mut data = build::counted(vec![]);
    let d = data.dictionary.as_mut().unwrap();
    d.string_table.extend(
        [
            "process.executable.build_id.go",
            "pprof.mapping.has_functions",
        ]
        .map(String::from),
    );
    let (go, has_functions) = (
        sidx(d, "process.executable.build_id.go"),
        sidx(d, "pprof.mapping.has_functions"),
    );
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex: go,
        value: text("go-build-id"),
        unit_strindex: 0,
    });
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex: has_functions,
        value: Some(AnyValue {
            value: Some(Value::BoolValue(false)),
        }),
        unit_strindex: 0,
    });
    d.mapping_table.push(otlp::Mapping {
        memory_start: 0x1000,
        memory_limit: 0x2000,
        attribute_indices: vec![1, 2],
        ..Default::default()
    });
    let translated = otlp_to_pprof(&data).unwrap();
    assert_eq!(translated.outputs[0].pprof.mapping.len(), 1);
    let noted: Vec<&str> = translated.report.entries().map(|(what, _)| what).collect();
    assert_eq!(
        noted,
        [
            "mapping attribute \"pprof.mapping.has_functions\" = false",
            "mapping build id of another kind than GNU"
        ]
    );
}

/// Dictionary entries pprof has no table for (attributes, links), when nothing refers to them,
/// are reported by table with the first one's path; so is a location's `is_folded` written as
/// false, which pprof keeps only as "not folded" and which comes back absent.
#[test]
fn unreferenced_attributes_and_links_and_an_explicit_unfolded_flag_are_reported() {
    let mut data = build::counted(vec![otlp::Sample {
        stack_index: 1,
        values: vec![1],
        ..Default::default()
    }]);
    let d = data.dictionary.as_mut().unwrap();
    d.string_table
        .extend(["orphan", "pprof.location.is_folded"].map(String::from));
    let (orphan, folded) = (sidx(d, "orphan"), sidx(d, "pprof.location.is_folded"));
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex: orphan,
        value: build::string("nobody uses me"),
        unit_strindex: 0,
    });
    d.attribute_table.push(otlp::KeyValueAndUnit {
        key_strindex: folded,
        value: Some(AnyValue {
            value: Some(Value::BoolValue(false)),
        }),
        unit_strindex: 0,
    });
    d.location_table.push(otlp::Location {
        address: 0x10,
        attribute_indices: vec![2],
        ..Default::default()
    });
    d.link_table.push(otlp::Link {
        trace_id: vec![1; 16],
        span_id: vec![2; 8],
    });
    let translated = otlp_to_pprof(&data).unwrap();
    let noted: Vec<(&str, usize, &str)> = translated
        .report
        .entries()
        .map(|(what, e)| (what, e.count, e.first.as_str()))
        .collect();
    assert_eq!(
        noted,
        [
            (
                "location attribute \"pprof.location.is_folded\" = false",
                1,
                "dictionary.location_table[1].attribute_indices[0]"
            ),
            (
                "unreferenced attribute_table entries",
                1,
                "dictionary.attribute_table[1]"
            ),
            (
                "unreferenced link_table entries",
                1,
                "dictionary.link_table[1]"
            ),
        ]
    );
    assert!(!translated.outputs[0].pprof.location[0].is_folded);
}

/// What pprof fields cannot hold about the attributes they come from is reported, not dropped:
/// a unit on a profile, mapping or location attribute (only labels have one), a comment or a
/// build id that is not a string, and a `pprof.scope.sample_type_order` that is not an order of
/// the scope's Profiles (the reference translator's order is used instead).
#[test]
fn attribute_units_non_string_comments_and_build_ids_and_a_bad_sample_type_order_are_reported() {
    let int = |n: i64| {
        Some(AnyValue {
            value: Some(Value::IntValue(n)),
        })
    };
    let mut data = build::counted(vec![otlp::Sample {
        stack_index: 1,
        values: vec![1],
        ..Default::default()
    }]);
    let d = data.dictionary.as_mut().unwrap();
    d.string_table.extend(
        [
            "pprof.profile.comment",
            "process.executable.build_id.gnu",
            "pprof.mapping.has_functions",
            "pprof.location.is_folded",
            "bytes",
        ]
        .map(String::from),
    );
    let unit = sidx(d, "bytes");
    let attribute = |d: &mut otlp::ProfilesDictionary, key: &str, value, unit_strindex| {
        d.attribute_table.push(otlp::KeyValueAndUnit {
            key_strindex: sidx(d, key),
            value,
            unit_strindex,
        });
        d.attribute_table.len() as i32 - 1
    };
    let comment = attribute(d, "pprof.profile.comment", int(7), 0);
    let build_id = attribute(d, "process.executable.build_id.gnu", int(7), 0);
    let flag = Some(AnyValue {
        value: Some(Value::BoolValue(true)),
    });
    let has_functions = attribute(d, "pprof.mapping.has_functions", flag.clone(), unit);
    let folded = attribute(d, "pprof.location.is_folded", flag, unit);
    d.mapping_table.push(otlp::Mapping {
        memory_limit: 0x1000,
        attribute_indices: vec![build_id, has_functions],
        ..Default::default()
    });
    d.location_table.push(otlp::Location {
        mapping_index: 1,
        attribute_indices: vec![folded],
        ..Default::default()
    });
    d.stack_table[1].location_indices = vec![1];
    let scope = &mut data.resource_profiles[0].scope_profiles[0];
    scope.profiles[0].attribute_indices = vec![comment];
    scope.scope = Some(pprotel::otlp::common::InstrumentationScope {
        attributes: vec![kv(
            "pprof.scope.sample_type_order",
            Some(AnyValue {
                value: Some(Value::ArrayValue(ArrayValue {
                    values: vec![int(5).unwrap()],
                })),
            }),
        )],
        ..Default::default()
    });
    let translated = otlp_to_pprof(&data).unwrap();
    let mut noted: Vec<(&str, &str)> = translated
        .report
        .entries()
        .map(|(what, e)| (what, e.first.as_str()))
        .collect();
    noted.sort();
    assert_eq!(
        noted,
        [
            (
                "location attribute \"pprof.location.is_folded\" with a unit",
                "dictionary.location_table[1].attribute_indices[0]"
            ),
            (
                "mapping attribute \"pprof.mapping.has_functions\" with a unit",
                "dictionary.mapping_table[1].attribute_indices[1]"
            ),
            (
                "mapping build id that is not a string",
                "dictionary.mapping_table[1].attribute_indices[0]"
            ),
            (
                "profile comment that is not a string",
                "resource_profiles[0].scope_profiles[0].profiles[0].attribute_indices[0]"
            ),
            (
                "scope attribute \"pprof.scope.sample_type_order\" that is not an order of the profiles",
                "resource_profiles[0].scope_profiles[0].scope.attributes"
            ),
        ]
    );
    // What pprof can hold still arrives.
    let p = &translated.outputs[0].pprof;
    assert!(p.mapping[0].has_functions && p.location[0].is_folded);
    assert_eq!(p.comment.len(), 1);
}
