//! OTLP Profiles conformance rules.
