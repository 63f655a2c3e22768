"""Validation of the config file against ``schemas/config.schema.json``."""

from __future__ import annotations

import difflib
import json
from typing import Any

from .packaged import schema_path


def validate_config(data: dict[str, Any], doc: Any, path: str) -> None:
    """Raise ConfigError naming file, line and the key, with "did you mean" for misspelt keys."""
    from .config import ConfigError

    schema = json.loads(schema_path("config.schema.json").read_text(encoding="utf-8"))
    allowed = list(schema.get("properties", {}))
    for key in data:
        if key not in allowed:
            line, col = _pos(doc, (key,))
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{path}:{line}:{col}: unknown key '{key}'{hint}")
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = tuple(err.absolute_path)
        line, col = _pos(doc, where)
        shown = ".".join(str(p) for p in where) or "(root)"
        raise ConfigError(f"{path}:{line}:{col}: {shown}: {err.message}")


def _pos(doc: Any, path: tuple) -> tuple[int, int]:
    if doc is None:
        return 1, 1
    from .model.resource import locate

    return locate(doc.positions, doc.data, doc.start, path)
