//! Any bytes through the CLI's read path: decompression (under a small cap), format detection,
//! the pprof / OTLP protobuf / OTLP JSON decoders, the validators, and a translation into the
//! other format. Nothing may panic, hang or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprotel::convert::{self, Decoded, ReadOptions, Target, TranslateOptions};
use pprotel::pprof::Container;

fuzz_target!(|data: &[u8]| {
    let read = ReadOptions {
        from: None,
        max_decompressed: pprotel_fuzz::MAX_DECOMPRESSED,
    };
    let Ok((_, decoded)) = convert::decode(data.to_vec(), &read) else {
        return;
    };
    let target = match &decoded {
        Decoded::Pprof(p) => {
            pprotel::pprof::validate::check(p);
            Target::OtlpProtobuf
        }
        Decoded::Otlp(d) => {
            pprotel::otlp::validate::check(d, &pprotel::otlp::validate::CheckOptions::all());
            Target::Pprof(Container::Raw)
        }
    };
    let options = TranslateOptions::default().for_decompression_cap(pprotel_fuzz::MAX_DECOMPRESSED);
    let _ = convert::translate(decoded, target, &options);
});
