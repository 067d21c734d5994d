//! `pprotel roundtrip FILE...`: converts each input to the other format and back, and proves
//! that nothing was lost (or names exactly what was).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use serde_json::json;

use pprotel::convert::{self, Decoded, ReadOptions};
use pprotel::input::Format;
use pprotel::otlp::json::{self as otlp_json, Style};
use pprotel::otlp::mapping::{Report, ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
use pprotel::otlp::model::ProfilesData;
use pprotel::pprof::{self, Container};
use pprotel::roundtrip::{self, Difference, OtlpView};

use super::compare;
use super::files::Source;

pub const AFTER_HELP: &str = "\
pprof inputs go pprof -> OTLP -> pprof; OTLP inputs go OTLP -> pprof -> OTLP. Each step goes
through the encoded bytes (OTLP protobuf, or JSON with --via-json; gzip pprof), so the codecs
are checked too. The result must be semantically equal to the input (docs/mapping.md).

For OTLP inputs, what pprof has no field for (timestamps, links, resource and scope
attributes...) is listed as \"not representable\", which is not loss: the comparison then covers
everything pprof can hold.

Verdicts: lossless, LOSS (with the differences), ERROR. Files are checked in parallel; the
output follows the order of the arguments.

Exit status: 0 every file lossless, 1 some file lost information, 2 some file could not be
checked.";

/// Arguments of `pprotel roundtrip`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profiles to check (pprof or OTLP, protobuf or JSON).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Carry OTLP as JSON instead of protobuf in the middle of the trip.
    #[arg(long)]
    via_json: bool,
    /// How many differences to list per file.
    #[arg(long, default_value_t = 10)]
    max: usize,
    /// Parallel checks (default: one per core).
    #[arg(short, long)]
    jobs: Option<usize>,
    #[command(flatten)]
    limit: super::InputLimit,
}

struct Verdict {
    file: String,
    outcome: anyhow::Result<Trip>,
}

struct Trip {
    format: Format,
    lost: Vec<Difference>,
    not_representable: Report,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let pool = super::worker_pool(args.jobs)?;
    let verdicts: Vec<Verdict> = pool.install(|| {
        args.files
            .par_iter()
            .map(|path| {
                let source = Source::parse(Some(path));
                let file = source.display();
                let outcome = source.read(args.limit.bytes).and_then(|bytes| {
                    trip(bytes, args.via_json, &args.limit.read_options(None))
                        .with_context(|| file.clone())
                });
                Verdict { file, outcome }
            })
            .collect()
    });
    let errors = verdicts.iter().filter(|v| v.outcome.is_err()).count();
    let lossy = verdicts
        .iter()
        .filter(|v| matches!(&v.outcome, Ok(t) if !t.lost.is_empty()))
        .count();
    let lossless = verdicts.len() - errors - lossy;
    let mut out = std::io::stdout().lock();
    if args.json {
        print_json(&mut out, &verdicts, lossless, lossy, errors)?;
    } else {
        for v in &verdicts {
            print_text(&mut out, v, args.max)?;
        }
        writeln!(
            out,
            "{} files: {lossless} lossless, {lossy} lost information, {errors} errors",
            verdicts.len()
        )?;
    }
    Ok(ExitCode::from(if errors > 0 {
        2
    } else if lossy > 0 {
        1
    } else {
        0
    }))
}

/// Decodes, converts to the other format and back through bytes, and compares.
/// Both decodes, of the input and of the re-encoded pprof, are under the same cap.
fn trip(bytes: Vec<u8>, via_json: bool, read: &ReadOptions) -> anyhow::Result<Trip> {
    let (format, decoded) = convert::decode(bytes, read)?;
    let otlp_bytes = |data: &ProfilesData| -> anyhow::Result<ProfilesData> {
        Ok(if via_json {
            otlp_json::from_json(&otlp_json::to_json(data, Style::Compact))?
        } else {
            pprotel::otlp::decode_protobuf(&pprotel::otlp::encode_protobuf(data))?
        })
    };
    let pprof_bytes = |p: &pprof::Profile| -> anyhow::Result<pprof::Profile> {
        let gz = pprof::encode(p, Container::Gzip);
        match convert::decode(gz, read)? {
            (_, Decoded::Pprof(p)) => Ok(p),
            _ => anyhow::bail!("re-encoded pprof was not read back as pprof"),
        }
    };
    match decoded {
        Decoded::Pprof(original) => {
            let otlp = otlp_bytes(&pprof_to_otlp(&original, &ToOtlpOptions::default())?)?;
            let translated = otlp_to_pprof(&otlp)?;
            let mut lost = compare::not_representable(&translated.report);
            match <[_; 1]>::try_from(translated.outputs) {
                Ok([one]) => lost.extend(roundtrip::compare_pprof(
                    &original,
                    &pprof_bytes(&one.pprof)?,
                )),
                Err(outputs) => anyhow::bail!("came back as {} pprof profiles", outputs.len()),
            }
            Ok(Trip {
                format,
                lost,
                not_representable: Report::default(),
            })
        }
        Decoded::Otlp(original) => {
            let translated = otlp_to_pprof(&original)?;
            let mut lost = Vec::new();
            for out in &translated.outputs {
                let back = pprof_to_otlp(&pprof_bytes(&out.pprof)?, &ToOtlpOptions::default())?;
                let back = otlp_bytes(&back)?;
                let expected = part(&original, out.resource, out.scope, out.profile);
                for mut d in roundtrip::compare_otlp(&expected, &back, OtlpView::PprofRepresentable)
                {
                    if translated.outputs.len() > 1 {
                        d.path = format!("[{}] {}", out.suffix(), d.path);
                    }
                    lost.push(d);
                }
            }
            Ok(Trip {
                format,
                lost,
                not_representable: translated.report,
            })
        }
    }
}

/// The part of an OTLP payload one pprof output came from: one scope, or one Profile of it,
/// with the whole dictionary.
fn part(data: &ProfilesData, r: usize, s: usize, p: Option<usize>) -> ProfilesData {
    let rp = &data.resource_profiles[r];
    let sp = &rp.scope_profiles[s];
    let mut scope = sp.clone();
    if let Some(p) = p {
        scope.profiles = vec![sp.profiles[p].clone()];
    }
    let mut resource = rp.clone();
    resource.scope_profiles = vec![scope];
    ProfilesData {
        resource_profiles: vec![resource],
        dictionary: data.dictionary.clone(),
    }
}

/// One verdict. An error already names its file (every failure is given the file as context).
fn print_text(out: &mut impl Write, v: &Verdict, max: usize) -> anyhow::Result<()> {
    match &v.outcome {
        Err(e) => writeln!(out, "ERROR     {}", crate::one_line(e))?,
        Ok(trip) => {
            let verdict = if trip.lost.is_empty() {
                "lossless "
            } else {
                "LOSS     "
            };
            let detail = if trip.lost.is_empty() {
                String::new()
            } else {
                format!(" ({} differences)", trip.lost.len())
            };
            writeln!(out, "{verdict} {} [{}]{detail}", v.file, trip.format.name())?;
            for d in trip.lost.iter().take(max) {
                writeln!(out, "            {d}")?;
            }
            if trip.lost.len() > max {
                writeln!(out, "            … and {} more", trip.lost.len() - max)?;
            }
            for (what, entry) in trip.not_representable.entries() {
                writeln!(
                    out,
                    "            not representable in pprof: {what} ({}×, first at {})",
                    entry.count, entry.first
                )?;
            }
        }
    }
    Ok(())
}

fn print_json(
    out: &mut impl Write,
    verdicts: &[Verdict],
    lossless: usize,
    lossy: usize,
    errors: usize,
) -> anyhow::Result<()> {
    let files: Vec<serde_json::Value> = verdicts
        .iter()
        .map(|v| match &v.outcome {
            Err(e) => json!({ "file": v.file, "verdict": "error", "error": format!("{e:#}") }),
            Ok(trip) => json!({
                "file": v.file,
                "format": trip.format.name(),
                "verdict": if trip.lost.is_empty() { "lossless" } else { "loss" },
                "differences": trip.lost.iter().map(compare::difference_json).collect::<Vec<_>>(),
                "not_representable": trip.not_representable.entries().map(|(what, e)| json!({
                    "what": what, "count": e.count, "first": e.first,
                })).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let doc = json!({
        "files": files,
        "summary": { "lossless": lossless, "loss": lossy, "errors": errors },
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    Ok(())
}
