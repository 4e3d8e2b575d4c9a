use rampart_posture::edit::{Editor, Val, apply};
use rampart_yaml::parse_stream;

fn doc(text: &str) -> rampart_yaml::Document {
    parse_stream(text).remove(0).unwrap()
}

fn container(d: &rampart_yaml::Document) -> &rampart_yaml::Node {
    &d.root.path(&["spec", "containers"]).unwrap().items()[0]
}

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web # the web tier
spec:
    containers:
      - name: app
        image: nginx:1.27   # pinned below
        securityContext:
          runAsUser: 1000

      - name: sidecar
        image: envoy:1.30
";

#[test]
fn sets_a_nested_key_in_the_surrounding_style() {
    let d = doc(POD);
    let e = Editor::new(POD);
    let edits = e.set_path(container(&d), &["securityContext", "allowPrivilegeEscalation"], &Val::Bool(false)).unwrap();
    let out = apply(POD, &edits);
    assert!(
        out.contains("          runAsUser: 1000\n          allowPrivilegeEscalation: false\n\n      - name: sidecar"),
        "{out}"
    );
    assert!(out.contains("# the web tier") && out.contains("# pinned below"));
    // The second container has no securityContext: the block is created at its indentation.
    let side = &d.root.path(&["spec", "containers"]).unwrap().items()[1];
    let edits =
        e.set_path(side, &["securityContext", "capabilities", "drop"], &Val::List(vec![Val::str("ALL")])).unwrap();
    let out = apply(POD, &edits);
    assert!(
        out.ends_with(
            "        image: envoy:1.30\n        securityContext:\n          capabilities:\n            drop: [ALL]\n"
        ),
        "{out}"
    );
    assert_eq!(parse_stream(&out).len(), 1);
}

#[test]
fn replaces_values_and_removes_entries() {
    let text = "spec:\n  hostNetwork: true\n  hostPID: true # debugging\n  containers: []\n";
    let d = doc(text);
    let e = Editor::new(text);
    let spec = d.root.get("spec").unwrap();
    let out = apply(text, &e.set(spec, "hostNetwork", &Val::Bool(false)).unwrap());
    assert_eq!(out, "spec:\n  hostNetwork: false\n  hostPID: true # debugging\n  containers: []\n");
    let out = apply(text, &e.remove(spec, "hostPID").unwrap());
    assert_eq!(out, "spec:\n  hostNetwork: true\n  containers: []\n");
}

#[test]
fn flow_style_and_lists() {
    let text = "c: {name: app, securityContext: {capabilities: {drop: [NET_RAW]}}}\nl:\n  - a\n  - b\n";
    let d = doc(text);
    let e = Editor::new(text);
    let c = d.root.get("c").unwrap();
    let out = apply(text, &e.add_to_list(c, &["securityContext", "capabilities", "drop"], &Val::str("ALL")).unwrap());
    assert!(out.starts_with("c: {name: app, securityContext: {capabilities: {drop: [NET_RAW, ALL]}}}"), "{out}");
    let out = apply(text, &e.set(c, "image", &Val::str("nginx:1.27")).unwrap());
    assert!(
        out.starts_with("c: {name: app, securityContext: {capabilities: {drop: [NET_RAW]}}, image: \"nginx:1.27\"}"),
        "{out}"
    );
    let out = apply(text, &e.add_to_list(&d.root, &["l"], &Val::str("c")).unwrap());
    assert_eq!(out, "c: {name: app, securityContext: {capabilities: {drop: [NET_RAW]}}}\nl:\n  - a\n  - b\n  - c\n");
    // Already there: nothing to do.
    assert!(e.add_to_list(&d.root, &["l"], &Val::str("a")).unwrap().is_empty());
    let out = apply(text, &e.remove(c, "name").unwrap());
    assert!(out.starts_with("c: {securityContext:"), "{out}");
}

#[test]
fn entries_of_list_items_and_null_values() {
    let text = "containers:\n- name: app\n  securityContext:\n  image: x\n";
    let d = doc(text);
    let e = Editor::new(text);
    let c = &d.root.get("containers").unwrap().items()[0];
    let out = apply(text, &e.set_path(c, &["securityContext", "privileged"], &Val::Bool(false)).unwrap());
    assert_eq!(out, "containers:\n- name: app\n  securityContext:\n    privileged: false\n  image: x\n");
    let out = apply(text, &e.remove(c, "name").unwrap());
    assert_eq!(out, "containers:\n- securityContext:\n  image: x\n");
}

#[test]
fn json_keeps_its_indentation() {
    let text = "{\n\t\"ociVersion\": \"1.0.2\",\n\t\"process\": {\n\t\t\"terminal\": true,\n\t\t\"user\": {\"uid\": 0, \"gid\": 0}\n\t}\n}\n";
    let d = doc(text);
    let e = Editor::new(text);
    let process = d.root.get("process").unwrap();
    let out = apply(text, &e.set(process, "noNewPrivileges", &Val::Bool(true)).unwrap());
    assert_eq!(
        out,
        "{\n\t\"ociVersion\": \"1.0.2\",\n\t\"process\": {\n\t\t\"terminal\": true,\n\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n\t\t\"noNewPrivileges\": true\n\t}\n}\n"
    );
    let out =
        apply(text, &e.set_path(&d.root, &["linux", "seccomp", "defaultAction"], &Val::str("SCMP_ACT_ERRNO")).unwrap());
    assert!(
        out.contains("\t\"linux\": {\n\t\t\"seccomp\": {\n\t\t\t\"defaultAction\": \"SCMP_ACT_ERRNO\"\n\t\t}\n\t}\n}"),
        "{out}"
    );
    assert!(serde_json_like(&out));
    let user = process.get("user").unwrap();
    let out = apply(text, &e.set(user, "uid", &Val::Int(10001)).unwrap());
    assert!(out.contains("{\"uid\": 10001, \"gid\": 0}"));
}

/// The result parses as a single YAML (hence JSON-compatible) document.
fn serde_json_like(text: &str) -> bool {
    parse_stream(text).iter().all(|d| d.is_ok())
}

#[test]
fn aliased_nodes_are_not_edited() {
    let text = "x-base: &base\n  privileged: true\nservices:\n  web:\n    <<: *base\n    image: a\n  db: *base\n";
    let d = doc(text);
    let e = Editor::new(text);
    let web = d.root.path(&["services", "web"]).unwrap();
    assert!(e.set(web, "privileged", &Val::Bool(false)).is_none());
    let db = d.root.path(&["services", "db"]).unwrap();
    assert!(e.set(db, "read_only", &Val::Bool(true)).is_none());
}

#[test]
fn node_at_finds_the_item_of_a_one_item_indentless_sequence() {
    // The sequence starts where its only item does: the item is the node meant.
    let text = "spec:\n  containers:\n  - name: c\n    image: x\n";
    let d = doc(text);
    let item = &d.root.path(&["spec", "containers"]).unwrap().items()[0];
    let found = rampart_posture::edit::node_at(std::slice::from_ref(&d), &item.span).unwrap();
    assert!(found.is_map(), "{found:?}");
}

#[test]
fn unindented_block_lists_of_flow_items_stay_block_lists() {
    // The reader starts such a list at its first item, a `{` or `[`: still a block list.
    for (text, want) in [
        ("volumes:\n- {name: a, emptyDir: {}}\nx: 1\n", "volumes:\n- {name: a, emptyDir: {}}\n- {name: b}\nx: 1\n"),
        ("volumes:\n- [a]\nx: 1\n", "volumes:\n- [a]\n- {name: b}\nx: 1\n"),
        ("volumes: [[a]]\n", "volumes: [[a], {name: b}]\n"),
    ] {
        let d = doc(text);
        let e = Editor::new(text);
        let item = Val::Map(vec![("name".into(), Val::str("b"))]);
        let out = apply(text, &e.add_to_list(&d.root, &["volumes"], &item).unwrap());
        assert_eq!(out, want);
        let list = d.root.get("volumes").unwrap();
        let out = apply(text, &e.remove_item(list, 0).unwrap());
        assert!(parse_stream(&out).remove(0).is_ok(), "{out}");
    }
}

#[test]
fn entries_after_a_block_scalar_go_before_the_comments_that_follow_it() {
    let text = "c:\n  cmd:\n    - |\n      exec a\n  # one\n  # two\n  x: 1\n";
    let d = doc(text);
    let e = Editor::new(text);
    let c = d.root.get("c").unwrap();
    let out = apply(text, &e.add_to_list(c, &["cmd"], &Val::str("b")).unwrap());
    assert_eq!(out, "c:\n  cmd:\n    - |\n      exec a\n    - b\n  # one\n  # two\n  x: 1\n");
    let text = "c:\n  cmd: |\n    exec é\n  # one\nd: 1\n";
    let d = doc(text);
    let e = Editor::new(text);
    let c = d.root.get("c").unwrap();
    let out = apply(text, &e.set(c, "y", &Val::Bool(true)).unwrap());
    assert_eq!(out, "c:\n  cmd: |\n    exec é\n  y: true\n  # one\nd: 1\n");
    let out = apply(text, &e.remove(c, "cmd").unwrap());
    assert!(out.contains("# one"), "{out}");
}

#[test]
fn the_indentation_step_ignores_scripts_in_block_scalars() {
    use rampart_posture::edit::indent_step;
    let text = "spec:\n  containers:\n  - name: a\n    command:\n      - |\n        if x\n         then y\n          z\n    image: b\n";
    assert_eq!(indent_step(text), 2);
    assert_eq!(indent_step("a:\n    b:\n        c: 1\n"), 4);
    assert_eq!(indent_step("{\n\t\"a\": 1\n}\n"), 2);
    assert_eq!(indent_step("a: 1\n"), 2);
    assert_eq!(indent_step("{\n   \"a\": {\n      \"b\": 1\n   }\n}\n"), 3);
}
