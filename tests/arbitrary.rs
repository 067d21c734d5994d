//! Generated OTLP payloads for property tests: one generator for every codec's laws
//! (protobuf encoding identical to prost, JSON round trips), so that what one codec is tested
//! against, the other is too.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use pprotel::otlp::common::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList, any_value::Value,
};
use pprotel::otlp::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use pprotel::otlp::resource::Resource;

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z._]{1,12}",
        "[a-z]{120,140}",
        any::<String>(),
        Just("q\" b\\ n\n t\t nul\u{0} us\u{1f} del\u{7f} é ☃ 𝄞 \u{2028} </script>".to_owned()),
    ]
}

fn int32() -> impl Strategy<Value = i32> {
    prop_oneof![
        0..8i32,
        120..140i32,
        Just(-1),
        Just(i32::MIN),
        Just(i32::MAX),
        any::<i32>()
    ]
}

fn uint32() -> impl Strategy<Value = u32> {
    prop_oneof![0..8u32, Just(u32::MAX), any::<u32>()]
}

fn int64() -> impl Strategy<Value = i64> {
    prop_oneof![
        -2..8i64,
        Just(i64::MIN),
        Just(i64::MAX),
        Just(1 << 53 | 1),
        any::<i64>()
    ]
}

fn uint64() -> impl Strategy<Value = u64> {
    prop_oneof![0..8u64, Just(u64::MAX), Just(1 << 53 | 1), any::<u64>()]
}

/// Lists mostly short, sometimes long enough for a two-byte (rarely three-byte) length prefix.
fn list<T: std::fmt::Debug + 'static>(
    element: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Vec<T>> {
    let element = element.boxed();
    prop_oneof![4 => vec(element.clone(), 0..4), 1 => vec(element, 100..200)]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

/// Ids as found in the wild: absent, all zero (pdata drops these; we keep them), random of the
/// proper length, or of a wrong length (kept as is).
fn id(len: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(vec![0; len]),
        vec(any::<u8>(), len),
        bytes(20)
    ]
}

/// Every class of double; NaN only as the canonical quiet NaN, since JSON's `"NaN"` carries no
/// payload.
fn double() -> impl Strategy<Value = f64> {
    use proptest::num::f64::{INFINITE, NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    prop_oneof![
        POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO | INFINITE,
        Just(f64::NAN),
        Just(-0.0),
        Just(0.1),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
    ]
}

fn any_value() -> impl Strategy<Value = AnyValue> {
    let leaf = prop_oneof![
        Just(None),
        string().prop_map(Value::StringValue).prop_map(Some),
        any::<bool>().prop_map(Value::BoolValue).prop_map(Some),
        int64().prop_map(Value::IntValue).prop_map(Some),
        double().prop_map(Value::DoubleValue).prop_map(Some),
        bytes(12).prop_map(Value::BytesValue).prop_map(Some),
        int32().prop_map(Value::StringValueStrindex).prop_map(Some),
    ]
    .prop_map(|value| AnyValue { value });
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(|values| AnyValue {
                value: Some(Value::ArrayValue(ArrayValue { values })),
            }),
            vec(key_value_of(inner), 0..3).prop_map(|values| AnyValue {
                value: Some(Value::KvlistValue(KeyValueList { values })),
            }),
        ]
    })
}

fn key_value_of(value: impl Strategy<Value = AnyValue>) -> impl Strategy<Value = KeyValue> {
    (string(), option::of(value), int32()).prop_map(|(key, value, key_strindex)| KeyValue {
        key,
        value,
        key_strindex,
    })
}

fn attributes() -> impl Strategy<Value = Vec<KeyValue>> {
    vec(key_value_of(any_value()), 0..3)
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
        .prop_map(
            |(stack_index, attribute_indices, link_index, values, timestamps_unix_nano)| Sample {
                stack_index,
                attribute_indices,
                link_index,
                values,
                timestamps_unix_nano,
            },
        )
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        option::of(value_type()),
        prop_oneof![4 => vec(sample(), 0..4), 1 => vec(sample(), 100..300)],
        uint64(),
        uint64(),
        option::of(value_type()),
        int64(),
        id(16),
        uint32(),
        string(),
        bytes(200),
        list(int32()),
    )
        .prop_map(|t| Profile {
            sample_type: t.0,
            samples: t.1,
            time_unix_nano: t.2,
            duration_nano: t.3,
            period_type: t.4,
            period: t.5,
            profile_id: t.6,
            dropped_attributes_count: t.7,
            original_payload_format: t.8,
            original_payload: t.9,
            attribute_indices: t.10,
        })
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
    let location = (int32(), uint64(), vec(line, 0..3), list(int32())).prop_map(|t| Location {
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
    let link = (id(16), id(8)).prop_map(|(trace_id, span_id)| Link { trace_id, span_id });
    let attribute = (int32(), option::of(any_value()), int32()).prop_map(|t| KeyValueAndUnit {
        key_strindex: t.0,
        value: t.1,
        unit_strindex: t.2,
    });
    let stack = list(int32()).prop_map(|location_indices| Stack { location_indices });
    (
        vec(mapping, 0..3),
        list(location),
        vec(function, 0..3),
        vec(link, 0..3),
        vec(string(), 0..4),
        vec(attribute, 0..3),
        vec(stack, 0..3),
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

/// Any `ProfilesData`: every message and field, every attribute value kind (nested), both
/// strindex forms, ids of right and wrong lengths, every class of double (NaN only as the
/// canonical quiet NaN, which JSON can carry), strings with escapes, and lists and strings long
/// enough to need multi-byte length prefixes.
pub fn profiles_data() -> impl Strategy<Value = ProfilesData> {
    let entity_ref =
        (string(), string(), vec(string(), 0..3), vec(string(), 0..3)).prop_map(|t| EntityRef {
            schema_url: t.0,
            r#type: t.1,
            id_keys: t.2,
            description_keys: t.3,
        });
    let resource = (attributes(), uint32(), vec(entity_ref, 0..2)).prop_map(|t| Resource {
        attributes: t.0,
        dropped_attributes_count: t.1,
        entity_refs: t.2,
    });
    let scope = (string(), string(), attributes(), uint32()).prop_map(|t| InstrumentationScope {
        name: t.0,
        version: t.1,
        attributes: t.2,
        dropped_attributes_count: t.3,
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
