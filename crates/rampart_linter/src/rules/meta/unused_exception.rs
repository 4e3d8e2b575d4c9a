declare_rule! {
    /// A configured exception hides nothing.
    ///
    /// ## What it does
    /// Reports an `[[exceptions]]` entry of `rampart.toml` that matched no finding in this run,
    /// when every file it could apply to was checked.
    ///
    /// ## Why
    /// Exceptions outlive the problems they were written for. One that hides nothing is either
    /// stale (the problem was fixed: delete it) or wrong (its `rules` or `paths` do not say
    /// what was meant, so the finding it was meant to hide is still reported — or a future one
    /// will be hidden by surprise).
    ///
    /// ## Example
    /// ```toml
    /// [[exceptions]]
    /// rules = ["DF001"]
    /// paths = ["legacy/Dockerfile"]   # that file now has a USER instruction
    /// reason = "legacy image"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: deleting configuration is left to its owner.
    pub struct UnusedException {
        code: "RP002",
        name: "unused-exception",
        severity: Warning,
        tags: ["configuration", "suppression"],
        equivalents: [],
        fix: None,
    }
}
