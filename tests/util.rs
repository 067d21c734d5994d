//! Shared test helpers: where the third-party corpus lives, and reading its files.

use std::path::PathBuf;

/// The corpus root: `$PPROTEL_CORPUS`, else `../shared/corpus` beside the repository.
///
/// Returns `None` (and the caller skips) when it is missing, except under `CI=true`, where a
/// missing corpus fails the run: CI must never pass by testing nothing.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PPROTEL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus not found at {} (set PPROTEL_CORPUS)", dir.display());
    }
    eprintln!("corpus not found at {}; skipping", dir.display());
    None
}

/// Every file in `corpus/<sub>`, sorted by name so tests run in a stable order. A corpus that is
/// there but holds no such file fails like a missing one: an empty folder must not make every
/// corpus test pass by testing nothing.
pub fn corpus_files(sub: &str) -> Vec<PathBuf> {
    let Some(root) = corpus_dir() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(sub))
        .unwrap_or_else(|e| panic!("reading corpus/{sub}: {e}"))
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "PROVENANCE.md"))
        .collect();
    assert!(
        !files.is_empty(),
        "corpus/{sub} at {} holds no file",
        root.display()
    );
    files.sort();
    files
}

/// The file's name, for messages.
pub fn name(path: &std::path::Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Decodes a pprof file (gzip, zstd or raw), panicking with the file's name when it is not a
/// valid pprof.
pub fn decode_pprof(path: &std::path::Path) -> pprotel::pprof::Profile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", name(path)));
    match pprotel::convert::decode(bytes, &Default::default()) {
        Ok((_, pprotel::convert::Decoded::Pprof(p))) => p,
        other => panic!("{}: not a pprof: {other:?}", name(path)),
    }
}

/// Every corpus pprof with its file name, in name order, decoded once per test run.
pub fn corpus_pprofs() -> &'static [(String, pprotel::pprof::Profile)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, pprotel::pprof::Profile)>> =
        std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        corpus_files("pprof")
            .iter()
            .map(|path| (name(path), decode_pprof(path)))
            .collect()
    })
}

/// The corpus pprof named `file`, or `None` (the caller skips) when there is no corpus.
pub fn corpus_pprof(file: &str) -> Option<pprotel::pprof::Profile> {
    Some(decode_pprof(&corpus_dir()?.join("pprof").join(file)))
}
