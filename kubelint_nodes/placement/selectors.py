"""nodeSelector and required node affinity (reference R1.4–R1.7).

Both are compiled once per workload into small matchers; a node then costs a few dict look-ups.  The
semantics are those of component-helpers scheduling/corev1/nodeaffinity/nodeaffinity.go
(``RequiredNodeAffinity.Match``, ``NewLazyErrorNodeSelector``, ``nodeSelectorTerm.match``) and apimachinery
pkg/labels/selector.go (``NewRequirement``, ``Requirement.Matches``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..inventory.model import LABEL_HOSTNAME
from ..model.values import as_dict, as_list, as_str

_INT64 = re.compile(r"^[+-]?\d+$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
FIELD_NODE_NAME = "metadata.name"


def _parse_int64(s: str) -> int | None:
    """Go's ``strconv.ParseInt(s, 10, 64)``: optional sign, decimal digits, int64 range."""
    if not _INT64.match(s):
        return None
    n = int(s)
    return n if -(2**63) <= n < 2**63 else None


def _valid_label_key(key: str) -> bool:
    """apimachinery validation ``IsQualifiedName`` (used by ``NewRequirement``)."""
    prefix, sep, name = key.rpartition("/")
    if sep and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(_NAME.match(name))


def _valid_label_value(v: str) -> bool:
    return len(v) <= 63 and bool(_LABEL_VALUE.match(v))


# A requirement: (is_field, key, operator, payload) with payload a frozenset of values or an int (Gt/Lt).
Requirement = tuple[bool, str, str, object]


@dataclass(frozen=True)
class Term:
    requirements: tuple[Requirement, ...]
    error: str | None = None  # a parse error: the term matches nothing (R1.5.5)

    def failing(self, labels: dict[str, str], name: str) -> list[Requirement]:
        if self.error:
            return []
        return [r for r in self.requirements if not _req_matches(r, labels, name)]

    def matches(self, labels: dict[str, str], name: str) -> bool:
        if self.error:
            return False
        for r in self.requirements:
            if not _req_matches(r, labels, name):
                return False
        return True


def _req_matches(r: Requirement, labels: dict[str, str], name: str) -> bool:
    is_field, key, op, payload = r
    if is_field:
        # Only metadata.name exists in the node's field set (R1.7); another key reads as "".
        value = name if key == FIELD_NODE_NAME else ""
        return (value in payload) if op == "In" else (value not in payload)  # type: ignore[operator]
    v = labels.get(key)
    if op == "In":
        return v is not None and v in payload  # type: ignore[operator]
    if op == "NotIn":
        return v is None or v not in payload  # type: ignore[operator]
    if op == "Exists":
        return v is not None
    if op == "DoesNotExist":
        return v is None
    # Gt / Lt: the label must parse as int64 and compare strictly (R1.6).
    if v is None:
        return False
    n = _parse_int64(v)
    if n is None:
        return False
    return n > payload if op == "Gt" else n < payload  # type: ignore[operator]


def _compile_expression(e: object) -> Requirement | str:
    """One matchExpressions entry, or an error string (``NewRequirement``'s checks)."""
    if not isinstance(e, dict):
        return "matchExpressions entry is not a mapping"
    key, op = as_str(e.get("key")), as_str(e.get("operator"))
    values = [as_str(v) for v in as_list(e.get("values"))]
    if not _valid_label_key(key):
        return f"invalid label key {key!r}"
    if op in ("In", "NotIn"):
        if not values:
            return f"{op} needs at least one value"
        payload: object = frozenset(values)
    elif op in ("Exists", "DoesNotExist"):
        if values:
            return f"{op} takes no values"
        payload = frozenset()
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            return f"{op} needs exactly one value"
        n = _parse_int64(values[0])
        if n is None:
            return f"{op} value {values[0]!r} is not an integer"
        payload = n
    else:
        return f"{op!r} is not a valid node selector operator"
    for v in values:
        if not _valid_label_value(v):
            return f"invalid label value {v!r}"
    return (False, key, op, payload)


def _compile_field(e: object) -> Requirement | str:
    """One matchFields entry (``nodeSelectorRequirementsAsFieldSelector``): In/NotIn with exactly one value."""
    if not isinstance(e, dict):
        return "matchFields entry is not a mapping"
    key, op = as_str(e.get("key")), as_str(e.get("operator"))
    values = [as_str(v) for v in as_list(e.get("values"))]
    if len(values) != 1:
        return "matchFields needs exactly one value"
    if op not in ("In", "NotIn"):
        return f"{op!r} is not a valid field selector operator"
    return (True, key, op, frozenset(values))


def _compile_term(t: object) -> Term | None:
    """None for an empty term: it is dropped before matching (R1.5.3)."""
    t = as_dict(t)
    exprs, fields = as_list(t.get("matchExpressions")), as_list(t.get("matchFields"))
    if not exprs and not fields:
        return None
    reqs: list[Requirement] = []
    for e in exprs:
        r = _compile_expression(e)
        if isinstance(r, str):
            return Term((), r)
        reqs.append(r)
    for e in fields:
        r = _compile_field(e)
        if isinstance(r, str):
            return Term((), r)
        reqs.append(r)
    return Term(tuple(reqs))


def describe_requirement(r: Requirement) -> str:
    is_field, key, op, payload = r
    if op in ("Exists", "DoesNotExist"):
        return f"{key} {op}"
    if op in ("Gt", "Lt"):
        return f"{key} {op} {payload}"
    return f"{key} {op} [{', '.join(sorted(payload))}]"  # type: ignore[arg-type]


@dataclass(frozen=True)
class NodeSelection:
    """A workload's nodeSelector and required node affinity, compiled."""

    selector: tuple[tuple[str, str], ...] = ()
    terms: tuple[Term, ...] | None = None  # None: no required affinity
    name_sensitive: bool = False  # depends on the node's name (hostname label or matchFields)
    label_keys: tuple[str, ...] = ()  # every label key the selection reads
    uses_fields: bool = False  # has matchFields (reads the node's name)

    def selector_failures(self, labels: dict[str, str]) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.selector if labels.get(k) != v]

    def affinity_matches(self, labels: dict[str, str], name: str) -> bool:
        if self.terms is None:
            return True
        for t in self.terms:  # terms are ORed (R1.5.1)
            if t.matches(labels, name):
                return True
        return False

    def selector_detail(self, labels: dict[str, str]) -> str:
        fails = self.selector_failures(labels)
        return "nodeSelector requires " + ", ".join(f"{k}={v}" if v else f"{k}=\"\"" for k, v in fails)

    def affinity_detail(self, labels: dict[str, str], name: str) -> str:
        terms = self.terms or ()
        if not terms:
            return "required node affinity has no non-empty nodeSelectorTerm, so it matches no node"
        if len(terms) == 1:
            t = terms[0]
            if t.error:
                return f"required node affinity term cannot be parsed ({t.error}), so it matches no node"
            return "required node affinity needs " + ", ".join(
                describe_requirement(r) for r in t.failing(labels, name))
        return f"none of the {len(terms)} nodeSelectorTerms of the required node affinity matches"


def compile_selection(spec: dict) -> NodeSelection:
    """nodeSelector (exact label equality, evaluated first) AND required node affinity (R1.4)."""
    sel = tuple((as_str(k), as_str(v)) for k, v in as_dict(spec.get("nodeSelector")).items())
    affinity = as_dict(as_dict(spec.get("affinity")).get("nodeAffinity"))
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    terms: tuple[Term, ...] | None = None
    if isinstance(required, dict):
        compiled = [_compile_term(t) for t in as_list(required.get("nodeSelectorTerms"))]
        terms = tuple(t for t in compiled if t is not None)
    reqs = [r for t in (terms or ()) for r in t.requirements]
    uses_fields = any(r[0] for r in reqs)
    keys = tuple(sorted({k for k, _ in sel} | {r[1] for r in reqs if not r[0]}))
    sensitive = uses_fields or LABEL_HOSTNAME in keys
    return NodeSelection(sel, terms, sensitive, keys, uses_fields)
