declare_rule! {
    /// An inline `rampart:ignore` comment suppresses nothing.
    ///
    /// ## What it does
    /// Reports a code or name in a `# rampart:ignore` or `# rampart:ignore-file` comment that
    /// matched no finding (while its rule was enabled), or that names no rule at all.
    ///
    /// ## Why
    /// A suppression that no longer applies is noise at best, and at worst sits waiting to hide
    /// a new problem on that line. One naming no rule is a typo that suppresses nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// # rampart:ignore DF003 needs sudo for the setup script
    /// RUN ./setup.sh   # no sudo here any more: the comment is stale
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub struct UnusedSuppression {
        code: "RP004",
        name: "unused-suppression",
        severity: Warning,
        tags: ["suppression"],
        equivalents: [],
        fix: None,
    }
}
