use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// A file that holds credentials is copied into the image.
    ///
    /// ## What it does
    /// Checks the sources of `COPY` and `ADD` in the stages of the final image (after
    /// expanding build arguments) for files and directories that hold credentials:
    /// - environment files: `.env`, `.env.production`, … (not `.env.example`, `.env.sample`,
    ///   `.env.template`, `.env.dist`);
    /// - private keys: `id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519` (not `*.pub`), `*.key`,
    ///   `privkey*`, `*.pem` unless the name says it is a certificate (`cert`, `crt`, `ca`,
    ///   `chain`, `bundle`, `pub`, `public`, …); key stores `*.p12`, `*.pfx`, `*.jks`,
    ///   `*.keystore` (not trust stores);
    /// - credential files: `.npmrc`, `.pypirc`, `.git-credentials`, `.netrc`, `.pgpass`,
    ///   `.htpasswd`, `.aws/credentials`, `.docker/config.json`, `kubeconfig`,
    ///   `.kube/config`, `credentials.json`, `*service-account*.json`, `terraform.tfstate`;
    /// - whole directories of them: `.ssh`, `.aws`, `.docker`, `.kube`, `.gnupg`.
    ///
    /// Public key material is not reported: `*.pub`, names saying `public`, `gpg`,
    /// `signing`, `keyring` or `release` (`nginx_signing.key`, `Release.key`), and keys
    /// copied to where package managers read repository keys (`/etc/apt/trusted.gpg.d/`,
    /// `/usr/share/keyrings/`, `/etc/pki/rpm-gpg/`). Files copied `--from` another stage or
    /// image are reported only when they are private keys (build outputs such as a
    /// generated `.env` are the build's business). `COPY . .` is not reported: what it
    /// copies depends on `.dockerignore`, which this rule does not read. Stages that are
    /// only copied from are not checked: their files do not reach the image.
    ///
    /// ## Why
    /// Everything copied into a layer stays in the image, even when a later `RUN rm`
    /// deletes it: anyone who pulls the image can extract the layer. Keys and tokens
    /// shipped that way must be considered leaked.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY .npmrc package.json package-lock.json ./
    /// COPY id_rsa /root/.ssh/id_rsa
    /// RUN npm ci
    /// ```
    /// Use instead — mount credentials for the one step that needs them:
    /// ```dockerfile
    /// FROM node:22-slim
    /// COPY package.json package-lock.json ./
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    ///     --mount=type=ssh \
    ///     npm ci
    /// ```
    /// and list the files in `.dockerignore`.
    ///
    /// ## Fix safety
    /// No automatic fix: the step that needs the file must be changed to use a secret or
    /// SSH mount.
    ///
    /// ## References
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    /// - NIST SP 800-190 §4.1.4 (embedded clear-text secrets)
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - Build secrets and SSH mounts: <https://docs.docker.com/build/building/secrets/>
    pub struct SensitiveFileCopied {
        code: "DF062",
        name: "sensitive-file-copied",
        severity: Error,
        tags: ["secrets", "security", "cis-docker:4.10", "cwe:538", "nist-800-190:4.1.4", "seed:secrets"],
        equivalents: ["trivy:DS-0031", "cis-docker:4.10"],
        fix: None,
    }
}

/// What a path is, when it holds credentials. `key` is true for private key material.
struct Sensitive {
    what: &'static str,
    key: bool,
}

const fn s(what: &'static str, key: bool) -> Option<Sensitive> {
    Some(Sensitive { what, key })
}

/// Name tokens saying a key file is public, or a `.pem` file a certificate.
const PUBLIC_TOKENS: &[&str] = &["pub", "public", "gpg", "pgp", "signing", "keyring", "release", "asc"];
const CERT_TOKENS: &[&str] = &[
    "ca",
    "cert",
    "certs",
    "certificate",
    "certificates",
    "crt",
    "chain",
    "fullchain",
    "bundle",
    "root",
    "rootca",
    "trust",
    "truststore",
    "cacert",
    "cacerts",
    "intermediate",
    "pub",
    "public",
];
/// Destinations where package managers read public repository keys.
const KEYRING_DIRS: &[&str] =
    &["/etc/apt/trusted.gpg.d", "/etc/apt/keyrings", "/usr/share/keyrings", "/etc/pki/rpm-gpg", "/etc/apk/keys"];

fn tokens(name: &str) -> Vec<&str> {
    name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).collect()
}

fn classify(path: &str, dest: &str) -> Option<Sensitive> {
    let path = path.trim_end_matches('/');
    let lower = path.to_ascii_lowercase();
    let components: Vec<&str> = lower.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    let base = *components.last()?;
    let parent = components.len().checked_sub(2).map(|i| components[i]);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let stem_tokens = tokens(stem);
    let to_keyring = KEYRING_DIRS.iter().any(|d| dest.starts_with(d));

    match (parent, base) {
        (Some(".aws"), "credentials") => return s("AWS credentials", false),
        (Some(".docker"), "config.json") => return s("Docker registry credentials", false),
        (Some(".kube"), "config") => return s("a Kubernetes kubeconfig", false),
        (Some(".ssh"), "known_hosts" | "config" | "authorized_keys") => return None,
        _ => {}
    }
    match base {
        ".ssh" => return s("an SSH directory with private keys", true),
        ".aws" => return s("an AWS credentials directory", false),
        ".docker" => return s("a Docker config directory with registry credentials", false),
        ".kube" => return s("a Kubernetes config directory", false),
        ".gnupg" => return s("a GnuPG home with private keys", true),
        ".npmrc" => return s("an npm config that may hold registry tokens", false),
        ".pypirc" => return s("a PyPI config that may hold upload credentials", false),
        ".git-credentials" => return s("Git credentials", false),
        ".netrc" | "_netrc" => return s("a netrc file with passwords", false),
        ".pgpass" => return s("a PostgreSQL password file", false),
        ".htpasswd" => return s("an htpasswd file with password hashes", false),
        "kubeconfig" => return s("a Kubernetes kubeconfig", false),
        "credentials.json" => return s("a credentials file", false),
        "terraform.tfstate" | "terraform.tfstate.backup" => {
            return s("Terraform state, which holds secrets in clear", false);
        }
        ".env" => return s("an environment file", false),
        _ => {}
    }
    if let Some(suffix) = base.strip_prefix(".env.") {
        return match suffix {
            "example" | "sample" | "template" | "dist" | "defaults" | "schema" => None,
            _ => s("an environment file", false),
        };
    }
    if base.ends_with(".kubeconfig") {
        return s("a Kubernetes kubeconfig", false);
    }
    if base.ends_with(".json") && (base.contains("service-account") || base.contains("service_account")) {
        return s("a cloud service account key", true);
    }
    if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"].iter().any(|k| base.starts_with(k)) {
        return if base.ends_with(".pub") { None } else { s("an SSH private key", true) };
    }
    if base.ends_with(".pub") || stem_tokens.iter().any(|t| PUBLIC_TOKENS.contains(t)) || to_keyring {
        return None;
    }
    if base.starts_with("privkey") || base.ends_with(".key") {
        return s("a private key", true);
    }
    let ext = base.rsplit_once('.').map(|(_, e)| e);
    match ext {
        Some("pem") if !stem_tokens.iter().any(|t| CERT_TOKENS.contains(t) || t.contains("cert")) => {
            s("a PEM file that may hold a private key", true)
        }
        Some("p12" | "pfx") => s("a PKCS#12 key store", true),
        Some("jks" | "keystore") if !stem_tokens.iter().any(|t| t.contains("trust") || t.contains("cacert")) => {
            s("a Java key store", true)
        }
        _ => None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    for (i, instr) in cx.instructions() {
        let (Body::Copy(copy) | Body::Add(copy)) = &instr.body else { continue };
        if !cx.in_final_image(i) {
            continue;
        }
        let from_elsewhere = instr.flag("from").is_some();
        let dest = copy.dest.as_ref().map(|d| cx.expand(i, d).value).unwrap_or_default();
        for source in &copy.sources {
            let value = cx.expand(i, source);
            if !value.is_complete() || value.value.starts_with("<<") {
                continue;
            }
            let mut path = value.value.as_str();
            let lower = path.to_ascii_lowercase();
            if lower.starts_with("git@") || lower.contains(".git#") || lower.ends_with(".git") {
                continue;
            }
            if let Some((_, rest)) = path.split_once("://") {
                path = rest.split(['?', '#']).next().unwrap_or(rest);
            }
            let Some(found) = classify(path, &dest) else { continue };
            if from_elsewhere && !found.key {
                continue;
            }
            let kw = instr.keyword.as_str();
            let name = path.trim_end_matches('/');
            out.push(
                cx.finding(&INFO, source.span.clone(), format!("{kw} puts `{name}` into the image: {}", found.what))
                    .with_label("every layer ships with the image: a later `rm` does not remove it")
                    .with_help(if found.key {
                        "mount it only for the step that needs it (`RUN --mount=type=secret,id=…,target=…` or `--mount=type=ssh`) and list it in `.dockerignore`"
                    } else {
                        "mount it only for the step that needs it (`RUN --mount=type=secret,id=…,target=…`), give runtime settings to the container when it starts, and list the file in `.dockerignore`"
                    }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn classifies_paths() {
        for p in [
            ".env",
            "config/.env.production",
            "id_rsa",
            "keys/id_ed25519_deploy",
            "server.key",
            "privkey.pem",
            "key.pem",
            "tls.p12",
            "app.jks",
            ".npmrc",
            ".ssh",
            ".ssh/",
            "home/.aws/credentials",
            ".docker/config.json",
            "gcp-service-account.json",
            "terraform.tfstate",
            "prod.kubeconfig",
            ".kube/config",
            ".kube",
        ] {
            assert!(classify(p, "/app/").is_some(), "{p}");
        }
        for p in [
            ".env.example",
            "id_rsa.pub",
            "cert.pem",
            "ca-bundle.pem",
            "fullchain.pem",
            "rds-ca-2019-root.pem",
            "nginx_signing.key",
            "Release.key",
            "public.key",
            "truststore.jks",
            ".ssh/known_hosts",
            "app.py",
            "docker-compose.env.yml",
            "cacert.pem",
            "keys.txt",
        ] {
            assert!(classify(p, "/app/").is_none(), "{p}");
        }
        assert!(classify("repo.key", "/etc/apt/trusted.gpg.d/repo.asc").is_none());
    }
}
