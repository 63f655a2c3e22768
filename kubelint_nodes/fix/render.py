"""New YAML text for inserted values, written so that the Kubernetes decoder reads it back exactly.

ruamel.yaml emits block content (with the document's own indentation); its
resolver is YAML 1.2, where ``on`` or ``0777`` are plain strings, so every
string that YAML 1.1 (go-yaml v2, what Kubernetes reads) would resolve to
something else is double-quoted first. Scalars and flow collections that are
spliced into a line are written here directly.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

from ..loader.yamlparse import resolve_plain

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_CHARS = set(",[]{}")


def plain_ok(s: str, flow: bool = False) -> bool:
    """Whether ``s`` can be written unquoted and still be read back as this exact string."""
    if not s or s != s.strip() or s[0] in _INDICATORS:
        return False
    if any(ch in s for ch in "\n\r\t") or not s.isprintable():
        return False
    if ": " in s or " #" in s or s.endswith(":"):
        return False
    if flow and any(ch in _FLOW_CHARS for ch in s):
        return False
    value = resolve_plain(s)
    return isinstance(value, str) and value == s


def scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    s = str(value)
    return s if plain_ok(s, flow) else quoted(s)


def quoted(s: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes are valid YAML double-quoted escapes)."""
    return json.dumps(s, ensure_ascii=False)


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k, True)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value, flow=True)


def _for_ruamel(value: Any) -> Any:
    """Plain data with every string that plain YAML 1.1 would misread marked for double quotes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[_for_ruamel(k)] = _for_ruamel(v)
        return out
    if isinstance(value, list):
        return CommentedSeq(_for_ruamel(v) for v in value)
    if isinstance(value, str) and not plain_ok(value, flow=True):
        return DoubleQuotedScalarString(value)
    return value


def block(value: Any, column: int, step: int, offset: int) -> str:
    """``value`` (a mapping, or a list of items) as block YAML whose first key or dash is at ``column``.

    Returns whole lines, each ending in a newline.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 1 << 30
    yaml.indent(mapping=step, sequence=offset + 2, offset=offset)
    buf = io.StringIO()
    yaml.dump(_for_ruamel(value), buf)
    lines = buf.getvalue().splitlines()
    first = lines[0]
    shift = column - (len(first) - len(first.lstrip(" ")))
    out = []
    for ln in lines:
        if not ln.strip():
            out.append("")
        elif shift >= 0:
            out.append(" " * shift + ln)
        else:
            out.append(ln[-shift:])
    return "".join(ln + "\n" for ln in out)
