use rampart_dockerfile::{Body, CommandForm, Healthcheck, Keyword, StageRef, parse};

fn slice(src: &str, span: std::ops::Range<usize>) -> &str {
    &src[span]
}

#[test]
fn directives_then_instructions() {
    let src = "# syntax=docker/dockerfile:1.7\n# escape=`\n# check=skip=JSONArgsRecommended\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.directives.len(), 3);
    assert_eq!(df.directives[0].value, "docker/dockerfile:1.7");
    assert_eq!(slice(src, df.directives[0].value_span.clone()), "docker/dockerfile:1.7");
    assert_eq!(df.escape, '`');
    let Body::Run(CommandForm::Shell(text)) = &df.instructions[1].body else { panic!() };
    assert_eq!(text.as_str(), "dir   c:\\");
}

#[test]
fn directives_stop_at_first_other_line() {
    let df = parse("FROM a\n# escape=`\nRUN x \\\n y\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    assert_eq!(df.comments.len(), 1);
}

#[test]
fn continuations_skip_comments_and_blank_lines() {
    let src =
        "FROM debian:12\nRUN apt-get update \\\n# a comment inside\n\n    && apt-get install -y curl\nUSER 1000\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.instructions.len(), 3);
    let run = &df.instructions[1];
    let Body::Run(CommandForm::Shell(text)) = &run.body else { panic!() };
    assert_eq!(text.as_str(), "apt-get update     && apt-get install -y curl");
    // "curl" maps back to its place on the fourth line.
    let at = text.as_str().find("curl").unwrap();
    assert_eq!(slice(src, text.source_span(at..at + 4)), "curl");
    assert_eq!(df.comments[0].text, "a comment inside");
    assert_eq!(slice(src, run.span.clone()).lines().count(), 4);
}

#[test]
fn heredocs_several_per_instruction() {
    let src = "FROM alpine\nRUN <<EOT1 cat > /a && <<-'EOT2' cat > /b\nfirst $HOME\nEOT1\n\tsecond\n\tEOT2\nCOPY <<EOF /etc/app.conf\nkey=value\nEOF\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let run = &df.instructions[1];
    assert_eq!(run.heredocs.len(), 2);
    assert_eq!(run.heredocs[0].body, "first $HOME\n");
    assert!(!run.heredocs[0].quoted);
    assert_eq!(run.heredocs[1].body, "second\n");
    assert!(run.heredocs[1].strip_tabs && run.heredocs[1].quoted);
    assert_eq!(slice(src, run.heredocs[0].marker_span.clone()), "<<EOT1");
    let Body::Copy(copy) = &df.instructions[2].body else { panic!() };
    assert_eq!(copy.sources[0].value, "<<EOF");
    assert_eq!(copy.dest.as_ref().unwrap().value, "/etc/app.conf");
    assert_eq!(df.instructions[2].heredocs[0].body, "key=value\n");
}

#[test]
fn heredoc_script_is_analysed_as_shell() {
    let src = "FROM alpine\nRUN <<EOF\nset -e\napk add curl\nEOF\nRUN python3 <<EOF\nprint('x')\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n";
    let df = parse(src);
    let scripts = df.instructions[1].shell_scripts();
    assert_eq!(scripts.len(), 1);
    assert_eq!(scripts[0].as_str(), "set -e\napk add curl\n");
    let at = scripts[0].as_str().find("apk").unwrap();
    assert_eq!(slice(src, scripts[0].source_span(at..at + 3)), "apk");
    // python3 reads the heredoc: the script is the line, with the body appended.
    assert!(df.instructions[2].shell_scripts()[0].as_str().starts_with("python3 <<EOF\n"));
    assert!(df.instructions[3].shell_scripts().is_empty());
}

#[test]
fn unterminated_heredoc_is_an_error() {
    let df = parse("FROM a\nRUN <<EOF\necho hi\n");
    assert_eq!(df.errors.len(), 1);
    assert!(df.errors[0].message.contains("never terminated"));
}

#[test]
fn json_and_shell_forms() {
    let src = "FROM a\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT /entry.sh run\nCMD [\"broken\",]\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n";
    let df = parse(src);
    assert!(
        matches!(&df.instructions[1].body, Body::Cmd(CommandForm::Exec(w)) if w.len() == 3 && w[2].value == "daemon off;")
    );
    assert!(matches!(&df.instructions[2].body, Body::Entrypoint(CommandForm::Shell(_))));
    assert!(matches!(&df.instructions[3].body, Body::Cmd(CommandForm::Shell(_))));
    assert!(matches!(&df.instructions[4].body, Body::Shell(w) if w.len() == 4));
}

#[test]
fn flags_of_every_kind() {
    let src = "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n\
RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=secret,id=netrc,target=/root/.netrc --network=none --security=insecure go build\n\
COPY --from=build --chown=10001:10001 --chmod=0755 --link --parents --exclude=*.md /src/ /app/\n\
ADD --checksum=sha256:abc --keep-git-dir=true https://example.com/a.tar.gz /tmp/\n\
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD curl -f http://localhost/\n\
COPY --bogus a b\n";
    let df = parse(src);
    assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
    assert!(df.errors[0].message.contains("--bogus"));
    let run = &df.instructions[1];
    let mounts: Vec<_> = run.flags_named("mount").map(|f| f.option("type").unwrap()).collect();
    assert_eq!(mounts, ["cache", "secret"]);
    assert_eq!(run.flag("security").unwrap().value.as_deref(), Some("insecure"));
    assert_eq!(df.instructions[2].flags.len(), 6);
    assert!(matches!(&df.instructions[4].body, Body::Healthcheck(Healthcheck::Cmd(_))));
}

#[test]
fn onbuild_inner_instruction() {
    let src = "FROM a\nONBUILD RUN curl http://x | sh\nONBUILD ONBUILD RUN x\n";
    let df = parse(src);
    let Body::Onbuild(inner) = &df.instructions[1].body else { panic!() };
    assert_eq!(inner.keyword, Keyword::Run);
    assert_eq!(slice(src, inner.keyword_span.clone()), "RUN");
    assert_eq!(df.all_instructions().count(), 5);
    assert_eq!(df.errors.len(), 1);
}

#[test]
fn env_arg_label_forms() {
    let src = "ARG BASE=debian\nARG TAG\nFROM ${BASE}:${TAG:-12}\nARG TAG\nENV A=1 B=\"two words\" \\\n    C=${A}\nENV LEGACY value with spaces\nLABEL org.opencontainers.image.source=\"https://x\" maintainer=me\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    let stages = df.stages();
    assert_eq!(stages[0].image.value, "debian:12");
    assert!(matches!(&stages[0].base, StageRef::Image(r) if r.repository == "debian"));
    let scopes = df.scopes(&stages);
    let scope = scopes.at(6);
    assert_eq!(scope.lookup("A").as_deref(), Some("1"));
    // C=${A} sees only what was set before this ENV: A is unknown there (it could come from
    // the base image), so C is unknown too.
    assert_eq!(scope.lookup("C"), None);
    assert_eq!(scope.lookup("B").as_deref(), Some("two words"));
    assert!(scope.is_declared("TAG"));
    assert_eq!(scope.lookup("TAG"), None);
    let Body::Env(legacy) = &df.instructions[5].body else { panic!() };
    assert_eq!(legacy[0].value.value, "value with spaces");
}

#[test]
fn stages_resolve_names_and_indexes() {
    let src = "FROM golang:1.23 AS Build\nRUN go build\nFROM build AS test\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=0 /a /a\nCOPY --from=BUILD /b /b\nFROM scratch\n";
    let df = parse(src);
    let stages = df.stages();
    assert_eq!(stages.len(), 4);
    assert_eq!(stages[0].name.as_deref(), Some("build"));
    assert_eq!(stages[0].body(), 1..2);
    assert_eq!(stages[1].base, StageRef::Stage(0));
    assert!(matches!(&stages[2].base, StageRef::Image(r) if r.tag.as_deref() == Some("nonroot")));
    assert_eq!(stages[3].base, StageRef::Scratch);
    assert_eq!(df.find_stage(&stages, "0", 2).unwrap().index, 0);
    assert_eq!(df.find_stage(&stages, "build", 2).unwrap().index, 0);
    assert!(df.find_stage(&stages, "test", 1).is_none());
    assert!(df.find_stage(&stages, "7", 4).is_none());
}

#[test]
fn errors_have_positions_and_parsing_continues() {
    let src = "RUN early\nFROM\nFROOM x\nFROM a AS\nUSER\nEXPOSE 80\n";
    let df = parse(src);
    let messages: Vec<_> = df.errors.iter().map(|e| (slice(src, e.span.clone()), e.message.as_str())).collect();
    assert!(messages.iter().any(|(s, m)| *s == "RUN" && m.contains("before the first `FROM`")), "{messages:?}");
    assert!(messages.iter().any(|(s, m)| *s == "FROOM" && m.contains("unknown instruction")), "{messages:?}");
    assert!(messages.iter().any(|(_, m)| m.contains("`AS` must be followed")), "{messages:?}");
    assert!(messages.iter().any(|(s, m)| *s == "USER" && m.contains("requires arguments")), "{messages:?}");
    assert_eq!(df.instructions.last().unwrap().keyword, Keyword::Expose);
}

#[test]
fn crlf_and_bom() {
    let src = "\u{feff}# syntax=docker/dockerfile:1\r\nFROM a\r\nRUN x \\\r\n  y\r\n";
    let df = parse(src);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.directives.len(), 1);
    let Body::Run(CommandForm::Shell(t)) = &df.instructions[1].body else { panic!() };
    assert_eq!(t.as_str(), "x   y");
}
