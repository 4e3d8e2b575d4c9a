//! What is known about well-known base images: Docker Official Images, full distributions
//! and language images.

use rampart_dockerfile::ImageRef;

/// Docker Official Images (`docker.io/library/<name>`) commonly used in Dockerfiles.
const OFFICIAL: &[&str] = &[
    "alpine",
    "almalinux",
    "amazoncorretto",
    "amazonlinux",
    "archlinux",
    "bash",
    "buildpack-deps",
    "busybox",
    "caddy",
    "centos",
    "clearlinux",
    "clojure",
    "composer",
    "dart",
    "debian",
    "docker",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "fedora",
    "gcc",
    "golang",
    "gradle",
    "groovy",
    "haproxy",
    "haskell",
    "hello-world",
    "httpd",
    "ibm-semeru-runtimes",
    "ibmjava",
    "julia",
    "mageia",
    "mariadb",
    "maven",
    "memcached",
    "mongo",
    "mono",
    "mysql",
    "nginx",
    "node",
    "openjdk",
    "oraclelinux",
    "perl",
    "photon",
    "php",
    "postgres",
    "pypy",
    "python",
    "r-base",
    "rabbitmq",
    "redis",
    "registry",
    "rockylinux",
    "ruby",
    "rust",
    "sapmachine",
    "swift",
    "tomcat",
    "traefik",
    "ubuntu",
    "wordpress",
];

/// Official images that run as root unless told otherwise: the distributions, the language
/// images and the build tools.
const ROOT_BY_DEFAULT: &[&str] = &[
    "alpine",
    "almalinux",
    "amazoncorretto",
    "amazonlinux",
    "archlinux",
    "bash",
    "buildpack-deps",
    "busybox",
    "centos",
    "clearlinux",
    "clojure",
    "dart",
    "debian",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "fedora",
    "gcc",
    "golang",
    "gradle",
    "haskell",
    "ibm-semeru-runtimes",
    "ibmjava",
    "julia",
    "mageia",
    "maven",
    "mono",
    "node",
    "openjdk",
    "oraclelinux",
    "perl",
    "photon",
    "php",
    "pypy",
    "python",
    "r-base",
    "rockylinux",
    "ruby",
    "rust",
    "sapmachine",
    "swift",
    "ubuntu",
];

/// Distributions with a shell and a package manager.
const DISTRIBUTIONS: &[&str] = &[
    "alpine",
    "almalinux",
    "amazonlinux",
    "archlinux",
    "buildpack-deps",
    "centos",
    "clearlinux",
    "debian",
    "fedora",
    "mageia",
    "oraclelinux",
    "photon",
    "rockylinux",
    "ubuntu",
];

/// Language and build-tool images, themselves built on a distribution.
const LANGUAGES: &[&str] = &[
    "amazoncorretto",
    "clojure",
    "dart",
    "eclipse-temurin",
    "elixir",
    "erlang",
    "gcc",
    "golang",
    "gradle",
    "groovy",
    "haskell",
    "ibm-semeru-runtimes",
    "ibmjava",
    "julia",
    "maven",
    "mono",
    "node",
    "openjdk",
    "perl",
    "php",
    "pypy",
    "python",
    "r-base",
    "ruby",
    "rust",
    "sapmachine",
    "swift",
];

/// The name of a Docker Official Image, also through the usual mirrors
/// (`public.ecr.aws/docker/library/debian`, `mirror.gcr.io/library/debian`).
pub(crate) fn official_name(image: &ImageRef) -> Option<String> {
    let canonical = image.canonical_repository().to_ascii_lowercase();
    let name = canonical
        .strip_prefix("docker.io/library/")
        .or_else(|| canonical.strip_prefix("public.ecr.aws/docker/library/"))
        .or_else(|| canonical.strip_prefix("mirror.gcr.io/library/"))?;
    (!name.contains('/')).then(|| name.to_string())
}

/// Whether a bare `--from=` name is a Docker Official Image people copy from.
pub(crate) fn is_known_official(name: &str) -> bool {
    OFFICIAL.contains(&name.to_ascii_lowercase().as_str())
}

/// Whether the image is known to run as root when no `USER` is set.
pub(crate) fn runs_as_root_by_default(image: &ImageRef) -> bool {
    official_name(image).is_some_and(|n| ROOT_BY_DEFAULT.contains(&n.as_str()))
}

/// What kind of full userland an image brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FullImage {
    Distribution,
    /// A language runtime or toolchain image, e.g. `python`, `node`.
    Language,
}

/// Whether the image is a full distribution or language image (shell, package manager,
/// coreutils), as opposed to distroless, Chainguard, `scratch` or BusyBox.
pub(crate) fn full_image(image: &ImageRef) -> Option<FullImage> {
    let tag = image.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    if tag.contains("distroless") || tag.contains("chiseled") || tag.contains("nanoserver") {
        return None;
    }
    if let Some(name) = official_name(image) {
        if DISTRIBUTIONS.contains(&name.as_str()) {
            return Some(FullImage::Distribution);
        }
        if LANGUAGES.contains(&name.as_str()) {
            return Some(FullImage::Language);
        }
        return None;
    }
    let canonical = image.canonical_repository().to_ascii_lowercase();
    let distributions = [
        "docker.io/opensuse/",
        "registry.opensuse.org/opensuse/",
        "quay.io/centos/centos",
        "registry.fedoraproject.org/fedora",
        "public.ecr.aws/amazonlinux/amazonlinux",
        "registry.access.redhat.com/ubi",
        "registry.redhat.io/ubi",
    ];
    if distributions.iter().any(|p| canonical.starts_with(p)) && !canonical.contains("ubi-micro") {
        return Some(FullImage::Distribution);
    }
    let languages = [
        "mcr.microsoft.com/dotnet/sdk",
        "mcr.microsoft.com/dotnet/aspnet",
        "mcr.microsoft.com/dotnet/runtime",
        "mcr.microsoft.com/openjdk/jdk",
    ];
    if languages.iter().any(|p| canonical == *p) {
        return Some(FullImage::Language);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn classification() {
        assert_eq!(full_image(&r("debian:12-slim")), Some(FullImage::Distribution));
        assert_eq!(full_image(&r("library/python:3.12")), Some(FullImage::Language));
        assert_eq!(full_image(&r("public.ecr.aws/docker/library/node:20")), Some(FullImage::Language));
        assert_eq!(full_image(&r("opensuse/leap:15.6")), Some(FullImage::Distribution));
        assert_eq!(full_image(&r("gcr.io/distroless/static-debian12")), None);
        assert_eq!(full_image(&r("cgr.dev/chainguard/static")), None);
        assert_eq!(full_image(&r("busybox:1.36")), None);
        assert_eq!(full_image(&r("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled")), None);
        assert_eq!(full_image(&r("registry.access.redhat.com/ubi9/ubi-micro")), None);
        assert!(runs_as_root_by_default(&r("ubuntu:24.04")));
        assert!(!runs_as_root_by_default(&r("circleci/node:20")));
        assert_eq!(official_name(&r("docker.io/library/alpine")).as_deref(), Some("alpine"));
        assert_eq!(official_name(&r("bitnami/node")), None);
    }
}
