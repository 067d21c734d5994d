//! Files at the command-line edge: reading inputs (a path or `-` for stdin), writing outputs
//! atomically (a temporary file in the target directory, renamed into place), and naming
//! outputs.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use pprotel::input::{Format, InputError};

/// Where a command reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub fn parse(arg: Option<&Path>) -> Source {
        match arg {
            None => Source::Stdin,
            Some(p) if p.as_os_str() == "-" => Source::Stdin,
            Some(p) => Source::File(p.to_path_buf()),
        }
    }

    /// How the source is named in messages.
    pub fn display(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".into(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Reads the whole input, but never more than `limit` bytes and one more: a larger input
    /// is refused (as the library refuses it, [`InputError::InputTooLarge`]) without being held
    /// in memory, whether it is a huge file or an endless pipe.
    pub fn read(&self, limit: u64) -> anyhow::Result<Vec<u8>> {
        let name = self.display();
        let mut bytes = Vec::new();
        let read = match self {
            Source::Stdin => std::io::stdin()
                .lock()
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes),
            Source::File(path) => {
                if path.is_dir() {
                    bail!("{name}: is a directory");
                }
                std::fs::File::open(path).and_then(|file| {
                    // Sized once from the file's length, as std::fs::read does, within the cap.
                    let len = file
                        .metadata()
                        .map_or(0, |m| m.len())
                        .min(limit.saturating_add(1));
                    bytes.reserve_exact(usize::try_from(len).unwrap_or(0));
                    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)
                })
            }
        };
        read.with_context(|| format!("{name}: cannot read"))?;
        if bytes.len() as u64 > limit {
            return Err(InputError::InputTooLarge { limit }).context(name);
        }
        Ok(bytes)
    }
}

/// Writes all `(path, bytes)` pairs so that each path holds either its old content or the whole
/// new content, never a part: every output goes to a temporary file beside its target first,
/// and only when all are written are they renamed into place. (No fsync: the rename protects
/// readers from partial files; surviving power loss is the file system's business, as for
/// gzip or `go tool pprof`, and an fsync per file would dominate batch conversions.)
pub fn write_atomically(outputs: &[(PathBuf, &[u8])]) -> anyhow::Result<()> {
    let mut pending = Vec::with_capacity(outputs.len());
    for (path, bytes) in outputs {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".pprotel-");
        #[cfg(unix)]
        builder.permissions(output_permissions(path));
        let mut file = builder.tempfile_in(dir).with_context(|| {
            format!(
                "{}: cannot create a temporary file in {}",
                path.display(),
                dir.display()
            )
        })?;
        file.write_all(bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        pending.push((file, path));
    }
    for (file, path) in pending {
        file.persist(path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}

/// The mode for a new output: that of the file it replaces, else the usual 0666 less the umask
/// (applied by the system when the file is created). A temporary file alone would be 0600: other
/// users could no longer read what they read before, and a replaced file would lose its mode.
#[cfg(unix)]
fn output_permissions(path: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode() & 0o7777);
    std::fs::Permissions::from_mode(mode)
}

/// Writes to stdout, refusing binary data when stdout is a terminal.
pub fn write_stdout(bytes: &[u8], format: Format) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    if format != Format::OtlpJson && stdout.is_terminal() {
        bail!(
            "refusing to write binary {} to a terminal: use -o FILE, pipe the output, or --to otlp-json",
            format.name()
        );
    }
    let mut lock = stdout.lock();
    lock.write_all(bytes)?;
    lock.flush()?;
    Ok(())
}

/// File-name endings pprotel knows, longest first, so `a.pb.gz` splits as `a` + `.pb.gz`.
const KNOWN_EXTENSIONS: &[&str] = &[
    ".otlp.json",
    ".otlp.pb",
    ".pprof.gz",
    ".pb.gz",
    ".json",
    ".otlp",
    ".pprof",
    ".pb",
    ".gz",
];

/// Splits a file name into stem and known extension (empty when none is known).
pub fn split_extension(name: &str) -> (&str, &str) {
    KNOWN_EXTENSIONS
        .iter()
        .find(|ext| name.len() > ext.len() && name.ends_with(*ext))
        .map_or((name, ""), |ext| name.split_at(name.len() - ext.len()))
}

/// `out.pb.gz` + `r0.s1` → `out.r0.s1.pb.gz`: the suffix goes before the known extension.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = split_extension(&name);
    path.with_file_name(format!("{stem}.{suffix}{ext}"))
}

/// The output format a file name implies, if any: `.json` is OTLP JSON, `.otlp`/`.otlp.pb` OTLP
/// protobuf, `.pprof`, `.pb.gz`, `.gz` pprof. A bare `.pb` says nothing (both are protobuf).
pub fn format_from_name(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy();
    let (_, ext) = split_extension(&name);
    match ext {
        ".otlp.json" | ".json" => Some(Format::OtlpJson),
        ".otlp.pb" | ".otlp" => Some(Format::OtlpProtobuf),
        ".pprof.gz" | ".pb.gz" | ".pprof" | ".gz" => Some(Format::Pprof),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_goes_before_the_known_extension() {
        assert_eq!(
            with_suffix(Path::new("d/out.pb.gz"), "r0.s1"),
            Path::new("d/out.r0.s1.pb.gz")
        );
        assert_eq!(
            with_suffix(Path::new("a.b.json"), "r1.s0.p2"),
            Path::new("a.b.r1.s0.p2.json")
        );
        assert_eq!(
            with_suffix(Path::new("noext"), "r0.s0"),
            Path::new("noext.r0.s0")
        );
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(
            format_from_name(Path::new("x.json")),
            Some(Format::OtlpJson)
        );
        assert_eq!(
            format_from_name(Path::new("x.otlp")),
            Some(Format::OtlpProtobuf)
        );
        assert_eq!(format_from_name(Path::new("x.pb.gz")), Some(Format::Pprof));
        assert_eq!(format_from_name(Path::new("x.pb")), None);
    }
}
