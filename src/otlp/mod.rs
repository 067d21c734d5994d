//! OTLP Profiles: the model (prost types from `opentelemetry-proto`, schema v1.10/v1.11), its
//! protobuf and JSON codecs, the conformance rules, and the mapping to and from pprof.

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
/// Written by hand down to the Profile level because prost computes a message's length by
/// walking all its descendants, once per ancestor: through the five levels of the envelope every
/// sample was measured five times, and encoding cost more than translating. Here each Profile's
/// length is computed once, up front. The bytes are identical to `data.encode_to_vec()`.
pub fn encode_protobuf(data: &model::ProfilesData) -> Vec<u8> {
    use prost::encoding::{self, WireType, encode_key, encode_varint, encoded_len_varint, key_len};

    let framed = |len: usize| key_len(1) + encoded_len_varint(len as u64) + len;
    let profile_lens: Vec<Vec<Vec<usize>>> = data
        .resource_profiles
        .iter()
        .map(|rp| {
            rp.scope_profiles
                .iter()
                .map(|sp| sp.profiles.iter().map(Message::encoded_len).collect())
                .collect()
        })
        .collect();
    let scope_len = |sp: &model::ScopeProfiles, lens: &[usize]| {
        sp.scope
            .as_ref()
            .map_or(0, |s| encoding::message::encoded_len(1, s))
            + lens.iter().map(|&l| framed(l)).sum::<usize>()
            + string_len(3, &sp.schema_url)
    };
    let resource_len = |rp: &model::ResourceProfiles, lens: &[Vec<usize>]| {
        rp.resource
            .as_ref()
            .map_or(0, |r| encoding::message::encoded_len(1, r))
            + rp.scope_profiles
                .iter()
                .zip(lens)
                .map(|(sp, l)| framed(scope_len(sp, l)))
                .sum::<usize>()
            + string_len(3, &rp.schema_url)
    };
    let resource_lens: Vec<usize> = data
        .resource_profiles
        .iter()
        .zip(&profile_lens)
        .map(|(rp, l)| resource_len(rp, l))
        .collect();
    let dictionary_len = data.dictionary.as_ref().map(Message::encoded_len);
    let total =
        resource_lens.iter().map(|&l| framed(l)).sum::<usize>() + dictionary_len.map_or(0, framed);

    let mut buf = Vec::with_capacity(total);
    for ((rp, lens), &rp_len) in data
        .resource_profiles
        .iter()
        .zip(&profile_lens)
        .zip(&resource_lens)
    {
        encode_key(1, WireType::LengthDelimited, &mut buf);
        encode_varint(rp_len as u64, &mut buf);
        if let Some(resource) = &rp.resource {
            encoding::message::encode(1, resource, &mut buf);
        }
        for (sp, lens) in rp.scope_profiles.iter().zip(lens) {
            encode_key(2, WireType::LengthDelimited, &mut buf);
            encode_varint(scope_len(sp, lens) as u64, &mut buf);
            if let Some(scope) = &sp.scope {
                encoding::message::encode(1, scope, &mut buf);
            }
            for (profile, &len) in sp.profiles.iter().zip(lens) {
                encode_key(2, WireType::LengthDelimited, &mut buf);
                encode_varint(len as u64, &mut buf);
                profile.encode_raw(&mut buf);
            }
            if !sp.schema_url.is_empty() {
                encoding::string::encode(3, &sp.schema_url, &mut buf);
            }
        }
        if !rp.schema_url.is_empty() {
            encoding::string::encode(3, &rp.schema_url, &mut buf);
        }
    }
    if let (Some(dictionary), Some(len)) = (&data.dictionary, dictionary_len) {
        encode_key(2, WireType::LengthDelimited, &mut buf);
        encode_varint(len as u64, &mut buf);
        dictionary.encode_raw(&mut buf);
    }
    debug_assert_eq!(buf.len(), total);
    buf
}

/// Length of a proto3 string field (absent when empty).
fn string_len(tag: u32, s: &String) -> usize {
    if s.is_empty() {
        0
    } else {
        prost::encoding::string::encoded_len(tag, s)
    }
}
