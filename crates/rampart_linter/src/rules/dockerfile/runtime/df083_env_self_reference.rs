use rampart_diagnostics::Span;
use rampart_dockerfile::Body;

use crate::Finding;
use crate::dockerfile::DockerfileContext;

declare_rule! {
    /// An `ENV` value refers to a variable set earlier in the same `ENV`: it sees the old value.
    ///
    /// ## What it does
    /// Reports, in an `ENV` that sets several variables, a value that refers (`$NAME`,
    /// `${NAME}`, `${NAME:-…}`) to a variable the same instruction sets before it. A value
    /// that refers to its own variable (`ENV PATH=/opt/bin:$PATH`) is fine and not
    /// reported; neither are references in single quotes or escaped (`\$NAME`).
    ///
    /// ## Why
    /// All values of one `ENV` are expanded with the variables from *before* the
    /// instruction. In `ENV JAVA_HOME=/opt/java PATH=$JAVA_HOME/bin:$PATH`, `$JAVA_HOME` is
    /// the previous value — usually empty — so `PATH` gets `/bin`, not `/opt/java/bin`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV JAVA_HOME=/opt/java PATH=$JAVA_HOME/bin:$PATH
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ENV JAVA_HOME=/opt/java
    /// ENV PATH=$JAVA_HOME/bin:$PATH
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: splitting the instruction changes the value, which is what the
    /// author most likely meant but not certainly — some Dockerfiles rely on the old value
    /// on purpose (`ENV OLD_PATH=$PATH PATH=/opt/bin`).
    ///
    /// ## References
    /// - ENV: <https://docs.docker.com/reference/dockerfile/#env>
    /// - Environment replacement: <https://docs.docker.com/reference/dockerfile/#environment-replacement>
    pub struct EnvSelfReference {
        code: "DF083",
        name: "env-self-reference",
        severity: Warning,
        tags: ["runtime", "correctness"],
        equivalents: ["hadolint:DL3044"],
        fix: None,
    }
}

pub(super) fn check(cx: &DockerfileContext<'_>, out: &mut Vec<Finding>) {
    let escape = cx.df.escape;
    for (i, instr) in cx.all_instructions() {
        let Body::Env(pairs) = &instr.body else { continue };
        if pairs.len() < 2 {
            continue;
        }
        // Each key and where it is first set.
        let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (n, kv) in pairs.iter().enumerate() {
            first.entry(kv.key.value.as_str()).or_insert(n);
        }
        for (n, kv) in pairs.iter().enumerate().skip(1) {
            if !kv.value.raw.contains('$') {
                continue;
            }
            // Which variables the value refers to (the lookup result does not matter).
            let used = rampart_dockerfile::expand(&kv.value.raw, escape, &|_| None).used;
            for name in used {
                let Some(earlier) = first.get(name.as_str()).filter(|&&k| k < n).map(|&k| &pairs[k]) else {
                    continue;
                };
                if kv.key.value == name {
                    continue;
                }
                let before = match cx.scopes.at(i).lookup(&name) {
                    Some(v) if v.is_empty() => "empty".to_string(),
                    Some(v) => format!("`{v}`"),
                    None => "unset".to_string(),
                };
                out.push(
                    cx.finding(
                        &INFO,
                        kv.value.span.clone(),
                        format!(
                            "`{}` uses `${name}` from before this ENV ({before}), not the value set just before it",
                            kv.key.value
                        ),
                    )
                    .with_label(format!("`${name}` is not yet `{}` here", earlier.value.value))
                    .with_related(
                        cx.file.clone(),
                        Span::new(earlier.span.start, earlier.span.end),
                        format!("`{name}` is set here, in the same instruction"),
                    )
                    .with_help(format!("set `{name}` in its own ENV before this one")),
                );
                break;
            }
        }
    }
}
