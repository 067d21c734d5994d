//! Command-line definitions and dispatch. Format logic lives in the library; this layer only
//! turns arguments into library calls, files into bytes, and results into exit codes.

mod compare;
mod convert;
mod diff;
mod dump;
mod files;
mod roundtrip;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use pprotel::input::Format;

const EXIT_CODES: &str = "\
Exit status:
  0  success (converted; profiles equal; no violations)
  1  a difference or a validation failure was found
  2  an error: bad usage, unreadable or malformed input, I/O failure";

/// Lossless translation between pprof and OpenTelemetry OTLP Profiles.
#[derive(Debug, Parser)]
#[command(name = "pprotel", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert profiles between pprof and OTLP (protobuf or JSON).
    #[command(after_help = convert::AFTER_HELP)]
    Convert(convert::Args),
    /// Convert each file to the other format and back, and prove nothing was lost.
    #[command(after_help = roundtrip::AFTER_HELP)]
    Roundtrip(roundtrip::Args),
    /// Show the semantic differences between two profiles.
    #[command(after_help = diff::AFTER_HELP)]
    Diff(diff::Args),
    /// Print the canonical text form of a profile.
    #[command(after_help = dump::AFTER_HELP)]
    Dump(dump::Args),
    /// Check files against the pprof validity or OTLP conformance rules.
    #[command(after_help = validate::AFTER_HELP)]
    Validate(validate::Args),
}

/// A profile format, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// pprof protobuf (gzip-compressed unless the output name ends in `.pb`).
    Pprof,
    /// OTLP Profiles binary protobuf (`ProfilesData`, as sent to collectors).
    Otlp,
    /// OTLP Profiles JSON.
    OtlpJson,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Pprof => Format::Pprof,
            FormatArg::Otlp => Format::OtlpProtobuf,
            FormatArg::OtlpJson => Format::OtlpJson,
        }
    }
}

/// The input cap, taken by every command that reads profiles.
#[derive(Debug, Clone, Copy, clap::Args)]
struct InputLimit {
    /// Refuse inputs larger than this many bytes, as read or after decompression; decoding and
    /// a translated output may each take 16 times it in memory (see "Limits" in docs/cli.md).
    #[arg(long = "max-decompressed-size", default_value_t = pprotel::input::DEFAULT_MAX_DECOMPRESSED, value_name = "BYTES")]
    bytes: u64,
}

impl InputLimit {
    /// How the library should read input under this cap, as `from` (or detected).
    fn read_options(self, from: Option<FormatArg>) -> pprotel::convert::ReadOptions {
        pprotel::convert::ReadOptions {
            from: from.map(Format::from),
            max_decompressed: self.bytes,
        }
    }
}

/// The threads that check or convert several files at once: `jobs`, or one per core.
fn worker_pool(jobs: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    use anyhow::Context;
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")
}

/// Parses the command line and runs it.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Roundtrip(args) => roundtrip::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Dump(args) => dump::run(args),
    }
}
