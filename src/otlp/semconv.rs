//! Attribute keys: the OpenTelemetry semantic conventions for pprof data, and pprotel's own
//! keys for the few pprof facts the conventions have no place for.

/// Mapping build id (semconv `process.executable.build_id.gnu`); the reference translator stores
/// every pprof build id here, whatever its kind.
pub const BUILD_ID_GNU: &str = "process.executable.build_id.gnu";
/// Go build id (semconv), read as a fallback when no GNU build id is present.
pub const BUILD_ID_GO: &str = "process.executable.build_id.go";
/// File-hash build id (semconv), read as a last fallback.
pub const BUILD_ID_HTLHASH: &str = "process.executable.build_id.htlhash";
/// pprof `Mapping.has_functions`.
pub const HAS_FUNCTIONS: &str = "pprof.mapping.has_functions";
/// pprof `Mapping.has_filenames`.
pub const HAS_FILENAMES: &str = "pprof.mapping.has_filenames";
/// pprof `Mapping.has_line_numbers`.
pub const HAS_LINE_NUMBERS: &str = "pprof.mapping.has_line_numbers";
/// pprof `Mapping.has_inline_frames`.
pub const HAS_INLINE_FRAMES: &str = "pprof.mapping.has_inline_frames";
/// pprof `Location.is_folded`.
pub const IS_FOLDED: &str = "pprof.location.is_folded";
/// pprof `Profile.comment`, as `string[]`.
pub const COMMENT: &str = "pprof.profile.comment";
/// Prefix of the reference translator's one-string-per-comment form `pprof.profile.comment.N`.
pub const COMMENT_INDEXED_PREFIX: &str = "pprof.profile.comment.";
/// pprof `Profile.drop_frames`.
pub const DROP_FRAMES: &str = "pprof.profile.drop_frames";
/// pprof `Profile.keep_frames`.
pub const KEEP_FRAMES: &str = "pprof.profile.keep_frames";
/// pprof `Profile.doc_url`.
pub const DOC_URL: &str = "pprof.profile.doc_url";
/// pprof `default_sample_type`, as the type name (scope attribute).
pub const DEFAULT_SAMPLE_TYPE: &str = "pprof.scope.default_sample_type";
/// Entry k is the pprof sample-type index of `profiles[k]` (scope attribute, `int[]`).
pub const SAMPLE_TYPE_ORDER: &str = "pprof.scope.sample_type_order";
/// pprotel: the pprof `memory_start` of a mapping whose range OTLP conformance forbids
/// (`memory_start >= memory_limit`, not both zero). The OTLP mapping then carries 0..0.
pub const MAPPING_MEMORY_START: &str = "pprotel.mapping.memory_start";
/// pprotel: the pprof `memory_limit` of such a mapping.
pub const MAPPING_MEMORY_LIMIT: &str = "pprotel.mapping.memory_limit";

/// Keys of the kvlist elements that encode a pprof label in its general form.
pub mod label {
    /// The string value.
    pub const STR: &str = "str";
    /// The numeric value.
    pub const NUM: &str = "num";
    /// The unit of the numeric value.
    pub const NUM_UNIT: &str = "num_unit";
}

/// The schema URL pprotel writes: the semantic-conventions release that defines every `pprof.*`
/// attribute above (v1.40.0 added the scope attributes).
pub const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.40.0";
/// Instrumentation scope name of pprotel's output.
pub const SCOPE_NAME: &str = "pprotel";
