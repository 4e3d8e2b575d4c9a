//! One rule per file. `meta` holds the rules the engine reports itself (syntax errors,
//! suppression and configuration problems); `dockerfile` the Dockerfile rules.

pub mod dockerfile;
pub mod meta;
