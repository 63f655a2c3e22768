"""The config file ``.kubelint-nodes.yaml``: found upward from the cwd or named with --config.

Command-line options win over the file; paths in the file are relative to its
own directory; globs stay as written and match repository-relative paths
(SPEC §7). An invalid file is exit 2 with file, line and "did you mean".
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .lint import UsageError
from .settings import Settings, find_repo_root

CONFIG_NAME = ".kubelint-nodes.yaml"


class ConfigError(UsageError):
    """An invalid config file: exit 2, the message names file and line."""


def find_config(cwd: str) -> str | None:
    """The nearest ``.kubelint-nodes.yaml`` upward from ``cwd``, not above the git top-level.

    Stopping at the repository root keeps a stray file in a parent directory
    (a home directory, ``/tmp``) from configuring unrelated repositories.
    """
    here = Path(cwd).resolve()
    for d in (here, *here.parents):
        cand = d / CONFIG_NAME
        if cand.is_file():
            return str(cand)
        if (d / ".git").exists():
            return None
    return None


def display_path(path: str, cwd: str) -> str:
    """How reports name a file the config refers to: relative to the cwd, so output stays the same on
    every checkout (an absolute path only across Windows drives)."""
    absolute = os.path.abspath(os.path.join(cwd, path))
    rel = os.path.relpath(absolute, os.path.abspath(cwd)) if _same_drive(absolute, cwd) else absolute
    return rel.replace(os.sep, "/")


def _same_drive(a: str, b: str) -> bool:
    return os.path.splitdrive(os.path.abspath(a))[0] == os.path.splitdrive(os.path.abspath(b))[0]


def load_config_data(path: str, display: str | None = None) -> tuple[dict[str, Any], Any, str]:
    """(data, parsed document, text) of a config file; ConfigError for unreadable or malformed YAML."""
    from .loader.yamlparse import parse_yaml

    shown = display or path
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read config file: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: the config file is not UTF-8") from None
    res = parse_yaml(text)
    if res.issues:
        i = res.issues[0]
        raise ConfigError(f"{shown}:{i.line}:{i.column}: {i.message}")
    docs = [d for d in res.documents if d.data is not None]
    if len(docs) > 1:
        line = docs[1].start[0]
        raise ConfigError(f"{shown}:{line}:1: the config file holds one YAML document, found {len(docs)}")
    if not docs:
        return {}, None, text
    doc = docs[0]
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{shown}:{doc.start[0]}:{doc.start[1]}: the config file must be a mapping of keys")
    for tag, _path, (line, col) in doc.tags:
        raise ConfigError(f"{shown}:{line}:{col}: YAML tag '{tag}' is not allowed in the config file")
    return doc.data, doc, text


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """An empty key (``exclude:`` with nothing under it) means "not set"; ``max_depth`` reads as ``max-depth``."""
    out = {k: v for k, v in data.items() if v is not None}
    if isinstance(out.get("rules"), dict):
        out["rules"] = {k: v for k, v in out["rules"].items() if v is not None}
    if isinstance(out.get("limits"), dict):
        out["limits"] = {(k.replace("_", "-") if isinstance(k, str) else k): v
                         for k, v in out["limits"].items() if v is not None}
    return out


def apply_config(settings: Settings, explicit_fail_on: str | None = None) -> None:
    """Merge the config file under the command-line options already in ``settings``."""
    given = settings.config_file
    if given is None:
        found = find_config(settings.cwd)
        if found is None:
            return
        full = found
    else:
        full = os.path.abspath(os.path.join(settings.cwd, given))
        if os.path.isdir(full):
            raise ConfigError(f"{given}: the config file is a directory")
        if not os.path.isfile(full):
            raise ConfigError(f"{given}: config file does not exist")
    shown = display_path(full, settings.cwd)
    settings.config_file = full
    settings.repo_root = find_repo_root(settings.cwd, full)
    data, doc, text = load_config_data(full, shown)
    data = _normalise(data)
    from .config_schema import validate_config, validate_rule_refs

    validate_config(data, doc, shown)
    base = os.path.dirname(full)

    def rel(p: str) -> str:
        """A config path, resolved against the config's directory and shown relative to the cwd."""
        return display_path(os.path.join(base, p), settings.cwd)

    rules_dirs = _rules_dirs(data, doc, shown, rel, settings.cwd)
    catalogue = _catalogue([*rules_dirs, *settings.rules_dirs])
    validate_rule_refs(data, doc, shown, catalogue)
    version = _kubernetes_version(data, doc, text, shown)

    rules = data.get("rules") or {}
    settings.enable = list(dict.fromkeys([*rules.get("enable", []), *settings.enable]))
    disabled = [r for r in rules.get("disable", []) if r not in settings.enable]
    settings.disable = list(dict.fromkeys([*disabled, *settings.disable]))
    settings.severity_overrides = {**rules.get("severity", {}), **settings.severity_overrides}
    for rid, params in (rules.get("params") or {}).items():
        merged = {k: v for k, v in params.items() if v is not None}
        settings.rule_params[rid] = {**merged, **settings.rule_params.get(rid, {})}
    settings.exclude = [*data.get("exclude", []), *settings.exclude]
    settings.per_path_ignores = {**data.get("per-path-ignores", {}), **settings.per_path_ignores}
    # Declarations about the repository's layout add up; inputs named on the command line replace the file's.
    settings.static_pod_dirs = [*(rel(d) for d in data.get("static-pod-dirs", [])), *settings.static_pod_dirs]
    if not settings.inventory and data.get("inventory"):
        settings.inventory = rel(data["inventory"])
    if not settings.kubelet_configs and not settings.kubelet_config_dirs:
        # The drop-in directories merge over the last kubelet config of the file, as
        # --kubelet-config-dir merges over the --kubelet-config before it.
        settings.kubelet_configs = [rel(p) for p in data.get("kubelet-configs", [])]
        over = settings.kubelet_configs[-1] if settings.kubelet_configs else None
        settings.kubelet_config_dirs = [(rel(d), over) for d in data.get("kubelet-config-dirs", [])]
    settings.rules_dirs = [*rules_dirs, *settings.rules_dirs]
    if not settings.kubernetes_version and version is not None:
        settings.kubernetes_version = version
    if not explicit_fail_on and data.get("fail-on"):
        settings.fail_on = data["fail-on"]
    for key, value in (data.get("limits") or {}).items():
        setattr(settings.limits, key.replace("-", "_"), value)


def _rules_dirs(data: dict[str, Any], doc: Any, shown: str, rel: Any, cwd: str) -> list[str]:
    from .config_schema import _Where

    out = []
    for i, d in enumerate(data.get("rules-dirs", [])):
        resolved = rel(d)
        if not os.path.isdir(os.path.join(cwd, resolved)):
            raise _Where(doc, shown).error(("rules-dirs", i), f"rules-dirs[{i}]: directory '{d}' does not exist "
                                                              f"(looked for {resolved})")
        out.append(resolved)
    return out


def _catalogue(rules_dirs: list[str]) -> Any:
    from .engine.registry import RuleFileError, load_catalogue

    try:
        return load_catalogue(rules_dirs)
    except RuleFileError as exc:
        raise ConfigError(str(exc)) from None


_VERSION_LINE = re.compile(r"^\s*[\"']?kubernetes-version[\"']?\s*:\s*[\"']?([^\s\"'#]+)")


def _kubernetes_version(data: dict[str, Any], doc: Any, text: str, shown: str) -> str | None:
    """The release as written: YAML reads an unquoted ``1.30`` as the number 1.3, so take the source text."""
    value = data.get("kubernetes-version")
    if value is None:
        return None
    from .config_schema import _Where

    where = _Where(doc, shown)
    version = str(value)
    if isinstance(value, float):
        line = where.pos(("kubernetes-version",))[0]
        lines = text.splitlines()
        m = _VERSION_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
        if m:
            version = m.group(1)
    try:
        from .schema import resolve_version
    except ImportError:  # pragma: no cover - the schema package ships with the tool
        return version
    try:
        resolve_version(version)
    except ValueError as exc:
        raise where.error(("kubernetes-version",), f"kubernetes-version: {exc}") from None
    return version
