"""``--format json``: the SPEC §4 report object.

One finding per line: readable and diff-friendly. Byte for byte what
``json.dumps(finding.to_json(), ensure_ascii=False)`` gives, but assembled from
pre-encoded pieces: a large tree yields tens of thousands of findings sharing
a few rule ids, files and object references, and encoding each finding's dict
anew was the largest single cost after the rules (0.23 s of a 1.5 s run for
33,000 findings). ``indent`` is avoided altogether: it forces the pure-Python
encoder.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..findings import Finding

if TYPE_CHECKING:
    from ..lint import LintResult
    from ..settings import Settings


# Built once: ``json.dumps`` with any non-default argument builds a new encoder on every call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_STRING: Any = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring


class _Pieces:
    """Encoded strings and objects, memoised for one report (keyed by identity for shared dicts)."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.objects: dict[int, tuple[Any, str]] = {}

    def string(self, value: Any) -> str:
        if value is None:
            return "null"
        if type(value) is not str:
            return _ENCODE(value)
        out = self.strings.get(value)
        if out is None:
            out = self.strings[value] = _STRING(value)
        return out

    def obj(self, value: Any) -> str:
        if value is None:
            return "null"
        hit = self.objects.get(id(value))
        if hit is None or hit[0] is not value:
            hit = self.objects[id(value)] = (value, _ENCODE(value))  # the value is kept, so its id stays unique
        return hit[1]

    def finding(self, f: Finding) -> str:
        if type(f.line) is not int or type(f.column) is not int:
            return _ENCODE(f.to_json())
        s = self.string
        tail = "}"
        if f.related or f.source or f.suppressed:
            extra = f.to_json()
            tail = "".join(f", {_STRING(k)}: {_ENCODE(extra[k])}" for k in ("related", "source", "suppressed")
                           if k in extra) + "}"
        return (f'{{"rule": {s(f.rule)}, "severity": {s(f.severity)}, "message": {_STRING(f.message)}, '
                f'"file": {s(f.file)}, "line": {f.line}, "column": {f.column}, "object": {self.obj(f.object)}, '
                f'"path": {s(f.path)}{tail}')


def render_bytes(result: LintResult, settings: Settings) -> bytes:
    """The report as UTF-8, which is what is written: joining encoded lines skips building one tens-of-MB
    string (widened to two bytes a character by any non-Latin-1 message) and encoding it again."""
    tool = _ENCODE(result.tool()).encode()
    summary = _ENCODE(result.summary()).encode()
    piece = _Pieces().finding
    body = b",\n    ".join([piece(f).encode() for f in result.shown()])
    findings = b"[\n    " + body + b"\n  ]" if body else b"[]"
    return b"".join((b'{\n  "tool": ', tool, b',\n  "findings": ', findings, b',\n  "summary": ', summary, b"\n}\n"))


def render(result: LintResult, settings: Settings) -> str:
    return render_bytes(result, settings).decode("utf-8")
