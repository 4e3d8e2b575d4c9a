declare_rule! {
    /// A configured exception has expired and no longer hides findings.
    ///
    /// ## What it does
    /// Reports an `[[exceptions]]` entry whose `expires` date has passed. The findings it used
    /// to hide are reported again, and this finding says why they came back and who owns the
    /// exception.
    ///
    /// ## Why
    /// Time-boxed exceptions make risk acceptance explicit. When the date passes, the risk is
    /// no longer accepted: either fix the findings or renew the exception with a new date and
    /// a reason.
    ///
    /// ## Example
    /// ```toml
    /// [[exceptions]]
    /// rules = ["DF001"]
    /// reason = "migrating to a non-root user"
    /// expires = 2026-01-31
    /// owner = "platform-team"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    pub struct ExpiredException {
        code: "RP003",
        name: "expired-exception",
        severity: Warning,
        tags: ["configuration", "suppression"],
        equivalents: [],
        fix: None,
    }
}
