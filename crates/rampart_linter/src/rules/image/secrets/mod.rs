//! Credentials shipped in the image: in files (including files a later layer deleted, which
//! are still in the image), in the configuration's environment, in the build history.

pub mod im030_secret_in_file;
pub mod im031_secret_in_deleted_file;
pub mod im032_secret_in_env;
pub mod im033_secret_in_history;

use super::image_rules;
use crate::image::{ImageContext, Pending, Target};
use rampart_image::FileSecret;

image_rules!(
    im030_secret_in_file::SecretInFile,
    im031_secret_in_deleted_file::SecretInDeletedFile,
    im032_secret_in_env::SecretInEnv,
    im033_secret_in_history::SecretInHistory,
);

/// Reports the file secrets with `visible == want_visible`.
pub(crate) fn report_files(
    cx: &ImageContext<'_>,
    out: &mut Vec<Pending>,
    info: &'static crate::RuleInfo,
    want_visible: bool,
) {
    for s in cx.image.secrets.iter().filter(|s| s.visible == want_visible) {
        out.push(file_secret(cx, info, s, want_visible));
    }
}

fn file_secret(cx: &ImageContext<'_>, info: &'static crate::RuleInfo, s: &FileSecret, visible: bool) -> Pending {
    let target = Target::Line {
        path: s.location.path.clone(),
        layer: s.location.layer,
        line: s.line,
        text: s.excerpt.clone(),
        span: s.span.clone(),
    };
    let where_ = if visible {
        format!("{} (line {})", s.location.path, s.line)
    } else {
        format!(
            "{} (line {}), deleted by a later layer but still in layer {} of the image",
            s.location.path, s.line, s.location.layer
        )
    };
    let help = if visible {
        "remove the file from the image and rotate the credential; pass secrets at run time (a mounted secret, an environment variable set by the orchestrator), and at build time with `RUN --mount=type=secret`"
    } else {
        "deleting a file in a later layer does not remove it from the image: rotate the credential, and keep it out of every layer (`RUN --mount=type=secret`, a multi-stage build, `.dockerignore`)"
    };
    cx.finding(info, target, format!("{} in {where_}", s.kind.description)).with_label(s.kind.id).with_help(help)
}
