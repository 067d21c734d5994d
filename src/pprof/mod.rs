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

/// Decodes a raw (already decompressed) pprof protobuf.
pub fn decode(bytes: &[u8]) -> Result<Profile, DecodeError> {
    refuse_concatenated(bytes)?;
    let profile = Profile::decode(bytes)?;
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
