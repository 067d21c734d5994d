//! JSON input: serde_json's streaming deserializer drives typed visitors that fill the prost
//! structs directly, so no `serde_json::Value` tree is built for a multi-megabyte profile.
//!
//! Every value is read through a [`Codec`], a type-level description of how one field is
//! spelled in JSON (`I64` = decimal string or number, `Rep<Msg<Line>>` = array of `Line`
//! objects, ...). When a value is rejected, each enclosing object and array adds its field name
//! or index to [`Cx`] on the way out, which yields the path in the error message without any
//! bookkeeping on the success path.

use super::JsonError;
use crate::otlp::common::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList, any_value,
};
use crate::otlp::model::{
    Function, KeyValueAndUnit, Line, Link, Location, Mapping, Profile, ProfilesData,
    ProfilesDictionary, ResourceProfiles, Sample, ScopeProfiles, Stack, ValueType,
};
use crate::otlp::resource::Resource;
use base64::Engine as _;
use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, Expected, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::num::IntErrorKind;

pub(super) fn profiles_data(bytes: &[u8]) -> Result<ProfilesData, JsonError> {
    let cx = Cx {
        memory_left: std::cell::Cell::new(crate::footprint::allowance(bytes.len())),
        ..Cx::default()
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // serde_json's own limit (128 JSON levels) is replaced by one on message nesting that
    // matches protobuf decoding, so that every payload pprotel reads as protobuf it also reads
    // back from its JSON form (an object and an array per level made 128 too few).
    de.disable_recursion_limit();
    let visitor = MsgVisitor::<ProfilesData> {
        cx: &cx,
        null_ok: false,
        message: PhantomData,
    };
    (&mut de)
        .deserialize_any(visitor)
        .and_then(|data| de.end().map(|()| data.unwrap_or_default()))
        .map_err(|e| cx.into_error(&e))
}

/// The path of the value being rejected, collected innermost first while the error propagates.
#[derive(Default)]
struct Cx {
    path: RefCell<Vec<Segment>>,
    /// Memory the decoded messages may still take (see `crate::footprint`): `{}` is two bytes
    /// of JSON but a whole struct in memory.
    memory_left: std::cell::Cell<u64>,
    /// How many messages enclose the one being read (the top level is at 0).
    depth: std::cell::Cell<usize>,
}

/// The deepest message nesting read, as in protobuf decoding (prost's recursion limit). It also
/// bounds the reader's own recursion: every level of JSON nesting the reader descends into is
/// a message or an array of them.
const MAX_MESSAGE_DEPTH: usize = 100;

enum Segment {
    Field(&'static str),
    Index(usize),
}

impl Cx {
    fn enter(&self, segment: Segment) {
        self.path.borrow_mut().push(segment);
    }

    fn into_error(self, e: &serde_json::Error) -> JsonError {
        let mut path = String::new();
        for segment in self.path.into_inner().iter().rev() {
            match segment {
                Segment::Field(name) if path.is_empty() => path.push_str(name),
                Segment::Field(name) => {
                    path.push('.');
                    path.push_str(name);
                }
                Segment::Index(i) => {
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                }
            }
        }
        if path.is_empty() {
            path.push_str("(root)");
        }
        // serde_json appends the position to every message; the position is kept in its own
        // fields (syntax) or replaced by the path (values).
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full).to_owned();
        match e.classify() {
            serde_json::error::Category::Data => JsonError::Value { path, message },
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => JsonError::Syntax {
                path,
                line: e.line(),
                column: e.column(),
                message,
            },
        }
    }
}

/// How one field's value is spelled in JSON, and how to read it into `Out`.
trait Codec {
    type Out;
    fn read<'de, D: Deserializer<'de>>(d: D, cx: &Cx) -> Result<Self::Out, D::Error>;
}

struct Seed<'a, C>(&'a Cx, PhantomData<C>);

impl<'a, C> Seed<'a, C> {
    fn new(cx: &'a Cx) -> Self {
        Seed(cx, PhantomData)
    }
}

impl<'de, C: Codec> DeserializeSeed<'de> for Seed<'_, C> {
    type Value = C::Out;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<C::Out, D::Error> {
        C::read(d, self.0)
    }
}

/// What was found instead of the expected value, for messages such as
/// `expected an integer or a decimal string, found true`.
enum Found<'a> {
    Null,
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
    Str(&'a str),
    Object,
    Array,
}

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Null => f.write_str("null"),
            Found::Bool(b) => write!(f, "{b}"),
            Found::Signed(v) => write!(f, "{v}"),
            Found::Unsigned(v) => write!(f, "{v}"),
            Found::Float(v) => write!(f, "{v:?}"),
            // Long strings are cut: the message names the problem, the path finds it.
            Found::Str(s) => match s.char_indices().nth(40) {
                Some((end, _)) => write!(f, "{:?}...", &s[..end]),
                None => write!(f, "{s:?}"),
            },
            Found::Object => f.write_str("an object"),
            Found::Array => f.write_str("an array"),
        }
    }
}

fn wrong<E: de::Error>(expected: &dyn Expected, found: Found<'_>) -> E {
    E::custom(format_args!("expected {expected}, found {found}"))
}

/// Implements the listed `visit_*` methods as "wrong JSON type" errors; every visitor lists
/// all the kinds it does not accept, so serde's own wording never reaches the user.
macro_rules! reject {
    ($($kind:ident)*) => { $(reject!(@ $kind);)* };
    (@ null) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(wrong(&self, Found::Null))
        }
    };
    (@ bool) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Err(wrong(&self, Found::Bool(v)))
        }
    };
    (@ int) => {
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Err(wrong(&self, Found::Signed(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Err(wrong(&self, Found::Unsigned(v)))
        }
    };
    (@ float) => {
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(wrong(&self, Found::Float(v)))
        }
    };
    (@ str) => {
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Err(wrong(&self, Found::Str(v)))
        }
    };
    (@ map) => {
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(wrong(&self, Found::Object))
        }
    };
    (@ seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(wrong(&self, Found::Array))
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Scalars

/// The integer types of the schema; each accepts JSON numbers and decimal strings.
trait Int: Sized + Default + std::str::FromStr + TryFrom<i128> {
    /// The proto type name, for range errors.
    const NAME: &'static str;
}

impl Int for i32 {
    const NAME: &'static str = "int32";
}
impl Int for u32 {
    const NAME: &'static str = "uint32";
}
impl Int for i64 {
    const NAME: &'static str = "int64";
}
impl Int for u64 {
    const NAME: &'static str = "uint64";
}

struct IntCodec<T>(PhantomData<T>);
type I32 = IntCodec<i32>;
type U32 = IntCodec<u32>;
type I64 = IntCodec<i64>;
type U64 = IntCodec<u64>;

impl<T: Int> Codec for IntCodec<T> {
    type Out = T;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<T, D::Error> {
        d.deserialize_any(IntVisitor(PhantomData))
    }
}

struct IntVisitor<T>(PhantomData<T>);

/// Largest magnitude up to which every integer is an exact `f64`: a JSON number parsed as a
/// float beyond it may already have been rounded, so it cannot stand for an exact integer.
const EXACT_F64_INT: f64 = 9_007_199_254_740_992.0;

fn in_range<T: Int, E: de::Error>(v: i128, shown: &dyn fmt::Display) -> Result<T, E> {
    T::try_from(v).map_err(|_| E::custom(format_args!("{shown} is out of range for {}", T::NAME)))
}

impl<'de, T: Int> Visitor<'de> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a decimal string")
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        in_range(i128::from(v), &v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        in_range(i128::from(v), &v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if v.fract() != 0.0 || !v.is_finite() {
            return Err(wrong(&self, Found::Float(v)));
        }
        if v.abs() > EXACT_F64_INT {
            return Err(E::custom(format_args!(
                "{v:?} is out of range for {} or too large to be exact as a JSON number \
                 (write it as a decimal string)",
                T::NAME
            )));
        }
        // Integral and within ±2^53, so the cast is exact.
        in_range(v as i128, &format_args!("{v:?}"))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        if let Ok(v) = s.parse::<T>() {
            return Ok(v);
        }
        // Slow path, only for errors: tell "out of range" from "not a number".
        match s.parse::<i128>() {
            Ok(v) => in_range(v, &format_args!("{s:?}")),
            Err(e)
                if matches!(
                    e.kind(),
                    IntErrorKind::PosOverflow | IntErrorKind::NegOverflow
                ) =>
            {
                Err(E::custom(format_args!(
                    "{s:?} is out of range for {}",
                    T::NAME
                )))
            }
            Err(_) => Err(wrong(&self, Found::Str(s))),
        }
    }

    reject!(bool map seq);
}

struct F64;

impl Codec for F64 {
    type Out = f64;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<f64, D::Error> {
        d.deserialize_any(F64Visitor)
    }
}

struct F64Visitor;

impl<'de> Visitor<'de> for F64Visitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
    }

    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(0.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    /// proto3 JSON names for the non-finite values, and numbers written as strings; Rust's
    /// own spellings (`inf`, `nan`) are not JSON and are refused.
    fn visit_str<E: de::Error>(self, s: &str) -> Result<f64, E> {
        match s {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(wrong(&self, Found::Str(s))),
            },
        }
    }

    reject!(bool map seq);
}

struct Bool;

impl Codec for Bool {
    type Out = bool;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<bool, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("true or false")
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    reject!(int float str map seq);
}

struct Str;

impl Codec for Str {
    type Out = String;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<String, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    reject!(bool int float map seq);
}

/// Byte fields: the JSON string is decoded by `decode`, which explains its own failures.
struct BytesVisitor {
    expecting: &'static str,
    decode: fn(&str) -> Result<Vec<u8>, String>,
}

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(Vec::new())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        (self.decode)(v).map_err(E::custom)
    }

    reject!(bool int float map seq);
}

/// `traceId` and `spanId`: hex of any case, any even length (kept as is, however long).
struct Hex;

impl Codec for Hex {
    type Out = Vec<u8>;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<Vec<u8>, D::Error> {
        d.deserialize_any(BytesVisitor {
            expecting: "a hex string",
            decode: decode_hex,
        })
    }
}

/// `profileId`: hex as written by pdata and by us, or base64 as written by some other tools.
/// A string that is valid hex is read as hex.
struct ProfileId;

impl Codec for ProfileId {
    type Out = Vec<u8>;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<Vec<u8>, D::Error> {
        d.deserialize_any(BytesVisitor {
            expecting: "a hex or base64 string",
            decode: |s| {
                decode_hex(s).or_else(|hex_error| {
                    decode_base64(s).map_err(|_| {
                        format!("{hex_error}; not base64 either (expected a hex or base64 string)")
                    })
                })
            },
        })
    }
}

/// Other bytes: base64, standard or URL-safe alphabet, with or without padding.
struct Base64;

impl Codec for Base64 {
    type Out = Vec<u8>;
    fn read<'de, D: Deserializer<'de>>(d: D, _: &Cx) -> Result<Vec<u8>, D::Error> {
        d.deserialize_any(BytesVisitor {
            expecting: "a base64 string",
            decode: decode_base64,
        })
    }
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let digits = s.as_bytes();
    if digits.iter().any(|&c| nibble(c).is_none()) {
        return Err(format!("expected a hex string, found {}", Found::Str(s)));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "expected an even number of hex digits, found {} in {}",
            digits.len(),
            Found::Str(s)
        ));
    }
    Ok(digits
        .chunks_exact(2)
        .map(|pair| {
            let high = nibble(pair[0]).unwrap_or(0);
            let low = nibble(pair[1]).unwrap_or(0);
            high << 4 | low
        })
        .collect())
}

fn decode_base64(s: &str) -> Result<Vec<u8>, String> {
    use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
    let engine = if s.bytes().any(|c| c == b'-' || c == b'_') {
        &URL_SAFE_PAD_INDIFFERENT
    } else {
        &STANDARD_PAD_INDIFFERENT
    };
    engine
        .decode(s)
        .map_err(|e| format!("expected a base64 string, found {} ({e})", Found::Str(s)))
}

// ---------------------------------------------------------------------------------------------
// Containers

/// `null` or an array of `C`; `null` is the empty list.
struct Rep<C>(PhantomData<C>);

impl<C: Codec> Codec for Rep<C> {
    type Out = Vec<C::Out>;
    fn read<'de, D: Deserializer<'de>>(d: D, cx: &Cx) -> Result<Self::Out, D::Error> {
        d.deserialize_any(RepVisitor::<C>(cx, PhantomData))
    }
}

struct RepVisitor<'a, C>(&'a Cx, PhantomData<C>);

impl<'de, C: Codec> Visitor<'de> for RepVisitor<'_, C> {
    type Value = Vec<C::Out>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    /// Grows with the input (serde_json gives no length, and a length from the input would not
    /// be trusted anyway).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(Seed::<C>::new(self.0)) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(items),
                Err(e) => {
                    self.0.enter(Segment::Index(items.len()));
                    return Err(e);
                }
            }
        }
    }

    reject!(bool int float str map);
}

/// `null` (unset) or a value of `C`: the members of the `AnyValue` oneof, where "unset" and
/// "set to the default" differ.
struct Nullable<C>(PhantomData<C>);

impl<C: Codec> Codec for Nullable<C> {
    type Out = Option<C::Out>;
    fn read<'de, D: Deserializer<'de>>(d: D, cx: &Cx) -> Result<Self::Out, D::Error> {
        d.deserialize_option(NullableVisitor::<C>(cx, PhantomData))
    }
}

struct NullableVisitor<'a, C>(&'a Cx, PhantomData<C>);

impl<'de, C: Codec> Visitor<'de> for NullableVisitor<'_, C> {
    type Value = Option<C::Out>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        C::read(d, self.0).map(Some)
    }
}

/// A protobuf message read from a JSON object.
trait Message: Default {
    /// `(lowerCamelCase, snake_case)` name of each field, in field-number order.
    const FIELDS: &'static [(&'static str, &'static str)];

    /// Reads the value of field `FIELDS[index]` from `map` into `self`.
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        index: usize,
        map: &mut A,
        cx: &Cx,
    ) -> Result<(), A::Error>;
}

/// A message field that is not optional in Rust (a list element): `null` is the default.
struct Msg<T>(PhantomData<T>);

impl<T: Message> Codec for Msg<T> {
    type Out = T;
    fn read<'de, D: Deserializer<'de>>(d: D, cx: &Cx) -> Result<T, D::Error> {
        let visitor = MsgVisitor {
            cx,
            null_ok: true,
            message: PhantomData,
        };
        Ok(d.deserialize_any(visitor)?.unwrap_or_default())
    }
}

/// An `Option<T>` message field: `null` is `None`, any object (even `{}`) is `Some`.
struct Opt<T>(PhantomData<T>);

impl<T: Message> Codec for Opt<T> {
    type Out = Option<T>;
    fn read<'de, D: Deserializer<'de>>(d: D, cx: &Cx) -> Result<Option<T>, D::Error> {
        let visitor = MsgVisitor {
            cx,
            null_ok: true,
            message: PhantomData,
        };
        d.deserialize_any(visitor)
    }
}

struct MsgVisitor<'a, T> {
    cx: &'a Cx,
    /// False only for the top-level object, which must be there.
    null_ok: bool,
    message: PhantomData<T>,
}

impl<'de, T: Message> Visitor<'de> for MsgVisitor<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        if self.null_ok {
            Ok(None)
        } else {
            Err(wrong(&self, Found::Null))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let size = std::mem::size_of::<T>() as u64;
        let left = self.cx.memory_left.get();
        if size > left {
            return Err(A::Error::custom(format_args!(
                "decoding would take more than {} times the payload's size in memory: it is made of far more (and emptier) messages than any real profile",
                crate::footprint::MAX_RATIO
            )));
        }
        self.cx.memory_left.set(left - size);
        let depth = self.cx.depth.get();
        if depth > MAX_MESSAGE_DEPTH {
            return Err(A::Error::custom(format_args!(
                "messages nest deeper than {MAX_MESSAGE_DEPTH} levels (recursion limit exceeded)"
            )));
        }
        self.cx.depth.set(depth + 1);
        let mut message = T::default();
        while let Some(known) = map.next_key_seed(FieldName(T::FIELDS))? {
            match known {
                Some(index) => {
                    if let Err(e) = message.field(index, &mut map, self.cx) {
                        self.cx.enter(Segment::Field(T::FIELDS[index].0));
                        return Err(e);
                    }
                }
                // Unknown fields are skipped, whatever they hold (receivers MUST ignore them).
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.cx.depth.set(depth);
        Ok(Some(message))
    }

    reject!(bool int float str seq);
}

/// Matches an object key against a message's field names, either spelling.
struct FieldName(&'static [(&'static str, &'static str)]);

impl<'de> DeserializeSeed<'de> for FieldName {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldName {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self
            .0
            .iter()
            .position(|&(camel, snake)| key == camel || key == snake))
    }
}

/// Implements [`Message`] for a prost struct whose fields are all plain assignments.
macro_rules! message {
    ($ty:ty { $($field:ident: $codec:ty = $camel:literal / $snake:literal,)* }) => {
        impl Message for $ty {
            const FIELDS: &'static [(&'static str, &'static str)] = &[$(($camel, $snake)),*];

            fn field<'de, A: MapAccess<'de>>(
                &mut self,
                index: usize,
                map: &mut A,
                cx: &Cx,
            ) -> Result<(), A::Error> {
                let mut at = 0;
                $(
                    if index == at {
                        self.$field = map.next_value_seed(Seed::<$codec>::new(cx))?;
                        return Ok(());
                    }
                    at += 1;
                )*
                let _ = at;
                map.next_value::<IgnoredAny>().map(|_| ())
            }
        }
    };
}

message!(ProfilesData {
    resource_profiles: Rep<Msg<ResourceProfiles>> = "resourceProfiles" / "resource_profiles",
    dictionary: Opt<ProfilesDictionary> = "dictionary" / "dictionary",
});

message!(ProfilesDictionary {
    mapping_table: Rep<Msg<Mapping>> = "mappingTable" / "mapping_table",
    location_table: Rep<Msg<Location>> = "locationTable" / "location_table",
    function_table: Rep<Msg<Function>> = "functionTable" / "function_table",
    link_table: Rep<Msg<Link>> = "linkTable" / "link_table",
    string_table: Rep<Str> = "stringTable" / "string_table",
    attribute_table: Rep<Msg<KeyValueAndUnit>> = "attributeTable" / "attribute_table",
    stack_table: Rep<Msg<Stack>> = "stackTable" / "stack_table",
});

message!(ResourceProfiles {
    resource: Opt<Resource> = "resource" / "resource",
    scope_profiles: Rep<Msg<ScopeProfiles>> = "scopeProfiles" / "scope_profiles",
    schema_url: Str = "schemaUrl" / "schema_url",
});

message!(Resource {
    attributes: Rep<Msg<KeyValue>> = "attributes" / "attributes",
    dropped_attributes_count: U32 = "droppedAttributesCount" / "dropped_attributes_count",
    entity_refs: Rep<Msg<EntityRef>> = "entityRefs" / "entity_refs",
});

message!(EntityRef {
    schema_url: Str = "schemaUrl" / "schema_url",
    r#type: Str = "type" / "type",
    id_keys: Rep<Str> = "idKeys" / "id_keys",
    description_keys: Rep<Str> = "descriptionKeys" / "description_keys",
});

message!(ScopeProfiles {
    scope: Opt<InstrumentationScope> = "scope" / "scope",
    profiles: Rep<Msg<Profile>> = "profiles" / "profiles",
    schema_url: Str = "schemaUrl" / "schema_url",
});

message!(InstrumentationScope {
    name: Str = "name" / "name",
    version: Str = "version" / "version",
    attributes: Rep<Msg<KeyValue>> = "attributes" / "attributes",
    dropped_attributes_count: U32 = "droppedAttributesCount" / "dropped_attributes_count",
});

message!(Profile {
    sample_type: Opt<ValueType> = "sampleType" / "sample_type",
    samples: Rep<Msg<Sample>> = "samples" / "samples",
    time_unix_nano: U64 = "timeUnixNano" / "time_unix_nano",
    duration_nano: U64 = "durationNano" / "duration_nano",
    period_type: Opt<ValueType> = "periodType" / "period_type",
    period: I64 = "period" / "period",
    profile_id: ProfileId = "profileId" / "profile_id",
    dropped_attributes_count: U32 = "droppedAttributesCount" / "dropped_attributes_count",
    original_payload_format: Str = "originalPayloadFormat" / "original_payload_format",
    original_payload: Base64 = "originalPayload" / "original_payload",
    attribute_indices: Rep<I32> = "attributeIndices" / "attribute_indices",
});

message!(ValueType {
    type_strindex: I32 = "typeStrindex" / "type_strindex",
    unit_strindex: I32 = "unitStrindex" / "unit_strindex",
});

message!(Sample {
    stack_index: I32 = "stackIndex" / "stack_index",
    attribute_indices: Rep<I32> = "attributeIndices" / "attribute_indices",
    link_index: I32 = "linkIndex" / "link_index",
    values: Rep<I64> = "values" / "values",
    timestamps_unix_nano: Rep<U64> = "timestampsUnixNano" / "timestamps_unix_nano",
});

message!(Mapping {
    memory_start: U64 = "memoryStart" / "memory_start",
    memory_limit: U64 = "memoryLimit" / "memory_limit",
    file_offset: U64 = "fileOffset" / "file_offset",
    filename_strindex: I32 = "filenameStrindex" / "filename_strindex",
    attribute_indices: Rep<I32> = "attributeIndices" / "attribute_indices",
});

message!(Location {
    mapping_index: I32 = "mappingIndex" / "mapping_index",
    address: U64 = "address" / "address",
    lines: Rep<Msg<Line>> = "lines" / "lines",
    attribute_indices: Rep<I32> = "attributeIndices" / "attribute_indices",
});

message!(Line {
    function_index: I32 = "functionIndex" / "function_index",
    line: I64 = "line" / "line",
    column: I64 = "column" / "column",
});

message!(Function {
    name_strindex: I32 = "nameStrindex" / "name_strindex",
    system_name_strindex: I32 = "systemNameStrindex" / "system_name_strindex",
    filename_strindex: I32 = "filenameStrindex" / "filename_strindex",
    start_line: I64 = "startLine" / "start_line",
});

message!(Link {
    trace_id: Hex = "traceId" / "trace_id",
    span_id: Hex = "spanId" / "span_id",
});

message!(Stack {
    location_indices: Rep<I32> = "locationIndices" / "location_indices",
});

message!(KeyValueAndUnit {
    key_strindex: I32 = "keyStrindex" / "key_strindex",
    value: Opt<AnyValue> = "value" / "value",
    unit_strindex: I32 = "unitStrindex" / "unit_strindex",
});

message!(KeyValue {
    key: Str = "key" / "key",
    value: Opt<AnyValue> = "value" / "value",
    key_strindex: I32 = "keyStrindex" / "key_strindex",
});

message!(ArrayValue {
    values: Rep<Msg<AnyValue>> = "values" / "values",
});

message!(KeyValueList {
    values: Rep<Msg<KeyValue>> = "values" / "values",
});

/// The oneof: each member may be `null` (unset); two set members are an error rather than a
/// silent "last one wins", since either choice would drop data.
impl Message for AnyValue {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("stringValue", "string_value"),
        ("boolValue", "bool_value"),
        ("intValue", "int_value"),
        ("doubleValue", "double_value"),
        ("arrayValue", "array_value"),
        ("kvlistValue", "kvlist_value"),
        ("bytesValue", "bytes_value"),
        ("stringValueStrindex", "string_value_strindex"),
    ];

    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        index: usize,
        map: &mut A,
        cx: &Cx,
    ) -> Result<(), A::Error> {
        use any_value::Value;
        fn get<'de, C: Codec, A: MapAccess<'de>>(
            map: &mut A,
            cx: &Cx,
        ) -> Result<Option<C::Out>, A::Error> {
            map.next_value_seed(Seed::<Nullable<C>>::new(cx))
        }
        let value = match index {
            0 => get::<Str, A>(map, cx)?.map(Value::StringValue),
            1 => get::<Bool, A>(map, cx)?.map(Value::BoolValue),
            2 => get::<I64, A>(map, cx)?.map(Value::IntValue),
            3 => get::<F64, A>(map, cx)?.map(Value::DoubleValue),
            4 => get::<Msg<ArrayValue>, A>(map, cx)?.map(Value::ArrayValue),
            5 => get::<Msg<KeyValueList>, A>(map, cx)?.map(Value::KvlistValue),
            6 => get::<Base64, A>(map, cx)?.map(Value::BytesValue),
            _ => get::<I32, A>(map, cx)?.map(Value::StringValueStrindex),
        };
        let Some(value) = value else {
            return Ok(());
        };
        if let Some(previous) = &self.value {
            let previous = match previous {
                Value::StringValue(_) => "stringValue",
                Value::BoolValue(_) => "boolValue",
                Value::IntValue(_) => "intValue",
                Value::DoubleValue(_) => "doubleValue",
                Value::ArrayValue(_) => "arrayValue",
                Value::KvlistValue(_) => "kvlistValue",
                Value::BytesValue(_) => "bytesValue",
                Value::StringValueStrindex(_) => "stringValueStrindex",
            };
            return Err(A::Error::custom(format_args!(
                "an AnyValue holds one value, but {previous} is already set"
            )));
        }
        self.value = Some(value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_accepts_either_case_and_rejects_odd_length_or_other_characters() {
        assert_eq!(decode_hex("0aFf").unwrap(), vec![0x0a, 0xff]);
        assert_eq!(decode_hex("").unwrap(), Vec::<u8>::new());
        assert!(decode_hex("abc").unwrap_err().contains("even number"));
        assert!(
            decode_hex("zz")
                .unwrap_err()
                .contains("expected a hex string")
        );
    }

    #[test]
    fn base64_accepts_padding_or_not_and_either_alphabet() {
        for text in ["+/+/", "-_-_", "+/8=", "+/8", "-_8"] {
            assert!(decode_base64(text).is_ok(), "{text}");
        }
        assert_eq!(
            decode_base64("+/8").unwrap(),
            decode_base64("-_8=").unwrap()
        );
        assert!(decode_base64("a").is_err());
        assert!(decode_base64("ab!=").is_err());
    }

    #[test]
    fn long_strings_are_cut_in_messages() {
        let long = "x".repeat(100);
        let shown = Found::Str(&long).to_string();
        assert_eq!(shown, format!("{:?}...", "x".repeat(40)));
    }
}
