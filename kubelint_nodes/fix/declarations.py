"""Fix declarations: the ``fixes:`` entries of the rule files, and Python fixers registered by rule id.

A rule file says what its fix does in data when that is a plain field edit::

    fixes:
    - safety: suggested
      description: set readOnlyPort to 0
      set: {value: 0}                      # field omitted: the finding's own key
    - safety: suggested
      description: set allowPrivilegeEscalation to false
      at: container                        # finding | container | pod | object
      set: {field: securityContext.allowPrivilegeEscalation, value: false}

and ``python: true`` when a function decides (registered with :func:`fixer`
under the rule id in :mod:`.fixers`). Parsing never imports ruamel.yaml, so the
SARIF reporter can ask cheaply which findings might have a safe fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .model import ADD, DELETE, QUOTE, RENAME, SET, FixDecl

if TYPE_CHECKING:
    from ..engine.registry import Catalogue, Rule

_FIXERS: dict[str, Callable[..., Any]] = {}
DECLARATIVE = (SET, ADD, RENAME, DELETE, QUOTE)


def fixer(rule_id: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(ctx) -> Proposal`` as the fix logic of ``rule_id`` (its declaration stays in ``rules/``)."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if rule_id in _FIXERS:
            raise ValueError(f"fixer for {rule_id!r} registered twice")
        _FIXERS[rule_id] = fn
        return fn

    return deco


def python_fixer(rule_id: str) -> Callable[..., Any] | None:
    from . import fixers  # noqa: F401 - registers the built-in fixers

    return _FIXERS.get(rule_id)


def rule_fixes(rule: Rule) -> list[FixDecl]:
    raw = rule.raw.get("fixes") if isinstance(rule.raw, dict) else None
    if not isinstance(raw, list):
        return []
    out = []
    for entry in raw:
        if isinstance(entry, dict):
            decl = _decl(rule.id, entry)
            if decl is not None:
                out.append(decl)
    return out


def _decl(rule_id: str, entry: dict[str, Any]) -> FixDecl | None:
    safety = entry.get("safety")
    if safety not in ("safe", "suggested"):
        return None
    common: dict[str, Any] = {
        "rule": rule_id,
        "safety": safety,
        "description": str(entry.get("description") or ""),
        "at": str(entry.get("at") or "finding"),
        "introduces": tuple(str(i) for i in entry.get("introduces") or ()),
    }
    if entry.get("python"):
        return FixDecl(python=True, **common)
    for op in DECLARATIVE:
        spec = entry.get(op)
        if spec is None:
            continue
        spec = spec if isinstance(spec, dict) else {}
        return FixDecl(op=op, field=spec.get("field"), value=spec.get("value"), param=spec.get("param"),
                       to=spec.get("to"), position=str(spec.get("position") or "last"), **common)
    return None


def catalogue_fixes(catalogue: Catalogue) -> dict[str, list[FixDecl]]:
    out: dict[str, list[FixDecl]] = {}
    for rid, rule in catalogue.rules.items():
        decls = rule_fixes(rule)
        if decls:
            out[rid] = decls
    return out


def safe_rules(catalogue: Catalogue) -> set[str]:
    """Rules with at least one safe fix (what SARIF may offer), without importing any fixer."""
    return {rid for rid, decls in catalogue_fixes(catalogue).items() if any(d.safety == "safe" for d in decls)}
