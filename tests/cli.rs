//! The `pprotel` command line: inputs, outputs, formats, errors and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util;

/// A temporary directory and the built binary.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, &[])
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_pprotel"))
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    }

    /// Files left in the directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A corpus pprof, or `None` (skip) without a corpus.
fn sample_pprof() -> Option<Vec<u8>> {
    let dir = util::corpus_dir()?;
    Some(std::fs::read(dir.join("pprof/parca__pkg_query_testdata_two-stacks.pb.gz")).unwrap())
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn convert_reads_stdin_and_writes_stdout_as_the_other_format() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    let out = sb.run_with_stdin(&["convert"], &pprof);
    assert!(out.status.success(), "{}", stderr(&out));
    let data = pprotel::otlp::decode_protobuf(&out.stdout).expect("stdout is OTLP protobuf");
    assert_eq!(data.resource_profiles.len(), 1);
    let back = sb.run_with_stdin(&["convert", "-", "--to", "pprof"], &out.stdout);
    assert!(back.status.success(), "{}", stderr(&back));
    assert_eq!(
        &back.stdout[..2],
        [0x1f, 0x8b],
        "pprof output is gzip by default"
    );
}

#[test]
fn output_format_follows_the_output_extension() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    let input = sb.write("in.pb.gz", &pprof);
    let out = sb.run(&["convert", s(&input), "-o", "out.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(sb.path("out.json")).unwrap()[0], b'{');
    let out = sb.run(&["convert", "out.json", "-o", "raw.pb", "--to", "pprof"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let raw = std::fs::read(sb.path("raw.pb")).unwrap();
    assert_ne!(
        &raw[..2],
        [0x1f, 0x8b],
        "a .pb pprof output is raw protobuf"
    );
}

#[test]
fn malformed_input_fails_with_one_line_naming_the_file_and_leaves_no_output() {
    let sb = Sandbox::new();
    let bad = sb.write("bad.pb.gz", &[0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]);
    let out = sb.run(&["convert", s(&bad), "-o", "out.otlp"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "pprotel: error: {}: corrupt gzip stream",
            bad.display()
        )),
        "{err}"
    );
    assert_eq!(sb.files(), ["bad.pb.gz"]);
}

#[test]
fn an_older_schema_otlp_file_is_refused_with_exit_code_2() {
    let Some(dir) = util::corpus_dir() else {
        return;
    };
    let sb = Sandbox::new();
    let input = dir.join("otlp-v1.8/sig-profiling__otlp-bench_testdata_profile.otlp");
    let out = sb.run(&["convert", s(&input), "-o", "out.pb.gz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("OTLP Profiles v1.8"),
        "{}",
        stderr(&out)
    );
    assert!(sb.files().is_empty());
}

#[test]
fn missing_paths_and_directories_are_errors() {
    let sb = Sandbox::new();
    let out = sb.run(&["convert", "nope.pb.gz", "-o", "x.otlp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("pprotel: error: nope.pb.gz: cannot read"),
        "{}",
        stderr(&out)
    );
    let out = sb.run(&["convert", "/nonexistent-dir/", "-o", "x.otlp"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unwritable_output_location_is_an_error() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    let input = sb.write("in.pb.gz", &pprof);
    let out = sb.run(&["convert", s(&input), "-o", "/nonexistent-dir/out.otlp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent-dir/out.otlp"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn batch_conversion_reports_a_bad_file_and_converts_the_rest() {
    let Some(dir) = util::corpus_dir() else {
        return;
    };
    let sb = Sandbox::new();
    let inputs = sb.path("in");
    std::fs::create_dir_all(inputs.join("nested")).unwrap();
    for name in [
        "parca__pkg_query_testdata_two-stacks.pb.gz",
        "libdatadog__libdd-profiling_tests_profile.pb",
    ] {
        std::fs::copy(
            dir.join("pprof").join(name),
            inputs.join("nested").join(name),
        )
        .unwrap();
    }
    std::fs::write(inputs.join("broken.pb.gz"), b"not a profile at all").unwrap();
    let out = sb.run(&[
        "convert",
        "in",
        "-o",
        "out",
        "--to",
        "otlp-json",
        "--jobs",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broken.pb.gz"), "{err}");
    assert!(err.contains("1 of 3 files failed"), "{err}");
    let mut written: Vec<String> = std::fs::read_dir(sb.path("out/nested"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "libdatadog__libdd-profiling_tests_profile.otlp.json",
            "parca__pkg_query_testdata_two-stacks.otlp.json"
        ]
    );
}

#[test]
fn an_otlp_input_with_several_resources_writes_one_pprof_each_with_predictable_names() {
    use pprotel::otlp::model as otlp;
    let mut data = crate::build::counted(vec![otlp::Sample {
        values: vec![1],
        ..Default::default()
    }]);
    let resource = data.resource_profiles[0].clone();
    data.resource_profiles.push(resource);
    let sb = Sandbox::new();
    let input = sb.write("two.otlp", &pprotel::otlp::encode_protobuf(&data));
    let out = sb.run(&["convert", s(&input), "-o", "out.pb.gz"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sb.files(),
        ["out.r0.s0.pb.gz", "out.r1.s0.pb.gz", "two.otlp"]
    );
    let to_stdout = sb.run(&["convert", s(&input)]);
    assert_eq!(to_stdout.status.code(), Some(2));
    assert!(
        stderr(&to_stdout).contains("pass -o FILE"),
        "{}",
        stderr(&to_stdout)
    );
}

#[test]
fn strict_refuses_what_pprof_cannot_carry() {
    use pprotel::otlp::model as otlp;
    let data = crate::build::counted(vec![otlp::Sample {
        timestamps_unix_nano: vec![5],
        ..Default::default()
    }]);
    let sb = Sandbox::new();
    let input = sb.write("ts.otlp", &pprotel::otlp::encode_protobuf(&data));
    let lenient = sb.run(&["convert", s(&input), "-o", "out.pb.gz"]);
    assert!(lenient.status.success());
    assert!(
        stderr(&lenient).contains("note:") && stderr(&lenient).contains("sample timestamps (1×"),
        "{}",
        stderr(&lenient)
    );
    let strict = sb.run(&["convert", s(&input), "-o", "strict.pb.gz", "--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(!sb.path("strict.pb.gz").exists());
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Sandbox::new().run(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("2  an error"));
}

/// A corpus pprof whose first sample's first value is changed, as gzip bytes.
fn mutated_pprof(bytes: &[u8]) -> Vec<u8> {
    let Ok((_, pprotel::convert::Decoded::Pprof(mut p))) =
        pprotel::convert::decode(bytes.to_vec(), &Default::default())
    else {
        panic!("not a pprof");
    };
    p.sample[0].value[0] += 1;
    pprotel::pprof::encode(&p, pprotel::pprof::Container::Gzip)
}

#[test]
fn validate_accepts_valid_files_of_both_formats() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    let input = sb.write("in.pb.gz", &pprof);
    assert!(
        sb.run(&["convert", s(&input), "-o", "out.otlp"])
            .status
            .success()
    );
    let out = sb.run(&["validate", s(&input), "out.otlp"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("in.pb.gz: valid pprof") && text.contains("out.otlp: valid otlp"),
        "{text}"
    );
}

#[test]
fn validate_names_each_violation_with_its_path_and_rule() {
    use pprotel::otlp::model as otlp;
    let data = crate::build::counted(vec![otlp::Sample {
        stack_index: 9,
        values: vec![1],
        ..Default::default()
    }]);
    let sb = Sandbox::new();
    sb.write("bad.otlp", &pprotel::otlp::encode_protobuf(&data));
    let out = sb.run(&["validate", "bad.otlp"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "bad.otlp: resource_profiles[0].scope_profiles[0].profiles[0].samples[0].stack_index: "
        ),
        "{text}"
    );
    assert!(text.contains("[index-out-of-range]"), "{text}");
    let json = sb.run(&["validate", "--json", "bad.otlp"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["files"][0]["valid"], false);
    assert_eq!(
        doc["files"][0]["violations"][0]["rule"],
        "index-out-of-range"
    );
}

#[test]
fn diff_finds_a_pprof_and_its_otlp_translation_equal() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    let input = sb.write("in.pb.gz", &pprof);
    assert!(
        sb.run(&["convert", s(&input), "-o", "out.otlp.json"])
            .status
            .success()
    );
    let out = sb.run(&["diff", s(&input), "out.otlp.json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
}

#[test]
fn diff_reports_a_changed_sample_value_by_path_with_exit_1() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    sb.write("a.pb.gz", &pprof);
    sb.write("b.pb.gz", &mutated_pprof(&pprof));
    let out = sb.run(&["diff", "a.pb.gz", "b.pb.gz", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 differences (1 changed)"), "{text}");
    assert!(text.contains("sample[0].value[0]: expected"), "{text}");
    assert!(
        text.contains("--- a.pb.gz") && text.contains("+++ b.pb.gz"),
        "the unified diff of the dumps: {text}"
    );
    let json = sb.run(&["diff", "--json", "a.pb.gz", "b.pb.gz"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["equal"], false);
    assert_eq!(doc["counts"]["changed"], 1);
    assert_eq!(doc["differences"][0]["path"], "sample[0].value[0]");
}

/// Colour is for people: the unified diff is coloured with `--color always`, and with the
/// default `auto` only on a terminal, never in a pipe (as here) or a file.
#[test]
fn diff_colours_only_when_asked_or_on_a_terminal() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    sb.write("a.pb.gz", &pprof);
    sb.write("b.pb.gz", &mutated_pprof(&pprof));
    let piped = sb.run(&["diff", "a.pb.gz", "b.pb.gz"]);
    assert_eq!(piped.status.code(), Some(1));
    assert!(
        !piped.stdout.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&piped.stdout)
    );
    let always = sb.run(&["diff", "a.pb.gz", "b.pb.gz", "--color", "always"]);
    let text = String::from_utf8_lossy(&always.stdout);
    assert!(text.contains("\x1b[31m-sample[0]: values"), "{text}");
    assert!(text.contains("\x1b[32m+sample[0]: values"), "{text}");
    // The same report, less the escapes.
    let plain = text
        .replace("\x1b[31m", "")
        .replace("\x1b[32m", "")
        .replace("\x1b[36m", "")
        .replace("\x1b[0m", "");
    assert_eq!(plain, String::from_utf8_lossy(&piped.stdout));
}

#[test]
fn diff_strict_reports_encoding_changes_separately() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    sb.write("a.pb.gz", &pprof);
    assert!(
        sb.run(&["convert", "a.pb.gz", "-o", "via.otlp"])
            .status
            .success()
    );
    assert!(
        sb.run(&["convert", "via.otlp", "-o", "b.pb.gz"])
            .status
            .success()
    );
    assert_eq!(
        sb.run(&["diff", "a.pb.gz", "b.pb.gz"]).status.code(),
        Some(0)
    );
    // The trip through OTLP rebuilds the string table: that, and only that, is reported, as
    // encoding, and the profiles stay equal.
    let strict = sb.run(&["diff", "--strict", "--json", "a.pb.gz", "b.pb.gz"]);
    assert_eq!(strict.status.code(), Some(0), "{}", stderr(&strict));
    let doc: serde_json::Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(doc["equal"], true, "{doc}");
    assert_eq!(encoding_paths(&doc), ["string_table"], "{doc}");
}

/// The (kind, path) of every difference of a `diff --json` report, all of kind encoding.
fn encoding_paths(doc: &serde_json::Value) -> Vec<String> {
    doc["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["kind"], "encoding", "{d}");
            d["path"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Two OTLP payloads with the same content and another dictionary layout (two strings swapped,
/// every index into them rewritten) are equal; `--strict` names the tables laid out differently.
#[test]
fn diff_strict_reports_an_otlp_dictionary_layout_as_encoding() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    sb.write("a.pb.gz", &pprof);
    assert!(
        sb.run(&["convert", "a.pb.gz", "-o", "a.otlp"])
            .status
            .success()
    );
    let mut data =
        pprotel::otlp::decode_protobuf(&std::fs::read(sb.path("a.otlp")).unwrap()).unwrap();
    data.dictionary.as_mut().unwrap().string_table.swap(1, 2);
    crate::otlp_equality::map_strings(&mut data, &|i| match i {
        1 => 2,
        2 => 1,
        other => other,
    });
    sb.write("b.otlp", &pprotel::otlp::encode_protobuf(&data));
    let plain = sb.run(&["diff", "--json", "a.otlp", "b.otlp"]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stdout)
    );
    let strict = sb.run(&["diff", "--strict", "--json", "a.otlp", "b.otlp"]);
    assert_eq!(strict.status.code(), Some(0), "{}", stderr(&strict));
    let doc: serde_json::Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(doc["equal"], true, "{doc}");
    // The attribute table holds the same attributes, but their keys' indices moved with them.
    assert_eq!(
        encoding_paths(&doc),
        ["dictionary.string_table", "dictionary.attribute_table"],
        "{doc}"
    );
    // The text report says the same.
    let text = sb.run(&["diff", "--strict", "a.otlp", "b.otlp"]);
    let first = String::from_utf8_lossy(&text.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    assert_eq!(
        first,
        "a.otlp and b.otlp are semantically equal, encoded differently: 2 differences (2 encoding)"
    );
}

#[test]
fn roundtrip_proves_corpus_files_lossless_in_argument_order() {
    let Some(dir) = util::corpus_dir() else {
        return;
    };
    let files = [
        "parca__pkg_query_testdata_two-stacks.pb.gz",
        "libdatadog__libdd-profiling_tests_wordpress.pb",
        "parca__pkg_parca_testdata_alloc_objects.pb.gz",
    ];
    let paths: Vec<String> = files
        .iter()
        .map(|f| dir.join("pprof").join(f).display().to_string())
        .collect();
    let mut args = vec!["roundtrip", "--jobs", "3"];
    args.extend(paths.iter().map(String::as_str));
    let out = Sandbox::new().run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let verdicts: Vec<&str> = text.lines().filter(|l| l.starts_with("lossless")).collect();
    assert_eq!(verdicts.len(), 3, "{text}");
    for (line, file) in verdicts.iter().zip(files) {
        assert!(line.contains(file), "{line} should name {file}");
    }
    assert!(
        text.ends_with("3 files: 3 lossless, 0 lost information, 0 errors\n"),
        "{text}"
    );
}

#[test]
fn roundtrip_lists_what_pprof_cannot_hold_without_calling_it_loss() {
    use pprotel::otlp::model as otlp;
    let data = crate::build::counted(vec![otlp::Sample {
        timestamps_unix_nano: vec![5, 6],
        ..Default::default()
    }]);
    let sb = Sandbox::new();
    sb.write("ts.otlp", &pprotel::otlp::encode_protobuf(&data));
    let out = sb.run(&["roundtrip", "ts.otlp"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("lossless  ts.otlp [otlp]"), "{text}");
    assert!(
        text.contains("not representable in pprof: sample timestamps (2×"),
        "{text}"
    );
}

#[test]
fn roundtrip_reports_an_unreadable_file_as_an_error_and_checks_the_rest() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    sb.write("good.pb.gz", &pprof);
    sb.write("bad.pb.gz", b"garbage");
    let out = sb.run(&["roundtrip", "bad.pb.gz", "good.pb.gz"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("ERROR     bad.pb.gz: "), "{text}");
    assert!(text.contains("lossless  good.pb.gz [pprof]"), "{text}");
}

#[test]
fn dump_resolves_every_index_and_reads_stdin() {
    let Some(pprof) = sample_pprof() else { return };
    let sb = Sandbox::new();
    let from_file = sb.run(&["dump", s(&sb.write("in.pb.gz", &pprof))]);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let from_stdin = sb.run_with_stdin(&["dump"], &pprof);
    assert_eq!(from_file.stdout, from_stdin.stdout);
    assert!(!from_file.stdout.is_empty());
}
