//! OTLP Profiles: the model (prost types from `opentelemetry-proto`, schema v1.10/v1.11), its
//! protobuf and JSON codecs, the conformance rules, and the mapping to and from pprof.

pub mod json;
pub mod schema;
pub mod validate;

pub use opentelemetry_proto::tonic::common::v1 as common;
pub use opentelemetry_proto::tonic::profiles::v1development as model;
pub use opentelemetry_proto::tonic::resource::v1 as resource;
