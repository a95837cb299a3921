//! Test support for the end-to-end suite.

pub mod pg;
