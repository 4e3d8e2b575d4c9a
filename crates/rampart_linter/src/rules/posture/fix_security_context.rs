//! What the fixes of the security-context rules share: finding the node to edit in each
//! format (a Kubernetes container or pod spec, a Compose service, an OCI config), writing
//! several settings into one mapping in a single edit, removing entries and list items while
//! keeping the comments written on their lines, the capability sets of OCI configs, and the
//! user a container should run as.
//!
//! Every function returns `None` when the edit cannot be made exactly (a node reached through
//! an alias or a merge key, a value of an unexpected shape, a setting a Compose service
//! inherits from the service it `extends`): the finding then has no fix rather than a wrong
//! one.

use std::ops::Range;

use rampart_diagnostics::{Edit, Fix, Span};
use rampart_posture::edit::{Editor, TextEdit, Val};
use rampart_posture::{ContainerPosture, Format, Workload, normalize_capability};
use rampart_yaml::{Document, Node, Value};

use crate::facts::ImageFacts;
use crate::manifest::ManifestContext;

/// The UID (and GID) a fix gives a container whose image's user is not known to be non-root:
/// above the ranges distributions allocate to system and login users, so it owns nothing in
/// the image.
pub(crate) const DEFAULT_UID: i64 = 10001;

/// Edits of the posture editor as edits of a fix.
pub(crate) fn to_edits(edits: Vec<TextEdit>) -> Vec<Edit> {
    edits.into_iter().map(|e| Edit::replace(Span::new(e.span.start, e.span.end), e.text)).collect()
}

/// Attaches a fix when there is one.
pub(crate) fn with_fix(finding: crate::Finding, fix: Option<rampart_diagnostics::Fix>) -> crate::Finding {
    match fix {
        Some(fix) => finding.with_fix(fix),
        None => finding,
    }
}

/// The editor for the finding's file.
pub(crate) fn editor<'t>(cx: &ManifestContext<'t>) -> Editor<'t> {
    Editor::new(cx.file.text())
}

/// A Kubernetes container's own mapping.
pub(crate) fn k8s_container<'a>(cx: &ManifestContext<'a>, c: &ContainerPosture) -> Option<&'a Node> {
    node_where(cx.documents, &c.span, &Node::is_map)
}

/// A Kubernetes workload's pod spec.
pub(crate) fn pod_spec<'a>(cx: &ManifestContext<'a>, w: &Workload) -> Option<&'a Node> {
    if w.format != Format::Kubernetes {
        return None;
    }
    node_where(cx.documents, w.pod_spec.as_ref()?, &Node::is_map)
}

/// A Compose service's own mapping (not the services it `extends`).
pub(crate) fn compose_service<'a>(cx: &ManifestContext<'a>, w: &Workload) -> Option<&'a Node> {
    if w.format != Format::Compose {
        return None;
    }
    cx.documents.iter().find_map(|d| {
        let services = d.root.get("services")?;
        services
            .entries()
            .iter()
            .find(|e| e.key.span == w.anchor)
            .map(|e| &e.value)
            .filter(|s| s.is_map() && !s.borrowed)
    })
}

/// The mapping where a container's settings are written: the Kubernetes container, the
/// Compose service, the OCI config's root.
pub(crate) fn owner<'a>(cx: &ManifestContext<'a>, w: &Workload, c: &ContainerPosture) -> Option<&'a Node> {
    match w.format {
        Format::Kubernetes => k8s_container(cx, c),
        Format::Compose => compose_service(cx, w),
        Format::Oci => super::oci_root(cx, w).filter(|r| r.is_map()),
    }
}

/// Whether `span` is written inside `node` (a setting a Compose service inherits from its base
/// is not: editing it there would change every service built on that base).
pub(crate) fn inside(node: &Node, span: &Range<usize>) -> bool {
    node.span.start <= span.start && span.end <= node.span.end
}

/// A change to make under a mapping.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    /// Set the value at the path.
    Set(Val),
    /// Append an item to the list at the path (created when missing) unless it is there.
    Add(Val),
}

/// Makes several changes under one mapping at once: what exists is edited in place, what is
/// missing is written as one block per missing key, so two settings of a new
/// `securityContext` land in the same block.
/// A new list of mappings in a block mapping is written as a block sequence (`- {name: tmp}`
/// items, indented like the file's other sequences), so that later items are added line by line.
pub(crate) fn write(text: &str, map: &Node, changes: &[(&[&str], Change)]) -> Option<Vec<TextEdit>> {
    let owned: Vec<(Vec<String>, Change)> =
        changes.iter().map(|(p, c)| (p.iter().map(|s| s.to_string()).collect(), c.clone())).collect();
    write_owned(text, &Editor::new(text), map, &owned)
}

fn write_owned(
    text: &str,
    editor: &Editor<'_>,
    map: &Node,
    changes: &[(Vec<String>, Change)],
) -> Option<Vec<TextEdit>> {
    if map.borrowed || !map.is_map() {
        return None;
    }
    let mut keys: Vec<&str> = Vec::new();
    for (path, _) in changes {
        let first = path.first()?;
        if !keys.contains(&first.as_str()) {
            keys.push(first);
        }
    }
    let mut edits = Vec::new();
    let mut missing: Vec<(String, Val)> = Vec::new();
    for key in keys {
        let group: Vec<(Vec<String>, Change)> =
            changes.iter().filter(|(p, _)| p[0] == key).map(|(p, c)| (p[1..].to_vec(), c.clone())).collect();
        match map.get(key) {
            Some(child) if !child.is_null() => {
                let mut deeper = Vec::new();
                for (rest, change) in group {
                    if !rest.is_empty() {
                        deeper.push((rest, change));
                        continue;
                    }
                    match change {
                        Change::Set(v) => edits.extend(editor.set(map, key, &v)?),
                        Change::Add(item) => edits.extend(editor.add_to_list(map, &[key], &item)?),
                    }
                }
                if !deeper.is_empty() {
                    if !child.is_map() {
                        return None;
                    }
                    edits.extend(write_owned(text, editor, child, &deeper)?);
                }
            }
            Some(_) => edits.extend(editor.set(map, key, &build(&group)?)?),
            None => missing.push((key.to_string(), build(&group)?)),
        }
    }
    let own_entries = map.entries().iter().filter(|e| !e.key.borrowed).count();
    if missing.len() > 1 && own_entries == 0 {
        // `{}`: written whole, as two insertions at its opening brace would run together.
        edits.extend(editor.replace(map, &Val::Map(missing))?);
    } else {
        for (key, value) in missing {
            match block_list(text, map, &key, &value) {
                Some(edit) => edits.push(edit),
                None => edits.extend(editor.set(map, &key, &value)?),
            }
        }
    }
    Some(edits)
}

/// `key:` and a block sequence of mappings, added after the last entry of a block mapping of
/// a YAML file; `None` for other values, flow mappings and JSON.
fn block_list(text: &str, map: &Node, key: &str, value: &Val) -> Option<TextEdit> {
    let Val::List(items) = value else { return None };
    if items.is_empty() || !items.iter().any(|i| matches!(i, Val::Map(_))) {
        return None;
    }
    let first_char = text.trim_start_matches('\u{feff}').trim_start().chars().next();
    if matches!(first_char, Some('{' | '[')) || matches!(text.as_bytes().get(map.span.start), Some(b'{' | b'[')) {
        return None;
    }
    let own: Vec<_> = map.entries().iter().filter(|e| !e.key.borrowed).collect();
    let first = own.first()?;
    let last = own.iter().max_by_key(|e| e.value.span.end.max(e.key.span.end))?;
    let line_start = text[..first.key.span.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String =
        text[line_start..first.key.span.start].chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    // A block scalar's span runs into the indentation of the next line: not its line.
    let written = last.value.span.end.max(last.key.span.end).min(text.len());
    let content = text.get(last.key.span.start..written)?.trim_end_matches([' ', '\t', '\r', '\n']).len();
    let from = (last.key.span.start + content).saturating_sub(1).max(last.key.span.start);
    let end = text.as_bytes()[from..].iter().position(|b| *b == b'\n').map_or(text.len(), |i| from + i);
    let dash = format!("{indent}{}", sequence_indent(text));
    let mut out = format!("\n{indent}{}:", rampart_posture::edit::inline_key(key, false));
    for item in items {
        out.push_str(&format!("\n{dash}- {}", yaml_flow(item)));
    }
    Some(TextEdit { span: end..end, text: out })
}

/// How far the file indents a block sequence's dashes under its key: `""` when they sit in the
/// key's column (`containers:` then `- name: app`), else the step it uses (two spaces when it
/// has no block sequence).
fn sequence_indent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).collect();
    for pair in lines.windows(2) {
        let (key, item) = (pair[0], pair[1]);
        let key_trim = key.trim_start();
        let item_trim = item.trim_start();
        if key_trim.ends_with(':') && !key_trim.starts_with("- ") && item_trim.starts_with("- ") {
            let (k, i) = (key.len() - key_trim.len(), item.len() - item_trim.len());
            return " ".repeat(i.saturating_sub(k).min(8));
        }
    }
    "  ".to_string()
}

/// A value in YAML flow style, as the posture editor writes one.
fn yaml_flow(v: &Val) -> String {
    rampart_posture::edit::inline(v, false)
}

/// The value a group of changes gives a key that is missing.
fn build(group: &[(Vec<String>, Change)]) -> Option<Val> {
    let leaves: Vec<&Change> = group.iter().filter(|(r, _)| r.is_empty()).map(|(_, c)| c).collect();
    if !leaves.is_empty() {
        if let Some(Change::Set(v)) = leaves.iter().rev().find(|c| matches!(c, Change::Set(_))) {
            return Some(v.clone());
        }
        let mut items: Vec<Val> = Vec::new();
        for c in leaves {
            if let Change::Add(v) = c
                && !items.contains(v)
            {
                items.push(v.clone());
            }
        }
        return Some(Val::List(items));
    }
    let mut keys: Vec<&str> = Vec::new();
    for (rest, _) in group {
        if !keys.contains(&rest[0].as_str()) {
            keys.push(&rest[0]);
        }
    }
    let mut entries = Vec::new();
    for key in keys {
        let sub: Vec<(Vec<String>, Change)> =
            group.iter().filter(|(r, _)| r[0] == key).map(|(r, c)| (r[1..].to_vec(), c.clone())).collect();
        entries.push((key.to_string(), build(&sub)?));
    }
    Some(Val::Map(entries))
}

/// Where a comment starts on a YAML line (a `#` at the start or after a blank, outside quotes).
fn comment_start(line: &str) -> Option<usize> {
    let mut single = false;
    let mut double = false;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && previous != '\\' => double = !double,
            '#' if !single && !double && (previous == ' ' || previous == '\t') => return Some(i),
            _ => {}
        }
        previous = c;
    }
    None
}

/// The comments in a piece of text, one per line that has one.
fn comments_in(text: &str) -> Vec<&str> {
    text.lines().filter_map(|l| comment_start(l).map(|i| l[i..].trim_end())).collect()
}

/// A deletion that keeps the comments of the lines it removes: whole lines are replaced by
/// their comments, each on its own line at the indentation of the first removed line. `None`
/// when part of a line with a comment would go.
fn keep_comments(text: &str, edit: TextEdit) -> Option<TextEdit> {
    if !edit.text.is_empty() {
        return Some(edit);
    }
    let removed = text.get(edit.span.clone())?;
    let comments = comments_in(removed);
    if comments.is_empty() {
        return Some(edit);
    }
    let starts_line = edit.span.start == 0 || text.as_bytes().get(edit.span.start - 1) == Some(&b'\n');
    if !starts_line || !removed.ends_with('\n') {
        return None;
    }
    let first = removed.lines().next().unwrap_or("");
    let indent = &first[..first.len() - first.trim_start().len()];
    if edit.span.start == 0 {
        let kept: String = comments.iter().map(|c| format!("{indent}{c}\n")).collect();
        return Some(TextEdit { span: edit.span, text: kept });
    }
    // From the newline before the lines to the one ending them: the same result, shown as
    // the lines it changes (not the line after them too).
    let kept: String = comments.iter().map(|c| format!("\n{indent}{c}")).collect();
    Some(TextEdit { span: edit.span.start - 1..edit.span.end - 1, text: kept })
}

fn keeping_comments(text: &str, edits: Vec<TextEdit>) -> Option<Vec<TextEdit>> {
    edits.into_iter().map(|e| keep_comments(text, e)).collect()
}

/// Removes `key` from `map`, keeping the comments written on its lines.
pub(crate) fn remove_entry(editor: &Editor<'_>, text: &str, map: &Node, key: &str) -> Option<Vec<TextEdit>> {
    keeping_comments(text, editor.remove(map, key)?)
}

/// Removes the items at `indices` from the list at `key` of `parent`, keeping comments. When
/// every item goes: the key too (`drop_key`), or the list is left empty (`[]`).
pub(crate) fn remove_items(
    editor: &Editor<'_>,
    text: &str,
    parent: &Node,
    key: &str,
    indices: &[usize],
    drop_key: bool,
) -> Option<Vec<TextEdit>> {
    let seq = parent.get(key)?;
    if seq.borrowed || !seq.is_seq() {
        return None;
    }
    let items = seq.items();
    let mut remove: Vec<usize> = indices.iter().copied().filter(|i| *i < items.len()).collect();
    remove.sort_unstable();
    remove.dedup();
    if remove.is_empty() {
        return Some(Vec::new());
    }
    if remove.iter().any(|i| items[*i].borrowed) {
        return None;
    }
    if remove.len() == items.len() {
        return if drop_key {
            remove_entry(editor, text, parent, key)
        } else {
            editor.replace(seq, &Val::List(Vec::new()))
        };
    }
    if editor.is_flow(seq) {
        // Flow: each run of removed items goes with the separator after it, or, for a run at
        // the end, with the separator before it.
        let mut edits = Vec::new();
        let mut i = 0;
        while i < remove.len() {
            let start = remove[i];
            let mut end = start;
            while i + 1 < remove.len() && remove[i + 1] == end + 1 {
                i += 1;
                end += 1;
            }
            let span = if end + 1 < items.len() {
                items[start].span.start..items[end + 1].span.start
            } else {
                items[start.checked_sub(1)?].span.end..items[end].span.end
            };
            if !comments_in(text.get(span.clone())?).is_empty() {
                return None;
            }
            edits.push(TextEdit { span, text: String::new() });
            i += 1;
        }
        return Some(edits);
    }
    let mut edits = Vec::new();
    for i in remove {
        edits.extend(keeping_comments(text, editor.remove_item(seq, i)?)?);
    }
    Some(edits)
}

/// Where a node is written: the mapping entry or the list item holding it.
pub(crate) enum Parent<'a> {
    /// The mapping and the key whose value the node is.
    Entry(&'a Node, &'a str),
    /// The list and the item's index.
    Item(&'a Node, usize),
}

/// The parent of the node written exactly at `span` (not through an alias) for which `want`
/// holds, the deepest when several share the span: the reader gives a block sequence written
/// without indentation (`containers:` then `- name: app` in the same column) the span of its
/// first item, so a one-item list and its item cannot be told apart by span alone.
pub(crate) fn parent_where<'a>(
    documents: &'a [Document],
    span: &Range<usize>,
    want: &dyn Fn(&Node) -> bool,
) -> Option<Parent<'a>> {
    fn walk<'a>(n: &'a Node, span: &Range<usize>, want: &dyn Fn(&Node) -> bool, depth: usize) -> Option<Parent<'a>> {
        if depth > 256 || n.borrowed || n.span.start > span.start || n.span.end < span.end {
            return None;
        }
        match &n.value {
            Value::Scalar(..) => None,
            Value::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
                walk(item, span, want, depth + 1)
                    .or_else(|| (item.span == *span && !item.borrowed && want(item)).then_some(Parent::Item(n, i)))
            }),
            Value::Map(entries) => entries.iter().find_map(|e| {
                walk(&e.value, span, want, depth + 1).or_else(|| {
                    (e.value.span == *span && !e.value.borrowed && !e.key.borrowed && want(&e.value))
                        .then(|| e.key.as_str().map(|k| Parent::Entry(n, k)))
                        .flatten()
                })
            }),
        }
    }
    documents.iter().find_map(|d| walk(&d.root, span, want, 0))
}

/// The parent of the scalar written exactly at `span`.
pub(crate) fn parent_of<'a>(documents: &'a [Document], span: &Range<usize>) -> Option<Parent<'a>> {
    parent_where(documents, span, &|n| !n.is_map() && !n.is_seq())
}

/// The node written exactly at `span` for which `want` holds.
pub(crate) fn node_where<'a>(
    documents: &'a [Document],
    span: &Range<usize>,
    want: &dyn Fn(&Node) -> bool,
) -> Option<&'a Node> {
    match parent_where(documents, span, want)? {
        Parent::Entry(map, key) => map.get(key),
        Parent::Item(seq, i) => seq.items().get(i),
    }
}

/// The scalar written exactly at `span`.
pub(crate) fn node_at<'a>(documents: &'a [Document], span: &Range<usize>) -> Option<&'a Node> {
    node_where(documents, span, &|n| !n.is_map() && !n.is_seq())
}

/// Removes the setting written at `span`: its mapping entry, or its list item (the list's key
/// goes too when it empties). For a Compose option written as a mapping entry, `span` covers
/// the key and value: the entry whose key starts there is removed.
pub(crate) fn remove_setting(cx: &ManifestContext<'_>, span: &Range<usize>) -> Option<Vec<TextEdit>> {
    let text = cx.file.text();
    let ed = editor(cx);
    match parent_of(cx.documents, span) {
        Some(Parent::Entry(map, key)) => remove_entry(&ed, text, map, key),
        Some(Parent::Item(seq, i)) => {
            let (map, key) = list_key(cx.documents, seq)?;
            remove_items(&ed, text, map, key, &[i], true)
        }
        None => {
            let (map, key) = entry_starting_at(cx.documents, span.start)?;
            remove_entry(&ed, text, map, key)
        }
    }
}

/// The mapping and key holding a list.
fn list_key<'a>(documents: &'a [Document], seq: &Node) -> Option<(&'a Node, &'a str)> {
    match parent_where(documents, &seq.span, &Node::is_seq)? {
        Parent::Entry(map, key) => Some((map, key)),
        Parent::Item(..) => None,
    }
}

/// The mapping entry whose key starts at `at`.
fn entry_starting_at(documents: &[Document], at: usize) -> Option<(&Node, &str)> {
    fn walk(n: &Node, at: usize, depth: usize) -> Option<(&Node, &str)> {
        if depth > 256 || n.borrowed || n.span.start > at || n.span.end <= at {
            return None;
        }
        match &n.value {
            Value::Scalar(..) => None,
            Value::Seq(items) => items.iter().find_map(|i| walk(i, at, depth + 1)),
            Value::Map(entries) => entries.iter().find_map(|e| {
                if e.key.span.start == at && !e.key.borrowed {
                    Some((n, e.key.as_str()?))
                } else {
                    walk(&e.value, at, depth + 1)
                }
            }),
        }
    }
    documents.iter().find_map(|d| walk(&d.root, at, 0))
}

/// Replaces the scalar written at `span` with `value`.
pub(crate) fn replace_at(cx: &ManifestContext<'_>, span: &Range<usize>, value: &Val) -> Option<Vec<TextEdit>> {
    editor(cx).replace(node_at(cx.documents, span)?, value)
}

/// Rewrites the value of a Compose option written as one string (`no-new-privileges:false`,
/// `seccomp=unconfined`), keeping its quotes and the separator the user wrote.
pub(crate) fn replace_option_value(text: &str, item: &Node, value: &str) -> Option<TextEdit> {
    if item.borrowed {
        return None;
    }
    let raw = text.get(item.span.clone())?;
    if raw.contains('\\') || raw.contains('\n') {
        return None;
    }
    let quoted = raw.starts_with(['"', '\'']);
    let body_end = if quoted { raw.len().checked_sub(1)? } else { raw.len() };
    let sep = raw.find([':', '='])?;
    if sep >= body_end {
        return None;
    }
    let start = item.span.start + sep + 1;
    Some(TextEdit { span: start..item.span.start + body_end, text: value.to_string() })
}

/// The capability sets of an OCI config's process.
pub(crate) const OCI_CAPABILITY_SETS: &[&str] = &["bounding", "effective", "inheritable", "permitted", "ambient"];

/// A container's added capabilities as written, with where they are: the Kubernetes
/// `securityContext.capabilities.add` list, the Compose service's own `cap_add`.
fn added_list<'a>(cx: &ManifestContext<'a>, w: &Workload, c: &ContainerPosture) -> Option<(&'a Node, &'static str)> {
    match w.format {
        Format::Kubernetes => {
            let caps = k8s_container(cx, c)?.path(&["securityContext", "capabilities"])?;
            caps.get("add").is_some_and(Node::is_seq).then_some((caps, "add"))
        }
        Format::Compose => {
            let svc = compose_service(cx, w)?;
            svc.get("cap_add").is_some_and(Node::is_seq).then_some((svc, "cap_add"))
        }
        Format::Oci => None,
    }
}

/// What [`remove_capabilities`] removes.
pub(crate) struct Removed {
    pub edits: Vec<TextEdit>,
    /// The names removed, as first written.
    pub names: Vec<String>,
    /// Where each removed item was written.
    pub spans: Vec<Range<usize>>,
}

/// Removes every added capability `pick` chooses (given its normalised name and its name as
/// written): from the Kubernetes `capabilities.add` list or the Compose service's own `cap_add`
/// (the key goes when it empties), or from every capability set of an OCI process (the sets
/// are absolute: what is kept is what stays listed). `None` when nothing is removed.
pub(crate) fn remove_capabilities(
    cx: &ManifestContext<'_>,
    w: &Workload,
    c: &ContainerPosture,
    pick: impl Fn(&str, &str) -> bool,
) -> Option<Removed> {
    let text = cx.file.text();
    let ed = editor(cx);
    let mut removed = Removed { edits: Vec::new(), names: Vec::new(), spans: Vec::new() };
    let choose = |list: &Node, removed: &mut Removed| -> Vec<usize> {
        list.items()
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let raw = item.as_string()?;
                if !pick(&normalize_capability(raw), raw) {
                    return None;
                }
                if !removed.names.iter().any(|r| normalize_capability(r) == normalize_capability(raw)) {
                    removed.names.push(raw.to_string());
                }
                removed.spans.push(item.span.clone());
                Some(i)
            })
            .collect()
    };
    if w.format == Format::Oci {
        let caps = owner(cx, w, c)?.path(&["process", "capabilities"]).filter(|n| n.is_map())?;
        for set in OCI_CAPABILITY_SETS {
            let Some(list) = caps.get(set).filter(|l| l.is_seq()) else { continue };
            let indices = choose(list, &mut removed);
            let edits = remove_items(&ed, text, caps, set, &indices, false)?;
            removed.edits.extend(edits);
        }
    } else {
        let (parent, key) = added_list(cx, w, c)?;
        let indices = choose(parent.get(key)?, &mut removed);
        let edits = remove_items(&ed, text, parent, key, &indices, true)?;
        removed.edits.extend(edits);
    }
    (!removed.edits.is_empty()).then_some(removed)
}

/// `a`, `a and b`, `a, b and c`, each in backticks.
pub(crate) fn listed(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether the container listens on a port below 1024: a port it declares (Kubernetes
/// `containerPort`, the container side of Compose `ports`), or one its image `EXPOSE`s.
pub(crate) fn binds_low_port(cx: &ManifestContext<'_>, c: &ContainerPosture) -> bool {
    c.ports.iter().any(|p| p.container_port.is_some_and(|n| (1..1024).contains(&n)))
        || cx.image_facts(c).is_some_and(ImageFacts::needs_low_port)
}

/// The user a container should run as, and whether that keeps the user it runs as today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserChoice {
    pub uid: i64,
    pub gid: Option<i64>,
    /// The image is known to run as this numeric non-root user already: writing it changes
    /// nothing the process sees.
    pub same_as_image: bool,
    /// Where the choice comes from, for messages (`api/Dockerfile`).
    pub source: Option<String>,
}

/// The image's own user when facts say it is a numeric non-root one, else [`DEFAULT_UID`].
pub(crate) fn user_choice(cx: &ManifestContext<'_>, c: &ContainerPosture) -> UserChoice {
    match cx.image_facts(c) {
        Some(f) if f.runs_as_non_root() => UserChoice {
            uid: i64::from(f.uid.unwrap_or(0)),
            gid: f.gid.map(i64::from),
            same_as_image: true,
            source: Some(f.source.clone()),
        },
        _ => UserChoice { uid: DEFAULT_UID, gid: Some(DEFAULT_UID), same_as_image: false, source: None },
    }
}

/// The image of a container is known to name its user by number (not by name): the kubelet
/// can then verify `runAsNonRoot` without a `runAsUser`.
pub(crate) fn image_user_is_numeric(cx: &ManifestContext<'_>, c: &ContainerPosture) -> bool {
    cx.image_facts(c).and_then(|f| f.user.as_deref()).is_some_and(|u| {
        let name = u.split(':').next().unwrap_or("");
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A Kubernetes `seccompProfile` or `appArmorProfile` whose `type` is written at `span` set to
/// `RuntimeDefault` (its `localhostProfile`, which only `Localhost` may have, removed), or an
/// annotation value at `span` set to `annotation`. `None` for anything else.
pub(crate) fn runtime_default_profile(
    cx: &ManifestContext<'_>,
    span: &Range<usize>,
    annotation: &str,
) -> Option<(Vec<TextEdit>, String)> {
    let ed = editor(cx);
    let text = cx.file.text();
    match parent_of(cx.documents, span)? {
        Parent::Entry(profile, "type") => {
            let field = ["seccompProfile", "appArmorProfile"].into_iter().find(|f| {
                parent_where(cx.documents, &profile.span, &Node::is_map)
                    .is_some_and(|p| matches!(p, Parent::Entry(_, k) if k == *f))
            })?;
            let mut edits = ed.replace(profile.get("type")?, &Val::str("RuntimeDefault"))?;
            if profile.get("localhostProfile").is_some() {
                edits.extend(remove_entry(&ed, text, profile, "localhostProfile")?);
            }
            Some((edits, format!("Set `{field}.type: RuntimeDefault`")))
        }
        Parent::Entry(annotations, key) if key.contains(".kubernetes.io/") => {
            let edits = ed.replace(annotations.get(key)?, &Val::str(annotation))?;
            Some((edits, format!("Set the annotation `{key}` to `{annotation}`")))
        }
        _ => None,
    }
}

/// Removes a Compose `security_opt` option written at `span` in the service's own mapping.
pub(crate) fn remove_compose_option(
    cx: &ManifestContext<'_>,
    w: &Workload,
    span: &Range<usize>,
) -> Option<(Vec<TextEdit>, String)> {
    let svc = compose_service(cx, w)?;
    if !inside(svc, span) {
        return None;
    }
    let written = cx.file.text().get(span.clone())?.trim_matches(['"', '\'']).to_string();
    let edits = remove_setting(cx, span)?;
    Some((edits, format!("Remove `{written}` from `security_opt`")))
}

/// Docker's default seccomp profile, for the OCI fixes that can only point at it.
pub(crate) const DOCKER_SECCOMP_PROFILE: &str = "https://github.com/moby/profiles/blob/main/seccomp/default.json";

/// The fix of a seccomp profile that does not confine, written at `span`: `RuntimeDefault` for
/// Kubernetes (the old `unconfined` annotation becomes `runtime/default`), the option removed
/// for Compose (Docker's default profile then applies), a pointer to Docker's profile for OCI
/// (rampart has no profile to write).
pub(crate) fn seccomp_fix(cx: &ManifestContext<'_>, w: &Workload, span: &Range<usize>) -> Option<Fix> {
    let (edits, message) = match w.format {
        Format::Kubernetes => runtime_default_profile(cx, span, "runtime/default")?,
        Format::Compose => {
            let (edits, message) = remove_compose_option(cx, w, span)?;
            (edits, format!("{message}: Docker's default profile then applies"))
        }
        Format::Oci => {
            return Some(Fix::display_only(
                format!(
                    "Replace `linux.seccomp` with a profile that denies by default, such as Docker's ({DOCKER_SECCOMP_PROFILE}), allowing what the process needs"
                ),
                Vec::new(),
            ));
        }
    };
    Some(Fix::unsafe_(message, to_edits(edits)))
}

/// `uid[:gid]`, as Compose writes a user.
pub(crate) fn compose_user(choice: &UserChoice) -> String {
    match choice.gid {
        Some(g) => format!("{}:{g}", choice.uid),
        None => choice.uid.to_string(),
    }
}

/// A fix giving a Compose service a numeric non-root `user` (its own `user` replaced or added:
/// a `user` inherited from the service it extends is overridden). Safe only when the image is
/// known to run as that user already and the service does not name another one.
pub(crate) fn compose_user_fix(cx: &ManifestContext<'_>, w: &Workload, c: &ContainerPosture) -> Option<Fix> {
    let svc = compose_service(cx, w)?;
    if let Some(user) = svc.get("user")
        && user.as_str().is_some_and(|u| rampart_posture::compose::literal(u).is_none())
    {
        // `${UID}`: the value comes from the environment, only its owner can choose it.
        return None;
    }
    let choice = user_choice(cx, c);
    let value = compose_user(&choice);
    let current = c.user_name.as_ref().map(|n| n.value.as_str());
    let image_user = cx.image_facts(c).and_then(|f| f.user.as_deref()).map(|u| u.split(':').next().unwrap_or(""));
    let same = choice.same_as_image
        && c.run_as_user.value != Some(0)
        && match current {
            None => c.run_as_user.value.is_none(),
            Some(name) => Some(name) == image_user,
        };
    let edits = editor(cx).set(svc, "user", &Val::Str(value.clone()))?;
    let message = match (&choice.source, same) {
        (Some(source), true) => format!("Run as `user: \"{value}\"`, the image's own user ({source})"),
        _ => format!("Run as `user: \"{value}\"`"),
    };
    Some(if same { Fix::safe(message, to_edits(edits)) } else { Fix::unsafe_(message, to_edits(edits)) })
}

/// A fix giving an OCI process a non-root `process.user.uid` ([`DEFAULT_UID`]; the `gid` too
/// when missing or 0). Unsafe: nothing says what the bundle's files allow that user.
pub(crate) fn oci_user_fix(cx: &ManifestContext<'_>, w: &Workload) -> Option<Fix> {
    let root = super::oci_root(cx, w)?;
    let process = root.get("process").filter(|p| p.is_map())?;
    let mut changes: Vec<(&[&str], Change)> = vec![(&["user", "uid"], Change::Set(Val::Int(DEFAULT_UID)))];
    // The root group too: files the image gives group 0 stay writable by it otherwise.
    if process.path(&["user", "gid"]).is_none_or(|g| g.as_i64().is_none_or(|g| g == 0)) {
        changes.push((&["user", "gid"], Change::Set(Val::Int(DEFAULT_UID))));
    }
    let edits = write(cx.file.text(), process, &changes)?;
    Some(Fix::unsafe_(format!("Run the process as UID {DEFAULT_UID}"), to_edits(edits)))
}

/// The indentation unit of a JSON or YAML text (a tab, or the smallest step between lines).
fn indent_unit(text: &str) -> String {
    if text.contains("\n\t") {
        return "\t".to_string();
    }
    " ".repeat(rampart_posture::edit::indent_step(text))
}

fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// A JSON value written the way `runc spec` writes one: objects and lists one entry per line,
/// `indent` being the indentation of the line the value starts on.
fn json_block(value: &Val, indent: &str, unit: &str) -> String {
    let inner = format!("{indent}{unit}");
    match value {
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Str(s) => rampart_posture::edit::json_string(s),
        Val::List(items) if items.is_empty() => "[]".to_string(),
        Val::List(items) => {
            let body: Vec<String> = items.iter().map(|i| format!("{inner}{}", json_block(i, &inner, unit))).collect();
            format!("[\n{}\n{indent}]", body.join(",\n"))
        }
        Val::Map(entries) if entries.is_empty() => "{}".to_string(),
        Val::Map(entries) => {
            let body: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!("{inner}{}: {}", rampart_posture::edit::json_string(k), json_block(v, &inner, unit))
                })
                .collect();
            format!("{{\n{}\n{indent}}}", body.join(",\n"))
        }
    }
}

/// Whether the JSON container node spans several lines.
fn multi_line(text: &str, node: &Node) -> bool {
    text.get(node.span.clone()).is_some_and(|t| t.contains('\n'))
}

/// Adds `key: value` to a JSON object, one entry per line like its siblings when the object
/// is written over several lines.
pub(crate) fn json_insert(cx: &ManifestContext<'_>, map: &Node, key: &str, value: &Val) -> Option<Vec<TextEdit>> {
    let text = cx.file.text();
    if map.borrowed || !map.is_map() {
        return None;
    }
    let last = map.entries().iter().filter(|e| !e.key.borrowed).max_by_key(|e| e.value.span.end)?;
    if !multi_line(text, map) {
        return editor(cx).set(map, key, value);
    }
    let indent = line_indent(text, last.key.span.start).to_string();
    let unit = indent_unit(text);
    let at = last.value.span.end;
    Some(vec![TextEdit {
        span: at..at,
        text: format!(",\n{indent}{}: {}", rampart_posture::edit::json_string(key), json_block(value, &indent, &unit)),
    }])
}

/// Replaces a JSON value, writing lists and objects one entry per line when the object holding
/// it is written over several lines.
pub(crate) fn json_replace(cx: &ManifestContext<'_>, holder: &Node, node: &Node, value: &Val) -> Option<Vec<TextEdit>> {
    let text = cx.file.text();
    if node.borrowed {
        return None;
    }
    if !multi_line(text, holder) {
        return editor(cx).replace(node, value);
    }
    let indent = line_indent(text, node.span.start).to_string();
    Some(vec![TextEdit { span: node.span.clone(), text: json_block(value, &indent, &indent_unit(text)) }])
}

/// Appends an item to a JSON list, on its own line when the list is written over several.
pub(crate) fn json_append(cx: &ManifestContext<'_>, list: &Node, item: &Val) -> Option<Vec<TextEdit>> {
    let text = cx.file.text();
    if list.borrowed || !list.is_seq() {
        return None;
    }
    let Some(last) = list.items().last() else {
        return editor(cx).replace(list, &Val::List(vec![item.clone()]));
    };
    if last.borrowed {
        return None;
    }
    if !multi_line(text, list) {
        let one_line = json_block(item, "", "").replace('\n', " ");
        let compact = one_line.replace("{ ", "{").replace(" }", "}").replace("[ ", "[").replace(" ]", "]");
        return Some(vec![TextEdit { span: last.span.end..last.span.end, text: format!(", {compact}") }]);
    }
    let indent = line_indent(text, last.span.start).to_string();
    Some(vec![TextEdit {
        span: last.span.end..last.span.end,
        text: format!(",\n{indent}{}", json_block(item, &indent, &indent_unit(text))),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_posture::edit::apply;

    fn doc(text: &str) -> Vec<Document> {
        rampart_yaml::parse_stream(text).into_iter().map(Result::unwrap).collect()
    }

    #[test]
    fn write_merges_missing_keys_into_one_block() {
        let text = "c:\n  name: app\n";
        let docs = doc(text);
        let c = docs[0].root.get("c").unwrap();
        let edits = write(
            text,
            c,
            &[
                (&["securityContext", "capabilities", "drop"], Change::Add(Val::str("ALL"))),
                (&["securityContext", "capabilities", "add"], Change::Add(Val::str("NET_BIND_SERVICE"))),
                (&["securityContext", "allowPrivilegeEscalation"], Change::Set(Val::Bool(false))),
            ],
        )
        .unwrap();
        assert_eq!(
            apply(text, &edits),
            "c:\n  name: app\n  securityContext:\n    capabilities:\n      drop: [ALL]\n      add: [NET_BIND_SERVICE]\n    allowPrivilegeEscalation: false\n"
        );
        // Into what exists, and into an empty flow mapping.
        let text = "c: {name: app, securityContext: {}}\n";
        let docs = doc(text);
        let c = docs[0].root.get("c").unwrap();
        let edits = write(
            text,
            c,
            &[
                (&["securityContext", "runAsUser"], Change::Set(Val::Int(10001))),
                (&["securityContext", "runAsGroup"], Change::Set(Val::Int(10001))),
            ],
        )
        .unwrap();
        assert_eq!(apply(text, &edits), "c: {name: app, securityContext: {runAsUser: 10001, runAsGroup: 10001}}\n");
    }

    #[test]
    fn removals_keep_comments_and_separators() {
        let text = "m:\n  keep: 1\n  gone: true # why it was set\n  add:\n    - A # first\n    - B\n    - C\n  flow: [A, B, C, D]\n";
        let docs = doc(text);
        let m = docs[0].root.get("m").unwrap();
        let ed = Editor::new(text);
        let out = apply(text, &remove_entry(&ed, text, m, "gone").unwrap());
        assert!(out.contains("  keep: 1\n  # why it was set\n  add:"), "{out}");
        let out = apply(text, &remove_items(&ed, text, m, "add", &[0, 2], true).unwrap());
        assert!(out.contains("  add:\n    # first\n    - B\n  flow"), "{out}");
        let out = apply(text, &remove_items(&ed, text, m, "flow", &[0, 2, 3], true).unwrap());
        assert!(out.contains("flow: [B]"), "{out}");
        let out = apply(text, &remove_items(&ed, text, m, "flow", &[1, 2], true).unwrap());
        assert!(out.contains("flow: [A, D]"), "{out}");
        let out = apply(text, &remove_items(&ed, text, m, "flow", &[0, 1, 2, 3], true).unwrap());
        assert!(!out.contains("flow"), "{out}");
        let out = apply(text, &remove_items(&ed, text, m, "flow", &[0, 1, 2, 3], false).unwrap());
        assert!(out.contains("flow: []"), "{out}");
    }

    #[test]
    fn json_lists_and_objects_keep_one_entry_per_line() {
        let text = "{\n  \"mounts\": [\n    {\n      \"destination\": \"/proc\"\n    }\n  ],\n  \"linux\": {\n    \"maskedPaths\": []\n  }\n}\n";
        let docs = doc(text);
        let file = rampart_diagnostics::SourceFile::new("config.json", text.to_string());
        let options = crate::RuleOptions::default();
        let cx = ManifestContext::new(&file, crate::FileKind::OciRuntime, &docs, &options);
        let mounts = docs[0].root.get("mounts").unwrap();
        let item = Val::Map(vec![
            ("destination".into(), Val::str("/tmp")),
            ("options".into(), Val::List(vec![Val::str("nosuid")])),
        ]);
        let out = apply(text, &json_append(&cx, mounts, &item).unwrap());
        assert!(out.contains("    },\n    {\n      \"destination\": \"/tmp\",\n      \"options\": [\n        \"nosuid\"\n      ]\n    }\n  ],"), "{out}");
        let linux = docs[0].root.get("linux").unwrap();
        let out =
            apply(text, &json_insert(&cx, linux, "readonlyPaths", &Val::List(vec![Val::str("/proc/bus")])).unwrap());
        assert!(
            out.contains("\"maskedPaths\": [],\n    \"readonlyPaths\": [\n      \"/proc/bus\"\n    ]\n  }"),
            "{out}"
        );
        let masked = linux.get("maskedPaths").unwrap();
        let out = apply(text, &json_replace(&cx, linux, masked, &Val::List(vec![Val::str("/proc/kcore")])).unwrap());
        assert!(out.contains("\"maskedPaths\": [\n      \"/proc/kcore\"\n    ]\n  }"), "{out}");
    }

    #[test]
    fn comments_are_found_outside_quotes() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("a: 'b # c'"), None);
        assert_eq!(comment_start("a: \"b # c\" # d"), Some(11));
        assert_eq!(comment_start("a: b#c"), None);
        assert_eq!(comment_start("# whole"), Some(0));
    }
}
