//! The pprof ⇄ OTLP Profiles mapping (`docs/mapping.md` is its specification).
//!
//! pprof → OTLP is total for valid pprof: every field has a place, either native or an attribute
//! from the semantic conventions (or, where they have none, a documented `pprotel.*` key).
//! OTLP → pprof cannot carry everything (timestamps, links, resource and scope attributes…):
//! what it cannot carry is returned in a [`Report`], never dropped silently.

mod interner;
pub(crate) mod labels;
mod to_otlp;
mod to_pprof;

pub use to_otlp::{ToOtlpOptions, pprof_to_otlp};
pub(crate) use to_pprof::aligned;
pub use to_pprof::{PprofOutput, ToPprof, ToPprofOptions, otlp_to_pprof, otlp_to_pprof_with};

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;

/// Default cap on the memory one translation's output may take: what decoding a payload of the
/// default decompression cap may take (`crate::footprint`), so that translating is bounded like
/// decoding. Without a cap a small input could demand an enormous output: pprof repeats a
/// sample's whole stack where OTLP refers to a shared one, so one deep stack referenced by many
/// samples multiplies out.
pub const DEFAULT_MAX_MEMORY: u64 =
    crate::input::DEFAULT_MAX_DECOMPRESSED * crate::footprint::MAX_RATIO;

/// A profile could not be translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// A reference names an id no table entry has.
    #[error("{path}: no {table} with id {id}")]
    UnknownId {
        /// Where the reference is, e.g. `sample[3].location_id[2]`.
        path: String,
        /// The table searched.
        table: &'static str,
        /// The id.
        id: u64,
    },
    /// Two entries of one table share an id, so references to it are ambiguous.
    #[error("{path}: id {id} is used by more than one {table}")]
    DuplicateId {
        /// The second entry with the id.
        path: String,
        /// The table.
        table: &'static str,
        /// The id.
        id: u64,
    },
    /// A string or table index is outside its table.
    #[error("{path}: index {index} is out of range (table has {len} entries)")]
    IndexOutOfRange {
        /// Where the index is.
        path: String,
        /// The index.
        index: i64,
        /// The table length.
        len: usize,
    },
    /// A pprof string is not UTF-8; OTLP strings must be.
    #[error(
        "{path}: string_table[{index}] is not valid UTF-8 ({preview}); OTLP strings must be UTF-8"
    )]
    InvalidUtf8 {
        /// The referring field.
        path: String,
        /// The string index.
        index: i64,
        /// The string with invalid bytes escaped.
        preview: String,
    },
    /// A sample has a different number of values than there are sample types.
    #[error("sample[{sample}]: {values} values but {types} sample types")]
    ValueCount {
        /// Sample position.
        sample: usize,
        /// Values it has.
        values: usize,
        /// Sample types the profile has.
        types: usize,
    },
    /// Samples exist but no sample type says what they measure (google/pprof: "missing sample
    /// type information").
    #[error("profile has {samples} samples but no sample_type; it is not a valid pprof")]
    SamplesWithoutTypes {
        /// How many samples.
        samples: usize,
    },
    /// The OTLP payload has no dictionary although profiles refer to it.
    #[error("dictionary is missing")]
    MissingDictionary,
    /// An OTLP sample has a shape pprof cannot take (e.g. several values and no timestamps).
    #[error("{path}: {what}")]
    InvalidSample {
        /// The sample.
        path: String,
        /// What is wrong.
        what: String,
    },
    /// The translated profile would take more memory than the cap; `path` is the input element
    /// whose translation crossed it. Checked before allocating, so a small hostile input fails
    /// fast instead of exhausting memory.
    #[error(
        "{path}: the translated profile would take more than {limit} bytes of memory (the limit is {ratio} times --max-decompressed-size)",
        ratio = crate::footprint::MAX_RATIO
    )]
    OutputTooLarge {
        /// The input element being translated when the cap was crossed.
        path: String,
        /// The cap in bytes of memory.
        limit: u64,
    },
}

/// The memory a translation's output has taken so far (its structs, ids, values, labels and
/// strings, as laid out in memory), against the cap.
pub(crate) struct Budget {
    used: Cell<u64>,
    limit: u64,
}

impl Budget {
    pub(crate) fn new(limit: u64) -> Self {
        Budget {
            used: Cell::new(0),
            limit,
        }
    }

    /// Counts `bytes` more output, failing with `path` once the total passes the cap.
    pub(crate) fn spend(
        &self,
        bytes: u64,
        path: impl FnOnce() -> String,
    ) -> Result<(), MappingError> {
        let used = self.used.get().saturating_add(bytes);
        self.used.set(used);
        if used > self.limit {
            return Err(MappingError::OutputTooLarge {
                path: path(),
                limit: self.limit,
            });
        }
        Ok(())
    }
}

/// What an OTLP → pprof translation could not carry, counted by kind.
///
/// Keys are stable, human-readable names such as `sample timestamps` or
/// `resource attribute "service.name"`; each holds how often it occurred and the path of the
/// first occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    entries: BTreeMap<String, ReportEntry>,
}

/// One kind of information that was not representable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEntry {
    /// How many occurrences.
    pub count: usize,
    /// Path of the first occurrence.
    pub first: String,
}

impl Report {
    /// Records one occurrence of `what` at `path` (the path is built only for the first).
    pub(crate) fn note(&mut self, what: impl Into<String>, path: impl FnOnce() -> String) {
        self.note_n(what, 1, path);
    }

    /// Records `count` occurrences of `what`.
    pub(crate) fn note_n(
        &mut self,
        what: impl Into<String>,
        count: usize,
        path: impl FnOnce() -> String,
    ) {
        if count == 0 {
            return;
        }
        self.entries
            .entry(what.into())
            .and_modify(|e| e.count += count)
            .or_insert_with(|| ReportEntry {
                count,
                first: path(),
            });
    }

    /// True when everything was carried over.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, ordered by name.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ReportEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Adds another report's entries into this one.
    pub fn merge(&mut self, other: Report) {
        for (what, entry) in other.entries {
            let first = entry.first.clone();
            self.note_n(what, entry.count, || first);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (what, entry) in &self.entries {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{what} ({}×, first at {})", entry.count, entry.first)?;
        }
        Ok(())
    }
}
