"""Compile the schema subset into plain Python predicates that answer "is it valid?".

Why not jsonschema or fastjsonschema: the vendored schemas use only
``type``, ``properties``, ``additionalProperties``, ``required``, ``items``,
``enum``, ``pattern``, ``minimum``/``maximum`` and ``$ref``, so closures over
dict lookups answer the common question (a valid document) with no new
dependency and no code generation. Compiling is lazy and per definition; the
deduped pool is shared between releases, so one definition compiles once per
process. The predicates never explain: a document they refuse is walked again
by :mod:`.explain`, which collects every problem with its path.

Values are those the API server decodes (``sigs.k8s.io/yaml``): plain dicts,
lists, str, int, float, bool and None. ``bool`` is an ``int`` in Python and
never passes as an integer; an integral float passes as an integer, as the
YAML-to-JSON conversion writes ``1.0`` as ``1``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]


def is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and math.isfinite(v) and v.is_integer()


def is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))


TYPE_TESTS: dict[str, Check] = {
    "null": lambda v: v is None,
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": is_integer,
    "number": is_number,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def type_list(node: dict[str, Any]) -> tuple[str, ...] | None:
    t = node.get("type")
    if t is None:
        return None
    return (t,) if isinstance(t, str) else tuple(t)


class Compiler:
    """Memoised predicates per definition name of one definitions pool."""

    def __init__(self, definitions: dict[str, Any]):
        self.definitions = definitions
        self.memo: dict[str, Check] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}

    def definition(self, name: str) -> Check:
        fn = self.memo.get(name)
        if fn is None:
            cell: list[Check] = []
            # A placeholder first, so a (never expected) reference cycle resolves instead of recursing forever.
            self.memo[name] = lambda v: cell[0](v)
            fn = self.node(self.definitions[name])
            cell.append(fn)
            self.memo[name] = fn
        return fn

    def node(self, node: dict[str, Any]) -> Check:
        ref = node.get("$ref")
        if ref is not None:
            return self.definition(ref.rsplit("/", 1)[-1])
        types = type_list(node)
        if types is None:
            return lambda v: True
        nullable = "null" in types
        if "object" in types and ("properties" in node or "additionalProperties" in node):
            return self._object(node, nullable, len(types) - nullable > 1)
        if "array" in types and "items" in node and len(types) - nullable == 1:
            return self._array(node, nullable)
        return self._scalar(node, types)

    def _object(self, node: dict[str, Any], nullable: bool, mixed: bool) -> Check:
        props = {k: self.node(v) for k, v in (node.get("properties") or {}).items()}
        addl = node.get("additionalProperties", True)
        required = tuple(node.get("required") or ())
        extra: Check | None
        if addl is False:
            extra = None
        elif addl is True:
            extra = _any
        else:
            extra = self.node(addl)
        if mixed:  # never in the vendored schemas; kept exact all the same
            raise ValueError("object unions are not supported")

        if not props and extra is not None:
            def check_map(v: Any) -> bool:
                if not isinstance(v, dict):
                    return nullable and v is None
                for x in v.values():
                    if not extra(x):
                        return False
                return True

            return check_map

        get = props.get

        def check_object(v: Any) -> bool:
            if not isinstance(v, dict):
                return nullable and v is None
            for k, x in v.items():
                c = get(k)
                if c is None:
                    if extra is None or not extra(x):
                        return False
                elif not c(x):
                    return False
            for r in required:
                if r not in v:
                    return False
            return True

        return check_object

    def _array(self, node: dict[str, Any], nullable: bool) -> Check:
        item = self.node(node["items"])

        def check_array(v: Any) -> bool:
            if not isinstance(v, list):
                return nullable and v is None
            for x in v:
                if not item(x):
                    return False
            return True

        return check_array

    def _scalar(self, node: dict[str, Any], types: tuple[str, ...]) -> Check:
        tests = tuple(TYPE_TESTS[t] for t in types)
        enum = node.get("enum")
        pattern = node.get("pattern")
        lo, hi = node.get("minimum"), node.get("maximum")
        rx = re.compile(pattern) if pattern else None
        if enum is None and rx is None and lo is None and hi is None:
            if types == ("string", "null"):
                return _str_or_none
            if len(tests) == 1:
                return tests[0]
            return lambda v: any(t(v) for t in tests)

        def check_scalar(v: Any) -> bool:
            if not any(t(v) for t in tests):
                return False
            return value_ok(v, enum, rx, lo, hi)

        return check_scalar


def value_ok(v: Any, enum: list | None, rx: re.Pattern[str] | None, lo: Any, hi: Any) -> bool:
    """The value keywords; each applies only to its own type, as in JSON Schema."""
    if enum is not None and v not in enum:
        return False
    if rx is not None and isinstance(v, str) and not rx.search(v):
        return False
    if is_number(v):
        if lo is not None and v < lo:
            return False
        if hi is not None and v > hi:
            return False
    return True


def _any(v: Any) -> bool:
    return True


def _str_or_none(v: Any) -> bool:
    return v is None or isinstance(v, str)
