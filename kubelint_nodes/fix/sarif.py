"""SARIF ``fixes`` for the safe fixes of a lint run (called by ``reporters/sarif.py``).

Only safe fixes are offered (code scanning may show them as one-click
suggestions), and only those that ``kubelint-nodes fix`` would keep after its
re-lint. Each fix is computed alone against the file as it is on disk, so its
replacements are valid on their own. The cost is paid only when a finding of
a rule with a safe fix is present: otherwise this returns at once, without
importing ruamel.yaml.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from .declarations import safe_rules

if TYPE_CHECKING:
    from ..findings import Finding
    from ..lint import LintResult
    from ..settings import Settings


def attach_fixes(findings: list[Finding], results: list[dict[str, Any]], result: LintResult,
                 settings: Settings) -> None:
    """Add ``fixes`` to the SARIF result of each finding that has a safe fix."""
    try:
        fixes = safe_fixes(result, settings)
    except Exception:  # noqa: BLE001 - a report is never lost because a fix could not be computed
        return
    for f, res in zip(findings, results, strict=True):
        entry = fixes.get(id(f))
        if entry is None:
            continue
        location = res["locations"][0]["physicalLocation"]["artifactLocation"]
        description, replacements = entry
        res["fixes"] = [{"description": {"text": description},
                         "artifactChanges": [{"artifactLocation": dict(location), "replacements": replacements}]}]


def safe_fixes(result: LintResult, settings: Settings) -> dict[int, tuple[str, list[dict[str, Any]]]]:
    """``id(finding)`` -> (description, SARIF replacements) for every safe fix that re-lints cleanly."""
    catalogue = result.catalogue
    if catalogue is None or settings.overrides:
        return {}
    rules = safe_rules(catalogue)
    if not any(f.rule in rules for f in result.findings):
        return {}
    from .edit import apply_ops
    from .run import FixOptions, settle_fixes

    run = settle_fixes(result, settings, catalogue, FixOptions(unsafe=False))
    out: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    for fx in run.applied:
        source = run.sources.get(fx.lf.file.abspath)
        if source is None:
            continue
        alone = apply_ops(source.text, fx.doc_index, fx.ops)
        replacements = replacements_for(source.text, alone, source.newline)
        if replacements:
            out[id(fx.finding)] = (fx.description, replacements)
    return out


def replacements_for(old: str, new: str, newline: str = "\n") -> list[dict[str, Any]]:
    """SARIF replacements turning ``old`` into ``new`` (1-based lines, columns in code points)."""
    a, b = old.split("\n"), new.split("\n")
    out: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == 1 and j2 - j1 == 1:
            out.append(_intraline(i1 + 1, a[i1], b[j1]))
            continue
        inserted = "".join(line + newline for line in b[j1:j2])
        if i2 < len(a):
            region = {"startLine": i1 + 1, "startColumn": 1, "endLine": i2 + 1, "endColumn": 1}
        else:  # through the end of the file: end at the last line's end instead of a line that does not exist
            region = {"startLine": i1 + 1, "startColumn": 1, "endLine": i2, "endColumn": len(a[i2 - 1]) + 1}
            inserted = inserted[:-len(newline)] if inserted else inserted
        out.append({"deletedRegion": region, "insertedContent": {"text": inserted}})
    return out


def _intraline(line: int, old: str, new: str) -> dict[str, Any]:
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    # Widen to whole words, so a reviewer sees `staticPodPaht` -> `staticPodPath`, not `ht` -> `th`.
    while start > 0 and _word(old[start - 1]):
        start -= 1
    while end > 0 and _word(old[len(old) - end]):
        end -= 1
    return {"deletedRegion": {"startLine": line, "startColumn": start + 1, "endLine": line,
                              "endColumn": len(old) - end + 1},
            "insertedContent": {"text": new[start:len(new) - end]}}


def _word(ch: str) -> bool:
    return ch.isalnum() or ch in "_-./"
