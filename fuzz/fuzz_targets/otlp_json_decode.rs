//! Any bytes as OTLP JSON. Whatever decodes must write back to JSON that reads as the same
//! payload (NaN payload bits aside, which JSON cannot spell), in both layouts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprotel::otlp::json::{self, Style};

fuzz_target!(|data: &[u8]| {
    let Ok(profiles) = json::from_json(data) else {
        return;
    };
    let expected = pprotel_fuzz::otlp_bytes_with_canonical_nans(&profiles);
    for style in [Style::Compact, Style::Pretty] {
        let text = json::to_json(&profiles, style);
        let back = json::from_json(&text).unwrap_or_else(|e| {
            panic!(
                "our own {style:?} JSON does not read back: {e}\n{}",
                String::from_utf8_lossy(&text)
            )
        });
        assert!(
            pprotel_fuzz::otlp_bytes_with_canonical_nans(&back) == expected,
            "{style:?} JSON round trip changed the payload"
        );
    }
});
