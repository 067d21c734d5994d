//! Helpers shared by the fuzz targets: the caps they run under and the properties they check.

use pprotel::otlp::common::{AnyValue, KeyValue, any_value::Value};
use pprotel::otlp::mapping::{ToOtlpOptions, ToPprofOptions};
use pprotel::otlp::model::ProfilesData;

/// Decompression cap for fuzzing: small, so that a mutated gzip or zstd header cannot make one
/// run allocate the CLI's default gigabyte.
pub const MAX_DECOMPRESSED: u64 = 1 << 20;

/// Cap on the memory one translation's output may take while fuzzing, for the same reason.
pub const MAX_MEMORY: u64 = 1 << 24;

/// pprof → OTLP under [`MAX_MEMORY`].
pub fn to_otlp_options() -> ToOtlpOptions {
    ToOtlpOptions {
        max_memory: MAX_MEMORY,
        ..ToOtlpOptions::default()
    }
}

/// OTLP → pprof under [`MAX_MEMORY`].
pub fn to_pprof_options() -> ToPprofOptions {
    ToPprofOptions {
        max_memory: MAX_MEMORY,
    }
}

/// The protobuf bytes of `data` with every NaN double replaced by the canonical NaN.
///
/// OTLP JSON spells every NaN `"NaN"`, so a NaN's payload bits cannot survive JSON; comparing
/// these bytes instead of the structs checks everything else bit for bit (struct equality would
/// also fail on any NaN, since NaN != NaN).
pub fn otlp_bytes_with_canonical_nans(data: &ProfilesData) -> Vec<u8> {
    let mut data = data.clone();
    for rp in &mut data.resource_profiles {
        if let Some(resource) = &mut rp.resource {
            key_values(&mut resource.attributes);
        }
        for sp in &mut rp.scope_profiles {
            if let Some(scope) = &mut sp.scope {
                key_values(&mut scope.attributes);
            }
        }
    }
    if let Some(dictionary) = &mut data.dictionary {
        for entry in &mut dictionary.attribute_table {
            if let Some(value) = &mut entry.value {
                any_value(value);
            }
        }
    }
    pprotel::otlp::encode_protobuf(&data)
}

fn key_values(kvs: &mut [KeyValue]) {
    for kv in kvs {
        if let Some(value) = &mut kv.value {
            any_value(value);
        }
    }
}

fn any_value(value: &mut AnyValue) {
    match &mut value.value {
        Some(Value::DoubleValue(d)) if d.is_nan() => *d = f64::NAN,
        Some(Value::ArrayValue(array)) => array.values.iter_mut().for_each(any_value),
        Some(Value::KvlistValue(list)) => key_values(&mut list.values),
        _ => {}
    }
}
