//! `pprotel diff A B`: semantic differences between two profiles of any formats.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;

use pprotel::convert;
use pprotel::roundtrip::{Difference, DifferenceKind};

use super::compare;
use super::files::Source;

pub const AFTER_HELP: &str = "\
A and B may be pprof or OTLP (protobuf or JSON), in any combination: a pprof is compared with
an OTLP input through the mapping (the OTLP side translated to pprof; what pprof cannot hold is
reported as not representable). Equality is semantic (docs/mapping.md): string-table layout, id
values and table order are encoding, not information; --strict reports them too, as encoding
differences (pprof: ids renumbered, table order, string-table layout; OTLP: the layout of each
dictionary table), which never make the profiles unequal.

The report counts differences by kind, lists the first --max with their paths, and shows a
unified diff of the canonical dumps (pprotel dump) around them.

Exit status: 0 equal, 1 different, 2 error.";

/// Arguments of `pprotel diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The expected profile (`-` reads stdin).
    a: PathBuf,
    /// The actual profile.
    b: PathBuf,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Also report encoding differences (ids renumbered, string table layout, table order).
    #[arg(long)]
    strict: bool,
    /// How many differences to list.
    #[arg(long, default_value_t = 20)]
    max: usize,
    /// Lines of context around each change in the unified diff (0 hides the diff).
    #[arg(long, default_value_t = 3)]
    context: usize,
    /// Colour the unified diff: auto (when stdout is a terminal), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(flatten)]
    limit: super::InputLimit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Longest unified diff printed, in lines; the rest is summarised.
const MAX_DIFF_LINES: usize = 400;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let read = |path: &PathBuf| -> anyhow::Result<convert::Decoded> {
        let source = Source::parse(Some(path));
        let name = source.display();
        let (_, decoded) = convert::decode(
            source.read(args.limit.bytes)?,
            &args.limit.read_options(None),
        )
        .with_context(|| name)?;
        Ok(decoded)
    };
    let (a, b) = (read(&args.a)?, read(&args.b)?);
    let (name_a, name_b) = (args.a.display().to_string(), args.b.display().to_string());
    let (pair, mut found) = compare::pair((&name_a, a), (&name_b, b))?;
    found.extend(compare::differences(&pair, args.strict));
    // Encoding differences (--strict) explain bytes; they are never a loss, so they leave the
    // verdict and the exit status alone.
    let equal = found.iter().all(|d| d.kind == DifferenceKind::Encoding);

    let mut out = std::io::stdout().lock();
    if args.json {
        let counts: serde_json::Map<String, serde_json::Value> = compare::counts(&found)
            .into_iter()
            .map(|(k, n)| (k.to_owned(), n.into()))
            .collect();
        let doc = json!({
            "expected": name_a,
            "actual": name_b,
            "equal": equal,
            "counts": counts,
            "differences": found.iter().map(compare::difference_json).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else if found.is_empty() {
        writeln!(out, "{name_a} and {name_b} are semantically equal")?;
    } else {
        print_report(&mut out, &args, &name_a, &name_b, &found, &pair)?;
    }
    Ok(ExitCode::from(if equal { 0 } else { 1 }))
}

fn print_report(
    out: &mut impl Write,
    args: &Args,
    a: &str,
    b: &str,
    found: &[Difference],
    pair: &compare::Pair,
) -> anyhow::Result<()> {
    let counts = compare::counts(found)
        .into_iter()
        .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ");
    if found.iter().all(|d| d.kind == DifferenceKind::Encoding) {
        writeln!(
            out,
            "{a} and {b} are semantically equal, encoded differently: {} differences ({counts})",
            found.len()
        )?;
    } else {
        writeln!(
            out,
            "{a} and {b} differ: {} differences ({counts})",
            found.len()
        )?;
    }
    for d in found.iter().take(args.max) {
        writeln!(out, "  {d}")?;
    }
    if found.len() > args.max {
        writeln!(
            out,
            "  … and {} more (--max, or --json for all)",
            found.len() - args.max
        )?;
    }
    let only_encoding_or_translation = found.iter().all(|d| {
        matches!(
            d.kind,
            DifferenceKind::Encoding | DifferenceKind::NotRepresentable
        )
    });
    if args.context == 0 || only_encoding_or_translation {
        return Ok(());
    }
    let (dump_a, dump_b) = compare::dumps(pair);
    let diff = similar::TextDiff::from_lines(&dump_a, &dump_b);
    let unified = diff
        .unified_diff()
        .context_radius(args.context)
        .header(a, b)
        .to_string();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal(),
    };
    writeln!(out)?;
    let lines: Vec<&str> = unified.lines().collect();
    for line in lines.iter().take(MAX_DIFF_LINES) {
        match (color, line.chars().next()) {
            (true, Some('+')) if !line.starts_with("+++") => {
                writeln!(out, "\x1b[32m{line}\x1b[0m")?
            }
            (true, Some('-')) if !line.starts_with("---") => {
                writeln!(out, "\x1b[31m{line}\x1b[0m")?
            }
            (true, Some('@')) => writeln!(out, "\x1b[36m{line}\x1b[0m")?,
            _ => writeln!(out, "{line}")?,
        }
    }
    if lines.len() > MAX_DIFF_LINES {
        writeln!(
            out,
            "… {} more lines of the canonical diff",
            lines.len() - MAX_DIFF_LINES
        )?;
    }
    Ok(())
}
