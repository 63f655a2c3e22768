"""Prove an edit did what it meant: the new text decodes to exactly the intended data.

The check uses the project's own loader (YAML 1.1, as Kubernetes decodes), not
ruamel.yaml: the edited document must equal the old one with the operations
applied to its decoded data, every other document must be unchanged, and the
parser must report nothing new (no syntax error, no new duplicate key). Any
difference means the text edit and its intent disagree, and the fix is dropped.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from ..loader.yamlparse import ParseResult
from .edit import same
from .model import ADD, DELETE, DELETE_AT, QUOTE, RENAME, SET, CannotFix, Op


def expected_data(data: Any, ops: list[Op]) -> Any:
    """``data`` (one decoded document) with ``ops`` applied, as the edited text must decode."""
    out = copy.deepcopy(data)
    for op in ops:
        out = _apply(out, op)
    return out


def _apply(root: Any, op: Op) -> Any:
    if op.kind == DELETE_AT:
        return root  # a duplicate whose value equals the surviving one: the decoded data does not change
    if not op.path:
        raise CannotFix("an operation on the whole document")
    parent = root
    for i, part in enumerate(op.path[:-1]):
        if isinstance(parent, dict):
            child = parent.get(part)
            if child is None and op.kind in (SET, ADD):
                child = parent[part] = {}
        elif isinstance(parent, list) and isinstance(part, int) and 0 <= part < len(parent):
            child = parent[part]
        else:
            raise CannotFix(f"no {op.path[:i + 1]} in the document")
        parent = child
    last = op.path[-1]
    if op.kind == SET:
        _container(parent, op)[last] = copy.deepcopy(op.value)
    elif op.kind == ADD:
        have = parent.get(last) if isinstance(parent, dict) else None
        items = list(have) if isinstance(have, list) else []
        items += [copy.deepcopy(v) for v in op.value if not any(same(v, h) for h in items)]
        _container(parent, op)[last] = items
    elif op.kind == RENAME:
        _container(parent, op)[op.value] = parent.pop(last)
    elif op.kind == DELETE:
        _container(parent, op).pop(last, None)
    elif op.kind == QUOTE:
        _container(parent, op)[last] = op.value
    return root


def _container(parent: Any, op: Op) -> dict:
    if not isinstance(parent, dict):
        raise CannotFix(f"the parent of {op.path} is not a mapping")
    return parent


def check(old: ParseResult, new: ParseResult, doc_index: int, expected: Any) -> None:
    """Raise ``CannotFix`` unless ``new`` (the edited text, parsed) is ``old`` with only the intended change."""
    if new.skipped or len(new.documents) != len(old.documents):
        raise CannotFix("the edit would change the file's document structure")
    added = Counter((i.rule, i.message) for i in new.issues) - Counter((i.rule, i.message) for i in old.issues)
    if added:
        rule, message = next(iter(added))
        raise CannotFix(f"the edit would introduce a YAML problem ({rule}: {message})")
    for i, (before, after) in enumerate(zip(old.documents, new.documents, strict=True)):
        want = expected if i == doc_index else before.data
        if not same(want, after.data):
            what = "the edited document" if i == doc_index else f"document {i + 1}"
            raise CannotFix(f"{what} would not decode to the intended data")
