//! Semantic comparison of profiles: the proof behind "lossless".
//!
//! Two pprof profiles are semantically equal when, after resolving every string index and id
//! to the content it names, they say the same things (DESIGN.md, "Lossless, precisely"):
//! string-table layout, id values and table order are encoding, not information. The
//! comparison runs on the wire model rather than on a normalized graph because normalizing
//! (as google/pprof's in-memory model does) already drops labels, empty strings and order
//! (spec/otlp-profiles.md §7).
//!
//! Every loss is named by a [`Difference`] with a precise path, and each changed table entry
//! is reported once: samples and locations compare their references through a pairing of
//! the two profiles' tables, so a renamed function is one difference, not one per sample.
//!
//! Layout: [`difference`] (report type and value rendering), `correspond` (format-neutral
//! table pairing), `resolve` (pprof strings and ids to interned content), `compare` (the pprof
//! comparison).

mod compare;
mod correspond;
mod difference;
mod dump;
mod encoding;
mod otlp;
mod otlp_values;
mod resolve;

pub use difference::{Difference, DifferenceKind};
pub use otlp::OtlpView;

use crate::otlp::model::ProfilesData;
use crate::pprof::Profile;

/// Every semantic difference between `expected` and `actual`, in a deterministic order:
/// profile fields, then mappings, functions and locations (changed fields, then entries only
/// one side has), then samples. An empty result means the profiles are semantically equal.
///
/// Never panics, whatever the input: a dangling id or out-of-range string index is compared
/// and rendered as a marker such as `<missing location id 7>`.
pub fn compare_pprof(expected: &Profile, actual: &Profile) -> Vec<Difference> {
    compare::compare(expected, actual)
}

/// Whether `actual` carries all the information of `expected` and nothing else: the yes/no
/// form of [`compare_pprof`], for round-trip checks that only need the verdict.
pub fn semantically_equal(expected: &Profile, actual: &Profile) -> bool {
    compare_pprof(expected, actual).is_empty()
}

/// The canonical text form of a pprof profile (`pprotel dump`, docs/dump.md): every string
/// index and id resolved, table entries named by position, labels in key order. Two
/// semantically equal profiles whose tables are in the same order dump identically, so a line
/// diff of two dumps shows information, never encoding.
///
/// Never panics: dangling ids and out-of-range string indices are written as markers.
pub fn dump_pprof(p: &Profile) -> String {
    dump::dump_pprof(p)
}

/// The canonical text form of OTLP `ProfilesData` (docs/dump.md): resources, scopes, Profiles
/// and samples with every dictionary index resolved, attributes in key order, then the
/// mapping, function and location tables by position. Attribute key and string-value forms
/// (`key` / `key_strindex`, `string_value` / `string_value_strindex`) write the same, as do
/// the string table and the attribute, stack and link tables' layout.
pub fn dump_otlp(d: &ProfilesData) -> String {
    dump::dump_otlp(d)
}

/// Every semantic difference between two OTLP payloads under `view`, in a deterministic
/// order: resource, scope and Profile fields, then dictionary entries, then samples. An empty
/// result means equal. See [`OtlpView`] for what each view compares.
///
/// Paths name resources, scopes, Profiles and samples by position
/// (`resource[0].scope[0].profile[2].sample[17].attribute["thread"]`) and dictionary entries
/// by their position in the expected payload's dictionary (`location[5].address`).
pub fn compare_otlp(
    expected: &ProfilesData,
    actual: &ProfilesData,
    view: OtlpView,
) -> Vec<Difference> {
    otlp::compare(expected, actual, view)
}

/// The differences of encoding between two pprof profiles, which [`compare_pprof`] never
/// reports (kind [`DifferenceKind::Encoding`]): ids renumbered (`mapping.id`, `function.id`,
/// `location.id`), a different string table (`string_table`), and tables whose entries are
/// the same multiset in another order (`mapping`, `function`, `location`). For a strict diff
/// that explains why two semantically equal files are not byte-identical.
pub fn encoding_differences_pprof(expected: &Profile, actual: &Profile) -> Vec<Difference> {
    encoding::differences(expected, actual)
}

/// The differences of encoding between two OTLP payloads, which [`compare_otlp`] never reports
/// (kind [`DifferenceKind::Encoding`]): each dictionary table (`dictionary.string_table`,
/// `dictionary.stack_table`, …) that does not hold the same entries at the same indices, so
/// that the indices referring into it are encoded differently.
pub fn encoding_differences_otlp(
    expected: &ProfilesData,
    actual: &ProfilesData,
) -> Vec<Difference> {
    encoding::otlp_differences(expected, actual)
}
