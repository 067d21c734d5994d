//! Turning input bytes into a known format: decompression (gzip, zstd) under a size cap, then
//! detection by content. File names are never consulted: real corpora ship raw protobuf named
//! `.pb.gz` and gzip named `.pb`.

use std::io::Read;

use crate::wire::{self, Value};

/// Default cap on decompressed size: 1 GiB. A gzip bomb stops here instead of exhausting memory.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 1 << 30;

/// The container the payload arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

/// A profile encoding pprotel reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `perftools.profiles.Profile` protobuf.
    Pprof,
    /// OTLP `ProfilesData` / `ExportProfilesServiceRequest` protobuf.
    OtlpProtobuf,
    /// OTLP JSON.
    OtlpJson,
}

impl Format {
    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pprof => "pprof",
            Format::OtlpProtobuf => "otlp",
            Format::OtlpJson => "otlp-json",
        }
    }
}

/// Why input bytes could not be turned into a payload of a known format.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Nothing to read.
    #[error("empty input")]
    Empty,
    /// The decompressed payload is larger than allowed.
    #[error(
        "{compression} payload decompresses to more than {limit} bytes (raise the limit with --max-decompressed-size)"
    )]
    TooLarge {
        /// "gzip" or "zstd".
        compression: &'static str,
        /// The cap in bytes.
        limit: u64,
    },
    /// The input itself is larger than the cap: an uncompressed payload may no more exceed it
    /// than a decompressed one (and the command line reads no file or pipe past it).
    #[error("input is larger than {limit} bytes (raise the limit with --max-decompressed-size)")]
    InputTooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// The compressed stream is damaged or truncated.
    #[error("corrupt {compression} stream: {source}")]
    Corrupt {
        /// "gzip" or "zstd".
        compression: &'static str,
        /// The decompressor's complaint.
        source: std::io::Error,
    },
    /// The bytes are neither pprof nor OTLP.
    #[error("not a profile: {0}")]
    Unrecognized(String),
}

/// A decompressed payload and what it was detected as.
#[derive(Debug)]
pub struct Payload {
    /// Decompressed bytes.
    pub bytes: Vec<u8>,
    /// How the bytes arrived.
    pub compression: Compression,
    /// What the content is.
    pub format: Format,
}

/// Decompresses (if needed) and detects the format, unless `forced` names it.
pub fn read_payload(
    raw: Vec<u8>,
    forced: Option<Format>,
    max_decompressed: u64,
) -> Result<Payload, InputError> {
    let (bytes, compression) = decompress(raw, max_decompressed)?;
    let format = match forced {
        Some(format) => format,
        None => detect_format(&bytes)?,
    };
    Ok(Payload {
        bytes,
        compression,
        format,
    })
}

/// Sniffs the compression from the magic bytes and inflates under `limit`; uncompressed input
/// is held to the same `limit`.
pub fn decompress(raw: Vec<u8>, limit: u64) -> Result<(Vec<u8>, Compression), InputError> {
    if raw.is_empty() {
        return Err(InputError::Empty);
    }
    if raw.starts_with(&GZIP_MAGIC) {
        let decoder = flate2::read::MultiGzDecoder::new(raw.as_slice());
        return Ok((
            read_capped(decoder, limit, "gzip", raw.len())?,
            Compression::Gzip,
        ));
    }
    if raw.starts_with(&ZSTD_MAGIC) {
        let corrupt = |source| InputError::Corrupt {
            compression: "zstd",
            source,
        };
        let mut decoder = zstd::stream::read::Decoder::new(raw.as_slice()).map_err(corrupt)?;
        decoder
            .window_log_max(zstd_window_log_max(limit))
            .map_err(corrupt)?;
        return Ok((
            read_capped(decoder, limit, "zstd", raw.len())?,
            Compression::Zstd,
        ));
    }
    if raw.len() as u64 > limit {
        return Err(InputError::InputTooLarge { limit });
    }
    Ok((raw, Compression::None))
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The largest zstd window (as a power of two) to accept. The decoder allocates the window a
/// frame header asks for before reading any data, and the header is the input's to choose: a
/// few hundred bytes can demand zstd's default maximum of 128 MiB. A window larger than the cap
/// is never needed (no back-reference can reach further than the output may be long), so the
/// window is held to the smallest power of two covering the cap, within zstd's bounds 2^10..2^27.
fn zstd_window_log_max(limit: u64) -> u32 {
    let covering = u64::BITS - limit.saturating_sub(1).leading_zeros();
    covering.clamp(10, 27)
}

/// Reads a decompressor to the end, failing as soon as the output passes `limit`.
/// The initial capacity is a guess from the compressed size (never above the cap), never from a
/// header the input controls (a zstd frame may lie about its content size).
fn read_capped(
    reader: impl Read,
    limit: u64,
    compression: &'static str,
    compressed_len: usize,
) -> Result<Vec<u8>, InputError> {
    let guess = compressed_len
        .saturating_mul(4)
        .min(64 << 20)
        .min(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(guess);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|source| InputError::Corrupt {
            compression,
            source,
        })?;
    if out.len() as u64 > limit {
        return Err(InputError::TooLarge { compression, limit });
    }
    if out.is_empty() {
        return Err(InputError::Empty);
    }
    if out.starts_with(&GZIP_MAGIC) || out.starts_with(&ZSTD_MAGIC) {
        // Inflated once only, so nested compression cannot multiply the cap; neither profile
        // format can start with these bytes, so say what happened instead of "not a profile".
        return Err(InputError::Unrecognized(format!(
            "the {compression} payload is itself compressed; pprotel decompresses once, so unpack it first"
        )));
    }
    Ok(out)
}

/// Tells pprof from OTLP protobuf from OTLP JSON by content.
///
/// JSON starts with `{`. For protobuf, both schemas use fields 1 and 2 with wire type LEN at the
/// top level, so the decision looks deeper: pprof has top-level fields 3..=15 (its string table
/// is field 6 and is never empty in a valid profile), and its field 1 (`ValueType`) holds only
/// varints, while OTLP's field 1 (`ResourceProfiles`) holds submessages.
pub fn detect_format(bytes: &[u8]) -> Result<Format, InputError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return Ok(Format::OtlpJson);
    }
    if crate::otlp::schema::frames(bytes).is_some() {
        // The Collector file exporter's length-prefixed OTLP messages; the OTLP decoder names
        // it (and any older schema inside) precisely.
        return Ok(Format::OtlpProtobuf);
    }
    let mut saw_field_1_or_2 = false;
    for field in wire::fields(bytes) {
        let (number, value) = field.map_err(|e| InputError::Unrecognized(e.to_string()))?;
        match (number, value) {
            (3..=15, _) => return Ok(Format::Pprof),
            (1, Value::Len(body)) => {
                saw_field_1_or_2 = true;
                if let Some(format) = classify_field_1(body) {
                    return Ok(format);
                }
            }
            (2, Value::Len(_)) => saw_field_1_or_2 = true,
            (number, _) => {
                return Err(InputError::Unrecognized(format!(
                    "top-level protobuf field {number} has a wire type neither pprof nor OTLP uses"
                )));
            }
        }
    }
    if saw_field_1_or_2 {
        // Only fields 1 and 2, and field 1 told nothing: a pprof always has a string table
        // (field 6), so this is OTLP.
        Ok(Format::OtlpProtobuf)
    } else {
        Err(InputError::Unrecognized(
            "no protobuf fields of pprof or OTLP".into(),
        ))
    }
}

/// pprof `ValueType` holds varints; OTLP `ResourceProfiles` holds LEN fields.
fn classify_field_1(body: &[u8]) -> Option<Format> {
    let mut fields = wire::fields(body);
    match fields.next() {
        Some(Ok((_, Value::Varint(_)))) => Some(Format::Pprof),
        Some(Ok((_, Value::Len(_)))) => Some(Format::OtlpProtobuf),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_detected_after_whitespace() {
        assert_eq!(
            detect_format(b"  \n{\"resourceProfiles\":[]}").unwrap(),
            Format::OtlpJson
        );
    }

    #[test]
    fn gzip_bomb_stops_at_the_cap() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 1 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let err = decompress(gz, 1000).unwrap_err();
        assert!(
            matches!(err, InputError::TooLarge { limit: 1000, .. }),
            "{err}"
        );
    }

    #[test]
    fn uncompressed_input_is_held_to_the_cap_too() {
        let err = decompress(vec![0x0a; 1001], 1000).unwrap_err();
        assert!(
            matches!(err, InputError::InputTooLarge { limit: 1000 }),
            "{err}"
        );
        assert!(decompress(vec![0x0a; 1000], 1000).is_ok());
    }

    #[test]
    fn the_zstd_window_is_held_to_the_cap() {
        assert_eq!(zstd_window_log_max(1 << 20), 20);
        assert_eq!(zstd_window_log_max((1 << 20) + 1), 21);
        assert_eq!(zstd_window_log_max(100), 10);
        assert_eq!(zstd_window_log_max(DEFAULT_MAX_DECOMPRESSED), 27);
        assert_eq!(zstd_window_log_max(u64::MAX), 27);
    }

    #[test]
    fn truncated_gzip_is_corrupt() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello world, hello world").unwrap();
        let gz = enc.finish().unwrap();
        let err = decompress(gz[..gz.len() / 2].to_vec(), 1 << 20).unwrap_err();
        assert!(matches!(err, InputError::Corrupt { .. }), "{err}");
    }
}
