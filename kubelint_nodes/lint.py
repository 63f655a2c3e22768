"""The lint pipeline: files -> documents -> resources -> findings -> report data.

Data flows one way; each stage lives in its own package and this module only
wires them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .engine.registry import Catalogue, load_catalogue
from .engine.runner import Engine
from .findings import SEVERITY_RANK, Finding, sort_findings
from .loader.files import Discovery, discover
from .loader.read import LoadedFile, load_file
from .settings import Settings


class UsageError(Exception):
    """Exit 2 with a one-line message (SPEC §3)."""


@dataclass
class LintResult:
    findings: list[Finding]
    suppressed: list[Finding]
    files: int
    documents: int
    loaded: list[LoadedFile] = field(default_factory=list)
    catalogue: Catalogue | None = None
    debug_traces: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return {"files": self.files, "documents": self.documents, "findings": len(self.findings),
                "suppressed": len(self.suppressed), **counts}

    def report(self) -> dict[str, Any]:
        shown = self.findings + [f for f in self.suppressed if f.suppressed is not None]
        return {
            "tool": {"name": "kubelint-nodes", "version": __version__},
            "findings": [f.to_json() for f in sort_findings(shown)],
            "summary": self.summary(),
        }

    def exit_code(self, fail_on: str) -> int:
        if any(f.rule == "internal-error" for f in self.findings):
            return 2
        if fail_on == "never":
            return 0
        threshold = SEVERITY_RANK[fail_on]
        return 1 if any(SEVERITY_RANK.get(f.severity, 0) >= threshold for f in self.findings) else 0


def load_all(discovery: Discovery, settings: Settings) -> list[LoadedFile]:
    return [load_file(f, settings.limits) for f in discovery.files]


def run_lint(settings: Settings, catalogue: Catalogue | None = None) -> LintResult:
    catalogue = catalogue or load_catalogue(settings.rules_dirs)
    discovery = discover(settings)
    if discovery.missing:
        raise UsageError(f"path does not exist: {discovery.missing[0]}")
    engine = Engine(catalogue, settings)
    loaded = load_all(discovery, settings)
    findings: list[Finding] = []
    for lf in loaded:
        findings.extend(engine.lint_file(lf))
    findings.extend(engine.lint_run(loaded))
    for notice in discovery.notices:
        if engine.enabled(notice.rule):
            findings.append(Finding(notice.rule, engine.severity(notice.rule), notice.message, notice.display, 1, 1))
    kept, suppressed = apply_filters(findings, loaded, settings, catalogue)
    return LintResult(sort_findings(kept), suppressed, len(discovery.files), sum(lf.documents for lf in loaded),
                      loaded, catalogue, engine.debug_traces)


def apply_filters(findings: list[Finding], loaded: list[LoadedFile], settings: Settings,
                  catalogue: Catalogue) -> tuple[list[Finding], list[Finding]]:
    """Suppression (annotations, comments, per-path config) and baseline; see suppression.py."""
    from .suppression import filter_findings

    return filter_findings(findings, loaded, settings, catalogue)
