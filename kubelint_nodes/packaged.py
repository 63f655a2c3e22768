"""Where the packaged rule and schema files are.

The build maps the top-level ``rules/`` and ``schemas/`` into
``kubelint_nodes/data/`` (pyproject ``package-dir``); a source checkout that
was never built reads them from the repository instead.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """``rules`` or ``schemas``: the directory holding the packaged files.

    Looked up beside this module first: importing ``importlib.resources`` (tempfile, shutil, zipfile, …)
    cost 8 ms of every run, and an installed package keeps its data as plain files anyway.
    """
    for path in (_PACKAGE / "data" / name, _PACKAGE.parent / name):
        if path.is_dir():
            return path
    try:  # an unusual loader (a zip import): ask it
        from importlib import resources

        return Path(str(resources.files("kubelint_nodes") / "data" / name))
    except (ModuleNotFoundError, TypeError, OSError):
        return _PACKAGE.parent / name


def schema_path(*parts: str) -> Path:
    return data_dir("schemas").joinpath(*parts)
