//! A YAML null reads as Kubernetes decodes it: an absent volume source, an empty annotation.

use rampart_posture::VolumeKind;
use rampart_posture::kubernetes::workloads;

fn load(text: &str) -> Vec<rampart_posture::Workload> {
    rampart_yaml::parse_stream(text).into_iter().flat_map(|d| workloads(&d.unwrap().root)).collect()
}

#[test]
fn a_null_volume_source_is_no_source() {
    let w = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n  volumes:\n    - {name: a, hostPath: ~}\n    - {name: b, hostPath: null, secret: {secretName: s}}\n    - {name: c, hostPath: {path: /etc}}\n",
    );
    let kinds: Vec<&VolumeKind> = w[0].volumes.iter().map(|v| &v.kind).collect();
    assert_eq!(kinds[0], &VolumeKind::EmptyDir);
    assert_eq!(kinds[1], &VolumeKind::Secret);
    assert!(matches!(kinds[2], VolumeKind::HostPath { path, .. } if path == "/etc"));
}

#[test]
fn a_null_annotation_is_empty_but_a_quoted_one_is_not() {
    let w = load(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    a: ~\n    b:\n    c: \"null\"\nspec:\n  containers: [{name: c, image: x}]\n",
    );
    let values: Vec<&str> = w[0].annotations.iter().map(|(_, v)| v.value.as_str()).collect();
    assert_eq!(values, ["", "", "null"]);
}
