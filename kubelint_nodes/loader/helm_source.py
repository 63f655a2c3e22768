"""Name the Helm template behind each finding of rendered input.

``helm template`` writes every rendered manifest as ``---`` then
``# Source: <chart>/templates/<file>`` then the document (Helm's
``pkg/action`` output; hooks and tests the same way). Rendered lines do not map
back to template lines, so a finding keeps the file and line of the rendered
input and only gains ``source: {"file": ...}`` (SPEC §4).

The document a line belongs to is found on the text, not on the parsed
documents, so a file that failed to parse still gets its sources: a ``---``
line at column 0 always starts a new document in YAML (a scalar may not
contain one, YAML 1.2 §9.1.2 "c-forbidden"), which makes a line scan exact.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..findings import Finding
    from .read import LoadedFile

# The line breaks YAML (and libyaml's marks, hence our line numbers) count.
LINE_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")
_MARKER = re.compile(r"(---|\.\.\.)(?:[ \t]+(.*))?$")
_SOURCE = re.compile(r"#\s*Source:\s*(\S(?:.*\S)?)\s*$")


class SourceMap:
    """Line -> template, for one rendered file."""

    def __init__(self, text: str):
        self._starts: list[int] = []  # first line (1-based) of each document segment
        self._sources: list[str | None] = []
        current: str | None = None
        seen_content = False
        self._starts.append(1)
        for n, line in enumerate(LINE_BREAK.split(text), start=1):
            marker = _MARKER.match(line)
            if marker:
                self._sources.append(current)
                self._starts.append(n)
                current, seen_content = None, False
                line = (marker.group(2) or "").strip()  # `--- # Source: x` or `--- {inline: content}`
            m = _SOURCE.match(line)
            # Helm writes the comment before the document's content; a later one is ordinary text.
            if m and current is None and not seen_content:
                current = m.group(1)
            elif line.strip() and not line.lstrip().startswith("#"):
                seen_content = True
        self._sources.append(current)

    def source_of(self, line: int) -> str | None:
        i = bisect_right(self._starts, line) - 1
        return self._sources[i] if i >= 0 else None

    @property
    def any(self) -> bool:
        return any(self._sources)


def helm_source_map(text: str) -> SourceMap | None:
    """The file's map when it carries Helm ``# Source:`` comments, else None."""
    if "Source:" not in text:
        return None
    smap = SourceMap(text)
    return smap if smap.any else None


def source_maps(loaded: Iterable[LoadedFile]) -> dict[str, SourceMap]:
    """Maps for the files of the run that carry Helm ``# Source:`` comments, by display path."""
    out: dict[str, SourceMap] = {}
    for lf in loaded:
        smap = lf.helm_sources
        if smap is not None:
            out[lf.file.display] = smap
    return out


def annotate_sources(findings: list[Finding], loaded: Iterable[LoadedFile]) -> None:
    """Set ``finding.source`` for findings in rendered Helm output (in place; others untouched)."""
    maps = source_maps(loaded)
    if not maps:
        return
    for f in findings:
        smap = maps.get(f.file)
        if smap is None or f.source:
            continue
        template = smap.source_of(f.line)
        if template:
            f.source = {"file": template}
