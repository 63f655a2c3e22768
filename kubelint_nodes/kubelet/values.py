"""Go durations and the zero values the kubelet's defaulting code tests for.

``metav1.Duration`` decodes with Go's ``time.ParseDuration``: a sequence of decimal numbers with a unit
(``ns``, ``us``/``µs``, ``ms``, ``s``, ``m``, ``h``), an optional sign, and the lone ``0``. An empty string
is not a duration. Values are kept in nanoseconds as Go does, so ``1.5h`` and ``90m`` compare equal.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # µ (micro sign)
    "\u03bcs": 1_000,  # μ (Greek mu)
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_COMPONENT = re.compile(r"([0-9]*(?:\.[0-9]*)?)([a-zA-Z\u00b5\u03bc]+)")
_MAX_NS = 2**63 - 1

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


class DurationError(ValueError):
    """Not a Go duration."""


def parse_duration(text: Any) -> int:
    """Nanoseconds of a Go duration string; raises :class:`DurationError` as ``time.ParseDuration`` would."""
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not a duration string")
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise DurationError(f'invalid duration "{text}"')
    total = Fraction(0)
    pos = 0
    while pos < len(s):
        m = _COMPONENT.match(s, pos)
        if not m or m.group(1) in ("", "."):
            raise DurationError(f'invalid duration "{text}"')
        unit = m.group(2)
        if unit not in _UNITS:
            raise DurationError(f'unknown unit "{unit}" in duration "{text}"')
        total += Fraction(m.group(1)) * _UNITS[unit]
        pos = m.end()
    ns = int(total)
    if ns > _MAX_NS:
        raise DurationError(f'invalid duration "{text}"')
    return -ns if neg else ns


def is_duration(text: Any) -> bool:
    try:
        parse_duration(text)
    except DurationError:
        return False
    return True


def format_duration(ns: int) -> str:
    """Go's ``Duration.String()``: ``4h0m0s``, ``30s``, ``100ms``, ``0s``."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < SECOND:
        for unit, size in (("ms", 1_000_000), ("\u00b5s", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim(Fraction(ns, size)) + unit
    h, rest = divmod(ns, HOUR)
    m, rest = divmod(rest, MINUTE)
    secs = _trim(Fraction(rest, SECOND)) + "s"
    if h:
        return f"{sign}{h}h{m}m{secs}"
    if m:
        return f"{sign}{m}m{secs}"
    return sign + secs


def _trim(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    text = f"{float(x):.9f}".rstrip("0").rstrip(".")
    return text


def is_zero(kind: str, value: Any) -> bool:
    """Whether ``value`` is the Go zero value of a field of ``kind`` (what non-pointer defaulting tests)."""
    if value is None:
        return True
    if kind in ("duration", "duration-or-int"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value == 0
        try:
            return parse_duration(value) == 0
        except DurationError:
            return False
    if kind in ("int32", "uint32", "int64", "float64"):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0
    if kind == "string":
        return value == ""
    if kind == "bool":
        return value is False
    if kind in ("list", "map"):
        # A Go nil slice/map; an explicit empty one is not nil (``enforceNodeAllocatable: []``).
        return False
    return False


def describe_value(value: Any) -> str:
    """A value as a message shows it: YAML-ish, short."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        inner = ", ".join(describe_value(v) for v in value[:5])
        return f"[{inner}{', ...' if len(value) > 5 else ''}]"
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {describe_value(v)}" for k, v in list(value.items())[:5])
        return "{" + inner + (", ..." if len(value) > 5 else "") + "}"
    return str(value)
