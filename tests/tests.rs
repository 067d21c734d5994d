//! The one integration-test binary; each module is one area of behaviour.

/// pprof decode/encode over the corpus.
mod pprof_codec;
/// Corpus location and file helpers.
mod util;
/// pprof and OTLP validation rules.
mod validate;
