//! How much memory a protobuf payload takes once decoded, estimated from the wire before
//! decoding it.
//!
//! The decompression cap bounds the payload, not the memory its decoding takes: prost turns
//! every submessage into a struct, and an empty one costs two bytes on the wire but up to a
//! couple of hundred in memory (an OTLP `Profile`). A payload made of nothing but empty messages
//! would decode to about 90 times its size, so a 1 MiB gzip file inflating to the default 1 GiB
//! cap would demand some 90 GiB. Real profiles carry data in their messages and decode to a few
//! times their size; [`check`] refuses payloads whose estimate exceeds [`MAX_RATIO`] times their
//! size, which bounds decoding memory to a fixed multiple of the cap.
//!
//! The estimate walks the wire with the message layout of pprof and OTLP Profiles: every
//! submessage counts the size of its Rust struct, every repeated string or bytes entry its
//! header and length, every packed scalar its element size per byte of its smallest encoding
//! (an upper bound). Unknown fields cost nothing (prost skips them). The walk stops
//! descending where prost's recursion limit would stop the decoder anyway.

use std::mem::size_of;

use crate::input::Format;
use crate::otlp::common::{AnyValue, ArrayValue, KeyValue, KeyValueList};
use crate::otlp::model as otlp;
use crate::otlp::resource::Resource;
use crate::pprof;
use crate::wire::{self, Value};

/// Decoded memory allowed per payload byte. Real profiles stay well below (pprotel's corpus
/// tests check the ratio of every corpus file); a payload of empty messages goes far above.
pub const MAX_RATIO: u64 = 16;

/// Below this estimate nothing is refused: tiny payloads cannot hurt, whatever their ratio.
const FLOOR: u64 = 1 << 20;

/// The payload would take too much memory for its size once decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "decoding would take about {estimate} bytes of memory, more than {MAX_RATIO} times the {size}-byte payload: it is made of far more (and emptier) messages than any real profile"
)]
pub struct FootprintError {
    /// Estimated bytes of memory.
    pub estimate: u64,
    /// Payload size in bytes.
    pub size: u64,
}

/// Refuses a protobuf payload whose decoded form would exceed [`MAX_RATIO`] times its size.
/// JSON is checked while it is read (each object is charged against [`allowance`] by
/// `otlp::json::from_json`), so `Format::OtlpJson` passes here.
pub fn check(bytes: &[u8], format: Format) -> Result<(), FootprintError> {
    let root = match format {
        Format::Pprof => Kind::PprofProfile,
        Format::OtlpProtobuf => Kind::ProfilesData,
        Format::OtlpJson => return Ok(()),
    };
    let size = bytes.len() as u64;
    let limit = allowance(bytes.len());
    let estimate = estimate(bytes, root);
    if estimate > limit {
        return Err(FootprintError { estimate, size });
    }
    Ok(())
}

/// The memory a payload of `size` bytes may take once decoded.
pub fn allowance(size: usize) -> u64 {
    (size as u64).saturating_mul(MAX_RATIO).max(FLOOR)
}

/// The estimated decoded size of `bytes` read as a pprof `Profile` or OTLP `ProfilesData`.
pub fn estimate(bytes: &[u8], root: Kind) -> u64 {
    root.size() + walk(bytes, root, 0)
}

/// The messages whose layout the estimate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `perftools.profiles.Profile`.
    PprofProfile,
    /// pprof `Sample`.
    PprofSample,
    /// pprof `Location`.
    PprofLocation,
    /// OTLP `ProfilesData`.
    ProfilesData,
    /// A message without submessages, strings or repeated fields of its own.
    Leaf(u64),
    /// OTLP `ResourceProfiles`.
    ResourceProfiles,
    /// OTLP `Resource`.
    Resource,
    /// OTLP `EntityRef`.
    EntityRef,
    /// OTLP `ScopeProfiles`.
    ScopeProfiles,
    /// OTLP `InstrumentationScope`.
    Scope,
    /// OTLP `KeyValue`.
    KeyValue,
    /// OTLP `AnyValue`.
    AnyValue,
    /// OTLP `ArrayValue`.
    ArrayValue,
    /// OTLP `KeyValueList`.
    KeyValueList,
    /// OTLP `Profile`.
    Profile,
    /// OTLP `Sample`.
    Sample,
    /// OTLP `ProfilesDictionary`.
    Dictionary,
    /// OTLP `Mapping`.
    Mapping,
    /// OTLP `Location`.
    Location,
    /// OTLP `Stack`.
    Stack,
    /// OTLP `KeyValueAndUnit`.
    KeyValueAndUnit,
}

/// What a length-delimited field of a message holds.
enum Field {
    Message(Kind),
    /// Repeated string or bytes: a 24-byte header each, plus the bytes.
    RepeatedBytes,
    /// Packed repeated scalars, by memory per wire byte: a 64-bit varint takes at least one
    /// byte for eight in memory, a 32-bit one four, a fixed64 eight for eight.
    Packed(u64),
    /// A singular string or bytes (its header is part of the struct).
    Bytes,
}

impl Kind {
    fn size(self) -> u64 {
        (match self {
            Kind::PprofProfile => size_of::<pprof::Profile>(),
            Kind::PprofSample => size_of::<pprof::Sample>(),
            Kind::PprofLocation => size_of::<pprof::Location>(),
            Kind::Leaf(size) => return size,
            Kind::ProfilesData => size_of::<otlp::ProfilesData>(),
            Kind::ResourceProfiles => size_of::<otlp::ResourceProfiles>(),
            Kind::Resource => size_of::<Resource>(),
            Kind::EntityRef => size_of::<crate::otlp::common::EntityRef>(),
            Kind::ScopeProfiles => size_of::<otlp::ScopeProfiles>(),
            Kind::Scope => size_of::<crate::otlp::common::InstrumentationScope>(),
            Kind::KeyValue => size_of::<KeyValue>(),
            Kind::AnyValue => size_of::<AnyValue>(),
            Kind::ArrayValue => size_of::<ArrayValue>(),
            Kind::KeyValueList => size_of::<KeyValueList>(),
            Kind::Profile => size_of::<otlp::Profile>(),
            Kind::Sample => size_of::<otlp::Sample>(),
            Kind::Dictionary => size_of::<otlp::ProfilesDictionary>(),
            Kind::Mapping => size_of::<otlp::Mapping>(),
            Kind::Location => size_of::<otlp::Location>(),
            Kind::Stack => size_of::<otlp::Stack>(),
            Kind::KeyValueAndUnit => size_of::<otlp::KeyValueAndUnit>(),
        }) as u64
    }

    /// The meaning of length-delimited field `number`, or `None` when prost skips it.
    fn field(self, number: u32) -> Option<Field> {
        use Field::*;
        let leaf = |size: usize| Message(Kind::Leaf(size as u64));
        Some(match (self, number) {
            (Kind::PprofProfile, 1 | 11) => leaf(size_of::<pprof::ValueType>()),
            (Kind::PprofProfile, 2) => Message(Kind::PprofSample),
            (Kind::PprofProfile, 3) => leaf(size_of::<pprof::Mapping>()),
            (Kind::PprofProfile, 4) => Message(Kind::PprofLocation),
            (Kind::PprofProfile, 5) => leaf(size_of::<pprof::Function>()),
            (Kind::PprofProfile, 6) => RepeatedBytes,
            (Kind::PprofProfile, 13) | (Kind::PprofSample, 1 | 2) => Packed(8),
            (Kind::PprofSample, 3) => leaf(size_of::<pprof::Label>()),
            (Kind::PprofLocation, 4) => leaf(size_of::<pprof::Line>()),
            (Kind::ProfilesData, 1) => Message(Kind::ResourceProfiles),
            (Kind::ProfilesData, 2) => Message(Kind::Dictionary),
            (Kind::ResourceProfiles, 1) => Message(Kind::Resource),
            (Kind::ResourceProfiles, 2) => Message(Kind::ScopeProfiles),
            (Kind::ResourceProfiles, 3) => Bytes,
            (Kind::Resource, 1) => Message(Kind::KeyValue),
            (Kind::Resource, 3) => Message(Kind::EntityRef),
            (Kind::EntityRef, 1 | 2) => Bytes,
            (Kind::EntityRef, 3 | 4) => RepeatedBytes,
            (Kind::ScopeProfiles, 1) => Message(Kind::Scope),
            (Kind::ScopeProfiles, 2) => Message(Kind::Profile),
            (Kind::ScopeProfiles, 3) => Bytes,
            (Kind::Scope, 1 | 2) => Bytes,
            (Kind::Scope, 3) => Message(Kind::KeyValue),
            (Kind::KeyValue, 1) => Bytes,
            (Kind::KeyValue, 2) | (Kind::KeyValueAndUnit, 2) => Message(Kind::AnyValue),
            (Kind::AnyValue, 1 | 7) => Bytes,
            (Kind::AnyValue, 5) => Message(Kind::ArrayValue),
            (Kind::AnyValue, 6) => Message(Kind::KeyValueList),
            (Kind::ArrayValue, 1) => Message(Kind::AnyValue),
            (Kind::KeyValueList, 1) => Message(Kind::KeyValue),
            (Kind::Profile, 1 | 5) => leaf(size_of::<otlp::ValueType>()),
            (Kind::Profile, 2) => Message(Kind::Sample),
            (Kind::Profile, 7 | 9 | 10) => Bytes,
            (Kind::Profile, 11) | (Kind::Sample, 2) => Packed(4),
            (Kind::Sample, 4) => Packed(8),
            (Kind::Sample, 5) => Packed(1),
            (Kind::Dictionary, 1) => Message(Kind::Mapping),
            (Kind::Dictionary, 2) => Message(Kind::Location),
            (Kind::Dictionary, 3) => leaf(size_of::<otlp::Function>()),
            (Kind::Dictionary, 4) => leaf(size_of::<otlp::Link>()),
            (Kind::Dictionary, 5) => RepeatedBytes,
            (Kind::Dictionary, 6) => Message(Kind::KeyValueAndUnit),
            (Kind::Dictionary, 7) => Message(Kind::Stack),
            (Kind::Mapping, 5) | (Kind::Location, 4) | (Kind::Stack, 1) => Packed(4),
            (Kind::Location, 3) => leaf(size_of::<otlp::Line>()),
            _ => return None,
        })
    }

    /// Whether a varint or fixed field `number` is a repeated scalar sent unpacked (8 bytes of
    /// memory per occurrence); singular scalars live in the struct already.
    fn repeated_scalar(self, number: u32) -> bool {
        matches!(
            (self, number),
            (Kind::PprofProfile, 13)
                | (Kind::PprofSample, 1 | 2)
                | (Kind::Profile, 11)
                | (Kind::Sample, 2 | 4 | 5)
                | (Kind::Mapping, 5)
                | (Kind::Location, 4)
                | (Kind::Stack, 1)
        )
    }
}

/// prost's default recursion limit: deeper payloads fail to decode, so need no estimate.
const MAX_DEPTH: usize = 100;

/// Memory of the fields of one message of `kind` (its own struct not included).
fn walk(bytes: &[u8], kind: Kind, depth: usize) -> u64 {
    let mut total = 0u64;
    for (number, value) in wire::fields(bytes).map_while(Result::ok) {
        let cost = match value {
            Value::Len(body) => match kind.field(number) {
                Some(Field::Message(child)) if depth < MAX_DEPTH => {
                    child.size().saturating_add(walk(body, child, depth + 1))
                }
                Some(Field::Message(child)) => child.size(),
                Some(Field::RepeatedBytes) => size_of::<Vec<u8>>() as u64 + body.len() as u64,
                Some(Field::Packed(per_byte)) => per_byte * body.len() as u64,
                Some(Field::Bytes) => body.len() as u64,
                None => 0,
            },
            _ if kind.repeated_scalar(number) => 8,
            _ => 0,
        };
        total = total.saturating_add(cost);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_profiles_are_estimated_at_their_struct_size() {
        // ProfilesData { resource_profiles { scope_profiles { profiles {} × 1000 } } }
        let scope: Vec<u8> = [0x12, 0x00].repeat(1000);
        let mut resource = vec![0x12];
        resource.extend(prost_len(scope.len()));
        resource.extend(&scope);
        let mut data = vec![0x0a];
        data.extend(prost_len(resource.len()));
        data.extend(&resource);
        let estimate = estimate(&data, Kind::ProfilesData);
        let profile = size_of::<otlp::Profile>() as u64;
        assert!(estimate >= 1000 * profile, "{estimate}");
        assert!(estimate < 1000 * profile + 1000, "{estimate}");
        assert!(estimate > MAX_RATIO * data.len() as u64);
    }

    fn prost_len(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        prost::encoding::encode_varint(n as u64, &mut out);
        out
    }
}
