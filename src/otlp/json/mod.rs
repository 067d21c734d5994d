//! OTLP JSON codec for `ProfilesData` (and `ExportProfilesServiceRequest`, which has the same
//! fields and therefore the same JSON).
//!
//! Why our own: the serde support in `opentelemetry-proto` does not produce OTLP JSON for
//! profiles (wrong key spellings, ids, 64-bit integers), and OTLP JSON is not plain proto3 JSON
//! either. The rules implemented here (spec §1.6, DESIGN.md "OTLP JSON"):
//!
//! - keys are lowerCamelCase on output; the original snake_case names are accepted on input;
//!   unknown keys are ignored at every level and `null` means "default";
//! - 64-bit integers are decimal strings on output; strings or JSON numbers (integral, in range)
//!   are accepted on input; 32-bit integers are JSON numbers (strings accepted too);
//! - `traceId`, `spanId`, `profileId` are lowercase hex on output (hex of any case on input, and
//!   base64 too for `profileId`); other bytes are padded standard base64 (unpadded and URL-safe
//!   accepted);
//! - fields equal to their proto3 default are omitted, except entries of repeated fields (so
//!   `locationTable[0]` is `{}`), message fields that are present (`sampleType: {}`), and an
//!   `AnyValue` whose value is set to a default (`{"intValue": "0"}` differs from `{}`).
//!
//! Ids and bytes are carried as they are: an all-zero id is written (pdata omits it) and an id
//! of unusual length is kept, because this codec is lossless; only empty bytes are omitted.
//!
//! Output is written straight into a byte buffer in field-number order, so it is deterministic
//! and cheap for multi-megabyte profiles. Input is read with serde_json's streaming deserializer
//! into the prost types directly (no intermediate `serde_json::Value`). Hostile nesting is
//! stopped at 100 nested messages, protobuf decoding's limit, so that whatever pprotel reads as
//! protobuf it also reads back from JSON; values under unknown keys are skipped iteratively.

mod read;
mod write;

use crate::otlp::model::ProfilesData;

/// Layout of the JSON written by [`to_json`]; both read back identically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No whitespace at all: the wire and file form (one object per line in JSON Lines).
    Compact,
    /// Two-space indentation, one field per line and number arrays kept on one line, for people
    /// and for snapshots.
    Pretty,
}

/// Encodes `data` as OTLP JSON (UTF-8, no trailing newline).
///
/// Infallible because every prost value has a JSON form; the same input always gives the same
/// bytes.
pub fn to_json(data: &ProfilesData, style: Style) -> Vec<u8> {
    write::profiles_data(data, style)
}

/// Decodes OTLP JSON (`ProfilesData` or `ExportProfilesServiceRequest`) into the prost model.
///
/// Lenient where OTLP receivers must be (snake_case keys, unknown keys, numbers for 64-bit
/// integers, `null`), strict where a value would otherwise be silently changed (fractions,
/// out-of-range integers, malformed hex or base64, two values in one `AnyValue`).
pub fn from_json(bytes: &[u8]) -> Result<ProfilesData, JsonError> {
    read::profiles_data(bytes)
}

/// Why [`from_json`] rejected its input, and where.
///
/// `path` is the JSON path of the offending value in the lowerCamelCase spelling, such as
/// `dictionary.locationTable[3].address`, or `(root)` for the top level; it lets a user find the
/// problem in a multi-megabyte document without a line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The document is well-formed JSON but a value does not fit its field: wrong JSON type,
    /// a fraction or out-of-range number for an integer, malformed hex or base64, or two values
    /// in one `AnyValue`.
    #[error("{path}: {message}")]
    Value {
        /// Where the value is.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The bytes are not JSON (or end early, or nest deeper than the parser allows); `line` and
    /// `column` are 1-based and point at the problem, `path` at the innermost value around it.
    #[error("{path}: malformed JSON at line {line} column {column}: {message}")]
    Syntax {
        /// The innermost field or element being read when the problem was found.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },
}
