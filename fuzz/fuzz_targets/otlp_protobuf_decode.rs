//! Any bytes as binary OTLP `ProfilesData`: schema sniffing, prost decoding, the conformance
//! checks and the translation to pprof must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprotel::otlp;

fuzz_target!(|data: &[u8]| {
    let Ok(profiles) = otlp::decode_protobuf(data) else {
        return;
    };
    otlp::validate::check(&profiles, &otlp::validate::CheckOptions::all());
    let _ = otlp::mapping::otlp_to_pprof_with(&profiles, &pprotel_fuzz::to_pprof_options());
});
