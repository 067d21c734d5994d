//! Semantic comparison of pprof profiles: what is information (and must be reported, exactly
//! once, at a precise path) and what is encoding (and must never be reported).

use pprotel::pprof::{Function, Label, Location, Profile, ValueType};
use pprotel::roundtrip::{Difference, DifferenceKind, compare_pprof, semantically_equal};

use crate::util;

/// A profile for tests that need one; `None` (skip) only when the corpus is absent.
fn some_profile(pick: impl Fn(&Profile) -> bool) -> Option<&'static (String, Profile)> {
    let found = util::corpus_pprofs().iter().find(|(_, p)| pick(p));
    assert!(
        found.is_some() || util::corpus_pprofs().is_empty(),
        "no corpus profile fits"
    );
    found
}

fn render(differences: &[Difference]) -> String {
    differences
        .iter()
        .map(|d| format!("  {d}\n"))
        .collect::<String>()
}

fn assert_equal(name: &str, what: &str, expected: &Profile, actual: &Profile) {
    let differences = compare_pprof(expected, actual);
    assert!(
        differences.is_empty(),
        "{name}: {what} must be semantically equal, got:\n{}",
        render(&differences)
    );
    assert!(semantically_equal(expected, actual), "{name}: {what}");
}

// ---------------------------------------------------------------------------------------------
// Encoding transformations: each keeps every piece of information.

/// Applies `f` to every string-table index the profile holds.
fn map_string_indices(p: &mut Profile, f: &mut dyn FnMut(i64) -> i64) {
    for vt in &mut p.sample_type {
        vt.r#type = f(vt.r#type);
        vt.unit = f(vt.unit);
    }
    for s in &mut p.sample {
        for l in &mut s.label {
            l.key = f(l.key);
            l.str = f(l.str);
            l.num_unit = f(l.num_unit);
        }
    }
    for m in &mut p.mapping {
        m.filename = f(m.filename);
        m.build_id = f(m.build_id);
    }
    for func in &mut p.function {
        func.name = f(func.name);
        func.system_name = f(func.system_name);
        func.filename = f(func.filename);
    }
    p.drop_frames = f(p.drop_frames);
    p.keep_frames = f(p.keep_frames);
    if let Some(vt) = &mut p.period_type {
        vt.r#type = f(vt.r#type);
        vt.unit = f(vt.unit);
    }
    for c in &mut p.comment {
        *c = f(*c);
    }
    p.default_sample_type = f(p.default_sample_type);
    p.doc_url = f(p.doc_url);
}

/// Every mapping, location and function id (and every reference to one) becomes `7 * id + 3`;
/// id 0 ("none") stays 0.
fn renumber_ids(p: &Profile) -> Profile {
    let f = |id: u64| {
        if id == 0 {
            0
        } else {
            id.wrapping_mul(7).wrapping_add(3)
        }
    };
    let mut q = p.clone();
    for m in &mut q.mapping {
        m.id = f(m.id);
    }
    for func in &mut q.function {
        func.id = f(func.id);
    }
    for l in &mut q.location {
        l.id = f(l.id);
        l.mapping_id = f(l.mapping_id);
        for line in &mut l.line {
            line.function_id = f(line.function_id);
        }
    }
    for s in &mut q.sample {
        for id in &mut s.location_id {
            *id = f(*id);
        }
    }
    q
}

/// The string table reversed with every string (the leading "" included) present twice;
/// successive references to one string alternate between its two copies.
fn permute_strings(p: &Profile) -> Profile {
    let mut q = p.clone();
    let n = p.string_table.len();
    let mut table = vec![Vec::new()];
    let mut copies = vec![(0i64, 0i64); n];
    for old in (0..n).rev() {
        let first = table.len() as i64;
        table.push(p.string_table[old].clone());
        table.push(p.string_table[old].clone());
        copies[old] = (first, first + 1);
    }
    let mut use_second = false;
    map_string_indices(&mut q, &mut |i| {
        let Some(&(first, second)) = usize::try_from(i).ok().and_then(|i| copies.get(i)) else {
            return i;
        };
        use_second = !use_second;
        if use_second { second } else { first }
    });
    q.string_table = table;
    q
}

/// Mapping, location and function tables in reverse order.
fn reverse_tables(p: &Profile) -> Profile {
    let mut q = p.clone();
    q.mapping.reverse();
    q.location.reverse();
    q.function.reverse();
    q
}

#[test]
fn every_corpus_profile_equals_itself() {
    for (name, p) in util::corpus_pprofs() {
        assert_equal(name, "itself", p, p);
        assert_equal(name, "a clone", p, &p.clone());
    }
}

#[test]
fn renumbered_ids_are_not_information() {
    for (name, p) in util::corpus_pprofs() {
        let q = renumber_ids(p);
        assert_equal(name, "ids renumbered", p, &q);
        assert_equal(name, "ids renumbered (reversed roles)", &q, p);
    }
}

#[test]
fn string_table_layout_and_duplicates_are_not_information() {
    for (name, p) in util::corpus_pprofs() {
        let q = permute_strings(p);
        assert_ne!(p.string_table, q.string_table);
        assert_equal(name, "string table permuted with duplicates", p, &q);
        assert_equal(name, "string table permuted (reversed roles)", &q, p);
    }
}

#[test]
fn table_order_is_not_information() {
    for (name, p) in util::corpus_pprofs() {
        assert_equal(name, "tables reversed", p, &reverse_tables(p));
    }
}

#[test]
fn all_encoding_changes_at_once_are_not_information() {
    for (name, p) in util::corpus_pprofs() {
        let q = reverse_tables(&permute_strings(&renumber_ids(p)));
        assert_equal(name, "renumbered, permuted, reversed", p, &q);
    }
}

#[test]
fn default_sample_type_index_zero_equals_an_index_naming_empty() {
    let Some((name, p)) = some_profile(|p| p.default_sample_type == 0) else {
        return;
    };
    let mut q = p.clone();
    q.string_table.push(Vec::new());
    q.default_sample_type = q.string_table.len() as i64 - 1;
    assert_equal(name, "default_sample_type naming a second \"\"", p, &q);
}

#[test]
fn absent_period_type_equals_empty_period_type() {
    let Some((name, p)) = some_profile(|p| p.period_type.is_none()) else {
        return;
    };
    let mut q = p.clone();
    q.period_type = Some(ValueType { r#type: 0, unit: 0 });
    assert_equal(name, "period_type (\"\", \"\")", p, &q);
    q.period_type = Some(ValueType { r#type: 1, unit: 0 });
    let differences = compare_pprof(p, &q);
    assert_eq!(paths(&differences), ["period_type"], "{name}");
}

#[test]
fn label_order_across_keys_is_not_information() {
    let mut applied = 0;
    for (name, p) in util::corpus_pprofs() {
        let mut q = p.clone();
        let mut changed = false;
        for s in &mut q.sample {
            if s.label.len() >= 2 && s.label[0].key != s.label[1].key {
                s.label.swap(0, 1);
                changed = true;
            }
        }
        if changed {
            assert_equal(name, "labels of different keys reordered", p, &q);
            applied += 1;
        }
    }
    assert!(
        applied > 0 || util::corpus_pprofs().is_empty(),
        "no sample with two label keys"
    );
}

#[test]
fn references_to_identical_duplicate_entries_are_interchangeable() {
    // Both profiles hold function k twice (the copy under a new id); in the actual one, a
    // location names the copy instead of the original. Content is the same everywhere.
    let mut applied = 0;
    for (name, p) in util::corpus_pprofs() {
        let Some(l) = location_with_line(p) else {
            continue;
        };
        let original = p.location[l].line[0].function_id;
        let Some(k) = p.function.iter().position(|f| f.id == original) else {
            continue;
        };
        let mut a = p.clone();
        let mut copy = a.function[k];
        copy.id = a.function.iter().map(|f| f.id).max().unwrap() + 1;
        a.function.push(copy);
        let mut b = a.clone();
        b.location[l].line[0].function_id = copy.id;
        assert_equal(
            name,
            "line naming an identical copy of its function",
            &a,
            &b,
        );
        applied += 1;
    }
    assert!(applied > 0 || util::corpus_pprofs().is_empty());
}

#[test]
fn same_key_label_order_is_information() {
    let Some((name, p)) = some_profile(|p| !p.sample.is_empty()) else {
        return;
    };
    let (mut a, mut b) = (p.clone(), p.clone());
    let key = add_string(&mut a, b"pprotel.key");
    let (x, y) = (add_string(&mut a, b"x"), add_string(&mut a, b"y"));
    b.string_table = a.string_table.clone();
    let label = |v| Label {
        key,
        str: v,
        num: 0,
        num_unit: 0,
    };
    a.sample[0].label.extend([label(x), label(y)]);
    b.sample[0].label.extend([label(y), label(x)]);
    let differences = compare_pprof(&a, &b);
    assert_eq!(
        differences,
        [Difference {
            path: "sample[0].label[\"pprotel.key\"]".into(),
            kind: DifferenceKind::Changed,
            expected: "\"pprotel.key\"=\"x\", \"pprotel.key\"=\"y\"".into(),
            actual: "\"pprotel.key\"=\"y\", \"pprotel.key\"=\"x\"".into(),
        }],
        "{name}"
    );
}

// ---------------------------------------------------------------------------------------------
// Mutations: each loses or changes one piece of information and must be reported exactly once.

/// One difference a mutation must produce; values are checked when given.
struct Want {
    path: String,
    kind: DifferenceKind,
    values: Option<(String, String)>,
}

fn changed(path: impl Into<String>) -> Want {
    Want {
        path: path.into(),
        kind: DifferenceKind::Changed,
        values: None,
    }
}

fn changed_to(path: impl Into<String>, expected: impl ToString, actual: impl ToString) -> Want {
    Want {
        path: path.into(),
        kind: DifferenceKind::Changed,
        values: Some((expected.to_string(), actual.to_string())),
    }
}

fn paths(differences: &[Difference]) -> Vec<&str> {
    differences.iter().map(|d| d.path.as_str()).collect()
}

/// Appends a string to the table and returns its index.
fn add_string(p: &mut Profile, s: &[u8]) -> i64 {
    p.string_table.push(s.to_vec());
    p.string_table.len() as i64 - 1
}

/// A string as reports quote it, for plain ASCII test values and corpus strings.
fn quoted(p: &Profile, i: i64) -> String {
    format!(
        "{:?}",
        String::from_utf8(p.string_table[i as usize].clone()).unwrap()
    )
}

/// Runs `mutate` on copies (expected, actual) of every corpus profile it applies to (it
/// returns `None` where the profile lacks the field) and asserts the comparison reports exactly
/// the wanted differences, in order.
fn assert_mutation(what: &str, mutate: impl Fn(&mut Profile, &mut Profile) -> Option<Vec<Want>>) {
    let mut applied = 0;
    for (name, p) in util::corpus_pprofs() {
        let (mut a, mut b) = (p.clone(), p.clone());
        let Some(wants) = mutate(&mut a, &mut b) else {
            continue;
        };
        applied += 1;
        assert_differences(&format!("{name}: {what}"), &a, &b, &wants);
        // The same loss must read the same whatever the actual side's encoding: ids and string
        // table layout are not information, and paths name the expected side's positions.
        let reencoded = permute_strings(&renumber_ids(&b));
        assert_differences(
            &format!("{name}: {what} (re-encoded)"),
            &a,
            &reencoded,
            &wants,
        );
    }
    assert!(
        applied > 0 || util::corpus_pprofs().is_empty(),
        "{what}: no corpus profile has the field"
    );
}

/// Asserts that comparing `a` with `b` reports exactly `wants`, in order.
fn assert_differences(context: &str, a: &Profile, b: &Profile, wants: &[Want]) {
    let differences = compare_pprof(a, b);
    let context = format!("{context}: got\n{}", render(&differences));
    assert_eq!(
        paths(&differences),
        wants.iter().map(|w| w.path.as_str()).collect::<Vec<_>>(),
        "{context}"
    );
    for (d, want) in differences.iter().zip(wants) {
        assert_eq!(d.kind, want.kind, "{context}");
        if let Some((expected, actual)) = &want.values {
            assert_eq!((&d.expected, &d.actual), (expected, actual), "{context}");
        }
    }
    assert!(!semantically_equal(a, b), "{context}");
}

/// The leaf location of the first sample (a location samples use), by table position.
fn leaf_location(p: &Profile) -> Option<usize> {
    let id = *p.sample.first()?.location_id.first()?;
    p.location.iter().position(|l| l.id == id)
}

/// The first location with a line, preferring one samples use.
fn location_with_line(p: &Profile) -> Option<usize> {
    leaf_location(p)
        .filter(|&i| !p.location[i].line.is_empty())
        .or_else(|| p.location.iter().position(|l| !l.line.is_empty()))
}

/// The function of a used location's first line.
fn used_function(p: &Profile) -> Option<usize> {
    let l = location_with_line(p)?;
    let id = p.location[l].line[0].function_id;
    p.function.iter().position(|f| f.id == id)
}

#[test]
fn changed_function_under_a_reordered_renumbered_location_table_is_one_difference() {
    // Locations that only differ through the renamed function must pair through the function
    // pairing, even though neither their position nor their id matches any more.
    assert_mutation(
        "function renamed, locations reversed and renumbered",
        |a, b| {
            let i = used_function(a)?;
            for l in &mut b.location {
                l.id = l.id * 7 + 3;
            }
            for id in b.sample.iter_mut().flat_map(|s| &mut s.location_id) {
                *id = *id * 7 + 3;
            }
            b.location.reverse();
            b.function[i].name = add_string(b, b"pprotel::renamed");
            Some(vec![changed(format!("function[{i}].name"))])
        },
    );
}

#[test]
fn mutated_sample_value_is_reported() {
    assert_mutation("sample value", |_, b| {
        let v = b.sample.first_mut()?.value.first_mut()?;
        let old = *v;
        *v = old.wrapping_add(1);
        Some(vec![changed_to(
            "sample[0].value[0]",
            old,
            old.wrapping_add(1),
        )])
    });
}

/// The first (sample, label) whose label satisfies `pick` and whose key is unique in its sample.
fn find_label(p: &Profile, pick: impl Fn(&Label) -> bool) -> Option<(usize, usize)> {
    p.sample.iter().enumerate().find_map(|(i, s)| {
        s.label
            .iter()
            .position(|l| pick(l) && s.label.iter().filter(|m| m.key == l.key).count() == 1)
            .map(|k| (i, k))
    })
}

fn label_path(p: &Profile, sample: usize, key: i64) -> String {
    format!("sample[{sample}].label[{}]", quoted(p, key))
}

#[test]
fn mutated_label_key_is_reported_once() {
    assert_mutation("label key", |a, b| {
        let (i, k) = find_label(a, |_| true)?;
        let key = add_string(b, b"pprotel.renamed");
        let old_key = a.sample[i].label[k].key;
        b.sample[i].label[k].key = key;
        Some(vec![changed(label_path(a, i, old_key))])
    });
}

#[test]
fn mutated_label_str_is_reported() {
    assert_mutation("label str", |a, b| {
        let (i, k) = find_label(a, |l| l.str != 0)?;
        let value = add_string(b, b"pprotel-mutated");
        let label = a.sample[i].label[k];
        b.sample[i].label[k].str = value;
        let key = quoted(a, label.key);
        Some(vec![changed_to(
            label_path(a, i, label.key),
            format!("{key}={}", quoted(a, label.str)),
            format!("{key}=\"pprotel-mutated\""),
        )])
    });
}

#[test]
fn mutated_label_num_is_reported() {
    assert_mutation("label num", |a, b| {
        let (i, k) = find_label(a, |l| l.num != 0 && l.str == 0 && l.num_unit == 0)?;
        let label = a.sample[i].label[k];
        b.sample[i].label[k].num = label.num.wrapping_add(1);
        let key = quoted(a, label.key);
        Some(vec![changed_to(
            label_path(a, i, label.key),
            format!("{key}={}", label.num),
            format!("{key}={}", label.num.wrapping_add(1)),
        )])
    });
}

#[test]
fn mutated_label_num_unit_is_reported() {
    // No corpus profile sets num_unit: give a numeric label a unit on both sides, then change
    // the actual side's.
    assert_mutation("label num_unit", |a, b| {
        let (i, k) = find_label(a, |l| l.num != 0 && l.str == 0)?;
        let bytes = add_string(a, b"bytes");
        let kib = add_string(a, b"kilobytes");
        b.string_table = a.string_table.clone();
        a.sample[i].label[k].num_unit = bytes;
        b.sample[i].label[k].num_unit = kib;
        let label = a.sample[i].label[k];
        let key = quoted(a, label.key);
        Some(vec![changed_to(
            label_path(a, i, label.key),
            format!("{key}={} \"bytes\"", label.num),
            format!("{key}={} \"kilobytes\"", label.num),
        )])
    });
}

#[test]
fn mutated_location_address_is_reported_once_not_per_sample() {
    assert_mutation("location address", |a, b| {
        let i = leaf_location(a)?;
        let old = a.location[i].address;
        b.location[i].address = old.wrapping_add(1);
        Some(vec![changed_to(
            format!("location[{i}].address"),
            format!("{old:#x}"),
            format!("{:#x}", old.wrapping_add(1)),
        )])
    });
}

#[test]
fn mutated_line_number_is_reported() {
    assert_mutation("line number", |a, b| {
        let i = location_with_line(a)?;
        let old = a.location[i].line[0].line;
        b.location[i].line[0].line = old + 1_000_000;
        Some(vec![changed_to(
            format!("location[{i}].line[0].line"),
            old,
            old + 1_000_000,
        )])
    });
}

#[test]
fn mutated_line_column_is_reported() {
    // No corpus profile has columns: set one on both sides, then change the actual side's.
    assert_mutation("line column", |a, b| {
        let i = location_with_line(a)?;
        a.location[i].line[0].column = 7;
        b.location[i].line[0].column = 8;
        Some(vec![changed_to(
            format!("location[{i}].line[0].column"),
            7,
            8,
        )])
    });
}

#[test]
fn line_pointing_at_another_function_is_reported() {
    assert_mutation("line function", |a, b| {
        let i = location_with_line(a)?;
        let old = a.location[i].line[0].function_id;
        let other = a.function.iter().find(|f| {
            f.id != old && {
                let g = a.function.iter().find(|g| g.id == old);
                g.is_some_and(|g| {
                    (g.name, g.system_name, g.filename) != (f.name, f.system_name, f.filename)
                })
            }
        })?;
        b.location[i].line[0].function_id = other.id;
        Some(vec![changed(format!("location[{i}].line[0].function"))])
    });
}

#[test]
fn mutated_is_folded_is_reported() {
    assert_mutation("is_folded", |a, b| {
        let i = leaf_location(a)?;
        let old = a.location[i].is_folded;
        b.location[i].is_folded = !old;
        Some(vec![changed_to(
            format!("location[{i}].is_folded"),
            old,
            !old,
        )])
    });
}

/// Mutates one string field of the most-used function and expects exactly that path.
fn assert_function_string_mutation(field: &'static str, get: fn(&mut Function) -> &mut i64) {
    assert_mutation(&format!("function {field}"), |a, b| {
        let i = used_function(a)?;
        let new = add_string(b, b"pprotel::mutated");
        let old = *get(&mut a.function[i]);
        *get(&mut b.function[i]) = new;
        Some(vec![changed_to(
            format!("function[{i}].{field}"),
            quoted(a, old),
            "\"pprotel::mutated\"",
        )])
    });
}

#[test]
fn mutated_function_name_is_reported_once_not_per_location() {
    assert_function_string_mutation("name", |f| &mut f.name);
}

#[test]
fn mutated_function_system_name_is_reported() {
    assert_function_string_mutation("system_name", |f| &mut f.system_name);
}

#[test]
fn mutated_function_filename_is_reported() {
    assert_function_string_mutation("filename", |f| &mut f.filename);
}

#[test]
fn mutated_function_start_line_is_reported() {
    assert_mutation("function start_line", |a, b| {
        let i = used_function(a)?;
        let old = a.function[i].start_line;
        b.function[i].start_line = old + 1_000_000;
        Some(vec![changed_to(
            format!("function[{i}].start_line"),
            old,
            old + 1_000_000,
        )])
    });
}

#[test]
fn mutated_mapping_fields_are_reported_each_at_its_path() {
    type Mutate = fn(&mut pprotel::pprof::Mapping, i64);
    let cases: [(&str, Mutate); 9] = [
        ("memory_start", |m, _| m.memory_start ^= 0x1000),
        ("memory_limit", |m, _| m.memory_limit ^= 0x1000),
        ("file_offset", |m, _| m.file_offset ^= 0x1000),
        ("filename", |m, s| m.filename = s),
        ("build_id", |m, s| m.build_id = s),
        ("has_functions", |m, _| m.has_functions ^= true),
        ("has_filenames", |m, _| m.has_filenames ^= true),
        ("has_line_numbers", |m, _| m.has_line_numbers ^= true),
        ("has_inline_frames", |m, _| m.has_inline_frames ^= true),
    ];
    for (field, mutate) in cases {
        assert_mutation(&format!("mapping {field}"), |a, b| {
            let i = a.mapping.len().checked_sub(1)?;
            let s = add_string(b, b"pprotel-mutated");
            mutate(&mut b.mapping[i], s);
            Some(vec![changed(format!("mapping[{i}].{field}"))])
        });
    }
}

#[test]
fn mutated_mapping_range_is_reported_in_hex() {
    assert_mutation("mapping range", |a, b| {
        let m = a.mapping.first()?;
        b.mapping[0].memory_limit = m.memory_limit + 0x1000;
        Some(vec![changed_to(
            "mapping[0].memory_limit",
            format!("{:#x}", m.memory_limit),
            format!("{:#x}", m.memory_limit + 0x1000),
        )])
    });
}

#[test]
fn mutated_comment_is_reported() {
    // No corpus profile has comments: give both sides two, then change one.
    assert_mutation("comment", |a, b| {
        let first = add_string(a, b"first");
        let second = add_string(a, b"");
        let other = add_string(a, b"other");
        b.string_table = a.string_table.clone();
        a.comment = vec![first, second];
        b.comment = vec![first, other];
        Some(vec![changed_to("comment[1]", "\"\"", "\"other\"")])
    });
}

#[test]
fn lost_comment_is_reported_as_count() {
    assert_mutation("comment count", |a, b| {
        let first = add_string(a, b"first");
        b.string_table = a.string_table.clone();
        a.comment = vec![first, 0];
        b.comment = vec![first];
        Some(vec![Want {
            path: "comment".into(),
            kind: DifferenceKind::Count,
            values: Some(("2".into(), "1".into())),
        }])
    });
}

/// Points a string field of the actual side at a new string; expects exactly that path.
fn assert_profile_string_mutation(field: &'static str, get: fn(&mut Profile) -> &mut i64) {
    assert_mutation(field, |a, b| {
        let new = add_string(b, b"pprotel-mutated");
        let old = *get(a);
        *get(b) = new;
        Some(vec![changed_to(
            field,
            quoted(a, old),
            "\"pprotel-mutated\"",
        )])
    });
}

#[test]
fn mutated_drop_frames_is_reported() {
    assert_profile_string_mutation("drop_frames", |p| &mut p.drop_frames);
}

#[test]
fn mutated_keep_frames_is_reported() {
    assert_profile_string_mutation("keep_frames", |p| &mut p.keep_frames);
}

#[test]
fn mutated_doc_url_is_reported() {
    assert_profile_string_mutation("doc_url", |p| &mut p.doc_url);
}

#[test]
fn mutated_default_sample_type_is_reported() {
    assert_profile_string_mutation("default_sample_type", |p| &mut p.default_sample_type);
}

#[test]
fn mutated_time_duration_and_period_are_reported() {
    type Get = fn(&mut Profile) -> &mut i64;
    let cases: [(&str, Get); 3] = [
        ("time_nanos", |p| &mut p.time_nanos),
        ("duration_nanos", |p| &mut p.duration_nanos),
        ("period", |p| &mut p.period),
    ];
    for (field, get) in cases {
        assert_mutation(field, |a, b| {
            let old = *get(a);
            *get(b) = old.wrapping_add(1);
            Some(vec![changed_to(field, old, old.wrapping_add(1))])
        });
    }
}

#[test]
fn mutated_period_type_is_reported() {
    assert_mutation("period_type", |a, b| {
        let unit = add_string(b, b"pprotel-unit");
        let vt = b
            .period_type
            .get_or_insert(ValueType { r#type: 0, unit: 0 });
        vt.unit = unit;
        let old_type = a.period_type.map_or(0, |vt| vt.r#type);
        let old_unit = a.period_type.map_or(0, |vt| vt.unit);
        Some(vec![changed_to(
            "period_type",
            format!("({}, {})", quoted(a, old_type), quoted(a, old_unit)),
            format!("({}, \"pprotel-unit\")", quoted(a, old_type)),
        )])
    });
}

#[test]
fn mutated_sample_type_is_reported() {
    assert_mutation("sample_type", |a, b| {
        let k = a.sample_type.len().checked_sub(1)?;
        let new = add_string(b, b"pprotel-type");
        b.sample_type[k].r#type = new;
        let vt = a.sample_type[k];
        Some(vec![changed_to(
            format!("sample_type[{k}]"),
            format!("({}, {})", quoted(a, vt.r#type), quoted(a, vt.unit)),
            format!("(\"pprotel-type\", {})", quoted(a, vt.unit)),
        )])
    });
}

#[test]
fn swapped_samples_are_reported_at_both_positions() {
    let mut applied = 0;
    for (name, p) in util::corpus_pprofs() {
        let Some(j) = (1..p.sample.len()).find(|&j| p.sample[j] != p.sample[0]) else {
            continue;
        };
        let mut q = p.clone();
        q.sample.swap(0, j);
        let differences = compare_pprof(p, &q);
        let (first, second) = ("sample[0].".to_string(), format!("sample[{j}]."));
        assert!(
            differences
                .iter()
                .all(|d| d.path.starts_with(&first) || d.path.starts_with(&second)),
            "{name}: only samples 0 and {j} may differ, got\n{}",
            render(&differences)
        );
        assert!(
            differences.iter().any(|d| d.path.starts_with(&first)),
            "{name}"
        );
        assert!(
            differences.iter().any(|d| d.path.starts_with(&second)),
            "{name}"
        );
        applied += 1;
    }
    assert!(applied > 0 || util::corpus_pprofs().is_empty());
}

#[test]
fn lost_sample_is_reported_as_count() {
    assert_mutation("sample count", |a, b| {
        b.sample.pop()?;
        Some(vec![Want {
            path: "sample".into(),
            kind: DifferenceKind::Count,
            values: Some((a.sample.len().to_string(), b.sample.len().to_string())),
        }])
    });
}

#[test]
fn added_unreferenced_function_is_reported_as_only_in_actual() {
    assert_mutation("added function", |a, b| {
        let name = add_string(b, b"pprotel.orphan");
        let id = b.function.iter().map(|f| f.id).max().unwrap_or(0) + 1;
        b.function.push(Function {
            id,
            name,
            system_name: 0,
            filename: 0,
            start_line: 42,
        });
        Some(vec![Want {
            path: format!("function[{}]", a.function.len()),
            kind: DifferenceKind::OnlyInActual,
            values: Some((
                String::new(),
                "{name: \"pprotel.orphan\", system_name: \"\", filename: \"\", start_line: 42}"
                    .into(),
            )),
        }])
    });
}

#[test]
fn dropped_unreferenced_function_is_reported_as_only_in_expected() {
    assert_mutation("dropped orphan function", |a, b| {
        let name = add_string(a, b"pprotel.orphan");
        b.string_table = a.string_table.clone();
        let id = a.function.iter().map(|f| f.id).max().unwrap_or(0) + 1;
        a.function.insert(
            0,
            Function {
                id,
                name,
                system_name: 0,
                filename: 0,
                start_line: 0,
            },
        );
        Some(vec![Want {
            path: "function[0]".into(),
            kind: DifferenceKind::OnlyInExpected,
            values: None,
        }])
    });
}

#[test]
fn deduplicated_identical_locations_are_reported() {
    // The expected profile holds two identical locations (the second a copy under a new id,
    // used by the first sample's leaf frame); the actual one merged them. The samples still
    // resolve to the same content, so the only loss is the table entry.
    assert_mutation("location dedup", |a, _| {
        let i = leaf_location(a)?;
        let mut copy: Location = a.location[i].clone();
        copy.id = a.location.iter().map(|l| l.id).max().unwrap_or(0) + 1;
        a.sample[0].location_id[0] = copy.id;
        a.location.push(copy);
        Some(vec![Want {
            path: format!("location[{}]", a.location.len() - 1),
            kind: DifferenceKind::OnlyInExpected,
            values: None,
        }])
    });
}

#[test]
fn changed_function_in_reordered_table_pairs_by_id() {
    // Tables reversed, ids kept: the renamed function pairs with its old self by id. (With the
    // ids renumbered too, nothing says which entry it was: that reads as one function lost and
    // another added, by design.)
    let mut applied = 0;
    for (name, p) in util::corpus_pprofs() {
        let Some(i) = used_function(p) else {
            continue;
        };
        let mut b = reverse_tables(p);
        let j = b
            .function
            .iter()
            .position(|f| f.id == p.function[i].id)
            .unwrap();
        b.function[j].name = add_string(&mut b, b"pprotel::renamed");
        let wants = [changed(format!("function[{i}].name"))];
        assert_differences(&format!("{name}: renamed, reversed"), p, &b, &wants);
        applied += 1;
    }
    assert!(applied > 0 || util::corpus_pprofs().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Broken input: reported, never a panic.

#[test]
fn dangling_sample_location_id_is_reported_with_a_marker() {
    assert_mutation("dangling location id", |_, b| {
        let id = b.sample.first_mut()?.location_id.first_mut()?;
        *id = u64::MAX;
        Some(vec![changed("sample[0].location[0]")])
    });
    let Some((_, p)) = some_profile(|p| !p.location.is_empty() && !p.sample.is_empty()) else {
        return;
    };
    let mut b = p.clone();
    b.sample[0].location_id[0] = 999_999_999;
    let d = &compare_pprof(p, &b)[0];
    assert_eq!(d.actual, "<missing location id 999999999>");
    // Both sides dangling the same way: nothing to report, nothing to panic about.
    assert_equal("dangling", "itself", &b, &b);
}

#[test]
fn dangling_mapping_and_function_ids_are_reported_with_markers() {
    assert_mutation("dangling mapping and function ids", |a, b| {
        let i = location_with_line(a)?;
        b.location[i].mapping_id = 777_777;
        b.location[i].line[0].function_id = 888_888;
        Some(vec![
            Want {
                path: format!("location[{i}].mapping"),
                kind: DifferenceKind::Changed,
                values: None,
            },
            changed(format!("location[{i}].line[0].function")),
        ])
    });
    let Some((_, p)) = some_profile(|p| !p.location.is_empty() && !p.sample.is_empty()) else {
        return;
    };
    let mut b = p.clone();
    b.location[0].mapping_id = 777_777;
    let d = &compare_pprof(p, &b)[0];
    assert_eq!(d.actual, "<missing mapping id 777777>");
}

#[test]
fn out_of_range_string_indices_are_reported_with_markers() {
    for (name, p) in util::corpus_pprofs() {
        let mut b = p.clone();
        map_string_indices(&mut b, &mut |i| i + 1_000_000);
        b.default_sample_type = -5;
        let differences = compare_pprof(p, &b);
        assert!(!differences.is_empty(), "{name}");
        assert!(
            differences
                .iter()
                .any(|d| d.actual.contains("out of range")),
            "{name}: {}",
            render(&differences)
        );
        // Broken on both sides the same way: equal, and no panic.
        assert_equal(name, "broken string indices", &b, &b);
    }
}

#[test]
fn invalid_utf8_strings_are_compared_as_bytes_and_escaped() {
    let Some((name, p)) = some_profile(|p| !p.sample.is_empty()) else {
        return;
    };
    let (mut a, mut b) = (p.clone(), p.clone());
    a.drop_frames = add_string(&mut a, b"caf\xc3\xa9\xff");
    b.drop_frames = add_string(&mut b, b"caf\xc3\xa9\xfe");
    let differences = compare_pprof(&a, &b);
    assert_eq!(
        differences,
        [Difference {
            path: "drop_frames".into(),
            kind: DifferenceKind::Changed,
            expected: "\"café\\xff\"".into(),
            actual: "\"café\\xfe\"".into(),
        }],
        "{name}"
    );
    assert_eq!(
        differences[0].to_string(),
        "drop_frames: expected \"café\\xff\", actual \"café\\xfe\""
    );
}

#[test]
fn empty_profiles_compare_without_panic() {
    let empty = Profile {
        string_table: vec![Vec::new()],
        ..Profile::default()
    };
    assert_equal("empty", "itself", &empty, &empty);
    // Not even a string table: every index is out of range on both sides alike.
    let bare = Profile::default();
    assert_equal("bare", "itself", &bare, &bare);
    let Some((name, p)) = some_profile(|p| !p.sample.is_empty()) else {
        return;
    };
    let differences = compare_pprof(p, &empty);
    assert!(
        differences.iter().any(|d| d.path == "sample"),
        "{name}: {}",
        render(&differences)
    );
}

/// What `diff pprof otlp` compares: the pprof against the pprof the OTLP side translates to. A
/// change made on the OTLP side, in OTLP terms (dictionary entry `i + 1` is pprof entry `i`;
/// one OTLP Profile per sample type), is named by the pprof path of what it changed, and by
/// nothing else, for every corpus profile that has the field.
#[test]
fn changes_on_the_otlp_side_of_a_pprof_comparison_are_named_by_pprof_path() {
    use pprotel::otlp::mapping::{ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
    use pprotel::otlp::model::{ProfilesData, ProfilesDictionary};

    type Mutation = fn(&Profile, &mut ProfilesData) -> Option<Vec<String>>;
    fn dictionary(d: &mut ProfilesData) -> &mut ProfilesDictionary {
        d.dictionary.as_mut().unwrap()
    }
    let mutations: [(&str, Mutation); 6] = [
        ("address", |p, d| {
            let i = leaf_location(p)?;
            dictionary(d).location_table[i + 1].address ^= 0x10;
            Some(vec![format!("location[{i}].address")])
        }),
        ("line number", |p, d| {
            let i = location_with_line(p)?;
            dictionary(d).location_table[i + 1].lines[0].line += 1;
            Some(vec![format!("location[{i}].line[0].line")])
        }),
        ("function name", |p, d| {
            let i = used_function(p)?;
            let dict = dictionary(d);
            dict.string_table.push("pprotel::renamed".into());
            dict.function_table[i + 1].name_strindex = dict.string_table.len() as i32 - 1;
            Some(vec![format!("function[{i}].name")])
        }),
        ("mapping limit", |p, d| {
            let i = p.mapping.len().checked_sub(1)?;
            dictionary(d).mapping_table[i + 1].memory_limit += 0x1000;
            Some(vec![format!("mapping[{i}].memory_limit")])
        }),
        ("sample value", |p, d| {
            // OTLP Profile 0 is one pprof sample type; which one, its (type, unit) names.
            let strings = &d.dictionary.as_ref()?.string_table;
            let profile = &mut d.resource_profiles[0].scope_profiles[0].profiles[0];
            let vt = profile.sample_type?;
            let name = |i: i32| strings[i as usize].as_bytes().to_vec();
            let wanted = (name(vt.type_strindex), name(vt.unit_strindex));
            let text = |i: i64| p.string_table[i as usize].clone();
            let mut same = (0..p.sample_type.len()).filter(|&k| {
                (text(p.sample_type[k].r#type), text(p.sample_type[k].unit)) == wanted
            });
            let (Some(k), None) = (same.next(), same.next()) else {
                return None;
            };
            *profile.samples.first_mut()?.values.first_mut()? += 1;
            Some(vec![format!("sample[0].value[{k}]")])
        }),
        ("period", |_, d| {
            for p in &mut d.resource_profiles[0].scope_profiles[0].profiles {
                p.period += 1;
            }
            Some(vec!["period".to_owned()])
        }),
    ];
    for (what, mutate) in mutations {
        let mut applied = 0;
        for (name, p) in util::corpus_pprofs() {
            let mut otlp = pprof_to_otlp(p, &ToOtlpOptions::default()).unwrap();
            let Some(wanted) = mutate(p, &mut otlp) else {
                continue;
            };
            applied += 1;
            let mut back = otlp_to_pprof(&otlp).unwrap().outputs;
            assert_eq!(back.len(), 1, "{name}: {what}");
            let differences = compare_pprof(p, &back.remove(0).pprof);
            assert_eq!(
                paths(&differences),
                wanted,
                "{name}: {what}: got\n{}",
                render(&differences)
            );
            assert!(
                differences
                    .iter()
                    .all(|d| d.kind == DifferenceKind::Changed),
                "{name}: {what}: got\n{}",
                render(&differences)
            );
        }
        assert!(
            applied > 0 || util::corpus_pprofs().is_empty(),
            "{what}: no corpus profile has the field"
        );
    }
}
