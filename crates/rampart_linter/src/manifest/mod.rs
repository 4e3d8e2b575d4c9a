//! What rules about runtime posture see: a manifest's documents, its Kubernetes objects, and
//! its workloads read into the posture model.

use std::sync::Arc;

use rampart_diagnostics::{Finding, RuleInfo, SourceFile, Span};
use rampart_posture::Workload;
use rampart_yaml::{Document, Node};

use crate::{FileKind, RuleOptions};

/// Everything a posture or manifest rule can look at.
#[derive(Debug)]
pub struct ManifestContext<'a> {
    pub file: &'a Arc<SourceFile>,
    pub kind: FileKind,
    pub documents: &'a [Document],
    /// Kubernetes objects (`apiVersion` + `kind`), `List` items unwrapped (empty for Compose
    /// files and OCI runtime configs).
    pub objects: Vec<&'a Node>,
    /// Workloads in the posture model: Kubernetes workloads, Compose services, the OCI
    /// bundle's process.
    pub workloads: Vec<Workload>,
    pub options: &'a RuleOptions,
}

impl<'a> ManifestContext<'a> {
    pub fn new(file: &'a Arc<SourceFile>, kind: FileKind, documents: &'a [Document], options: &'a RuleOptions) -> Self {
        let mut objects = Vec::new();
        let mut workloads = Vec::new();
        for doc in documents {
            match kind {
                FileKind::Kubernetes => {
                    for obj in rampart_posture::kubernetes::objects(&doc.root) {
                        if rampart_posture::kubernetes::is_object(obj) {
                            objects.push(obj);
                            workloads.extend(rampart_posture::kubernetes::workload(obj));
                        }
                    }
                }
                FileKind::Compose => workloads.extend(rampart_posture::compose::workloads(&doc.root)),
                FileKind::OciRuntime => workloads.extend(rampart_posture::oci::workload(&doc.root)),
                FileKind::Dockerfile => {}
            }
        }
        ManifestContext { file, kind, documents, objects, workloads, options }
    }

    /// Starts a finding of `rule` at `span` in this file.
    pub fn finding(
        &self,
        rule: &'static RuleInfo,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(rule, Arc::clone(self.file), Span::new(span.start, span.end), message)
    }

    /// Kubernetes objects of one kind.
    pub fn objects_of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'a Node> + 's {
        self.objects.iter().copied().filter(move |o| o.get_str("kind") == Some(kind))
    }
}

/// The workloads of one Compose or OCI document (Kubernetes workloads come with their
/// objects, from [`ManifestContext::new`]).
pub fn workloads_of(kind: FileKind, root: &Node) -> Vec<Workload> {
    match kind {
        FileKind::Compose => rampart_posture::compose::workloads(root),
        FileKind::OciRuntime => rampart_posture::oci::workload(root).into_iter().collect(),
        FileKind::Kubernetes => rampart_posture::kubernetes::workloads(root),
        FileKind::Dockerfile => Vec::new(),
    }
}

/// One manifest file of a project.
#[derive(Debug)]
pub struct ProjectFile<'a> {
    pub file: &'a Arc<SourceFile>,
    pub documents: &'a [Document],
    /// Kubernetes objects (`List` items unwrapped).
    pub objects: Vec<&'a Node>,
    pub workloads: Vec<Workload>,
}

/// Every manifest given together, for checks across files: a namespace's NetworkPolicies,
/// Services and workloads are usually in different files.
#[derive(Debug)]
pub struct ProjectContext<'a> {
    pub files: Vec<ProjectFile<'a>>,
    pub options: &'a RuleOptions,
}

impl<'a> ProjectContext<'a> {
    pub fn new(files: &'a [(Arc<SourceFile>, Vec<Document>)], options: &'a RuleOptions) -> Self {
        let files = files
            .iter()
            .map(|(file, documents)| {
                let cx = ManifestContext::new(file, FileKind::Kubernetes, documents, options);
                ProjectFile { file, documents, objects: cx.objects, workloads: cx.workloads }
            })
            .collect();
        ProjectContext { files, options }
    }

    /// Every Kubernetes object, with its file.
    pub fn objects(&self) -> impl Iterator<Item = (&ProjectFile<'a>, &'a Node)> + '_ {
        self.files.iter().flat_map(|f| f.objects.iter().map(move |o| (f, *o)))
    }

    /// Every workload, with its file.
    pub fn workloads(&self) -> impl Iterator<Item = (&ProjectFile<'a>, &Workload)> + '_ {
        self.files.iter().flat_map(|f| f.workloads.iter().map(move |w| (f, w)))
    }

    /// Starts a finding of `rule` at `span` in `file`.
    pub fn finding(
        &self,
        rule: &'static RuleInfo,
        file: &ProjectFile<'_>,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(rule, Arc::clone(file.file), Span::new(span.start, span.end), message)
    }
}

/// `container `app` of Deployment `web``, `service `web``, `the OCI bundle's process`.
pub fn container_label(w: &rampart_posture::Workload, c: &rampart_posture::ContainerPosture) -> String {
    use rampart_posture::{ContainerRole, Format};
    match w.format {
        Format::Kubernetes => {
            let role = match c.role {
                ContainerRole::Init => "init container",
                ContainerRole::Ephemeral => "ephemeral container",
                _ => "container",
            };
            format!("{role} `{}` of {} `{}`", c.name, w.kind, w.name)
        }
        Format::Compose => format!("service `{}`", c.name),
        Format::Oci => "the process".to_string(),
    }
}

/// Where a setting is written, or `fallback` (the container or workload it is missing from).
pub fn span_of<T>(setting: &rampart_posture::Setting<T>, fallback: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    setting.span().unwrap_or_else(|| fallback.clone())
}

/// Words for the workload's own format: the setting's name or the advice in a message
/// (`per_format(w, "hostNetwork: true", "network_mode: host", "no network namespace")`).
pub fn per_format<'s>(w: &rampart_posture::Workload, kubernetes: &'s str, compose: &'s str, oci: &'s str) -> &'s str {
    match w.format {
        rampart_posture::Format::Kubernetes => kubernetes,
        rampart_posture::Format::Compose => compose,
        rampart_posture::Format::Oci => oci,
    }
}

impl ManifestContext<'_> {
    /// What is known about the image a container runs (see [`crate::facts`]).
    pub fn image_facts(&self, c: &rampart_posture::ContainerPosture) -> Option<&crate::facts::ImageFacts> {
        let images = &self.options.images;
        if let Some((context, dockerfile)) = &c.build {
            let dir = match dockerfile {
                Some(d) => std::path::Path::new(context).join(d).parent().map(|p| p.to_string_lossy().into_owned()),
                None => Some(context.clone()),
            };
            if let Some(f) = dir.and_then(|d| images.for_build_context(self.file.name(), &d)) {
                return Some(f);
            }
        }
        c.image.as_ref().and_then(|i| images.for_image(&i.value))
    }
}
