//! The hand-written fast paths produce exactly what prost would: `otlp::encode_protobuf` writes
//! the bytes of `encode_to_vec()`, and `pprof::decode` reads the model prost's derived decoder
//! would read. Checked on every corpus pprof and on generated data that reaches the varint and
//! length boundaries (one-, two- and three-byte lengths, negative `int32`s, empty fields).

use pprotel::otlp::common::any_value::Value;
use pprotel::otlp::common::{AnyValue, ArrayValue, InstrumentationScope, KeyValue};
use pprotel::otlp::encode_protobuf;
use pprotel::otlp::mapping::{ToOtlpOptions, pprof_to_otlp};
use pprotel::otlp::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use pprotel::otlp::resource::Resource;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use prost::Message;

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

// ---------------------------------------------------------------------------------------------
// Generated data

fn int32() -> impl Strategy<Value = i32> {
    prop_oneof![0..3i32, 120..140i32, Just(-1), Just(i32::MIN), any::<i32>()]
}

fn int64() -> impl Strategy<Value = i64> {
    prop_oneof![
        0..3i64,
        Just(-1),
        Just(i64::MIN),
        Just(i64::MAX),
        any::<i64>()
    ]
}

fn uint64() -> impl Strategy<Value = u64> {
    prop_oneof![0..3u64, Just(u64::MAX), any::<u64>()]
}

/// Lists short and long enough for a one-, two- or (rarely) three-byte length.
fn list<T: std::fmt::Debug + 'static>(
    element: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Vec<T>> {
    let element = element.boxed();
    prop_oneof![4 => vec(element.clone(), 0..4), 1 => vec(element, 100..200)]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z]{1,8}",
        "[a-z]{120,140}",
        any::<String>()
    ]
}

fn any_value() -> impl Strategy<Value = AnyValue> {
    prop_oneof![
        Just(AnyValue { value: None }),
        string().prop_map(|s| AnyValue {
            value: Some(Value::StringValue(s))
        }),
        int64().prop_map(|i| AnyValue {
            value: Some(Value::IntValue(i))
        }),
        any::<bool>().prop_map(|b| AnyValue {
            value: Some(Value::BoolValue(b))
        }),
        vec(int64(), 0..3).prop_map(|v| AnyValue {
            value: Some(Value::ArrayValue(ArrayValue {
                values: v
                    .into_iter()
                    .map(|i| AnyValue {
                        value: Some(Value::IntValue(i)),
                    })
                    .collect(),
            })),
        }),
    ]
}

fn key_values() -> impl Strategy<Value = Vec<KeyValue>> {
    vec(
        (string(), option::of(any_value()), int32()).prop_map(|(key, value, key_strindex)| {
            KeyValue {
                key,
                value,
                key_strindex,
            }
        }),
        0..3,
    )
}

fn value_type() -> impl Strategy<Value = ValueType> {
    (int32(), int32()).prop_map(|(type_strindex, unit_strindex)| ValueType {
        type_strindex,
        unit_strindex,
    })
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        int32(),
        list(int32()),
        int32(),
        list(int64()),
        list(uint64()),
    )
        .prop_map(|t| Sample {
            stack_index: t.0,
            attribute_indices: t.1,
            link_index: t.2,
            values: t.3,
            timestamps_unix_nano: t.4,
        })
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        option::of(value_type()),
        prop_oneof![vec(sample(), 0..4), vec(sample(), 100..300)],
        (uint64(), uint64(), option::of(value_type()), int64()),
        (
            vec(any::<u8>(), 0..17),
            any::<u32>(),
            string(),
            vec(any::<u8>(), 0..200),
        ),
        list(int32()),
    )
        .prop_map(
            |(sample_type, samples, times, extra, attribute_indices)| Profile {
                sample_type,
                samples,
                time_unix_nano: times.0,
                duration_nano: times.1,
                period_type: times.2,
                period: times.3,
                profile_id: extra.0,
                dropped_attributes_count: extra.1,
                original_payload_format: extra.2,
                original_payload: extra.3,
                attribute_indices,
            },
        )
}

fn dictionary() -> impl Strategy<Value = ProfilesDictionary> {
    let mapping = (uint64(), uint64(), uint64(), int32(), list(int32())).prop_map(|t| Mapping {
        memory_start: t.0,
        memory_limit: t.1,
        file_offset: t.2,
        filename_strindex: t.3,
        attribute_indices: t.4,
    });
    let line = (int32(), int64(), int64()).prop_map(|(function_index, line, column)| Line {
        function_index,
        line,
        column,
    });
    let location = (int32(), uint64(), list(line), list(int32())).prop_map(|t| Location {
        mapping_index: t.0,
        address: t.1,
        lines: t.2,
        attribute_indices: t.3,
    });
    let function = (int32(), int32(), int32(), int64()).prop_map(|t| Function {
        name_strindex: t.0,
        system_name_strindex: t.1,
        filename_strindex: t.2,
        start_line: t.3,
    });
    let link = (vec(any::<u8>(), 0..17), vec(any::<u8>(), 0..9))
        .prop_map(|(trace_id, span_id)| Link { trace_id, span_id });
    let attribute = (int32(), option::of(any_value()), int32()).prop_map(|t| KeyValueAndUnit {
        key_strindex: t.0,
        value: t.1,
        unit_strindex: t.2,
    });
    let stack = list(int32()).prop_map(|location_indices| Stack { location_indices });
    (
        vec(mapping, 0..3),
        list(location),
        vec(function, 0..5),
        vec(link, 0..3),
        vec(string(), 0..5),
        vec(attribute, 0..4),
        vec(stack, 0..5),
    )
        .prop_map(|t| ProfilesDictionary {
            mapping_table: t.0,
            location_table: t.1,
            function_table: t.2,
            link_table: t.3,
            string_table: t.4,
            attribute_table: t.5,
            stack_table: t.6,
        })
}

fn profiles_data() -> impl Strategy<Value = ProfilesData> {
    let resource = (key_values(), any::<u32>()).prop_map(|(attributes, dropped)| Resource {
        attributes,
        dropped_attributes_count: dropped,
        entity_refs: Vec::new(),
    });
    let scope = (string(), string(), key_values()).prop_map(|(name, version, attributes)| {
        InstrumentationScope {
            name,
            version,
            attributes,
            dropped_attributes_count: 0,
        }
    });
    let scope_profiles =
        (option::of(scope), vec(profile(), 0..3), string()).prop_map(|t| ScopeProfiles {
            scope: t.0,
            profiles: t.1,
            schema_url: t.2,
        });
    let resource_profiles =
        (option::of(resource), vec(scope_profiles, 0..3), string()).prop_map(|t| {
            ResourceProfiles {
                resource: t.0,
                scope_profiles: t.1,
                schema_url: t.2,
            }
        });
    (vec(resource_profiles, 0..3), option::of(dictionary())).prop_map(
        |(resource_profiles, dictionary)| ProfilesData {
            resource_profiles,
            dictionary,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_profiles_data_encodes_exactly_as_prost(data in profiles_data()) {
        prop_assert_eq!(encode_protobuf(&data), data.encode_to_vec());
    }
}
