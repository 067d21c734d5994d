use crate::util;
use prost::Message;

/// Decoding then re-encoding every corpus pprof gives the same model back: the hand-written
/// messages cover every field the corpus uses (an unknown field would be dropped by prost and
/// show up here as a difference). Sizes may differ: old writers used unpacked repeated fields.
#[test]
fn every_corpus_pprof_survives_decode_encode_decode() {
    for path in util::corpus_files("pprof") {
        let raw = std::fs::read(&path).unwrap();
        let payload =
            pprotel::input::read_payload(raw, None, pprotel::input::DEFAULT_MAX_DECOMPRESSED)
                .unwrap_or_else(|e| panic!("{}: {e}", util::name(&path)));
        assert_eq!(
            payload.format,
            pprotel::input::Format::Pprof,
            "{}",
            util::name(&path)
        );
        let profile = pprotel::pprof::decode(&payload.bytes).unwrap();
        let encoded = profile.encode_to_vec();
        let again = pprotel::pprof::decode(&encoded).unwrap();
        assert_eq!(profile, again, "{}", util::name(&path));
    }
}

/// zstd-compressed, gzip-compressed and raw copies of a profile decode to the same model:
/// the container is detected from the content, never from the name.
#[test]
fn zstd_gzip_and_raw_inputs_decode_alike() {
    let Some(dir) = util::corpus_dir() else {
        return;
    };
    let gz = std::fs::read(dir.join("pprof/parca__pkg_query_testdata_fib.pb.gz")).unwrap();
    let decode = |bytes: Vec<u8>| match pprotel::convert::decode(bytes, &Default::default()) {
        Ok((_, pprotel::convert::Decoded::Pprof(p))) => p,
        other => panic!("{other:?}"),
    };
    let from_gzip = decode(gz);
    let raw = from_gzip.encode_to_vec();
    let zst = zstd::encode_all(raw.as_slice(), 3).unwrap();
    assert_eq!(decode(zst), from_gzip);
    assert_eq!(decode(raw), from_gzip);
}

/// Two profiles written one after the other decode as one protobuf message whose later scalars
/// win; google/pprof refuses them ("concatenated profiles detected") when a `time_nanos`
/// follows a nonzero one, and so does pprotel. A `time_nanos` after a zero one is not that.
#[test]
fn concatenated_profiles_are_refused_as_google_pprof_refuses_them() {
    let mut first = crate::build::PprofBuilder::cpu().p;
    first.time_nanos = 1_700_000_000_000_000_000;
    let mut second = first.clone();
    second.time_nanos = 1_700_000_000_000_000_042;
    let concatenated = [first.encode_to_vec(), second.encode_to_vec()].concat();
    match pprotel::pprof::decode(&concatenated) {
        Err(
            e @ pprotel::pprof::DecodeError::Concatenated {
                first: 1_700_000_000_000_000_000,
            },
        ) => {
            assert_eq!(
                e.to_string(),
                "concatenated profiles detected: time_nanos appears again after the nonzero value 1700000000000000000"
            );
        }
        other => panic!("{other:?}"),
    }

    first.time_nanos = 0;
    let after_zero = [first.encode_to_vec(), second.encode_to_vec()].concat();
    let decoded = pprotel::pprof::decode(&after_zero).unwrap();
    assert_eq!(decoded.time_nanos, second.time_nanos);
}

/// pprof uses no protobuf groups, and google/pprof refuses one anywhere ("unknown wire type")
/// where prost would skip an unknown group: pprotel refuses it too, naming the message.
#[test]
fn a_protobuf_group_is_refused_where_it_stands() {
    let profile = crate::build::PprofBuilder::cpu().p;
    let group = [0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06]; // field 99: start, a varint, end
    let top = [profile.encode_to_vec(), group.to_vec()].concat();
    let message = |bytes: &[u8]| match pprotel::pprof::decode(bytes) {
        Err(pprotel::pprof::DecodeError::Group { message }) => message,
        other => panic!("{other:?}"),
    };
    assert_eq!(message(&top), "Profile");

    // A fourth sample whose second label holds the group.
    let label = pprotel::pprof::Label {
        key: 1,
        ..Default::default()
    }
    .encode_to_vec();
    let mut sample = pprotel::pprof::Sample {
        location_id: vec![1],
        value: vec![1, 1],
        label: Vec::new(),
    }
    .encode_to_vec();
    for body in [label.clone(), [label, group.to_vec()].concat()] {
        sample.push(0x1a); // Sample.label, LEN
        sample.push(body.len() as u8);
        sample.extend(body);
    }
    let mut nested = profile.encode_to_vec();
    nested.push(0x12); // Profile.sample, LEN
    nested.push(sample.len() as u8);
    nested.extend(sample);
    assert_eq!(message(&nested), "sample[3].label[1]");
    assert_eq!(
        pprotel::pprof::decode(&nested).unwrap_err().to_string(),
        "sample[3].label[1] holds a protobuf group (wire type 3 or 4), which pprof does not use"
    );
}
