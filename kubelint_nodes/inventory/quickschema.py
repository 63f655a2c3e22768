"""A quick yes/no JSON Schema check, compiled from the schema into plain closures.

jsonschema builds a validator object per instance it descends into and resolves every ``$ref`` through the
referencing library on every use: fine for a manifest, seconds for a 20,000-node inventory.  This check
answers only "is it valid?", and only says yes when jsonschema would find no error (Draft 2020-12
semantics of the keywords below, as jsonschema's ``_keywords`` implements them); a value it is not sure of
(a float count, a subclass) is a no, and the caller then runs jsonschema for the real messages.  A keyword
it does not know makes :func:`compile_schema` raise :class:`Unsupported`, so a schema edit can never make
it accept what jsonschema refuses.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

#: Keywords with no effect on validity.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"})
#: Remembered valid strings per pattern: inventories repeat the same quantities and names.
_MAX_REMEMBERED = 65536


class Unsupported(Exception):
    """The schema uses something the quick check does not implement."""


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


# jsonschema's draft 2020-12 type checker, narrowed: exact built-in classes only (anything else is "not
# sure", i.e. False, which sends the document to jsonschema).  An integral float is an "integer" there;
# here it is not sure either.
_TYPES: dict[str, Check] = {
    "string": lambda x: x.__class__ is str,
    "integer": lambda x: x.__class__ is int,
    "number": lambda x: x.__class__ is int or x.__class__ is float,
    "object": lambda x: x.__class__ is dict,
    "array": lambda x: x.__class__ is list,
    "boolean": lambda x: x.__class__ is bool,
    "null": lambda x: x is None,
}


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda x: a(x) and b(x)
    frozen = tuple(checks)

    def every(x: Any) -> bool:
        for c in frozen:
            if not c(x):
                return False
        return True

    return every


def _type(value: Any) -> Check:
    names = [value] if isinstance(value, str) else list(value)
    if not names or any(n not in _TYPES for n in names):
        raise Unsupported(f"type {value!r}")
    if len(names) == 1:
        return _TYPES[names[0]]
    exact = {n for n in names if n not in ("integer", "number", "null")}
    classes = frozenset({"string": str, "object": dict, "array": list, "boolean": bool}[n] for n in exact)
    if "number" in names:
        classes |= {int, float}
    elif "integer" in names:
        classes |= {int}
    none_ok = "null" in names
    return lambda x: x.__class__ in classes or (none_ok and x is None)


def _strings(values: list[Any], keyword: str) -> frozenset[str]:
    if not all(isinstance(v, str) for v in values):
        raise Unsupported(f"{keyword} with values that are not strings")
    return frozenset(values)


def _pattern(value: str) -> Check:
    search = re.compile(value).search  # jsonschema: re.search, unanchored unless the pattern anchors
    ok: set[str] = set()

    def check(x: Any) -> bool:
        if not isinstance(x, str) or x in ok:
            return True
        if search(x) is None:
            return False
        if len(ok) < _MAX_REMEMBERED:
            ok.add(x)
        return True

    return check


def _minimum(m: Any) -> Check:
    return lambda x: not _is_number(x) or not x < m


def _maximum(m: Any) -> Check:
    return lambda x: not _is_number(x) or not x > m


def compile_schema(root: Any) -> Check:
    """A function that returns True only for instances valid against ``root``."""
    refs: dict[str, Check] = {}
    compiling: set[str] = set()

    def resolve(ref: str) -> Check:
        if not ref.startswith("#/"):
            raise Unsupported(f"$ref {ref!r}")
        if ref in refs:
            return refs[ref]
        if ref in compiling:  # a recursive schema: look the finished check up at call time
            return lambda x: refs[ref](x)
        node = root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise Unsupported(f"$ref {ref!r} does not resolve")
            node = node[part]
        compiling.add(ref)
        refs[ref] = build(node)
        compiling.discard(ref)
        return refs[ref]

    def build(schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported("a schema that is not an object")
        unknown = set(schema) - _ANNOTATIONS - _KEYWORDS
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        checks: list[Check] = []
        if "type" in schema:
            checks.append(_type(schema["type"]))
        if "const" in schema:
            const = _strings([schema["const"]], "const")
            checks.append(lambda x: x.__class__ is str and x in const)
        if "enum" in schema:
            choices = _strings(list(schema["enum"]), "enum")
            checks.append(lambda x: x.__class__ is str and x in choices)
        if "$ref" in schema:
            checks.append(resolve(schema["$ref"]))
        if "required" in schema:
            required = tuple(schema["required"])
            checks.append(lambda x: not isinstance(x, dict) or all(k in x for k in required))
        props = schema.get("properties", {})
        if props:
            compiled = tuple((k, build(v)) for k, v in props.items())

            def properties(x: Any) -> bool:
                if not isinstance(x, dict):
                    return True
                for k, c in compiled:
                    if k in x and not c(x[k]):
                        return False
                return True

            checks.append(properties)
        if "additionalProperties" in schema:
            known = frozenset(props)
            extra = schema["additionalProperties"]
            if extra is False:
                checks.append(lambda x: not isinstance(x, dict) or x.keys() <= known)
            elif extra is not True:
                each = build(extra)

                def additional(x: Any) -> bool:
                    if not isinstance(x, dict):
                        return True
                    for k, v in x.items():
                        if k not in known and not each(v):
                            return False
                    return True

                checks.append(additional)
        if "items" in schema:
            item = build(schema["items"])

            def items(x: Any) -> bool:
                if not isinstance(x, list):
                    return True
                for v in x:
                    if not item(v):
                        return False
                return True

            checks.append(items)
        if "minLength" in schema:
            n = schema["minLength"]
            checks.append(lambda x: not isinstance(x, str) or len(x) >= n)
        if "maxLength" in schema:
            n2 = schema["maxLength"]
            checks.append(lambda x: not isinstance(x, str) or len(x) <= n2)
        if "pattern" in schema:
            checks.append(_pattern(schema["pattern"]))
        if "minimum" in schema:
            checks.append(_minimum(schema["minimum"]))
        if "maximum" in schema:
            checks.append(_maximum(schema["maximum"]))
        return _all(checks)

    return build(root)


_KEYWORDS = frozenset({"type", "const", "enum", "$ref", "required", "properties", "additionalProperties",
                       "items", "minLength", "maxLength", "pattern", "minimum", "maximum"})
