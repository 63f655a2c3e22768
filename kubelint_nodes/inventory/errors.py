"""The one error an inventory can raise: exit 2 with ``file:line:col: field: problem`` (SPEC §3, §5).

An inventory is an input the user vouches for (``-i``): a wrong inventory would make every prediction wrong,
so the first problem stops the run instead of becoming a finding.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..lint import UsageError


class InventoryError(UsageError):
    """An invalid or unsafe inventory; ``str()`` is the one-line message the CLI prints."""

    def __init__(self, file: str, line: int | None, column: int | None, field: str | None, problem: str):
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.problem = problem
        where = f"{file}:{line}:{column}" if line is not None else file
        what = f"{field}: {problem}" if field else problem
        super().__init__(f"{where}: {what}")


def field_name(path: Iterable[object]) -> str:
    """``('pools', 1, 'taints', 0, 'effect')`` -> ``pools[1].taints[0].effect`` (the SPEC §4 path notation)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
