//! The one integration-test binary; each module is one area of behaviour.

/// OTLP JSON codec: round trips, lenient input, errors with paths, snapshot.
mod otlp_json;
/// pprof decode/encode over the corpus.
mod pprof_codec;
/// Corpus location and file helpers.
mod util;
