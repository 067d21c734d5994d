//! Standard output: `-o -` writes stdout as `-` reads stdin, and binary output is refused when
//! stdout is a terminal (tried on a real pseudo-terminal through util-linux `script`).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use pprotel::convert::{self, Decoded};
use pprotel::otlp::encode_protobuf;
use pprotel::otlp::mapping::{ToOtlpOptions, pprof_to_otlp};
use pprotel::pprof::{self, Container};
use pprotel::roundtrip::compare_pprof;

use crate::build::{self, PprofBuilder};

/// A temporary directory holding `in.pb.gz` (a pprof) and `in.otlp.pb` (its OTLP translation).
fn inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = PprofBuilder::cpu().p;
    let data = pprof_to_otlp(&p, &ToOtlpOptions::default()).unwrap();
    std::fs::write(
        dir.path().join("in.pb.gz"),
        pprof::encode(&p, Container::Gzip),
    )
    .unwrap();
    std::fs::write(dir.path().join("in.otlp.pb"), encode_protobuf(&data)).unwrap();
    dir
}

/// Runs the binary in `dir`, stdout and stderr piped.
fn pprotel(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pprotel"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn dash_output_writes_stdout_not_a_file_named_dash() {
    let dir = inputs();
    let to_stdout = pprotel(dir.path(), &["convert", "in.pb.gz", "--to", "otlp-json"]);
    let to_dash = pprotel(
        dir.path(),
        &["convert", "in.pb.gz", "-o", "-", "--to", "otlp-json"],
    );
    assert!(to_dash.status.success(), "{}", stderr(&to_dash));
    assert!(!to_dash.stdout.is_empty());
    assert_eq!(
        to_dash.stdout, to_stdout.stdout,
        "-o - is the same as no -o"
    );
    assert_eq!(stderr(&to_dash), "");
    // Binary output to a pipe, and the format from the input since `-` has no extension.
    let pprof_out = pprotel(dir.path(), &["convert", "in.otlp.pb", "-o", "-"]);
    assert!(pprof_out.status.success(), "{}", stderr(&pprof_out));
    let Ok((_, Decoded::Pprof(back))) = convert::decode(pprof_out.stdout, &Default::default())
    else {
        panic!("no pprof on stdout");
    };
    assert!(compare_pprof(&PprofBuilder::cpu().p, &back).is_empty());
    assert_eq!(
        files(dir.path()),
        ["in.otlp.pb", "in.pb.gz"],
        "no file named -"
    );
}

#[test]
fn dash_output_with_several_inputs_is_an_error_and_creates_nothing() {
    let dir = inputs();
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    std::fs::copy(dir.path().join("in.pb.gz"), dir.path().join("tree/a.pb.gz")).unwrap();
    for args in [
        &["convert", "in.pb.gz", "in.otlp.pb", "-o", "-"][..],
        &["convert", "tree", "-o", "-"],
    ] {
        let out = pprotel(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&out),
            "pprotel: error: several inputs need -o DIRECTORY, not stdout (-o -)\n",
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            files(dir.path()),
            ["in.otlp.pb", "in.pb.gz", "tree"],
            "{args:?}"
        );
    }
}

#[test]
fn dash_output_of_an_input_that_splits_is_refused_like_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = build::counted(vec![pprotel::otlp::model::Sample {
        stack_index: 1,
        values: vec![1],
        ..Default::default()
    }]);
    let second = data.resource_profiles[0].clone();
    data.resource_profiles.push(second);
    std::fs::write(dir.path().join("two.otlp.pb"), encode_protobuf(&data)).unwrap();
    let out = pprotel(dir.path(), &["convert", "two.otlp.pb", "-o", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the input holds 2 profiles that cannot be combined into one pprof"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(files(dir.path()), ["two.otlp.pb"]);
}

// --- A terminal on stdout ----------------------------------------------------------------

/// `s` quoted for `sh -c`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `sh -c command` in `dir` with stdin, stdout and stderr on a fresh pseudo-terminal
/// (util-linux `script -qec`, exit status passed through), returning what the terminal showed
/// with the terminal's `\r\n` turned back into `\n`. `None` (the test skips, saying why) where
/// `script` is missing or cannot make a terminal.
fn on_terminal(dir: &Path, command: &str) -> Option<(Option<i32>, String)> {
    let run = |command: &str| {
        Command::new("script")
            .args(["-qec", command, "/dev/null"])
            .env("SHELL", "/bin/sh")
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
    };
    match run("test -t 0 && test -t 1 && test -t 2") {
        Ok(probe) if probe.status.success() => {}
        Ok(probe) => {
            eprintln!(
                "skipped: `script` gave no terminal here (status {:?}: {})",
                probe.status.code(),
                String::from_utf8_lossy(&probe.stderr).trim()
            );
            return None;
        }
        Err(e) => {
            eprintln!("skipped: no util-linux `script` to run pprotel on a terminal ({e})");
            return None;
        }
    }
    let out = run(command).unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    Some((out.status.code(), shown))
}

/// `pprotel args…` as a shell command.
fn command(args: &[&str]) -> String {
    std::iter::once(env!("CARGO_BIN_EXE_pprotel"))
        .chain(args.iter().copied())
        .map(sh_quote)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn binary_output_to_a_terminal_is_refused_with_a_hint() {
    let dir = inputs();
    for (args, format) in [
        (&["convert", "in.pb.gz"][..], "otlp"),
        (&["convert", "in.pb.gz", "-o", "-"], "otlp"),
        (&["convert", "in.otlp.pb"], "pprof"),
        (&["convert", "in.pb.gz", "--to", "pprof"], "pprof"),
    ] {
        let Some((status, shown)) = on_terminal(dir.path(), &command(args)) else {
            return;
        };
        assert_eq!(status, Some(2), "{args:?}: {shown}");
        assert_eq!(
            shown,
            format!(
                "pprotel: error: refusing to write binary {format} to a terminal: use -o FILE, pipe the output, or --to otlp-json\n"
            ),
            "{args:?}: the hint and nothing else reaches the terminal"
        );
    }
    assert_eq!(files(dir.path()), ["in.otlp.pb", "in.pb.gz"]);
}

#[test]
fn otlp_json_to_a_terminal_is_allowed() {
    let dir = inputs();
    let piped = pprotel(dir.path(), &["convert", "in.pb.gz", "--to", "otlp-json"]);
    assert!(piped.status.success(), "{}", stderr(&piped));
    let expected = String::from_utf8(piped.stdout)
        .unwrap()
        .replace("\r\n", "\n");
    for args in [
        &["convert", "in.pb.gz", "--to", "otlp-json"][..],
        &["convert", "in.pb.gz", "-o", "-", "--to", "otlp-json"],
    ] {
        let Some((status, shown)) = on_terminal(dir.path(), &command(args)) else {
            return;
        };
        assert_eq!(status, Some(0), "{args:?}: {shown}");
        assert!(
            shown.starts_with("{\"resourceProfiles\":"),
            "{args:?}: {shown}"
        );
        assert_eq!(shown, expected, "{args:?}");
    }
}
