declare_rule! {
    /// A file is too large to check.
    ///
    /// ## What it does
    /// Reports a recognised file larger than 8 MiB instead of parsing it.
    ///
    /// ## Why
    /// Real Dockerfiles and manifests are kilobytes. A file this size is generated, or hostile;
    /// refusing it keeps rampart's memory bounded and says so instead of silently skipping it.
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub struct InputTooLarge {
        code: "RP006",
        name: "input-too-large",
        severity: Error,
        tags: ["input"],
        equivalents: [],
        fix: None,
    }
}
