"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=F,line=L,col=C,endColumn=E,title=T::message`` makes a finding
show inline on the pull request without code scanning. The runner splits a
command at ``::`` and its properties at ``,`` and ``=``, and reads ``%XX``
escapes: data escapes ``%``, CR and LF; property values also ``:`` and ``,``
(the escaping of ``@actions/core``'s command.ts). Paths are repository-relative,
as the runner resolves them against the checkout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .locations import SourceLines, finding_repo_path, key_end_column

if TYPE_CHECKING:
    from ..findings import Finding
    from ..lint import LintResult
    from ..settings import Settings

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def render(result: LintResult, settings: Settings) -> str:
    lines = SourceLines(result, settings)
    out = []
    for f in result.shown():
        if f.suppressed is not None:
            continue  # an annotation for a suppressed finding would defeat the suppression
        out.append(_annotation(f, settings, lines))
    return "".join(line + "\n" for line in out)


def _annotation(f: Finding, settings: Settings, lines: SourceLines) -> str:
    end = f.end_column or key_end_column(lines.line(f.file, f.line), f.column)
    props: dict[str, object] = {
        "file": finding_repo_path(f, settings),
        "line": f.line,
        "endLine": f.line,
        "col": f.column,
        "endColumn": end,
        "title": f"kubelint-nodes {f.rule}",
    }
    body = [f.message]
    if f.source:
        body.append(f"rendered from Helm template {f.source.get('file')}")
    for rel in f.related or ():
        body.append(f"related: {rel.get('file')}:{rel.get('line')}:{rel.get('column')}: {rel.get('message')}")
    return command(COMMANDS.get(f.severity, "warning"), props, "\n".join(body))
