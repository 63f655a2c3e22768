"""Validation of the config file: ``schemas/config.schema.json``, then rule ids and rule parameters.

Every error is one line naming the file, the line and the offending key, with
"did you mean" where a near miss exists (SPEC §3, §7): a misspelt key in a
config file silently does nothing otherwise, which is the bug this guards.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .packaged import schema_path

if TYPE_CHECKING:
    from .engine.registry import Catalogue


def did_you_mean(word: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    return json.loads(schema_path("config.schema.json").read_text(encoding="utf-8"))


def show_path(path: tuple) -> str:
    """``('rules', 'enable', 0)`` -> ``rules.enable[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class _Where:
    """Positions of keys and items in the config document, for messages."""

    def __init__(self, doc: Any, display: str):
        self.doc = doc
        self.display = display

    def pos(self, path: tuple) -> tuple[int, int]:
        if self.doc is None:
            return 1, 1
        from .model.resource import locate

        return locate(self.doc.positions, self.doc.data, self.doc.start, path)

    def error(self, path: tuple, message: str) -> Exception:
        from .config import ConfigError

        line, col = self.pos(path)
        return ConfigError(f"{self.display}:{line}:{col}: {message}")


def validate_config(data: dict[str, Any], doc: Any, display: str) -> None:
    """Raise ConfigError for an unknown key (with did-you-mean) or a value the schema refuses."""
    schema = config_schema()
    where = _Where(doc, display)
    _unknown_keys(data, schema, schema, (), where)
    errors = list(schema_errors(data, schema, schema, ()))
    if not errors:
        return
    first = min(errors, key=lambda e: (where.pos(e.path), len(e.path)))
    raise where.error(first.path, _describe(first))


class SchemaError:
    """One violation, shaped like a jsonschema ValidationError where _describe needs it."""

    def __init__(self, path: tuple, validator: str, validator_value: Any, instance: Any, message: str):
        self.path = self.absolute_path = path
        self.validator = validator
        self.validator_value = validator_value
        self.instance = instance
        self.message = message


_JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number"):
        if isinstance(value, bool):
            return False
        return isinstance(value, int) if name == "integer" else isinstance(value, (int, float))
    return isinstance(value, _JSON_TYPES[name])


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any], path: tuple):
    """The subset of JSON Schema that config.schema.json uses, without importing jsonschema.

    A config file is read on every run, pre-commit's one-file runs included;
    jsonschema costs more to import than linting a file. tests/test_config.py
    checks that this agrees with jsonschema on valid and invalid configs.
    """
    import re

    schema = _resolve(schema, root)
    types = schema.get("type")
    if types is not None:
        wanted = types if isinstance(types, list) else [types]
        if not any(_is_type(value, t) for t in wanted):
            yield SchemaError(path, "type", types, value, f"{value!r} is not of type {types!r}")
            return
    if "enum" in schema and not any(value == e and type(value) is type(e) for e in schema["enum"]):
        yield SchemaError(path, "enum", schema["enum"], value, f"{value!r} is not one of {schema['enum']!r}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            yield SchemaError(path, "minLength", schema["minLength"], value, f"{value!r} is too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            yield SchemaError(path, "pattern", schema["pattern"], value,
                              f"{value!r} does not match {schema['pattern']!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "minimum" in schema \
            and value < schema["minimum"]:
        yield SchemaError(path, "minimum", schema["minimum"], value,
                          f"{value!r} is less than the minimum of {schema['minimum']!r}")
    if isinstance(value, list):
        if schema.get("uniqueItems"):
            seen: list[Any] = []
            for item in value:
                if item in seen:
                    yield SchemaError(path, "uniqueItems", True, value, "has non-unique elements")
                    break
                seen.append(item)
        if "items" in schema:
            for i, item in enumerate(value):
                yield from schema_errors(item, schema["items"], root, (*path, i))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key, sub in value.items():
            if "propertyNames" in schema:
                yield from schema_errors(key, schema["propertyNames"], root, (*path, key))
            if key in props:
                yield from schema_errors(sub, props[key], root, (*path, key))
            elif isinstance(schema.get("additionalProperties"), dict):
                yield from schema_errors(sub, schema["additionalProperties"], root, (*path, key))
            elif schema.get("additionalProperties") is False:
                yield SchemaError((*path, key), "additionalProperties", False, value,
                                  f"unknown key {key!r}")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return root["$defs"][ref.rsplit("/", 1)[1]]
    return schema


def _unknown_keys(value: Any, schema: dict[str, Any], root: dict[str, Any], path: tuple, where: _Where) -> None:
    schema = _resolve(schema, root)
    if isinstance(value, dict) and "properties" in schema:
        allowed = list(schema["properties"])
        for key, sub in value.items():
            if key in schema["properties"]:
                _unknown_keys(sub, schema["properties"][key], root, (*path, key), where)
            elif schema.get("additionalProperties") is False:
                inside = f" in {show_path(path)}" if path else ""
                raise where.error((*path, key), f"unknown key '{key}'{inside}{did_you_mean(key, allowed)}"
                                  f"; valid keys: {', '.join(allowed)}")


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def _describe(err: Any) -> str:
    where = show_path(tuple(err.absolute_path))
    value = err.instance
    if err.validator == "enum":
        choices = [str(c) for c in err.validator_value]
        return (f"{where}: {value!r} is not one of {', '.join(choices)}"
                f"{did_you_mean(value, choices)}")
    if err.validator == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        names = " or ".join(_TYPE_NAMES.get(w, w) for w in want)
        return f"{where}: expected {names}, got {_kind(value)}"
    if err.validator == "pattern" and tuple(err.absolute_path) == ("kubernetes-version",):
        return f"{where}: {value!r} is not a Kubernetes version X.Y (e.g. \"1.37\")"
    if err.validator == "uniqueItems":
        return f"{where}: lists the same entry twice"
    if err.validator == "minLength":
        return f"{where}: must not be empty"
    return f"{where}: {err.message}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def validate_rule_refs(data: dict[str, Any], doc: Any, display: str, catalogue: Catalogue) -> None:
    """Every rule id must exist (did-you-mean) and every parameter must be one the rule declares."""
    where = _Where(doc, display)
    ids = catalogue.ids()

    def check_id(rid: Any, path: tuple) -> None:
        if rid not in catalogue.rules:
            raise where.error(path, f"{show_path(path[:-1])}: unknown rule id '{rid}'{did_you_mean(rid, ids)}")

    rules = data.get("rules") or {}
    for key in ("enable", "disable"):
        for i, rid in enumerate(rules.get(key) or ()):
            check_id(rid, ("rules", key, i))
    for rid in rules.get("severity") or {}:
        check_id(rid, ("rules", "severity", rid))
    for rid, params in (rules.get("params") or {}).items():
        check_id(rid, ("rules", "params", rid))
        _check_params(catalogue.rules[rid], params, ("rules", "params", rid), where)
    for glob, listed in (data.get("per-path-ignores") or {}).items():
        for i, rid in enumerate(listed):
            check_id(rid, ("per-path-ignores", glob, i))


# The rule schema's parameter types, and the Python values each accepts.
_PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "list": (list,), "map": (dict,),
}


def param_type(spec: dict[str, Any]) -> str | None:
    """The declared type of a rule parameter, else the type of its default."""
    declared = spec.get("type")
    if declared in _PARAM_TYPES:
        return declared
    default = spec.get("default")
    for name, types in (("boolean", (bool,)), ("integer", (int,)), ("number", (float,)), ("string", (str,)),
                        ("list", (list,)), ("map", (dict,))):
        if isinstance(default, types):
            return name
    return None


def _fits(value: Any, kind: str) -> bool:
    if kind != "boolean" and isinstance(value, bool):
        return False
    return isinstance(value, _PARAM_TYPES[kind])


def _check_params(rule: Any, params: dict[str, Any], path: tuple, where: _Where) -> None:
    declared = rule.parameters or {}
    names = sorted(declared)
    for name, value in params.items():
        ppath = (*path, name)
        if name not in declared:
            has = f"; its parameters: {', '.join(names)}" if names else "; it has no parameters"
            raise where.error(ppath, f"{show_path(ppath)}: rule '{rule.id}' has no parameter '{name}'"
                                     f"{did_you_mean(name, names)}{has}")
        if value is None:
            continue  # null means the default
        kind = param_type(declared[name])
        if kind is None:
            continue
        if not _fits(value, kind):
            raise where.error(ppath, f"{show_path(ppath)}: expected {_PARAM_NAMES[kind]}, got {_kind(value)}")
        default = declared[name].get("default")
        if kind == "list" and isinstance(default, list) and default:
            item_kinds = {param_type({"default": d}) for d in default}
            if len(item_kinds) == 1 and None not in item_kinds:
                item_kind = item_kinds.pop()
                for i, item in enumerate(value):
                    if item_kind is not None and not _fits(item, item_kind):
                        raise where.error((*ppath, i), f"{show_path((*ppath, i))}: expected "
                                                       f"{_PARAM_NAMES[item_kind]}, got {_kind(item)}")


_PARAM_NAMES = {"string": "a string", "integer": "an integer", "number": "a number",
                "boolean": "true or false", "list": "a list", "map": "a mapping"}
