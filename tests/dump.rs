//! The canonical text dump (docs/dump.md): snapshots of small corpus profiles and their OTLP
//! translations, and the promise behind it: ids, string tables, attribute forms and label
//! order never show, so semantically equal profiles dump identically.

use pprotel::otlp::common::{AnyValue, KeyValue, any_value::Value};
use pprotel::otlp::mapping::{ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
use pprotel::otlp::model::ProfilesData;
use pprotel::pprof::{Function, Profile};
use pprotel::roundtrip::{dump_otlp, dump_pprof};

use crate::build::PprofBuilder;
use crate::util;

/// pprotel's OTLP for `p`, with the scope version (pprotel's own version) fixed so that the
/// snapshots do not change with every release.
fn translated(p: &Profile) -> ProfilesData {
    let mut data = pprof_to_otlp(p, &ToOtlpOptions::default()).unwrap();
    for sp in &mut data.resource_profiles[0].scope_profiles {
        sp.scope.as_mut().unwrap().version = "VERSION".into();
    }
    data
}

const TWO_STACKS: &str = "parca__pkg_query_testdata_two-stacks.pb.gz";
const NO_MAPPINGS: &str = "google-pprof__internal_driver_testdata_go.nomappings.crash.pb.gz";

#[test]
fn snapshot_two_stacks_pprof() {
    let Some(p) = util::corpus_pprof(TWO_STACKS) else {
        return;
    };
    insta::assert_snapshot!(dump_pprof(&p));
}

#[test]
fn snapshot_two_stacks_otlp() {
    let Some(p) = util::corpus_pprof(TWO_STACKS) else {
        return;
    };
    insta::assert_snapshot!(dump_otlp(&translated(&p)));
}

#[test]
fn snapshot_four_sample_types_without_mappings_pprof() {
    let Some(p) = util::corpus_pprof(NO_MAPPINGS) else {
        return;
    };
    insta::assert_snapshot!(dump_pprof(&p));
}

#[test]
fn snapshot_four_sample_types_without_mappings_otlp() {
    let Some(p) = util::corpus_pprof(NO_MAPPINGS) else {
        return;
    };
    insta::assert_snapshot!(dump_otlp(&translated(&p)));
}

/// Both dumps are unchanged by a round trip, which re-encodes everything (ids, string table,
/// attribute and stack tables). Skips files over 1 MB: in a debug build their dumps (tens of
/// megabytes) would dominate the test run, and the smaller files cover the same code.
#[test]
fn every_corpus_profile_dumps_identically_after_a_round_trip() {
    for path in util::corpus_files("pprof") {
        if std::fs::metadata(&path).unwrap().len() > 1 << 20 {
            continue;
        }
        let name = util::name(&path);
        let p = util::decode_pprof(&path);
        let data = pprof_to_otlp(&p, &ToOtlpOptions::default()).unwrap();
        let back = otlp_to_pprof(&data).unwrap().outputs.remove(0).pprof;
        assert!(
            dump_pprof(&p) == dump_pprof(&back),
            "{name}: pprof dumps differ"
        );
        let again = pprof_to_otlp(&back, &ToOtlpOptions::default()).unwrap();
        assert!(
            dump_otlp(&data) == dump_otlp(&again),
            "{name}: OTLP dumps differ"
        );
    }
}

#[test]
fn ids_string_table_layout_and_label_order_do_not_show_in_a_pprof_dump() {
    let mut b = PprofBuilder::cpu();
    b.num_label("bytes", 10, "bytes").str_label("thread", "t2");
    let original = b.p.clone();
    let mut p = b.p;
    // Renumber every id, and reference.
    let f = |id: u64| if id == 0 { 0 } else { id * 7 + 3 };
    p.mapping.iter_mut().for_each(|m| m.id = f(m.id));
    p.function.iter_mut().for_each(|x| x.id = f(x.id));
    for l in &mut p.location {
        l.id = f(l.id);
        l.mapping_id = f(l.mapping_id);
        l.line
            .iter_mut()
            .for_each(|line| line.function_id = f(line.function_id));
    }
    for s in &mut p.sample {
        s.location_id.iter_mut().for_each(|id| *id = f(*id));
        // Labels of different keys in another order.
        s.label.reverse();
    }
    // Move every string to the end of the table, leaving an unused copy behind.
    let n = p.string_table.len() as i64;
    let copy = p.string_table[1..].to_vec();
    p.string_table.extend(copy);
    let g = |i: i64| if i == 0 { 0 } else { i + n - 1 };
    for vt in p.sample_type.iter_mut().chain(p.period_type.as_mut()) {
        (vt.r#type, vt.unit) = (g(vt.r#type), g(vt.unit));
    }
    for m in &mut p.mapping {
        (m.filename, m.build_id) = (g(m.filename), g(m.build_id));
    }
    for x in &mut p.function {
        (x.name, x.system_name, x.filename) = (g(x.name), g(x.system_name), g(x.filename));
    }
    for label in p.sample.iter_mut().flat_map(|s| &mut s.label) {
        (label.key, label.str, label.num_unit) = (g(label.key), g(label.str), g(label.num_unit));
    }
    assert_ne!(original, p);
    assert_eq!(dump_pprof(&original), dump_pprof(&p));

    // Labels under one key keep their order: that is information, and shows.
    let mut b = PprofBuilder::cpu();
    b.str_label("thread", "a").str_label("thread", "b");
    let one = b.p.clone();
    b.p.sample[2].label.reverse();
    assert_ne!(dump_pprof(&one), dump_pprof(&b.p));
}

#[test]
fn a_pprof_dump_writes_inline_frames_innermost_first_and_marks_unreferenced_entries() {
    let mut b = PprofBuilder::cpu();
    b.function(4, "unused", "unused.c", 1);
    let text = dump_pprof(&b.p);
    let lines: Vec<&str> = text.lines().collect();
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in\n{text}"))
    };
    let inner = at("  #1.0 location[1] \"/bin/app\" 0x402000 \"work\" \"work.c\":25:0");
    let outer = at("  #1.1 location[1] \"/bin/app\" 0x402000 \"main\" \"main.c\":14:0");
    assert_eq!(outer, inner + 1);
    at("  #0 location[3] \"/bin/app\" 0x403000");
    at("  label \"thread\" = \"worker-1\"");
    at("  label \"bytes\" = 4096 unit \"bytes\"");
    at(
        "function[3]: name \"unused\" system_name \"_Zunused\" filename \"unused.c\" start_line 1 (unreferenced)",
    );
    assert!(!text.contains("function[0]: name \"main\" system_name \"_Zmain\" filename \"main.c\" start_line 10 (unreferenced)"));
}

#[test]
fn broken_references_and_invalid_utf8_dump_as_markers() {
    let mut b = PprofBuilder::cpu();
    let bad = b.bytes(b"bad\xffname");
    b.p.function.push(Function {
        id: 9,
        name: bad,
        system_name: 1_000,
        filename: 0,
        start_line: 0,
    });
    b.p.sample[0].location_id.push(77);
    b.p.location[0].mapping_id = 55;
    let text = dump_pprof(&b.p);
    for marker in [
        "name \"bad\\xffname\" system_name <string index 1000 out of range>",
        "#3 <missing location id 77>",
        "location[0]: address 0x401000 <missing mapping id 55>",
    ] {
        assert!(text.contains(marker), "{marker:?} missing from\n{text}");
    }
}

/// Moves every string of an OTLP payload's dictionary one place later (a new unused string
/// first), and writes attribute keys and string values in their `*_strindex` forms.
#[test]
fn attribute_forms_and_string_table_layout_do_not_show_in_an_otlp_dump() {
    let mut b = PprofBuilder::cpu();
    b.p.comment = vec![b.s("a comment")];
    let mut data = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap();
    data.resource_profiles[0]
        .resource
        .as_mut()
        .unwrap()
        .attributes = vec![KeyValue {
        key: "service.name".into(),
        value: Some(AnyValue {
            value: Some(Value::StringValue("checkout".into())),
        }),
        key_strindex: 0,
    }];
    let before = dump_otlp(&data);

    let mut moved = data.clone();
    let dict = moved.dictionary.as_mut().unwrap();
    dict.string_table.insert(1, "unused".into());
    let shift = |i: &mut i32| {
        if *i != 0 {
            *i += 1
        }
    };
    for m in &mut dict.mapping_table {
        shift(&mut m.filename_strindex);
    }
    for f in &mut dict.function_table {
        shift(&mut f.name_strindex);
        shift(&mut f.system_name_strindex);
        shift(&mut f.filename_strindex);
    }
    for a in &mut dict.attribute_table {
        shift(&mut a.key_strindex);
        shift(&mut a.unit_strindex);
        if let Some(Value::StringValue(s)) = a.value.as_ref().and_then(|v| v.value.as_ref()) {
            let s = s.clone();
            dict.string_table.push(s);
            a.value = Some(AnyValue {
                value: Some(Value::StringValueStrindex(
                    dict.string_table.len() as i32 - 1,
                )),
            });
        }
    }
    for p in &mut moved.resource_profiles[0].scope_profiles[0].profiles {
        for vt in p.sample_type.iter_mut().chain(p.period_type.as_mut()) {
            shift(&mut vt.type_strindex);
            shift(&mut vt.unit_strindex);
        }
        for s in &mut p.samples {
            s.attribute_indices.reverse();
        }
    }
    let dict = moved.dictionary.as_mut().unwrap();
    dict.string_table.push("service.name".into());
    let key_strindex = dict.string_table.len() as i32 - 1;
    let attribute = &mut moved.resource_profiles[0]
        .resource
        .as_mut()
        .unwrap()
        .attributes[0];
    attribute.key.clear();
    attribute.key_strindex = key_strindex;
    assert_ne!(data, moved);
    assert_eq!(before, dump_otlp(&moved));

    // The reference translator's indexed comment key reads as the comment array.
    let comment_index =
        data.resource_profiles[0].scope_profiles[0].profiles[0].attribute_indices[0] as usize;
    let dict = data.dictionary.as_mut().unwrap();
    dict.string_table.push("pprof.profile.comment.0".into());
    dict.string_table.push("a comment".into());
    let n = dict.string_table.len() as i32;
    let entry = &mut dict.attribute_table[comment_index];
    entry.key_strindex = n - 2;
    entry.value = Some(AnyValue {
        value: Some(Value::StringValueStrindex(n - 1)),
    });
    assert_eq!(before, dump_otlp(&data));
    assert!(before.contains("      attribute \"pprof.profile.comment\" = [\"a comment\"]\n"));
}

#[test]
fn an_otlp_dump_shows_resources_links_timestamps_and_units() {
    let b = PprofBuilder::cpu();
    let mut data = pprof_to_otlp(&b.p, &ToOtlpOptions::default()).unwrap();
    let dict = data.dictionary.as_mut().unwrap();
    dict.link_table.push(pprotel::otlp::model::Link {
        trace_id: vec![0xab; 16],
        span_id: vec![0xcd; 8],
    });
    let profile = &mut data.resource_profiles[0].scope_profiles[0].profiles[0];
    profile.samples[0].link_index = 1;
    profile.samples[1].timestamps_unix_nano = vec![5, 6];
    profile.profile_id = vec![0x01; 16];
    profile.original_payload_format = "pprof".into();
    profile.original_payload = vec![0; 42];
    let text = dump_otlp(&data);
    for line in [
        "        link trace_id abababababababababababababababab span_id cdcdcdcdcdcdcdcd\n",
        "        timestamps [5, 6]\n",
        "        attribute \"bytes\" = 4096 unit \"bytes\"\n",
        "      profile_id: 01010101010101010101010101010101\n",
        "      original_payload: format \"pprof\", 42 bytes\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
}
