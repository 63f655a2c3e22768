"""Python fixers: the fixes that need judgement, registered under their rule id.

Each returns a :class:`~.plan.Proposal` (operations on the finding's document)
or raises :class:`~.model.CannotFix` with the reason it does not apply. Whether
a fix is safe or suggested is declared in the rule file, not here.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from . import nodes
from .declarations import fixer
from .edit import entries, same
from .model import ADD, DELETE, DELETE_AT, QUOTE, RENAME, SET, CannotFix, Op
from .paths import container_base
from .plan import FixContext, Proposal, doc_index_of, scalar_text

# go-yaml v2 (YAML 1.1) booleans and octal integers: the spellings that look like text but are not.
_BOOL_WORDS = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
               "FALSE", "on", "On", "ON", "off", "Off", "OFF"}
_OCTAL = re.compile(r"[-+]?0[0-7_]+|[-+]?0o[0-7_]+")
_WANTS_STRING = re.compile(r"expected [^,]*\bstring\b[^,]*, got (boolean|integer)")
RENAME_SIMILARITY = 0.9


def _need_object(ctx: FixContext) -> tuple:
    if ctx.resource is None or not ctx.path:
        raise CannotFix("the finding is not about a field of an object")
    return ctx.path


# -- safe -------------------------------------------------------------------------------------------------

@fixer("schema-invalid")
def quote_yaml11_scalar(ctx: FixContext) -> Proposal:
    """An unquoted ``on``/``yes``/``0755`` where the schema wants a string: quoting keeps the visible text.

    The object is refused by the API server as it is (a boolean is not a
    string), so the only meaning the file can have is the one it shows.
    """
    path = _need_object(ctx)
    if not _WANTS_STRING.search(ctx.finding.message):
        raise CannotFix("only a YAML 1.1 boolean or octal number where a string is expected is fixed")
    value = ctx.resource.get(path) if ctx.resource is not None else None
    token = scalar_text(ctx, ctx.doc_path(path))
    if isinstance(value, bool) and token in _BOOL_WORDS:
        what = "a boolean"
    elif isinstance(value, int) and not isinstance(value, bool) and _OCTAL.fullmatch(token):
        what = f"the octal number {value}"
    else:
        raise CannotFix(f"`{token}` is not a YAML 1.1 boolean or octal spelling")
    return Proposal([Op(QUOTE, ctx.doc_path(path), token)],
                    f'quote `{token}` as "{token}" (YAML 1.1 reads it as {what})')


@fixer("kubelet-unknown-field")
def rename_kubelet_typo(ctx: FixContext) -> Proposal:
    """Rename only when exactly one field of the same struct is at least 90% similar (difflib ratio)."""
    from ..kubelet.fields import type_at

    path = _need_object(ctx)
    key = path[-1]
    if not isinstance(key, str):
        raise CannotFix("not a field name")
    struct = type_at(path[:-1])
    if struct is None or struct.kind != "struct":
        raise CannotFix("the field's parent is not a known KubeletConfiguration object")
    close = [name for name in sorted(struct.fields or {})
             if difflib.SequenceMatcher(None, key, name).ratio() >= RENAME_SIMILARITY]
    if len(close) != 1:
        why = "no field name is" if not close else f"{len(close)} field names are"
        raise CannotFix(f"{why} at least {RENAME_SIMILARITY:.0%} similar to '{key}'")
    parent = ctx.resource.get(path[:-1]) if ctx.resource is not None else None
    if isinstance(parent, dict) and close[0] in parent:
        raise CannotFix(f"'{close[0]}' is set too; remove one of them by hand")
    return Proposal([Op(RENAME, ctx.doc_path(path), close[0])], f"rename '{key}' to '{close[0]}'")


@fixer("yaml-duplicate-key")
def drop_equal_duplicate(ctx: FixContext) -> Proposal:
    """Delete a repeated key when its value equals the one that survives without it (decoded data unchanged)."""
    f = ctx.finding
    docs = nodes.compose_all(ctx.text())
    index = doc_index_of(ctx)
    root = docs[index] if 0 <= index < len(docs) else None
    for mapping, kn, vn in entries(root):
        if kn.start_mark.line != f.line - 1 or kn.start_mark.column != f.column - 1:
            continue
        key = nodes.key_of(kn)
        others = [v for k, v in mapping.value if k is not kn and nodes.key_of(k) == key]
        if not others:
            raise CannotFix("the key is not repeated")
        survivor = others[-1]
        if not same(nodes.to_plain(vn), nodes.to_plain(survivor)):
            raise CannotFix(f"the two values of '{key}' differ: keep the one you mean by hand")
        return Proposal([Op(DELETE_AT, (), at=(f.line, f.column))],
                        f"delete the repeated '{key}' (its value equals the one that stays)")
    raise CannotFix("the repeated key was not found")


# -- suggested -----------------------------------------------------------------------------------------------

def _set(value: Any, name: str) -> bool:
    v = value.get(name) if isinstance(value, dict) else None
    return v is not None and v != ""


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@fixer("missing-resource-requests")
def default_requests(ctx: FixContext) -> Proposal:
    """Requests from the ``default-requests`` parameter, for the resources the container lacks.

    What counts as having a request follows the rule: a limit (the API server
    copies it to the request) or a pod-level value.
    """
    path = _need_object(ctx)
    defaults = _dict(ctx.params.get("default-requests"))
    if not defaults:
        raise CannotFix("set the rule parameter default-requests (e.g. {cpu: 100m, memory: 128Mi}) to enable it")
    base = container_base(path)
    res = ctx.resource
    if base is None or res is None:
        raise CannotFix("the finding is not about a container")
    c = _dict(res.get(base))
    own = _dict(c.get("resources"))
    pod = _dict(_dict(res.pod_spec()).get("resources"))
    ops = []
    for name in ("cpu", "memory"):
        if any(_set(_dict(section.get(kind)), name) for section in (own, pod) for kind in ("requests", "limits")):
            continue
        if defaults.get(name) in (None, ""):
            raise CannotFix(f"the rule parameter default-requests has no {name}")
        ops.append(Op(SET, ctx.doc_path(base + ("resources", "requests", name)), defaults[name]))
    if not ops:
        raise CannotFix("the container has its requests")
    shown = ", ".join(f"{op.path[-1]}: {op.value}" for op in ops)
    return Proposal(ops, f"set resources.requests {{{shown}}} from the default-requests parameter")


def _template_labels(spec: dict) -> dict[str, str]:
    labels = _dict(_dict(_dict(spec.get("template")).get("metadata")).get("labels"))
    if not labels:
        raise CannotFix("the pod template has no labels to select")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise CannotFix("the template labels are not all strings (quote them first)")
    return dict(labels)


@fixer("daemonset-selector-mismatch")
def selector_from_labels(ctx: FixContext) -> Proposal:
    """A missing or empty ``spec.selector`` becomes ``matchLabels`` of the template labels.

    A selector that exists but disagrees is left alone: which side is wrong is
    the author's call. Suggested only: the selector is immutable once applied.
    """
    res = ctx.resource
    if res is None:
        raise CannotFix("the finding is not about an object")
    spec = _dict(res.data.get("spec"))
    selector = spec.get("selector")
    labels = _template_labels(spec)
    if selector is None:
        op = Op(SET, ctx.doc_path(("spec", "selector")), {"matchLabels": labels}, "first")
    elif isinstance(selector, dict) and not selector.get("matchLabels") and not selector.get("matchExpressions"):
        op = Op(SET, ctx.doc_path(("spec", "selector", "matchLabels")), labels)
    else:
        raise CannotFix("the selector exists and disagrees with the template labels: decide which to change")
    return Proposal([op], "set spec.selector.matchLabels to the template labels")


# extensions/v1beta1 DaemonSets defaulted updateStrategy to OnDelete and the selector to the template labels;
# apps/v1 defaults to RollingUpdate and requires the selector (pkg/apis/extensions/v1beta1/defaults.go
# SetDefaults_DaemonSet; apps/v1 SetDefaults_DaemonSet).
_DAEMONSET_APIS = {"extensions/v1beta1": True, "apps/v1beta2": False, "apps/v1beta1": False}


@fixer("deprecated-api-version")
def daemonset_to_apps_v1(ctx: FixContext) -> Proposal:
    res = ctx.resource
    if res is None or res.kind != "DaemonSet" or res.api_version not in _DAEMONSET_APIS:
        raise CannotFix("only DaemonSets are migrated automatically")
    spec = _dict(res.data.get("spec"))
    ops = [Op(SET, ctx.doc_path(("apiVersion",)), "apps/v1")]
    if spec.get("selector") is None:
        ops.append(Op(SET, ctx.doc_path(("spec", "selector")), {"matchLabels": _template_labels(spec)}, "first"))
    introduces: tuple[str, ...] = ()
    parts = ["set apiVersion: apps/v1"]
    if _DAEMONSET_APIS[res.api_version]:
        strategy = spec.get("updateStrategy")
        if not isinstance(strategy, dict) or not strategy.get("type"):
            ops.append(Op(SET, ctx.doc_path(("spec", "updateStrategy", "type")), "OnDelete"))
            introduces = ("daemonset-on-delete-updates",)
            parts.append("write updateStrategy OnDelete, the old default")
        if "templateGeneration" in spec:
            ops.append(Op(DELETE, ctx.doc_path(("spec", "templateGeneration"))))
            parts.append("drop spec.templateGeneration")
    if len(ops) > 1 and ops[1].path[-1] == "selector":
        parts.insert(1, "write spec.selector from the template labels")
    return Proposal(ops, "; ".join(parts), introduces)


@fixer("daemonset-untolerated-taint")
def tolerate_inventory_taints(ctx: FixContext) -> Proposal:
    """Tolerations for the NoSchedule/NoExecute taints of the nodes the DaemonSet selects but does not tolerate.

    Only the inventory's own taints count: the ``node.kubernetes.io/*`` taints
    the node lifecycle controller sets come and go with node conditions.
    """
    from ..placement.selectors import compile_selection
    from ..placement.taints import EFFECTS_SCHEDULE, daemonset_tolerations, tolerations_of, untolerated

    res = ctx.resource
    spec = res.pod_spec() if res is not None else None
    spec_path = res.pod_spec_path if res is not None else None
    if spec is None or spec_path is None:
        raise CannotFix("the finding is not about a pod template")
    inventory = _inventory(ctx)
    selection = compile_selection(spec)
    pinned = spec.get("nodeName")
    tolerations = tolerations_of(spec) + daemonset_tolerations(spec.get("hostNetwork") is True)
    wanted: list[Any] = []
    for node in inventory.nodes:
        if isinstance(pinned, str) and pinned and node.name != pinned:
            continue
        if selection.selector_failures(node.labels) or not selection.affinity_matches(node.labels, node.name):
            continue
        for taint in untolerated(node.taints, tolerations, EFFECTS_SCHEDULE):
            if taint.key.startswith("node.kubernetes.io/"):
                continue
            if all((t.key, t.value, t.effect) != (taint.key, taint.value, taint.effect) for t in wanted):
                wanted.append(taint)
    if not wanted:
        raise CannotFix("no untolerated inventory taint on the nodes it selects")
    items = []
    for t in wanted:
        item = {"key": t.key, "operator": "Equal", "value": t.value} if t.value else \
            {"key": t.key, "operator": "Exists"}
        item["effect"] = t.effect
        items.append(item)
    shown = ", ".join(str(t) for t in wanted)
    return Proposal([Op(ADD, ctx.doc_path(spec_path + ("tolerations",)), items)], f"tolerate {shown}")


def _inventory(ctx: FixContext) -> Any:
    if "inventory" not in ctx.state:
        if not ctx.settings.inventory:
            raise CannotFix("needs the inventory (-i)")
        from ..inventory.load import load_inventory

        ctx.state["inventory"] = load_inventory(ctx.settings.inventory, ctx.settings)
    return ctx.state["inventory"]
