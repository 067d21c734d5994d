//! Throughput of each stage of the pipeline over real corpus profiles: decode (inflate +
//! protobuf), translate both ways, encode both ways, and the semantic comparison of two equal
//! copies (pprof and OTLP) that `diff` and `roundtrip` run.
//! Run: `cargo bench --bench convert`; corpus from `$PPROTEL_CORPUS` or `../shared/corpus`.

use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use pprotel::convert::{self, Decoded, ReadOptions};
use pprotel::otlp::json::{self, Style};
use pprotel::otlp::mapping::{ToOtlpOptions, otlp_to_pprof, pprof_to_otlp};
use pprotel::pprof::Container;

const FILES: &[&str] = &[
    "pprof/google-pprof__internal_proftest_testdata_large.cpu.pb.gz",
    "pprof/parca__pkg_parca_testdata_alloc_objects.pb.gz",
    "pprof/libdatadog__libdd-profiling_tests_wordpress.pb",
];

fn corpus() -> PathBuf {
    std::env::var_os("PPROTEL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

fn stages(c: &mut Criterion) {
    for file in FILES {
        let path = corpus().join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipping {}: not found", path.display());
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok((_, Decoded::Pprof(profile))) =
            convert::decode(bytes.clone(), &ReadOptions::default())
        else {
            panic!("{name}: not a pprof");
        };
        let otlp = pprof_to_otlp(&profile, &ToOtlpOptions::default()).unwrap();
        let otlp_bytes = pprotel::otlp::encode_protobuf(&otlp);

        let mut group = c.benchmark_group(name.as_str());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("pprof", "decode"), |b| {
            b.iter(|| convert::decode(bytes.clone(), &ReadOptions::default()).unwrap())
        });
        group.bench_function(BenchmarkId::new("pprof_to_otlp", "translate"), |b| {
            b.iter(|| pprof_to_otlp(&profile, &ToOtlpOptions::default()).unwrap())
        });
        group.bench_function(BenchmarkId::new("otlp", "encode"), |b| {
            b.iter(|| pprotel::otlp::encode_protobuf(&otlp))
        });
        group.bench_function(BenchmarkId::new("otlp_json", "encode"), |b| {
            b.iter(|| json::to_json(&otlp, Style::Compact))
        });
        group.bench_function(BenchmarkId::new("otlp", "decode"), |b| {
            b.iter(|| pprotel::otlp::decode_protobuf(&otlp_bytes).unwrap())
        });
        group.bench_function(BenchmarkId::new("otlp_to_pprof", "translate"), |b| {
            b.iter(|| otlp_to_pprof(&otlp).unwrap())
        });
        group.bench_function(BenchmarkId::new("pprof", "encode_gzip"), |b| {
            b.iter(|| pprotel::pprof::encode(&profile, Container::Gzip))
        });
        group.bench_function(BenchmarkId::new("pprof_gz_to_otlp", "end_to_end"), |b| {
            b.iter(|| {
                convert::convert(
                    bytes.clone(),
                    convert::Target::OtlpProtobuf,
                    &ReadOptions::default(),
                    &convert::TranslateOptions::default(),
                )
                .unwrap()
            })
        });
        // The diff engine: two equal copies decoded apart (what `pprotel diff a b` compares,
        // less reading them), for the budget of about three conversions.
        let copy = match convert::decode(bytes.clone(), &ReadOptions::default()) {
            Ok((_, Decoded::Pprof(p))) => p,
            _ => unreachable!("decoded above"),
        };
        group.bench_function(BenchmarkId::new("compare_pprof", "diff"), |b| {
            b.iter(|| assert!(pprotel::roundtrip::compare_pprof(&profile, &copy).is_empty()))
        });
        let otlp_copy = pprotel::otlp::decode_protobuf(&otlp_bytes).unwrap();
        group.bench_function(BenchmarkId::new("compare_otlp", "diff"), |b| {
            b.iter(|| {
                let found = pprotel::roundtrip::compare_otlp(
                    &otlp,
                    &otlp_copy,
                    pprotel::roundtrip::OtlpView::Everything,
                );
                assert!(found.is_empty());
            })
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
