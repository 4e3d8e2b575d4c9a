//! YAML (and JSON, which YAML 1.2 contains) read into a tree where every node keeps the
//! byte span it was written at — what rules need to point at a line, and fixes need to edit
//! a file without disturbing the rest of it.
//!
//! ```
//! let docs = rampart_yaml::parse_stream("kind: Pod\n---\nkind: Service\nspec: {ports: [80]}\n");
//! assert_eq!(docs.len(), 2);
//! let svc = docs[1].as_ref().unwrap();
//! assert_eq!(svc.root.get("kind").and_then(|n| n.as_str()), Some("Service"));
//! let port = svc.root.path(&["spec", "ports"]).unwrap().items()[0].clone();
//! assert_eq!(port.as_i64(), Some(80));
//! ```
//!
//! - Multi-document streams: each document is parsed on its own, so one malformed document
//!   is one error (with its position) and the others are still read.
//! - Anchors and aliases are resolved, and `<<` merge keys applied (keys written in the
//!   mapping win over merged ones). A node reached through an alias keeps the span where it
//!   was written, so findings point at the definition.
//! - Alias expansion is bounded ([`Limits`]): a "billion laughs" document is rejected with a
//!   clear error after a bounded amount of work, never expanded.
//! - Scalars keep their text and style; typed accessors read them as Kubernetes does
//!   (YAML 1.1 booleans such as `yes`/`off` included, since `sigs.k8s.io/yaml` accepts them).
//! - No I/O, no panics.

mod build;
mod node;

pub use build::{Error, Limits, parse_stream, parse_stream_with};
pub use node::{Document, Entry, Node, ScalarStyle, Value};

/// A half-open byte range into the parsed text.
pub type Span = std::ops::Range<usize>;
