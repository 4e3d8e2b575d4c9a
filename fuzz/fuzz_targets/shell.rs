//! Splits arbitrary text as a shell script; spans must stay inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    for cmd in rampart_shell::parse(src).commands {
        assert!(cmd.span.end <= src.len() && cmd.span.start <= cmd.span.end);
        for w in cmd.words {
            assert!(src.is_char_boundary(w.span.start) && src.is_char_boundary(w.span.end));
        }
    }
});
