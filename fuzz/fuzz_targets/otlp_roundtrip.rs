//! Any bytes as binary OTLP. Whatever decodes must: translate to pprof profiles that each
//! encode and decode again unchanged; and survive OTLP → JSON → OTLP bit for bit (NaN payload
//! bits aside, which JSON cannot spell).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprotel::otlp::{self, json, mapping};
use pprotel::pprof::{self, Container};
use prost::Message;

fuzz_target!(|data: &[u8]| {
    let Ok(profiles) = otlp::decode_protobuf(data) else {
        return;
    };
    if let Ok(translated) =
        mapping::otlp_to_pprof_with(&profiles, &pprotel_fuzz::to_pprof_options())
    {
        for output in &translated.outputs {
            let raw = pprof::encode(&output.pprof, Container::Raw);
            assert_eq!(raw, output.pprof.encode_to_vec());
            let back = pprof::decode(&raw).unwrap_or_else(|e| {
                panic!("pprof output {} does not decode: {e}", output.suffix())
            });
            assert!(
                back == output.pprof,
                "pprof output {} changed",
                output.suffix()
            );
        }
    }
    let expected = pprotel_fuzz::otlp_bytes_with_canonical_nans(&profiles);
    let text = json::to_json(&profiles, json::Style::Compact);
    let back = json::from_json(&text).unwrap_or_else(|e| {
        panic!(
            "OTLP JSON written by pprotel does not read back: {e}\n{}",
            String::from_utf8_lossy(&text)
        )
    });
    assert!(
        pprotel_fuzz::otlp_bytes_with_canonical_nans(&back) == expected,
        "OTLP → JSON → OTLP changed the payload"
    );
});
