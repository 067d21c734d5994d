//! pprof: the wire model, decoding from raw protobuf (after `input` has decompressed it) and
//! encoding to raw or gzip protobuf.

pub mod model;
pub mod validate;

use std::io::Write;

use prost::Message;

pub use model::{Function, Label, Line, Location, Mapping, Profile, Sample, ValueType};

/// A pprof payload could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The protobuf itself is malformed.
    #[error("malformed pprof protobuf: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// `string_table[0]` must be the empty string.
    #[error("string_table[0] must be empty, found {0:?}")]
    FirstStringNotEmpty(String),
    /// Two profiles one after the other (`cat a.pb b.pb`) decode as one protobuf message whose
    /// later scalars silently win. google/pprof refuses a `time_nanos` that follows a nonzero
    /// one ("concatenated profiles detected"), and so does pprotel.
    #[error(
        "concatenated profiles detected: time_nanos appears again after the nonzero value {first}"
    )]
    Concatenated {
        /// The `time_nanos` seen first.
        first: i64,
    },
    /// A protobuf group (wire types 3 and 4) in a message of the pprof schema. pprof uses no
    /// groups; google/pprof's decoder refuses them ("unknown wire type") where protobuf
    /// runtimes, prost among them, would skip an unknown one, so a file pprotel read would not
    /// open in `go tool pprof`.
    #[error("{message} holds a protobuf group (wire type 3 or 4), which pprof does not use")]
    Group {
        /// Where: `Profile`, `sample[3]`, `location[7].line[0]`…
        message: String,
    },
    /// The string table is missing although the profile refers to strings.
    #[error("string_table is empty (it must start with \"\")")]
    NoStringTable,
}

/// google/pprof's test for concatenated profiles, on the top-level fields: a `time_nanos`
/// (field 9) while the one before it is nonzero. A malformed message is left to the decoder,
/// which names what is wrong.
fn refuse_concatenated(bytes: &[u8]) -> Result<(), DecodeError> {
    let mut time_nanos = 0i64;
    for field in crate::wire::fields(bytes) {
        let Ok((field, value)) = field else { break };
        if let (9, crate::wire::Value::Varint(v)) = (field, value) {
            if time_nanos != 0 {
                return Err(DecodeError::Concatenated { first: time_nanos });
            }
            time_nanos = v as i64;
        }
    }
    Ok(())
}

/// The messages of the pprof schema that hold other messages, for [`refuse_groups`].
#[derive(Clone, Copy)]
enum Schema {
    Profile,
    Sample,
    Location,
    /// ValueType, Label, Mapping, Line, Function: only scalars, strings and packed runs.
    Leaf,
}

/// Walks `bytes` as the pprof message `schema` (named `path` in the error), into the
/// submessages the schema declares, and refuses the first group. Other malformations end the
/// walk quietly: prost names them. Only inputs the fast decoder declines get here.
fn refuse_groups(bytes: &[u8], schema: Schema, path: &str) -> Result<(), DecodeError> {
    let mut seen = [0usize; 12];
    for field in crate::wire::fields(bytes) {
        let (number, value) = match field {
            Ok(field) => field,
            Err(e) if e.what == crate::wire::UNSUPPORTED_WIRE_TYPE => {
                return Err(DecodeError::Group {
                    message: path.to_owned(),
                });
            }
            Err(_) => return Ok(()),
        };
        let crate::wire::Value::Len(body) = value else {
            continue;
        };
        let (inner, name) = match (schema, number) {
            (Schema::Profile, 1) => (Schema::Leaf, "sample_type"),
            (Schema::Profile, 2) => (Schema::Sample, "sample"),
            (Schema::Profile, 3) => (Schema::Leaf, "mapping"),
            (Schema::Profile, 4) => (Schema::Location, "location"),
            (Schema::Profile, 5) => (Schema::Leaf, "function"),
            (Schema::Profile, 11) => (Schema::Leaf, "period_type"),
            (Schema::Sample, 3) => (Schema::Leaf, "label"),
            (Schema::Location, 4) => (Schema::Leaf, "line"),
            _ => continue,
        };
        let n = &mut seen[number as usize];
        let inner_path = match schema {
            Schema::Profile => format!("{name}[{n}]"),
            _ => format!("{path}.{name}[{n}]"),
        };
        *n += 1;
        refuse_groups(body, inner, &inner_path)?;
    }
    Ok(())
}

/// Decodes a raw (already decompressed) pprof protobuf.
pub fn decode(bytes: &[u8]) -> Result<Profile, DecodeError> {
    // The fast decoder reads only the four wire types pprof uses and declines a second
    // time_nanos; where it declines, prost decodes, after the checks for concatenated profiles
    // and for groups (which prost would skip).
    let profile = match model::fast::profile(bytes) {
        Some(profile) => profile,
        None => {
            refuse_concatenated(bytes)?;
            refuse_groups(bytes, Schema::Profile, "Profile")?;
            let mut profile = Profile::default();
            profile.merge(bytes)?;
            profile
        }
    };
    match profile.string_table.first() {
        None => return Err(DecodeError::NoStringTable),
        Some(first) if !first.is_empty() => {
            return Err(DecodeError::FirstStringNotEmpty(
                String::from_utf8_lossy(first).into_owned(),
            ));
        }
        Some(_) => {}
    }
    Ok(profile)
}

/// How to write a pprof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Raw protobuf.
    Raw,
    /// gzip-compressed protobuf (what `go tool pprof` and `runtime/pprof` write).
    Gzip,
}

/// Encodes a profile as raw or gzip protobuf.
pub fn encode(profile: &Profile, container: Container) -> Vec<u8> {
    let raw = profile.encode_to_vec();
    match container {
        Container::Raw => raw,
        Container::Gzip => gzip(&raw),
    }
}

/// gzip at the default level: the level `runtime/pprof` uses, a fair speed/size balance.
pub(crate) fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 4),
        flate2::Compression::default(),
    );
    // Writing into a Vec cannot fail.
    encoder.write_all(raw).expect("write to Vec");
    encoder.finish().expect("write to Vec")
}
