"""Declarative checks: a rule's ``check:`` block, interpreted.

A rule that can be said as "this field must (not) be that" needs no Python
(Polaris' checks are schemas, kube-linter's checks are parameterised
templates). The engine selects objects by role and walks the places a rule
names, so the rule only judges. The shape (``schemas/rule.schema.json``)::

    check:
      target: container          # object | pod | container | volume | volumeMount
      containers: [containers, initContainers, ephemeralContainers]   # optional filter
      each: ports                # optional: judge every item of this list under the target
      fail_when: {field: securityContext.privileged, equals: true}
      at: securityContext.privileged     # reported path, relative to what is judged ("" = the node itself)
      message: "..."             # optional, overrides the rule's message for this check

``check`` may also be a list of such blocks; each reports on its own (one
finding per offending place: ``hostPID`` and ``hostIPC`` are two places).

What is judged, and where a finding points:

* ``object`` — the whole object; ``pod`` — its pod spec (every role that has
  one: Pod, static pod, DaemonSet and workload templates, CronJob's too);
* ``container`` — each container of the kinds listed (default: all three);
* ``volume`` — each ``spec.volumes`` entry; ``volumeMount`` — each
  ``volumeMounts`` entry of each container, with the pod volume it mounts;
* ``each: a.b`` — each item of that list below the target (ports, sysctls,
  tolerations).

Conditions: ``{<accessor>: a.b, <op>: value}``. Accessors: ``field`` (the
judged node: the item, the container, the volume…), ``pod_field``,
``container_field``, ``volume_field`` (the volume a ``volumeMount`` names),
``object_field``. Operators:

* ``equals`` / ``not_equals`` / ``in`` / ``not_in`` — typed comparison
  (``true`` never equals ``1``);
* ``missing`` (absent or null) / ``present``;
* ``matches`` — a regular expression searched in a string;
* ``contains_any`` — a list field shares an element with the value,
  case-insensitively;
* ``path_in`` — a path equal to one of the value's, trailing ``/`` ignored;
* ``path_under`` — a path below one of the value's prefixes (a prefix
  ending in ``/`` matches only below it, one without also matches itself);
* ``image_tag_in`` — the tag of an image reference is one of the value's
  (``""`` = no tag); a registry port is not a tag and a digest pins the image,
  so a digest reference never matches.

``all`` / ``any`` / ``not`` combine conditions. A value ``{param: name}``
reads a rule parameter, so users tune rules without copying them. Messages
are ``str.format`` templates with ``{object}``, ``{container}``, ``{item}``
(the judged item's ``name``, else its index), ``{value}`` (what ``at``
holds), ``{node[key]}`` (a key of the judged node) and the rule's parameters.
"""

from __future__ import annotations

import operator
import posixpath
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .context import CheckContext, Hit

CONTAINER_KINDS = ("containers", "initContainers", "ephemeralContainers")
_MISSING = object()


_FIELD_RE = re.compile(r"'([^']*)'|([^.\[\]]+)|\[(\d+)\]")


@lru_cache(maxsize=4096)
def split_field(dotted: str) -> tuple:
    """``a.b[0].c`` -> ('a', 'b', 0, 'c'); keys containing dots may be quoted as ``a.'x.y'``.

    Cached: rules name the same few fields for every document of a run.
    """
    parts: list[Any] = []
    for m in _FIELD_RE.finditer(dotted):
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


def container_name(c: dict, index: int) -> str:
    name = c.get("name")
    return name if isinstance(name, str) and name else f"#{index}"


# -- value helpers shared with the Python checks ---------------------------------------

@lru_cache(maxsize=4096)
def image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, pinned by digest) of an image reference.

    A ``:`` before the last ``/`` belongs to a registry port (``host:5000/app``
    has no tag); a ``@sha256:…`` digest pins the image whatever the tag says
    (distribution/reference grammar: ``name[:tag][@digest]``).
    """
    name, at, _digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else None
    return tag, bool(at)


@lru_cache(maxsize=4096)
def normalize_path(path: str) -> str:
    """A hostPath as the kubelet means it: repeated and trailing ``/`` do not change it."""
    if not path.startswith("/"):
        return path.rstrip("/") or path
    norm = posixpath.normpath(path)
    return "/" + norm.lstrip("/")


def path_under(path: str, prefixes: list[str]) -> str | None:
    """The first prefix ``path`` lies under (see ``path_under`` in the module doc), else None."""
    p = normalize_path(path)
    for prefix in prefixes:
        if not isinstance(prefix, str) or not prefix:
            continue
        base = normalize_path(prefix)
        if p.startswith(base.rstrip("/") + "/") and p != base:
            return prefix
        if not prefix.endswith("/") and p == base:
            return prefix
    return None


def same(a: Any, b: Any) -> bool:
    """Equality as YAML means it: booleans equal only booleans (Python's ``True == 1`` is not YAML's)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


# -- evaluation -----------------------------------------------------------------------------

@dataclass
class Scope:
    """What one evaluation sees: the judged node and its surroundings."""

    node: Any
    obj: dict
    pod: dict | None = None
    container: dict | None = None
    volume: dict | None = None


def _value(v: Any, params: dict[str, Any]) -> Any:
    if isinstance(v, dict) and set(v) == {"param"}:
        return params.get(v["param"])
    return v


def _read(cond: dict, scope: Scope) -> Any:
    if "field" in cond:
        base, dotted = scope.node, cond["field"]
    elif "pod_field" in cond:
        base, dotted = scope.pod, cond["pod_field"]
    elif "container_field" in cond:
        base, dotted = scope.container, cond["container_field"]
    elif "volume_field" in cond:
        base, dotted = scope.volume, cond["volume_field"]
    elif "object_field" in cond:
        base, dotted = scope.obj, cond["object_field"]
    else:
        raise ValueError(f"condition without a field: {cond}")
    return get_in(base if base is not None else {}, split_field(dotted))


def evaluate(cond: dict, scope: Scope, params: dict[str, Any]) -> bool:
    if "all" in cond:
        return all(evaluate(c, scope, params) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, scope, params) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], scope, params)
    return _evaluate_leaf(cond, _read(cond, scope), params)


def _evaluate_leaf(cond: dict, value: Any, params: dict[str, Any]) -> bool:
    present = value is not _MISSING and value is not None
    if "missing" in cond:
        return (not present) == bool(cond["missing"])
    if "present" in cond:
        return present == bool(cond["present"])
    if "equals" in cond:
        return present and same(value, _value(cond["equals"], params))
    if "not_equals" in cond:
        return not (present and same(value, _value(cond["not_equals"], params)))
    if "in" in cond:
        return present and any(same(value, x) for x in (_value(cond["in"], params) or ()))
    if "not_in" in cond:
        return not (present and any(same(value, x) for x in (_value(cond["not_in"], params) or ())))
    if "matches" in cond:
        return isinstance(value, str) and re.search(_value(cond["matches"], params), value) is not None
    if "contains_any" in cond:
        wanted = {str(x).upper() for x in (_value(cond["contains_any"], params) or ())}
        return isinstance(value, list) and any(str(x).upper() in wanted for x in value)
    if "path_in" in cond:
        if not isinstance(value, str):
            return False
        p = normalize_path(value)
        return any(isinstance(x, str) and normalize_path(x) == p for x in (_value(cond["path_in"], params) or ()))
    if "path_under" in cond:
        return isinstance(value, str) and path_under(value, list(_value(cond["path_under"], params) or ())) is not None
    if "image_tag_in" in cond:
        if not isinstance(value, str) or not value:
            return False
        tag, pinned = image_tag(value)
        return not pinned and (tag or "") in (_value(cond["image_tag_in"], params) or ())
    raise ValueError(f"condition without an operator: {cond}")


# -- compiled conditions ----------------------------------------------------------------------
# ``evaluate`` interprets a condition tree; the engine runs every rule on every object, so each tree is
# turned once into nested closures with the same semantics (a test keeps the two in agreement).

_COMPILED: dict[int, tuple[dict, Any]] = {}


def compiled(cond: dict) -> Any:
    """``fn(scope, params) -> bool`` for ``cond``, built once per condition object."""
    hit = _COMPILED.get(id(cond))
    if hit is not None and hit[0] is cond:
        return hit[1]
    fn = _compile(cond)
    _COMPILED[id(cond)] = (cond, fn)
    return fn


def _reader(cond: dict) -> Any:
    for accessor, attr in (("field", "node"), ("pod_field", "pod"), ("container_field", "container"),
                           ("volume_field", "volume"), ("object_field", "obj")):
        if accessor in cond:
            path = split_field(cond[accessor])
            getter = operator.attrgetter(attr)
            if len(path) == 1 and isinstance(path[0], str):  # most fields are one key: no walk
                key = path[0]

                def read_key(scope: Scope, _get: Any = getter, _key: str = key) -> Any:
                    base = _get(scope)
                    return base.get(_key, _MISSING) if isinstance(base, dict) else _MISSING

                return read_key

            def read(scope: Scope, _get: Any = getter, _path: tuple = path) -> Any:
                base = _get(scope)
                return get_in(base if base is not None else {}, _path)

            return read
    raise ValueError(f"condition without a field: {cond}")


def _compile(cond: dict) -> Any:
    if "all" in cond:
        return _all([compiled(c) for c in cond["all"]])
    if "any" in cond:
        return _any([compiled(c) for c in cond["any"]])
    if "not" in cond:
        inner = compiled(cond["not"])
        return lambda scope, params: not inner(scope, params)
    read = _reader(cond)
    simple = ("missing", "present", "equals", "not_equals")
    if any(op in cond for op in simple) or not any(
            op in cond for op in ("in", "not_in", "matches", "contains_any", "path_in", "path_under",
                                  "image_tag_in")):
        if "missing" in cond:
            want_missing = bool(cond["missing"])
            return lambda scope, params: (_absent(read(scope))) == want_missing
        if "present" in cond:
            want_present = bool(cond["present"])
            return lambda scope, params: (not _absent(read(scope))) == want_present
        if "equals" in cond:
            ref = cond["equals"]
            if not _is_param(ref):
                return lambda scope, params: _eq(read(scope), ref)
            return lambda scope, params: _eq(read(scope), _value(ref, params))
        if "not_equals" in cond:
            ref = cond["not_equals"]
            return lambda scope, params: not _eq(read(scope), _value(ref, params))
    special = _compile_special(cond, read)
    if special is not None:
        return special
    # the rarest operators: interpret (still with the precompiled reader)
    return lambda scope, params: _evaluate_leaf(cond, read(scope), params)


def _derived(ref: Any, make: Any) -> Any:
    """``fn(params)`` giving ``make(value)`` for a condition value, computed once per distinct value (a
    ``{param: …}`` value is the same list object for the whole run, so it is keyed by identity)."""
    if not _is_param(ref):
        fixed = make(ref)
        return lambda params: fixed
    memo: dict[int, tuple[Any, Any]] = {}

    def get(params: dict[str, Any]) -> Any:
        value = params.get(ref["param"])
        hit = memo.get(id(value))
        if hit is None or hit[0] is not value:
            hit = memo[id(value)] = (value, make(value))  # the value is kept, so its id stays unique
        return hit[1]

    return get


def _compile_special(cond: dict, read: Any) -> Any:
    """Closures for the path, image and pattern operators, with their value sets prepared once (they ran
    the whole interpreter chain, and normalised every listed path, for each container and volume)."""
    if "path_in" in cond:
        paths = _derived(cond["path_in"], lambda v: frozenset(normalize_path(x) for x in v or () if isinstance(x, str)))

        def path_in(scope: Scope, params: dict[str, Any]) -> bool:
            value = read(scope)
            return isinstance(value, str) and normalize_path(value) in paths(params)

        return path_in
    if "image_tag_in" in cond:
        tags = _derived(cond["image_tag_in"], lambda v: frozenset(v or ()))

        def image_tag_in(scope: Scope, params: dict[str, Any]) -> bool:
            value = read(scope)
            if not isinstance(value, str) or not value:
                return False
            tag, pinned = image_tag(value)
            return not pinned and (tag or "") in tags(params)

        return image_tag_in
    if "matches" in cond:
        pattern = _derived(cond["matches"], re.compile)

        def matches(scope: Scope, params: dict[str, Any]) -> bool:
            value = read(scope)
            return isinstance(value, str) and pattern(params).search(value) is not None

        return matches
    return None


def _all(parts: list[Any]) -> Any:
    # Short lists unrolled: all() over a generator costs more than the conditions it combines.
    if len(parts) == 2:
        a, b = parts
        return lambda scope, params: a(scope, params) and b(scope, params)
    if len(parts) == 3:
        a, b, c = parts
        return lambda scope, params: a(scope, params) and b(scope, params) and c(scope, params)

    def every(scope: Scope, params: dict[str, Any]) -> bool:
        for part in parts:
            if not part(scope, params):
                return False
        return True

    return every


def _any(parts: list[Any]) -> Any:
    if len(parts) == 2:
        a, b = parts
        return lambda scope, params: a(scope, params) or b(scope, params)
    if len(parts) == 3:
        a, b, c = parts
        return lambda scope, params: a(scope, params) or b(scope, params) or c(scope, params)

    def some(scope: Scope, params: dict[str, Any]) -> bool:
        for part in parts:
            if part(scope, params):
                return True
        return False

    return some


def _absent(value: Any) -> bool:
    return value is _MISSING or value is None


def _eq(value: Any, ref: Any) -> bool:
    return value is not _MISSING and value is not None and same(value, ref)


def _is_param(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"param"}


# -- walking --------------------------------------------------------------------------------

def _targets_key(spec: dict) -> tuple:
    return ("declarative-targets", spec.get("target", "object"), tuple(spec.get("containers") or CONTAINER_KINDS))


def _cached_targets(spec: dict, res: Any, key: tuple) -> list[tuple[tuple, Scope, dict[str, Any]]]:
    """``_targets`` computed once per resource and target kind (``key``: see ``_plan``): every rule walks the
    same containers."""
    found = res.cache.get(key)
    if found is None:
        found = res.cache[key] = list(_targets(spec, res.data, res.pod_spec(), res.pod_spec_path))
    return found


def _targets(spec: dict, res_data: dict, pod: dict | None, pod_path: tuple | None
             ) -> Iterator[tuple[tuple, Scope, dict[str, Any]]]:
    """(path of the judged node, its scope, message values) for every place the check names."""
    target = spec.get("target", "object")
    if target == "object":
        yield (), Scope(res_data, res_data, pod), {}
        return
    if pod is None or pod_path is None:
        return
    kinds = tuple(spec.get("containers") or CONTAINER_KINDS)
    if target == "pod":
        yield pod_path, Scope(pod, res_data, pod), {}
    elif target == "container":
        for kind, i, c in iter_containers(pod, kinds):
            yield pod_path + (kind, i), Scope(c, res_data, pod, c), {"container": container_name(c, i)}
    elif target == "volume":
        for i, v in _items(pod.get("volumes")):
            yield pod_path + ("volumes", i), Scope(v, res_data, pod, None, v), {"item": _label(v, i)}
    elif target == "volumeMount":
        volumes = {v["name"]: v for _, v in _items(pod.get("volumes")) if isinstance(v.get("name"), str)}
        for kind, i, c in iter_containers(pod, kinds):
            for j, m in _items(c.get("volumeMounts")):
                name = m.get("name")
                vol = volumes.get(name) if isinstance(name, str) else None
                yield (pod_path + (kind, i, "volumeMounts", j), Scope(m, res_data, pod, c, vol),
                       {"container": container_name(c, i), "item": _label(m, j)})


def _items(value: Any) -> Iterator[tuple[int, dict]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _label(item: dict, index: int) -> str:
    name = item.get("name")
    return name if isinstance(name, str) and name else f"#{index}"


def check_blocks(rule_check: Any) -> list[dict]:
    """A rule's ``check`` as a list of blocks (it may be one block or a list)."""
    blocks = rule_check if isinstance(rule_check, list) else [rule_check]
    return [b for b in blocks if isinstance(b, dict) and "fail_when" in b]


_PLANS: dict[int, tuple[Any, list[tuple[dict, Any, tuple, str, tuple | None, tuple]]]] = {}


def _plan(rule: Any) -> list[tuple[dict, Any, tuple, str, tuple | None, tuple]]:
    """Per rule, once: (block, compiled condition, reported path, message template, ``each`` path, targets
    cache key)."""
    hit = _PLANS.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    plan = []
    for block in check_blocks(rule.check):
        cond = block["fail_when"]
        at = split_field(block["at"] or "") if "at" in block else _default_at(cond)
        template = block.get("message") or rule.message or rule.summary
        each = split_field(block["each"]) if block.get("each") else None
        plan.append((block, compiled(cond), at, template, each, _targets_key(block)))
    _PLANS[id(rule)] = (rule, plan)
    return plan


def run_declarative(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    params = ctx.params
    base_fmt: dict[str, Any] | None = None
    for block, test, at, template, each, key in _plan(ctx.rule):
        for path, scope, extra in _cached_targets(block, res, key):
            if each is None:
                places: Any = ((path, scope, extra),)
            else:
                items = get_in(scope.node, each)
                places = [(path + each + (j,), Scope(item, scope.obj, scope.pod, scope.container, scope.volume),
                           {**extra, "item": _label(item, j)}) for j, item in _items(items)]
            for where, sc, values in places:
                if test(sc, params):
                    if base_fmt is None:
                        base_fmt = {**params, "object": res.describe()}
                    msg = _format(template, {**base_fmt, **values, "node": sc.node}, value=get_in(sc.node, at))
                    yield ctx.hit(msg, where + at)


def _default_at(cond: dict) -> tuple:
    while True:
        if "field" in cond:
            return split_field(cond["field"])
        for key in ("all", "any"):
            if key in cond and cond[key]:
                for sub in cond[key]:
                    found = _default_at(sub)
                    if found:
                        return found
                return ()
        if "not" in cond:
            cond = cond["not"]
            continue
        return ()


class _Lenient(string.Formatter):
    """``str.format`` that prints ``?`` for a placeholder it cannot fill instead of failing."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, IndexError, AttributeError, TypeError):
            return "?", field_name


def _format(template: str, fmt: dict[str, Any], **extra: Any) -> str:
    values = {**fmt, **{k: ("" if v is _MISSING else v) for k, v in extra.items()}}
    try:
        return template.format_map(values)  # the common case, in C
    except (KeyError, IndexError, AttributeError, TypeError, ValueError):
        pass
    try:
        return _Lenient().vformat(template, (), values)
    except (ValueError, IndexError, KeyError):
        return template
