"""``daemonset-selector-mismatch``: the API server's own selector checks for a DaemonSet.

pkg/apis/apps/validation ``ValidateDaemonSetSpec``: the selector is required,
may not be empty, and must match the template's labels
(``metav1.LabelSelectorAsSelector`` semantics for matchLabels and
matchExpressions). ``extensions/v1beta1`` defaulted a missing selector from
the template labels, so only there a missing selector is not an error
(that apiVersion gets ``deprecated-api-version``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.context import CheckContext, Hit
from ..engine.registry import check
from ..model.values import as_dict, as_list

_DEFAULTS_SELECTOR = ("extensions/v1beta1",)


def _label(value: Any) -> str | None:
    """A label value as the API would compare it (YAML booleans and numbers are schema errors, not mismatches)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def selector_problem(selector: dict, labels: dict) -> str | None:
    """Why ``selector`` does not select a pod with ``labels`` (None: it does)."""
    labels = {str(k): _label(v) for k, v in labels.items()}
    for key, value in as_dict(selector.get("matchLabels")).items():
        want = _label(value)
        have = labels.get(str(key))
        if have != want:
            shown = "no such label" if have is None else f"'{key}: {have}'"
            return f"matchLabels wants '{key}: {want}' but the template has {shown}"
    for expr in as_list(selector.get("matchExpressions")):
        expr = as_dict(expr)
        key, op = str(expr.get("key", "")), expr.get("operator")
        values = [_label(v) for v in as_list(expr.get("values"))]
        have = labels.get(key)
        if op in ("In", "NotIn") and not values:
            return f"matchExpressions operator {op} on '{key}' needs values"
        if op in ("Exists", "DoesNotExist") and values:
            return f"matchExpressions operator {op} on '{key}' takes no values"
        if op == "In" and have not in values:
            return f"matchExpressions wants '{key}' in {values} but the template has " + (
                "no such label" if have is None else f"'{key}: {have}'")
        if op == "NotIn" and have is not None and have in values:
            return f"matchExpressions wants '{key}' not in {values} but the template has '{key}: {have}'"
        if op == "Exists" and have is None:
            return f"matchExpressions wants label '{key}' but the template has none"
        if op == "DoesNotExist" and have is not None:
            return f"matchExpressions wants no label '{key}' but the template has '{key}: {have}'"
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return f"matchExpressions operator {op!r} is not one of In, NotIn, Exists, DoesNotExist"
    return None


@check("daemonset-selector-mismatch")
def daemonset_selector_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    spec = as_dict(res.data.get("spec"))
    labels = as_dict(as_dict(as_dict(spec.get("template")).get("metadata")).get("labels"))
    selector = spec.get("selector")
    suggestion = ", ".join(f"{k}: {_label(v)}" for k, v in labels.items()) or "app: <name>"
    where = res.describe()
    if selector is None:
        if res.api_version in _DEFAULTS_SELECTOR:
            return
        yield ctx.hit(f"{where} has no spec.selector, so the API server rejects it; add spec.selector.matchLabels "
                      f"with the template's labels ({{{suggestion}}})", ("spec", "selector"))
        return
    if not isinstance(selector, dict):
        return  # a wrong type is schema-invalid's finding
    if not as_dict(selector.get("matchLabels")) and not as_list(selector.get("matchExpressions")):
        yield ctx.hit(f"{where} has an empty spec.selector, which the API server rejects for a DaemonSet; set "
                      f"spec.selector.matchLabels to the template's labels ({{{suggestion}}})", ("spec", "selector"))
        return
    why = selector_problem(selector, labels)
    if why:
        yield ctx.hit(f"{where}: spec.selector does not match spec.template.metadata.labels ({why}), so the API "
                      "server rejects it; make the template labels include everything the selector asks for",
                      ("spec", "selector"))
