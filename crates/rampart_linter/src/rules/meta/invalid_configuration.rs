declare_rule! {
    /// `rampart.toml` has a value rampart cannot use.
    ///
    /// ## What it does
    /// Reports an unknown key, a level that is not `off`/`note`/`warning`/`error`, a rule
    /// code, name or tag that does not exist, an exception without a `reason`, an `expires`
    /// that is not a date — at the line where it is written. rampart then stops with exit
    /// status 2: checking with a configuration that does not say what its author meant could
    /// let a CI gate pass that should fail.
    ///
    /// ## Example
    /// ```toml
    /// [rules]
    /// DF001 = "loud"   # not a level
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix.
    ///
    /// ## References
    /// - `rampart init` writes a commented template.
    pub struct InvalidConfiguration {
        code: "RP001",
        name: "invalid-configuration",
        severity: Error,
        tags: ["configuration"],
        equivalents: [],
        fix: None,
    }
}
