//! OTLP Profiles: the model (prost types from `opentelemetry-proto`, schema v1.10/v1.11), its
//! protobuf and JSON codecs, the conformance rules, and the mapping to and from pprof.

mod encode;
pub mod json;
pub mod schema;
pub mod validate;

pub use opentelemetry_proto::tonic::common::v1 as common;
pub use opentelemetry_proto::tonic::profiles::v1development as model;
pub use opentelemetry_proto::tonic::resource::v1 as resource;
pub mod mapping;
pub mod semconv;

use prost::Message;

/// An OTLP payload could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Written with another schema version, or framed.
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    /// Malformed protobuf.
    #[error("malformed OTLP protobuf: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// Malformed or mistyped JSON.
    #[error(transparent)]
    Json(#[from] json::JsonError),
}

/// Decodes binary `ProfilesData` (or the wire-identical `ExportProfilesServiceRequest`),
/// refusing payloads of older schema versions instead of misreading them.
pub fn decode_protobuf(bytes: &[u8]) -> Result<model::ProfilesData, DecodeError> {
    schema::check(bytes)?;
    Ok(model::ProfilesData::decode(bytes)?)
}

/// Encodes binary `ProfilesData`.
///
/// Written by hand (`encode.rs`) because prost computes a message's length by walking all its
/// descendants, once per ancestor, and writes varints byte by byte through `BufMut`: encoding
/// cost more than translating (docs/performance.md). The bytes are identical to
/// `data.encode_to_vec()`.
pub fn encode_protobuf(data: &model::ProfilesData) -> Vec<u8> {
    encode::profiles_data(data)
}
