//! Any bytes as raw pprof. Whatever decodes and translates must survive
//! pprof → OTLP → protobuf bytes → OTLP → pprof with no semantic difference (`compare_pprof`
//! empty), nothing reported as unrepresentable, and OTLP bytes that decode again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprotel::otlp::{self, mapping};
use pprotel::{pprof, roundtrip};

fuzz_target!(|data: &[u8]| {
    let Ok(original) = pprof::decode(data) else {
        return;
    };
    let Ok(otlp_data) = mapping::pprof_to_otlp(&original, &pprotel_fuzz::to_otlp_options()) else {
        return;
    };
    let bytes = otlp::encode_protobuf(&otlp_data);
    let decoded = otlp::decode_protobuf(&bytes)
        .unwrap_or_else(|e| panic!("pprotel's own OTLP does not decode: {e}"));
    assert!(
        decoded == otlp_data,
        "OTLP changed through its own protobuf encoding"
    );
    let back = mapping::otlp_to_pprof_with(&decoded, &pprotel_fuzz::to_pprof_options())
        .unwrap_or_else(|e| panic!("pprotel's own OTLP does not translate back: {e}"));
    assert!(
        back.report.is_empty(),
        "pprof → OTLP produced something pprof cannot carry: {}",
        back.report
    );
    assert_eq!(back.outputs.len(), 1, "one pprof became several");
    let differences = roundtrip::compare_pprof(&original, &back.outputs[0].pprof);
    assert!(
        differences.is_empty(),
        "pprof → OTLP → pprof lost information: {differences:#?}"
    );
});
