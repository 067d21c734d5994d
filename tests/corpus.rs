//! The third-party corpus: every pprof round trips with semantic equality and yields
//! conformant OTLP; every older-schema OTLP file is refused with a message naming the schema.

use pprotel::convert::{self, ReadOptions};
use pprotel::otlp::mapping::{ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
use pprotel::otlp::validate::{self, CheckOptions};
use pprotel::roundtrip::compare_pprof;
use pprotel::validate::Rule;

use crate::util;

#[test]
fn every_corpus_pprof_round_trips_through_otlp_with_semantic_equality() {
    let files = util::corpus_files("pprof");
    for path in &files {
        let original = util::decode_pprof(path);
        let data = pprof_to_otlp(&original, &ToOtlpOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", util::name(path)));
        let translated = otlp_to_pprof(&data).unwrap();
        assert!(
            translated.report.is_empty(),
            "{}: {}",
            util::name(path),
            translated.report
        );
        assert_eq!(translated.outputs.len(), 1);
        let diffs = compare_pprof(&original, &translated.outputs[0].pprof);
        assert!(
            diffs.is_empty(),
            "{}: {} differences, first: {}",
            util::name(path),
            diffs.len(),
            diffs[0]
        );
    }
}

/// profcheck's rules (spec §4) hold for every OTLP written, with profcheck's default options
/// (not `-check-dupes`: a pprof may hold identical mappings under different ids, as
/// large.cpu does, and keeping both is what lossless means). The proto's extra MUSTs hold too, except one no lossless
/// translation can meet: a pprof function with no name, system name or file name stays that
/// way (docs/mapping.md, "What is refused, and why"); the test checks that each such violation
/// is exactly such a function of the input.
#[test]
fn every_otlp_written_for_the_corpus_satisfies_the_conformance_rules() {
    let options = CheckOptions::default();
    for path in util::corpus_files("pprof") {
        let pprof = util::decode_pprof(&path);
        let data = pprof_to_otlp(&pprof, &ToOtlpOptions::default()).unwrap();
        for violation in validate::check(&data, &options) {
            let nameless_input = violation.rule == Rule::FunctionWithoutName
                && violation
                    .path
                    .strip_prefix("dictionary.function_table[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| {
                        let f = &pprof.function[i - 1];
                        [f.name, f.system_name, f.filename]
                            .iter()
                            .all(|&s| pprof.string(s) == Some(b"".as_slice()))
                    });
            assert!(nameless_input, "{}: {violation}", util::name(&path));
        }
    }
}

#[test]
fn every_older_schema_otlp_file_is_refused_naming_the_schema() {
    let files = util::corpus_files("otlp-v1.8");
    if util::corpus_dir().is_some() {
        assert_eq!(files.len(), 4);
    }
    for path in files {
        let err = convert::decode(std::fs::read(&path).unwrap(), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("OTLP Profiles v1.8"),
            "{}: {err}",
            util::name(&path)
        );
        assert!(
            err.contains("pprotel reads v1.10 and v1.11 only"),
            "{}: {err}",
            util::name(&path)
        );
        // The file exporter's stream says so too, naming the frame.
        let framed = util::name(&path) == "sig-profiling__otlp-bench_testdata_k8s.otlp";
        assert_eq!(
            err.starts_with(
                "frame 0 of a length-prefixed stream (Collector file-exporter framing): resource_profiles[0]"
            ),
            framed,
            "{}: {err}",
            util::name(&path)
        );
    }
}

/// Strings that travel as attribute values (label values, build ids, comments) are written
/// inline, not also interned: the string table of every corpus conversion holds only strings
/// something references. (Unreferenced mappings, locations and functions of the input stay:
/// they are information.)
#[test]
fn otlp_written_for_the_corpus_has_no_unreferenced_strings() {
    let options = CheckOptions {
        orphans: true,
        ..CheckOptions::default()
    };
    for path in util::corpus_files("pprof") {
        let data = pprof_to_otlp(&util::decode_pprof(&path), &ToOtlpOptions::default()).unwrap();
        let orphan_strings: Vec<String> = validate::check(&data, &options)
            .into_iter()
            .filter(|v| v.rule == Rule::Orphan && v.path.starts_with("dictionary.string_table"))
            .map(|v| v.to_string())
            .collect();
        assert!(
            orphan_strings.is_empty(),
            "{}: {orphan_strings:?}",
            util::name(&path)
        );
    }
}
