use rampart_diagnostics::{Edit, Fix, Span};
use rampart_dockerfile::{Body, StageRef};

use super::accounts::{Account, AccountKind, account, numeric_id, shell_value};
use crate::Finding;
use crate::dockerfile::DockerfileContext;
use crate::dockerfile::facts::{final_user, is_numeric_user, is_root_user};

declare_rule! {
    /// The image runs as a user name, not a numeric UID.
    ///
    /// ## What it does
    /// Looks at the last `USER` of the final image (the final stage or the stages it is built
    /// `FROM`) and reports it when the user is given by name (`USER app`, `USER app:app`) after
    /// expanding build arguments. `root` is left to `final-stage-runs-as-root` (DF001); a value
    /// that depends on a build argument without a default is not guessed, and Windows images,
    /// whose accounts have no numeric form, are skipped.
    ///
    /// ## Why
    /// Kubernetes can only enforce `runAsNonRoot` when it knows the UID: with a name in the image
    /// config the kubelet cannot tell whether `app` is UID 0, and refuses to start the pod
    /// ("image has non-numeric user, cannot verify user is non-root"). Admission policies and
    /// scanners have the same problem. A numeric `USER` also keeps working when `/etc/passwd` is
    /// replaced or absent (distroless and scratch images).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN groupadd -g 10001 app && useradd -u 10001 -g app app
    /// USER app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN groupadd -g 10001 app && useradd -u 10001 -g app app
    /// USER 10001
    /// ```
    ///
    /// ## Fix
    /// When the Dockerfile itself creates the user with an explicit UID (`useradd -u 10001`,
    /// `useradd --uid 10001`, BusyBox `adduser -u 10001`, Debian `adduser --uid 10001`), the name
    /// is replaced by that UID; a group named in `USER app:app` is replaced by the GID given to
    /// `groupadd -g` / `addgroup -g` (or kept as a name when there is none).
    ///
    /// ## Fix safety
    /// Safe: the number designates the same account, and the runtime still reads its groups
    /// from `/etc/passwd` and `/etc/group`. No fix is offered when the UID is not written in the
    /// Dockerfile (a user of the base image such as `node`, or `useradd -u "$UID"`).
    ///
    /// ## References
    /// - Kubernetes: `runAsNonRoot` and image users
    ///   <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - CIS Docker Benchmark 4.1 "Ensure that a user for the container has been created"
    /// - NIST SP 800-190 §4.5.3 (container runtime privileges)
    pub struct UserNotNumeric {
        code: "DF002",
        name: "user-not-numeric",
        severity: Warning,
        tags: ["user", "cis-docker:4.1", "nist-800-190:4.5.3", "seed:non-root"],
        equivalents: ["hadolint:DL3066"],
        fix: Safe,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let Some(user) = final_user(cx) else { return };
    let value = user.value.value.trim();
    if !user.value.is_complete() || value.is_empty() || is_root_user(value) || is_numeric_user(value) {
        return;
    }
    if windows_image(cx) {
        return;
    }
    let Body::User(word) = &cx.instruction(user.instruction).body else { return };
    let (name, group) = match value.split_once(':') {
        Some((n, g)) => (n, Some(g)),
        None => (value, None),
    };
    if name.is_empty() {
        return;
    }
    let mut finding = cx
        .finding(&INFO, &word.span, format!("the image runs as the user name `{name}`, not a numeric UID"))
        .with_label("a name cannot be checked by Kubernetes `runAsNonRoot`");
    match created_uid(cx, user.instruction, name) {
        Created::WithUid(uid) => match fix(cx, user.instruction, uid, group) {
            Some((replacement, fix)) => {
                finding = finding.with_help(format!("use `USER {replacement}`")).with_fix(fix);
            }
            None => finding = finding.with_help(format!("use the UID `{name}` was created with: `USER {uid}`")),
        },
        Created::WithVariableUid(id) => {
            finding = finding.with_help(format!("use the UID `{name}` is created with: `USER {id}`"));
        }
        Created::WithoutUid => {
            finding = finding.with_help(format!(
                "create `{name}` with a fixed UID (`useradd -u 10001 {name}`) and write `USER 10001`"
            ));
        }
        Created::NotHere => {
            finding = finding.with_help(format!(
                "write the numeric UID of `{name}` (`id -u {name}` in the image prints it), e.g. `USER 10001`"
            ));
        }
    }
    out.push(finding);
}

enum Created {
    WithUid(u64),
    /// `useradd -u "$UID"`: the UID as written.
    WithVariableUid(String),
    WithoutUid,
    NotHere,
}

/// Accounts created by `RUN` commands of the final image before `before`, in order.
fn accounts_before<'c>(
    cx: &'c DockerfileContext<'_>,
    before: usize,
) -> impl Iterator<Item = (usize, Account<'c>)> + 'c {
    cx.run_commands()
        .filter(move |cmd| {
            let i = cmd.run.instruction;
            !cmd.run.onbuild && i < before && cx.in_final_image(i)
        })
        .filter_map(|cmd| Some((cmd.run.instruction, account(&cmd)?)))
}

/// Whether (and how) the Dockerfile creates user `name` before the `USER` instruction.
fn created_uid(cx: &DockerfileContext<'_>, user_instruction: usize, name: &str) -> Created {
    let mut created = Created::NotHere;
    for (i, account) in accounts_before(cx, user_instruction) {
        if account.kind == AccountKind::User && shell_value(cx, i, account.name).as_deref() == Some(name) {
            created = match account.id {
                Some(id) => match numeric_id(&id) {
                    Some(uid) => Created::WithUid(uid),
                    None => Created::WithVariableUid(id),
                },
                None => Created::WithoutUid,
            };
        }
    }
    created
}

/// The replacement text and the fix for a user created with `uid`.
fn fix(cx: &DockerfileContext<'_>, user_instruction: usize, uid: u64, group: Option<&str>) -> Option<(String, Fix)> {
    let Body::User(word) = &cx.instruction(user_instruction).body else { return None };
    // A value built from variables must stay what the build arguments make it.
    if word.raw.contains('$') {
        return None;
    }
    let gids: Vec<(String, u64)> = accounts_before(cx, user_instruction)
        .filter(|(_, a)| a.kind == AccountKind::Group)
        .filter_map(|(i, a)| Some((shell_value(cx, i, a.name)?, a.id.as_deref().and_then(numeric_id)?)))
        .collect();
    let replacement = match group {
        None => uid.to_string(),
        Some(g) if is_numeric_user(g) => format!("{uid}:{g}"),
        Some(g) => match gids.iter().rev().find(|(n, _)| n == g) {
            Some((_, gid)) => format!("{uid}:{gid}"),
            None => format!("{uid}:{g}"),
        },
    };
    let span = Span::new(word.span.start, word.span.end);
    Some((
        replacement.clone(),
        Fix::safe(format!("Replace `{}` with `{replacement}`", word.value), vec![Edit::replace(span, replacement)]),
    ))
}

/// Windows accounts (`ContainerUser`) have no numeric form.
fn windows_image(cx: &DockerfileContext<'_>) -> bool {
    let Some(root) = cx.final_chain().next() else { return false };
    let StageRef::Image(image) = &root.base else { return false };
    let repo = image.canonical_repository().to_ascii_lowercase();
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    repo.starts_with("mcr.microsoft.com/windows")
        || repo.contains("nanoserver")
        || repo.contains("servercore")
        || tag.contains("nanoserver")
        || tag.contains("windowsservercore")
        || tag.contains("ltsc20")
}
