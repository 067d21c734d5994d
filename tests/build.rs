//! Hand-built profiles for tests: a pprof builder that interns strings, and small helpers for
//! OTLP payloads.

use pprotel::otlp::common::{AnyValue, KeyValue, any_value::Value};
use pprotel::otlp::model as otlp;
use pprotel::pprof::{Function, Label, Line, Location, Mapping, Profile, Sample, ValueType};

/// Builds a pprof profile; strings are interned on use, ids are given explicitly.
pub struct PprofBuilder {
    pub p: Profile,
}

impl PprofBuilder {
    pub fn new() -> Self {
        PprofBuilder {
            p: Profile {
                string_table: vec![Vec::new()],
                ..Profile::default()
            },
        }
    }

    /// The index of `s`, appending it when new.
    pub fn s(&mut self, s: &str) -> i64 {
        self.bytes(s.as_bytes())
    }

    pub fn bytes(&mut self, b: &[u8]) -> i64 {
        if let Some(i) = self.p.string_table.iter().position(|x| x == b) {
            return i as i64;
        }
        self.p.string_table.push(b.to_vec());
        self.p.string_table.len() as i64 - 1
    }

    pub fn sample_type(&mut self, t: &str, unit: &str) -> &mut Self {
        let vt = ValueType {
            r#type: self.s(t),
            unit: self.s(unit),
        };
        self.p.sample_type.push(vt);
        self
    }

    pub fn mapping(
        &mut self,
        id: u64,
        start: u64,
        limit: u64,
        file: &str,
        build_id: &str,
    ) -> &mut Self {
        let m = Mapping {
            id,
            memory_start: start,
            memory_limit: limit,
            file_offset: 0x1000,
            filename: self.s(file),
            build_id: self.s(build_id),
            has_functions: true,
            ..Mapping::default()
        };
        self.p.mapping.push(m);
        self
    }

    pub fn function(&mut self, id: u64, name: &str, file: &str, start_line: i64) -> &mut Self {
        let f = Function {
            id,
            name: self.s(name),
            system_name: self.s(&format!("_Z{name}")),
            filename: self.s(file),
            start_line,
        };
        self.p.function.push(f);
        self
    }

    /// A location with `(function_id, line)` pairs, innermost first.
    pub fn location(
        &mut self,
        id: u64,
        mapping_id: u64,
        address: u64,
        lines: &[(u64, i64)],
    ) -> &mut Self {
        self.p.location.push(Location {
            id,
            mapping_id,
            address,
            line: lines
                .iter()
                .map(|&(function_id, line)| Line {
                    function_id,
                    line,
                    column: 0,
                })
                .collect(),
            is_folded: false,
        });
        self
    }

    pub fn sample(&mut self, locations: &[u64], values: &[i64]) -> &mut Self {
        self.p.sample.push(Sample {
            location_id: locations.to_vec(),
            value: values.to_vec(),
            label: Vec::new(),
        });
        self
    }

    pub fn str_label(&mut self, key: &str, value: &str) -> &mut Self {
        let label = Label {
            key: self.s(key),
            str: self.s(value),
            num: 0,
            num_unit: 0,
        };
        self.p
            .sample
            .last_mut()
            .expect("a sample first")
            .label
            .push(label);
        self
    }

    pub fn num_label(&mut self, key: &str, num: i64, unit: &str) -> &mut Self {
        let label = Label {
            key: self.s(key),
            str: 0,
            num,
            num_unit: self.s(unit),
        };
        self.p
            .sample
            .last_mut()
            .expect("a sample first")
            .label
            .push(label);
        self
    }

    /// A small, valid, fully-featured CPU profile to vary in tests: two sample types, two
    /// mappings, three functions, four locations (one with an inline frame), three samples.
    pub fn cpu() -> Self {
        let mut b = PprofBuilder::new();
        b.sample_type("samples", "count")
            .sample_type("cpu", "nanoseconds")
            .mapping(1, 0x400000, 0x500000, "/bin/app", "abc123")
            .mapping(2, 0x7f0000, 0x7f8000, "/lib/libc.so.6", "")
            .function(1, "main", "main.c", 10)
            .function(2, "work", "work.c", 20)
            .function(3, "memcpy", "memcpy.S", 0)
            .location(1, 1, 0x401000, &[(1, 12)])
            .location(2, 1, 0x402000, &[(2, 25), (1, 14)])
            .location(3, 2, 0x7f1000, &[(3, 0)])
            .location(4, 1, 0x403000, &[])
            .sample(&[3, 2, 1], &[5, 5_000_000])
            .str_label("thread", "worker-1")
            .sample(&[2, 1], &[2, 2_000_000])
            .num_label("bytes", 4096, "bytes")
            .sample(&[4], &[1, 1_000_000]);
        b.p.time_nanos = 1_700_000_000_123_456_789;
        b.p.duration_nanos = 10_000_000_000;
        b.p.period = 10_000_000;
        b.p.period_type = Some(ValueType {
            r#type: b.s("cpu"),
            unit: b.s("nanoseconds"),
        });
        b
    }
}

/// A string-valued attribute value.
pub fn string(s: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(Value::StringValue(s.into())),
    })
}

/// A plain-key KeyValue.
pub fn kv(key: &str, value: Option<AnyValue>) -> KeyValue {
    KeyValue {
        key: key.into(),
        value,
        key_strindex: 0,
    }
}

/// A minimal OTLP dictionary with the zero entries every table needs, plus `strings`.
pub fn dictionary(strings: &[&str]) -> otlp::ProfilesDictionary {
    otlp::ProfilesDictionary {
        mapping_table: vec![otlp::Mapping::default()],
        location_table: vec![otlp::Location::default()],
        function_table: vec![otlp::Function::default()],
        link_table: vec![otlp::Link::default()],
        string_table: std::iter::once("")
            .chain(strings.iter().copied())
            .map(String::from)
            .collect(),
        attribute_table: vec![otlp::KeyValueAndUnit::default()],
        stack_table: vec![otlp::Stack::default()],
    }
}

/// The string-table index of `s` in `d` (panics when absent: a test bug).
pub fn sidx(d: &otlp::ProfilesDictionary, s: &str) -> i32 {
    d.string_table
        .iter()
        .position(|x| x == s)
        .unwrap_or_else(|| panic!("{s:?} not in string table")) as i32
}

/// A payload with one resource and one scope holding `profiles`.
pub fn payload(
    dictionary: otlp::ProfilesDictionary,
    profiles: Vec<otlp::Profile>,
) -> otlp::ProfilesData {
    otlp::ProfilesData {
        resource_profiles: vec![otlp::ResourceProfiles {
            scope_profiles: vec![otlp::ScopeProfiles {
                profiles,
                ..Default::default()
            }],
            ..Default::default()
        }],
        dictionary: Some(dictionary),
    }
}

/// One Profile of type samples/count holding `samples` (empty stacks), lasting 10 ns from 0,
/// in a payload of its own: the smallest OTLP input for CLI behaviour.
pub fn counted(samples: Vec<otlp::Sample>) -> otlp::ProfilesData {
    let mut d = dictionary(&["samples", "count"]);
    d.stack_table.push(otlp::Stack::default());
    let profile = otlp::Profile {
        sample_type: Some(otlp::ValueType {
            type_strindex: 1,
            unit_strindex: 2,
        }),
        samples,
        duration_nano: 10,
        ..Default::default()
    };
    payload(d, vec![profile])
}

/// Displays items one per line, for assertion messages.
pub fn lines<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
