//! The one integration-test binary; each module is one area of behaviour.

/// OTLP JSON codec: round trips, lenient input, errors with paths, snapshot.
mod otlp_json;
/// pprof decode/encode over the corpus.
mod pprof_codec;
/// Semantic equality of pprof profiles: encoding is ignored, every loss is named exactly once.
mod semantic_equality;
/// Corpus location and file helpers.
mod util;
/// Hand-built pprof and OTLP inputs.
mod build;
/// Every case of the mapping specification.
mod mapping_cases;
/// The third-party corpus end to end.
mod corpus;
/// Command-line behaviour.
mod cli;
/// pprof and OTLP validation rules.
mod validate;
