"""How messages name the type of a decoded YAML/JSON value.

One place for it, so a schema error, a kubelet type error and an inventory
error say "got a boolean" the same way.
"""

from __future__ import annotations

from typing import Any


def json_type(value: Any) -> str:
    """The JSON Schema type word: null, boolean, integer, number, string, object, array."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


_PROSE = {"null": "null", "boolean": "a boolean", "integer": "an integer", "number": "a number",
          "string": "a string", "object": "a mapping", "array": "a list"}


def described_type(value: Any) -> str:
    """The type in words for messages: "a boolean", "a mapping", "a list", "null"."""
    word = json_type(value)
    return _PROSE.get(word, word)
