declare_rule! {
    /// An inline `rampart:ignore` comment gives no reason.
    ///
    /// ## What it does
    /// Reports `# rampart:ignore CODE` with nothing after the codes. The suppression still
    /// applies.
    ///
    /// ## Why
    /// A security finding hidden without a reason cannot be reviewed: the next reader does not
    /// know whether it was accepted on purpose or silenced to make CI pass.
    ///
    /// ## Example
    /// ```dockerfile
    /// # rampart:ignore DF001 this image only runs as an init container that must chown volumes
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only a human knows the reason.
    pub struct SuppressionWithoutReason {
        code: "RP005",
        name: "suppression-without-reason",
        severity: Warning,
        tags: ["suppression"],
        equivalents: [],
        fix: None,
    }
}
