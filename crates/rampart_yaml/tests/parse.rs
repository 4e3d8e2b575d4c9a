use rampart_yaml::{Limits, ScalarStyle, parse_stream, parse_stream_with};

fn slice(text: &str, span: std::ops::Range<usize>) -> &str {
    &text[span]
}

#[test]
fn spans_point_at_the_written_text() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web  # comment\nspec:\n  containers:\n    - name: app\n      image: \"nginx:1.27\"\n      securityContext: {privileged: true}\n";
    let docs = parse_stream(text);
    let doc = docs[0].as_ref().unwrap();
    let c = &doc.root.path(&["spec", "containers"]).unwrap().items()[0];
    let image = c.get("image").unwrap();
    assert_eq!(image.as_str(), Some("nginx:1.27"));
    assert_eq!(image.scalar().unwrap().1, ScalarStyle::DoubleQuoted);
    assert_eq!(slice(text, image.span.clone()), "\"nginx:1.27\"");
    let entry = c.entry("securityContext").unwrap();
    assert_eq!(slice(text, entry.key.span.clone()), "securityContext");
    assert_eq!(slice(text, entry.value.span.clone()), "{privileged: true}");
    assert_eq!(entry.value.get_bool("privileged"), Some(true));
    assert_eq!(
        slice(text, c.span.clone()),
        "name: app\n      image: \"nginx:1.27\"\n      securityContext: {privileged: true}"
    );
    assert_eq!(slice(text, doc.root.get("metadata").unwrap().span.clone()), "name: web");
}

#[test]
fn multi_document_streams_keep_going_after_an_error() {
    let text = "kind: A\n---\nkind: [B\n---\n# only a comment\n---\nkind: C\n...\n";
    let docs = parse_stream(text);
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0].as_ref().unwrap().root.get_str("kind"), Some("A"));
    let err = docs[1].as_ref().unwrap_err();
    assert!(err.span.start >= 12 && err.span.start <= 24, "{err:?}");
    assert_eq!(docs[2].as_ref().unwrap().root.get_str("kind"), Some("C"));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "x-base: &base\n  user: \"1000\"\n  read_only: true\nservices:\n  web:\n    <<: *base\n    read_only: false\n  db:\n    <<: [*base]\n    image: pg\n";
    let doc = parse_stream(text).remove(0).unwrap();
    let web = doc.root.path(&["services", "web"]).unwrap();
    assert_eq!(web.get_bool("read_only"), Some(false));
    let user = web.get("user").unwrap();
    assert_eq!(user.as_str(), Some("1000"));
    assert!(user.borrowed);
    // The merged value points at its definition.
    assert_eq!(slice(text, user.span.clone()), "\"1000\"");
    let db = doc.root.path(&["services", "db"]).unwrap();
    assert_eq!(db.get_bool("read_only"), Some(true));
    assert_eq!(db.get_str("image"), Some("pg"));
}

#[test]
fn alias_bombs_are_rejected_quickly() {
    let mut text = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        text.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let t = std::time::Instant::now();
    let docs = parse_stream(&text);
    let err = docs[0].as_ref().unwrap_err();
    assert!(err.message.contains("alias bomb"), "{err:?}");
    assert!(t.elapsed().as_secs() < 5);
    // The same shape within the budget is fine.
    let small = "a: &a [1, 2]\nb: [*a, *a]\n";
    let doc = parse_stream_with(small, Limits { max_alias_nodes: 10, max_depth: 64 }).remove(0).unwrap();
    assert_eq!(doc.root.get("b").unwrap().items().len(), 2);
}

#[test]
fn kubernetes_scalars() {
    let doc = parse_stream("a: yes\nb: \"true\"\nc: 0x1F\nd: ~\ne:\nf: 'x'\ng: \"8080\"\n").remove(0).unwrap();
    assert_eq!(doc.root.get_bool("a"), Some(true));
    assert_eq!(doc.root.get_bool("b"), None);
    assert_eq!(doc.root.get("c").unwrap().as_i64(), Some(31));
    assert!(doc.root.get("d").unwrap().is_null());
    assert!(doc.root.get("e").unwrap().is_null());
    assert_eq!(doc.root.get_str("f"), Some("x"));
    assert_eq!(doc.root.get("g").unwrap().as_i64_lenient(), Some(8080));
}

#[test]
fn json_is_yaml() {
    let text = "{\n\t\"ociVersion\": \"1.0.2\",\n\t\"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"noNewPrivileges\": true}\n}\n";
    let doc = parse_stream(text).remove(0).unwrap();
    let uid = doc.root.path(&["process", "user", "uid"]).unwrap();
    assert_eq!(uid.as_i64(), Some(0));
    assert_eq!(slice(text, uid.span.clone()), "0");
    assert_eq!(doc.root.path(&["process", "noNewPrivileges"]).unwrap().as_bool(), Some(true));
}

#[test]
fn hostile_input_never_panics() {
    let deep = "[".repeat(100_000);
    assert!(parse_stream(&deep)[0].is_err());
    let deep = "a:\n".to_string() + &(1..2000).map(|i| format!("{}b:\n", " ".repeat(i))).collect::<String>();
    let _ = parse_stream(&deep);
    for s in [
        "",
        "---",
        "...",
        "- - - -",
        "&a *a",
        "*x",
        "<<: 1",
        "a: &x b\n<<: *x",
        "\u{feff}a: 1",
        "\t- x",
        "{a: 1,",
        "'",
        "\"\\u",
        "a: |\n  x\n---\n",
    ] {
        let _ = parse_stream(s);
    }
}
