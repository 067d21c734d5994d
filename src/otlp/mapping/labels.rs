//! pprof labels ⇄ OTLP sample attributes.
//!
//! OTLP requires the keys of a sample's attributes to be unique; pprof allows a key to repeat,
//! to carry a string and a number under one key, a string label with an empty value, and a unit
//! on any label. The encoding, per key, in label order (docs/mapping.md, "Labels"):
//!
//! | labels under one key | attribute value | attribute unit |
//! | --- | --- | --- |
//! | one string label (`num == 0`) | `string_value` (may be `""`) | `num_unit` |
//! | one numeric label (`str == ""`, `num != 0` or a unit) | `int_value` | `num_unit` |
//! | several, all string, one unit | `array_value` of strings | that unit |
//! | several, all numeric, one unit | `array_value` of ints | that unit |
//! | anything else (a label with both `str` and `num`, mixed kinds or units) | `array_value` of `kvlist_value {str, num, num_unit}` (defaults omitted) | none |
//!
//! A label with `str == ""`, `num == 0` and no unit is the empty string label. The first two rows
//! are what the reference translator and other tools write, so common profiles stay readable by
//! them; the array forms exist only where pprof says more than one value per key.

use crate::otlp::common::{AnyValue, ArrayValue, KeyValue, KeyValueList, any_value::Value};
use crate::otlp::semconv::label as keys;

/// A label whose key and unit are interned into the OTLP string table (0 is `""`); its string
/// value stays text, because attribute values carry their strings inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InternedLabel<'a> {
    pub key: i32,
    pub str: &'a str,
    pub num: i64,
    pub unit: i32,
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Str,
    Num,
    Both,
}

impl InternedLabel<'_> {
    fn kind(&self) -> Kind {
        match (!self.str.is_empty(), self.num != 0 || self.unit != 0) {
            (true, true) if self.num != 0 => Kind::Both,
            (true, _) => Kind::Str,
            (false, true) => Kind::Num,
            (false, false) => Kind::Str,
        }
    }
}

/// Encodes the labels of one key (in order) as one attribute `(value, unit_strindex)`.
/// `strings` resolves the interned unit, for the kvlist form that spells it out.
pub(crate) fn encode_group(group: &[InternedLabel], strings: &[String]) -> (AnyValue, i32) {
    let string = |s: &str| Value::StringValue(s.to_owned());
    let any = |v: Value| AnyValue { value: Some(v) };
    if let [label] = group {
        match label.kind() {
            Kind::Str => return (any(string(label.str)), label.unit),
            Kind::Num => return (any(Value::IntValue(label.num)), label.unit),
            Kind::Both => {}
        }
    }
    let first = group[0];
    let uniform = group
        .iter()
        .all(|l| l.kind() == first.kind() && l.unit == first.unit);
    let array = |values: Vec<AnyValue>| any(Value::ArrayValue(ArrayValue { values }));
    if uniform && first.kind() == Kind::Str {
        let values = group.iter().map(|l| any(string(l.str))).collect();
        return (array(values), first.unit);
    }
    if uniform && first.kind() == Kind::Num {
        let values = group.iter().map(|l| any(Value::IntValue(l.num))).collect();
        return (array(values), first.unit);
    }
    let values = group
        .iter()
        .map(|l| {
            let mut fields = Vec::with_capacity(3);
            let mut field = |key: &str, value: Value| {
                fields.push(KeyValue {
                    key: key.to_owned(),
                    value: Some(any(value)),
                    key_strindex: 0,
                })
            };
            if !l.str.is_empty() {
                field(keys::STR, string(l.str));
            }
            if l.num != 0 {
                field(keys::NUM, Value::IntValue(l.num));
            }
            if l.unit != 0 {
                field(keys::NUM_UNIT, string(&strings[l.unit as usize]));
            }
            any(Value::KvlistValue(KeyValueList { values: fields }))
        })
        .collect();
    (array(values), 0)
}

/// A label decoded from an attribute, with borrowed or rendered strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodedLabel<'a> {
    pub str: std::borrow::Cow<'a, str>,
    pub num: i64,
    pub unit: &'a str,
}

/// Why an attribute value could only be approximated as a pprof label.
pub(crate) type Approximation = &'static str;

/// Decodes one sample attribute value (with its unit) into labels, in order. Values pprof cannot
/// hold exactly (bool, double, bytes, a bare kvlist) become string labels of their text, and the
/// returned approximation names what happened.
pub(crate) fn decode_value<'a>(
    value: Option<&'a AnyValue>,
    unit: &'a str,
    strings: &'a [String],
    out: &mut Vec<DecodedLabel<'a>>,
) -> Option<Approximation> {
    let Some(Value::ArrayValue(array)) = value.and_then(|v| v.value.as_ref()) else {
        return decode_scalar(value, unit, strings, out);
    };
    let mut approximation = None;
    for element in &array.values {
        let found = match &element.value {
            Some(Value::KvlistValue(list)) => decode_kvlist(list, strings, out),
            _ => decode_scalar(Some(element), unit, strings, out),
        };
        approximation = approximation.or(found);
    }
    approximation
}

fn decode_scalar<'a>(
    value: Option<&'a AnyValue>,
    unit: &'a str,
    strings: &'a [String],
    out: &mut Vec<DecodedLabel<'a>>,
) -> Option<Approximation> {
    use std::borrow::Cow;
    let (str, num, approximation): (Cow<'a, str>, i64, Option<Approximation>) = match value
        .and_then(|v| v.value.as_ref())
    {
        None => ("".into(), 0, None),
        Some(Value::StringValue(s)) => (s.as_str().into(), 0, None),
        Some(Value::StringValueStrindex(i)) => (lookup(strings, *i).into(), 0, None),
        Some(Value::IntValue(n)) => ("".into(), *n, None),
        Some(Value::BoolValue(b)) => (b.to_string().into(), 0, Some("bool attribute value")),
        Some(Value::DoubleValue(d)) => (d.to_string().into(), 0, Some("double attribute value")),
        Some(Value::BytesValue(b)) => {
            use base64::Engine;
            let text = base64::engine::general_purpose::STANDARD.encode(b);
            (text.into(), 0, Some("bytes attribute value"))
        }
        Some(Value::ArrayValue(_)) => ("".into(), 0, Some("nested array attribute value")),
        Some(Value::KvlistValue(list)) => {
            return decode_kvlist(list, strings, out).or(Some("kvlist attribute value"));
        }
    };
    out.push(DecodedLabel { str, num, unit });
    approximation
}

/// Whether `labels`, decoded from the attribute `(value, unit)`, give that attribute back when
/// written as OTLP again ([`encode_group`]). pprof labels cannot tell some attribute values
/// from others: no value, an int 0 without a unit and `""` are all the empty string label; an
/// empty string with a unit is the number 0 with it; a one-element array is its element; a
/// mixed array, or a kvlist where a plain form would do, comes back in the general form; an
/// empty array is no label at all. The translation reports such values instead of changing
/// them silently. String-index forms count as the strings they name.
pub(crate) fn reencodes_exactly(
    labels: &[DecodedLabel],
    value: Option<&AnyValue>,
    unit: &str,
    strings: &[String],
) -> bool {
    if labels.is_empty() {
        return false;
    }
    let mut units = vec![String::new()];
    let mut group = Vec::with_capacity(labels.len());
    for l in labels {
        let unit = match units.iter().position(|u| u == l.unit) {
            Some(i) => i,
            None => {
                units.push(l.unit.to_owned());
                units.len() - 1
            }
        };
        group.push(InternedLabel {
            key: 0,
            str: &l.str,
            num: l.num,
            unit: unit as i32,
        });
    }
    let (again, again_unit) = encode_group(&group, &units);
    units[again_unit as usize] == unit
        && same_value(
            value.and_then(|v| v.value.as_ref()),
            strings,
            again.value.as_ref(),
        )
}

/// `original` (string indices resolved through `strings`) equals `again` (inline strings).
fn same_value(original: Option<&Value>, strings: &[String], again: Option<&Value>) -> bool {
    match (original, again) {
        (Some(Value::StringValueStrindex(i)), Some(Value::StringValue(s))) => {
            lookup(strings, *i) == s
        }
        (Some(Value::ArrayValue(a)), Some(Value::ArrayValue(b))) => {
            a.values.len() == b.values.len()
                && a.values
                    .iter()
                    .zip(&b.values)
                    .all(|(x, y)| same_value(x.value.as_ref(), strings, y.value.as_ref()))
        }
        (Some(Value::KvlistValue(a)), Some(Value::KvlistValue(b))) => {
            a.values.len() == b.values.len()
                && a.values.iter().zip(&b.values).all(|(x, y)| {
                    let key = if x.key.is_empty() {
                        lookup(strings, x.key_strindex)
                    } else {
                        x.key.as_str()
                    };
                    key == y.key
                        && same_value(
                            x.value.as_ref().and_then(|v| v.value.as_ref()),
                            strings,
                            y.value.as_ref().and_then(|v| v.value.as_ref()),
                        )
                })
        }
        (a, b) => a == b,
    }
}

/// The general form `{str, num, num_unit}`; other keys are not ours and are reported.
fn decode_kvlist<'a>(
    list: &'a KeyValueList,
    strings: &'a [String],
    out: &mut Vec<DecodedLabel<'a>>,
) -> Option<Approximation> {
    let mut label = DecodedLabel {
        str: "".into(),
        num: 0,
        unit: "",
    };
    let mut approximation = None;
    for field in &list.values {
        let key = if field.key.is_empty() {
            lookup(strings, field.key_strindex)
        } else {
            field.key.as_str()
        };
        let value = field.value.as_ref().and_then(|v| v.value.as_ref());
        match (key, value) {
            (keys::STR, Some(Value::StringValue(s))) => label.str = s.as_str().into(),
            (keys::STR, Some(Value::StringValueStrindex(i))) => {
                label.str = lookup(strings, *i).into()
            }
            (keys::NUM, Some(Value::IntValue(n))) => label.num = *n,
            (keys::NUM_UNIT, Some(Value::StringValue(s))) => label.unit = s.as_str(),
            (keys::NUM_UNIT, Some(Value::StringValueStrindex(i))) => {
                label.unit = lookup(strings, *i)
            }
            _ => approximation = Some("kvlist attribute value with other keys"),
        }
    }
    out.push(label);
    approximation
}

/// A string by index; out-of-range indices were rejected before translation, so this only
/// guards against misuse with `""`.
pub(crate) fn lookup(strings: &[String], i: i32) -> &str {
    usize::try_from(i)
        .ok()
        .and_then(|i| strings.get(i))
        .map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> Vec<String> {
        ["", "k", "a", "b", "bytes"].map(String::from).to_vec()
    }

    fn label(str: i32, num: i64, unit: i32) -> InternedLabel<'static> {
        const STRINGS: [&str; 5] = ["", "k", "a", "b", "bytes"];
        InternedLabel {
            key: 1,
            str: STRINGS[str as usize],
            num,
            unit,
        }
    }

    fn round_trip(group: &[InternedLabel]) -> Vec<(String, i64, String)> {
        let strings = strings();
        let (value, unit) = encode_group(group, &strings);
        let mut out = Vec::new();
        let approx = decode_value(Some(&value), lookup(&strings, unit), &strings, &mut out);
        assert_eq!(approx, None);
        out.into_iter()
            .map(|l| (l.str.into_owned(), l.num, l.unit.to_owned()))
            .collect()
    }

    fn expected(group: &[InternedLabel]) -> Vec<(String, i64, String)> {
        let s = strings();
        group
            .iter()
            .map(|l| (l.str.to_owned(), l.num, s[l.unit as usize].clone()))
            .collect()
    }

    #[test]
    fn every_label_shape_round_trips() {
        let cases: Vec<Vec<InternedLabel>> = vec![
            vec![label(2, 0, 0)],
            vec![label(0, 0, 0)],
            vec![label(0, 7, 4)],
            vec![label(0, 0, 4)],
            vec![label(2, 0, 4)],
            vec![label(2, 7, 0)],
            vec![label(2, 0, 0), label(3, 0, 0)],
            vec![label(2, 0, 0), label(0, 0, 0)],
            vec![label(0, 1, 4), label(0, -2, 4)],
            vec![label(0, 1, 4), label(0, 2, 0)],
            vec![label(2, 0, 0), label(0, 5, 4), label(0, 0, 0)],
        ];
        for case in cases {
            assert_eq!(round_trip(&case), expected(&case), "{case:?}");
        }
    }

    #[test]
    fn single_labels_use_the_plain_forms_other_tools_read() {
        let s = strings();
        let (v, unit) = encode_group(&[label(2, 0, 0)], &s);
        assert_eq!(v.value, Some(Value::StringValue("a".into())));
        assert_eq!(unit, 0);
        let (v, unit) = encode_group(&[label(0, 7, 4)], &s);
        assert_eq!(v.value, Some(Value::IntValue(7)));
        assert_eq!(unit, 4);
    }
}
