"""Apply edit operations to a file's text as splices at the positions ruamel.yaml reports.

Nothing is re-serialised: a replaced scalar changes only its own characters, a
deleted entry removes only its own lines, and new content is inserted as whole
lines after the last line of the mapping or list it extends, indented like
that mapping's keys or that list's dashes (new nested levels follow the
document's most common indentation). Every other byte of the file stays as it
was. Each operation re-composes the file, so positions are never stale.
"""

from __future__ import annotations

import json
from typing import Any

from ..findings import format_path
from . import nodes as N
from . import render
from .model import ADD, DELETE, DELETE_AT, QUOTE, RENAME, SET, CannotFix, Op


def apply_ops(text: str, doc_index: int, ops: list[Op]) -> str:
    for op in ops:
        text = apply_op(text, doc_index, op)
    return text


def apply_op(text: str, doc_index: int, op: Op) -> str:
    """Apply one operation to document ``doc_index``; only that document's text is composed and edited."""
    handler = _HANDLERS.get(op.kind)
    if handler is None:
        raise CannotFix(f"unknown operation {op.kind!r}")
    start, end, first_line = N.document_span(text, doc_index)
    piece = text[start:end]
    docs = N.compose_all(piece)
    if len(docs) != 1 or docs[0] is None:
        raise CannotFix("the document is empty or missing")
    if op.at is not None:  # positions inside the slice count from its first line
        op = Op(op.kind, op.path, op.value, op.position, (op.at[0] - first_line, op.at[1]))
    return text[:start] + handler(piece, docs[0], op) + text[end:]


class _Writer:
    """How new values are spelled in this document: YAML, or JSON when the document is JSON (a flow
    mapping with double-quoted keys), so a ``.json`` file stays valid JSON."""

    def __init__(self, root: Any):
        self.json = N.json_like(root)

    def scalar(self, value: Any, flow: bool = False) -> str:
        return json.dumps(value, ensure_ascii=False) if self.json else render.scalar(value, flow)

    def flow(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) if self.json else render.flow(value)


def _where(path: tuple) -> str:
    return format_path(path) or "the document"


# -- set --------------------------------------------------------------------------------------------------

def _set(text: str, root: Any, op: Op) -> str:
    found = N.walk(root, op.path)
    N.refuse_shared(found)
    depth = len(found) - 1
    if depth == len(op.path):
        return _set_existing(text, root, found, op)
    rest = op.path[depth:]
    if any(isinstance(p, int) for p in rest):
        raise CannotFix(f"{_where(op.path[:depth + 1])} does not exist")
    value = op.value
    for part in reversed(rest[1:]):
        value = {part: value}
    parent = found[-1]
    pk = N.kind(parent)
    if pk == "map":
        return _insert_key(text, root, parent, rest[0], value, op.position)
    if pk == "scalar" and N.plain_value(parent) is None and depth > 0:
        return _fill_null(text, root, found[-2], op.path[depth - 1], parent, {rest[0]: value})
    raise CannotFix(f"{_where(op.path[:depth])} is not a mapping")


def _set_existing(text: str, root: Any, found: list[Any], op: Op) -> str:
    target = found[-1]
    if not op.path:
        raise CannotFix("cannot replace a whole document")
    if same(N.to_plain(target), op.value):
        return text
    parent = found[-2]
    tk = N.kind(target)
    if tk == "scalar" and not isinstance(op.value, (dict, list)):
        write = _Writer(root)
        if _is_empty(target):
            return _fill_empty(text, parent, op.path[-1], write.scalar(op.value, bool(parent.flow_style)))
        return replace_scalar(text, target, write.scalar(op.value, bool(parent.flow_style)))
    if tk == "scalar" and N.plain_value(target) is None:
        return _fill_null(text, root, parent, op.path[-1], target, op.value)
    raise CannotFix(f"{_where(op.path)} holds a mapping or list; the fix does not replace it")


def _is_empty(node: Any) -> bool:
    return N.is_plain(node) and node.value == "" and node.start_mark.index == node.end_mark.index


def replace_scalar(text: str, node: Any, new: str) -> str:
    if N.kind(node) != "scalar" or node.style in ("|", ">") or node.start_mark.line != node.end_mark.line:
        raise CannotFix("the value spans several lines")
    return text[:node.start_mark.index] + new + text[node.end_mark.index:]


def _key_node(parent: Any, key: Any) -> Any:
    if N.kind(parent) != "map":
        raise CannotFix("a list item without a key cannot be filled in")
    found = N.entry(parent, key)
    if found is None:
        raise CannotFix(f"key {key!r} not found")
    return found[0]


def _fill_empty(text: str, parent: Any, key: Any, new: str) -> str:
    """``key:`` with nothing after it: write `` value`` right after the colon."""
    kn = _key_node(parent, key)
    colon = text.find(":", kn.end_mark.index)
    if colon < 0 or "\n" in text[kn.end_mark.index:colon]:
        raise CannotFix("unusual key layout")
    return text[:colon + 1] + " " + new + text[colon + 1:]


def _fill_null(text: str, root: Any, parent: Any, key: Any, null: Any, value: Any) -> str:
    """Replace a null value (``key:``, ``key: ~``, ``key: null``) by a mapping or list."""
    kn = _key_node(parent, key)
    if parent.flow_style:
        if _is_empty(null):
            raise CannotFix("empty value in a flow mapping")
        return replace_scalar(text, null, _Writer(root).flow(value))
    if not isinstance(value, (dict, list)):
        raise CannotFix("internal: a null is filled with a mapping or list only")
    step, offset = N.layout(root, text)
    col = kn.start_mark.column
    if not _is_empty(null):
        if null.start_mark.line != kn.start_mark.line:
            raise CannotFix("unusual null layout")
        start = null.start_mark.index
        while start > 0 and text[start - 1] == " ":
            start -= 1
        text = text[:start] + text[null.end_mark.index:]
    block = render.block(value, col + (step if isinstance(value, dict) else offset), step, offset)
    return insert_after_line(text, kn.end_mark.index, block)


def _insert_key(text: str, root: Any, mapping: Any, key: Any, value: Any, position: str) -> str:
    write = _Writer(root)
    entry_flow = f"{write.scalar(key, True)}: {write.flow(value)}"
    if mapping.flow_style:
        start, end = mapping.start_mark.index, mapping.end_mark.index
        if text[end - 1:end] != "}":
            raise CannotFix("unusual flow mapping")
        if not mapping.value:
            return text[:start] + "{" + entry_flow + "}" + text[end:]
        if position == "first":
            inner = text[start + 1:end - 1]
            at = start + 1 + len(inner) - len(inner.lstrip(" "))
            return text[:at] + entry_flow + ", " + text[at:]
        last_key = mapping.value[-1][0]
        at = N.end_index(mapping.value[-1][1], text)
        return text[:at] + _flow_separator(mapping, last_key, text) + entry_flow + text[at:]
    step, offset = N.layout(root, text)
    first_key = mapping.value[0][0]
    block = render.block({key: value}, first_key.start_mark.column, step, offset)
    if position == "first" and N.starts_line(first_key, text):
        at = N.line_start(text, first_key.start_mark.index)
        return text[:at] + block + text[at:]
    return insert_after_line(text, _content_end(mapping, text), block)


def _flow_separator(collection: Any, last: Any, text: str) -> str:
    """``, `` on one line; in a flow collection laid out one entry per line (pretty JSON), a new line
    indented like the last entry."""
    if last.start_mark.line != collection.start_mark.line and N.starts_line(last, text):
        return ",\n" + " " * last.start_mark.column
    return ", "


def _content_end(node: Any, text: str) -> int:
    """End of a block collection's content; an empty value counts as ending at its key."""
    k = N.kind(node)
    if k == "map" and not node.flow_style:
        return max(N.end_index(kn, text) if _is_empty(vn) else _content_end(vn, text) for kn, vn in node.value)
    if k == "seq" and not node.flow_style:
        if any(_is_empty(v) for v in node.value):
            raise CannotFix("a list with an empty item")
        return max(_content_end(v, text) for v in node.value)
    return N.end_index(node, text)


def insert_after_line(text: str, index: int, block: str) -> str:
    """Insert whole lines after the line holding ``text[index - 1]``."""
    if index > 0 and text[index - 1] == "\n":
        at = index
    else:
        nl = text.find("\n", index)
        if nl < 0:
            text += "\n"
            at = len(text)
        else:
            at = nl + 1
    return text[:at] + block + text[at:]


# -- add (append to a list) ---------------------------------------------------------------------------------

def _add(text: str, root: Any, op: Op) -> str:
    if not isinstance(op.value, list):
        raise CannotFix("add takes a list of items")
    found = N.walk(root, op.path)
    if len(found) - 1 < len(op.path) or (N.kind(found[-1]) == "scalar" and N.plain_value(found[-1]) is None):
        return _set(text, root, Op(SET, op.path, op.value, op.position))
    N.refuse_shared(found)
    target = found[-1]
    if N.kind(target) != "seq":
        raise CannotFix(f"{_where(op.path)} is not a list")
    have = N.to_plain(target)
    items = [v for v in op.value if not any(same(v, h) for h in have)]
    if not items:
        return text
    start, end = target.start_mark.index, target.end_mark.index
    if target.flow_style:
        if text[end - 1:end] != "]":
            raise CannotFix("unusual flow list")
        write = _Writer(root)
        if target.value:
            at = N.end_index(target.value[-1], text)
            sep = _flow_separator(target, target.value[-1], text)
            return text[:at] + sep + sep.join(write.flow(i) for i in items) + text[at:]
        parent = found[-2] if len(found) > 1 else None
        if parent is not None and N.kind(parent) == "map" and not parent.flow_style:
            kn = _key_node(parent, op.path[-1])
            rest = text[end:text.find("\n", end) if "\n" in text[end:] else len(text)].strip(" ")
            if kn.start_mark.line == target.start_mark.line and (not rest or rest.startswith("#")):
                step, offset = N.layout(root, text)
                cut = start
                while cut > 0 and text[cut - 1] == " ":
                    cut -= 1
                text = text[:cut] + text[end:]
                return insert_after_line(text, kn.end_mark.index,
                                         render.block(items, kn.start_mark.column + offset, step, offset))
        return text[:start] + write.flow(items) + text[end:]
    step, offset = N.layout(root, text)
    dash = N.dash_column(target.value[0], text)
    return insert_after_line(text, _content_end(target, text), render.block(items, dash, step, offset))


# -- rename, quote, delete ------------------------------------------------------------------------------------

def _rename(text: str, root: Any, op: Op) -> str:
    found = N.walk(root, op.path)
    if len(found) - 1 < len(op.path) or not op.path:
        raise CannotFix(f"{_where(op.path)} does not exist")
    N.refuse_shared(found)
    parent = found[-2]
    if N.kind(parent) != "map":
        raise CannotFix(f"{_where(op.path)} is not a mapping key")
    if N.entry(parent, op.value) is not None:
        raise CannotFix(f"'{op.value}' is already set next to it")
    occurrences = [kn for kn, _ in parent.value if N.key_of(kn) == op.path[-1]]
    if len(occurrences) != 1:
        raise CannotFix(f"'{op.path[-1]}' appears more than once")
    return replace_scalar(text, occurrences[0], _Writer(root).scalar(op.value, bool(parent.flow_style)))


def _quote(text: str, root: Any, op: Op) -> str:
    found = N.walk(root, op.path)
    if len(found) - 1 < len(op.path):
        raise CannotFix(f"{_where(op.path)} does not exist")
    N.refuse_shared(found)
    target = found[-1]
    if not N.is_plain(target) or _is_empty(target):
        raise CannotFix("the value is not a plain scalar")
    if op.value is not None and target.value != op.value:
        raise CannotFix(f"the value is no longer `{op.value}`")
    return replace_scalar(text, target, render.quoted(target.value))


def _delete(text: str, root: Any, op: Op) -> str:
    found = N.walk(root, op.path)
    if len(found) - 1 < len(op.path):
        return text  # already absent
    N.refuse_shared(found[:-1])
    parent = found[-2]
    if N.kind(parent) != "map":
        raise CannotFix(f"{_where(op.path)} is not a mapping key")
    entries = [(kn, vn) for kn, vn in parent.value if N.key_of(kn) == op.path[-1]]
    if len(entries) != 1:
        raise CannotFix(f"'{op.path[-1]}' appears more than once")
    return delete_entry(text, parent, *entries[0])


def _delete_at(text: str, root: Any, op: Op) -> str:
    if op.at is None:
        raise CannotFix("no position")
    line, col = op.at[0] - 1, op.at[1] - 1
    for mapping, kn, vn in entries(root):
        if kn.start_mark.line == line and kn.start_mark.column == col:
            return delete_entry(text, mapping, kn, vn)
    raise CannotFix(f"no key at line {op.at[0]}, column {op.at[1]}")


def entries(root: Any) -> Any:
    """(mapping node, key node, value node) for every mapping entry under ``root``, each node once."""
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        k = N.kind(node)
        if k == "map":
            for kn, vn in node.value:
                yield node, kn, vn
                stack.append(vn)
        elif k == "seq":
            stack.extend(node.value)


def delete_entry(text: str, mapping: Any, kn: Any, vn: Any) -> str:
    """Remove one ``key: value`` entry of a block mapping: its lines, nothing else."""
    if N.has_anchor(kn) or N.has_anchor(vn):
        raise CannotFix("the value defines a YAML anchor used elsewhere")
    if mapping.flow_style:
        raise CannotFix("the key is in a flow mapping ({...}); edit it by hand")
    if not N.starts_line(kn, text):
        raise CannotFix("the key shares its line with a list dash")
    if len(mapping.value) == 1:
        raise CannotFix("it is the only key of its mapping, which would become null")
    end = N.end_index(kn, text) if _is_empty(vn) else _content_end(vn, text)
    nl = text.find("\n", end)
    tail = text[end:nl if nl >= 0 else len(text)].strip(" ")
    if tail and not tail.startswith("#"):
        raise CannotFix("something else follows the value on its line")
    start = N.line_start(text, kn.start_mark.index)
    return text[:start] + text[nl + 1 if nl >= 0 else len(text):]


def same(a: Any, b: Any) -> bool:
    """Equality that tells ``True`` from ``1`` and ``1`` from ``1.0`` (the decoder does)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


_HANDLERS = {SET: _set, ADD: _add, RENAME: _rename, DELETE: _delete, QUOTE: _quote, DELETE_AT: _delete_at}
