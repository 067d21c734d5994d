//! pprof validity rules (google/pprof `CheckValid` and its decode-time checks).
