"""Declarative checks: a rule's ``check:`` block, interpreted.

The shape (validated by ``schemas/rule.schema.json``)::

    check:
      target: container          # container | pod | object
      containers: [containers, initContainers, ephemeralContainers]   # optional filter
      fail_when: {field: securityContext.privileged, equals: true}
      at: securityContext.privileged     # reported path, relative to the target

Conditions: ``{field: a.b, <op>: value}`` with ops ``equals``, ``not_equals``,
``in``, ``not_in``, ``missing`` (absent or null), ``present``, ``matches``
(regex on a string), ``contains_any`` (a list field shares an element,
case-insensitively); ``pod_field`` instead of ``field`` reads the pod spec
while targeting a container; ``all``/``any``/``not`` combine; a value
``{param: name}`` reads a rule parameter. The engine walks containers of every
kind, so a rule only judges (Polaris' ``target``, kube-linter's templates).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .context import CheckContext, Hit

CONTAINER_KINDS = ("containers", "initContainers", "ephemeralContainers")
_MISSING = object()


def split_field(dotted: str) -> tuple:
    """``a.b[0].c`` -> ('a', 'b', 0, 'c'); keys containing dots may be quoted as ``a.'x.y'``."""
    parts: list[Any] = []
    for m in re.finditer(r"'([^']*)'|([^.\[\]]+)|\[(\d+)\]", dotted):
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(m.group(2))
        else:
            parts.append(int(m.group(3)))
    return tuple(parts)


def get_in(node: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not 0 <= part < len(node):
                return _MISSING
        elif not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def iter_containers(spec: dict, kinds: tuple[str, ...] = CONTAINER_KINDS) -> Iterator[tuple[str, int, dict]]:
    """(list name, index, container) for every container of a pod spec."""
    for kind in kinds:
        items = spec.get(kind)
        if isinstance(items, list):
            for i, c in enumerate(items):
                if isinstance(c, dict):
                    yield kind, i, c


def _value(v: Any, params: dict[str, Any]) -> Any:
    if isinstance(v, dict) and set(v) == {"param"}:
        return params.get(v["param"])
    return v


def evaluate(cond: dict, target: Any, pod: dict | None, params: dict[str, Any]) -> bool:
    if "all" in cond:
        return all(evaluate(c, target, pod, params) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, target, pod, params) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], target, pod, params)
    if "pod_field" in cond:
        value = get_in(pod if pod is not None else {}, split_field(cond["pod_field"]))
    else:
        value = get_in(target, split_field(cond["field"]))
    present = value is not _MISSING and value is not None
    if "missing" in cond:
        return (not present) == bool(cond["missing"])
    if "present" in cond:
        return present == bool(cond["present"])
    if "equals" in cond:
        return present and value == _value(cond["equals"], params)
    if "not_equals" in cond:
        return not (present and value == _value(cond["not_equals"], params))
    if "in" in cond:
        return present and value in (_value(cond["in"], params) or ())
    if "not_in" in cond:
        return not (present and value in (_value(cond["not_in"], params) or ()))
    if "matches" in cond:
        return isinstance(value, str) and re.search(_value(cond["matches"], params), value) is not None
    if "contains_any" in cond:
        wanted = {str(x).upper() for x in (_value(cond["contains_any"], params) or ())}
        return isinstance(value, list) and any(str(x).upper() in wanted for x in value)
    raise ValueError(f"condition without an operator: {cond}")


def run_declarative(ctx: CheckContext) -> Iterator[Hit]:
    spec = ctx.rule.check or {}
    res = ctx.resource
    target_kind = spec.get("target", "object")
    cond = spec["fail_when"]
    at = split_field(spec["at"]) if spec.get("at") else _default_at(cond)
    template = ctx.rule.message or ctx.rule.summary
    fmt = {"object": res.describe(), **ctx.params}
    if target_kind == "object":
        if evaluate(cond, res.data, res.pod_spec(), ctx.params):
            yield ctx.hit(_format(template, fmt, value=get_in(res.data, at)), at)
        return
    pod_path = res.pod_spec_path
    pod = res.pod_spec()
    if pod is None or pod_path is None:
        return
    if target_kind == "pod":
        if evaluate(cond, pod, pod, ctx.params):
            yield ctx.hit(_format(template, fmt, value=get_in(pod, at)), pod_path + at)
        return
    kinds = tuple(spec.get("containers") or CONTAINER_KINDS)
    for kind, i, c in iter_containers(pod, kinds):
        if evaluate(cond, c, pod, ctx.params):
            msg = _format(template, fmt, container=c.get("name", f"#{i}"), value=get_in(c, at))
            yield ctx.hit(msg, pod_path + (kind, i) + at)


def _default_at(cond: dict) -> tuple:
    while True:
        if "field" in cond:
            return split_field(cond["field"])
        for key in ("all", "any"):
            if key in cond and cond[key]:
                cond = cond[key][0]
                break
        else:
            if "not" in cond:
                cond = cond["not"]
                continue
            return ()


def _format(template: str, fmt: dict[str, Any], **extra: Any) -> str:
    values = {**fmt, **{k: ("" if v is _MISSING else v) for k, v in extra.items()}}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
