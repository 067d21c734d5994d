//! Differences of encoding between two pprof profiles, or two OTLP payloads: what a byte-level
//! diff sees and the semantic comparison deliberately ignores (DESIGN.md, "Lossless, precisely"). A strict diff
//! reports them so a user can tell why two equal profiles are not byte-identical; they never
//! count as loss.
//!
//! Entries are paired by content the way the comparison pairs them, so "renumbered" and
//! "order" speak about entries that carry the same information.

use super::correspond::{Correspondence, Side};
use super::difference::{Difference, Report};
use super::resolve::{ContentIds, ResolvedPprof, Strings, location_content_equal};
use crate::otlp::model::{ProfilesData, ProfilesDictionary};
use crate::pprof::Profile;

/// See [`super::encoding_differences_pprof`].
pub(crate) fn differences(expected: &Profile, actual: &Profile) -> Vec<Difference> {
    let mut strings = Strings::default();
    strings.reserve(expected.string_table.len() + actual.string_table.len());
    let a = ResolvedPprof::new(expected, &mut strings);
    let b = ResolvedPprof::new(actual, &mut strings);
    let mut content = ContentIds::default();
    let side = |s: Side| if s == Side::Expected { &a } else { &b };
    let mut report = Report::default();

    let ids = (a.mapping_ids.as_slice(), b.mapping_ids.as_slice());
    let mut mappings = Correspondence::new(ids.0.len(), ids.1.len());
    mappings.pair_equal(
        ids,
        |i, j| a.mappings[i] == b.mappings[j],
        |s, i| content.mapping(side(s), i),
    );
    table(&mut report, "mapping", &mappings, ids);

    let ids = (a.function_ids.as_slice(), b.function_ids.as_slice());
    let mut functions = Correspondence::new(ids.0.len(), ids.1.len());
    functions.pair_equal(
        ids,
        |i, j| a.functions[i] == b.functions[j],
        |s, i| content.function(side(s), i),
    );
    table(&mut report, "function", &functions, ids);

    let ids = (a.location_ids.as_slice(), b.location_ids.as_slice());
    let mut locations = Correspondence::new(ids.0.len(), ids.1.len());
    locations.pair_equal(
        ids,
        |i, j| location_content_equal(&a, i, &b, j),
        |s, i| content.location(side(s), i),
    );
    table(&mut report, "location", &locations, ids);

    layout(
        &mut report,
        "string_table",
        &expected.string_table,
        &actual.string_table,
    );
    report.finish()
}

/// See [`super::encoding_differences_otlp`].
pub(crate) fn otlp_differences(expected: &ProfilesData, actual: &ProfilesData) -> Vec<Difference> {
    let none = ProfilesDictionary::default();
    let a = expected.dictionary.as_ref().unwrap_or(&none);
    let b = actual.dictionary.as_ref().unwrap_or(&none);
    let mut report = Report::default();
    let r = &mut report;
    layout(
        r,
        "dictionary.string_table",
        &a.string_table,
        &b.string_table,
    );
    layout(
        r,
        "dictionary.mapping_table",
        &a.mapping_table,
        &b.mapping_table,
    );
    layout(
        r,
        "dictionary.location_table",
        &a.location_table,
        &b.location_table,
    );
    layout(
        r,
        "dictionary.function_table",
        &a.function_table,
        &b.function_table,
    );
    layout(r, "dictionary.stack_table", &a.stack_table, &b.stack_table);
    layout(
        r,
        "dictionary.attribute_table",
        &a.attribute_table,
        &b.attribute_table,
    );
    layout(r, "dictionary.link_table", &a.link_table, &b.link_table);
    report.finish()
}

/// Reports a table whose entries are not the same, index by index: the indices that refer into
/// it are then encoded differently, whatever the content they resolve to.
fn layout<T: PartialEq>(report: &mut Report, name: &str, a: &[T], b: &[T]) {
    if a == b {
        return;
    }
    let detail = if a.len() != b.len() {
        format!("{} entries, actual {}", a.len(), b.len())
    } else {
        let k = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
        format!("{} entries, first difference at index {k}", a.len())
    };
    report.encoding(name.to_owned(), "layout", detail);
}

/// Reports renumbered ids among entries of equal content, and a reordered table when both
/// tables hold the same entries.
fn table(report: &mut Report, name: &str, c: &Correspondence, (a_ids, b_ids): (&[u64], &[u64])) {
    let paired: Vec<(usize, usize)> = c
        .a_to_b
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j as usize)))
        .collect();
    let renumbered: Vec<&(usize, usize)> = paired
        .iter()
        .filter(|&&(i, j)| a_ids[i] != b_ids[j])
        .collect();
    if let Some(&&(i, j)) = renumbered.first() {
        report.encoding(
            format!("{name}.id"),
            "renumbered",
            format!(
                "{} of {} ids differ, first {name}[{i}]: id {} is {} in actual",
                renumbered.len(),
                paired.len(),
                a_ids[i],
                b_ids[j]
            ),
        );
    }
    let same_multiset = a_ids.len() == b_ids.len() && paired.len() == a_ids.len();
    let moved: Vec<&(usize, usize)> = paired.iter().filter(|&&(i, j)| i != j).collect();
    if same_multiset && let Some(&&(i, j)) = moved.first() {
        report.encoding(
            name.to_owned(),
            "order",
            format!(
                "{} of {} entries moved, first {name}[{i}] is at [{j}] in actual",
                moved.len(),
                paired.len()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pprof::{Function, Line, Location, Mapping, Sample, ValueType};
    use crate::roundtrip::DifferenceKind;

    /// Two functions, two locations, one mapping, one sample using both locations.
    fn profile() -> Profile {
        let strings = ["", "cpu", "nanoseconds", "/bin/app", "main", "work"];
        let location = |id: u64, address: u64, function_id: u64| Location {
            id,
            mapping_id: 1,
            address,
            line: vec![Line {
                function_id,
                line: 3,
                column: 0,
            }],
            is_folded: false,
        };
        let function = |id: u64, name: i64| Function {
            id,
            name,
            system_name: name,
            filename: 0,
            start_line: 0,
        };
        Profile {
            sample_type: vec![ValueType { r#type: 1, unit: 2 }],
            sample: vec![Sample {
                location_id: vec![2, 1],
                value: vec![10],
                label: vec![],
            }],
            mapping: vec![Mapping {
                id: 1,
                memory_start: 0x1000,
                memory_limit: 0x2000,
                filename: 3,
                ..Mapping::default()
            }],
            location: vec![location(1, 0x1010, 1), location(2, 0x1020, 2)],
            function: vec![function(1, 4), function(2, 5)],
            string_table: strings.iter().map(|s| s.as_bytes().to_vec()).collect(),
            ..Profile::default()
        }
    }

    fn summary(d: &[Difference]) -> Vec<(&str, &str)> {
        assert!(d.iter().all(|d| d.kind == DifferenceKind::Encoding));
        d.iter()
            .map(|d| (d.path.as_str(), d.expected.as_str()))
            .collect()
    }

    #[test]
    fn a_profile_has_no_encoding_differences_with_itself() {
        assert!(differences(&profile(), &profile()).is_empty());
    }

    #[test]
    fn renumbered_ids_are_named_per_table() {
        let mut p = profile();
        for f in &mut p.function {
            f.id += 10;
        }
        for l in &mut p.location {
            l.line[0].function_id += 10;
            l.id *= 100;
        }
        p.sample[0].location_id = vec![200, 100];
        let d = differences(&profile(), &p);
        assert_eq!(
            summary(&d),
            [("function.id", "renumbered"), ("location.id", "renumbered")]
        );
        assert_eq!(
            d[1].to_string(),
            "location.id: renumbered (encoding): 2 of 2 ids differ, first location[0]: id 1 is 100 in actual"
        );
    }

    #[test]
    fn another_string_table_is_layout() {
        let mut p = profile();
        p.string_table.push(b"unused".to_vec());
        let d = differences(&profile(), &p);
        assert_eq!(summary(&d), [("string_table", "layout")]);
        assert_eq!(d[0].actual, "6 entries, actual 7");
    }

    #[test]
    fn the_same_entries_in_another_order_are_order() {
        let mut p = profile();
        p.location.swap(0, 1);
        p.function.swap(0, 1);
        let d = differences(&profile(), &p);
        assert_eq!(summary(&d), [("function", "order"), ("location", "order")]);
        assert_eq!(
            d[1].actual,
            "2 of 2 entries moved, first location[0] is at [1] in actual"
        );
    }

    #[test]
    fn changed_content_is_not_encoding() {
        let mut p = profile();
        p.location[0].address = 0x1030;
        p.location.swap(0, 1);
        assert!(differences(&profile(), &p).is_empty());
    }
}
