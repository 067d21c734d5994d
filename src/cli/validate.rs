//! `pprotel validate`: the pprof validity rules or the OTLP conformance rules, per file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;
use serde_json::json;

use pprotel::convert::{self, Decoded};
use pprotel::input::Format;
use pprotel::otlp::validate::CheckOptions;
use pprotel::validate::Violation;

use super::FormatArg;
use super::files::Source;

pub const AFTER_HELP: &str = "\
pprof files are checked against google/pprof's validity rules (CheckValid and its decode-time
checks: string indices in range, ids nonzero and unique, every reference resolving, one value
per sample type). OTLP files (protobuf or JSON) are checked against the OTLP Profiles
conformance rules: profcheck's (with its defaults: sample shapes on, duplicates and orphans
off) plus the proto's MUSTs that profcheck does not check (every Function named; profile_id
empty or 16 bytes; original_payload and its format together; strindex references in resource
and scope attributes in range). Each violation is printed as FILE: PATH: MESSAGE [RULE].

Exit status: 0 all valid, 1 violations found, 2 a file could not be read or decoded.";

/// Arguments of `pprotel validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to check (`-` reads stdin).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Input format, skipping detection.
    #[arg(long, value_enum)]
    from: Option<FormatArg>,
    /// OTLP: also report duplicate strings and mappings (profcheck -check-dupes).
    #[arg(long)]
    check_dupes: bool,
    /// OTLP: also report unreferenced dictionary entries (profcheck -check-orphans).
    #[arg(long)]
    check_orphans: bool,
    /// OTLP: do not check sample shapes (profcheck -check-sample-shapes=false).
    #[arg(long)]
    no_sample_shapes: bool,
    #[command(flatten)]
    limit: super::InputLimit,
}

/// The outcome for one file.
struct Checked {
    name: String,
    result: anyhow::Result<(Format, Vec<Violation>)>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = CheckOptions {
        sample_shapes: !args.no_sample_shapes,
        duplicates: args.check_dupes,
        orphans: args.check_orphans,
    };
    let read = args.limit.read_options(args.from);
    let checked: Vec<Checked> = args
        .files
        .par_iter()
        .map(|path| {
            let source = Source::parse(Some(path));
            let name = source.display();
            let result = source.read(args.limit.bytes).and_then(|bytes| {
                let (format, decoded) =
                    convert::decode(bytes, &read).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
                let violations = match &decoded {
                    Decoded::Pprof(p) => pprotel::pprof::validate::check(p),
                    Decoded::Otlp(d) => pprotel::otlp::validate::check(d, &options),
                };
                Ok((format, violations))
            });
            Checked { name, result }
        })
        .collect();

    let errors = checked.iter().filter(|c| c.result.is_err()).count();
    let invalid = checked
        .iter()
        .filter(|c| matches!(&c.result, Ok((_, v)) if !v.is_empty()))
        .count();
    let mut out = std::io::stdout().lock();
    if args.json {
        print_json(&mut out, &checked)?;
    } else {
        for c in &checked {
            match &c.result {
                Err(e) => eprintln!("pprotel: error: {e:#}"),
                Ok((format, violations)) if violations.is_empty() => {
                    writeln!(out, "{}: valid {}", c.name, format.name())?;
                }
                Ok((_, violations)) => {
                    for v in violations {
                        writeln!(out, "{}: {v} [{}]", c.name, v.rule.name())?;
                    }
                }
            }
        }
        writeln!(
            out,
            "{} files: {} valid, {invalid} with violations, {errors} unreadable",
            checked.len(),
            checked.len() - invalid - errors
        )?;
    }
    Ok(ExitCode::from(if errors > 0 {
        2
    } else if invalid > 0 {
        1
    } else {
        0
    }))
}

fn print_json(out: &mut impl Write, checked: &[Checked]) -> anyhow::Result<()> {
    let files: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| match &c.result {
            Err(e) => json!({ "file": c.name, "error": format!("{e:#}") }),
            Ok((format, violations)) => json!({
                "file": c.name,
                "format": format.name(),
                "valid": violations.is_empty(),
                "violations": violations.iter().map(|v| json!({
                    "path": v.path,
                    "rule": v.rule.name(),
                    "message": v.message,
                })).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let doc = serde_json::to_string_pretty(&json!({ "files": files }))?;
    writeln!(out, "{doc}")?;
    Ok(())
}
