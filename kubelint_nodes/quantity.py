"""Kubernetes resource quantities, turned into the integer base units the place report uses.

Grammar and rounding follow kubernetes/apimachinery pkg/api/resource/quantity.go (``ParseQuantity``,
``MilliValue``, ``Value``): CPU is compared in millicores rounded up, everything else in whole units rounded
up, so a memory request of ``500m`` (half a byte) counts as 1 byte (reference R1.8).  Arithmetic uses
:class:`fractions.Fraction`, never floats, so ``1000M`` vs ``1Gi`` comparisons are exact.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

__all__ = ["QuantityError", "parse_quantity", "to_base_units", "parse_resource_list", "format_quantity"]


class QuantityError(ValueError):
    """A value that is not a Kubernetes quantity."""


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
            "P": Fraction(10**15), "E": Fraction(10**18)}
# sign, digits with at most one decimal point, then a suffix (binary, decimal, or a decimal exponent).
_RE = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_MAX_EXPONENT = 100  # a bound so that "1e999999999" cannot allocate a huge integer


def parse_quantity(value: object) -> Fraction:
    """The exact value of a quantity given as YAML gives it: a string, or an unquoted int/float (``cpu: 32``)."""
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(f"{value!r} is not a quantity")
        return Fraction(repr(value)) if "e" not in repr(value) else Fraction(value)
    if not isinstance(value, str):
        raise QuantityError(f"{value!r} is not a quantity")
    m = _RE.match(value.strip())
    if not m:
        raise QuantityError(f"{value!r} is not a quantity (expected e.g. 100m, 1.5, 2Gi, 500M)")
    sign, number, suffix = m.group(1), m.group(2), m.group(3) or ""
    n = Fraction(number)
    if suffix in _BINARY:
        n *= _BINARY[suffix]
    elif suffix in _DECIMAL:
        n *= _DECIMAL[suffix]
    else:  # decimal exponent, e.g. 1e3
        exp = int(suffix[1:])
        if abs(exp) > _MAX_EXPONENT:
            raise QuantityError(f"{value!r}: exponent out of range")
        n *= Fraction(10) ** exp
    return -n if sign == "-" else n


def to_base_units(resource: str, value: object) -> int:
    """Integer base units: millicores for ``cpu``, whole units (bytes, counts) otherwise, rounded up."""
    q = parse_quantity(value)
    if resource == "cpu":
        q *= 1000
    return math.ceil(q)


def parse_resource_list(resources: object) -> dict[str, int]:
    """A ``requests``/``allocatable`` mapping in base units; raises :class:`QuantityError` naming the key."""
    if resources is None:
        return {}
    if not isinstance(resources, dict):
        raise QuantityError("expected a mapping of resource names to quantities")
    out: dict[str, int] = {}
    for k, v in resources.items():
        try:
            out[str(k)] = to_base_units(str(k), v)
        except QuantityError as e:
            raise QuantityError(f"{k}: {e}") from None
    return out


def format_quantity(resource: str, n: int) -> str:
    """Human text for a base-unit figure: ``1500m``, ``2``, ``512Mi``, ``1.5Gi``, ``3``."""
    if resource == "cpu":
        return str(n // 1000) if n % 1000 == 0 else f"{n}m"
    if resource == "memory" or resource == "ephemeral-storage" or resource.startswith("hugepages-"):
        for suffix, mult in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if n >= mult and (n * 10) % mult == 0:
                whole = Fraction(n, mult)
                return (str(whole.numerator) if whole.denominator == 1 else f"{float(whole):g}") + suffix
        return str(n)
    return str(n)
