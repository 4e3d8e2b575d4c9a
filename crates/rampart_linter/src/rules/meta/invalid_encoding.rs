declare_rule! {
    /// A file is not valid UTF-8.
    ///
    /// ## What it does
    /// Reports the position of the first byte that is not UTF-8 in a file that was recognised
    /// (by name) as something rampart checks.
    ///
    /// ## Why
    /// BuildKit and Kubernetes read UTF-8. A file in another encoding builds differently from
    /// how it reads, or not at all.
    ///
    /// ## Fix safety
    /// No automatic fix: re-encode the file.
    pub struct InvalidEncoding {
        code: "RP007",
        name: "invalid-encoding",
        severity: Error,
        tags: ["input"],
        equivalents: [],
        fix: None,
    }
}
