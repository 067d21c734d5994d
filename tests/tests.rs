//! The one integration-test binary; each module is one area of behaviour.

/// pprof decode/encode over the corpus.
mod pprof_codec;
/// Semantic equality of pprof profiles: encoding is ignored, every loss is named exactly once.
mod semantic_equality;
/// Corpus location and file helpers.
mod util;
