use rampart_diagnostics::{Edit, Fix, Span};
use rampart_posture::edit::Val;
use rampart_posture::{EnvVar, Format, Workload};
use rampart_secrets::{assess_setting, redact};

use super::util::by_format;
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::dockerfile::secrets::util::narrow;
use crate::rules::posture::fix_pod::{FileEditor, PLACEHOLDER, column, dns_label, indent_unit, node, within};

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
    /// ## Fix
    /// Shows the change, never applies it:
    /// - Kubernetes: `value:` becomes `valueFrom.secretKeyRef` naming a Secret
    ///   `<workload>-env` and a key named like the variable, and the fix creates
    ///   `secret-<workload>-env.yaml` beside the file: that Secret, with every flagged
    ///   variable of the workload as a key whose value is `REPLACE_ME` — the credential is
    ///   never copied to another file — and a comment saying how to create it with
    ///   `kubectl create secret generic` instead.
    /// - Compose: the value becomes `${NAME:?}`, read from the environment or an `.env` file
    ///   kept out of source control when the project starts (Compose stops if it is unset);
    ///   a Compose `secrets:` entry is the alternative for values the service reads from a
    ///   file.
    /// - OCI: no fix; the runtime reads no secret store.
    ///
    /// ## Fix safety
    /// Display-only: the value must move out of the file into a secret store, and be
    /// rotated (it is exposed already); only a human can do both.
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
        fix: DisplayOnly,
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    let text = cx.file.text();
    for w in &cx.workloads {
        let flagged: Vec<&EnvVar> = w
            .containers
            .iter()
            .flat_map(|c| &c.env)
            .filter(|v| v.value.as_ref().is_some_and(|value| assess_setting(&v.name, &value.value).is_some()))
            .collect();
        let manifest = (w.format == Format::Kubernetes).then(|| secret_manifest(w, &flagged)).flatten();
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
                let fix = fix(cx, w, var, manifest.as_ref());
                let finding =
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
                    ));
                out.push(match fix {
                    Some(fix) => finding.with_fix(fix),
                    None => finding,
                });
            }
        }
    }
}

/// The Secret a Kubernetes workload's flagged variables move to: its name, the file that
/// creates it, and that file's content (placeholders only).
struct SecretManifest {
    name: String,
    path: String,
    content: String,
}

/// A Secret key may hold letters, digits, `-`, `_` and `.`.
fn valid_key(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn secret_manifest(w: &Workload, flagged: &[&EnvVar]) -> Option<SecretManifest> {
    let name = format!("{}-env", dns_label(&w.name, "workload"));
    let mut keys: Vec<&str> = Vec::new();
    for name in flagged.iter().map(|v| v.name.as_str()).filter(|n| valid_key(n)) {
        if !keys.contains(&name) {
            keys.push(name);
        }
    }
    if keys.is_empty() {
        return None;
    }
    let namespace = w.namespace.as_ref().map(|n| n.value.trim()).filter(|n| !n.is_empty());
    let ns_flag = namespace.map(|n| format!(" --namespace {n}")).unwrap_or_default();
    let literals: String = keys.iter().map(|k| format!(" \\\n#     --from-literal={k}=<new value>")).collect();
    let mut content = format!(
        "# The Secret that {} reads its credentials from (generated by rampart, KS032).\n\
         # Never write the values in this file: create the Secret from your secret store, or with\n\
         #   kubectl create secret generic {name}{ns_flag}{literals}\n\
         # and rotate the values that were in the manifest: they are exposed.\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n",
        w.describe()
    );
    if let Some(ns) = namespace {
        content.push_str(&format!("  namespace: {ns}\n"));
    }
    content.push_str("type: Opaque\nstringData:\n");
    for k in &keys {
        content.push_str(&format!("  {k}: {PLACEHOLDER}\n"));
    }
    Some(SecretManifest { path: format!("secret-{name}.yaml"), name, content })
}

fn fix(cx: &ManifestContext<'_>, w: &Workload, var: &EnvVar, secret: Option<&SecretManifest>) -> Option<Fix> {
    let text = cx.file.text();
    let ed = FileEditor::new(cx);
    match w.format {
        Format::Kubernetes => {
            let secret = secret?;
            if !valid_key(&var.name) {
                return None;
            }
            let item = node(cx, &var.span).filter(|n| n.is_map())?;
            let entry = item.entries().iter().rfind(|e| e.key.as_str() == Some("value"))?;
            if entry.key.borrowed || entry.value.borrowed {
                return None;
            }
            let replacement = if text.as_bytes().get(item.span.start) == Some(&b'{') {
                format!("valueFrom: {{secretKeyRef: {{name: {}, key: {}}}}}", secret.name, var.name)
            } else {
                let indent = column(text, entry.key.span.start);
                let unit = indent_unit(text);
                format!(
                    "valueFrom:\n{indent}{unit}secretKeyRef:\n{indent}{unit}{unit}name: {}\n{indent}{unit}{unit}key: {}",
                    secret.name, var.name
                )
            };
            let edit = Edit::replace(Span::new(entry.key.span.start, entry.value.span.end), replacement);
            Some(
                Fix::display_only(
                    format!(
                        "Read `{}` from the Secret `{}` (created beside the file, without the value)",
                        var.name, secret.name
                    ),
                    vec![edit],
                )
                .with_new_file(&secret.path, &secret.content),
            )
        }
        Format::Compose => {
            if !within(&w.span, &var.span) || !shell_name(&var.name) {
                return None;
            }
            let interpolated = format!("${{{}:?}}", var.name);
            let edits = match node(cx, &var.span) {
                // `NAME=value` in a list: the whole item.
                Some(item) if item.scalar().is_some() => {
                    ed.replace(item, &Val::Str(format!("{}={interpolated}", var.name)))?
                }
                // `NAME: value` in a mapping: the value.
                _ => ed.replace(node(cx, &var.value.as_ref()?.span()?)?, &Val::Str(interpolated.clone()))?,
            };
            Some(Fix::display_only(
                format!(
                    "Read `{}` from the environment or an `.env` file kept out of source control (`{interpolated}`)",
                    var.name
                ),
                edits,
            ))
        }
        Format::Oci => None,
    }
}

/// A name Compose interpolates: `[A-Za-z_][A-Za-z0-9_]*`.
fn shell_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
