//! The hand-written fast paths produce exactly what prost would: `otlp::encode_protobuf` writes
//! the bytes of `encode_to_vec()`, and `pprof::decode` reads the model prost's derived decoder
//! would read. Checked on every corpus pprof and on generated data that reaches the varint and
//! length boundaries (one-, two- and three-byte lengths, negative `int32`s, empty fields).

use pprotel::otlp::encode_protobuf;
use pprotel::otlp::mapping::{ToOtlpOptions, pprof_to_otlp};
use proptest::prelude::*;
use prost::Message;

use crate::arbitrary::profiles_data;
use crate::util;

#[test]
fn otlp_of_every_corpus_pprof_encodes_exactly_as_prost() {
    let files = util::corpus_files("pprof");
    for path in &files {
        let pprof = util::decode_pprof(path);
        let original_payload = Some(std::fs::read(path).unwrap());
        for options in [
            ToOtlpOptions::default(),
            ToOtlpOptions {
                original_payload,
                ..ToOtlpOptions::default()
            },
        ] {
            let data = pprof_to_otlp(&pprof, &options)
                .unwrap_or_else(|e| panic!("{}: {e}", util::name(path)));
            let ours = encode_protobuf(&data);
            let prost = data.encode_to_vec();
            assert!(
                ours == prost,
                "{}: encodings differ (ours {} bytes, prost {} bytes, first difference at {:?})",
                util::name(path),
                ours.len(),
                prost.len(),
                ours.iter().zip(&prost).position(|(a, b)| a != b)
            );
        }
    }
}

/// The hand-written `Sample` decoder (which sizes packed fields before filling them) reads the
/// same model as prost's generic packed decoding, in both the packed form and the unpacked form
/// old writers used (which re-encoding cannot produce, so it is built here field by field).
#[test]
fn pprof_samples_decode_alike_packed_and_unpacked() {
    use prost::encoding::{WireType, encode_key, encode_varint};
    let files = util::corpus_files("pprof");
    for path in files.iter().take(4) {
        let pprof = util::decode_pprof(path);
        let packed = pprof.encode_to_vec();
        assert_eq!(pprotel::pprof::decode(&packed).unwrap(), pprof);
        let mut unpacked = pprof.clone();
        unpacked.sample.clear();
        let mut bytes = unpacked.encode_to_vec();
        for sample in &pprof.sample {
            let mut body = Vec::new();
            for &id in &sample.location_id {
                encode_key(1, WireType::Varint, &mut body);
                encode_varint(id, &mut body);
            }
            for &v in &sample.value {
                encode_key(2, WireType::Varint, &mut body);
                encode_varint(v as u64, &mut body);
            }
            for label in &sample.label {
                prost::encoding::message::encode(3, label, &mut body);
            }
            encode_key(2, WireType::LengthDelimited, &mut bytes);
            encode_varint(body.len() as u64, &mut bytes);
            bytes.extend_from_slice(&body);
        }
        let decoded = pprotel::pprof::decode(&bytes).unwrap();
        assert_eq!(decoded.sample, pprof.sample, "{}", util::name(path));
    }
}

#[test]
fn truncated_packed_sample_fields_are_refused() {
    // Profile { string_table: [""], sample: [{ location_id: packed, length 3, two bytes }] }
    let bytes = [0x32, 0x00, 0x12, 0x04, 0x0a, 0x03, 0x01, 0x02];
    assert!(pprotel::pprof::decode(&bytes).is_err());
    // A varint that runs past the end of its packed run.
    let bytes = [0x32, 0x00, 0x12, 0x04, 0x0a, 0x02, 0x01, 0x80];
    assert!(pprotel::pprof::decode(&bytes).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_profiles_data_encodes_exactly_as_prost(data in profiles_data()) {
        prop_assert_eq!(encode_protobuf(&data), data.encode_to_vec());
    }
}
