"""What ``fix`` tells the user: a line per fix, grouped reasons for what it could not fix, a unified diff."""

from __future__ import annotations

import difflib
from collections import defaultdict

from .run import FileChange, FixRun


def log_lines(run: FixRun, dry_run: bool) -> list[str]:
    verb = "would fix" if dry_run else "fixed"
    out: list[str] = []
    order = sorted(run.fixes, key=lambda fx: fx.finding.sort_key())
    for fx in order:
        f = fx.finding
        where = f"{f.file}:{f.line}:{f.column}"
        label = f"{fx.rule} ({fx.safety})"
        if fx.status == "applied":
            out.append(f"{verb}: {where}: {label}: {fx.description}")
        elif fx.status == "rolled-back":
            out.append(f"rolled back: {where}: {label}: {fx.description}: {fx.reason}")
        elif fx.status == "failed":
            out.append(f"not fixed: {where}: {label}: {fx.description}: {fx.reason}")
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for f, _decl, reason in run.not_fixable:
        grouped[(f.rule, reason)].append(f)
    for (rule, reason), items in sorted(grouped.items()):
        first = min(items, key=lambda f: f.sort_key())
        more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
        out.append(f"not fixed: {first.file}:{first.line}:{first.column}{more}: {rule}: {reason}")
    return out


def summary(run: FixRun, dry_run: bool) -> str:
    applied = run.applied
    files = {fx.display for fx in applied}
    verb = "would be applied" if dry_run else "applied"
    parts = [f"{len(applied)} fix{'es' if len(applied) != 1 else ''} {verb} in {len(files)} "
             f"file{'s' if len(files) != 1 else ''}"]
    rolled = sum(1 for fx in run.fixes if fx.status == "rolled-back")
    if rolled:
        parts.append(f"{rolled} rolled back")
    failed = sum(1 for fx in run.fixes if fx.status == "failed") + len(run.not_fixable)
    if failed:
        parts.append(f"{failed} not fixable")
    if run.unsafe_available:
        parts.append(f"{run.unsafe_available} more finding{'s' if run.unsafe_available != 1 else ''} "
                     "with a suggested fix (--unsafe)")
    s = run.after.summary()
    parts.append(f"{s['findings']} finding{'s' if s['findings'] != 1 else ''} remain "
                 f"({s['error']} error, {s['warning']} warning, {s['info']} info)")
    return "; ".join(parts)


def unified_diff(change: FileChange) -> str:
    """A ``git apply``/``patch -p1`` compatible diff of one file, its own line endings kept."""
    old = change.source.lines
    new = _lines(change.source.restore_endings(change.text))
    name = change.lf.file.display
    out = []
    for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}", lineterm="\n"):
        if line.startswith(("---", "+++")) and not line.endswith("\n"):
            line += "\n"
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def diff(run: FixRun) -> str:
    return "".join(unified_diff(c) for c in run.changed_files())
