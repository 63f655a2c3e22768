"""What the CI formats (SARIF, GitHub, Code Quality, JUnit) need beyond a finding.

CI systems key their annotations on repository-relative paths (SPEC §4: the
git top-level, else the config file's directory, else the cwd), want the
extent of the offending key, and match a finding across commits by a
fingerprint. These are computed once here so every format agrees.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..loader.helm_source import LINE_BREAK

if TYPE_CHECKING:
    from ..findings import Finding
    from ..lint import LintResult
    from ..settings import Settings

STDIN = "<stdin>"


def repo_relative(display: str, settings: Settings) -> str | None:
    """POSIX path below the repository root, or None when the file lies outside it (or is unnamed stdin)."""
    if display == STDIN:
        return None
    full = os.path.normpath(os.path.join(settings.cwd, display))
    try:
        rel = os.path.relpath(full, settings.repo_root)
    except ValueError:  # another drive on Windows
        return None
    rel = rel.replace(os.sep, "/")
    if rel == ".." or rel.startswith("../"):
        return None
    return rel


def finding_repo_path(f: Finding, settings: Settings) -> str:
    """The path CI tools should show: repository-relative when possible, else the display path."""
    if f.repo_file:
        return f.repo_file
    return repo_relative(f.file, settings) or f.file


def absolute_uri(display: str, settings: Settings) -> str:
    return Path(os.path.normpath(os.path.join(settings.cwd, display))).as_uri()


class SourceLines:
    """Lines of the run's input files, read once, for key extents and fingerprints."""

    def __init__(self, result: LintResult, settings: Settings):
        self._settings = settings
        self._lines: dict[str, list[str]] = {}
        for lf in result.loaded:
            if lf.text is not None:
                self._lines[lf.file.display] = LINE_BREAK.split(lf.text)

    def line(self, display: str, line: int) -> str:
        lines = self._lines.get(display)
        if lines is None:
            lines = self._lines[display] = self._read(display)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def _read(self, display: str) -> list[str]:
        """Files named only in ``related`` (an inventory, a sibling manifest) are read on demand."""
        if display == STDIN:
            return []
        try:
            with open(os.path.join(self._settings.cwd, display), encoding="utf-8-sig") as fh:
                return LINE_BREAK.split(fh.read(4 * 1024 * 1024))
        except (OSError, UnicodeDecodeError):
            return []


def key_end_column(text: str, column: int) -> int:
    """Column just past the key (or scalar) that starts at ``column`` (1-based, code points; SARIF's
    ``endColumn`` is exclusive). Findings point at keys (SPEC §4), so the extent is the key's token:
    a quoted string up to its closing quote, else plain text up to ``: ``, a comment, or a flow
    indicator when inside ``{...}``/``[...]``."""
    i = column - 1
    if i < 0 or i >= len(text):
        return column + 1
    quote = text[i]
    if quote in "\"'":
        j = i + 1
        while j < len(text):
            ch = text[j]
            if quote == '"' and ch == "\\":
                j += 2
                continue
            if ch == quote:
                if quote == "'" and text[j + 1: j + 2] == "'":  # '' is an escaped quote
                    j += 2
                    continue
                return j + 2
            j += 1
        return len(text) + 1
    head = text[:i]
    in_flow = head.count("{") + head.count("[") > head.count("}") + head.count("]")
    j = i
    while j < len(text):
        ch = text[j]
        nxt = text[j + 1: j + 2]
        if ch == ":" and nxt in ("", " ", "\t"):
            break
        if ch == "#" and j > i and text[j - 1] in " \t":
            break
        if in_flow and ch in ",{}[]":
            break
        if in_flow and ch == ":" and nxt in ",{}[]":
            break
        j += 1
    while j > i and text[j - 1] in " \t":
        j -= 1
    return j + 1 if j > i else column + 1


def object_key(f: Finding) -> str:
    obj = f.object or {}
    return "/".join(str(obj.get(k) or "") for k in ("kind", "namespace", "name"))


def fingerprints(findings: list[Finding], settings: Settings, lines: SourceLines) -> list[str]:
    """A fingerprint per finding that survives unrelated edits: it hashes the rule, the repository
    path, the object, the field path and the offending line's content (whitespace-trimmed) — never
    the line number, so inserting lines above a finding keeps it. Identical findings are told apart
    by an occurrence counter (``hash:n``, the shape GitHub's own line hashes have), counted in the
    report's sort order."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for f in findings:
        content = lines.line(f.file, f.line).strip()
        material = "\0".join((f.rule, finding_repo_path(f, settings), object_key(f), f.path or "", content))
        digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out
