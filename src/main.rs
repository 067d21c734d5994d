//! The `pprotel` binary: parse arguments, run one subcommand, map the outcome to an exit code
//! (0 success or equal, 1 a difference or violation found, 2 an error).

use std::process::ExitCode;

mod cli;

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
            eprintln!("pprotel: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
