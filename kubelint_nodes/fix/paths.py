"""Turn a finding's printed path back into the tuple it was made from.

``format_path`` joins keys with dots, and Kubernetes keys contain dots
(``nodeSelector.nvidia.com/gpu.present``), so the string is matched against the
object's actual keys, longest first; the part below the last existing key (a
field the finding says is missing) is split on dots.
"""

from __future__ import annotations

import re
from typing import Any

_INDEX = re.compile(r"\[(\d+)\]")


def resolve(data: Any, text: str | None) -> tuple | None:
    if text is None:
        return None
    if text == "":
        return ()
    return _walk(data, text, True)


def _walk(node: Any, rest: str, first: bool) -> tuple | None:
    if rest == "":
        return ()
    m = _INDEX.match(rest)
    if m:
        idx = int(m.group(1))
        child = node[idx] if isinstance(node, list) and idx < len(node) else None
        tail = _walk(child, rest[m.end():], False)
        return None if tail is None else (idx, *tail)
    if not first:
        if not rest.startswith("."):
            return None
        rest = rest[1:]
    if isinstance(node, dict):
        for key in sorted((k for k in node if isinstance(k, str) and rest.startswith(k)), key=len, reverse=True):
            after = rest[len(key):]
            if after and after[0] not in ".[":
                continue
            tail = _walk(node[key], after, False)
            if tail is not None:
                return (key, *tail)
    return _naive(rest)


def _naive(rest: str) -> tuple | None:
    """Split a path below the existing data: ``a.b[0].c`` -> ('a', 'b', 0, 'c')."""
    out: list[Any] = []
    for part in rest.split("."):
        m = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", part)
        if m is None:
            return None
        if m.group(1):
            out.append(m.group(1))
        out.extend(int(i) for i in _INDEX.findall(m.group(2)))
    return tuple(out)


CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def container_base(path: tuple) -> tuple | None:
    """The path of the container a path points into (``…containers[0]``), or None."""
    for i in range(len(path) - 1, 0, -1):
        if isinstance(path[i], int) and path[i - 1] in CONTAINER_LISTS:
            return path[:i + 1]
    return None


def split_field(field: str | None) -> tuple:
    """A declared relative field (``securityContext.allowPrivilegeEscalation``) as a path tuple."""
    if not field:
        return ()
    return _naive(field) or ()
