"""Reading loosely-typed YAML values the way the API server would decode them.

Checks, static pod rules and the placement engine all walk user-written pod specs in which any field may
hold the wrong type; these readers turn a wrong type into the empty value, so the walkers never raise and
type errors stay the schema rules' business.
"""

from __future__ import annotations


def as_str(v: object) -> str:
    """A YAML scalar as the string Kubernetes compares: None → "", booleans lower-case (``true``)."""
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return v if isinstance(v, str) else str(v)


def as_dict(v: object) -> dict:
    return v if isinstance(v, dict) else {}


def as_list(v: object) -> list:
    return v if isinstance(v, list) else []


def as_int(v: object) -> int | None:
    """An integer, or a string of digits as the API server's int-or-string decoding accepts; else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().lstrip("+-").isdigit():
        return int(v)
    return None
