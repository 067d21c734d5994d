//! The pprof wire model (`perftools.profiles.Profile`), written by hand from the published
//! field numbers of google/pprof `proto/profile.proto`.
//!
//! Strings are kept as raw bytes (`Vec<u8>`), not `String`: real profiles carry invalid UTF-8
//! (Go strings are byte strings), and a `string` field would make prost refuse the whole file.
//! Every field of the schema is present, including the late additions `doc_url` (15),
//! `Location.is_folded` (5) and `Line.column` (3), so decode → encode loses nothing that the
//! schema defines.

/// A whole profile. Field numbers follow `profile.proto`.
///
/// Its `prost::Message` impl is written by hand (below) for one reason: `decode` first tries
/// [`fast::profile`], a decoder over the contiguous input slice that sizes every vector before
/// filling it. prost's generic decoding costs about as much as inflating the file; the fast one
/// a fraction of that. Whatever the fast decoder does not handle (or finds malformed) is decoded
/// by prost from the start, so results and errors are prost's.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Profile {
    /// One entry per value in each sample: what it measures and in which unit.
    pub sample_type: Vec<ValueType>,
    /// The measurements, each with a stack and labels.
    pub sample: Vec<Sample>,
    /// Address ranges of loaded binaries.
    pub mapping: Vec<Mapping>,
    /// Program counters, each with its (possibly inlined) source lines.
    pub location: Vec<Location>,
    /// Functions referenced by `Line`s.
    pub function: Vec<Function>,
    /// All strings; entry 0 must be empty.
    pub string_table: Vec<Vec<u8>>,
    /// Regex (string index) of frames to drop.
    pub drop_frames: i64,
    /// Regex (string index) of frames to keep despite `drop_frames`.
    pub keep_frames: i64,
    /// Collection time, nanoseconds since the epoch.
    pub time_nanos: i64,
    /// Collection duration in nanoseconds.
    pub duration_nanos: i64,
    /// What `period` counts.
    pub period_type: Option<ValueType>,
    /// Events between samples.
    pub period: i64,
    /// Free-form comments (string indices).
    pub comment: Vec<i64>,
    /// Type name (string index) of the sample type shown by default.
    pub default_sample_type: i64,
    /// Documentation link (string index) for the profile type.
    pub doc_url: i64,
}

impl prost::Message for Profile {
    fn encode_raw(&self, buf: &mut impl prost::bytes::BufMut) {
        use prost::encoding::{bytes, int64, message};
        message::encode_repeated(1, &self.sample_type, buf);
        message::encode_repeated(2, &self.sample, buf);
        message::encode_repeated(3, &self.mapping, buf);
        message::encode_repeated(4, &self.location, buf);
        message::encode_repeated(5, &self.function, buf);
        bytes::encode_repeated(6, &self.string_table, buf);
        for (tag, value) in [
            (7, self.drop_frames),
            (8, self.keep_frames),
            (9, self.time_nanos),
            (10, self.duration_nanos),
        ] {
            if value != 0 {
                int64::encode(tag, &value, buf);
            }
        }
        if let Some(period_type) = &self.period_type {
            message::encode(11, period_type, buf);
        }
        if self.period != 0 {
            int64::encode(12, &self.period, buf);
        }
        int64::encode_packed(13, &self.comment, buf);
        for (tag, value) in [(14, self.default_sample_type), (15, self.doc_url)] {
            if value != 0 {
                int64::encode(tag, &value, buf);
            }
        }
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: prost::encoding::WireType,
        buf: &mut impl prost::bytes::Buf,
        ctx: prost::encoding::DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        use prost::encoding::{bytes, int64, message};
        let (result, field) = match tag {
            1 => (
                message::merge_repeated(wire_type, &mut self.sample_type, buf, ctx),
                "sample_type",
            ),
            2 => (
                message::merge_repeated(wire_type, &mut self.sample, buf, ctx),
                "sample",
            ),
            3 => (
                message::merge_repeated(wire_type, &mut self.mapping, buf, ctx),
                "mapping",
            ),
            4 => (
                message::merge_repeated(wire_type, &mut self.location, buf, ctx),
                "location",
            ),
            5 => (
                message::merge_repeated(wire_type, &mut self.function, buf, ctx),
                "function",
            ),
            6 => (
                bytes::merge_repeated(wire_type, &mut self.string_table, buf, ctx),
                "string_table",
            ),
            7 => (
                int64::merge(wire_type, &mut self.drop_frames, buf, ctx),
                "drop_frames",
            ),
            8 => (
                int64::merge(wire_type, &mut self.keep_frames, buf, ctx),
                "keep_frames",
            ),
            9 => (
                int64::merge(wire_type, &mut self.time_nanos, buf, ctx),
                "time_nanos",
            ),
            10 => (
                int64::merge(wire_type, &mut self.duration_nanos, buf, ctx),
                "duration_nanos",
            ),
            11 => (
                message::merge(
                    wire_type,
                    self.period_type.get_or_insert_with(Default::default),
                    buf,
                    ctx,
                ),
                "period_type",
            ),
            12 => (
                int64::merge(wire_type, &mut self.period, buf, ctx),
                "period",
            ),
            13 => (
                int64::merge_repeated(wire_type, &mut self.comment, buf, ctx),
                "comment",
            ),
            14 => (
                int64::merge(wire_type, &mut self.default_sample_type, buf, ctx),
                "default_sample_type",
            ),
            15 => (
                int64::merge(wire_type, &mut self.doc_url, buf, ctx),
                "doc_url",
            ),
            _ => return prost::encoding::skip_field(wire_type, tag, buf, ctx),
        };
        result.map_err(|mut error| {
            error.push("Profile", field);
            error
        })
    }

    fn encoded_len(&self) -> usize {
        use prost::encoding::{bytes, int64, message};
        let scalar = |tag: u32, value: i64| {
            if value != 0 {
                int64::encoded_len(tag, &value)
            } else {
                0
            }
        };
        message::encoded_len_repeated(1, &self.sample_type)
            + message::encoded_len_repeated(2, &self.sample)
            + message::encoded_len_repeated(3, &self.mapping)
            + message::encoded_len_repeated(4, &self.location)
            + message::encoded_len_repeated(5, &self.function)
            + bytes::encoded_len_repeated(6, &self.string_table)
            + scalar(7, self.drop_frames)
            + scalar(8, self.keep_frames)
            + scalar(9, self.time_nanos)
            + scalar(10, self.duration_nanos)
            + self
                .period_type
                .as_ref()
                .map_or(0, |m| message::encoded_len(11, m))
            + scalar(12, self.period)
            + int64::encoded_len_packed(13, &self.comment)
            + scalar(14, self.default_sample_type)
            + scalar(15, self.doc_url)
    }

    fn clear(&mut self) {
        *self = Profile::default();
    }

    fn decode(mut buf: impl prost::bytes::Buf) -> Result<Self, prost::DecodeError> {
        let chunk = buf.chunk();
        if chunk.len() == buf.remaining()
            && let Some(profile) = fast::profile(chunk)
        {
            return Ok(profile);
        }
        let mut profile = Profile::default();
        profile.merge(&mut buf)?;
        Ok(profile)
    }
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

/// A decoder for a whole pprof held in one slice, for speed.
///
/// It returns `None` at anything it does not handle the way prost would in one pass (groups, a
/// field with an unexpected wire type, a repeated optional message, a malformed varint or
/// length), and [`Profile`]'s `decode` then decodes the input with prost from the start; so
/// whenever this returns a profile it is the one prost would return (`tests/encoding.rs` checks
/// this on the corpus and on corrupted inputs).
///
/// Before filling a vector it counts its elements (top-level messages by a scan of the keys, a
/// packed run by its terminating bytes, a location's lines by their keys), so each is allocated
/// once at its final size.
pub(crate) mod fast {
    use super::{Function, Label, Line, Location, Mapping, Profile, Sample, ValueType};

    const VARINT: u8 = 0;
    const I64: u8 = 1;
    const LEN: u8 = 2;
    const I32: u8 = 5;

    /// A cursor over a slice.
    struct Reader<'a> {
        buf: &'a [u8],
    }

    impl<'a> Reader<'a> {
        #[inline(always)]
        fn done(&self) -> bool {
            self.buf.is_empty()
        }

        /// A varint as prost reads it: at most ten bytes, the tenth at most 1.
        #[inline(always)]
        fn varint(&mut self) -> Option<u64> {
            let (&first, rest) = self.buf.split_first()?;
            if first < 0x80 {
                self.buf = rest;
                return Some(u64::from(first));
            }
            let mut value = u64::from(first & 0x7f);
            for i in 1..10 {
                let b = *self.buf.get(i)?;
                value |= u64::from(b & 0x7f) << (7 * i);
                if b < 0x80 {
                    if i == 9 && b > 1 {
                        return None;
                    }
                    self.buf = &self.buf[i + 1..];
                    return Some(value);
                }
            }
            None
        }

        /// A key: (field number, wire type). Groups and invalid keys end the fast path.
        #[inline(always)]
        fn key(&mut self) -> Option<(u32, u8)> {
            // prost refuses keys above u32::MAX.
            let key = u32::try_from(self.varint()?).ok()?;
            let wire_type = (key & 7) as u8;
            let tag = key >> 3;
            if tag == 0 || !matches!(wire_type, VARINT | I64 | LEN | I32) {
                return None;
            }
            Some((tag, wire_type))
        }

        /// The body of a LEN field.
        #[inline(always)]
        fn bytes(&mut self) -> Option<&'a [u8]> {
            let len = usize::try_from(self.varint()?).ok()?;
            let body = self.buf.get(..len)?;
            self.buf = &self.buf[len..];
            Some(body)
        }

        /// Skips a field of an unknown number.
        fn skip(&mut self, wire_type: u8) -> Option<()> {
            let n = match wire_type {
                VARINT => return self.varint().map(drop),
                LEN => return self.bytes().map(drop),
                I64 => 8,
                _ => 4,
            };
            self.buf = self.buf.get(n..)?;
            Some(())
        }

        /// A singular varint field (proto3: the last occurrence wins).
        #[inline(always)]
        fn scalar(&mut self, wire_type: u8) -> Option<u64> {
            if wire_type != VARINT {
                return None;
            }
            self.varint()
        }
    }

    /// Appends a repeated varint field, packed (LEN) or not (VARINT).
    #[inline(always)]
    fn repeated<T>(
        r: &mut Reader<'_>,
        wire_type: u8,
        values: &mut Vec<T>,
        convert: fn(u64) -> T,
    ) -> Option<()> {
        match wire_type {
            VARINT => values.push(convert(r.varint()?)),
            LEN => {
                let run = r.bytes()?;
                values.reserve(run.iter().filter(|&&b| b < 0x80).count());
                let mut run = Reader { buf: run };
                while !run.done() {
                    values.push(convert(run.varint()?));
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// Decodes a whole message body with `field` called for each field.
    #[inline(always)]
    fn message<T: Default>(
        body: &[u8],
        mut field: impl FnMut(&mut T, &mut Reader<'_>, u32, u8) -> Option<()>,
    ) -> Option<T> {
        let mut message = T::default();
        let mut r = Reader { buf: body };
        while !r.done() {
            let (tag, wire_type) = r.key()?;
            field(&mut message, &mut r, tag, wire_type)?;
        }
        Some(message)
    }

    fn value_type(body: &[u8]) -> Option<ValueType> {
        message(body, |m: &mut ValueType, r, tag, wt| {
            match tag {
                1 => m.r#type = r.scalar(wt)? as i64,
                2 => m.unit = r.scalar(wt)? as i64,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    fn label(body: &[u8]) -> Option<Label> {
        message(body, |m: &mut Label, r, tag, wt| {
            match tag {
                1 => m.key = r.scalar(wt)? as i64,
                2 => m.str = r.scalar(wt)? as i64,
                3 => m.num = r.scalar(wt)? as i64,
                4 => m.num_unit = r.scalar(wt)? as i64,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    fn sample(body: &[u8]) -> Option<Sample> {
        message(body, |m: &mut Sample, r, tag, wt| {
            match tag {
                1 => repeated(r, wt, &mut m.location_id, |v| v)?,
                2 => repeated(r, wt, &mut m.value, |v| v as i64)?,
                3 if wt == LEN => m.label.push(label(r.bytes()?)?),
                3 => return None,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    fn mapping(body: &[u8]) -> Option<Mapping> {
        message(body, |m: &mut Mapping, r, tag, wt| {
            match tag {
                1 => m.id = r.scalar(wt)?,
                2 => m.memory_start = r.scalar(wt)?,
                3 => m.memory_limit = r.scalar(wt)?,
                4 => m.file_offset = r.scalar(wt)?,
                5 => m.filename = r.scalar(wt)? as i64,
                6 => m.build_id = r.scalar(wt)? as i64,
                7 => m.has_functions = r.scalar(wt)? != 0,
                8 => m.has_filenames = r.scalar(wt)? != 0,
                9 => m.has_line_numbers = r.scalar(wt)? != 0,
                10 => m.has_inline_frames = r.scalar(wt)? != 0,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    fn line(body: &[u8]) -> Option<Line> {
        message(body, |m: &mut Line, r, tag, wt| {
            match tag {
                1 => m.function_id = r.scalar(wt)?,
                2 => m.line = r.scalar(wt)? as i64,
                3 => m.column = r.scalar(wt)? as i64,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    fn location(body: &[u8]) -> Option<Location> {
        let lines = count_len_fields(body, 4);
        message(body, |m: &mut Location, r, tag, wt| {
            match tag {
                1 => m.id = r.scalar(wt)?,
                2 => m.mapping_id = r.scalar(wt)?,
                3 => m.address = r.scalar(wt)?,
                4 if wt == LEN => {
                    if m.line.capacity() == 0 {
                        m.line.reserve_exact(lines);
                    }
                    m.line.push(line(r.bytes()?)?);
                }
                4 => return None,
                5 => m.is_folded = r.scalar(wt)? != 0,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    fn function(body: &[u8]) -> Option<Function> {
        message(body, |m: &mut Function, r, tag, wt| {
            match tag {
                1 => m.id = r.scalar(wt)?,
                2 => m.name = r.scalar(wt)? as i64,
                3 => m.system_name = r.scalar(wt)? as i64,
                4 => m.filename = r.scalar(wt)? as i64,
                5 => m.start_line = r.scalar(wt)? as i64,
                _ => r.skip(wt)?,
            }
            Some(())
        })
    }

    /// How many LEN fields numbered `tag` a message body holds (stopping quietly at anything
    /// malformed: it is only a capacity).
    fn count_len_fields(buf: &[u8], tag: u32) -> usize {
        let mut r = Reader { buf };
        let mut n = 0;
        while let Some((t, wt)) = r.key() {
            n += usize::from(t == tag && wt == LEN);
            if r.skip(wt).is_none() {
                break;
            }
        }
        n
    }

    /// Decodes a whole pprof, or `None` when prost must.
    pub(crate) fn profile(bytes: &[u8]) -> Option<Profile> {
        let mut counts = [0usize; 7];
        let mut scan = Reader { buf: bytes };
        while let Some((tag, wt)) = scan.key() {
            if (1..=6).contains(&tag) && wt == LEN {
                counts[tag as usize] += 1;
            }
            scan.skip(wt)?;
        }
        let mut p = Profile {
            sample_type: Vec::with_capacity(counts[1]),
            sample: Vec::with_capacity(counts[2]),
            mapping: Vec::with_capacity(counts[3]),
            location: Vec::with_capacity(counts[4]),
            function: Vec::with_capacity(counts[5]),
            string_table: Vec::with_capacity(counts[6]),
            ..Profile::default()
        };
        let mut r = Reader { buf: bytes };
        while !r.done() {
            let (tag, wt) = r.key()?;
            match tag {
                1..=6 if wt != LEN => return None,
                1 => p.sample_type.push(value_type(r.bytes()?)?),
                2 => p.sample.push(sample(r.bytes()?)?),
                3 => p.mapping.push(mapping(r.bytes()?)?),
                4 => p.location.push(location(r.bytes()?)?),
                5 => p.function.push(function(r.bytes()?)?),
                6 => p.string_table.push(r.bytes()?.to_vec()),
                7 => p.drop_frames = r.scalar(wt)? as i64,
                8 => p.keep_frames = r.scalar(wt)? as i64,
                // A time_nanos after a nonzero one means concatenated profiles, which
                // `pprof::decode` refuses on the slow path.
                9 if p.time_nanos != 0 => return None,
                9 => p.time_nanos = r.scalar(wt)? as i64,
                10 => p.duration_nanos = r.scalar(wt)? as i64,
                // A second period_type merges into the first in prost: leave that to prost.
                11 if wt == LEN && p.period_type.is_none() => {
                    p.period_type = Some(value_type(r.bytes()?)?);
                }
                11 => return None,
                12 => p.period = r.scalar(wt)? as i64,
                13 => repeated(&mut r, wt, &mut p.comment, |v| v as i64)?,
                14 => p.default_sample_type = r.scalar(wt)? as i64,
                15 => p.doc_url = r.scalar(wt)? as i64,
                _ => r.skip(wt)?,
            }
        }
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use prost::Message;

    /// prost's own decoding, field by field, without the fast path.
    fn prost_decode(bytes: &[u8]) -> Result<Profile, prost::DecodeError> {
        let mut profile = Profile::default();
        profile.merge(bytes)?;
        Ok(profile)
    }

    /// A profile using every field, some of them several times.
    fn every_field() -> Profile {
        let vt = |t, u| ValueType { r#type: t, unit: u };
        Profile {
            sample_type: vec![vt(1, 2), vt(3, 4)],
            sample: vec![
                Sample {
                    location_id: vec![1, 2, 300, u64::MAX],
                    value: vec![-1, 1 << 40],
                    label: vec![
                        Label {
                            key: 5,
                            str: 6,
                            num: 0,
                            num_unit: 0,
                        },
                        Label {
                            key: 7,
                            str: 0,
                            num: -3,
                            num_unit: 8,
                        },
                    ],
                },
                Sample::default(),
            ],
            mapping: vec![Mapping {
                id: 1,
                memory_start: 0x1000,
                memory_limit: 0x2000,
                file_offset: 7,
                filename: 9,
                build_id: 10,
                has_functions: true,
                has_filenames: false,
                has_line_numbers: true,
                has_inline_frames: true,
            }],
            location: vec![
                Location {
                    id: 1,
                    mapping_id: 1,
                    address: 0x1234,
                    line: vec![
                        Line {
                            function_id: 1,
                            line: 10,
                            column: 3,
                        },
                        Line {
                            function_id: 1,
                            line: -1,
                            column: 0,
                        },
                    ],
                    is_folded: true,
                },
                Location {
                    id: 2,
                    ..Location::default()
                },
            ],
            function: vec![Function {
                id: 1,
                name: 11,
                system_name: 12,
                filename: 13,
                start_line: 14,
            }],
            string_table: (0..16).map(|i| format!("s{i}").into_bytes()).collect(),
            drop_frames: 1,
            keep_frames: 2,
            time_nanos: -5,
            duration_nanos: 6,
            period_type: Some(vt(1, 2)),
            period: 100,
            comment: vec![3, 4],
            default_sample_type: 1,
            doc_url: 15,
        }
    }

    #[test]
    fn fast_decoder_reads_every_field_like_prost() {
        let bytes = every_field().encode_to_vec();
        let fast = fast::profile(&bytes).expect("a well-formed profile takes the fast path");
        assert_eq!(fast, every_field());
        assert_eq!(fast, prost_decode(&bytes).unwrap());
    }

    #[test]
    fn fast_decoder_declines_what_prost_refuses_or_merges() {
        // A key above u32::MAX, a group, a string_table entry with a varint wire type, a
        // second period_type (prost merges the two), a truncated sample, and a time_nanos
        // after a nonzero one (concatenated profiles, refused by `pprof::decode`).
        let cases: [&[u8]; 6] = [
            &[0x80, 0x80, 0x80, 0x80, 0x10, 0x00],
            &[0x33, 0x34],
            &[0x30, 0x01],
            &[0x5a, 0x02, 0x08, 0x01, 0x5a, 0x02, 0x10, 0x02],
            &[0x12, 0x05, 0x0a, 0x01],
            &[0x48, 0x05, 0x48, 0x07],
        ];
        for bytes in cases {
            assert_eq!(fast::profile(bytes), None, "{bytes:02x?}");
        }
        let merged = prost_decode(cases[3]).unwrap();
        assert_eq!(
            merged.period_type,
            Some(ValueType { r#type: 1, unit: 2 }),
            "prost merges repeated occurrences of an optional message"
        );
    }

    /// Every corpus pprof takes the fast path and reads as prost reads it.
    #[test]
    fn fast_decoder_reads_every_corpus_pprof_like_prost() {
        let dir = std::env::var_os("PPROTEL_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
            })
            .join("pprof");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "corpus not found at {}",
                dir.display()
            );
            return;
        };
        let mut checked = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let (bytes, _) = crate::input::decompress(raw, 1 << 30).unwrap();
            let fast = fast::profile(&bytes)
                .unwrap_or_else(|| panic!("{}: fast path declined", path.display()));
            assert!(
                fast == prost_decode(&bytes).unwrap(),
                "{}: fast and prost decoding differ",
                path.display()
            );
            checked += 1;
        }
        assert!(checked > 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// Whenever the fast decoder accepts corrupted bytes, prost accepts them too and reads
        /// the same profile.
        #[test]
        fn fast_decoder_never_disagrees_with_prost(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
            truncate in proptest::bool::weighted(0.25),
        ) {
            let mut bytes = every_field().encode_to_vec();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len()));
            }
            if let Some(fast) = fast::profile(&bytes) {
                prop_assert_eq!(Some(fast), prost_decode(&bytes).ok());
            }
        }
    }
}
