//! pprotel: lossless translation between pprof and OpenTelemetry OTLP Profiles.
//!
//! Data flows one way: bytes → [`input`] (decompress, detect) → decoder ([`pprof`] or [`otlp`])
//! → model → translator ([`otlp::mapping`]) → model → encoder → bytes. The [`roundtrip`] module
//! compares models semantically, which is how every conversion proves it lost nothing.
//!
//! Nothing in this library prints, exits or knows about the command line.
#![deny(missing_docs)]

pub mod convert;
pub mod footprint;
pub mod input;
pub mod otlp;
pub mod pprof;
pub mod roundtrip;
pub mod validate;
pub mod wire;
