//! Pulls an image from a registry (OCI distribution API): the manifest (choosing a platform
//! from an index), the configuration, and layer blobs streamed to the walker.
//!
//! A registry is hostile like any other input: manifests and configurations are read with a
//! size cap (rampart makes those requests itself, because `oci-client` reads whole bodies),
//! layer blobs stream through a bounded channel and are checked against both the size and the
//! digest the manifest declares, and every request has a timeout.

use std::io::{self, Read};
use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::OciDescriptor;
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, RegistryOperation};
use oci_spec::image::{ImageIndex, ImageManifest};

use crate::config::ImageConfig;
use crate::digest::{Digest, VerifyingReader};
use crate::source::{Blobs, LayerDesc, MAX_JSON_BYTES, Platform, Resolved, SourceKind, select_platform};
use crate::{Credentials, ImageError, RegistryOptions};

const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const INDEX_TYPES: &[&str] =
    &["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence while a body streams: a registry that stalls is given up on.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Whole-request deadline for the small requests (manifests, configuration, token).
const METADATA_TIMEOUT: Duration = Duration::from_secs(120);
/// Chunks (each at most a socket read) buffered between the network and a layer's walker.
const CHANNEL_DEPTH: usize = 16;
/// How much of an error response is read, for the message.
const MAX_ERROR_BODY: usize = 4096;
/// Nested indexes followed before giving up (an index of indexes is legal; a loop is not).
const MAX_INDEX_DEPTH: usize = 4;

/// Parses an image reference as `docker pull` does: `app` is `docker.io/library/app:latest`,
/// `localhost:5000/ns/app@sha256:…` names a digest.
pub fn parse_reference(text: &str) -> Result<Reference, String> {
    text.parse::<Reference>().map_err(|e| format!("`{text}` is not an image reference: {e}"))
}

/// Pulls the manifest and configuration of `text` from its registry; layers stream later,
/// through [`Resolved::blobs`]. Must not be called from inside an async runtime.
pub fn resolve(text: &str, platform: &Platform, options: &RegistryOptions) -> Result<Resolved, ImageError> {
    let fail = |message: String| ImageError { message: format!("{text}: {message}") };
    let (runtime, session) = connect(text, options)?;
    let session = Arc::new(session);
    let metadata = runtime.block_on(session.metadata(platform)).map_err(fail)?;
    Ok(Resolved {
        reference: text.to_string(),
        kind: SourceKind::Registry,
        manifest_digest: Some(metadata.manifest_digest),
        config_digest: Some(metadata.config_digest),
        config_bytes: metadata.config_bytes,
        config: metadata.config,
        layers: metadata.layers,
        tags: session.reference.tag().map(|tag| familiar_name(&session.reference, tag)).into_iter().collect(),
        blobs: Box::new(RegistryBlobs { runtime, session }),
    })
}

/// Credentials, CA certificates, a network runtime and a session for the repository `text`
/// names. Must not be called from inside an async runtime.
fn connect(text: &str, options: &RegistryOptions) -> Result<(tokio::runtime::Runtime, Session), ImageError> {
    let fail = |message: String| ImageError { message: format!("{text}: {message}") };
    let reference = parse_reference(text).map_err(ImageError::from)?;
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(fail("cannot reach a registry from inside an async runtime; call from a blocking thread".into()));
    }
    install_crypto_provider();
    let found = match &options.credentials {
        Some(c) => {
            crate::auth::Found { credentials: Some(c.clone()), source: "the given username and password".into() }
        }
        None => crate::auth::find(reference.registry(), options.auth_file.as_deref())
            .map_err(|e| fail(format!("reading credentials: {e}")))?,
    };
    let certs = load_ca_certs(options).map_err(fail)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rampart-registry")
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the network runtime: {e}")))?;
    let session = Session::new(text, reference, found, &certs, options.insecure).map_err(fail)?;
    Ok((runtime, session))
}

/// One repository opened for the attachments cosign and containers/image store beside an
/// image: manifests under derived tags (`sha256-<digest>.sig`) and their small blobs.
pub struct Attachments {
    runtime: tokio::runtime::Runtime,
    session: Session,
    /// The registry's tokens, fetched once per operation: a verification reads a manifest, a
    /// signature manifest and a blob per signature, each of which would otherwise ask for one.
    pull: tokio::sync::OnceCell<Option<String>>,
    push: tokio::sync::OnceCell<Option<String>>,
}

/// Opens the repository of `text` (`registry.example/app:1.0`, `…@sha256:…`) for attachments.
/// Must not be called from inside an async runtime.
pub fn attachments(text: &str, options: &RegistryOptions) -> Result<Attachments, ImageError> {
    let (runtime, session) = connect(text, options)?;
    let (pull, push) = Default::default();
    Ok(Attachments { runtime, session, pull, push })
}

impl std::fmt::Debug for Attachments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachments").field("repository", &self.repository()).finish()
    }
}

impl Attachments {
    fn fail(&self, message: String) -> ImageError {
        ImageError { message: format!("{}: {message}", self.session.text) }
    }

    /// The repository as cosign names it in a signature's identity: `registry/repository`,
    /// no tag (`localhost:5000/team/app`, `docker.io/library/debian`).
    pub fn repository(&self) -> String {
        format!("{}/{}", self.session.reference.registry(), self.session.reference.repository())
    }

    async fn token(&self, operation: RegistryOperation) -> Result<Option<String>, String> {
        let session = &self.session;
        let cell = if matches!(operation, RegistryOperation::Push) { &self.push } else { &self.pull };
        let token = cell
            .get_or_try_init(|| async {
                match tokio::time::timeout(
                    METADATA_TIMEOUT,
                    session.client.auth(&session.reference, &session.auth, operation),
                )
                .await
                {
                    Err(_) => Err(format!("{}: no answer within {} s", session.host(), METADATA_TIMEOUT.as_secs())),
                    Ok(Err(e)) => Err(session.describe_oci(&e)),
                    Ok(Ok(token)) => Ok(token),
                }
            })
            .await?;
        Ok(token.clone())
    }

    /// The digest of the manifest (or index) the reference names, as signatures name it: the
    /// tag's own target, not a platform's manifest inside an index.
    pub fn digest(&self) -> Result<String, ImageError> {
        let session = &self.session;
        let digest = self.runtime.block_on(async {
            let token = self.token(RegistryOperation::Pull).await?;
            match session.manifest_or_missing(&session.reference, token.as_deref()).await? {
                Some((_, digest)) => Ok(digest.to_string()),
                None => Err(format!("not found: {} has no manifest {}", session.host(), session.reference.whole())),
            }
        });
        digest.map_err(|e| self.fail(e))
    }

    /// The manifest stored under `tag` in this repository, `None` when there is none.
    pub fn manifest(&self, tag: &str) -> Result<Option<Vec<u8>>, ImageError> {
        let session = &self.session;
        let reference = self.tagged(tag);
        let found = self.runtime.block_on(async {
            let token = self.token(RegistryOperation::Pull).await?;
            session.manifest_or_missing(&reference, token.as_deref()).await
        });
        found.map(|m| m.map(|(bytes, _)| bytes)).map_err(|e| self.fail(e))
    }

    /// A blob of at most `max` bytes, checked against its digest.
    pub fn blob(&self, digest: &str, max: u64) -> Result<Vec<u8>, String> {
        let digest = Digest::parse(digest).map_err(|e| e.to_string())?;
        self.runtime.block_on(async {
            self.token(RegistryOperation::Pull).await?;
            self.session.small_blob("blob", &digest, max).await
        })
    }

    /// Pushes `blobs`, then `manifest` (an OCI image manifest) under `tag`.
    pub fn push(&self, tag: &str, manifest: &[u8], blobs: &[&[u8]]) -> Result<(), ImageError> {
        let session = &self.session;
        let reference = self.tagged(tag);
        let pushed = self.runtime.block_on(async {
            self.token(RegistryOperation::Push).await?;
            for blob in blobs {
                let digest = Digest::sha256_of(blob).to_string();
                let push = session.client.push_blob(&reference, blob.to_vec(), &digest);
                match tokio::time::timeout(METADATA_TIMEOUT, push).await {
                    Err(_) => {
                        return Err(format!(
                            "pushing blob {digest}: no answer within {} s",
                            METADATA_TIMEOUT.as_secs()
                        ));
                    }
                    Ok(Err(e)) => return Err(format!("pushing blob {digest}: {}", session.describe_oci(&e))),
                    Ok(Ok(_)) => {}
                }
            }
            let content_type = reqwest::header::HeaderValue::from_static("application/vnd.oci.image.manifest.v1+json");
            let push = session.client.push_manifest_raw(&reference, manifest.to_vec(), content_type);
            match tokio::time::timeout(METADATA_TIMEOUT, push).await {
                Err(_) => Err(format!("pushing {tag}: no answer within {} s", METADATA_TIMEOUT.as_secs())),
                Ok(Err(e)) => Err(format!("pushing {tag}: {}", session.describe_oci(&e))),
                Ok(Ok(_)) => Ok(()),
            }
        });
        pushed.map_err(|e| self.fail(e))
    }

    fn tagged(&self, tag: &str) -> Reference {
        let reference = &self.session.reference;
        Reference::with_tag(reference.registry().to_owned(), reference.repository().to_owned(), tag.to_owned())
    }
}

/// The cosign signatures stored beside `text` in its registry (`sha256-<digest>.sig`), each
/// judged against `keys`; with the repository as signatures name it. What `rampart verify`
/// prints and the admission gate decides on.
pub fn verify_signatures(
    text: &str,
    options: &RegistryOptions,
    keys: &[rampart_sign::VerifyingKey],
) -> Result<(String, rampart_sign::Report), ImageError> {
    let registry = attachments(text, options)?;
    let digest = registry.digest()?;
    let signatures = registry.manifest(&rampart_sign::signature_tag(&digest))?;
    let blob = |d: &str| registry.blob(d, rampart_sign::MAX_PAYLOAD);
    Ok((registry.repository(), rampart_sign::verify(&digest, signatures.as_deref(), &blob, keys)))
}

/// `name:tag` as `docker images` spells it (`debian:12`, `registry.example/app:1.2`), like the
/// `RepoTags` of a `docker save` archive.
fn familiar_name(reference: &Reference, tag: &str) -> String {
    let repository = reference.repository();
    if reference.registry() == "docker.io" {
        let short = repository.strip_prefix("library/").unwrap_or(repository);
        format!("{short}:{tag}")
    } else {
        format!("{}/{repository}:{tag}", reference.registry())
    }
}

impl From<String> for ImageError {
    fn from(message: String) -> Self {
        ImageError { message }
    }
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err means another provider is already installed, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Reads each PEM file and checks it holds at least one certificate that parses.
fn load_ca_certs(options: &RegistryOptions) -> Result<Vec<Vec<u8>>, String> {
    const MAX_PEM: u64 = 4 << 20;
    let mut certs = Vec::new();
    for path in &options.ca_certs {
        let fail = |m: String| format!("CA certificate {}: {m}", path.display());
        let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
        let mut pem = Vec::new();
        file.take(MAX_PEM + 1).read_to_end(&mut pem).map_err(|e| fail(e.to_string()))?;
        if pem.len() as u64 > MAX_PEM {
            return Err(fail(format!("larger than {MAX_PEM} bytes")));
        }
        let parsed = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(format!("not PEM: {e}")))?;
        if parsed.is_empty() {
            return Err(fail("holds no PEM certificate".into()));
        }
        certs.extend(split_pem(&pem));
    }
    Ok(certs)
}

/// Splits a PEM bundle into one block per certificate (oci-client takes them one by one).
fn split_pem(pem: &[u8]) -> Vec<Vec<u8>> {
    const END: &str = "-----END CERTIFICATE-----";
    let text = String::from_utf8_lossy(pem);
    let mut blocks = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let Some(end) = rest[start..].find(END) else { break };
        let stop = start + end + END.len();
        blocks.push(format!("{}\n", &rest[start..stop]).into_bytes());
        rest = &rest[stop..];
    }
    blocks
}

/// One registry, one repository: the clients and what they authenticate with.
struct Session {
    /// What the user typed, for messages.
    text: String,
    reference: Reference,
    client: oci_client::Client,
    http: reqwest::Client,
    auth: RegistryAuth,
    /// Where the credentials came from (or where they were looked for).
    credentials_source: String,
    scheme: &'static str,
    insecure: bool,
}

/// A manifest, or the registry's 404 explained.
enum Fetched {
    Found(Vec<u8>, Digest),
    Missing(String),
}

struct Metadata {
    manifest_digest: Digest,
    config_digest: Digest,
    config_bytes: Vec<u8>,
    config: ImageConfig,
    layers: Vec<LayerDesc>,
}

impl Session {
    fn new(
        text: &str,
        reference: Reference,
        found: crate::auth::Found,
        certs: &[Vec<u8>],
        insecure: bool,
    ) -> Result<Session, String> {
        let host = reference.resolve_registry().to_string();
        let protocol = if insecure { ClientProtocol::HttpsExcept(vec![host.clone()]) } else { ClientProtocol::Https };
        let config = ClientConfig {
            protocol,
            extra_root_certificates: certs
                .iter()
                .map(|pem| Certificate { encoding: CertificateEncoding::Pem, data: pem.clone() })
                .collect(),
            platform_resolver: None,
            read_timeout: Some(READ_TIMEOUT),
            connect_timeout: Some(CONNECT_TIMEOUT),
            user_agent: concat!("rampart/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        // `Client::new` would fall back to a default client on a bad configuration.
        let client = oci_client::Client::try_from(config).map_err(|e| format!("registry client: {e}"))?;
        let mut roots = Vec::new();
        for pem in certs {
            roots.push(reqwest::Certificate::from_pem(pem).map_err(|e| format!("CA certificate: {e}"))?);
        }
        let http = reqwest::Client::builder()
            .tls_certs_merge(roots)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .timeout(METADATA_TIMEOUT)
            .user_agent(concat!("rampart/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("registry client: {e}"))?;
        let auth = match found.credentials {
            Some(Credentials { username, password }) => RegistryAuth::Basic(username, password),
            None => RegistryAuth::Anonymous,
        };
        Ok(Session {
            text: text.to_string(),
            reference,
            client,
            http,
            auth,
            credentials_source: found.source,
            scheme: if insecure { "http" } else { "https" },
            insecure,
        })
    }

    fn host(&self) -> &str {
        self.reference.resolve_registry()
    }

    async fn metadata(&self, platform: &Platform) -> Result<Metadata, String> {
        let token = match tokio::time::timeout(
            METADATA_TIMEOUT,
            self.client.auth(&self.reference, &self.auth, RegistryOperation::Pull),
        )
        .await
        {
            Err(_) => return Err(format!("{}: no answer within {} s", self.host(), METADATA_TIMEOUT.as_secs())),
            Ok(Err(e)) => return Err(self.describe_oci(&e)),
            Ok(Ok(token)) => token,
        };
        let mut current = self.reference.clone();
        let mut followed = 0;
        let (manifest_digest, manifest) = loop {
            let (bytes, digest) = self.manifest(&current, token.as_deref()).await?;
            let probe: Probe = parse_json("manifest", &bytes)?;
            if probe.schema_version == Some(1) {
                return Err(
                    "Docker schema 1 manifests are not supported (push the image again with a current tool)".into()
                );
            }
            let is_index = match &probe.media_type {
                Some(t) => INDEX_TYPES.contains(&t.as_str()),
                None => probe.manifests.is_some(),
            };
            if !is_index {
                break (digest, parse_json::<ImageManifest>("image manifest", &bytes)?);
            }
            followed += 1;
            if followed > MAX_INDEX_DEPTH {
                return Err(format!("more than {MAX_INDEX_DEPTH} nested image indexes"));
            }
            let index: ImageIndex = parse_json("image index", &bytes)?;
            let chosen = select_platform(index.manifests(), platform).map_err(|e| e.to_string())?;
            let chosen =
                Digest::parse(chosen.digest().as_ref()).map_err(|e| format!("index entry for {platform}: {e}"))?;
            current = self.reference.clone_with_digest(chosen.to_string());
        };
        let config_desc = manifest.config();
        let config_digest =
            Digest::parse(config_desc.digest().as_ref()).map_err(|e| format!("manifest config: {e}"))?;
        if config_desc.size() > MAX_JSON_BYTES {
            return Err(format!(
                "the image config is {} bytes; configurations over {MAX_JSON_BYTES} bytes are refused",
                config_desc.size()
            ));
        }
        let config_bytes = self.small_blob("config blob", &config_digest, config_desc.size()).await?;
        let config: ImageConfig = parse_json("image config", &config_bytes)?;
        let layers = crate::source::layer_descs(&manifest, &config)?;
        Ok(Metadata { manifest_digest, config_digest, config_bytes, config, layers })
    }

    /// GETs a manifest, reading at most [`MAX_JSON_BYTES`], and checks its digest against the
    /// reference (when it names one) and the registry's `Docker-Content-Digest` header.
    async fn manifest(&self, reference: &Reference, token: Option<&str>) -> Result<(Vec<u8>, Digest), String> {
        match self.fetch_manifest(reference, token).await? {
            Fetched::Found(bytes, digest) => Ok((bytes, digest)),
            Fetched::Missing(message) => Err(message),
        }
    }

    /// [`Session::manifest`], with `None` for a manifest the registry does not have (404).
    async fn manifest_or_missing(
        &self,
        reference: &Reference,
        token: Option<&str>,
    ) -> Result<Option<(Vec<u8>, Digest)>, String> {
        match self.fetch_manifest(reference, token).await? {
            Fetched::Found(bytes, digest) => Ok(Some((bytes, digest))),
            Fetched::Missing(_) => Ok(None),
        }
    }

    async fn fetch_manifest(&self, reference: &Reference, token: Option<&str>) -> Result<Fetched, String> {
        let target = reference.digest().or(reference.tag()).unwrap_or("latest");
        let url = format!("{}://{}/v2/{}/manifests/{target}", self.scheme, self.host(), reference.repository());
        let mut request = self.http.get(&url).header(reqwest::header::ACCEPT, MANIFEST_TYPES.join(", "));
        request = match (token, &self.auth) {
            (Some(token), _) => request.bearer_auth(token),
            (None, RegistryAuth::Basic(user, password)) => request.basic_auth(user, Some(password)),
            (None, _) => request,
        };
        let what = || format!("manifest {}", reference.whole());
        let mut response = request.send().await.map_err(|e| self.describe_transport(&e))?;
        let status = response.status();
        if !status.is_success() {
            let body = read_capped(&mut response, MAX_ERROR_BODY as u64, true).await.unwrap_or_default();
            let message = self.describe_status(status.as_u16(), &what(), &body);
            return if status.as_u16() == 404 { Ok(Fetched::Missing(message)) } else { Err(message) };
        }
        if let Some(length) = response.content_length()
            && length > MAX_JSON_BYTES
        {
            return Err(format!("{} is {length} bytes; manifests over {MAX_JSON_BYTES} bytes are refused", what()));
        }
        let header = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v.trim()).ok());
        let body = read_capped(&mut response, MAX_JSON_BYTES, false)
            .await
            .map_err(|e| format!("{}: {}", what(), self.describe_io(e)))?;
        let computed = Digest::sha256_of(&body);
        let mut digest = computed.clone();
        for (expected, from) in
            [(reference.digest().and_then(|d| Digest::parse(d).ok()), "the reference"), (header, "the registry")]
        {
            let Some(expected) = expected else { continue };
            VerifyingReader::new(&body[..], expected.clone()).finish().map_err(|e| {
                format!("{}: {e} (digest from {from}); the registry served corrupt or substituted content", what())
            })?;
            if expected.algorithm() != computed.algorithm() {
                digest = expected;
            }
        }
        Ok(Fetched::Found(body, digest))
    }

    /// A small blob (the configuration, a signature payload), capped and verified.
    async fn small_blob(&self, kind: &str, digest: &Digest, size: u64) -> Result<Vec<u8>, String> {
        let what = format!("{kind} {}", digest.short());
        let mut stream = self.blob_stream(digest, Some(size)).await.map_err(|e| format!("{what}: {e}"))?;
        let mut bytes = Vec::new();
        let read = async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| self.describe_io(e))?;
                if (bytes.len() + chunk.len()) as u64 > size.min(MAX_JSON_BYTES) {
                    return Err(format!("the registry sent more than the {size} bytes the manifest declares"));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(())
        };
        match tokio::time::timeout(METADATA_TIMEOUT, read).await {
            Err(_) => return Err(format!("{what}: not received within {} s", METADATA_TIMEOUT.as_secs())),
            Ok(result) => result.map_err(|e| format!("{what}: {e}"))?,
        }
        VerifyingReader::new(&bytes[..], digest.clone()).finish().map_err(|e| format!("{what}: {e}"))?;
        Ok(bytes)
    }

    /// Starts streaming a blob; errors here are the registry's answer (unauthorized, unknown).
    async fn blob_stream(&self, digest: &Digest, size: Option<u64>) -> io::Result<oci_client::client::SizedStream> {
        let descriptor = OciDescriptor {
            digest: digest.to_string(),
            size: size.and_then(|s| i64::try_from(s).ok()).unwrap_or(-1),
            ..OciDescriptor::default()
        };
        let start = self.client.pull_blob_stream(&self.reference, &descriptor);
        match tokio::time::timeout(METADATA_TIMEOUT, start).await {
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{}: no answer within {} s", self.host(), METADATA_TIMEOUT.as_secs()),
            )),
            Ok(Err(e)) => Err(io::Error::other(self.describe_oci(&e))),
            Ok(Ok(stream)) => {
                if let (Some(expected), Some(sent)) = (size, stream.content_length)
                    && sent > expected
                {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the registry announces {sent} bytes, the manifest declares {expected}"),
                    ));
                }
                Ok(stream)
            }
        }
    }

    fn unauthorized(&self, what: &str) -> String {
        format!(
            "unauthorized: {} refused access to {what} with {}; log in (docker login {}) or pass credentials",
            self.host(),
            self.credentials_source,
            self.reference.registry()
        )
    }

    fn describe_status(&self, status: u16, what: &str, body: &[u8]) -> String {
        let detail = registry_message(body);
        match status {
            401 | 403 => self.unauthorized(what),
            404 => format!("not found: {} has no {what}{detail}", self.host()),
            400 if body.windows(5).any(|w| w == b"HTTPS") && self.insecure => format!(
                "{} answers with TLS; drop --insecure (and pass --ca-cert FILE if its CA is private)",
                self.host()
            ),
            _ => format!("{} answered HTTP {status} for {what}{detail}", self.host()),
        }
    }

    fn describe_oci(&self, error: &OciDistributionError) -> String {
        match error {
            OciDistributionError::UnauthorizedError { .. } | OciDistributionError::AuthenticationFailure(_) => {
                self.unauthorized(&self.text)
            }
            OciDistributionError::RegistryError { envelope, .. } => {
                let codes: Vec<String> = envelope.errors.iter().map(|e| format!("{:?}", e.code)).collect();
                let text = codes.join(" ").to_ascii_uppercase();
                if text.contains("UNAUTHORIZED") || text.contains("DENIED") {
                    self.unauthorized(&self.text)
                } else if text.contains("UNKNOWN") {
                    format!("not found: {} has no such blob in {} ({error})", self.host(), self.reference.repository())
                } else {
                    format!("{}: {error}", self.host())
                }
            }
            OciDistributionError::ServerError { code, message, .. } => {
                self.describe_status(*code, "the blob", message.as_bytes())
            }
            OciDistributionError::RequestError(e) => self.describe_transport(e),
            other => format!("{}: {}", self.host(), error_chain(other)),
        }
    }

    fn describe_transport(&self, error: &(dyn std::error::Error + 'static)) -> String {
        let chain = error_chain(error);
        let lower = chain.to_ascii_lowercase();
        let host = self.host();
        if lower.contains("certificate") || lower.contains("unknownissuer") {
            format!(
                "TLS failure talking to {host}: {chain}; if the registry's certificate is signed by a private CA, pass it with --ca-cert FILE"
            )
        } else if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
            format!("{host} does not speak TLS: {chain}; if it is a plain-HTTP registry on loopback, use --insecure")
        } else if lower.contains("timed out") || lower.contains("timeout") {
            format!("{host}: timed out: {chain}")
        } else {
            format!("cannot reach {host}: {chain}")
        }
    }

    fn describe_io(&self, error: io::Error) -> String {
        match error.get_ref() {
            Some(inner) => {
                let chain = error_chain(inner);
                if chain.to_ascii_lowercase().contains("digest") {
                    format!("content does not match its digest: {chain}")
                } else {
                    self.describe_transport(inner)
                }
            }
            None => error.to_string(),
        }
    }
}

/// `: MESSAGE` from an OCI error envelope (`{"errors":[{"code":…,"message":…}]}`), or a short
/// printable excerpt of whatever else the registry sent.
fn registry_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Envelope {
        errors: Vec<EnvelopeError>,
    }
    #[derive(serde::Deserialize)]
    struct EnvelopeError {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(envelope) = serde_json::from_slice::<Envelope>(body) {
        let parts: Vec<String> =
            envelope.errors.iter().take(4).map(|e| format!("{} {}", e.code, e.message).trim().to_string()).collect();
        if !parts.is_empty() {
            return format!(" ({})", parts.join("; "));
        }
    }
    let text: String = String::from_utf8_lossy(body).chars().filter(|c| !c.is_control()).take(200).collect::<String>();
    if text.trim().is_empty() { String::new() } else { format!(" ({})", text.trim()) }
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
        if parts.len() > 8 {
            break;
        }
    }
    parts.join(": ")
}

/// Reads a response body up to `cap` bytes; more is an error unless `truncate`.
async fn read_capped(response: &mut reqwest::Response, cap: u64, truncate: bool) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(io::Error::other)? {
        if (body.len() + chunk.len()) as u64 > cap {
            if truncate {
                let room = cap as usize - body.len();
                body.extend_from_slice(&chunk[..room]);
                return Ok(body);
            }
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("body larger than {cap} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default, rename = "schemaVersion")]
    schema_version: Option<u64>,
    #[serde(default, rename = "mediaType")]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<serde::de::IgnoredAny>,
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes)
        .map_err(|e| format!("{what}: invalid JSON at line {}, column {}: {e}", e.line(), e.column()))
}

/// Layer blobs from the registry. Owns the runtime the downloads run on.
struct RegistryBlobs {
    runtime: tokio::runtime::Runtime,
    session: Arc<Session>,
}

impl std::fmt::Debug for RegistryBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryBlobs").field("reference", &self.session.reference.whole()).finish()
    }
}

impl Blobs for RegistryBlobs {
    fn open_layer(&self, index: usize, layer: &LayerDesc) -> io::Result<Box<dyn Read + Send + '_>> {
        let digest = layer
            .digest
            .clone()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("layer {index} has no digest")))?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(io::Error::other("cannot read a registry blob from inside an async runtime"));
        }
        let mut stream = self.runtime.block_on(self.session.blob_stream(&digest, layer.size))?;
        let (sender, receiver) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(CHANNEL_DEPTH);
        self.runtime.spawn(async move {
            while let Some(item) = stream.next().await {
                let failed = item.is_err();
                // The walker dropped its reader (it stopped early): stop downloading.
                if sender.send(item).await.is_err() || failed {
                    return;
                }
            }
        });
        let reader = ChannelReader { receiver, chunk: Bytes::new(), received: 0, declared: layer.size };
        Ok(Box::new(VerifyingReader::new(reader, digest)))
    }
}

/// The synchronous end of a layer download: blocks on the bounded channel, and refuses more
/// (or fewer) bytes than the manifest declared.
struct ChannelReader {
    receiver: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
    received: u64,
    declared: Option<u64>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.chunk.is_empty() {
            match self.receiver.blocking_recv() {
                None => {
                    return match self.declared {
                        Some(declared) if self.received < declared => Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!(
                                "the registry sent {} of the {declared} bytes the manifest declares",
                                self.received
                            ),
                        )),
                        _ => Ok(0),
                    };
                }
                Some(Err(e)) => {
                    // oci-client checks the digest too, and may be first to notice.
                    let text = error_chain(&e);
                    if text.to_ascii_lowercase().contains("digest") {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("content does not match its digest: {text}"),
                        ));
                    }
                    return Err(io::Error::new(e.kind(), text));
                }
                Some(Ok(chunk)) => {
                    self.received += chunk.len() as u64;
                    if let Some(declared) = self.declared
                        && self.received > declared
                    {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("the registry sent more than the {declared} bytes the manifest declares"),
                        ));
                    }
                    self.chunk = chunk;
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_default_like_docker() {
        let r = parse_reference("app").unwrap();
        assert_eq!((r.registry(), r.repository(), r.tag()), ("docker.io", "library/app", Some("latest")));
        let r = parse_reference("registry.example/app:1.2").unwrap();
        assert_eq!((r.registry(), r.repository(), r.tag()), ("registry.example", "app", Some("1.2")));
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = parse_reference(&format!("localhost:5000/ns/app@{digest}")).unwrap();
        assert_eq!((r.registry(), r.repository(), r.digest()), ("localhost:5000", "ns/app", Some(digest.as_str())));
        assert!(parse_reference("Upper/Case").is_err());
        assert_eq!(familiar_name(&parse_reference("debian:12").unwrap(), "12"), "debian:12");
        assert_eq!(familiar_name(&parse_reference("bitnami/redis:7").unwrap(), "7"), "bitnami/redis:7");
        assert_eq!(familiar_name(&parse_reference("r.example/a/b:1").unwrap(), "1"), "r.example/a/b:1");
        assert!(parse_reference("a@sha256:short").is_err());
    }

    #[test]
    fn pem_bundles_split_per_certificate() {
        let pem = b"junk\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\
            -----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nCC";
        let blocks = split_pem(pem);
        assert_eq!(blocks.len(), 2);
        assert!(String::from_utf8_lossy(&blocks[1]).contains("BBBB"));
    }

    #[test]
    fn error_bodies_become_short_messages() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#;
        assert_eq!(registry_message(body), " (MANIFEST_UNKNOWN manifest unknown)");
        assert_eq!(registry_message(b""), "");
        assert_eq!(registry_message(&[b'x'; 1000]).len(), 203);
    }

    #[test]
    fn channel_reader_refuses_more_or_fewer_bytes_than_declared() {
        let read_all = |chunks: Vec<&'static [u8]>, declared| {
            let (sender, receiver) = tokio::sync::mpsc::channel(CHANNEL_DEPTH);
            for c in chunks {
                sender.try_send(Ok(Bytes::from_static(c))).unwrap();
            }
            drop(sender);
            let mut out = Vec::new();
            ChannelReader { receiver, chunk: Bytes::new(), received: 0, declared }.read_to_end(&mut out).map(|_| out)
        };
        assert_eq!(read_all(vec![b"ab", b"", b"cd"], Some(4)).unwrap(), b"abcd");
        assert!(read_all(vec![b"ab", b"cde"], Some(4)).unwrap_err().to_string().contains("more than the 4 bytes"));
        assert!(read_all(vec![b"ab"], Some(4)).unwrap_err().to_string().contains("sent 2 of the 4 bytes"));
        assert_eq!(read_all(vec![b"ab"], None).unwrap(), b"ab");
    }
}
