declare_rule! {
    /// A YAML or JSON document cannot be read.
    ///
    /// ## What it does
    /// Reports a document of a manifest (Kubernetes, Compose, OCI `config.json`) that is not
    /// valid YAML or JSON, at the position the parser stopped, with its message. Each
    /// document of a multi-document file is read on its own, so the other documents are still
    /// checked. A document whose aliases would expand beyond a bounded number of nodes (an
    /// "alias bomb") is reported here too, instead of being expanded.
    ///
    /// ## Why
    /// `kubectl apply` and `docker compose` reject the file; a security check that silently
    /// skipped it would pass a manifest nobody looked at.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers: [{name: app, image: nginx:1.27}   # the list is never closed
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intent of a malformed document cannot be known.
    pub struct ManifestSyntaxError {
        code: "KS000",
        name: "manifest-syntax-error",
        severity: Error,
        tags: ["syntax"],
        equivalents: [],
        fix: None,
    }
}
