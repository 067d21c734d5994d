//! insta snapshots of the OTLP JSON pprotel writes for small fixtures: the mapping, made
//! visible. A change to any of them is a change to the mapping specification (docs/mapping.md)
//! and must be reviewed as one.

use pprotel::otlp::json::{Style, to_json};
use pprotel::otlp::mapping::{ToOtlpOptions, pprof_to_otlp};

use crate::build::PprofBuilder;
use crate::util;

fn otlp_json(profile: &pprotel::pprof::Profile) -> String {
    let data = pprof_to_otlp(profile, &ToOtlpOptions::default()).unwrap();
    String::from_utf8(to_json(&data, Style::Pretty)).unwrap()
}

fn corpus_json(name: &str) -> Option<String> {
    Some(otlp_json(&util::corpus_pprof(name)?))
}

/// The hand-built CPU profile: two sample types, inline frames, string and numeric labels,
/// mappings with and without a build id.
#[test]
fn otlp_json_of_the_hand_built_cpu_profile() {
    let mut b = PprofBuilder::cpu();
    b.p.comment = vec![b.s("made by hand"), b.s("")];
    b.p.default_sample_type = b.s("cpu");
    insta::assert_snapshot!(otlp_json(&b.p));
}

#[test]
fn otlp_json_of_parca_two_stacks() {
    if let Some(json) = corpus_json("parca__pkg_query_testdata_two-stacks.pb.gz") {
        insta::assert_snapshot!(json);
    }
}

#[test]
fn otlp_json_of_google_pprof_go_nomappings_crash() {
    if let Some(json) =
        corpus_json("google-pprof__internal_driver_testdata_go.nomappings.crash.pb.gz")
    {
        insta::assert_snapshot!(json);
    }
}
