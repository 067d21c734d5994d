//! Recognising OTLP Profiles payloads written with an older schema.
//!
//! The profiles schema broke wire compatibility several times before v1.10 (see the spec's
//! change history). An older payload often decodes "successfully" with the v1.10 types while
//! losing data: in v1.8, `Profile` field 8 was `profile_id` (bytes) and `Sample` field 3 was
//! the packed `attribute_indices`; in v1.10 they are `dropped_attributes_count` and
//! `link_index`, both varints. So before decoding, walk the wire and compare each field's wire
//! type with the one v1.10 defines; a mismatch names the likely schema and is refused.

use crate::wire::{self, Value};

/// The payload is not v1.10/v1.11 OTLP Profiles protobuf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A field's wire type contradicts v1.10: the payload was written with another schema.
    #[error(
        "{path}: field {field} is {found}, but OTLP Profiles v1.10/v1.11 defines it as {expected}; {hint}. pprotel reads v1.10 and v1.11 only; re-export the data with a current OpenTelemetry SDK or Collector"
    )]
    OlderSchema {
        /// The message holding the field, e.g. `resource_profiles[0].scope_profiles[0].profiles[1]`.
        path: String,
        /// The field number.
        field: u32,
        /// The wire type found.
        found: &'static str,
        /// What v1.10 defines there.
        expected: &'static str,
        /// Which older schema used the field that way.
        hint: &'static str,
    },
    /// A stream of length-prefixed messages (the Collector file exporter's framing), not one
    /// message.
    #[error(
        "input is a stream of {frames} length-prefixed OTLP messages (Collector file-exporter framing), not a single message; split it into one message per file"
    )]
    Framed {
        /// How many frames.
        frames: usize,
    },
}

/// How many samples per Profile are walked. Older-schema fields show up in the first samples
/// that use them; walking every sample of a large profile would double the decode cost.
const SAMPLES_CHECKED: usize = 1024;

/// Checks that `bytes` look like v1.10/v1.11 `ProfilesData`. Malformed protobuf is left for the
/// decoder to report.
pub fn check(bytes: &[u8]) -> Result<(), SchemaError> {
    if let Some(frames) = frames(bytes) {
        // Name an older schema inside the frames first, and the frame it is in: that is the
        // more useful message.
        for (n, frame) in frames.iter().enumerate() {
            check(frame).map_err(|e| match e {
                SchemaError::OlderSchema {
                    path,
                    field,
                    found,
                    expected,
                    hint,
                } => SchemaError::OlderSchema {
                    path: format!(
                        "frame {n} of a length-prefixed stream (Collector file-exporter framing): {path}"
                    ),
                    field,
                    found,
                    expected,
                    hint,
                },
                other => other,
            })?;
        }
        return Err(SchemaError::Framed {
            frames: frames.len(),
        });
    }
    let mut resource = 0;
    for (number, value) in wire::fields(bytes).map_while(Result::ok) {
        match (number, value) {
            (1, Value::Len(rp)) => {
                check_resource(rp, resource)?;
                resource += 1;
            }
            (2, Value::Len(_)) => {}
            (field, value) => {
                return Err(SchemaError::OlderSchema {
                    path: "ProfilesData".into(),
                    field,
                    found: wire_name(value),
                    expected: "absent (ProfilesData has fields 1 and 2 only)",
                    hint: "OTLP Profiles v1.6 and older kept tables directly in ProfilesData",
                });
            }
        }
    }
    Ok(())
}

/// Splits a 4-byte big-endian length-prefixed stream, if the bytes are exactly that.
/// A protobuf message cannot start with a zero byte (field number 0), so a leading zero is the
/// tell.
pub(crate) fn frames(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    if bytes.first() != Some(&0) {
        return None;
    }
    let mut frames = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let frame = rest.get(4..4usize.checked_add(len)?)?;
        frames.push(frame);
        rest = &rest[4 + len..];
    }
    Some(frames)
}

fn check_resource(bytes: &[u8], r: usize) -> Result<(), SchemaError> {
    let mut scope = 0;
    for (number, value) in wire::fields(bytes).map_while(Result::ok) {
        if let (2, Value::Len(sp)) = (number, value) {
            check_scope(sp, r, scope)?;
            scope += 1;
        }
    }
    Ok(())
}

fn check_scope(bytes: &[u8], r: usize, s: usize) -> Result<(), SchemaError> {
    let mut profile = 0;
    for (number, value) in wire::fields(bytes).map_while(Result::ok) {
        if let (2, Value::Len(p)) = (number, value) {
            let path = format!("resource_profiles[{r}].scope_profiles[{s}].profiles[{profile}]");
            check_profile(p, &path)?;
            profile += 1;
        }
    }
    Ok(())
}

fn check_profile(bytes: &[u8], path: &str) -> Result<(), SchemaError> {
    let older = |field, value, expected, hint| SchemaError::OlderSchema {
        path: path.to_owned(),
        field,
        found: wire_name(value),
        expected,
        hint,
    };
    let mut sample_types = 0;
    let mut samples = 0;
    for (number, value) in wire::fields(bytes).map_while(Result::ok) {
        match (number, value) {
            (1, Value::Len(_)) => {
                sample_types += 1;
                if sample_types > 1 {
                    return Err(older(
                        1,
                        value,
                        "a single sample_type",
                        "OTLP Profiles v1.7 and older had a repeated sample_type",
                    ));
                }
            }
            (2, Value::Len(sample)) => {
                if samples < SAMPLES_CHECKED {
                    check_sample(sample, &format!("{path}.samples[{samples}]"))?;
                }
                samples += 1;
            }
            (3, Value::Fixed64(_)) | (4, Value::Varint(_)) | (6, Value::Varint(_)) => {}
            (5 | 7 | 9 | 10, Value::Len(_)) => {}
            (8, Value::Varint(_)) | (11, Value::Varint(_) | Value::Len(_)) => {}
            (8, Value::Len(_)) => {
                return Err(older(
                    8,
                    value,
                    "dropped_attributes_count (varint)",
                    "OTLP Profiles v1.8 had profile_id (bytes) as field 8",
                ));
            }
            (3, _) => {
                return Err(older(
                    3,
                    value,
                    "time_unix_nano (fixed64)",
                    "OTLP Profiles v1.7 and older had time_nanos (int64 varint) as field 3",
                ));
            }
            (field @ 1..=11, value) => {
                return Err(older(
                    field,
                    value,
                    "another wire type",
                    "the Profile message was renumbered in v1.8, v1.9 and v1.10",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_sample(bytes: &[u8], path: &str) -> Result<(), SchemaError> {
    for (number, value) in wire::fields(bytes).map_while(Result::ok) {
        match (number, value) {
            (3, Value::Len(_)) => {
                return Err(SchemaError::OlderSchema {
                    path: path.to_owned(),
                    field: 3,
                    found: wire_name(value),
                    expected: "link_index (varint)",
                    hint: "OTLP Profiles v1.8 and v1.9 had the packed attribute_indices as Sample field 3 (renumbered in v1.10)",
                });
            }
            (1, Value::Len(_)) => {
                return Err(SchemaError::OlderSchema {
                    path: path.to_owned(),
                    field: 1,
                    found: wire_name(value),
                    expected: "stack_index (varint)",
                    hint: "OTLP Profiles v1.7 and older had location index lists in Sample",
                });
            }
            _ => {}
        }
    }
    Ok(())
}

fn wire_name(value: Value) -> &'static str {
    match value {
        Value::Varint(_) => "a varint",
        Value::Fixed64(_) => "a fixed64",
        Value::Len(_) => "length-delimited",
        Value::Fixed32(_) => "a fixed32",
    }
}
