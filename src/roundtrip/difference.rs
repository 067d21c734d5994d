//! What a comparison reports, and how values are written in it.
//!
//! A [`Difference`] names one place (a path such as `location[17].address`) and gives both
//! values as ready-to-read strings, so a CI log or a test assertion can show it as is. The
//! rendering helpers live here too, because every comparison (pprof today, OTLP next) must
//! write addresses, strings and counts the same way.

use std::fmt;

/// One semantic difference between an expected and an actual profile.
///
/// Paths name tables by the expected side's positions (`function[3].name`) and samples by
/// position (`sample[1234].value[1]`); an entry that exists only in the actual profile is named
/// by its position there. Values are human-readable: strings quoted with invalid bytes escaped
/// as `\xNN`, addresses in hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where the profiles differ, e.g. `sample[3].label["thread"]`.
    pub path: String,
    /// What sort of difference this is.
    pub kind: DifferenceKind,
    /// The expected side's value (empty for [`DifferenceKind::OnlyInActual`]).
    pub expected: String,
    /// The actual side's value (empty for [`DifferenceKind::OnlyInExpected`]).
    pub actual: String,
}

/// The sort of a [`Difference`]; it decides how the difference reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DifferenceKind {
    /// Both sides have the item, with different values.
    Changed,
    /// The item exists only in the expected profile: the actual one lost it.
    OnlyInExpected,
    /// The item exists only in the actual profile: something was added.
    OnlyInActual,
    /// A list has a different number of entries; `expected` and `actual` are the counts.
    Count,
    /// Something the target format of a conversion cannot hold, so a round trip through it
    /// must lose it: named rather than reported as a loss of the translator. `expected` holds
    /// the description (e.g. `sample timestamps (5×)`), `actual` is empty.
    NotRepresentable,
    /// A difference of layout that is not information: ids renumbered, string-table layout,
    /// table order. Only a strict diff reports these, so that a byte-level change can be
    /// explained without ever counting as loss. `expected` names what differs in a word
    /// (`renumbered`, `layout`, `order`), `actual` gives the detail.
    Encoding,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DifferenceKind::Changed => write!(
                f,
                "{}: expected {}, actual {}",
                self.path, self.expected, self.actual
            ),
            DifferenceKind::OnlyInExpected => {
                write!(f, "{}: only in expected: {}", self.path, self.expected)
            }
            DifferenceKind::OnlyInActual => {
                write!(f, "{}: only in actual: {}", self.path, self.actual)
            }
            DifferenceKind::Count => write!(
                f,
                "{}: expected {} entries, actual {} entries",
                self.path, self.expected, self.actual
            ),
            DifferenceKind::NotRepresentable => {
                write!(f, "{}: not representable: {}", self.path, self.expected)
            }
            DifferenceKind::Encoding if self.actual.is_empty() => {
                write!(f, "{}: {} (encoding)", self.path, self.expected)
            }
            DifferenceKind::Encoding => write!(
                f,
                "{}: {} (encoding): {}",
                self.path, self.expected, self.actual
            ),
        }
    }
}

/// Collects differences in the order they are found, which the comparison keeps deterministic.
#[derive(Debug, Default)]
pub(crate) struct Report {
    differences: Vec<Difference>,
}

impl Report {
    /// Records a value that differs between the two sides.
    pub(crate) fn changed(&mut self, path: String, expected: String, actual: String) {
        self.push(path, DifferenceKind::Changed, expected, actual);
    }

    /// Records a list whose lengths differ.
    pub(crate) fn count(&mut self, path: String, expected: usize, actual: usize) {
        self.push(
            path,
            DifferenceKind::Count,
            expected.to_string(),
            actual.to_string(),
        );
    }

    /// Records an entry that only the expected side has.
    pub(crate) fn only_in_expected(&mut self, path: String, expected: String) {
        self.push(
            path,
            DifferenceKind::OnlyInExpected,
            expected,
            String::new(),
        );
    }

    /// Records an entry that only the actual side has.
    pub(crate) fn only_in_actual(&mut self, path: String, actual: String) {
        self.push(path, DifferenceKind::OnlyInActual, String::new(), actual);
    }

    /// Records a difference of encoding: `what` in a word, `detail` for the reader.
    pub(crate) fn encoding(&mut self, path: String, what: &str, detail: String) {
        self.push(path, DifferenceKind::Encoding, what.to_owned(), detail);
    }

    /// Compares two values, rendering them only when they differ (rendering is the slow part).
    pub(crate) fn scalar<T: PartialEq>(
        &mut self,
        path: impl FnOnce() -> String,
        expected: T,
        actual: T,
        render: impl Fn(&T) -> String,
    ) {
        if expected != actual {
            self.changed(path(), render(&expected), render(&actual));
        }
    }

    fn push(&mut self, path: String, kind: DifferenceKind, expected: String, actual: String) {
        self.differences.push(Difference {
            path,
            kind,
            expected,
            actual,
        });
    }

    /// The differences found, in report order.
    pub(crate) fn finish(self) -> Vec<Difference> {
        self.differences
    }
}

/// Writes raw string bytes as a double-quoted string: valid UTF-8 as text (with `"`, `\` and
/// control characters escaped), every invalid byte as `\xNN`. Distinct byte strings always give
/// distinct renderings, so a report never shows two different values as the same text.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Writes an address (or another machine word) the way tools print addresses: `0x4a2f00`.
pub(crate) fn hex(value: u64) -> String {
    format!("{value:#x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_invalid_bytes_quotes_and_controls() {
        assert_eq!(quote(b"main.f"), "\"main.f\"");
        assert_eq!(quote(b"a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote(b"\xff\xfeok\n"), "\"\\xff\\xfeok\\n\"");
        assert_eq!(quote("é".as_bytes()), "\"é\"");
        assert_eq!(quote(b"\x01"), "\"\\u{1}\"");
    }

    #[test]
    fn display_forms() {
        let d = |kind| Difference {
            path: "p".into(),
            kind,
            expected: "1".into(),
            actual: "2".into(),
        };
        assert_eq!(
            d(DifferenceKind::Changed).to_string(),
            "p: expected 1, actual 2"
        );
        assert_eq!(
            d(DifferenceKind::Count).to_string(),
            "p: expected 1 entries, actual 2 entries"
        );
        assert_eq!(
            d(DifferenceKind::OnlyInExpected).to_string(),
            "p: only in expected: 1"
        );
        assert_eq!(
            d(DifferenceKind::OnlyInActual).to_string(),
            "p: only in actual: 2"
        );
        assert_eq!(
            d(DifferenceKind::NotRepresentable).to_string(),
            "p: not representable: 1"
        );
        assert_eq!(
            d(DifferenceKind::Encoding).to_string(),
            "p: 1 (encoding): 2"
        );
    }
}
