//! Maven's `pom.xml`: the project's direct `<dependencies>`, named `groupId:artifactId` (the
//! OSV Maven name). Versions are taken literally or resolved from `${...}` references to the
//! pom's `<properties>`, `${project.version}` (or the parent's version when the project has
//! none), `${project.groupId}` and `${project.parent.version}`; a dependency without a version
//! takes it from the pom's own `<dependencyManagement>`. Versions still unresolved (a property
//! defined in a parent pom), ranges (`[1.0,2.0)`) and dependencies of profiles and plugins give
//! no package: only the pom itself is read, without Maven's inheritance.
//!
//! The XML reader is a small tolerant scanner of elements and text (no DTDs, no entities but
//! the five predefined ones), bounded in depth.

use std::collections::HashMap;

use super::{MAX_MANIFEST, Sink, text};
use crate::catalogers::{error, file_name};
use crate::{CatalogError, Cataloger, Ecosystem, FileMeta, Found, Location, Want};

#[derive(Debug)]
pub struct PomCataloger;

/// Deeper than any real pom.
const MAX_DEPTH: usize = 64;

impl Cataloger for PomCataloger {
    fn name(&self) -> &'static str {
        "pom"
    }

    fn wants(&self, file: &FileMeta<'_>) -> Want {
        if file_name(file.path) == "pom.xml" { Want::Content { limit: MAX_MANIFEST } } else { Want::No }
    }

    fn catalog(&self, location: &Location, content: &[u8], found: &mut Vec<Found>) -> Result<(), CatalogError> {
        let pom = Pom::read(text(content)?)?;
        let mut sink = Sink::new(location, self.name(), Ecosystem::Maven, found);
        for dependency in &pom.dependencies {
            let (Some(group), Some(artifact)) = (dependency.get("groupId"), dependency.get("artifactId")) else {
                continue;
            };
            let (group, artifact) = (pom.resolve(group), pom.resolve(artifact));
            let version = match dependency.get("version") {
                Some(version) => Some(pom.resolve(version)),
                None => pom
                    .managed
                    .iter()
                    .find(|m| {
                        m.get("groupId").and_then(|g| pom.resolve(g)) == group
                            && m.get("artifactId").and_then(|a| pom.resolve(a)) == artifact
                    })
                    .and_then(|m| m.get("version"))
                    .map(|v| pom.resolve(v)),
            };
            let (Some(group), Some(artifact), Some(Some(version))) = (group, artifact, version) else { continue };
            if version.starts_with(['[', '(']) || version.contains(',') {
                continue;
            }
            sink.push(&format!("{group}:{artifact}"), &version);
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Pom {
    properties: HashMap<String, String>,
    dependencies: Vec<HashMap<String, String>>,
    managed: Vec<HashMap<String, String>>,
}

impl Pom {
    fn read(text: &str) -> Result<Pom, CatalogError> {
        let mut pom = Pom::default();
        let mut stack: Vec<&str> = Vec::new();
        let mut current: HashMap<String, String> = HashMap::new();
        let mut rest = text;
        let mut saw_project = false;
        while let Some(open) = rest.find('<') {
            let body = &rest[..open];
            rest = &rest[open..];
            if !body.trim().is_empty()
                && let Some(&leaf) = stack.last()
            {
                let value = decode(body.trim());
                let path = &stack[..];
                match path {
                    ["project", "properties", name] => {
                        pom.properties.insert((*name).to_string(), value);
                    }
                    ["project", field @ ("version" | "groupId")] => {
                        pom.properties.insert(format!("project.{field}"), value);
                    }
                    ["project", "parent", field @ ("version" | "groupId")] => {
                        pom.properties.insert(format!("project.parent.{field}"), value);
                    }
                    ["project", "dependencies", "dependency", _]
                    | ["project", "dependencyManagement", "dependencies", "dependency", _] => {
                        current.insert(leaf.to_string(), value);
                    }
                    _ => {}
                }
            }
            // Comments, CDATA, processing instructions and declarations.
            for (start, end) in [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")] {
                if rest.starts_with(start) {
                    let close = rest.find(end).ok_or_else(|| error("pom.xml: unterminated markup"))?;
                    rest = &rest[close + end.len()..];
                    break;
                }
            }
            if !rest.starts_with('<') {
                continue;
            }
            let close = rest.find('>').ok_or_else(|| error("pom.xml: unterminated tag"))?;
            let tag = &rest[1..close];
            rest = &rest[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                if stack.last() != Some(&name) {
                    return Err(error(format!("pom.xml: `</{name}>` closes nothing")));
                }
                match stack.as_slice() {
                    ["project", "dependencies", "dependency"] => pom.dependencies.push(std::mem::take(&mut current)),
                    ["project", "dependencyManagement", "dependencies", "dependency"] => {
                        pom.managed.push(std::mem::take(&mut current));
                    }
                    _ => {}
                }
                stack.pop();
                continue;
            }
            let self_closing = tag.ends_with('/');
            let name = tag.trim_end_matches('/').split(|c: char| c.is_whitespace()).next().unwrap_or("");
            // Namespace prefixes are rare in poms; compare local names.
            let name = name.rsplit(':').next().unwrap_or(name);
            if name.is_empty() {
                return Err(error("pom.xml: empty tag"));
            }
            if self_closing {
                continue;
            }
            if stack.is_empty() {
                if saw_project || name != "project" {
                    return Err(error("pom.xml: the root element is not <project>"));
                }
                saw_project = true;
            }
            if stack.len() >= MAX_DEPTH {
                return Err(error("pom.xml: nested too deeply"));
            }
            if matches!(
                stack.as_slice(),
                ["project", "dependencies"] | ["project", "dependencyManagement", "dependencies"]
            ) && name == "dependency"
            {
                current.clear();
            }
            stack.push(name);
        }
        if !saw_project {
            return Err(error("pom.xml: no <project>"));
        }
        if !pom.properties.contains_key("project.version")
            && let Some(parent) = pom.properties.get("project.parent.version").cloned()
        {
            pom.properties.insert("project.version".into(), parent);
        }
        if !pom.properties.contains_key("project.groupId")
            && let Some(parent) = pom.properties.get("project.parent.groupId").cloned()
        {
            pom.properties.insert("project.groupId".into(), parent);
        }
        Ok(pom)
    }

    /// Replaces `${name}` references (nested ones too, a bounded number of times); `None`
    /// when one stays unresolved.
    fn resolve(&self, value: &str) -> Option<String> {
        let mut value = value.to_string();
        for _ in 0..16 {
            let Some(start) = value.find("${") else { return Some(value).filter(|v| !v.is_empty()) };
            let end = start + value[start..].find('}')?;
            let name = &value[start + 2..end];
            let name = match name {
                "version" | "pom.version" => "project.version",
                "groupId" | "pom.groupId" => "project.groupId",
                other => other,
            };
            let replacement = self.properties.get(name)?;
            if value.len() + replacement.len() > 4096 {
                return None;
            }
            value.replace_range(start..=end, replacement);
        }
        None
    }
}

fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogers::lock::{pairs, run};

    #[test]
    fn fixture() {
        let got =
            run(&PomCataloger, "service/pom.xml", include_bytes!("../../../tests/fixtures/lock/pom.xml")).unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("org.apache.logging.log4j:log4j-core", "2.14.1"),
                ("org.apache.logging.log4j:log4j-api", "2.14.1"),
                ("com.fasterxml.jackson.core:jackson-databind", "2.9.10.1"),
                ("com.example:shared-model", "1.4.0"),
                ("junit:junit", "4.12"),
                ("org.yaml:snakeyaml", "1.26"),
            ])
        );
    }

    #[test]
    fn hostile() {
        let deep = format!("<project>{}", "<a>".repeat(100_000));
        assert!(run(&PomCataloger, "pom.xml", deep.as_bytes()).is_err());
        assert!(run(&PomCataloger, "pom.xml", b"<project><dependencies><dependency><groupId>a").unwrap().is_empty());
        assert!(run(&PomCataloger, "pom.xml", b"<project></x>").is_err());
        assert!(run(&PomCataloger, "pom.xml", b"<html/>").is_err());
        assert!(run(&PomCataloger, "pom.xml", b"<project><!-- ").is_err());
        // A property that refers to itself, and one that doubles at every step.
        let looping = "<project><properties><a>${a}</a><b>${b}${b}</b></properties><dependencies>\
            <dependency><groupId>g</groupId><artifactId>x</artifactId><version>${a}</version></dependency>\
            <dependency><groupId>g</groupId><artifactId>y</artifactId><version>${b}</version></dependency>\
            </dependencies></project>";
        assert!(run(&PomCataloger, "pom.xml", looping.as_bytes()).unwrap().is_empty());
    }
}
