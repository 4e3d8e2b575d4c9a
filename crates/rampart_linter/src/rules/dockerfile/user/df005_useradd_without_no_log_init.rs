use rampart_diagnostics::{Edit, Fix};

use super::accounts::{USERADD_LONG, USERADD_SHORT, getopt, numeric_id, shell_str, verbatim_span};
use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// `useradd` with a large UID and without `--no-log-init` bloats the image.
    ///
    /// ## What it does
    /// Reports `useradd` commands that give a UID of 65536 or more (`-u 100000`, `--uid=100000`,
    /// `-u100000`, or a build argument with such a default) without `-l` / `--no-log-init`, in
    /// every stage and in `ONBUILD`.
    ///
    /// ## Why
    /// `useradd` reserves the new user's record in `/var/log/lastlog` and `/var/log/faillog`,
    /// which are indexed by UID: the files become sparse files as large as UID × record size
    /// (292 bytes for `lastlog`). Image layers do not keep files sparse, so a UID of 1000000
    /// adds about 290 MB of zeros to the layer — and a UID near 2³¹ can exhaust the disk of the
    /// build machine.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN useradd -u 1000000 -m app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN useradd -l -u 1000000 -m app
    /// ```
    ///
    /// ## Fix
    /// Inserts `-l` right after `useradd`.
    ///
    /// ## Fix safety
    /// Safe: `-l` only skips the `lastlog`/`faillog` records, which nothing in a container
    /// reads.
    ///
    /// ## References
    /// - Docker best practices, USER:
    ///   <https://docs.docker.com/build/building/best-practices/#user>
    /// - moby/moby#5419 "docker build hangs/crashes when useradd with large UID":
    ///   <https://github.com/moby/moby/issues/5419>
    pub struct UseraddWithoutNoLogInit {
        code: "DF005",
        name: "useradd-without-no-log-init",
        severity: Note,
        tags: ["user", "hygiene"],
        equivalents: ["hadolint:DL3046"],
        fix: Safe,
    }
}

const LARGE_UID: u64 = 65536;
/// Size of one `struct lastlog` record on Linux.
const LASTLOG_RECORD: u64 = 292;

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for cmd in cx.run_commands() {
        if cmd.program() != "useradd" {
            continue;
        }
        let parsed = getopt(cmd.args(), USERADD_SHORT, USERADD_LONG);
        if parsed.has(&["-l", "--no-log-init"]) {
            continue;
        }
        let Some(written) = parsed.value(&["-u", "--uid"]) else { continue };
        let Some(uid) = shell_str(cx, cmd.run.instruction, written).as_deref().and_then(numeric_id) else {
            continue;
        };
        if uid < LARGE_UID {
            continue;
        }
        let Some(useradd) = cmd.argv.first() else { continue };
        let from_arg = if written.contains('$') { format!(" (`{written}`)") } else { String::new() };
        let mut finding = cx
            .finding(
                &INFO,
                cmd.word_span(useradd),
                format!("`useradd` for UID {uid}{from_arg} without `--no-log-init`"),
            )
            .with_label(format!("writes a ~{} `/var/log/lastlog` into the layer", human_size(uid * LASTLOG_RECORD)))
            .with_help("add `-l` (`--no-log-init`): containers have no use for the login records");
        if let Some(span) = verbatim_span(cx, cmd.run, useradd) {
            finding = finding.with_fix(Fix::safe("Add `-l` to `useradd`", vec![Edit::insert(span.end, " -l")]));
        }
        out.push(finding);
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: &[&str] = &["KB", "MB", "GB", "TB"];
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 10.0 { format!("{value:.0} {}", UNITS[unit]) } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::human_size(65536 * 292), "19 MB");
        assert_eq!(super::human_size(1_000_000 * 292), "292 MB");
        assert_eq!(super::human_size(2_147_483_647 * 292), "627 GB");
    }
}
