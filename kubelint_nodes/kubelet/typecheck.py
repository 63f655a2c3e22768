"""Type errors and unknown fields of one KubeletConfiguration document, at any depth.

The kubelet decodes its file strictly first; on an unknown or duplicate field it logs "using lenient
decoding as strict decoding failed" and decodes again, ignoring what it does not know
(``pkg/kubelet/kubeletconfig/util/codec/codec.go``). A typo therefore silently keeps the default. A type
error fails both decodings: the kubelet does not start.

YAML reaches the Go decoder through a YAML-to-JSON conversion without a target type
(``apimachinery/pkg/runtime/serializer/json``), so an unquoted number or boolean in a string field or a
``map[string]string`` (``kubeReserved: {cpu: 1}``) is a type error, as it is in JSON.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model.valuetypes import described_type
from .fields import KUBELET_CONFIGURATION, Type, iter_fields
from .values import DurationError, parse_duration

_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True)
class Problem:
    """``kind`` is ``unknown-field`` or ``type``; ``path`` is from the document root."""

    kind: str
    path: tuple
    message: str



def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return described_type(value)
    return str(value)


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "." in str(part) or not str(part):
            out += f'["{part}"]'
        else:
            out += ("." if out else "") + str(part)
    return out


def scalar_error(t: Type, value: Any) -> str | None:
    """Why ``value`` cannot be decoded into a scalar of type ``t``, or None."""
    kind = t.kind
    if kind == "bool":
        return None if isinstance(value, bool) else "a boolean"
    if kind in _RANGES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return t.describe()
        if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
            return t.describe()
        lo, hi = _RANGES[kind]
        if not lo <= int(value) <= hi:
            return f"{t.describe()} between {lo} and {hi}"
        return None
    if kind == "float64":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "a number"
        return None if math.isfinite(value) else "a finite number"
    if kind in ("string", "time"):
        return None if isinstance(value, str) else t.describe()
    if kind == "duration":
        if not isinstance(value, str):
            return t.describe()
        try:
            parse_duration(value)
        except DurationError:
            return t.describe()
        return None
    if kind == "duration-or-int":
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        if isinstance(value, str):
            try:
                parse_duration(value)
                return None
            except DurationError:
                pass
        return t.describe()
    if kind == "quantity":
        from ..quantity import QuantityError, parse_quantity

        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return t.describe()
        try:
            parse_quantity(value)
        except QuantityError:
            return t.describe()
        return None
    return None


def check_document(data: dict, root: Type = KUBELET_CONFIGURATION) -> list[Problem]:
    """Every type error and unknown field of ``data``, in document order."""
    return list(_walk(data, root, ()))


def _walk(value: Any, t: Type, path: tuple) -> Iterator[Problem]:
    if value is None:
        return  # null: unset (kubeadm writes nulls; the decoder leaves the zero value)
    if t.kind == "struct":
        if not isinstance(value, dict):
            yield _type_problem(path, t, value)
            return
        fields = t.fields or {}
        for key, sub in value.items():
            fld = fields.get(key)
            if fld is None:
                yield Problem("unknown-field", path + (key,), unknown_field_message(key, path, t))
                continue
            yield from _walk(sub, fld.type, path + (key,))
        return
    if t.kind == "list":
        if not isinstance(value, list):
            yield _type_problem(path, t, value)
            return
        if t.item is not None:
            for i, item in enumerate(value):
                yield from _walk(item, t.item, path + (i,))
        return
    if t.kind == "map":
        if not isinstance(value, dict):
            yield _type_problem(path, t, value)
            return
        for key, sub in value.items():
            if t.item is not None:
                yield from _walk(sub, t.item, path + (key,))
        return
    want = scalar_error(t, value)
    if want is not None:
        yield Problem("type", path, f"{dotted(path)} must be {want}, not {_show(value)} ({described_type(value)}): "
                                    "the kubelet cannot decode its configuration and will not start")


def _type_problem(path: tuple, t: Type, value: Any) -> Problem:
    where = dotted(path) or "the document"
    return Problem("type", path, f"{where} must be {t.describe()}, not {described_type(value)}: "
                                 "the kubelet cannot decode its configuration and will not start")


def suggest(key: Any, path: tuple, t: Type) -> str | None:
    """The field the author probably meant: same name in another case, a close spelling, or the same
    name elsewhere in the configuration (``clientCAFile`` at the top level)."""
    names = list((t.fields or {}).keys())
    text = str(key)
    for name in names:
        if name.lower() == text.lower():
            return name
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.75)
    if close:
        return close[0]
    elsewhere = [p for p, _ in iter_fields(KUBELET_CONFIGURATION) if str(p[-1]).lower() == text.lower()
                 and p[:-1] != path]
    if len(elsewhere) == 1:
        return dotted(elsewhere[0])
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_field_message(key: Any, path: tuple, t: Type) -> str:
    where = f"in {dotted(path)}" if path else f"in {t.name or 'KubeletConfiguration'}"
    hint = suggest(key, path, t)
    guess = f" (did you mean \"{hint}\"?)" if hint else ""
    return (f"unknown field \"{key}\" {where}{guess}: the kubelet only logs it, decodes leniently and "
            "ignores the field, so the setting silently keeps its default")
