//! A forgiving POSIX shell reader for linting `RUN` instructions and container commands.
//!
//! It is not an interpreter: it splits a script into simple commands (argv words with their
//! byte spans, prefix assignments and redirections), records how commands are joined (`&&`,
//! `||`, `;`, `|`, `&`), and descends into `$(…)`, backticks, subshells, `{ …; }`, control
//! structures and `sh -c '…'` so that `curl … | sh` hidden in any of them is still seen.
//! Malformed input (an unterminated quote, a stray `)`) never fails: the reader keeps what
//! it understood. Nesting is bounded so hostile input cannot exhaust the stack.

mod lexer;
mod words;

pub use lexer::{Command, Connector, Redirect, Script, Word, parse};
pub use words::{WRAPPERS, effective_argv, is_option, option_value, short_flags};

/// A half-open byte range into the parsed text.
pub type Span = std::ops::Range<usize>;
