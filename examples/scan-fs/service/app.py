"""A tiny order service: renders a Jinja2 template from a YAML config and calls an upstream."""

import jinja2
import requests
import yaml


def render(config_path: str) -> str:
    with open(config_path) as handle:
        config = yaml.safe_load(handle)
    upstream = requests.get(config["upstream"], timeout=5).json()
    return jinja2.Template(config["template"]).render(upstream=upstream)
