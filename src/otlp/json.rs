//! OTLP JSON codec for `ProfilesData`.
