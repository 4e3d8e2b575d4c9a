use crate::image::{ImageContext, Pending, account_lines};

declare_rule! {
    /// An account of the image has an empty password.
    ///
    /// ## What it does
    /// Reads `/etc/shadow` of the final filesystem and reports every account whose password
    /// field (the second) is empty. Locked accounts (`*`, `!`, `!!`, `!$6$…`) and hashed
    /// passwords are fine. `/etc/passwd` entries with an empty password field (no `x`) are
    /// reported too: without a shadow entry that also means no password.
    ///
    /// ## Why
    /// An account with an empty password lets anyone who reaches a login prompt, `su` or an
    /// SSH server with `PermitEmptyPasswords` become that user without a credential; for
    /// `root` that is the whole container.
    ///
    /// ## Example
    /// `/etc/shadow` with:
    /// ```text
    /// root::19500:0:99999:7:::
    /// ```
    /// Use instead (locked):
    /// ```text
    /// root:*:19500:0:99999:7:::
    /// ```
    ///
    /// ## Fix
    /// Lock the account in the Dockerfile (`RUN passwd -l root`, or `usermod -p '*' NAME`) or
    /// remove whatever step cleared the password (`passwd -d`), and rebuild.
    ///
    /// ## Fix safety
    /// No automatic fix: the image is rebuilt from its Dockerfile.
    ///
    /// ## References
    /// - CWE-258: Empty Password in Configuration File
    /// - NIST SP 800-190 4.1.2 (image configuration defects)
    /// - Dockle DKL-LI-0001
    pub struct EmptyPassword {
        code: "IM003",
        name: "image-empty-password",
        severity: Error,
        tags: ["user", "image", "secrets", "nist-800-190:4.1.2", "cwe:258", "seed:non-root"],
        equivalents: ["dockle:DKL-LI-0001"],
        fix: None,
    }
}

pub(super) fn check(cx: &ImageContext<'_>, out: &mut Vec<Pending>) {
    for file in ["/etc/shadow", "/etc/passwd"] {
        let Some(text) = cx.retained_text(file) else { continue };
        for l in account_lines(&text) {
            let (Some(name), Some(password)) = (l.fields.first(), l.fields.get(1)) else { continue };
            if !password.is_empty() || name.is_empty() {
                continue;
            }
            // Never quote a password field: shown lines keep only the account name and the rest.
            let shown =
                l.fields.iter().enumerate().map(|(i, f)| if i == 1 { "" } else { f }).collect::<Vec<_>>().join(":");
            let end = name.len() + 2;
            let target = cx.retained_line(file, l.line, &shown, 0..end.min(shown.len()));
            let what = if file == "/etc/shadow" { "in /etc/shadow" } else { "in /etc/passwd (no shadow entry)" };
            out.push(
                cx.finding(&INFO, target, format!("the account `{name}` has an empty password {what}"))
                    .with_label("empty password field")
                    .with_help(format!("lock it in the Dockerfile (`RUN passwd -l {name}`) and rebuild")),
            );
        }
    }
}
