//! Applying fixes: minimal edits, repeated until nothing changes, each result checked.
//!
//! [`fix_text`] lints the text, applies every non-overlapping fix the mode allows, checks the
//! result still parses (no new syntax error) and still holds the same objects (the same
//! Kubernetes kinds and names, the same Compose services, still an OCI config), and repeats
//! — a fix may enable another, and a finding fixed in one pass may reveal a second — until
//! no fix applies or [`MAX_PASSES`] is reached. A fix whose result fails the check is not
//! applied and is reported in [`FixOutcome::rejected`]; the others still are.

use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_diagnostics::{Applicability, Edit, Finding, NewFile, SourceFile, apply_edits};

use crate::{FileKind, Linter};

/// Passes before giving up on convergence (each pass re-checks the whole file).
pub const MAX_PASSES: usize = 8;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Only fixes that cannot break a correctly working workload.
    Safe,
    /// Safe and unsafe fixes (`--unsafe-fixes`).
    Unsafe,
}

impl FixMode {
    fn allows(self, a: Applicability) -> bool {
        match a {
            Applicability::Safe => true,
            Applicability::Unsafe => self == FixMode::Unsafe,
            Applicability::DisplayOnly => false,
        }
    }
}

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub code: &'static str,
    pub message: String,
    /// 1-based line of the finding in the text the fix was applied to.
    pub line: usize,
}

/// A fix that was not applied because its result did not check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub code: &'static str,
    pub message: String,
    pub reason: String,
}

/// The result of fixing one text.
#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text (the original when nothing applied).
    pub text: String,
    pub applied: Vec<Applied>,
    pub rejected: Vec<Rejected>,
    /// Files the applied fixes create (relative to the file's directory), each once.
    pub new_files: Vec<NewFile>,
    /// Passes run.
    pub passes: usize,
    /// `false` when fixes kept applying after [`MAX_PASSES`] passes.
    pub converged: bool,
}

impl FixOutcome {
    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }
}

/// What must not change when a file is fixed: the objects it holds, by identity.
fn identity(text: &str, kind: FileKind) -> (usize, BTreeMap<String, usize>) {
    let mut ids = BTreeMap::new();
    let mut errors = 0;
    match kind {
        FileKind::Dockerfile => {
            let df = rampart_dockerfile::parse(text);
            errors = df.errors.len();
            *ids.entry("stages".to_string()).or_default() += df.stages().len();
        }
        _ => {
            for doc in rampart_yaml::parse_stream(text) {
                let Ok(doc) = doc else {
                    errors += 1;
                    continue;
                };
                match kind {
                    FileKind::Kubernetes => {
                        for obj in rampart_posture::kubernetes::objects(&doc.root) {
                            let id = format!(
                                "{}/{}/{}/{}",
                                obj.get_str("apiVersion").unwrap_or(""),
                                obj.get_str("kind").unwrap_or(""),
                                obj.path(&["metadata", "namespace"]).and_then(|n| n.as_string()).unwrap_or(""),
                                obj.path(&["metadata", "name"]).and_then(|n| n.as_string()).unwrap_or("")
                            );
                            *ids.entry(id).or_default() += 1;
                        }
                    }
                    _ => {
                        for w in crate::manifest::workloads_of(kind, &doc.root) {
                            *ids.entry(format!("{}/{}", w.kind, w.name)).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    (errors, ids)
}

/// Why `after` may not replace `before`, if it may not.
fn check_result(before: &(usize, BTreeMap<String, usize>), after_text: &str, kind: FileKind) -> Option<String> {
    let after = identity(after_text, kind);
    if after.0 > before.0 {
        return Some("the fixed file no longer parses".to_string());
    }
    if after.1 != before.1 {
        return Some("the fixed file no longer holds the same objects".to_string());
    }
    None
}

fn allowed<'a>(findings: &'a [Finding], mode: FixMode, skip: &[(String, String)]) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| {
            f.fix.as_ref().is_some_and(|fix| {
                mode.allows(fix.applicability)
                    && (!fix.edits.is_empty() || !fix.new_files.is_empty())
                    && !skip.iter().any(|(c, m)| c == f.rule.code && *m == fix.message)
            })
        })
        .collect()
}

fn overlaps(a: &[Edit], b: &[Edit]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| {
            // Two insertions at the same place conflict too: their order would be arbitrary —
            // unless each adds whole items or entries to the same block collection.
            (x.span.start < y.span.end && y.span.start < x.span.end)
                || (x.span.start == y.span.start && !side_by_side(x, y))
        })
    })
}

/// What an insertion adds to a block collection, when that is all it does.
#[derive(Debug, PartialEq, Eq)]
enum Added<'a> {
    /// Whole entries of a mapping: `\n<indent>key: …` lines (deeper lines under them).
    Entries(&'a str, Vec<&'a str>),
    /// Whole items of a sequence: `\n<indent>- …` lines.
    Items(&'a str),
}

/// What an insertion adds; `None` for anything else (flow or JSON text, replacements, lines
/// at another indentation, a mix of entries and items).
fn added(edit: &Edit) -> Option<Added<'_>> {
    if !edit.span.is_empty() {
        return None;
    }
    let body = edit.content.strip_prefix('\n')?;
    let first = body.lines().next()?;
    let indent = &first[..first.len() - first.trim_start_matches(' ').len()];
    let items = first.trim_start().starts_with("- ");
    let mut keys = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim_start_matches(' ');
        let depth = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') || depth > indent.len() {
            continue;
        }
        if depth < indent.len() {
            return None;
        }
        if items {
            if !trimmed.starts_with("- ") {
                return None;
            }
            continue;
        }
        if trimmed.starts_with(['-', '?', '{', '[', '"', '\'', '\t']) {
            return None;
        }
        let key = trimmed.split_once(':').map(|(k, _)| k)?;
        if key.is_empty() || key.contains([' ', '#']) {
            return None;
        }
        keys.push(key);
    }
    Some(if items { Added::Items(indent) } else { Added::Entries(indent, keys) })
}

/// Two insertions at one offset that add items to the same block sequence, or entries with
/// different keys to the same block mapping: applied one after the other, in either order,
/// they give the same collection.
fn side_by_side(x: &Edit, y: &Edit) -> bool {
    match (added(x), added(y)) {
        (Some(Added::Entries(ix, kx)), Some(Added::Entries(iy, ky))) => ix == iy && !kx.iter().any(|k| ky.contains(k)),
        (Some(Added::Items(ix)), Some(Added::Items(iy))) => ix == iy,
        _ => false,
    }
}

/// Fixes `text` (a file of `kind` named `name`) with `linter`'s enabled rules.
pub fn fix_text(linter: &Linter, name: &str, text: &str, kind: FileKind, mode: FixMode) -> FixOutcome {
    let mut current = text.to_string();
    let mut applied = Vec::new();
    let mut rejected: Vec<Rejected> = Vec::new();
    let mut skip: Vec<(String, String)> = Vec::new();
    let mut passes = 0;
    let mut converged = true;
    let mut new_files: Vec<NewFile> = Vec::new();
    loop {
        if passes == MAX_PASSES {
            converged = false;
            break;
        }
        passes += 1;
        let file: Arc<SourceFile> = SourceFile::new(name, current.clone());
        let report = linter.check(&file, kind);
        let candidates = allowed(&report.findings, mode, &skip);
        if candidates.is_empty() {
            break;
        }
        // Fixes that only create files: take their files once, and do not offer them again.
        let (file_only, candidates): (Vec<&Finding>, Vec<&Finding>) =
            candidates.into_iter().partition(|f| f.fix.as_ref().is_some_and(|x| x.edits.is_empty()));
        for f in &file_only {
            let fix = f.fix.as_ref().expect("partitioned on a fix");
            for n in &fix.new_files {
                if !new_files.iter().any(|x| x.path == n.path) {
                    new_files.push(n.clone());
                }
            }
            applied.push(describe(f));
            skip.push((f.rule.code.to_string(), fix.message.clone()));
        }
        if candidates.is_empty() {
            if file_only.is_empty() {
                break;
            }
            continue;
        }
        let before = identity(&current, kind);
        // Greedy, in order of position: a fix joins the pass when none of its edits touches
        // an edit already taken. The rest wait for the next pass.
        let mut chosen: Vec<&Finding> = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        for f in candidates {
            let fix_edits = &f.fix.as_ref().map(|x| x.edits.clone()).unwrap_or_default();
            if overlaps(&edits, fix_edits) {
                continue;
            }
            edits.extend(fix_edits.iter().cloned());
            chosen.push(f);
        }
        let together = apply_edits(&current, &edits).ok().filter(|t| check_result(&before, t, kind).is_none());
        let mut take_files = |f: &Finding| {
            for n in f.fix.as_ref().map(|x| x.new_files.as_slice()).unwrap_or(&[]) {
                if !new_files.iter().any(|x| x.path == n.path) {
                    new_files.push(n.clone());
                }
            }
        };
        let next = match together {
            Some(t) => {
                applied.extend(chosen.iter().map(|f| describe(f)));
                chosen.iter().for_each(|f| take_files(f));
                t
            }
            None => {
                // Find the culprits: apply the fixes one at a time, keeping those that check.
                let mut t = current.clone();
                let mut shift_free = Vec::new();
                for f in &chosen {
                    let fix = f.fix.as_ref().map(|x| x.edits.clone()).unwrap_or_default();
                    let mut trial = shift_free.clone();
                    trial.extend(fix.iter().cloned());
                    match apply_edits(&current, &trial) {
                        Ok(candidate) => match check_result(&before, &candidate, kind) {
                            None => {
                                shift_free = trial;
                                t = candidate;
                                applied.push(describe(f));
                                take_files(f);
                            }
                            Some(reason) => reject(f, reason, &mut rejected, &mut skip),
                        },
                        Err(e) => reject(f, e.to_string(), &mut rejected, &mut skip),
                    }
                }
                t
            }
        };
        if next == current {
            break;
        }
        current = next;
    }
    FixOutcome { text: current, applied, rejected, new_files, passes, converged }
}

fn describe(f: &Finding) -> Applied {
    Applied {
        code: f.rule.code,
        message: f.fix.as_ref().map(|x| x.message.clone()).unwrap_or_default(),
        line: f.file.position(f.span.start).line,
    }
}

fn reject(f: &Finding, reason: String, rejected: &mut Vec<Rejected>, skip: &mut Vec<(String, String)>) {
    let message = f.fix.as_ref().map(|x| x.message.clone()).unwrap_or_default();
    skip.push((f.rule.code.to_string(), message.clone()));
    rejected.push(Rejected { code: f.rule.code, message, reason });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_diagnostics::Span;

    fn insert(at: usize, text: &str) -> Edit {
        Edit::insert(at, text)
    }

    #[test]
    fn entries_and_items_added_to_one_collection_apply_together() {
        let a = insert(10, "\n    allowPrivilegeEscalation: false");
        let b = insert(10, "\n    capabilities:\n      drop: [ALL]");
        assert!(!overlaps(std::slice::from_ref(&a), std::slice::from_ref(&b)));
        // The same key twice, another indentation, list items beside entries, flow text: one at
        // a time.
        let c = insert(10, "\n    capabilities:\n      drop: [NET_RAW]");
        assert!(overlaps(&[b], &[c]));
        let pod = insert(10, "\n  securityContext:\n    runAsNonRoot: true");
        assert!(overlaps(std::slice::from_ref(&a), &[pod]));
        assert!(overlaps(std::slice::from_ref(&a), &[insert(10, "\n    - name: tmp")]));
        assert!(overlaps(std::slice::from_ref(&a), &[insert(10, ", readOnlyRootFilesystem: true")]));
        assert!(!overlaps(std::slice::from_ref(&a), &[Edit::replace(Span::new(5, 10), "x")]));
        assert!(overlaps(&[a], &[Edit::replace(Span::new(10, 12), "x")]));
        // Items added to one list.
        assert!(!overlaps(&[insert(10, "\n  - {name: a}")], &[insert(10, "\n  - name: b\n    emptyDir: {}")]));
        assert!(overlaps(&[insert(10, "\n  - {name: a}")], &[insert(10, "\n    - {name: b}")]));
    }
}
