//! `pprotel dump FILE`: the canonical text form of a profile (docs/dump.md).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use pprotel::convert::{self, Decoded};

use super::FormatArg;
use super::files::Source;

pub const AFTER_HELP: &str = "\
Prints every sample with its values, its stack resolved to mapping / address / function /
file:line:column, and its labels (pprof) or attributes (OTLP), then the tables and profile-level
fields, with every index and id resolved. Two semantically equal profiles whose tables are in
the same order print the same text. The format is described in docs/dump.md.

Exit status: 0 printed, 2 error.";

/// Arguments of `pprotel dump`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile (`-` or nothing reads stdin).
    file: Option<PathBuf>,
    /// Input format, skipping detection.
    #[arg(long, value_enum)]
    from: Option<FormatArg>,
    #[command(flatten)]
    limit: super::InputLimit,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let source = Source::parse(args.file.as_deref());
    let name = source.display();
    let read = args.limit.read_options(args.from);
    let (_, decoded) =
        convert::decode(source.read(args.limit.bytes)?, &read).with_context(|| name)?;
    let text = match &decoded {
        Decoded::Pprof(p) => pprotel::roundtrip::dump_pprof(p),
        Decoded::Otlp(d) => pprotel::roundtrip::dump_otlp(d),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
