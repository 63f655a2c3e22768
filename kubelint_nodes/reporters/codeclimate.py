"""``--format codeclimate``: a GitLab Code Quality report (``artifacts:reports:codequality``).

GitLab reads a JSON array of Code Climate issues and uses ``description``,
``check_name``, ``fingerprint``, ``severity`` (info, minor, major, critical,
blocker) and ``location.path`` + ``location.lines.begin``; the path must be
relative to the repository root. The merge request widget diffs reports by
fingerprint and shows only the first issue of a repeated one, so every issue
gets its own fingerprint, stable across unrelated edits (the same one SARIF
uses).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .locations import SourceLines, finding_repo_path, fingerprints

if TYPE_CHECKING:
    from ..findings import Finding
    from ..lint import LintResult
    from ..settings import Settings

# Our error fails the build by default: GitLab's "major" is the level its widget treats as such;
# "critical"/"blocker" are kept for security findings, which GitLab ranks above.
SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
SECURITY_SEVERITY = {"error": "critical", "warning": "major", "info": "minor"}


def render(result: LintResult, settings: Settings) -> str:
    return json.dumps(build(result, settings), indent=2, ensure_ascii=False) + "\n"


def build(result: LintResult, settings: Settings) -> list[dict[str, Any]]:
    findings = [f for f in result.shown() if f.suppressed is None]
    lines = SourceLines(result, settings)
    prints = fingerprints(findings, settings, lines)
    security = _security_rules(result)
    return [_issue(f, fp, f.rule in security, settings) for f, fp in zip(findings, prints, strict=True)]


def _security_rules(result: LintResult) -> set[str]:
    if result.catalogue is None:
        return set()
    return {rid for rid, rule in result.catalogue.rules.items() if "security" in rule.tags}


def _issue(f: Finding, fingerprint: str, security: bool, settings: Settings) -> dict[str, Any]:
    import hashlib

    severity = (SECURITY_SEVERITY if security else SEVERITY).get(f.severity, "minor")
    description = f.message
    if f.source:
        description += f" (rendered from Helm template {f.source.get('file')})"
    issue: dict[str, Any] = {
        "type": "issue",
        "check_name": f.rule,
        "description": description,
        "categories": ["Security"] if security else ["Bug Risk"],
        # GitLab expects an opaque hex string; hash ours so the occurrence suffix stays inside it.
        "fingerprint": hashlib.md5(fingerprint.encode("ascii"), usedforsecurity=False).hexdigest(),
        "severity": severity,
        "location": {
            "path": finding_repo_path(f, settings),
            "lines": {"begin": f.line},  # the Code Climate spec allows `lines` or `positions`, not both
        },
    }
    return issue
