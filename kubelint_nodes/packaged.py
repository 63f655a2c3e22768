"""Where the packaged rule and schema files are.

The build maps the top-level ``rules/`` and ``schemas/`` into
``kubelint_nodes/data/`` (pyproject ``package-dir``); a source checkout that
was never built reads them from the repository instead.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def data_dir(name: str) -> Path:
    """``rules`` or ``schemas``: the directory holding the packaged files."""
    try:
        path = Path(str(resources.files("kubelint_nodes") / "data" / name))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError, OSError):
        pass
    return Path(__file__).resolve().parent.parent / name


def schema_path(*parts: str) -> Path:
    return data_dir("schemas").joinpath(*parts)
