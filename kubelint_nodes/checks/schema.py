"""``schema-invalid`` and ``deprecated-api-version``: the object against its Kubernetes schema and release.

The schema work is :mod:`kubelint_nodes.schema`; this module only turns its
problems into hits, sharpens the YAML hints with the scalar's source text
(``on``, ``0777``), and decides what is silent: kinds without a shipped
schema unless ``--strict-kinds``, and the kinds other components validate.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ..engine.context import CheckContext, Hit
from ..engine.registry import check
from ..model.resource import locate

# Validated elsewhere: the kubelet configuration by kubelint_nodes.kubelet, which plugs its type check in
# through kubelint_nodes.schema.register_validator; the inventory by its own schema.
_OWN_SCHEMA_ELSEWHERE = {"KubeletConfiguration", "NodeInventory"}


@check("schema-invalid")
def schema_invalid(ctx: CheckContext) -> Iterator[Hit]:
    from .. import schema

    res = ctx.resource
    data = res.data
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return
    version = schema.resolve_version(ctx.settings.kubernetes_version)
    if res.prefix:
        yield from _list_envelope(ctx, version)
    tokens = _Tokens(res)
    problems = schema.check(data, api_version, kind, version, tokens.token_of)
    if problems is None:
        external = schema.external_validator(api_version, kind)
        if external is not None:
            problems = external(data)
        elif kind in _OWN_SCHEMA_ELSEWHERE or schema.removed_api(api_version, kind, version):
            return  # deprecated-api-version says what to do with a removed apiVersion
        elif ctx.settings.strict_kinds:
            yield ctx.hit(f"{api_version} {kind}: no schema is shipped for this kind, so it was not validated "
                          f"(--strict-kinds)", ("kind",))
            return
        else:
            return
    for p in problems or ():
        yield ctx.hit(p.message, tuple(p.path))


def _list_envelope(ctx: CheckContext, version: str) -> Iterator[Hit]:
    """A ``kind: List`` becomes one resource per item; its envelope is checked once, with the first item."""
    from .. import schema

    res = ctx.resource
    root = res.doc.data
    if not isinstance(root, dict) or root.get("kind") != "List" or res.prefix[0] != "items":
        return
    items = root.get("items")
    first = next((i for i, it in enumerate(items) if isinstance(it, dict) and "apiVersion" in it and "kind" in it),
                 None) if isinstance(items, list) else None
    if res.prefix != ("items", first):
        return
    envelope = {k: ([] if k == "items" else v) for k, v in root.items()}
    for p in schema.check(envelope, root.get("apiVersion"), "List", version) or ():
        line, col = locate(res.doc.positions, root, res.doc.start, tuple(p.path))
        yield Hit(p.message, tuple(p.path), file=res.file.display, line=line, column=col,
                  object={"apiVersion": root.get("apiVersion") if isinstance(root.get("apiVersion"), str) else None,
                          "kind": "List", "name": None, "namespace": None, "role": "other"})


@check("deprecated-api-version")
def deprecated_api_version(ctx: CheckContext) -> Iterator[Hit]:
    from .. import schema

    data = ctx.resource.data
    api_version, kind = data.get("apiVersion"), data.get("kind")
    version = schema.resolve_version(ctx.settings.kubernetes_version)
    row = schema.removed_api(api_version, kind, version)
    if row is None:
        return
    head = f"{kind} {api_version} is no longer served (removed in Kubernetes {row.removed_in}; selected {version})"
    if row.replacement:
        msg = f"{head}; use apiVersion: {row.replacement}"
    else:
        msg = f"{head}, and has no replacement"
    yield ctx.hit(msg, ("apiVersion",))


class _Tokens:
    """The source text of a scalar, to say "unquoted `on`" rather than "a boolean".

    The engine hands checks parsed values only, so the file is read again, lazily and only for a
    document with a type problem; the token is used only if it still resolves to the parsed value.
    """

    def __init__(self, res: Any):
        self.res = res
        self.lines: list[str] | None = None

    def _text_lines(self) -> list[str]:
        if self.lines is None:
            f = self.res.file
            self.lines = [] if getattr(f, "is_stdin", False) else _file_lines(f.abspath)
        return self.lines

    def token_of(self, path: tuple) -> str | None:
        try:
            return self._token(path)
        except (IndexError, KeyError, TypeError, ValueError):
            return None

    def _token(self, path: tuple) -> str | None:
        from ..loader.yamlparse import resolve_plain

        if not path:
            return None
        parent: Any = self.res.data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        value = parent[last]
        table = self.res.doc.positions.get(id(parent))
        if table is None:
            return None
        line_no, col = table[last]
        lines = self._text_lines()
        if not 0 < line_no <= len(lines):
            return None
        rest = lines[line_no - 1][col - 1:]
        if isinstance(parent, dict):
            rest = _after_key(rest, last)
            if rest is None:
                return None
        token = _plain_scalar(rest)
        if token is None:
            return None
        if token == "":
            return "" if value is None else None
        resolved = resolve_plain(token)
        if type(resolved) is not type(value) or resolved != value:
            return None
        return token


def _file_lines(path: str) -> list[str]:
    try:
        st = os.stat(path)
    except OSError:
        return []
    return _read_lines(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _read_lines(path: str, _mtime: int, _size: int) -> list[str]:
    """Keyed on mtime and size too, so a rewritten file is read again; a stale token is refused anyway."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return fh.read().split("\n")
    except (OSError, UnicodeDecodeError, ValueError):
        return []


def _after_key(text: str, key: str) -> str | None:
    """What follows ``key:`` on the key's line (plain, single- or double-quoted key)."""
    if text[:1] in ("'", '"'):
        end = text.find(text[0], 1)
        if end < 0:
            return None
        text = text[end + 1:]
    elif text.startswith(key):
        text = text[len(key):]
    else:
        return None
    text = text.lstrip(" \t")
    if not text.startswith(":"):
        return None
    return text[1:]


def _plain_scalar(text: str) -> str | None:
    """The plain scalar at the start of ``text`` (block or flow context); None for quoted or complex ones."""
    text = text.strip(" \t\r")
    if text[:1] in ("'", '"', "|", ">", "&", "*", "!", "[", "{"):
        return None
    out = []
    for i, ch in enumerate(text):
        if ch in ",]}":
            break
        if ch == "#" and (i == 0 or text[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).strip(" \t\r")
