"""``--format json``: the SPEC §4 report object.

One finding per line: readable, diff-friendly, and encoded by the C JSON
encoder (``indent`` would force the pure-Python one, which cost more than the
whole lint of a large tree).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint import LintResult
    from ..settings import Settings


# Built once: ``json.dumps`` with any non-default argument builds a new encoder on every call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def render(result: LintResult, settings: Settings) -> str:
    report = result.report()
    dumps = _ENCODE
    findings = ",\n    ".join(map(dumps, report["findings"]))
    return (
        "{\n"
        f'  "tool": {dumps(report["tool"])},\n'
        f'  "findings": [{chr(10) + "    " + findings + chr(10) + "  " if findings else ""}],\n'
        f'  "summary": {dumps(report["summary"])}\n'
        "}\n"
    )
