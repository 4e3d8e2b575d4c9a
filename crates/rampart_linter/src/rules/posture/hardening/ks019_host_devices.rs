use rampart_posture::{Format, VolumeKind, Workload};
use rampart_yaml::Node;

use super::util::{by_format, compose_service};
use crate::Finding;
use crate::manifest::{ManifestContext, container_label};
use crate::rules::posture::oci_root;

declare_rule! {
    /// A container is given a device of the host.
    ///
    /// ## What it does
    /// Reports each host device given to a container — a Compose service's `devices`, an OCI
    /// config's `linux.devices` — at the device, naming it and saying what it gives for the
    /// well-known ones: `/dev/mem`, `/dev/kmem` and `/dev/port` (the host's memory and I/O
    /// ports), disks (`/dev/sd*`, `/dev/nvme*`, `/dev/vd*`, `/dev/xvd*`, `/dev/mmcblk*`,
    /// `/dev/dm-*`, `/dev/mapper/*`, `/dev/loop*`, `/dev/sg*`, …), `/dev/fuse`, `/dev/kvm`,
    /// `/dev/net/tun`, consoles and serial ports, input devices, GPUs, USB, the CPU's
    /// model-specific registers, the watchdog and the TPM. An OCI device is recognised by its
    /// type and numbers when they are written (`c 1:1` is `/dev/mem` whatever its `path`
    /// says). A device CDI names (`nvidia.com/gpu=all`) is reported by its name.
    ///
    /// It also reports device cgroup rules that allow reading or writing every device (or
    /// every block or character device): an OCI `linux.resources.devices` entry with
    /// `"allow": true` and no `major` that no later rule denies again, and a Compose
    /// `device_cgroup_rules` entry such as `a *:* rwm`. Rules that allow only `m` (creating
    /// nodes, as Docker's defaults do) are not reported. An OCI mount of type `devtmpfs`
    /// (every device node of the host) is reported at its type.
    ///
    /// Not reported: the devices every container has (`/dev/null`, `/dev/zero`,
    /// `/dev/full`, `/dev/random`, `/dev/urandom`, `/dev/tty`, `/dev/ptmx`, `/dev/pts/*`),
    /// which containerd lists in the configs it writes. Kubernetes has no field for host
    /// devices (device plugins allocate them outside the pod spec); a privileged container
    /// gets every device and KS001 reports it. The Compose `device_cgroup_rules` of a
    /// service it `extends` are not followed.
    ///
    /// ## Why
    /// A device node is a door into the host kernel that no namespace closes. A disk gives
    /// every file on it, past the container's root and every permission check, and writes
    /// that corrupt the host's filesystem; `/dev/mem` is the host's memory itself; `/dev/kvm`,
    /// `/dev/fuse` and `/dev/net/tun` expose kernel code that containers otherwise never
    /// reach. An allow-all device cgroup turns any node the process can create (`mknod`) into
    /// such a door.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: registry.example.com/backup:2.3.1
    ///     devices:
    ///       - /dev/sda:/dev/sda
    /// ```
    /// Use instead: mount the directory the service needs (read-only when it only reads), not
    /// the disk that holds it.
    ///
    /// ## Fix safety
    /// No automatic fix: a workload given a device usually needs it (a GPU, a FUSE mount, a
    /// VPN's TUN device), and only a human can say whether a narrower grant does the job.
    /// Removing the device would be unsafe; rampart does not apply it.
    ///
    /// ## References
    /// - CIS Docker Benchmark 5.17: "Ensure that host devices are not directly exposed to
    ///   containers"
    /// - NIST SP 800-190 §4.4.3
    /// - CWE-668: Exposure of Resource to Wrong Sphere
    /// - <https://docs.docker.com/reference/compose-file/services/#devices>
    /// - <https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#devices>
    pub struct HostDevices {
        code: "KS019",
        name: "host-devices",
        severity: Warning,
        tags: ["isolation", "devices", "cis-docker:5.17", "cwe:668", "nist-800-190:4.4.3", "seed:isolation"],
        equivalents: [],
        fix: None,
    }
}

const DISK: &str = "a disk of the host, raw: every file on it, past every permission check, and writes that corrupt it";
const CONSOLE: &str = "a console of the host: what is typed on it, and typing into it";
const GPU: &str = "a GPU of the host, shared with its other users, and its driver's kernel code";

/// What a device gives, by its path in `/dev`; `None` for the devices every container has.
fn by_path(path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("/dev/").unwrap_or(path);
    let numbered =
        |prefix: &str| name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    let lettered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    let under = |dir: &str| name == dir || name.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'));
    Some(match name {
        "null" | "zero" | "full" | "random" | "urandom" | "tty" | "ptmx" => return None,
        _ if under("pts") => return None,
        "mem" => "the host's physical memory: reading and writing it is reading and writing the kernel",
        "kmem" => "the kernel's memory",
        "port" => "the host's I/O ports",
        "fuse" => "FUSE: the process serves filesystems to the kernel and, with `SYS_ADMIN`, mounts them",
        "kvm" => "KVM: the process runs virtual machines on the host kernel's hypervisor code",
        "net/tun" => {
            "TUN/TAP: with `NET_ADMIN`, the process creates network interfaces and routes traffic through them"
        }
        "vhost-net" | "vhost-vsock" => "a vhost back-end: kernel code that drives virtual machines' devices",
        "uinput" => "injecting keyboard and mouse input into the host",
        "console" => CONSOLE,
        "loop-control" => "creating loop devices: mounting image files through the host kernel",
        "watchdog" => "the host's watchdog: closing it the wrong way reboots the host",
        "kfd" => GPU,
        _ if lettered("sd") || lettered("hd") || lettered("vd") || lettered("xvd") => DISK,
        _ if name.starts_with("nvme") || name.starts_with("mmcblk") || numbered("dm-") || numbered("md") => DISK,
        _ if numbered("nbd") || numbered("rbd") || numbered("sr") || under("mapper") || under("disk") => DISK,
        _ if numbered("loop") => "a loop device: a disk image mounted through the host kernel",
        _ if numbered("sg") => "raw SCSI commands to a disk of the host",
        _ if numbered("tty") => CONSOLE,
        _ if name.starts_with("ttyS") || name.starts_with("ttyUSB") || name.starts_with("ttyACM") => {
            "a serial port of the host and what is wired to it"
        }
        _ if under("input") => "the host's keyboards and mice: every key pressed on the host",
        _ if name.starts_with("video") => "a camera of the host",
        _ if under("snd") => "the host's sound devices, microphones included",
        _ if under("dri") || name.starts_with("nvidia") => GPU,
        _ if under("bus/usb") => "USB devices of the host",
        _ if under("cpu") => "the CPU's model-specific registers: they change how the processor behaves",
        _ if name.starts_with("tpm") => "the host's TPM: its sealed keys and attestation",
        _ if name.starts_with("i2c-")
            || name.starts_with("gpiochip")
            || name.starts_with("spidev")
            || name.starts_with("mtd") =>
        {
            "hardware buses and flash memory of the host"
        }
        _ => "a device of the host, outside the set every container has",
    })
}

/// What a device gives, by its type and numbers (OCI): which device it is (for the message)
/// and what it gives; `Some(None)` for the devices every container has, `None` when the
/// numbers say nothing known.
fn by_numbers(ty: &str, major: i64, minor: i64) -> Option<Option<(&'static str, &'static str)>> {
    // A device known by its path, or a family of devices shown as `(shown, a path of it)`.
    let known = |name: &'static str| Some(by_path(name).map(|what| (name, what)));
    let family = |shown: &'static str, example: &'static str| Some(by_path(example).map(|what| (shown, what)));
    match (ty, major, minor) {
        ("c", 1, 3 | 5 | 7 | 8 | 9) | ("c", 5, 0 | 2) | ("c", 136, _) => Some(None),
        ("c", 1, 1) => known("/dev/mem"),
        ("c", 1, 2) => known("/dev/kmem"),
        ("c", 1, 4) => known("/dev/port"),
        ("c", 10, 229) => known("/dev/fuse"),
        ("c", 10, 232) => known("/dev/kvm"),
        ("c", 10, 200) => known("/dev/net/tun"),
        ("c", 10, 238) => known("/dev/vhost-net"),
        ("c", 10, 223) => known("/dev/uinput"),
        ("c", 10, 130) => known("/dev/watchdog"),
        ("c", 10, 237) => known("/dev/loop-control"),
        ("c", 5, 1) => known("/dev/console"),
        ("c", 4, 0..=63) => family("a virtual console", "/dev/tty1"),
        ("c", 13, _) => family("an input device", "/dev/input"),
        ("c", 202, _) => family("a CPU's model-specific registers", "/dev/cpu"),
        ("c", 226, _) => family("a GPU", "/dev/dri"),
        ("c", 195, _) => family("an NVIDIA GPU", "/dev/nvidia0"),
        ("c", 189, _) => family("a USB device", "/dev/bus/usb"),
        ("c", 21, _) => family("a SCSI generic device", "/dev/sg0"),
        ("b", 8 | 3 | 65..=71 | 128..=135 | 202 | 259, _) => family("a disk", "/dev/sda"),
        ("b", 179, _) => family("a disk", "/dev/mmcblk0"),
        ("b", 7, _) => family("a loop device", "/dev/loop0"),
        _ => None,
    }
}

/// The OCI `linux.devices` entry whose `path` is written at `span`.
fn oci_entry<'a>(root: Option<&'a Node>, span: &std::ops::Range<usize>) -> Option<&'a Node> {
    root?.path(&["linux", "devices"])?.items().iter().find(|d| d.get("path").is_some_and(|p| p.span == *span))
}

/// `rwm`-style access that reads or writes (an absent access is all of `rwm`).
fn reads_or_writes(access: Option<&str>) -> bool {
    access.is_none_or(|a| a.contains(['r', 'w']))
}

fn scope(ty: &str) -> &'static str {
    match ty {
        "b" => "every block device of the host",
        "c" => "every character device of the host",
        _ => "every device of the host",
    }
}

pub(super) fn check(cx: &ManifestContext<'_>, out: &mut Vec<Finding>) {
    for w in &cx.workloads {
        let root = oci_root(cx, w);
        let help = by_format(
            w,
            "",
            "remove it from `devices` unless the service cannot work without it, then grant only the access it needs (`/dev/x:/dev/x:r`)",
            "remove it from `linux.devices` unless the process cannot work without it, and allow only the access it needs in `linux.resources.devices`",
        );
        for c in &w.containers {
            for device in &c.devices {
                let path = device.value.trim();
                let Some(span) = device.span() else { continue };
                let numbers = oci_entry(root, &span).and_then(|e| {
                    let ty = e.get_str("type")?;
                    Some((ty.to_string(), e.get("major")?.as_i64()?, e.get("minor")?.as_i64()?))
                });
                let known = numbers.as_ref().and_then(|(ty, major, minor)| by_numbers(ty, *major, *minor));
                let (shown, what) = match (known, &numbers) {
                    (Some(None), _) => continue,
                    (Some(Some((name, what))), Some((ty, major, minor))) if by_path(path) != Some(what) => {
                        let which =
                            if name.starts_with('/') { format!("the host's `{name}`") } else { name.to_string() };
                        (format!("`{path}` ({ty} {major}:{minor}, {which})"), what)
                    }
                    (Some(Some((_, what))), _) => (format!("`{path}`"), what),
                    (None, _) => match by_path(path) {
                        None if numbers.is_none() => continue,
                        None => (format!("`{path}`"), "a device of the host, outside the set every container has"),
                        Some(what) => (format!("`{path}`"), what),
                    },
                };
                let (message, label) = if w.format == Format::Compose && !path.starts_with('/') && path.contains('=') {
                    (
                        format!("{} is given the CDI device {shown}", container_label(w, c)),
                        "the device nodes and host files its CDI specification injects".to_string(),
                    )
                } else {
                    (format!("{} is given the host device {shown}", container_label(w, c)), what.to_string())
                };
                out.push(cx.finding(&INFO, span, message).with_label(label).with_help(help));
            }
        }
        // A `devtmpfs` mount is every device node of the host at once.
        for v in &w.volumes {
            if matches!(&v.kind, VolumeKind::Other(t) if t == "devtmpfs") {
                out.push(
                    cx.finding(&INFO, v.kind_span.clone(), format!("{} mounts the host's `devtmpfs`", container_of(w)))
                        .with_label("every device node of the host: its disks, its memory, its consoles")
                        .with_help("remove the mount: the runtime creates the few device nodes a container needs"),
                );
            }
        }
        match w.format {
            Format::Oci => oci_cgroup_rules(cx, w, root, out),
            Format::Compose => compose_cgroup_rules(cx, w, out),
            Format::Kubernetes => {}
        }
    }
}

/// OCI `linux.resources.devices`: an allow rule without a `major` that no later rule denies.
fn oci_cgroup_rules(cx: &ManifestContext<'_>, w: &Workload, root: Option<&Node>, out: &mut Vec<Finding>) {
    let Some(rules) = root.and_then(|r| r.path(&["linux", "resources", "devices"])) else { return };
    let rules: Vec<&Node> = rules.items().iter().filter(|r| r.is_map()).collect();
    let ty = |r: &Node| r.get_str("type").unwrap_or("a").to_string();
    let wildcard = |r: &Node| r.get("major").is_none_or(|m| m.is_null() || m.as_i64() == Some(-1));
    for (i, rule) in rules.iter().enumerate() {
        let Some(allow) = rule.get("allow").filter(|a| a.as_bool() == Some(true)) else { continue };
        if !wildcard(rule) || !reads_or_writes(rule.get_str("access")) {
            continue;
        }
        let t = ty(rule);
        let denied_later = rules[i + 1..].iter().any(|later| {
            later.get("allow").and_then(Node::as_bool) == Some(false)
                && wildcard(later)
                && (ty(later) == "a" || ty(later) == t)
                && reads_or_writes(later.get_str("access"))
        });
        if denied_later {
            continue;
        }
        out.push(
            cx.finding(&INFO, allow.span.clone(), format!("{} may use {}", container_of(w), scope(&t)))
                .with_label("any device node the process creates (`mknod`) or is given can be read and written")
                .with_help(
                    "deny every device first (`{\"allow\": false, \"access\": \"rwm\"}`), then allow only the devices it needs by type and numbers",
                ),
        );
    }
}

/// Compose `device_cgroup_rules`: `a *:* rwm`, `b *:* rw`, `c *:* r`.
fn compose_cgroup_rules(cx: &ManifestContext<'_>, w: &Workload, out: &mut Vec<Finding>) {
    let Some(rules) = compose_service(cx, w).and_then(|s| s.get("device_cgroup_rules")) else { return };
    for rule in rules.items() {
        let Some(text) = rule.as_string() else { continue };
        let mut parts = text.split_whitespace();
        // `type major:minor access`, as Docker validates it.
        let (Some(t), Some(numbers), Some(access)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if !numbers.starts_with('*') || !reads_or_writes(Some(access)) || !matches!(t, "a" | "b" | "c") {
            continue;
        }
        out.push(
            cx.finding(&INFO, rule.span.clone(), format!("{} may use {}", container_of(w), scope(t)))
                .with_label("any device node the service creates (`mknod`) or is given can be read and written")
                .with_help("allow only the devices it needs, each by its numbers (`c 10:200 rwm`)"),
        );
    }
}

/// The subject of a device cgroup finding: the workload's only container.
fn container_of(w: &Workload) -> String {
    match w.containers.first() {
        Some(c) => container_label(w, c),
        None => w.describe(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(by_path("/dev/null"), None);
        assert_eq!(by_path("/dev/pts/0"), None);
        assert_eq!(by_path("/dev/sda1"), Some(DISK));
        assert_eq!(by_path("/dev/nvme0n1"), Some(DISK));
        assert_eq!(by_path("/dev/mapper/vg-root"), Some(DISK));
        assert_eq!(by_path("/dev/tty1"), Some(CONSOLE));
        assert!(by_path("/dev/ttyUSB0").is_some_and(|w| w.contains("serial")));
        assert!(by_path("/dev/net/tun").is_some_and(|w| w.contains("TUN")));
        assert!(by_path("/dev/shm-like").is_some_and(|w| w.contains("outside")));
        assert!(by_path("é").is_some());
    }

    #[test]
    fn numbers() {
        assert_eq!(by_numbers("c", 1, 3), Some(None));
        assert!(matches!(by_numbers("c", 1, 1), Some(Some(("/dev/mem", _)))));
        assert!(matches!(by_numbers("b", 8, 17), Some(Some(("a disk", DISK)))));
        assert_eq!(by_numbers("c", 240, 0), None);
    }
}
