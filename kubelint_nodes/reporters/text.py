"""``--format text``: findings grouped by file, then a summary table.

Each line reads ``file:line:col: severity rule message`` so editors and
terminals can jump to it; colour only when writing to a terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint import LintResult
    from ..settings import Settings

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"


SUMMARY_HEADERS = ("files", "documents", "findings", "error", "warning", "info", "suppressed")


def summary_table(counts: dict[str, int]) -> str:
    """The one-row summary in tabulate's ``simple`` layout (columns right-aligned, two spaces of padding).

    Written out rather than calling tabulate: importing it reads its own distribution metadata, which cost
    20 ms of every pre-commit run, for one row of seven numbers.
    """
    cells = [str(counts[h]) for h in SUMMARY_HEADERS]
    widths = [max(len(h) + 2, len(c)) for h, c in zip(SUMMARY_HEADERS, cells, strict=True)]
    return "\n".join("  ".join(part.rjust(w) for part, w in zip(row, widths, strict=True))
                     for row in (SUMMARY_HEADERS, ["-" * w for w in widths], cells))


def render(result: LintResult, settings: Settings) -> str:
    lines: list[str] = []
    shown = result.shown()
    current = None
    for f in shown:
        if f.file != current:
            if current is not None:
                lines.append("")
            current = f.file
        sev = f.severity
        if settings.color:
            sev = f"{_COLORS.get(sev, '')}{sev}{_RESET}"
        extra = ""
        if f.suppressed is not None:
            reason = f.suppressed.get("reason")
            extra = f" [suppressed by {f.suppressed.get('by')}{': ' + reason if reason else ''}]"
        if f.source:
            extra += f" (template {f.source.get('file')})"
        lines.append(f"{f.file}:{f.line}:{f.column}: {sev} {f.rule} {f.message}{extra}")
        for rel in f.related or ():
            lines.append(f"    related: {rel.get('file')}:{rel.get('line')}:{rel.get('column')}: {rel.get('message')}")
    if shown:
        lines.append("")
    lines.append(summary_table(result.summary()))
    return "\n".join(lines) + "\n"
