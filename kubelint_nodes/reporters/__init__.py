"""Reporters: one module per format, each a function from the whole result to text.

Formats are a map (kube-linter's format wrapper), so a whole-run format such
as SARIF fits the same seam as the per-finding text format.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint import LintResult
    from ..settings import Settings

# format name -> module in this package exposing ``render(result, settings) -> str``
FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "codeclimate": "codeclimate",
    "junit": "junit",
}


def renderer(fmt: str) -> Callable[[LintResult, Settings], str | bytes]:
    """The format's ``render``, or its ``render_bytes`` when it can produce UTF-8 directly (large JSON)."""
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    return getattr(module, "render_bytes", None) or module.render
