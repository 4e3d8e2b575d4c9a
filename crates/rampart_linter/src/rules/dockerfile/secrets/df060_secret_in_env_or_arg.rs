use rampart_dockerfile::{Body, KeyValue, Keyword, Word};
use rampart_secrets::{assess_setting, redact};

use super::util::{SecretArgs, narrow, span};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// An `ENV`, `ARG` default or `LABEL` holds a literal credential.
    ///
    /// ## What it does
    /// Checks every `ENV` value, `ARG` default and `LABEL` value (in every stage and in
    /// `ONBUILD`) for a credential: a known token format (GitHub, GitLab, AWS, Slack,
    /// Stripe, npm, PyPI, private keys, passwords in URLs, …) whatever the name, any literal
    /// value of a password-like name (`DB_PASSWORD`, `dbPass`), and a long random-looking
    /// value of a token- or key-like name (`API_TOKEN`, `AWS_SECRET_ACCESS_KEY`).
    ///
    /// It also reports an `ENV` of the final image that copies a build argument with a
    /// secret-like name (`ARG NPM_TOKEN` then `ENV NPM_TOKEN=${NPM_TOKEN}`): the value given
    /// with `--build-arg` is then stored in the image configuration.
    ///
    /// Not reported: references (`ENV DB_PASSWORD_FILE=/run/secrets/db`, `ARG TOKEN` without
    /// a default, `${TOKEN}`), placeholders (`<token>`, `xxx`,
    /// `your-token-here`), names that describe a secret rather than hold one (`*_FILE`,
    /// `*_LENGTH`, `*_TTL`, `*_USER`, …), and public key material: GPG key fingerprints
    /// in `GPG_KEY`, `GPG_KEYS`, `NODE_GPG_KEYS`, `PYTHON_GPG_KEY` as the official images
    /// set them, `*_PUBLIC_KEY`, `*_FINGERPRINT`, `*_KEY_ID`.
    ///
    /// ## Why
    /// `ENV` values and labels are stored in the image configuration: anyone who can pull
    /// the image reads them with `docker inspect`. `ARG` defaults are written in the
    /// Dockerfile, which lives in source control, and build arguments are recorded in the
    /// image history. A secret written there is as good as published, and it must be
    /// rotated.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ENV NPM_TOKEN=npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
    /// ARG DB_PASSWORD=hunter2
    /// ```
    /// Use instead — give secrets to the build as secret mounts, and to the container at
    /// run time:
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    /// ENV DB_PASSWORD_FILE=/run/secrets/db_password
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the secret must be removed from the Dockerfile, rotated, and
    /// supplied another way, which needs a human.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    /// - NIST SP 800-190 §4.1.4 (embedded clear-text secrets)
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Build secrets: <https://docs.docker.com/build/building/secrets/>
    pub struct SecretInEnvOrArg {
        code: "DF060",
        name: "secret-in-env-or-arg",
        severity: Error,
        tags: ["secrets", "security", "cis-docker:4.10", "cwe:798", "nist-800-190:4.1.4", "seed:secrets"],
        equivalents: ["hadolint:DL3064", "trivy:DS-0031", "cis-docker:4.10"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let args = SecretArgs::new(cx);
    for (i, instr) in cx.all_instructions() {
        match &instr.body {
            Body::Env(pairs) => {
                for kv in pairs {
                    if !literal(cx, instr.keyword, &kv.key.value, &kv.value, out) && instr.keyword == Keyword::Env {
                        copied_arg(cx, &args, i, instr, kv, out);
                    }
                }
            }
            Body::Label(pairs) => {
                for kv in pairs {
                    literal(cx, instr.keyword, &kv.key.value, &kv.value, out);
                }
            }
            Body::Arg(decls) => {
                for d in decls {
                    if let Some(default) = &d.default {
                        literal(cx, instr.keyword, &d.name.value, default, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Reports a literal credential in `value`; returns whether it did.
fn literal(cx: &DockerfileContext<'_>, keyword: Keyword, name: &str, value: &Word, out: &mut Vec<Finding>) -> bool {
    let Some(found) = assess_setting(name, &value.value) else { return false };
    let found_span = narrow(found.kind, &value.value, found.span.clone());
    let secret = value.value.get(found_span.clone()).unwrap_or(&value.value);
    // Point at the secret itself when the value is written verbatim.
    let at = if value.raw == value.value && value.span.len() == value.raw.len() {
        value.span.start + found_span.start..value.span.start + found_span.end
    } else {
        value.span.clone()
    };
    let kw = keyword.as_str();
    let (label, help) = match keyword {
        Keyword::Arg => (
            "written in the Dockerfile, and in the history of every RUN that follows",
            "declare `ARG` without a default and pass the value as a build secret (`RUN --mount=type=secret`); rotate this one: it is in the Dockerfile",
        ),
        Keyword::Label => (
            "labels are image metadata: `docker inspect` shows them",
            "remove it from the label; rotate it: anyone with the image can read it",
        ),
        _ => (
            "stored in the image configuration: `docker inspect` shows it",
            "give it to the container at run time (`docker run -e`, a secrets manager, `*_FILE` pointing at a mounted secret) or to the build with `RUN --mount=type=secret`; rotate this one: it is exposed",
        ),
    };
    out.push(
        cx.finding(&INFO, at, format!("{kw} `{name}` holds {} (`{}`)", found.kind.description, redact(secret)))
            .with_label(label)
            .with_help(help),
    );
    true
}

/// `ARG NPM_TOKEN` … `ENV NPM_TOKEN=${NPM_TOKEN}` in the final image.
fn copied_arg(
    cx: &DockerfileContext<'_>,
    args: &SecretArgs,
    i: usize,
    instr: &rampart_dockerfile::Instruction,
    kv: &KeyValue,
    out: &mut Vec<Finding>,
) {
    // ONBUILD triggers see the arguments of the child build, not these.
    if !cx.in_final_image(i) || !std::ptr::eq(instr, cx.instruction(i)) {
        return;
    }
    if !kv.value.raw.contains('$') {
        return;
    }
    let expansion = cx.expand(i, &kv.value);
    let args = args.at(cx, i);
    for used in &expansion.used {
        let Some(arg) = args.iter().find(|a| &a.name == used) else { continue };
        out.push(
            cx.finding(
                &INFO,
                kv.value.span.clone(),
                format!("ENV `{}` copies build argument `{}` into the image config", kv.key.value, arg.name),
            )
            .with_label("the value passed with `--build-arg` is stored in the image: `docker inspect` shows it")
            .with_related(cx.file.clone(), span(&arg.decl), "build argument declared here")
            .with_help(format!(
                "use the secret only where it is needed: `RUN --mount=type=secret,id={},env={} …`, and give it to the container at run time",
                arg.name.to_ascii_lowercase(),
                arg.name
            )),
        );
        return;
    }
}
