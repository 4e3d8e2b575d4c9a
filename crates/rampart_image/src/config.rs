//! The image configuration: Docker's format, of which the OCI image config is a subset
//! (Docker's adds `Healthcheck`, which the rules need, so oci-spec's type is not enough).
//! Every field is optional and `null` is accepted wherever Docker writes it.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub config: Option<RunConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Option<Vec<History>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub env: Option<Vec<String>>,
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub working_dir: Option<String>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub stop_signal: Option<String>,
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default)]
    pub test: Option<Vec<String>>,
}

impl Healthcheck {
    /// `HEALTHCHECK NONE` is `["NONE"]`; an empty test inherits, which in a final image means none.
    pub fn is_enabled(&self) -> bool {
        match self.test.as_deref() {
            None | Some([]) => false,
            Some([first, ..]) => first != "NONE",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub diff_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: Option<bool>,
}

impl ImageConfig {
    pub fn run(&self) -> RunConfig {
        self.config.clone().unwrap_or_default()
    }

    pub fn diff_ids(&self) -> &[String] {
        self.rootfs.as_ref().and_then(|r| r.diff_ids.as_deref()).unwrap_or(&[])
    }

    pub fn history(&self) -> &[History] {
        self.history.as_deref().unwrap_or(&[])
    }

    /// For each layer, the index of the history entry that created it (history entries with
    /// `empty_layer` made no layer). `None` when the history does not line up with the layers.
    pub fn layer_history(&self) -> Vec<Option<usize>> {
        let layers = self.diff_ids().len();
        let mut out = Vec::with_capacity(layers);
        for (index, entry) in self.history().iter().enumerate() {
            if !entry.empty_layer.unwrap_or(false) {
                out.push(Some(index));
            }
        }
        if out.len() != layers {
            return vec![None; layers];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_with_nulls_and_healthcheck() {
        let config: ImageConfig = serde_json::from_str(
            r#"{"architecture":"amd64","os":"linux","config":{"User":"","Env":null,"Cmd":["bash"],
            "ExposedPorts":{"22/tcp":{}},"Healthcheck":{"Test":["CMD","true"],"Interval":30000000000}},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
            "history":[{"created_by":"ADD x"},{"created_by":"ENV a=b","empty_layer":true},{"created_by":"RUN y"}]}"#,
        )
        .unwrap();
        let run = config.run();
        assert_eq!(run.user.as_deref(), Some(""));
        assert!(run.env.is_none());
        assert!(run.healthcheck.unwrap().is_enabled());
        assert_eq!(config.layer_history(), [Some(0), Some(2)]);
    }
}
