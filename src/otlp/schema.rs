//! Recognising OTLP payloads written with older schema versions.
