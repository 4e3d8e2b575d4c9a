use rampart_secrets::{assess_setting, redact};

use super::util::by_format;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::dockerfile::secrets::util::narrow;

declare_rule! {
    /// An environment variable of a container holds a literal credential.
    ///
    /// ## What it does
    /// Checks every literal environment value of every container (Kubernetes `env[].value`
    /// in regular, init and ephemeral containers; Compose `environment`; the OCI process's
    /// `env`) for a credential, as DF060 does for `ENV`: a known token format (GitHub,
    /// GitLab, AWS, Slack, Stripe, npm, private keys, passwords in URLs, …) whatever the
    /// name, any literal value of a password-like name (`DB_PASSWORD`, `dbPass`), and a long
    /// random-looking value of a token- or key-like name (`API_TOKEN`, `SECRET_KEY`). It
    /// points at the secret (the password alone in a URL) and redacts it in the message.
    ///
    /// Not reported: references (`valueFrom.secretKeyRef`, `$(VAR)`, `${VAR}`, paths such as
    /// `/run/secrets/db`), placeholders (`<token>`, `changeme-here`, `xxx`), names that
    /// describe a secret rather than hold one (`*_FILE`, `*_USER`, `*_TTL`, …), and public key
    /// material (`*_GPG_KEY` fingerprints, `*_PUBLIC_KEY`, `*_FINGERPRINT`).
    ///
    /// ## Why
    /// A literal in a manifest is stored in source control, in the API server (readable by
    /// anyone who may `get` the workload, which is a far wider group than who may read
    /// Secrets), in `kubectl describe` output and in every copy of the chart. It cannot be
    /// rotated without a redeploy and is as good as published: it must be rotated now.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: hunter2-but-longer
    /// ```
    /// Use instead:
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the secret must be moved to a secret store and rotated, which needs a
    /// human.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.4.1 "Prefer using secrets as files over secrets as
    ///   environment variables"
    /// - NIST SP 800-190 §4.1.4 (embedded clear-text secrets)
    /// - CWE-798: Use of Hard-coded Credentials
    /// - Kubernetes: <https://kubernetes.io/docs/concepts/configuration/secret/>
    pub struct SecretInEnv {
        code: "KS032",
        name: "secret-in-env",
        severity: Error,
        tags: ["secrets", "security", "cwe:798", "nist-800-190:4.1.4", "seed:secrets"],
        equivalents: ["kube-linter:env-var-secret", "polaris:sensitiveContainerEnvVar"],
        fix: None,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    let text = cx.file.text();
    for w in &cx.workloads {
        for c in &w.containers {
            for var in &c.env {
                let Some(value) = &var.value else { continue };
                let Some(found) = assess_setting(&var.name, &value.value) else { continue };
                let secret_range = narrow(found.kind, &value.value, found.span.clone());
                let secret = value.value.get(secret_range.clone()).unwrap_or(&value.value);
                let written = value.span().unwrap_or_else(|| var.span.clone());
                // Point at the secret itself when the value is written verbatim (plain or
                // quoted on one line); otherwise at the whole value.
                let at = text
                    .get(written.clone())
                    .and_then(|raw| raw.find(value.value.as_str()).filter(|_| !value.value.is_empty()))
                    .map_or(written.clone(), |offset| {
                        written.start + offset + secret_range.start..written.start + offset + secret_range.end
                    });
                out.push(
                    cx.finding(
                        &INFO,
                        at,
                        format!(
                            "env `{}` of {} holds {} (`{}`)",
                            var.name,
                            container_label(w, c),
                            found.kind.description,
                            redact(secret)
                        ),
                    )
                    .with_label(by_format(
                        w,
                        "stored in the manifest and the API server: whoever may read the workload reads it",
                        "stored in the Compose file: `docker inspect` shows it too",
                        "stored in the bundle's config.json",
                    ))
                    .with_help(by_format(
                        w,
                        "put it in a Secret (or an external secret store) and reference it with `valueFrom.secretKeyRef`, or mount it as a file; rotate this one: it is exposed",
                        "give it as a Compose secret (mounted under /run/secrets) or from an env file kept out of source control; rotate this one: it is exposed",
                        "mount it as a file from a secret store; rotate this one: it is exposed",
                    )),
                );
            }
        }
    }
}
