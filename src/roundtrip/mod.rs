//! Semantic comparison of profiles.
