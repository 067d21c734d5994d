//! A minimal protobuf wire reader: walks the fields of one message without a schema.
//!
//! Format detection and schema sniffing need to look at field numbers and wire types before a
//! typed decoder runs, because a typed decoder either fails with an unhelpful message or, worse,
//! reads a payload of another schema "successfully" and loses data (see `otlp::schema`).

/// One field's payload, borrowed from the message bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: a submessage, string, bytes or packed repeated field.
    Len(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

/// The bytes are not a well-formed protobuf message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed protobuf at byte {offset}: {what}")]
pub struct WireError {
    /// Offset of the field (tag) that could not be read.
    pub offset: usize,
    /// What was wrong.
    pub what: &'static str,
}

/// [`WireError::what`] for a field of wire type 3, 4 (groups), 6 or 7: readers that must refuse
/// groups where a protobuf runtime would skip them tell this case apart by it.
pub const UNSUPPORTED_WIRE_TYPE: &str = "unsupported wire type";

/// Iterates over `(field_number, value)` of one message; stops at the first malformed field.
pub struct Fields<'a> {
    bytes: &'a [u8],
    pos: usize,
    failed: bool,
}

/// Walks the top-level fields of `bytes`.
pub fn fields(bytes: &[u8]) -> Fields<'_> {
    Fields {
        bytes,
        pos: 0,
        failed: false,
    }
}

impl<'a> Fields<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut result = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos)?;
            self.pos += 1;
            result |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(result);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    fn next_field(&mut self) -> Result<(u32, Value<'a>), &'static str> {
        let tag = self.varint().ok_or("truncated tag")?;
        let number = u32::try_from(tag >> 3).map_err(|_| "field number too large")?;
        if number == 0 {
            return Err("field number 0");
        }
        let value = match tag & 7 {
            0 => Value::Varint(self.varint().ok_or("truncated varint")?),
            1 => {
                let b = self.take(8).ok_or("truncated fixed64")?;
                Value::Fixed64(u64::from_le_bytes(b.try_into().unwrap_or_default()))
            }
            2 => {
                let len = self.varint().ok_or("truncated length")?;
                let len = usize::try_from(len).map_err(|_| "length too large")?;
                Value::Len(self.take(len).ok_or("length runs past the end")?)
            }
            5 => {
                let b = self.take(4).ok_or("truncated fixed32")?;
                Value::Fixed32(u32::from_le_bytes(b.try_into().unwrap_or_default()))
            }
            _ => return Err(UNSUPPORTED_WIRE_TYPE),
        };
        Ok((number, value))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Value<'a>), WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.bytes.len() {
            return None;
        }
        let offset = self.pos;
        match self.next_field() {
            Ok(field) => Some(Ok(field)),
            Err(what) => {
                self.failed = true;
                Some(Err(WireError { offset, what }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_wire_type() {
        // field 1 varint 150, field 2 len "hi", field 3 fixed32 1, field 4 fixed64 2
        let bytes = [
            0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d, 1, 0, 0, 0, 0x21, 2, 0, 0, 0, 0, 0, 0,
            0,
        ];
        let got: Vec<_> = fields(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            got,
            vec![
                (1, Value::Varint(150)),
                (2, Value::Len(b"hi")),
                (3, Value::Fixed32(1)),
                (4, Value::Fixed64(2)),
            ]
        );
    }

    #[test]
    fn length_past_end_is_an_error_not_an_allocation() {
        let bytes = [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 1];
        let err = fields(&bytes).next().unwrap().unwrap_err();
        assert_eq!(err.what, "length runs past the end");
    }
}
