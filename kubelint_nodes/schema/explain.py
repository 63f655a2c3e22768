"""Walk a document the compiled predicate refused and say what is wrong, with the path of each problem.

Only invalid documents come here, so this favours clear messages over speed.
The semantics must stay those of :mod:`.compiler` (the test suite checks that
both agree); the messages speak of YAML because that is what users write:
an unquoted ``on`` is a boolean and ``0777`` an octal number in YAML 1.1,
which is how the API server's decoder (go-yaml v2) reads them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from ..findings import format_path
from ..loader.yamlparse import key_text
from ..model.valuetypes import json_type
from .compiler import TYPE_TESTS, is_number, type_list, value_ok

TokenLookup = Callable[[tuple], "str | None"]

# How a referenced definition is named in "expected ..." (by its name without the @release suffix).
_LABELS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "a quantity (string like 500m or 2Gi, or a number)",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "integer or string",
}
# Fields written one level off: (definition it was found in, definition it belongs to, advice).
_CORE = "io.k8s.api.core.v1."
_MISPLACED = [
    (_CORE + "Container", _CORE + "PodSpec", "`{key}` is a pod-level field: move it up to the pod spec"),
    (_CORE + "PodSpec", _CORE + "Container", "`{key}` is a container field: set it in each container"),
    (_CORE + "PodSecurityContext", _CORE + "SecurityContext",
     "`{key}` is a container field: set it in each container's `securityContext`"),
    (_CORE + "SecurityContext", _CORE + "PodSecurityContext",
     "`{key}` is a pod-level field: set it in the pod spec's `securityContext`"),
]
_TYPE_WORDS = {"object": "object (a mapping)", "array": "array (a list)"}
_OCTAL_RE = re.compile(r"[-+]?0[0-7_]+|[-+]?0o[0-7_]+")
_INT_TEXT_RE = re.compile(r"[-+]?[0-9]+")
_INT32 = (-(2**31), 2**31 - 1)



class Explainer:
    def __init__(self, definitions: dict[str, Any], token_of: TokenLookup | None = None):
        self.definitions = definitions
        self.token_of = token_of or (lambda path: None)
        self.problems: list[tuple[tuple, str]] = []

    def add(self, path: tuple, message: str) -> None:
        self.problems.append((path, message))

    # -- walking ---------------------------------------------------------------------
    def walk(self, node: dict[str, Any], value: Any, path: tuple, label: str | None = None,
             defname: str = "") -> None:
        ref = node.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            base = name.split("@", 1)[0]
            self.walk(self.definitions[name], value, path, _LABELS.get(base, label), base)
            return
        types = type_list(node)
        if types is None:
            return
        if not any(TYPE_TESTS[t](value) for t in types):
            self.type_problem(types, value, path, label)
            return
        if isinstance(value, dict) and "object" in types:
            self.walk_object(node, value, path, defname)
        elif isinstance(value, list) and "array" in types and "items" in node:
            for i, item in enumerate(value):
                self.walk(node["items"], item, path + (i,))
        elif value is not None:
            self.value_problem(node, value, path, label)

    def walk_object(self, node: dict[str, Any], value: dict, path: tuple, defname: str = "") -> None:
        props = node.get("properties") or {}
        addl = node.get("additionalProperties", True)
        for req in node.get("required") or ():
            if req not in value:
                where = format_path(path)
                self.add(path, f"{where}: missing required field `{req}`" if where
                         else f"missing required field `{req}`")
        for key, item in value.items():
            sub = props.get(key)
            if sub is not None:
                self.walk(sub, item, path + (key,))
            elif addl is False:
                self.unknown_field(key, node, path, defname)
            elif addl is not True:
                self.walk(addl, item, path + (key,))

    # -- messages --------------------------------------------------------------------
    def unknown_field(self, key: Any, node: dict[str, Any], path: tuple, defname: str) -> None:
        text = key_text(key)
        where = format_path(path + (text,))
        msg = f"{where}: unknown field `{text}`"
        props = node.get("properties") or {}
        guess = did_you_mean(text, props)
        if guess:
            msg += f"; did you mean `{guess}`?"
        else:
            moved = self.elsewhere(text, node, defname)
            if moved:
                msg += f"; {moved}"
        self.add(path + (key,), msg)

    def elsewhere(self, key: str, node: dict[str, Any], defname: str) -> str | None:
        """Where a field that is unknown here does exist: one or two levels down (``resources.limits``,
        ``template.spec.containers``), or at the pod level for a container (and the reverse)."""
        for owner, other, advice in _MISPLACED:
            if defname == owner and key in self._props_of(other):
                return advice.format(key=key)
        frontier = [("", node)]
        near: dict[str, list[str]] = {}
        for _depth in range(2):
            found, nxt = [], []
            for prefix, cur in frontier:
                for pname, pnode in sorted((cur.get("properties") or {}).items()):
                    if pname == "status":
                        continue
                    target = self._resolve(pnode)
                    sub = target.get("properties") if target else None
                    if not sub:
                        continue
                    if key in sub:
                        found.append(f"{prefix}{pname}.{key}")
                    if not prefix:
                        for sname in sub:
                            near.setdefault(sname, []).append(f"{pname}.{sname}")
                    nxt.append((f"{prefix}{pname}.", target))
            if found:
                return f"did you mean `{found[0]}`?" if len(found) == 1 else \
                    "it exists as " + ", ".join(f"`{f}`" for f in found[:3])
            frontier = nxt
        close = difflib.get_close_matches(key, sorted(near), n=1, cutoff=0.8)
        if close and len(near[close[0]]) == 1:
            return f"did you mean `{near[close[0]][0]}`?"
        return None

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any] | None:
        ref = node.get("$ref")
        return self.definitions[ref.rsplit("/", 1)[-1]] if ref else node

    def _props_of(self, base: str) -> dict[str, Any]:
        for name, d in self.definitions.items():
            if name.split("@", 1)[0] == base:
                return d.get("properties") or {}
        return {}

    def type_problem(self, types: tuple[str, ...], value: Any, path: tuple, label: str | None) -> None:
        wanted = [t for t in types if t != "null"]
        if label is None:
            if set(wanted) == {"string", "integer"}:
                label = "integer or string"
            else:
                label = " or ".join(_TYPE_WORDS.get(t, t) for t in wanted) or "null"
        got = json_type(value)
        hint = self.hint(wanted, value, path)
        self.add(path, f"{format_path(path) or '(root)'}: expected {label}, got {got}{hint}")

    def hint(self, wanted: list[str], value: Any, path: tuple) -> str:
        token = self.token_of(path)
        if "string" in wanted:
            if isinstance(value, bool):
                if token and not token.startswith(("'", '"')):
                    return f" (unquoted `{token}` is a boolean in YAML 1.1; quote it)"
                words = "`true`, `yes`, `on` and `y`" if value else "`false`, `no`, `off` and `n`"
                return f" (unquoted {words} are booleans in YAML 1.1; quote it)"
            if isinstance(value, int):
                if token and _OCTAL_RE.fullmatch(token):
                    return f" (`{token}` is read as the octal number {value} in YAML 1.1; quote it)"
                if token and token.lower().startswith(("0x", "-0x", "+0x")):
                    return f" (`{token}` is read as the hexadecimal number {value}; quote it)"
                if token and "_" in token:
                    return f" (`{token}` is read as the number {value}; quote it)"
                return " (quote it to make it a string)"
            if isinstance(value, float):
                if token:
                    return f" (`{token}` is read as the number {value:g} in YAML; quote it)"
                return " (quote it to make it a string)"
            if value is None:
                return " (an empty value is null in YAML; write \"\" for an empty string)"
        if isinstance(value, str):
            if ("integer" in wanted or "number" in wanted) and _INT_TEXT_RE.fullmatch(value.strip()):
                return " (remove the quotes to make it a number)"
            if "boolean" in wanted and value in ("true", "false"):
                return " (remove the quotes to make it a boolean)"
        if value is None:
            return " (an empty value is null in YAML)"
        if "integer" in wanted and isinstance(value, float) and is_number(value):
            return " (a whole number is required)"
        if "array" in wanted and isinstance(value, dict):
            return " (list items start with `- `)"
        return ""

    def value_problem(self, node: dict[str, Any], value: Any, path: tuple, label: str | None) -> None:
        enum = node.get("enum")
        pattern = node.get("pattern")
        lo, hi = node.get("minimum"), node.get("maximum")
        rx = re.compile(pattern) if pattern else None
        if value_ok(value, enum, rx, lo, hi):
            return
        where = format_path(path) or "(root)"
        if enum is not None and value not in enum:
            self.add(path, f"{where}: expected one of {', '.join(map(repr, enum))}, got {value!r}")
        elif rx is not None and isinstance(value, str) and not rx.search(value):
            if label and label.startswith("a quantity"):
                self.add(path, f"{where}: {value!r} is not a valid quantity (e.g. 100m, 0.5, 128Mi, 2Gi)")
            else:
                self.add(path, f"{where}: {value!r} does not match the pattern {pattern}")
        else:
            width = "32-bit" if (lo, hi) == _INT32 else "64-bit"
            self.add(path, f"{where}: {value} does not fit a {width} integer ({lo} to {hi})")


def did_you_mean(key: str, candidates: dict[str, Any]) -> str | None:
    """The known field a misspelt one most likely meant: case-insensitive first, then difflib."""
    lowered = {c.lower(): c for c in candidates}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.75)
    return close[0] if close else None
