//! Any bytes as raw pprof. The fast decoder and the field-by-field one must agree. Whatever
//! decodes and translates must survive
//! pprof → OTLP → protobuf bytes → OTLP → pprof with no semantic difference (`compare_pprof`
//! empty), nothing reported as unrepresentable, and OTLP bytes that decode again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprotel::otlp::{self, mapping};
use pprotel::{pprof, roundtrip};
use prost::Message;

fuzz_target!(|data: &[u8]| {
    // The fast pprof decoder (over the whole slice) and the field-by-field one it falls back to
    // must agree on every input: same profile, or both refuse.
    let fast = <pprof::Profile as Message>::decode(data);
    let mut slow = pprof::Profile::default();
    let slow_result = slow.merge(data);
    match (&fast, &slow_result) {
        (Ok(fast), Ok(())) => assert!(*fast == slow, "the two pprof decoders disagree"),
        (Err(_), Err(_)) => {}
        (fast, slow) => panic!("one pprof decoder refuses: fast {fast:?}, field by field {slow:?}"),
    }
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
