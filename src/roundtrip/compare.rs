//! Semantic comparison of two pprof profiles (DESIGN.md, "Lossless, precisely").
//!
//! Order of work: resolve both sides against one interner; pair mapping, function and location
//! entries (see [`super::correspond`]); report the differing fields of changed pairs and the
//! entries only one side has; then compare the profile's own fields and every sample, with
//! references compared through the pairing so one changed entry is reported once, not at
//! every use.
//!
//! Report order is fixed: profile fields, mappings, functions, locations, samples.

use super::correspond::{Correspondence, Side, to_u32};
use super::difference::{Difference, Report, hex};
use super::resolve::{
    ContentIds, Interner, ResolvedLabel, ResolvedPprof, Str, Strings, Target,
    location_content_equal, render_label, same_target,
};
use crate::pprof::{Profile, Sample};

/// Compares `expected` with `actual`; see [`super::compare_pprof`].
pub(crate) fn compare(expected: &Profile, actual: &Profile) -> Vec<Difference> {
    let mut strings = Strings::default();
    strings.reserve(expected.string_table.len() + actual.string_table.len());
    let a = ResolvedPprof::new(expected, &mut strings);
    let b = ResolvedPprof::new(actual, &mut strings);
    let mut cmp = Comparison::new(&a, &b, &strings);
    cmp.profile_fields();
    cmp.mappings();
    cmp.functions();
    cmp.locations();
    cmp.samples();
    cmp.report.finish()
}

/// Both resolved profiles, the pairing of their tables, and the report being written.
struct Comparison<'c, 'p> {
    a: &'c ResolvedPprof<'p>,
    b: &'c ResolvedPprof<'p>,
    strings: &'c Strings<'p>,
    mappings: Correspondence,
    functions: Correspondence,
    locations: Correspondence,
    /// Every location resolves under its own id on both sides and is paired with the entry
    /// carrying the same id: equal location-id lists are then equal stacks, checked with one
    /// slice comparison instead of a lookup per frame (the usual case for a round trip).
    location_ids_stable: bool,
    report: Report,
}

/// A reference as seen for matching locations "through" the pairing: the expected side's
/// position of the referenced entry (or a position past the table for an unpaired actual
/// entry), so two locations whose references point at paired entries get the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PairedRef {
    None,
    Missing(u64),
    Class(u64),
}

/// A location's content with references as [`PairedRef`]s.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PairedLocationKey {
    mapping: PairedRef,
    address: u64,
    lines: Box<[(PairedRef, i64, i64)]>,
    is_folded: bool,
}

impl<'c, 'p> Comparison<'c, 'p> {
    fn new(a: &'c ResolvedPprof<'p>, b: &'c ResolvedPprof<'p>, strings: &'c Strings<'p>) -> Self {
        let mut ids = ContentIds::default();
        let side = |s: Side| if s == Side::Expected { a } else { b };

        let mut mappings = Correspondence::new(a.mappings.len(), b.mappings.len());
        let mapping_ids = (a.mapping_ids.as_slice(), b.mapping_ids.as_slice());
        mappings.pair_equal(
            mapping_ids,
            |i, j| a.mappings[i] == b.mappings[j],
            |s, i| ids.mapping(side(s), i),
        );
        mappings.pair_leftovers(mapping_ids);

        let mut functions = Correspondence::new(a.functions.len(), b.functions.len());
        let function_ids = (a.function_ids.as_slice(), b.function_ids.as_slice());
        functions.pair_equal(
            function_ids,
            |i, j| a.functions[i] == b.functions[j],
            |s, i| ids.function(side(s), i),
        );
        functions.pair_leftovers(function_ids);

        let mut locations = Correspondence::new(a.location_ids.len(), b.location_ids.len());
        let location_ids = (a.location_ids.as_slice(), b.location_ids.as_slice());
        locations.pair_equal(
            location_ids,
            |i, j| location_content_equal(a, i, b, j),
            |s, i| ids.location(side(s), i),
        );
        if locations.has_leftovers() {
            // Locations that differ only because a referenced mapping or function changed are
            // the same location: pair them through the mapping and function pairing.
            let classes = Classes {
                a,
                b,
                mappings: &mappings,
                functions: &functions,
            };
            let mut interner = Interner::default();
            locations.pair_equal(
                location_ids,
                |i, j| classes.equal(i, j),
                |s, i| interner.intern(classes.key(s, i)),
            );
        }
        locations.pair_leftovers(location_ids);
        let location_ids_stable = ids_stable(a, b, &locations);

        Comparison {
            a,
            b,
            strings,
            mappings,
            functions,
            locations,
            location_ids_stable,
            report: Report::default(),
        }
    }

    fn render(&self, s: Str) -> String {
        self.strings.render(s)
    }

    fn profile_fields(&mut self) {
        let (pa, pb) = (self.a.profile, self.b.profile);
        let value_type = |p: &ResolvedPprof<'_>, vt: &crate::pprof::ValueType| {
            (p.str(vt.r#type), p.str(vt.unit))
        };
        let render_vt =
            |s: &Strings<'_>, (t, u): (Str, Str)| format!("({}, {})", s.render(t), s.render(u));

        let types_a: Vec<(Str, Str)> = pa
            .sample_type
            .iter()
            .map(|vt| value_type(self.a, vt))
            .collect();
        let types_b: Vec<(Str, Str)> = pb
            .sample_type
            .iter()
            .map(|vt| value_type(self.b, vt))
            .collect();
        if types_a.len() != types_b.len() {
            self.report
                .count("sample_type".into(), types_a.len(), types_b.len());
        }
        for (k, (ta, tb)) in types_a.iter().zip(&types_b).enumerate() {
            if ta != tb {
                self.report.changed(
                    format!("sample_type[{k}]"),
                    render_vt(self.strings, *ta),
                    render_vt(self.strings, *tb),
                );
            }
        }

        self.string_field(
            "default_sample_type",
            pa.default_sample_type,
            pb.default_sample_type,
        );

        // An absent period_type reads as ("", "").
        let absent = (Str::EMPTY, Str::EMPTY);
        let pt_a = pa
            .period_type
            .as_ref()
            .map_or(absent, |vt| value_type(self.a, vt));
        let pt_b = pb
            .period_type
            .as_ref()
            .map_or(absent, |vt| value_type(self.b, vt));
        let strings = self.strings;
        self.report.scalar(
            || "period_type".into(),
            pt_a,
            pt_b,
            |vt| render_vt(strings, *vt),
        );
        self.report
            .scalar(|| "period".into(), pa.period, pb.period, i64::to_string);
        self.report.scalar(
            || "time_nanos".into(),
            pa.time_nanos,
            pb.time_nanos,
            i64::to_string,
        );
        self.report.scalar(
            || "duration_nanos".into(),
            pa.duration_nanos,
            pb.duration_nanos,
            i64::to_string,
        );
        self.string_field("drop_frames", pa.drop_frames, pb.drop_frames);
        self.string_field("keep_frames", pa.keep_frames, pb.keep_frames);
        self.string_field("doc_url", pa.doc_url, pb.doc_url);

        if pa.comment.len() != pb.comment.len() {
            self.report
                .count("comment".into(), pa.comment.len(), pb.comment.len());
        }
        for (k, (&ca, &cb)) in pa.comment.iter().zip(&pb.comment).enumerate() {
            let (sa, sb) = (self.a.str(ca), self.b.str(cb));
            if sa != sb {
                let (ea, eb) = (self.render(sa), self.render(sb));
                self.report.changed(format!("comment[{k}]"), ea, eb);
            }
        }
    }

    fn string_field(&mut self, path: &str, index_a: i64, index_b: i64) {
        let (sa, sb) = (self.a.str(index_a), self.b.str(index_b));
        if sa != sb {
            let (ea, eb) = (self.render(sa), self.render(sb));
            self.report.changed(path.to_owned(), ea, eb);
        }
    }

    fn mappings(&mut self) {
        for i in 0..self.a.mappings.len() {
            let Some(j) = self.mappings.a_to_b[i] else {
                let e = self.a.render_mapping(self.strings, i);
                self.report.only_in_expected(format!("mapping[{i}]"), e);
                continue;
            };
            let (ma, mb) = (self.a.mappings[i], self.b.mappings[j as usize]);
            if ma == mb {
                continue;
            }
            let strings = self.strings;
            let r = &mut self.report;
            let path = |field: &'static str| move || format!("mapping[{i}].{field}");
            let s = |v: &Str| strings.render(*v);
            let b = |v: &bool| v.to_string();
            let h = |v: &u64| hex(*v);
            r.scalar(path("memory_start"), ma.memory_start, mb.memory_start, h);
            r.scalar(path("memory_limit"), ma.memory_limit, mb.memory_limit, h);
            r.scalar(path("file_offset"), ma.file_offset, mb.file_offset, h);
            r.scalar(path("filename"), ma.filename, mb.filename, s);
            r.scalar(path("build_id"), ma.build_id, mb.build_id, s);
            r.scalar(path("has_functions"), ma.has_functions, mb.has_functions, b);
            r.scalar(path("has_filenames"), ma.has_filenames, mb.has_filenames, b);
            r.scalar(
                path("has_line_numbers"),
                ma.has_line_numbers,
                mb.has_line_numbers,
                b,
            );
            r.scalar(
                path("has_inline_frames"),
                ma.has_inline_frames,
                mb.has_inline_frames,
                b,
            );
        }
        for j in 0..self.b.mappings.len() {
            if self.mappings.b_to_a[j].is_none() {
                let e = self.b.render_mapping(self.strings, j);
                self.report.only_in_actual(format!("mapping[{j}]"), e);
            }
        }
    }

    fn functions(&mut self) {
        for i in 0..self.a.functions.len() {
            let Some(j) = self.functions.a_to_b[i] else {
                let e = self.a.render_function(self.strings, i);
                self.report.only_in_expected(format!("function[{i}]"), e);
                continue;
            };
            let (fa, fb) = (self.a.functions[i], self.b.functions[j as usize]);
            if fa == fb {
                continue;
            }
            let strings = self.strings;
            let r = &mut self.report;
            let path = |field: &'static str| move || format!("function[{i}].{field}");
            let s = |v: &Str| strings.render(*v);
            r.scalar(path("name"), fa.name, fb.name, s);
            r.scalar(path("system_name"), fa.system_name, fb.system_name, s);
            r.scalar(path("filename"), fa.filename, fb.filename, s);
            r.scalar(path("start_line"), fa.start_line, fb.start_line, |v| {
                v.to_string()
            });
        }
        for j in 0..self.b.functions.len() {
            if self.functions.b_to_a[j].is_none() {
                let e = self.b.render_function(self.strings, j);
                self.report.only_in_actual(format!("function[{j}]"), e);
            }
        }
    }

    /// Whether a location's mapping references agree: paired entries (whose differences the
    /// mapping table already reported) or equal content.
    fn same_mapping(&self, ta: Target, tb: Target) -> bool {
        same_target(ta, tb, |i, j| {
            self.mappings.a_to_b[i] == Some(to_u32(j)) || self.a.mappings[i] == self.b.mappings[j]
        })
    }

    /// Whether two line function references agree (see [`Self::same_mapping`]).
    fn same_function(&self, ta: Target, tb: Target) -> bool {
        same_target(ta, tb, |i, j| {
            self.functions.a_to_b[i] == Some(to_u32(j))
                || self.a.functions[i] == self.b.functions[j]
        })
    }

    /// Whether two sample frames agree (see [`Self::same_mapping`]).
    fn same_location(&self, ta: Target, tb: Target) -> bool {
        same_target(ta, tb, |i, j| {
            self.locations.a_to_b[i] == Some(to_u32(j))
                || location_content_equal(self.a, i, self.b, j)
        })
    }

    fn locations(&mut self) {
        for i in 0..self.a.location_ids.len() {
            let Some(j) = self.locations.a_to_b[i] else {
                let e = self.a.render_location(self.strings, i);
                self.report.only_in_expected(format!("location[{i}]"), e);
                continue;
            };
            let j = j as usize;
            if location_content_equal(self.a, i, self.b, j) {
                continue;
            }
            let (la, lb) = (self.a.location(i), self.b.location(j));
            let (ma, mb) = (self.a.mapping_of(la), self.b.mapping_of(lb));
            if !self.same_mapping(ma, mb) {
                let e = self.a.render_mapping_ref(self.strings, ma);
                let a = self.b.render_mapping_ref(self.strings, mb);
                self.report.changed(format!("location[{i}].mapping"), e, a);
            }
            self.report.scalar(
                || format!("location[{i}].address"),
                la.address,
                lb.address,
                |v| hex(*v),
            );
            if la.line.len() != lb.line.len() {
                self.report
                    .count(format!("location[{i}].line"), la.line.len(), lb.line.len());
            } else {
                for (k, (line_a, line_b)) in la.line.iter().zip(&lb.line).enumerate() {
                    let (fa, fb) = (self.a.function_of(line_a), self.b.function_of(line_b));
                    if !self.same_function(fa, fb) {
                        let e = self.a.render_function_ref(self.strings, fa);
                        let a = self.b.render_function_ref(self.strings, fb);
                        self.report
                            .changed(format!("location[{i}].line[{k}].function"), e, a);
                    }
                    self.report.scalar(
                        || format!("location[{i}].line[{k}].line"),
                        line_a.line,
                        line_b.line,
                        i64::to_string,
                    );
                    self.report.scalar(
                        || format!("location[{i}].line[{k}].column"),
                        line_a.column,
                        line_b.column,
                        i64::to_string,
                    );
                }
            }
            self.report.scalar(
                || format!("location[{i}].is_folded"),
                la.is_folded,
                lb.is_folded,
                bool::to_string,
            );
        }
        for j in 0..self.b.location_ids.len() {
            if self.locations.b_to_a[j].is_none() {
                let e = self.b.render_location(self.strings, j);
                self.report.only_in_actual(format!("location[{j}]"), e);
            }
        }
    }

    fn samples(&mut self) {
        let (sa, sb) = (&self.a.profile.sample, &self.b.profile.sample);
        if sa.len() != sb.len() {
            self.report.count("sample".into(), sa.len(), sb.len());
        }
        let mut labels = LabelScratch::default();
        for (i, (x, y)) in sa.iter().zip(sb).enumerate() {
            self.sample(i, x, y, &mut labels);
        }
    }

    fn sample(&mut self, i: usize, x: &Sample, y: &Sample, labels: &mut LabelScratch) {
        if x.value.len() != y.value.len() {
            self.report
                .count(format!("sample[{i}].value"), x.value.len(), y.value.len());
        }
        for (k, (va, vb)) in x.value.iter().zip(&y.value).enumerate() {
            self.report.scalar(
                || format!("sample[{i}].value[{k}]"),
                *va,
                *vb,
                i64::to_string,
            );
        }

        if self.location_ids_stable && x.location_id == y.location_id {
            // Same stack (see `location_ids_stable`).
        } else if x.location_id.len() != y.location_id.len() {
            self.report.count(
                format!("sample[{i}].location"),
                x.location_id.len(),
                y.location_id.len(),
            );
        } else {
            for (k, (&ia, &ib)) in x.location_id.iter().zip(&y.location_id).enumerate() {
                let (ta, tb) = (self.a.location_target(ia), self.b.location_target(ib));
                if !self.same_location(ta, tb) {
                    let e = self.a.render_location_ref(self.strings, ta);
                    let a = self.b.render_location_ref(self.strings, tb);
                    self.report
                        .changed(format!("sample[{i}].location[{k}]"), e, a);
                }
            }
        }

        self.labels(i, x, y, labels);
    }

    /// Labels compare as a key-ordered multiset keeping same-key order: stably sorted by key
    /// bytes, then compared group by group. A key only one side has is paired, in key order,
    /// with a key only the other side has (a renamed key reads as one change).
    fn labels(&mut self, i: usize, x: &Sample, y: &Sample, scratch: &mut LabelScratch) {
        scratch.a.clear();
        scratch.b.clear();
        scratch.a.extend(x.label.iter().map(|l| self.a.label(l)));
        scratch.b.extend(y.label.iter().map(|l| self.b.label(l)));
        // Equal in file order implies equal once stably sorted by key.
        if scratch.a == scratch.b {
            return;
        }
        let strings = self.strings;
        scratch.a.sort_by(|p, q| strings.cmp(p.key, q.key));
        scratch.b.sort_by(|p, q| strings.cmp(p.key, q.key));
        if scratch.a == scratch.b {
            return;
        }
        let groups_a = key_groups(&scratch.a);
        let groups_b = key_groups(&scratch.b);
        let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
        let (mut p, mut q) = (0, 0);
        while p < groups_a.len() || q < groups_b.len() {
            let order = match (groups_a.get(p), groups_b.get(q)) {
                (Some(ga), Some(gb)) => strings.cmp(ga[0].key, gb[0].key),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    only_a.push(groups_a[p]);
                    p += 1;
                }
                std::cmp::Ordering::Greater => {
                    only_b.push(groups_b[q]);
                    q += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (ga, gb) = (groups_a[p], groups_b[q]);
                    if ga != gb {
                        self.report.changed(
                            label_path(strings, i, ga[0].key),
                            render_labels(strings, ga),
                            render_labels(strings, gb),
                        );
                    }
                    p += 1;
                    q += 1;
                }
            }
        }
        for (k, ga) in only_a.iter().enumerate() {
            let path = label_path(strings, i, ga[0].key);
            match only_b.get(k) {
                Some(gb) => self.report.changed(
                    path,
                    render_labels(strings, ga),
                    render_labels(strings, gb),
                ),
                None => self
                    .report
                    .only_in_expected(path, render_labels(strings, ga)),
            }
        }
        for gb in only_b.iter().skip(only_a.len()) {
            self.report.only_in_actual(
                label_path(strings, i, gb[0].key),
                render_labels(strings, gb),
            );
        }
    }
}

/// Reusable label buffers, so comparing 20k samples does not allocate 40k vectors.
#[derive(Default)]
struct LabelScratch {
    a: Vec<ResolvedLabel>,
    b: Vec<ResolvedLabel>,
}

/// Runs of labels sharing a key, in a key-sorted list.
fn key_groups(labels: &[ResolvedLabel]) -> Vec<&[ResolvedLabel]> {
    labels.chunk_by(|p, q| p.key == q.key).collect()
}

fn label_path(strings: &Strings<'_>, sample: usize, key: Str) -> String {
    format!("sample[{sample}].label[{}]", strings.render(key))
}

fn render_labels(strings: &Strings<'_>, labels: &[ResolvedLabel]) -> String {
    let parts: Vec<String> = labels.iter().map(|l| render_label(strings, l)).collect();
    parts.join(", ")
}

/// See [`Comparison::location_ids_stable`]. The pairing is one-to-one, so when every entry on
/// both sides is paired with the same id, both sides resolve exactly the same ids, and an id
/// dangling on one side dangles on the other.
fn ids_stable(a: &ResolvedPprof<'_>, b: &ResolvedPprof<'_>, locations: &Correspondence) -> bool {
    let resolves_to_itself = |side: &ResolvedPprof<'_>, i: usize| {
        side.location_target(side.location_ids[i]) == Target::Entry(to_u32(i))
    };
    (0..a.location_ids.len()).all(|i| {
        resolves_to_itself(a, i)
            && locations.a_to_b[i].is_some_and(|j| b.location_ids[j as usize] == a.location_ids[i])
    }) && (0..b.location_ids.len())
        .all(|j| resolves_to_itself(b, j) && locations.b_to_a[j].is_some())
}

/// Mapping and function references seen through the pairing, for matching locations whose
/// only difference is a changed mapping or function.
struct Classes<'c, 'p> {
    a: &'c ResolvedPprof<'p>,
    b: &'c ResolvedPprof<'p>,
    mappings: &'c Correspondence,
    functions: &'c Correspondence,
}

impl Classes<'_, '_> {
    /// Whether expected location `i` and actual location `j` have the same key, without
    /// building either.
    fn equal(&self, i: usize, j: usize) -> bool {
        let (la, lb) = (self.a.location(i), self.b.location(j));
        let mapping_a = self.class(Side::Expected, self.a.mapping_of(la), true);
        let mapping_b = self.class(Side::Actual, self.b.mapping_of(lb), true);
        la.address == lb.address
            && la.is_folded == lb.is_folded
            && la.line.len() == lb.line.len()
            && mapping_a == mapping_b
            && la.line.iter().zip(&lb.line).all(|(x, y)| {
                x.line == y.line
                    && x.column == y.column
                    && self.class(Side::Expected, self.a.function_of(x), false)
                        == self.class(Side::Actual, self.b.function_of(y), false)
            })
    }

    /// A reference as its class: the expected side's position of the referenced entry, or a
    /// position past that table for an actual entry without a partner.
    fn class(&self, side: Side, target: Target, is_mapping: bool) -> PairedRef {
        let e = match target {
            Target::None => return PairedRef::None,
            Target::Missing(id) => return PairedRef::Missing(id),
            Target::Entry(e) => e,
        };
        let (pairing, a_len) = if is_mapping {
            (self.mappings, self.a.mappings.len())
        } else {
            (self.functions, self.a.functions.len())
        };
        PairedRef::Class(match side {
            Side::Expected => u64::from(e),
            Side::Actual => {
                pairing.b_to_a[e as usize].map_or(a_len as u64 + u64::from(e), u64::from)
            }
        })
    }

    /// Location `i` of `side` with each reference replaced by its class.
    fn key(&self, side: Side, i: usize) -> PairedLocationKey {
        let resolved = match side {
            Side::Expected => self.a,
            Side::Actual => self.b,
        };
        let l = resolved.location(i);
        PairedLocationKey {
            mapping: self.class(side, resolved.mapping_of(l), true),
            address: l.address,
            lines: l
                .line
                .iter()
                .map(|line| {
                    (
                        self.class(side, resolved.function_of(line), false),
                        line.line,
                        line.column,
                    )
                })
                .collect(),
            is_folded: l.is_folded,
        }
    }
}
