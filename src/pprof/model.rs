//! The pprof wire model (`perftools.profiles.Profile`), written by hand from the published
//! field numbers of google/pprof `proto/profile.proto`.
//!
//! Strings are kept as raw bytes (`Vec<u8>`), not `String`: real profiles carry invalid UTF-8
//! (Go strings are byte strings), and a `string` field would make prost refuse the whole file.
//! Every field of the schema is present, including the late additions `doc_url` (15),
//! `Location.is_folded` (5) and `Line.column` (3), so decode → encode loses nothing that the
//! schema defines.

/// A whole profile. Field numbers follow `profile.proto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    /// One entry per value in each sample: what it measures and in which unit.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The measurements, each with a stack and labels.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// Address ranges of loaded binaries.
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Program counters, each with its (possibly inlined) source lines.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions referenced by `Line`s.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// All strings; entry 0 must be empty.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    /// Regex (string index) of frames to drop.
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// Regex (string index) of frames to keep despite `drop_frames`.
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Collection time, nanoseconds since the epoch.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Collection duration in nanoseconds.
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// What `period` counts.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// Events between samples.
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-form comments (string indices).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// Type name (string index) of the sample type shown by default.
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    /// Documentation link (string index) for the profile type.
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// A (type, unit) pair of string indices.
#[derive(Clone, Copy, PartialEq, Eq, Hash, prost::Message)]
pub struct ValueType {
    /// Type name (string index), e.g. "cpu".
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// Unit (string index), e.g. "nanoseconds".
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// One measurement.
///
/// Its `prost::Message` impl is written by hand (below) so that packed `location_id` and `value`
/// runs are sized before they are filled: prost's generic decoding pushes one element at a time,
/// and the regrowth of these two vectors was a tenth of a whole conversion.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Sample {
    /// Location ids, leaf first.
    pub location_id: Vec<u64>,
    /// One value per sample type.
    pub value: Vec<i64>,
    /// Labels, in file order.
    pub label: Vec<Label>,
}

impl prost::Message for Sample {
    fn encode_raw(&self, buf: &mut impl prost::bytes::BufMut) {
        prost::encoding::uint64::encode_packed(1, &self.location_id, buf);
        prost::encoding::int64::encode_packed(2, &self.value, buf);
        for label in &self.label {
            prost::encoding::message::encode(3, label, buf);
        }
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: prost::encoding::WireType,
        buf: &mut impl prost::bytes::Buf,
        ctx: prost::encoding::DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        let in_field = |field: &'static str| {
            move |mut error: prost::DecodeError| {
                error.push("Sample", field);
                error
            }
        };
        match tag {
            1 => merge_varints(wire_type, &mut self.location_id, buf, ctx, |v| v)
                .map_err(in_field("location_id")),
            2 => merge_varints(wire_type, &mut self.value, buf, ctx, |v| v as i64)
                .map_err(in_field("value")),
            3 => prost::encoding::message::merge_repeated(wire_type, &mut self.label, buf, ctx)
                .map_err(in_field("label")),
            _ => prost::encoding::skip_field(wire_type, tag, buf, ctx),
        }
    }

    fn encoded_len(&self) -> usize {
        prost::encoding::uint64::encoded_len_packed(1, &self.location_id)
            + prost::encoding::int64::encoded_len_packed(2, &self.value)
            + prost::encoding::message::encoded_len_repeated(3, &self.label)
    }

    fn clear(&mut self) {
        self.location_id.clear();
        self.value.clear();
        self.label.clear();
    }
}

/// Appends a repeated varint field (`uint64` or `int64`, told apart by `convert`), packed or not.
///
/// A packed run lying whole in the buffer's current chunk (always, for a `&[u8]` input) is
/// counted first (one varint ends at each byte below 0x80) and the vector reserved once. An
/// unpacked element is pushed directly. Any other case, including most malformed ones, is left to
/// prost, so errors stay prost's.
fn merge_varints<T>(
    wire_type: prost::encoding::WireType,
    values: &mut Vec<T>,
    buf: &mut impl prost::bytes::Buf,
    ctx: prost::encoding::DecodeContext,
    convert: fn(u64) -> T,
) -> Result<(), prost::DecodeError> {
    if wire_type == prost::encoding::WireType::LengthDelimited {
        let chunk = buf.chunk();
        let mut rest = chunk;
        if let Ok(len) = prost::encoding::decode_varint(&mut rest)
            && let Some(run) = usize::try_from(len).ok().and_then(|len| rest.get(..len))
            && run.last().is_none_or(|&b| b < 0x80)
        {
            let header = chunk.len() - rest.len();
            values.reserve(run.iter().filter(|&&b| b < 0x80).count());
            let mut run = run;
            while let [first, rest @ ..] = run {
                if *first < 0x80 {
                    values.push(convert(u64::from(*first)));
                    run = rest;
                } else {
                    values.push(convert(prost::encoding::decode_varint(&mut run)?));
                }
            }
            buf.advance(header + len as usize);
            return Ok(());
        }
    }
    if wire_type == prost::encoding::WireType::Varint {
        // The unpacked form old writers use: one element per key.
        values.push(convert(prost::encoding::decode_varint(buf)?));
        return Ok(());
    }
    let mut wide = Vec::new();
    prost::encoding::uint64::merge_repeated(wire_type, &mut wide, buf, ctx)?;
    values.extend(wide.into_iter().map(convert));
    Ok(())
}

/// A sample label: a string value (`str`) or a number (`num`, with `num_unit`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, prost::Message)]
pub struct Label {
    /// Key (string index).
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String value (string index), 0 when numeric.
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// Numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Unit of `num` (string index).
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// A loaded binary's address range.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct Mapping {
    /// Nonzero unique id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address (exclusive).
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// Offset of the mapping in the file.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// File name (string index).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Build id (string index).
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Symbolization state flags.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    #[prost(bool, tag = "8")]
    /// Symbolization state flags.
    pub has_filenames: bool,
    #[prost(bool, tag = "9")]
    /// Symbolization state flags.
    pub has_line_numbers: bool,
    #[prost(bool, tag = "10")]
    /// Symbolization state flags.
    pub has_inline_frames: bool,
}

/// A program counter and the source lines it stands for.
#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct Location {
    /// Nonzero unique id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Mapping id, 0 when unknown.
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// Instruction address.
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Lines, innermost (inlined) first, caller last; order is information.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// Several symbols share this address (identical code folding).
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// A source position inside a function.
#[derive(Clone, Copy, PartialEq, Eq, Hash, prost::Message)]
pub struct Line {
    /// Function id.
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Line number, 0 when unknown.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Column number, 0 when unknown.
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// A function.
#[derive(Clone, Copy, PartialEq, Eq, Hash, prost::Message)]
pub struct Function {
    /// Nonzero unique id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Human-readable name (string index).
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// Mangled / system name (string index).
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Source file (string index).
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// First line of the function.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

impl Profile {
    /// The string at index `i`, or `None` when `i` is outside the table.
    pub fn string(&self, i: i64) -> Option<&[u8]> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.string_table.get(i))
            .map(Vec::as_slice)
    }
}
