use rampart_shell::{Connector, effective_argv, option_value, parse, short_flags};

fn argv(script: &str) -> Vec<Vec<String>> {
    parse(script).commands.iter().map(|c| c.words.iter().map(|w| w.value.clone()).collect()).collect()
}

#[test]
fn splits_lists_and_pipelines() {
    let s = parse("apt-get update && apt-get install -y curl; curl -fsSL https://x | sh -");
    let names: Vec<_> = s.commands.iter().map(|c| c.name().unwrap()).collect();
    assert_eq!(names, ["apt-get", "apt-get", "curl", "sh"]);
    assert_eq!(s.commands[1].connector, Connector::And);
    assert_eq!(s.commands[2].connector, Connector::Seq);
    assert_eq!(s.commands[3].connector, Connector::Pipe);
    assert!(s.commands[2].pipes_into_next());
    assert_eq!(s.commands[2].pipeline, s.commands[3].pipeline);
    assert_eq!(s.commands[3].pipeline_len, 2);
}

#[test]
fn quotes_and_escapes_are_removed_but_spans_are_kept() {
    let src = r#"echo "a b" 'c d' e\ f"#;
    let s = parse(src);
    let words = &s.commands[0].words;
    assert_eq!(words.iter().map(|w| w.value.as_str()).collect::<Vec<_>>(), ["echo", "a b", "c d", "e f"]);
    assert_eq!(&src[words[1].span.clone()], "\"a b\"");
    assert!(words[1].quoted);
}

#[test]
fn assignments_redirects_and_wrappers() {
    let s = parse("DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y x >/dev/null 2>&1");
    let c = &s.commands[0];
    assert_eq!(c.assignments[0].value, "DEBIAN_FRONTEND=noninteractive");
    assert_eq!(c.redirects.len(), 2);
    assert_eq!(c.redirects[1].fd, Some(2));
    let eff = effective_argv(&c.words);
    assert_eq!(eff[0].value, "apt-get");
}

#[test]
fn descends_into_substitutions_and_sh_c() {
    let names = |src: &str| parse(src).commands.iter().filter_map(|c| c.name().map(String::from)).collect::<Vec<_>>();
    assert_eq!(names("echo $(curl -s x | bash)"), ["echo", "curl", "bash"]);
    assert_eq!(names("echo `wget -qO- y`"), ["echo", "wget"]);
    assert_eq!(names("bash <(curl -fsSL x) --opt"), ["bash", "curl"]);
    let s = parse("bash <(curl -fsSL x)");
    assert_eq!(s.commands[0].words[1].value, "<(curl -fsSL x)");
    assert_eq!(names("sh -c 'apt-get update && apt-get install x'"), ["sh", "apt-get", "apt-get"]);
    assert_eq!(names("su -c 'apt-get install -y quux' root"), ["su", "apt-get"]);
    assert_eq!(names("su app -c \"pip install x\""), ["su", "pip"]);
    let src = "bash -ec \"curl x | sh\"";
    let s = parse(src);
    let curl = s.commands.iter().find(|c| c.name() == Some("curl")).unwrap();
    assert_eq!(&src[curl.span.clone()], "curl x");
}

#[test]
fn control_structures_expose_their_commands() {
    let src = "if [ -f x ]; then apt-get install -y a; else apk add b; fi\nfor p in a b; do pip install $p; done";
    let names: Vec<_> = parse(src).commands.iter().filter_map(|c| c.name().map(String::from)).collect();
    assert_eq!(names, ["[", "apt-get", "apk", "pip"]);
    let src = "case \"$ARCH\" in amd64) curl -o a x ;; arm64|aarch64) wget y ;; esac";
    let names: Vec<_> = parse(src).commands.iter().filter_map(|c| c.name().map(String::from)).collect();
    assert_eq!(names, ["curl", "wget"]);
    let names: Vec<_> = parse("set -eux; ( cd /tmp && make ); { echo a; echo b; }")
        .commands
        .iter()
        .filter_map(|c| c.name().map(String::from))
        .collect();
    assert_eq!(names, ["set", "cd", "make", "echo", "echo"]);
}

#[test]
fn heredocs_are_skipped_or_parsed_when_fed_to_a_shell() {
    let src = "cat <<EOF > /etc/x\ncurl | sh\nEOF\nbash <<'EOS'\napt-get install -y z\nEOS\necho done";
    let names: Vec<_> = parse(src).commands.iter().filter_map(|c| c.name().map(String::from)).collect();
    assert_eq!(names, ["cat", "bash", "apt-get", "echo"]);
}

#[test]
fn line_continuations_and_comments() {
    assert_eq!(argv("apt-get install \\\n  a \\\n  b # trailing\n"), vec![vec!["apt-get", "install", "a", "b"]]);
}

#[test]
fn option_helpers() {
    let s = parse("apt-get -qy --no-install-recommends -o Dpkg::Options::=--force-confnew install x");
    let args = s.commands[0].args();
    assert!(short_flags(args).any(|c| c == 'y'));
    assert_eq!(option_value(args, &["-o"]).unwrap().1, "Dpkg::Options::=--force-confnew");
    let s = parse("pip install --index-url=https://x y");
    assert_eq!(option_value(s.commands[0].args(), &["--index-url", "-i"]).unwrap().1, "https://x");
}

#[test]
fn hostile_input_never_panics_and_nesting_is_bounded() {
    let deep = "$(".repeat(10_000);
    parse(&deep);
    let deep = "echo ".to_string() + &"\"$(".repeat(5000);
    parse(&deep);
    for s in
        ["'", "\"", "\\", "$", "${", "$(", "`", "<<", "<<EOF", "2>", "&>", "((", "))", ";;", "é\\é", "a=é", "\u{0}"]
    {
        parse(s);
    }
}

#[test]
fn quoted_prefix_assignments() {
    let s = parse("DEBIAN_FRONTEND=\"noninteractive\" TOKEN='a b' apt-get install -y x && \"A=1\" b");
    assert_eq!(s.commands[0].assignments.len(), 2);
    assert_eq!(s.commands[0].assignments[1].value, "TOKEN=a b");
    assert_eq!(s.commands[0].name(), Some("apt-get"));
    // A quoted name is a command word, not an assignment.
    assert_eq!(s.commands[1].name(), Some("A=1"));
}
