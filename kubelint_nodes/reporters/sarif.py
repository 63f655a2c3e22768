"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

What GitHub reads (its "SARIF support for code scanning" page) decides what is
filled in: rule metadata with help text and ``security-severity``, a
repository-relative ``artifactLocation.uri`` with a ``uriBaseId``, a region
whose start is the offending key, ``partialFingerprints`` so alerts follow
their code across commits, and the invocation's exit code. Nothing here varies
between two runs on the same input and cwd (SPEC §4): no timestamps, no
durations.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from .locations import (
    SourceLines,
    absolute_uri,
    fingerprints,
    key_end_column,
    repo_relative,
)

if TYPE_CHECKING:
    from ..engine.registry import Rule
    from ..findings import Finding
    from ..lint import LintResult
    from ..settings import Settings

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/kubelint-nodes/kubelint-nodes"
RULE_DOCS = INFORMATION_URI + "/blob/main/docs/rules/{id}.md"
SRCROOT = "%SRCROOT%"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub buckets security-severity as critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
# Our severities map to the middle of a bucket so a severity override moves the alert one bucket.
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "2.0"}
SUPPRESSION_KIND = {"annotation": "inSource", "comment": "inSource", "config": "external", "baseline": "external"}


def render(result: LintResult, settings: Settings) -> str:
    return json.dumps(build(result, settings), indent=2, ensure_ascii=False) + "\n"


def build(result: LintResult, settings: Settings) -> dict[str, Any]:
    findings = result.shown()
    lines = SourceLines(result, settings)
    rules, index = _rules(result, settings, findings)
    prints = fingerprints(findings, settings, lines)
    results = [_result(f, index[f.rule], fp, settings, lines) for f, fp in zip(findings, prints, strict=True)]
    # issue 12: `fixes` (artifactChanges with replacements) for the safe fixes; see kubelint_nodes/fix/sarif.py
    from ..fix.sarif import attach_fixes

    attach_fixes(findings, results, result, settings)
    code = result.exit_code(settings.fail_on)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kubelint-nodes",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [{
            "executionSuccessful": code != 2,
            "exitCode": code,
            "workingDirectory": {"uri": _dir_uri(settings.cwd)},
        }],
        "originalUriBaseIds": {SRCROOT: {"uri": _dir_uri(settings.repo_root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _dir_uri(path: str) -> str:
    from pathlib import Path

    uri = Path(path).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# -- rules --------------------------------------------------------------------------------------

def _rules(result: LintResult, settings: Settings,
           findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every rule enabled in this run (so ``ruleIndex`` is stable across runs with the same
    config), plus any rule a finding names that the catalogue lacks."""
    catalogue = result.catalogue.rules if result.catalogue else {}
    ids = sorted(rid for rid in catalogue if rid not in settings.disable)
    ids += sorted({f.rule for f in findings} - set(ids))
    descriptors = []
    for rid in ids:
        rule = catalogue.get(rid)
        level = settings.severity_overrides.get(rid) or (rule.severity if rule else "error")
        descriptors.append(_descriptor(rid, rule, level))
    return descriptors, {rid: n for n, rid in enumerate(ids)}


def _name(rule_id: str) -> str:
    """SARIF's ``name`` is an identifier-like label: ``static-pod-privileged`` -> ``StaticPodPrivileged``."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def _descriptor(rule_id: str, rule: Rule | None, level: str) -> dict[str, Any]:
    summary = (rule.summary if rule else "") or rule_id
    full = _one_paragraph(rule.rationale) if rule and rule.rationale else summary
    desc: dict[str, Any] = {
        "id": rule_id,
        "name": _name(rule_id),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": LEVELS.get(level, "warning")},
        "help": {"text": _help_text(rule_id, rule), "markdown": _help_markdown(rule_id, rule)},
    }
    if rule is not None and rule.builtin:
        desc["helpUri"] = RULE_DOCS.format(id=rule_id)
    tags = list(rule.tags) if rule else []
    props: dict[str, Any] = {"tags": tags}
    if "security" in tags:
        props["security-severity"] = SECURITY_SEVERITY.get(level, "5.5")
    if rule is not None:
        props["precision"] = "high"
    desc["properties"] = props
    return desc


def _one_paragraph(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


def _help_text(rule_id: str, rule: Rule | None) -> str:
    if rule is None:
        return rule_id
    parts = [rule.summary.strip()]
    if rule.rationale:
        parts.append(_one_paragraph(rule.rationale))
    if rule.fix:
        parts.append("Fix: " + _one_paragraph(rule.fix))
    if rule.tags:
        parts.append("Tags: " + ", ".join(rule.tags))
    return "\n\n".join(p for p in parts if p)


def _help_markdown(rule_id: str, rule: Rule | None) -> str:
    if rule is None:
        return f"`{rule_id}`"
    out = [f"**{rule.summary.strip()}**"]
    if rule.rationale:
        out.append(rule.rationale.strip())
    if rule.fix:
        out.append("**Fix:** " + rule.fix.strip())
    for label, key in (("Bad", "bad"), ("Good", "good")):
        example = rule.examples.get(key)
        if example:
            out.append(f"{label}:\n\n```yaml\n{example.rstrip()}\n```")
    if rule.parameters:
        rows = ["| parameter | default | description |", "|---|---|---|"]
        for name, spec in sorted(rule.parameters.items()):
            default = json.dumps(spec.get("default"), ensure_ascii=False)
            rows.append(f"| `{name}` | `{default}` | {str(spec.get('description', '')).strip()} |")
        out.append("\n".join(rows))
    if rule.tags:
        out.append("Tags: " + ", ".join(f"`{t}`" for t in rule.tags))
    out.append(f"Suppress with the annotation `kubelint-nodes.io/ignore: \"{rule_id}\"` or the comment "
               f"`# kubelint-nodes: ignore={rule_id}`.")
    return "\n\n".join(out)


# -- results ------------------------------------------------------------------------------------

def _artifact(display: str, settings: Settings) -> dict[str, Any]:
    rel = repo_relative(display, settings)
    if rel is not None:
        return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}
    if display.startswith("<"):  # unnamed stdin: no file to point at
        return {"uri": quote(display, safe="")}
    return {"uri": absolute_uri(display, settings)}


def _region(display: str, line: int, column: int, lines: SourceLines) -> dict[str, int]:
    end = key_end_column(lines.line(display, line), column)
    return {"startLine": line, "startColumn": column, "endLine": line, "endColumn": end}


def _result(f: Finding, rule_index: int, fingerprint: str, settings: Settings,
            lines: SourceLines) -> dict[str, Any]:
    region = _region(f.file, f.line, f.column, lines)
    if f.end_column and f.end_column > f.column:
        region["endColumn"] = f.end_column
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": _artifact(f.file, settings), "region": region},
    }
    obj = f.object
    if obj and obj.get("name"):
        ns = obj.get("namespace")
        fqn = "/".join(str(p) for p in (obj.get("kind"), ns, obj.get("name")) if p)
        location["logicalLocations"] = [{"name": obj["name"], "fullyQualifiedName": fqn, "kind": "resource"}]
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
    }
    related = _related(f, settings, lines)
    if related:
        res["relatedLocations"] = related
    if f.suppressed:
        sup: dict[str, Any] = {"kind": SUPPRESSION_KIND.get(f.suppressed.get("by", ""), "external")}
        if f.suppressed.get("reason"):
            sup["justification"] = f.suppressed["reason"]
        res["suppressions"] = [sup]
    if f.path:
        res["properties"] = {"path": f.path}
    return res


def _related(f: Finding, settings: Settings, lines: SourceLines) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for rel in f.related or ():
        file = rel.get("file")
        if not file:
            continue
        phys: dict[str, Any] = {"artifactLocation": _artifact(file, settings)}
        line, col = rel.get("line"), rel.get("column")
        if isinstance(line, int) and line >= 1:
            col = col if isinstance(col, int) and col >= 1 else 1
            phys["region"] = _region(file, line, col, lines)
        out.append({"id": len(out) + 1, "physicalLocation": phys,
                    "message": {"text": rel.get("message") or ""}})
    if f.source and f.source.get("file"):
        template = f.source["file"]
        out.append({
            "id": len(out) + 1,
            "physicalLocation": {"artifactLocation": _template_artifact(template, settings)},
            "message": {"text": f"rendered from the Helm template {template}"},
        })
    return out


def _template_artifact(template: str, settings: Settings) -> dict[str, Any]:
    """Helm names templates ``<chart>/templates/x.yaml``; point into the repository when that path
    exists from the cwd or the repository root, else keep Helm's name as a relative reference."""
    import os

    for base in (settings.cwd, settings.repo_root):
        candidate = os.path.join(base, template)
        if os.path.isfile(candidate):
            rel = repo_relative(os.path.relpath(candidate, settings.cwd), settings)
            if rel is not None:
                return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}
    return {"uri": quote(template.lstrip("/"), safe="/")}
