//! What `diff` and `roundtrip` share: comparing two decoded profiles of any formats, and
//! rendering differences as JSON.

use anyhow::Context;
use serde_json::json;

use pprotel::convert::Decoded;
use pprotel::otlp::mapping::{Report, otlp_to_pprof};
use pprotel::roundtrip::{self, Difference, DifferenceKind, OtlpView};

/// `NotRepresentable` differences for each entry of a translation report.
pub fn not_representable(report: &Report) -> Vec<Difference> {
    report
        .entries()
        .map(|(what, entry)| Difference {
            path: entry.first.clone(),
            kind: DifferenceKind::NotRepresentable,
            expected: format!("{what} ({}×)", entry.count),
            actual: String::new(),
        })
        .collect()
}

/// Both sides as pprof when one of them is pprof (an OTLP side must translate to exactly one
/// pprof; what it cannot carry becomes `NotRepresentable` differences), else both as OTLP.
pub enum Pair {
    Pprof(pprotel::pprof::Profile, pprotel::pprof::Profile),
    Otlp(
        pprotel::otlp::model::ProfilesData,
        pprotel::otlp::model::ProfilesData,
    ),
}

/// Brings two decoded profiles, each with the name it is reported under, to a common format;
/// returns the pair and the differences the translation itself found (things one format cannot
/// hold). A translation error names its input.
pub fn pair(
    (name_a, a): (&str, Decoded),
    (name_b, b): (&str, Decoded),
) -> anyhow::Result<(Pair, Vec<Difference>)> {
    let as_pprof = |d: Decoded, name: &str| -> anyhow::Result<(pprotel::pprof::Profile, Report)> {
        match d {
            Decoded::Pprof(p) => Ok((p, Report::default())),
            Decoded::Otlp(data) => {
                let translated = otlp_to_pprof(&data).with_context(|| name.to_owned())?;
                match <[_; 1]>::try_from(translated.outputs) {
                    Ok([one]) => Ok((one.pprof, translated.report)),
                    Err(outputs) => anyhow::bail!(
                        "{name}: holds {} profiles that do not form one pprof; compare OTLP with OTLP instead",
                        outputs.len()
                    ),
                }
            }
        }
    };
    match (a, b) {
        (Decoded::Otlp(a), Decoded::Otlp(b)) => Ok((Pair::Otlp(a, b), Vec::new())),
        (a, b) => {
            let (a, report_a) = as_pprof(a, name_a)?;
            let (b, report_b) = as_pprof(b, name_b)?;
            let mut found = not_representable(&report_a);
            found.extend(not_representable(&report_b));
            Ok((Pair::Pprof(a, b), found))
        }
    }
}

/// Every semantic difference of a pair, and (with `strict`) the encoding differences.
pub fn differences(pair: &Pair, strict: bool) -> Vec<Difference> {
    match pair {
        Pair::Pprof(a, b) => {
            let mut found = roundtrip::compare_pprof(a, b);
            if strict {
                found.extend(roundtrip::encoding_differences_pprof(a, b));
            }
            found
        }
        Pair::Otlp(a, b) => {
            let mut found = roundtrip::compare_otlp(a, b, OtlpView::Everything);
            if strict {
                found.extend(roundtrip::encoding_differences_otlp(a, b));
            }
            found
        }
    }
}

/// The canonical dumps of both sides.
pub fn dumps(pair: &Pair) -> (String, String) {
    match pair {
        Pair::Pprof(a, b) => (roundtrip::dump_pprof(a), roundtrip::dump_pprof(b)),
        Pair::Otlp(a, b) => (roundtrip::dump_otlp(a), roundtrip::dump_otlp(b)),
    }
}

/// The stable name of a difference kind, for JSON and summaries.
pub fn kind_name(kind: DifferenceKind) -> &'static str {
    match kind {
        DifferenceKind::Changed => "changed",
        DifferenceKind::OnlyInExpected => "only_in_expected",
        DifferenceKind::OnlyInActual => "only_in_actual",
        DifferenceKind::Count => "count",
        DifferenceKind::NotRepresentable => "not_representable",
        DifferenceKind::Encoding => "encoding",
        _ => "other",
    }
}

pub fn difference_json(d: &Difference) -> serde_json::Value {
    json!({
        "path": d.path,
        "kind": kind_name(d.kind),
        "expected": d.expected,
        "actual": d.actual,
    })
}

/// Counts by kind, in a fixed order, skipping zeros: `3 changed, 1 only_in_expected`.
pub fn counts(found: &[Difference]) -> Vec<(&'static str, usize)> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for d in found {
        let name = kind_name(d.kind);
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name, 1)),
        }
    }
    counts
}
