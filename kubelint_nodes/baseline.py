"""``--write-baseline FILE`` and ``--baseline FILE``: adopt a repository's existing findings (SPEC §7).

A finding is keyed by rule, repository-relative file, object (kind,
namespace, name) and path — never by line or message, so edits elsewhere in
a file do not resurrect it. Keys carry counts and are matched one for one in
report order: a second identical finding added later is new.

Writing a baseline accepts the run's findings: they are reported as
suppressed by the baseline just written, as a later ``--baseline`` run would.
``internal-error`` is a fault of the tool, not of the input: it is never
recorded nor matched.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .findings import Finding
    from .settings import Settings

FORMAT_VERSION = 1
_NEVER = {"internal-error"}


def repo_relative(display: str, settings: Settings) -> str | None:
    """POSIX path of a reported file below the repository root; None for stdin or a file outside it."""
    if not display or display == "<stdin>":
        return None
    full = os.path.join(settings.cwd, display)
    parent = os.path.realpath(os.path.dirname(full) or ".")
    try:
        rel = os.path.relpath(os.path.join(parent, os.path.basename(full)), os.path.realpath(settings.repo_root))
    except ValueError:  # another drive on Windows
        return None
    rel = rel.replace(os.sep, "/")
    return None if rel == ".." or rel.startswith("../") else rel


def _object(f: Finding) -> dict[str, Any] | None:
    if not f.object:
        return None
    return {k: f.object.get(k) for k in ("kind", "namespace", "name")}


def finding_key(f: Finding) -> tuple:
    obj = _object(f)
    ident = None if obj is None else (obj["kind"], obj["namespace"], obj["name"])
    return (f.rule, f.repo_file or f.file, ident, f.path)


def _entry(key: tuple, count: int) -> dict[str, Any]:
    rule, file, ident, path = key
    obj = None if ident is None else dict(zip(("kind", "namespace", "name"), ident, strict=True))
    return {"rule": rule, "file": file, "object": obj, "path": path, "count": count}


def _sort_key(entry: dict[str, Any]) -> tuple:
    obj = entry["object"] or {}
    return (entry["file"], entry["rule"], str(obj.get("kind") or ""), str(obj.get("namespace") or ""),
            str(obj.get("name") or ""), entry["path"] or "")


def render_baseline(findings: list[Finding]) -> str:
    counts = Counter(finding_key(f) for f in findings if f.rule not in _NEVER)
    entries = sorted((_entry(k, n) for k, n in counts.items()), key=_sort_key)
    doc = {"kubelint-nodes-baseline": FORMAT_VERSION, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_baseline(findings: list[Finding], settings: Settings, path: str) -> None:
    from .lint import UsageError

    full = os.path.join(settings.cwd, path)
    try:
        with open(full, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(render_baseline(findings))
    except OSError as exc:
        raise UsageError(f"--write-baseline {path}: cannot write: {exc.strerror or exc}") from None


def load_baseline(settings: Settings, path: str) -> Counter:
    """The recorded keys with their counts; UsageError (exit 2) for a missing or malformed file."""
    from .lint import UsageError

    full = os.path.join(settings.cwd, path)
    try:
        with open(full, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise UsageError(f"--baseline {path}: file does not exist (create it with --write-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--baseline {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: not a kubelint-nodes baseline: {exc.msg}") from None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("kubelint-nodes-baseline") != FORMAT_VERSION \
            or not isinstance(entries, list):
        raise UsageError(f"{path}: not a kubelint-nodes baseline (version {FORMAT_VERSION}); "
                         "write one with --write-baseline")
    counts: Counter = Counter()
    for n, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("rule"), str) or not isinstance(e.get("file"), str):
            raise UsageError(f"{path}: entry {n} is not a baseline finding (needs rule and file)")
        obj = e.get("object")
        ident = None
        if isinstance(obj, dict):
            ident = (obj.get("kind"), obj.get("namespace"), obj.get("name"))
        count = e.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise UsageError(f"{path}: entry {n} has an invalid count {count!r}")
        counts[(e["rule"], e["file"], ident, e.get("path"))] += count
    return counts


def apply_baseline(findings: list[Finding], settings: Settings) -> tuple[list[Finding], list[Finding]]:
    """(new findings, findings the baseline covers); writes the baseline first when asked to."""
    from .findings import sort_findings

    if not settings.baseline and not settings.write_baseline:
        return findings, []
    if settings.write_baseline:
        write_baseline(findings, settings, settings.write_baseline)
        remaining = Counter(finding_key(f) for f in findings if f.rule not in _NEVER)
        source = settings.write_baseline
    else:
        remaining = load_baseline(settings, settings.baseline or "")
        source = settings.baseline or ""
    kept: list[Finding] = []
    covered: list[Finding] = []
    for f in sort_findings(findings):
        key = finding_key(f)
        if f.rule in _NEVER or remaining[key] <= 0:
            kept.append(f)
            continue
        remaining[key] -= 1
        if settings.show_suppressed:
            f.suppressed = {"by": "baseline", "reason": f"in baseline {source}"}
        covered.append(f)
    return kept, covered
