//! `pprotel convert`: one file, stdin/stdout, or many files into a directory in parallel.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use rayon::prelude::*;

use pprotel::convert::{self, Decoded, Target, TranslateOptions};
use pprotel::input::Format;
use pprotel::otlp::json::Style;
use pprotel::otlp::mapping::ToOtlpOptions;
use pprotel::pprof::Container;

use super::FormatArg;
use super::files::{self, Source};

pub const AFTER_HELP: &str = "\
The input format is detected from the content (gzip and zstd are decompressed first); file names
are never trusted. Without --to, the output format follows the output file's extension (.json:
otlp-json; .otlp, .otlp.pb: otlp; .pb.gz, .pprof, .gz: pprof), else it is the other format of
the input (pprof becomes otlp, OTLP becomes pprof).

When an OTLP input holds profiles that cannot share one pprof (several resources or scopes, or
Profiles whose samples do not line up), each becomes its own pprof, named by inserting
rR.sS (a whole scope) or rR.sS.pP (one profile of a scope) before the extension:
out.pb.gz -> out.r0.s0.pb.gz, out.r1.s0.p2.pb.gz. What pprof cannot carry (timestamps, links,
resource and scope attributes...) is listed on stderr; --strict makes that an error.

With several inputs, or a directory (searched recursively), -o names a directory; each input is
written there under its own name with the new extension. A bad file is reported and the rest
still convert; the exit status is then 2.

Exit status: 0 converted, 2 error.";

/// Arguments of `pprotel convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files or directories; none or `-` reads stdin.
    inputs: Vec<PathBuf>,
    /// Output file (or directory, with several inputs); absent or `-` writes stdout (one input
    /// only; `./-` names a file called `-`).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum)]
    to: Option<FormatArg>,
    /// Input format, skipping detection.
    #[arg(long, value_enum)]
    from: Option<FormatArg>,
    /// pprof output compression (default: gzip, or none when the output name ends in `.pb`).
    #[arg(long, value_enum)]
    compress: Option<Compress>,
    /// Indent OTLP JSON output.
    #[arg(long)]
    pretty: bool,
    /// Fail instead of converting when the target format cannot carry part of the input.
    #[arg(long)]
    strict: bool,
    /// Carry the input bytes in the OTLP `original_payload` (format "pprof") for consumers that
    /// need a byte-exact copy.
    #[arg(long)]
    original_payload: bool,
    #[command(flatten)]
    limit: super::InputLimit,
    /// Parallel conversions in batch mode (default: one per core).
    #[arg(short, long)]
    jobs: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Compress {
    Gzip,
    None,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let batch = args.inputs.len() > 1 || args.inputs.iter().any(|p| p.is_dir());
    if !batch {
        let source = Source::parse(args.inputs.first().map(PathBuf::as_path));
        let destination = match &args.output {
            Some(path) if !is_stdout(path) => Destination::File(path.clone()),
            _ => Destination::Stdout,
        };
        convert_one(&args, &source, &destination)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(out_dir) = args.output.as_deref() else {
        bail!("several inputs need -o DIRECTORY");
    };
    if is_stdout(out_dir) {
        bail!("several inputs need -o DIRECTORY, not stdout (-o -)");
    }
    let created = !out_dir.exists();
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("{}: cannot create directory", out_dir.display()))?;
    // Never read the outputs back as inputs when the output directory is inside an input one.
    let skip = std::fs::canonicalize(out_dir)
        .with_context(|| format!("{}: cannot resolve", out_dir.display()))?;
    let jobs = collect_inputs(&args.inputs, &skip)?;
    if jobs.is_empty() {
        // An empty tree is most likely a wrong path: say so rather than succeed at nothing, and
        // leave no output directory behind that this run made.
        if created {
            let _ = std::fs::remove_dir(out_dir);
        }
        let inputs: Vec<String> = args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        bail!("{}: no files to convert", inputs.join(", "));
    }
    let pool = super::worker_pool(args.jobs)?;
    let results: Vec<anyhow::Result<()>> = pool.install(|| {
        jobs.par_iter()
            .map(|(path, relative)| {
                let output = out_dir.join(relative);
                if let Some(parent) = output.parent() {
                    std::fs::create_dir_all(parent).with_context(|| {
                        format!("{}: cannot create directory", parent.display())
                    })?;
                }
                convert_one(
                    &args,
                    &Source::File(path.clone()),
                    &Destination::InDirectory(output),
                )
            })
            .collect()
    });
    let failed = results.iter().filter(|r| r.is_err()).count();
    for err in results.into_iter().filter_map(Result::err) {
        eprintln!("pprotel: error: {}", crate::one_line(&err));
    }
    if failed > 0 {
        eprintln!("pprotel: {failed} of {} files failed", jobs.len());
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `-o -`: stdout, as `-` is stdin for inputs.
fn is_stdout(output: &Path) -> bool {
    output.as_os_str() == "-"
}

/// Every input file with its output path relative to the output directory (extension still
/// the input's; `convert_one` replaces it), in a stable order.
fn collect_inputs(inputs: &[PathBuf], skip: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut jobs = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, input, skip, &mut jobs)?;
        } else {
            let name = input
                .file_name()
                .with_context(|| format!("{}: not a file name", input.display()))?;
            jobs.push((input.clone(), PathBuf::from(name)));
        }
    }
    Ok(jobs)
}

/// Collects the files under `dir`. Symbolic links to files are read like the files; links to
/// directories are not followed, since one may lead back up the tree (an endless walk that would
/// also convert its own outputs) or anywhere else on the machine. The directory `skip` (the
/// output directory) is not entered.
fn walk(
    root: &Path,
    dir: &Path,
    skip: &Path,
    jobs: &mut Vec<(PathBuf, PathBuf)>,
) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("{}: cannot list", dir.display()))?;
    entries.sort();
    for path in entries {
        let own_type = std::fs::symlink_metadata(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?
            .file_type();
        let is_file = if own_type.is_symlink() {
            path.is_file()
        } else if own_type.is_dir() {
            if std::fs::canonicalize(&path).is_ok_and(|p| p != skip) {
                walk(root, &path, skip, jobs)?;
            }
            false
        } else {
            own_type.is_file()
        };
        if is_file {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            jobs.push((path, relative));
        }
    }
    Ok(())
}

/// The default extension of each output format, for batch outputs.
fn extension(target: Target) -> &'static str {
    match target {
        Target::Pprof(Container::Gzip) => ".pb.gz",
        Target::Pprof(Container::Raw) => ".pb",
        Target::OtlpProtobuf => ".otlp.pb",
        Target::OtlpJson(_) => ".otlp.json",
    }
}

/// Where one conversion writes.
enum Destination {
    Stdout,
    /// Exactly this file (split outputs get a suffix before the extension).
    File(PathBuf),
    /// Batch mode: this path with its extension replaced by the target's.
    InDirectory(PathBuf),
}

fn convert_one(args: &Args, source: &Source, destination: &Destination) -> anyhow::Result<()> {
    let name = source.display();
    let bytes = source.read(args.limit.bytes)?;
    let original = args.original_payload.then(|| bytes.clone());
    let (_, decoded) = convert::decode(bytes, &args.limit.read_options(args.from))
        .with_context(|| name.clone())?;
    let named_file = match destination {
        Destination::File(path) => Some(path.as_path()),
        _ => None,
    };
    let format = args
        .to
        .map(Format::from)
        .or_else(|| named_file.and_then(files::format_from_name))
        .unwrap_or_else(|| other(&decoded));
    let target = match format {
        Format::Pprof => {
            let raw_by_name = named_file.is_some_and(|p| p.to_string_lossy().ends_with(".pb"));
            Target::Pprof(match args.compress {
                Some(Compress::None) => Container::Raw,
                Some(Compress::Gzip) => Container::Gzip,
                None if raw_by_name => Container::Raw,
                None => Container::Gzip,
            })
        }
        Format::OtlpProtobuf => Target::OtlpProtobuf,
        Format::OtlpJson => Target::OtlpJson(if args.pretty {
            Style::Pretty
        } else {
            Style::Compact
        }),
    };
    let options = TranslateOptions {
        to_otlp: ToOtlpOptions {
            original_payload: original,
            ..ToOtlpOptions::default()
        },
        ..TranslateOptions::default()
    }
    .for_decompression_cap(args.limit.bytes);
    let (outputs, report) =
        convert::translate(decoded, target, &options).with_context(|| name.clone())?;
    if !report.is_empty() {
        let what = format!(
            "{name}: not representable in {}: {report}",
            target.format().name()
        );
        if args.strict {
            bail!("{what} (--strict)");
        }
        eprintln!("pprotel: note: {what}");
    }
    let path = match destination {
        Destination::Stdout => {
            if outputs.len() > 1 {
                bail!(
                    "{name}: the input holds {} profiles that cannot be combined into one pprof; pass -o FILE to write them as FILE.rR.sS[.pP] (see --help)",
                    outputs.len()
                );
            }
            return files::write_stdout(&outputs[0].bytes, target.format());
        }
        Destination::File(path) => path.clone(),
        Destination::InDirectory(path) => {
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            let (stem, _) = files::split_extension(&file);
            path.with_file_name(format!("{stem}{}", extension(target)))
        }
    };
    let named: Vec<(PathBuf, &[u8])> = outputs
        .iter()
        .map(|o| match &o.suffix {
            Some(suffix) => (files::with_suffix(&path, suffix), o.bytes.as_slice()),
            None => (path.clone(), o.bytes.as_slice()),
        })
        .collect();
    files::write_atomically(&named)
}

/// The other format of the input: what a converter is for when nothing else is said.
fn other(decoded: &Decoded) -> Format {
    match decoded {
        Decoded::Pprof(_) => Format::OtlpProtobuf,
        Decoded::Otlp(_) => Format::Pprof,
    }
}
