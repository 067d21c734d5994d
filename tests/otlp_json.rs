use crate::arbitrary::profiles_data;
use crate::util;
use pprotel::otlp::common::any_value::Value;
use pprotel::otlp::common::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList,
};
use pprotel::otlp::json::{JsonError, Style, from_json, to_json};
use pprotel::otlp::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use pprotel::otlp::resource::Resource;
use proptest::prelude::*;
use prost::Message;
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Helpers

fn text(json: &[u8]) -> &str {
    std::str::from_utf8(json).expect("to_json writes UTF-8")
}

fn read(json: &str) -> ProfilesData {
    from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{json}"))
}

fn error(json: &str) -> JsonError {
    match from_json(json.as_bytes()) {
        Ok(data) => panic!("accepted {json}\nas {data:#?}"),
        Err(e) => e,
    }
}

fn dictionary(d: ProfilesDictionary) -> ProfilesData {
    ProfilesData {
        resource_profiles: Vec::new(),
        dictionary: Some(d),
    }
}

fn kv(key: &str, value: Option<Value>) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value }),
        key_strindex: 0,
    }
}

/// Bit-exact model equality (NaN-safe, and `-0.0` differs from `0.0`): the protobuf encodings
/// are equal. prost writes a present message even when empty and a set oneof even when
/// default, so "unset" and "set to default" are told apart too.
fn same(a: &ProfilesData, b: &ProfilesData) -> bool {
    a.encode_to_vec() == b.encode_to_vec()
}

/// One profile with every field of every message set to a non-default value, so each JSON key
/// of the schema appears in its encoding.
fn every_field() -> ProfilesData {
    let nested = AnyValue {
        value: Some(Value::KvlistValue(KeyValueList {
            values: vec![kv("b", Some(Value::BoolValue(true)))],
        })),
    };
    let attributes = vec![
        kv("s", Some(Value::StringValue("x".into()))),
        kv("i", Some(Value::IntValue(-5))),
        kv("d", Some(Value::DoubleValue(0.5))),
        kv(
            "a",
            Some(Value::ArrayValue(ArrayValue {
                values: vec![nested],
            })),
        ),
        kv("y", Some(Value::BytesValue(vec![1, 2, 3]))),
        KeyValue {
            key: String::new(),
            value: Some(AnyValue {
                value: Some(Value::StringValueStrindex(4)),
            }),
            key_strindex: 3,
        },
    ];
    ProfilesData {
        resource_profiles: vec![ResourceProfiles {
            resource: Some(Resource {
                attributes: attributes.clone(),
                dropped_attributes_count: 1,
                entity_refs: vec![EntityRef {
                    schema_url: "https://example.com/entity".into(),
                    r#type: "service".into(),
                    id_keys: vec!["service.name".into()],
                    description_keys: vec!["service.version".into()],
                }],
            }),
            scope_profiles: vec![ScopeProfiles {
                scope: Some(InstrumentationScope {
                    name: "pprotel".into(),
                    version: "0.1.0".into(),
                    attributes,
                    dropped_attributes_count: 2,
                }),
                profiles: vec![Profile {
                    sample_type: Some(ValueType {
                        type_strindex: 1,
                        unit_strindex: 2,
                    }),
                    samples: vec![Sample {
                        stack_index: 1,
                        attribute_indices: vec![1],
                        link_index: 1,
                        values: vec![-1, 7],
                        timestamps_unix_nano: vec![1_700_000_000_000_000_000, 1],
                    }],
                    time_unix_nano: 1_700_000_000_000_000_000,
                    duration_nano: 10_000_000_000,
                    period_type: Some(ValueType {
                        type_strindex: 3,
                        unit_strindex: 4,
                    }),
                    period: 10_000_000,
                    profile_id: (1..=16).collect(),
                    dropped_attributes_count: 3,
                    original_payload_format: "pprof".into(),
                    original_payload: b"\x1f\x8b payload".to_vec(),
                    attribute_indices: vec![1, 2],
                }],
                schema_url: "https://opentelemetry.io/schemas/1.38.0".into(),
            }],
            schema_url: "https://opentelemetry.io/schemas/1.38.0".into(),
        }],
        dictionary: Some(ProfilesDictionary {
            mapping_table: vec![
                Mapping::default(),
                Mapping {
                    memory_start: 0x40_0000,
                    memory_limit: 0x80_0000,
                    file_offset: 0x1000,
                    filename_strindex: 5,
                    attribute_indices: vec![2],
                },
            ],
            location_table: vec![
                Location::default(),
                Location {
                    mapping_index: 1,
                    address: 0x40_1234,
                    lines: vec![Line {
                        function_index: 1,
                        line: 42,
                        column: 7,
                    }],
                    attribute_indices: vec![2],
                },
            ],
            function_table: vec![
                Function::default(),
                Function {
                    name_strindex: 6,
                    system_name_strindex: 6,
                    filename_strindex: 5,
                    start_line: 40,
                },
            ],
            link_table: vec![
                Link::default(),
                Link {
                    trace_id: vec![0x11; 16],
                    span_id: vec![0x22; 8],
                },
            ],
            string_table: [
                "",
                "samples",
                "count",
                "cpu",
                "nanoseconds",
                "main.go",
                "main",
            ]
            .map(String::from)
            .to_vec(),
            attribute_table: vec![
                KeyValueAndUnit::default(),
                KeyValueAndUnit {
                    key_strindex: 1,
                    value: Some(AnyValue {
                        value: Some(Value::IntValue(3)),
                    }),
                    unit_strindex: 2,
                },
            ],
            stack_table: vec![
                Stack::default(),
                Stack {
                    location_indices: vec![1, 1],
                },
            ],
        }),
    }
}

fn keys_of(value: &serde_json::Value, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                into.insert(k.clone());
                keys_of(v, into);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys_of(v, into)),
        _ => {}
    }
}

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Rewrites every key of a JSON document to its snake_case proto name.
fn to_snake_case(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| (snake_case(&k), to_snake_case(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(to_snake_case).collect())
        }
        other => other,
    }
}

/// The keys whose values are 64-bit integers (spec §1.6).
const INT64_KEYS: &[&str] = &[
    "timeUnixNano",
    "durationNano",
    "period",
    "values",
    "timestampsUnixNano",
    "address",
    "memoryStart",
    "memoryLimit",
    "fileOffset",
    "line",
    "column",
    "startLine",
    "intValue",
];

/// Rewrites every 64-bit integer string of a JSON document as a JSON number, as a producer that
/// ignores the "64-bit as string" rule would write it.
fn int64_as_numbers(value: serde_json::Value) -> serde_json::Value {
    fn number(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::String(s) => match (s.parse::<i64>(), s.parse::<u64>()) {
                (Ok(i), _) => i.into(),
                (_, Ok(u)) => u.into(),
                _ => panic!("64-bit field holds {s:?}"),
            },
            serde_json::Value::Array(items) => items.into_iter().map(number).collect(),
            other => other,
        }
    }
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = int64_as_numbers(v);
                    let v = if INT64_KEYS.contains(&k.as_str()) {
                        number(v)
                    } else {
                        v
                    };
                    (k, v)
                })
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(int64_as_numbers).collect())
        }
        other => other,
    }
}

fn check_round_trip(data: &ProfilesData, json: &[u8]) -> Result<(), TestCaseError> {
    let back = from_json(json)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(json))))?;
    prop_assert!(
        same(&back, data),
        "{}\nread back as\n{back:#?}",
        String::from_utf8_lossy(json)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The codec is lossless in both layouts: every message, every field, nested AnyValues of
    /// every kind, set-to-default vs unset, extreme integers, escapes and non-ASCII text.
    #[test]
    fn generated_profiles_survive_json_round_trip(data in profiles_data()) {
        check_round_trip(&data, &to_json(&data, Style::Compact))?;
        check_round_trip(&data, &to_json(&data, Style::Pretty))?;
    }

    /// A producer using the original proto field names (pdata accepts them) is read the same.
    #[test]
    fn snake_case_keys_read_like_camel_case(data in profiles_data()) {
        let json: serde_json::Value = serde_json::from_slice(&to_json(&data, Style::Compact)).unwrap();
        let snake = serde_json::to_vec(&to_snake_case(json)).unwrap();
        check_round_trip(&data, &snake)?;
    }

    /// A producer writing 64-bit integers as JSON numbers is read the same.
    #[test]
    fn int64_as_json_numbers_read_like_strings(data in profiles_data()) {
        let json: serde_json::Value = serde_json::from_slice(&to_json(&data, Style::Compact)).unwrap();
        let numbers = serde_json::to_vec(&int64_as_numbers(json)).unwrap();
        check_round_trip(&data, &numbers)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Output form

/// Every key of the schema is written with the lowerCamelCase name listed in spec §1.6, and a
/// fully populated model writes all of them.
#[test]
fn every_field_is_written_with_its_spec_name() {
    let json: serde_json::Value =
        serde_json::from_slice(&to_json(&every_field(), Style::Compact)).unwrap();
    let mut keys = BTreeSet::new();
    keys_of(&json, &mut keys);
    let expected: BTreeSet<String> = [
        // ProfilesData, ProfilesDictionary
        "resourceProfiles",
        "dictionary",
        "mappingTable",
        "locationTable",
        "functionTable",
        "linkTable",
        "stringTable",
        "attributeTable",
        "stackTable",
        // ResourceProfiles, Resource, EntityRef
        "resource",
        "scopeProfiles",
        "schemaUrl",
        "attributes",
        "droppedAttributesCount",
        "entityRefs",
        "type",
        "idKeys",
        "descriptionKeys",
        // ScopeProfiles, InstrumentationScope
        "scope",
        "profiles",
        "name",
        "version",
        // Profile
        "sampleType",
        "samples",
        "timeUnixNano",
        "durationNano",
        "periodType",
        "period",
        "profileId",
        "originalPayloadFormat",
        "originalPayload",
        "attributeIndices",
        // Sample, Stack, Location, Line, Function, Mapping, Link, ValueType
        "stackIndex",
        "linkIndex",
        "values",
        "timestampsUnixNano",
        "locationIndices",
        "mappingIndex",
        "address",
        "lines",
        "functionIndex",
        "line",
        "column",
        "nameStrindex",
        "systemNameStrindex",
        "filenameStrindex",
        "startLine",
        "memoryStart",
        "memoryLimit",
        "fileOffset",
        "traceId",
        "spanId",
        "typeStrindex",
        "unitStrindex",
        // KeyValueAndUnit, KeyValue, AnyValue
        "keyStrindex",
        "value",
        "key",
        "stringValue",
        "boolValue",
        "intValue",
        "doubleValue",
        "arrayValue",
        "kvlistValue",
        "bytesValue",
        "stringValueStrindex",
    ]
    .map(String::from)
    .into();
    assert_eq!(keys, expected);
}

#[test]
fn int64_fields_are_strings_and_int32_fields_are_numbers() {
    let json = to_json(&every_field(), Style::Compact);
    let json = text(&json);
    for fragment in [
        r#""timeUnixNano":"1700000000000000000""#,
        r#""durationNano":"10000000000""#,
        r#""period":"10000000""#,
        r#""values":["-1","7"]"#,
        r#""timestampsUnixNano":["1700000000000000000","1"]"#,
        r#""address":"4198964""#,
        r#""memoryStart":"4194304""#,
        r#""line":"42""#,
        r#""startLine":"40""#,
        r#""intValue":"-5""#,
        r#""stackIndex":1"#,
        r#""locationIndices":[1,1]"#,
        r#""droppedAttributesCount":3"#,
        r#""typeStrindex":1"#,
        r#""stringValueStrindex":4"#,
        r#""traceId":"11111111111111111111111111111111""#,
        r#""spanId":"2222222222222222""#,
        r#""profileId":"0102030405060708090a0b0c0d0e0f10""#,
        r#""originalPayload":"H4sgcGF5bG9hZA==""#,
        r#""bytesValue":"AQID""#,
    ] {
        assert!(json.contains(fragment), "{fragment} missing from {json}");
    }
}

/// Table entries are written even when empty (`locationTable[0]` is `{}`), and so are present
/// `sampleType`/`periodType`; plain default scalars and empty lists are not.
#[test]
fn defaults_are_omitted_but_table_entries_and_present_messages_are_kept() {
    let data = ProfilesData {
        resource_profiles: vec![ResourceProfiles {
            resource: None,
            scope_profiles: vec![ScopeProfiles {
                scope: None,
                profiles: vec![Profile {
                    sample_type: Some(ValueType::default()),
                    period_type: Some(ValueType::default()),
                    samples: vec![Sample::default()],
                    ..Profile::default()
                }],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
        dictionary: Some(ProfilesDictionary {
            mapping_table: vec![Mapping::default()],
            location_table: vec![Location::default()],
            function_table: vec![Function::default()],
            link_table: vec![Link::default()],
            string_table: vec![String::new()],
            attribute_table: vec![KeyValueAndUnit::default()],
            stack_table: vec![Stack::default()],
        }),
    };
    let json = to_json(&data, Style::Compact);
    assert_eq!(
        text(&json),
        concat!(
            r#"{"resourceProfiles":[{"scopeProfiles":[{"profiles":[{"sampleType":{},"samples":[{}],"periodType":{}}]}]}],"#,
            r#""dictionary":{"mappingTable":[{}],"locationTable":[{}],"functionTable":[{}],"linkTable":[{}],"#,
            r#""stringTable":[""],"attributeTable":[{}],"stackTable":[{}]}}"#
        )
    );
    assert!(same(&read(text(&json)), &data));
    assert_eq!(
        text(&to_json(&ProfilesData::default(), Style::Pretty)),
        "{}"
    );
}

/// `{"stringValue": ""}` (an empty string) and `{}` (no value) are different values, and so
/// are `"value": {}` and no `value` at all.
#[test]
fn any_value_set_to_default_keeps_its_key() {
    let values = [
        Some(Value::StringValue(String::new())),
        Some(Value::BoolValue(false)),
        Some(Value::IntValue(0)),
        Some(Value::DoubleValue(0.0)),
        Some(Value::ArrayValue(ArrayValue::default())),
        Some(Value::KvlistValue(KeyValueList::default())),
        Some(Value::BytesValue(Vec::new())),
        Some(Value::StringValueStrindex(0)),
        None,
    ];
    let mut attributes: Vec<KeyValue> = values.into_iter().map(|v| kv("k", v)).collect();
    attributes.push(KeyValue {
        key: "k".into(),
        value: None,
        key_strindex: 0,
    });
    let data = ProfilesData {
        resource_profiles: vec![ResourceProfiles {
            resource: Some(Resource {
                attributes,
                ..Resource::default()
            }),
            ..ResourceProfiles::default()
        }],
        dictionary: None,
    };
    let json = to_json(&data, Style::Compact);
    assert_eq!(
        text(&json),
        concat!(
            r#"{"resourceProfiles":[{"resource":{"attributes":["#,
            r#"{"key":"k","value":{"stringValue":""}},"#,
            r#"{"key":"k","value":{"boolValue":false}},"#,
            r#"{"key":"k","value":{"intValue":"0"}},"#,
            r#"{"key":"k","value":{"doubleValue":0.0}},"#,
            r#"{"key":"k","value":{"arrayValue":{}}},"#,
            r#"{"key":"k","value":{"kvlistValue":{}}},"#,
            r#"{"key":"k","value":{"bytesValue":""}},"#,
            r#"{"key":"k","value":{"stringValueStrindex":0}},"#,
            r#"{"key":"k","value":{}},"#,
            r#"{"key":"k"}]}}]}"#
        )
    );
    assert!(same(&read(text(&json)), &data));
}

/// pdata omits all-zero ids; we keep whatever bytes are there (lossless) and omit only empty
/// ones. Ids of unusual length survive too.
#[test]
fn zero_ids_are_kept_and_empty_ids_omitted() {
    let data = dictionary(ProfilesDictionary {
        link_table: vec![
            Link::default(),
            Link {
                trace_id: vec![0; 16],
                span_id: vec![0; 8],
            },
            Link {
                trace_id: vec![0xab; 3],
                span_id: Vec::new(),
            },
        ],
        ..ProfilesDictionary::default()
    });
    let json = to_json(&data, Style::Compact);
    assert_eq!(
        text(&json),
        concat!(
            r#"{"dictionary":{"linkTable":[{},"#,
            r#"{"traceId":"00000000000000000000000000000000","spanId":"0000000000000000"},"#,
            r#"{"traceId":"ababab"}]}}"#
        )
    );
    assert!(same(&read(text(&json)), &data));
}

/// Non-finite doubles use the proto3 JSON strings and read back; finite ones read back to the
/// same bits, including `-0.0` and values needing 17 digits.
#[test]
fn doubles_round_trip_bit_exact() {
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.1 + 0.2,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        1e300,
        123_456_789.012_345_68,
        // serde_json's default float parser reads this one ULP off; the `float_roundtrip`
        // feature makes it exact.
        1.054_482_225_134_740_9e276,
    ];
    let data = ProfilesData {
        resource_profiles: vec![ResourceProfiles {
            resource: Some(Resource {
                attributes: specials
                    .iter()
                    .map(|&d| kv("d", Some(Value::DoubleValue(d))))
                    .collect(),
                ..Resource::default()
            }),
            ..ResourceProfiles::default()
        }],
        dictionary: None,
    };
    let json = to_json(&data, Style::Compact);
    assert!(text(&json).contains(r#"{"doubleValue":"NaN"}},{"key":"d","value":{"doubleValue":"Infinity"}},{"key":"d","value":{"doubleValue":"-Infinity"}},{"key":"d","value":{"doubleValue":-0.0}}"#), "{}", text(&json));
    assert!(same(&read(text(&json)), &data));
}

/// The spec's "CPU profile with resource attributes and span link" example, pretty-printed:
/// resource attributes in the string-table form, a link, two samples.
#[test]
fn snapshot_cpu_profile_with_resource_attributes_and_span_link() {
    let strings = [
        "",
        "samples",
        "count",
        "cpu",
        "nanoseconds",
        "service.name",
        "checkout",
        "main",
        "main.go",
        "handleRequest",
    ];
    let data = ProfilesData {
        resource_profiles: vec![ResourceProfiles {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: String::new(),
                    value: Some(AnyValue {
                        value: Some(Value::StringValueStrindex(6)),
                    }),
                    key_strindex: 5,
                }],
                ..Resource::default()
            }),
            scope_profiles: vec![ScopeProfiles {
                scope: None,
                profiles: vec![Profile {
                    sample_type: Some(ValueType {
                        type_strindex: 1,
                        unit_strindex: 2,
                    }),
                    samples: vec![
                        Sample {
                            stack_index: 1,
                            link_index: 1,
                            values: vec![3],
                            ..Sample::default()
                        },
                        Sample {
                            stack_index: 2,
                            values: vec![2],
                            ..Sample::default()
                        },
                    ],
                    time_unix_nano: 1_700_000_000_000_000_000,
                    duration_nano: 10_000_000_000,
                    period_type: Some(ValueType {
                        type_strindex: 3,
                        unit_strindex: 4,
                    }),
                    period: 50_000_000,
                    ..Profile::default()
                }],
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
        dictionary: Some(ProfilesDictionary {
            mapping_table: vec![Mapping::default()],
            location_table: vec![
                Location::default(),
                Location {
                    lines: vec![Line {
                        function_index: 1,
                        line: 10,
                        column: 0,
                    }],
                    ..Location::default()
                },
                Location {
                    lines: vec![Line {
                        function_index: 2,
                        line: 25,
                        column: 3,
                    }],
                    ..Location::default()
                },
            ],
            function_table: vec![
                Function::default(),
                Function {
                    name_strindex: 7,
                    filename_strindex: 8,
                    start_line: 5,
                    ..Function::default()
                },
                Function {
                    name_strindex: 9,
                    filename_strindex: 8,
                    start_line: 20,
                    ..Function::default()
                },
            ],
            link_table: vec![
                Link::default(),
                Link {
                    trace_id: vec![
                        0x11, 0x22, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
                    ],
                    span_id: vec![0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07],
                },
            ],
            string_table: strings.map(String::from).to_vec(),
            attribute_table: vec![KeyValueAndUnit::default()],
            stack_table: vec![
                Stack::default(),
                Stack {
                    location_indices: vec![2, 1],
                },
                Stack {
                    location_indices: vec![1],
                },
            ],
        }),
    };
    let json = to_json(&data, Style::Pretty);
    insta::assert_snapshot!(text(&json));
    assert!(same(&read(text(&json)), &data));
    assert!(same(&read(text(&to_json(&data, Style::Compact))), &data));
}

// ---------------------------------------------------------------------------------------------
// Lenient input

#[test]
fn snake_case_input_is_accepted() {
    let data = read(
        r#"{"resource_profiles":[{"scope_profiles":[{"profiles":[{
            "sample_type":{"type_strindex":1,"unit_strindex":2},
            "samples":[{"stack_index":1,"attribute_indices":[1],"link_index":1,"values":["3"],"timestamps_unix_nano":["5"]}],
            "time_unix_nano":"9","duration_nano":"8","period_type":{"type_strindex":3},"period":"7",
            "profile_id":"00112233445566778899aabbccddeeff","dropped_attributes_count":1,
            "original_payload_format":"pprof","original_payload":"AAE=","attribute_indices":[2]}]}]}],
          "dictionary":{"mapping_table":[{},{"memory_start":"1","memory_limit":"2","file_offset":"3","filename_strindex":4}],
            "location_table":[{},{"mapping_index":1,"address":"4096","lines":[{"function_index":1,"line":"12","column":"3"}]}],
            "function_table":[{},{"name_strindex":1,"system_name_strindex":2,"filename_strindex":3,"start_line":"4"}],
            "link_table":[{},{"trace_id":"0102","span_id":"03"}],
            "string_table":["","x"],
            "attribute_table":[{},{"key_strindex":1,"value":{"string_value_strindex":1},"unit_strindex":2}],
            "stack_table":[{},{"location_indices":[1]}]}}"#,
    );
    let profile = &data.resource_profiles[0].scope_profiles[0].profiles[0];
    assert_eq!(
        profile.samples[0],
        Sample {
            stack_index: 1,
            attribute_indices: vec![1],
            link_index: 1,
            values: vec![3],
            timestamps_unix_nano: vec![5],
        }
    );
    assert_eq!(
        (
            profile.time_unix_nano,
            profile.duration_nano,
            profile.period
        ),
        (9, 8, 7)
    );
    assert_eq!(profile.period_type.unwrap().type_strindex, 3);
    assert_eq!(profile.profile_id[15], 0xff);
    assert_eq!(profile.original_payload, vec![0, 1]);
    let dict = data.dictionary.unwrap();
    assert_eq!(dict.mapping_table[1].file_offset, 3);
    assert_eq!(dict.location_table[1].lines[0].column, 3);
    assert_eq!(dict.function_table[1].start_line, 4);
    assert_eq!(dict.link_table[1].span_id, vec![3]);
    assert_eq!(
        dict.attribute_table[1].value,
        Some(AnyValue {
            value: Some(Value::StringValueStrindex(1))
        })
    );
    assert_eq!(dict.stack_table[1].location_indices, vec![1]);
}

#[test]
fn int64_fields_accept_json_numbers_and_int32_fields_accept_strings() {
    let data = read(
        r#"{"dictionary":{
            "locationTable":[{},{"address":18446744073709551615,"mappingIndex":"2","lines":[{"line":-3,"column":1e3}]}],
            "functionTable":[{"startLine":-9223372036854775808}]}}"#,
    );
    let dict = data.dictionary.unwrap();
    assert_eq!(dict.location_table[1].address, u64::MAX);
    assert_eq!(dict.location_table[1].mapping_index, 2);
    assert_eq!(dict.location_table[1].lines[0].line, -3);
    assert_eq!(dict.location_table[1].lines[0].column, 1000);
    assert_eq!(dict.function_table[0].start_line, i64::MIN);
}

#[test]
fn hex_ids_are_case_insensitive_and_written_lowercase() {
    let data = read(
        r#"{"dictionary":{"linkTable":[{"traceId":"1122AABBccDDeeFF0000000000000000","spanId":"FF01020304050607"}]}}"#,
    );
    let link = &data.dictionary.as_ref().unwrap().link_table[0];
    assert_eq!(
        link.trace_id,
        [
            0x11, 0x22, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0, 0, 0, 0, 0, 0, 0
        ]
    );
    assert_eq!(link.span_id, [0xff, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(
        text(&to_json(&data, Style::Compact)),
        r#"{"dictionary":{"linkTable":[{"traceId":"1122aabbccddeeff0000000000000000","spanId":"ff01020304050607"}]}}"#
    );
}

/// pdata writes `profileId` as hex (so do we); some tools write base64, padded or not, either
/// alphabet. All four spellings of the same id read the same.
#[test]
fn profile_id_accepts_hex_and_base64() {
    let id = |s: &str| {
        let data = read(&format!(
            r#"{{"resourceProfiles":[{{"scopeProfiles":[{{"profiles":[{{"profileId":"{s}"}}]}}]}}]}}"#
        ));
        data.resource_profiles[0].scope_profiles[0].profiles[0]
            .profile_id
            .clone()
    };
    let expected: Vec<u8> = vec![
        0xfb, 0xff, 0xbf, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x3e,
    ];
    assert_eq!(id("FBFFBFCCDDEEFF00000000000000003E"), expected);
    assert_eq!(id("+/+/zN3u/wAAAAAAAAAAPg=="), expected);
    assert_eq!(id("+/+/zN3u/wAAAAAAAAAAPg"), expected);
    assert_eq!(id("-_-_zN3u_wAAAAAAAAAAPg=="), expected);
    let error = from_json(
        br#"{"resourceProfiles":[{"scopeProfiles":[{"profiles":[{"profileId":"not an id!"}]}]}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"resourceProfiles[0].scopeProfiles[0].profiles[0].profileId: expected a hex string, found "not an id!"; not base64 either (expected a hex or base64 string)"#
    );
}

#[test]
fn base64_bytes_accept_unpadded_and_url_safe() {
    for spelling in ["+/8=", "+/8", "-_8=", "-_8"] {
        let data = read(&format!(
            r#"{{"resourceProfiles":[{{"resource":{{"attributes":[{{"key":"b","value":{{"bytesValue":"{spelling}"}}}}]}}}}]}}"#
        ));
        let value = &data.resource_profiles[0]
            .resource
            .as_ref()
            .unwrap()
            .attributes[0]
            .value;
        assert_eq!(
            value.as_ref().unwrap().value,
            Some(Value::BytesValue(vec![0xfb, 0xff])),
            "{spelling}"
        );
    }
}

/// Receivers MUST ignore unknown fields, at every level and whatever they contain.
#[test]
fn unknown_fields_are_ignored_everywhere() {
    let junk = r#"{"deep":[1,{"x":null},"s",true,1.5e300],"n":null}"#;
    let json = format!(
        r#"{{"future":{junk},"resourceProfiles":[{{"x":1,"resource":{{"y":[],"attributes":[{{"key":"k","z":{junk},"value":{{"newValue":{junk},"intValue":"1"}}}}]}},
        "scopeProfiles":[{{"scope":{{"q":0,"name":"s"}},"profiles":[{{"unknownField":{junk},"samples":[{{"w":"","values":["1"]}}]}}]}}]}}],
        "dictionary":{{"newTable":[{junk}],"locationTable":[{{"zz":{junk},"lines":[{{"extra":1,"line":"2"}}]}}]}}}}"#
    );
    let data = read(&json);
    let resource = data.resource_profiles[0].resource.as_ref().unwrap();
    assert_eq!(resource.attributes[0], kv("k", Some(Value::IntValue(1))));
    let scope = &data.resource_profiles[0].scope_profiles[0];
    assert_eq!(scope.scope.as_ref().unwrap().name, "s");
    assert_eq!(scope.profiles[0].samples[0].values, vec![1]);
    assert_eq!(data.dictionary.unwrap().location_table[0].lines[0].line, 2);
}

/// `null` stands for the default: an empty list, zero, an absent message, an unset AnyValue.
#[test]
fn null_fields_mean_default() {
    let data = read(
        r#"{"resourceProfiles":[{"resource":null,"schemaUrl":null,"scopeProfiles":[{"profiles":[{
            "sampleType":null,"samples":null,"timeUnixNano":null,"profileId":null,"attributeIndices":null}]}]}],
          "dictionary":{"stringTable":null,"locationTable":[null,{"address":null,"lines":[null]}],
            "attributeTable":[{"value":{"stringValue":null}},{"value":null}]}}"#,
    );
    let rp = &data.resource_profiles[0];
    assert_eq!(rp.resource, None);
    assert_eq!(rp.scope_profiles[0].profiles[0], Profile::default());
    let dict = data.dictionary.unwrap();
    assert!(dict.string_table.is_empty());
    assert_eq!(
        dict.location_table,
        vec![
            Location::default(),
            Location {
                lines: vec![Line::default()],
                ..Location::default()
            }
        ]
    );
    assert_eq!(
        dict.attribute_table[0].value,
        Some(AnyValue { value: None })
    );
    assert_eq!(dict.attribute_table[1].value, None);
}

/// OTLP JSON over many lines and in any key order reads the same as our compact output.
#[test]
fn key_order_and_whitespace_do_not_matter() {
    let data = read(
        "{\n  \"dictionary\" : {\"stringTable\" : [ \"\" , \"a\" ] } ,\r\n\t\"resourceProfiles\":[{\"schemaUrl\":\"u\",\"scopeProfiles\":[]}]\n}\n",
    );
    assert_eq!(data.dictionary.unwrap().string_table, vec!["", "a"]);
    assert_eq!(data.resource_profiles[0].schema_url, "u");
}

// ---------------------------------------------------------------------------------------------
// Errors, each with its path

#[test]
fn wrong_type_names_the_path() {
    let error = error(r#"{"dictionary":{"locationTable":[{},{},{},{"address":true}]}}"#);
    assert_eq!(
        error.to_string(),
        "dictionary.locationTable[3].address: expected an integer or a decimal string, found true"
    );
    assert!(matches!(error, JsonError::Value { .. }));
    for (json, message) in [
        (
            r#"{"dictionary":{"stringTable":["", 5]}}"#,
            "dictionary.stringTable[1]: expected a string, found 5",
        ),
        (
            r#"{"dictionary":{"stackTable":{}}}"#,
            "dictionary.stackTable: expected an array, found an object",
        ),
        (
            r#"{"resourceProfiles":[{"resource":[]}]}"#,
            "resourceProfiles[0].resource: expected an object, found an array",
        ),
        (
            r#"{"dictionary":{"attributeTable":[{"value":{"boolValue":"true"}}]}}"#,
            r#"dictionary.attributeTable[0].value.boolValue: expected true or false, found "true""#,
        ),
        (
            r#"{"dictionary":{"attributeTable":[{"value":{"doubleValue":"inf"}}]}}"#,
            r#"dictionary.attributeTable[0].value.doubleValue: expected a number, "NaN", "Infinity" or "-Infinity", found "inf""#,
        ),
        ("[]", "(root): expected an object, found an array"),
        ("null", "(root): expected an object, found null"),
    ] {
        assert_eq!(error_text(json), message, "{json}");
    }
}

fn error_text(json: &str) -> String {
    error(json).to_string()
}

#[test]
fn integers_reject_fractions_and_out_of_range_values() {
    for (json, message) in [
        (
            r#"{"dictionary":{"locationTable":[{"address":1.5}]}}"#,
            "dictionary.locationTable[0].address: expected an integer or a decimal string, found 1.5",
        ),
        (
            r#"{"dictionary":{"locationTable":[{"address":-1}]}}"#,
            "dictionary.locationTable[0].address: -1 is out of range for uint64",
        ),
        (
            r#"{"dictionary":{"locationTable":[{"address":"-1"}]}}"#,
            r#"dictionary.locationTable[0].address: "-1" is out of range for uint64"#,
        ),
        (
            r#"{"dictionary":{"locationTable":[{"address":"18446744073709551616"}]}}"#,
            r#"dictionary.locationTable[0].address: "18446744073709551616" is out of range for uint64"#,
        ),
        (
            r#"{"dictionary":{"locationTable":[{"address":"0x10"}]}}"#,
            r#"dictionary.locationTable[0].address: expected an integer or a decimal string, found "0x10""#,
        ),
        (
            r#"{"dictionary":{"locationTable":[{"mappingIndex":2147483648}]}}"#,
            "dictionary.locationTable[0].mappingIndex: 2147483648 is out of range for int32",
        ),
        (
            r#"{"resourceProfiles":[{"resource":{"droppedAttributesCount":-1}}]}"#,
            "resourceProfiles[0].resource.droppedAttributesCount: -1 is out of range for uint32",
        ),
        (
            r#"{"dictionary":{"functionTable":[{"startLine":9223372036854775808}]}}"#,
            "dictionary.functionTable[0].startLine: 9223372036854775808 is out of range for int64",
        ),
        // Beyond u64, serde_json hands over a rounded float: refused rather than guessed.
        (
            r#"{"dictionary":{"locationTable":[{"address":18446744073709551616}]}}"#,
            "dictionary.locationTable[0].address: 1.8446744073709552e19 is out of range for uint64 \
             or too large to be exact as a JSON number (write it as a decimal string)",
        ),
        (
            r#"{"resourceProfiles":[{"scopeProfiles":[{"profiles":[{"samples":[{},{"values":["1","x"]}]}]}]}]}"#,
            r#"resourceProfiles[0].scopeProfiles[0].profiles[0].samples[1].values[1]: expected an integer or a decimal string, found "x""#,
        ),
    ] {
        assert_eq!(error_text(json), message, "{json}");
    }
}

#[test]
fn malformed_ids_and_bytes_name_the_path() {
    for (json, message) in [
        (
            r#"{"dictionary":{"linkTable":[{},{"traceId":"abc"}]}}"#,
            r#"dictionary.linkTable[1].traceId: expected an even number of hex digits, found 3 in "abc""#,
        ),
        (
            r#"{"dictionary":{"linkTable":[{"spanId":"ff0102030405060g"}]}}"#,
            r#"dictionary.linkTable[0].spanId: expected a hex string, found "ff0102030405060g""#,
        ),
        (
            r#"{"dictionary":{"linkTable":[{"spanId":12}]}}"#,
            "dictionary.linkTable[0].spanId: expected a hex string, found 12",
        ),
    ] {
        assert_eq!(error_text(json), message, "{json}");
    }
    let message = error_text(
        r#"{"resourceProfiles":[{"scopeProfiles":[{"profiles":[{"originalPayload":"a"}]}]}]}"#,
    );
    assert!(
        message.starts_with(
            r#"resourceProfiles[0].scopeProfiles[0].profiles[0].originalPayload: expected a base64 string, found "a" ("#
        ),
        "{message}"
    );
}

/// Two members of the `AnyValue` oneof: whichever we kept, the other would be lost.
#[test]
fn any_value_with_two_values_is_rejected() {
    assert_eq!(
        error_text(
            r#"{"resourceProfiles":[{"resource":{"attributes":[{"key":"k","value":{"intValue":"1","stringValue":"1"}}]}}]}"#
        ),
        "resourceProfiles[0].resource.attributes[0].value.stringValue: \
         an AnyValue holds one value, but intValue is already set"
    );
    // A null member is "unset", so it does not conflict.
    let data = read(
        r#"{"resourceProfiles":[{"resource":{"attributes":[{"key":"k","value":{"intValue":null,"stringValue":"1"}}]}}]}"#,
    );
    assert_eq!(
        data.resource_profiles[0]
            .resource
            .as_ref()
            .unwrap()
            .attributes[0],
        kv("k", Some(Value::StringValue("1".into())))
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let error = error("{\n  \"dictionary\": {\n    \"stringTable\": [\"a\" \"b\"]\n  }\n}");
    assert_eq!(
        error,
        JsonError::Syntax {
            path: "dictionary.stringTable[1]".into(),
            line: 3,
            column: 25,
            message: "expected `,` or `]`".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        "dictionary.stringTable[1]: malformed JSON at line 3 column 25: expected `,` or `]`"
    );
    for (json, message) in [
        (
            "{\"dictionary\":",
            "dictionary: malformed JSON at line 1 column 14: EOF while parsing a value",
        ),
        (
            "",
            "(root): malformed JSON at line 1 column 0: EOF while parsing a value",
        ),
        (
            "{} {}",
            "(root): malformed JSON at line 1 column 4: trailing characters",
        ),
    ] {
        assert_eq!(error_text(json), message, "{json:?}");
    }
    // Strings must be Unicode: invalid UTF-8 and lone surrogate escapes are refused.
    for json in [
        &b"{\"dictionary\":{\"stringTable\":[\"\xff\"]}}"[..],
        br#"{"dictionary":{"stringTable":["\ud800"]}}"#,
        br#"{"dictionary":{"stringTable":["\udc00"]}}"#,
    ] {
        let e = from_json(json).unwrap_err();
        assert!(
            matches!(e, JsonError::Syntax { ref path, .. } if path == "dictionary.stringTable[0]"),
            "{e}"
        );
    }
}

/// Hostile nesting is an error, not a stack overflow: the reader's limit of 100 nested messages
/// (protobuf's) stops `arrayValue`/`kvlistValue` nesting long before the stack could run out.
#[test]
fn deep_any_value_nesting_is_an_error() {
    fn nested_array(depth: usize) -> String {
        let mut json = String::from(r#"{"dictionary":{"attributeTable":[{"value":"#);
        json.push_str(&r#"{"arrayValue":{"values":["#.repeat(depth));
        json.push_str(r#"{"intValue":"1"}"#);
        json.push_str(&"]}}".repeat(depth));
        json.push_str("}]}}");
        json
    }
    fn nested_kvlist(depth: usize) -> String {
        let mut json =
            String::from(r#"{"resourceProfiles":[{"resource":{"attributes":[{"key":"k","value":"#);
        json.push_str(&r#"{"kvlistValue":{"values":[{"key":"k","value":"#.repeat(depth));
        json.push_str("{}");
        json.push_str(&"}]}}".repeat(depth));
        json.push_str("}]}}]}");
        json
    }
    // Ordinary nesting reads fine.
    let data = read(&nested_array(20));
    assert!(same(&read(text(&to_json(&data, Style::Compact))), &data));
    read(&nested_kvlist(20));

    let array_path = "dictionary.attributeTable[0].value.arrayValue.values[0].arrayValue.";
    let kvlist_path = "resourceProfiles[0].resource.attributes[0].value.kvlistValue.values[0].";
    for (json, path_start) in [
        (nested_array(65), array_path),
        (nested_kvlist(65), kvlist_path),
        (nested_array(100_000), array_path),
        (nested_kvlist(100_000), kvlist_path),
    ] {
        let e = error(&json);
        assert!(
            matches!(&e, JsonError::Value { message, path }
                if message.ends_with("(recursion limit exceeded)") && path.starts_with(path_start)),
            "{e}"
        );
    }
    // Deep nesting inside an unknown field is skipped (iteratively, by serde_json) like any
    // other unknown value.
    let junk = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(same(
        &read(&format!(r#"{{"x":{junk}}}"#)),
        &ProfilesData::default()
    ));
}

// ---------------------------------------------------------------------------------------------
// Real data

/// The OTLP of every corpus pprof (real strings, tables, labels and attributes at scale)
/// survives JSON in both layouts.
#[test]
fn corpus_otlp_payloads_survive_json_round_trip() {
    for path in util::corpus_files("pprof") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok((_, pprotel::convert::Decoded::Pprof(profile))) =
            pprotel::convert::decode(bytes, &Default::default())
        else {
            panic!("{}: not a pprof", util::name(&path));
        };
        let data = pprotel::otlp::mapping::pprof_to_otlp(&profile, &Default::default()).unwrap();
        for style in [Style::Compact, Style::Pretty] {
            let json = to_json(&data, style);
            let back = from_json(&json).unwrap_or_else(|e| panic!("{}: {e}", util::name(&path)));
            assert!(same(&back, &data), "{}", util::name(&path));
        }
    }
}
