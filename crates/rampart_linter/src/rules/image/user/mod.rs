//! Who the image runs as, and the accounts it ships.

pub mod im001_image_runs_as_root;
pub mod im002_image_user_not_numeric;
pub mod im003_empty_password;
pub mod im004_duplicate_uid;
pub mod im005_duplicate_gid;

use super::image_rules;
use crate::image::{ImageContext, account_lines};

image_rules!(
    im001_image_runs_as_root::ImageRunsAsRoot,
    im002_image_user_not_numeric::ImageUserNotNumeric,
    im003_empty_password::EmptyPassword,
    im004_duplicate_uid::DuplicateUid,
    im005_duplicate_gid::DuplicateGid,
);

/// The UID `/etc/passwd` gives a user name.
pub(crate) fn uid_of(cx: &ImageContext<'_>, name: &str) -> Option<String> {
    let passwd = cx.retained_text("/etc/passwd")?;
    account_lines(&passwd)
        .iter()
        .find(|l| l.fields.first() == Some(&name))
        .and_then(|l| l.fields.get(2).map(|s| s.to_string()))
}
