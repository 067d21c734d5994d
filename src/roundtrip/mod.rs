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
mod resolve;

pub use difference::{Difference, DifferenceKind};

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
