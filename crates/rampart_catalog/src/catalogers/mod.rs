//! One module per kind of package metadata.

pub mod os_release;
