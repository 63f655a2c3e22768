"""The config file ``.kubelint-nodes.yaml``: found upward from the cwd or named with --config.

Command-line options win over the file; paths in the file are relative to its
own directory (SPEC §7).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .lint import UsageError
from .settings import Settings, find_repo_root

CONFIG_NAME = ".kubelint-nodes.yaml"


class ConfigError(UsageError):
    """An invalid config file: exit 2, the message names file and line."""


def find_config(cwd: str) -> str | None:
    here = Path(cwd).resolve()
    for d in (here, *here.parents):
        cand = d / CONFIG_NAME
        if cand.is_file():
            return str(cand)
    return None


def load_config_data(path: str) -> tuple[dict[str, Any], Any]:
    from .loader.yamlparse import parse_yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    res = parse_yaml(text)
    if res.issues:
        i = res.issues[0]
        raise ConfigError(f"{path}:{i.line}:{i.column}: {i.message}")
    if not res.documents or res.documents[0].data is None:
        return {}, None
    doc = res.documents[0]
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}:1:1: the config file must be a mapping")
    return doc.data, doc


def apply_config(settings: Settings, explicit_fail_on: str | None = None) -> None:
    """Merge the config file under the command-line options already in ``settings``."""
    path = settings.config_file
    if path is None:
        path = find_config(settings.cwd)
    elif not os.path.isfile(os.path.join(settings.cwd, path)):
        raise ConfigError(f"{path}: config file does not exist")
    if path is None:
        return
    path = os.path.join(settings.cwd, path)
    settings.config_file = path
    if not any((Path(settings.cwd).resolve() / p).exists() for p in (".git",)):
        settings.repo_root = find_repo_root(settings.cwd, path)
    data, doc = load_config_data(path)
    from .config_schema import validate_config

    validate_config(data, doc, path)
    base = os.path.dirname(os.path.abspath(path))

    def rel(p: str) -> str:
        return os.path.normpath(os.path.join(base, p))

    rules = data.get("rules") or {}
    settings.enable = list(dict.fromkeys([*rules.get("enable", []), *settings.enable]))
    disabled = [r for r in rules.get("disable", []) if r not in settings.enable]
    settings.disable = list(dict.fromkeys([*disabled, *settings.disable]))
    settings.severity_overrides = {**rules.get("severity", {}), **settings.severity_overrides}
    for rid, params in (rules.get("params") or {}).items():
        settings.rule_params.setdefault(rid, {}).update(params)
    settings.exclude = [*data.get("exclude", []), *settings.exclude]
    settings.per_path_ignores = {**data.get("per-path-ignores", {}), **settings.per_path_ignores}
    settings.static_pod_dirs = [*(rel(d) for d in data.get("static-pod-dirs", [])), *settings.static_pod_dirs]
    if not settings.inventory and data.get("inventory"):
        settings.inventory = rel(data["inventory"])
    settings.kubelet_configs = [*settings.kubelet_configs, *(rel(p) for p in data.get("kubelet-configs", []))]
    settings.kubelet_config_dirs = [*settings.kubelet_config_dirs,
                                    *((rel(d), None) for d in data.get("kubelet-config-dirs", []))]
    settings.rules_dirs = [*(rel(d) for d in data.get("rules-dirs", [])), *settings.rules_dirs]
    if not settings.kubernetes_version and data.get("kubernetes-version") is not None:
        settings.kubernetes_version = str(data["kubernetes-version"])
    if not explicit_fail_on and data.get("fail-on"):
        settings.fail_on = data["fail-on"]
    for key, value in (data.get("limits") or {}).items():
        setattr(settings.limits, key.replace("-", "_"), value)
