//! The `pprotel` binary: parse arguments, run one subcommand, map the outcome to an exit code
//! (0 success or equal, 1 a difference or violation found, 2 an error).

use std::process::ExitCode;

mod cli;

/// mimalloc instead of the system allocator: decoding and translating a profile allocates a
/// small vector per sample, location and line, and glibc malloc/free was about a quarter of all
/// instructions of a conversion (docs/performance.md). Only the binary sets it; library users
/// keep their own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`pprotel convert ... | head`) is the reader's choice, not an error.
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("pprotel: error: {}", one_line(&err));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes as one line, `outer: inner: …`. A cause whose text its parent
/// already ends with is not repeated (library errors such as "malformed pprof protobuf: {0}"
/// include their source), and line breaks are escaped: whatever a hostile input puts into a
/// message (a file name, a quoted value), the error stays one line for scripts and logs.
fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out.replace('\r', "\\r").replace('\n', "\\n")
}
