"""``--format json``: the SPEC §4 report object."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint import LintResult
    from ..settings import Settings


def render(result: LintResult, settings: Settings) -> str:
    return json.dumps(result.report(), indent=2, ensure_ascii=False) + "\n"
