//! OTLP JSON codec for `ProfilesData` (placeholder signatures until the codec branch lands).
#![allow(missing_docs, unused)]
use super::model::ProfilesData;
#[derive(Debug, thiserror::Error)]
#[error("json: {0}")]
pub struct JsonError(String);
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Compact,
    Pretty,
}
pub fn to_json(data: &ProfilesData, style: Style) -> Vec<u8> {
    unimplemented!()
}
pub fn from_json(bytes: &[u8]) -> Result<ProfilesData, JsonError> {
    Err(JsonError("not yet".into()))
}
