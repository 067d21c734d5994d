use crate::util;
use prost::Message;

/// Decoding then re-encoding every corpus pprof gives the same model back: the hand-written
/// messages cover every field the corpus uses (an unknown field would be dropped by prost and
/// show up here as a difference). Sizes may differ: old writers used unpacked repeated fields.
#[test]
fn every_corpus_pprof_survives_decode_encode_decode() {
    for path in util::corpus_files("pprof") {
        let raw = std::fs::read(&path).unwrap();
        let payload =
            pprotel::input::read_payload(raw, None, pprotel::input::DEFAULT_MAX_DECOMPRESSED)
                .unwrap_or_else(|e| panic!("{}: {e}", util::name(&path)));
        assert_eq!(
            payload.format,
            pprotel::input::Format::Pprof,
            "{}",
            util::name(&path)
        );
        let profile = pprotel::pprof::decode(&payload.bytes).unwrap();
        let encoded = profile.encode_to_vec();
        let again = pprotel::pprof::decode(&encoded).unwrap();
        assert_eq!(profile, again, "{}", util::name(&path));
    }
}
