//! The one integration-test binary; each module is one area of behaviour.

/// Generated OTLP payloads for property tests.
mod arbitrary;
/// Hand-built pprof and OTLP inputs.
mod build;
/// Command-line behaviour.
mod cli;
/// The third-party corpus end to end.
mod corpus;
/// The canonical text dump of pprof and OTLP profiles: snapshots, and encoding never showing.
mod dump;
/// Hand-written protobuf fast paths are byte-identical to prost.
mod encoding;
/// Hostile and broken input: refused with one line, bounded memory, no harm to files.
mod hostile_input;
/// Every case of the mapping specification.
mod mapping_cases;
/// Semantic equality of OTLP payloads, in full and as pprof sees them.
mod otlp_equality;
/// OTLP JSON codec: round trips, lenient input, errors with paths, snapshot.
mod otlp_json;
/// pprof decode/encode over the corpus.
mod pprof_codec;
/// Semantic equality of pprof profiles: encoding is ignored, every loss is named exactly once.
mod semantic_equality;
/// Snapshots of the OTLP JSON written for small fixtures.
mod snapshots_json;
/// Standard output: `-o -`, and binary output refused on a terminal.
mod stdout;
/// Corpus location and file helpers.
mod util;
/// pprof and OTLP validation rules.
mod validate;
