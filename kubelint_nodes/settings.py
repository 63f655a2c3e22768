"""The resolved options of one run: command line merged over the config file.

Everything downstream (loader, engine, reporters) reads this one object, so a
new option is added here once and never threaded through call chains.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .loader.yamlparse import Limits

SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "never")


@dataclass
class Settings:
    paths: list[str] = field(default_factory=list)
    fmt: str = "text"
    output: str | None = None
    reports: list[tuple[str, str]] = field(default_factory=list)
    config_file: str | None = None
    inventory: str | None = None
    kubelet_configs: list[str] = field(default_factory=list)
    # (drop-in dir, the --kubelet-config it merges over or None), in command-line order
    kubelet_config_dirs: list[tuple[str, str | None]] = field(default_factory=list)
    static_pod_dirs: list[str] = field(default_factory=list)
    fail_on: str = "error"
    enable: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    severity_overrides: dict[str, str] = field(default_factory=dict)
    rule_params: dict[str, dict] = field(default_factory=dict)
    rules_dirs: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    stdin_filename: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    kubernetes_version: str | None = None
    whole_repo: bool = False
    show_suppressed: bool = False
    force_exclude: bool = False
    strict_kinds: bool = False
    jobs: int = 1  # 0: automatic (lint.worker_count)
    debug: bool = False
    limits: Limits = field(default_factory=Limits)
    cwd: str = field(default_factory=os.getcwd)
    repo_root: str = ""
    color: bool = False
    # abspath -> bytes linted instead of the file on disk (`fix` re-lints its edits in memory, issue 12)
    overrides: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.repo_root:
            self.repo_root = find_repo_root(self.cwd, self.config_file)


def find_repo_root(cwd: str, config_file: str | None = None) -> str:
    """SPEC §4: the git top-level, else the config file's directory, else the cwd."""
    here = Path(cwd).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return str(d)
    if config_file:
        return str(Path(config_file).resolve().parent)
    return str(here)
