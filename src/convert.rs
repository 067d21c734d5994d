//! The conversion pipeline as one library call: bytes → detect → decode → translate → encode.
//! Subcommands, tests and benchmarks all go through here, so they measure and check the same
//! path users run.

use crate::input::{self, Format, InputError};
use crate::otlp::json::{self, Style};
use crate::otlp::mapping::{self, MappingError, Report, ToOtlpOptions, ToPprofOptions};
use crate::otlp::{self, model::ProfilesData};
use crate::pprof;

/// A decoded profile of either format.
#[derive(Debug, Clone)]
pub enum Decoded {
    /// A pprof profile.
    Pprof(pprof::Profile),
    /// An OTLP payload (from protobuf or JSON).
    Otlp(ProfilesData),
}

/// What to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// pprof, raw or gzip.
    Pprof(pprof::Container),
    /// OTLP binary protobuf.
    OtlpProtobuf,
    /// OTLP JSON.
    OtlpJson(Style),
}

impl Target {
    /// The format this target writes.
    pub fn format(self) -> Format {
        match self {
            Target::Pprof(_) => Format::Pprof,
            Target::OtlpProtobuf => Format::OtlpProtobuf,
            Target::OtlpJson(_) => Format::OtlpJson,
        }
    }
}

/// How to read the input.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Skip detection and read as this format.
    pub from: Option<Format>,
    /// Cap on the decompressed size.
    pub max_decompressed: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            from: None,
            max_decompressed: input::DEFAULT_MAX_DECOMPRESSED,
        }
    }
}

/// How to translate, in each direction.
#[derive(Debug, Clone, Default)]
pub struct TranslateOptions {
    /// pprof → OTLP.
    pub to_otlp: ToOtlpOptions,
    /// OTLP → pprof.
    pub to_pprof: ToPprofOptions,
}

impl TranslateOptions {
    /// Caps the memory a translation's output may take, in both directions, at what decoding
    /// may take for a payload of `max_decompressed` bytes ([`crate::footprint::MAX_RATIO`] times
    /// it): the command line passes its decompression cap, so one limit bounds both steps.
    pub fn for_decompression_cap(mut self, max_decompressed: u64) -> Self {
        let bytes = max_decompressed.saturating_mul(crate::footprint::MAX_RATIO);
        self.to_otlp.max_memory = bytes;
        self.to_pprof.max_memory = bytes;
        self
    }
}

/// A conversion failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The bytes could not be read as a profile.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Decoding would take memory out of proportion to the payload.
    #[error(transparent)]
    Footprint(#[from] crate::footprint::FootprintError),
    /// The pprof could not be decoded.
    #[error(transparent)]
    Pprof(#[from] pprof::DecodeError),
    /// The OTLP could not be decoded.
    #[error(transparent)]
    Otlp(#[from] otlp::DecodeError),
    /// The profile could not be translated.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// The OTLP input holds no profiles, so there is no pprof to write.
    #[error("the OTLP input holds no profiles")]
    NoProfiles,
}

/// Decompresses, detects and decodes.
pub fn decode(bytes: Vec<u8>, options: &ReadOptions) -> Result<(Format, Decoded), ConvertError> {
    let payload = input::read_payload(bytes, options.from, options.max_decompressed)?;
    crate::footprint::check(&payload.bytes, payload.format)?;
    let decoded = match payload.format {
        Format::Pprof => Decoded::Pprof(pprof::decode(&payload.bytes)?),
        Format::OtlpProtobuf => Decoded::Otlp(otlp::decode_protobuf(&payload.bytes)?),
        Format::OtlpJson => {
            Decoded::Otlp(json::from_json(&payload.bytes).map_err(otlp::DecodeError::from)?)
        }
    };
    Ok((payload.format, decoded))
}

/// One output of a conversion.
#[derive(Debug, Clone)]
pub struct Output {
    /// Set when one OTLP input yields several pprof profiles: `r0.s1` or `r0.s1.p2` (see
    /// [`mapping::PprofOutput::suffix`]).
    pub suffix: Option<String>,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
}

/// The result of a conversion.
#[derive(Debug, Clone)]
pub struct Converted {
    /// What the input was.
    pub from: Format,
    /// The encoded outputs; exactly one unless an OTLP input had to be split.
    pub outputs: Vec<Output>,
    /// What the target format could not carry.
    pub report: Report,
}

/// Converts `bytes` into `target`, also when input and target formats are the same
/// (re-encoding: gzip ⇄ raw, protobuf ⇄ JSON).
pub fn convert(
    bytes: Vec<u8>,
    target: Target,
    read: &ReadOptions,
    options: &TranslateOptions,
) -> Result<Converted, ConvertError> {
    let (from, decoded) = decode(bytes, read)?;
    let (outputs, report) = translate(decoded, target, options)?;
    Ok(Converted {
        from,
        outputs,
        report,
    })
}

/// Translates (when formats differ) and encodes a decoded profile.
pub fn translate(
    decoded: Decoded,
    target: Target,
    options: &TranslateOptions,
) -> Result<(Vec<Output>, Report), ConvertError> {
    let single = |bytes| {
        vec![Output {
            suffix: None,
            bytes,
        }]
    };
    Ok(match (decoded, target) {
        (Decoded::Pprof(p), Target::Pprof(container)) => {
            (single(pprof::encode(&p, container)), Report::default())
        }
        (Decoded::Pprof(p), otlp_target) => {
            let data = mapping::pprof_to_otlp(&p, &options.to_otlp)?;
            (single(encode_otlp(&data, otlp_target)), Report::default())
        }
        (Decoded::Otlp(data), Target::Pprof(container)) => {
            let translated = mapping::otlp_to_pprof_with(&data, &options.to_pprof)?;
            if translated.outputs.is_empty() {
                return Err(ConvertError::NoProfiles);
            }
            let several = translated.outputs.len() > 1;
            let outputs = translated
                .outputs
                .iter()
                .map(|out| Output {
                    suffix: several.then(|| out.suffix()),
                    bytes: pprof::encode(&out.pprof, container),
                })
                .collect();
            (outputs, translated.report)
        }
        (Decoded::Otlp(data), otlp_target) => {
            (single(encode_otlp(&data, otlp_target)), Report::default())
        }
    })
}

fn encode_otlp(data: &ProfilesData, target: Target) -> Vec<u8> {
    match target {
        Target::OtlpJson(style) => json::to_json(data, style),
        _ => otlp::encode_protobuf(data),
    }
}
