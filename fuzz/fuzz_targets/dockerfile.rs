//! Parses arbitrary bytes as a Dockerfile and checks every span is a valid slice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let df = rampart_dockerfile::parse(src);
    let valid = |s: &std::ops::Range<usize>| {
        assert!(s.start <= s.end && s.end <= src.len());
        assert!(src.is_char_boundary(s.start) && src.is_char_boundary(s.end));
    };
    df.errors.iter().for_each(|e| valid(&e.span));
    for i in df.all_instructions() {
        valid(&i.span);
        valid(&i.keyword_span);
        for script in i.shell_scripts() {
            for cmd in rampart_shell::parse(script.as_str()).commands {
                valid(&script.source_span(cmd.span.clone()));
            }
        }
    }
    let stages = df.stages();
    let _ = df.scopes(&stages);
});
