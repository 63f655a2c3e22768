"""Pod-spec rules that need more than a field comparison: resources, root, capabilities."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.context import CheckContext, Hit
from ..engine.registry import check
from ..model.values import as_dict, as_list
from .podutil import containers, security_value

_RESOURCES = ("cpu", "memory")
# Ephemeral containers may not set resources (API validation), so only these are judged.
_RESOURCE_KINDS = ("containers", "initContainers")
_EXAMPLE = {"cpu": "100m", "memory": "128Mi"}


def _set(section: Any, name: str) -> bool:
    value = as_dict(section).get(name)
    return value is not None and value != ""


def _missing(ctx: CheckContext, c: dict, want: str) -> list[str]:
    """Resources without a value, counting what Kubernetes counts.

    For requests a limit counts too: the API server defaults a missing request
    to the limit for every pod (pkg/apis/core/v1/defaults.go ``SetDefaults_Pod``),
    and the pods a template creates are pods. Pod-level ``spec.resources``
    (PodLevelResources, beta and on since v1.34) covers every container.
    """
    res = as_dict(c.get("resources"))
    pod_res = as_dict(as_dict(ctx.resource.pod_spec()).get("resources"))
    out = []
    for name in _RESOURCES:
        have = _set(res.get(want), name) or _set(pod_res.get(want), name)
        if want == "requests":
            have = have or _set(res.get("limits"), name) or _set(pod_res.get("limits"), name)
        if not have:
            out.append(name)
    return out


def _resource_hits(ctx: CheckContext, want: str) -> Iterator[Hit]:
    noun = "request" if want == "requests" else "limit"
    for path, name, c in containers(ctx.resource, _RESOURCE_KINDS):
        missing = _missing(ctx, c, want)
        if not missing:
            continue
        what = " or ".join(missing)
        fields = " and ".join(f"resources.{want}.{m}: {_EXAMPLE[m]}" for m in missing)
        if want == "requests":
            why = "the scheduler counts it as zero, so nodes fill up beyond what they can run"
        else:
            why = ("nothing bounds it: " + ("it can starve the node's other pods of CPU" if missing == ["cpu"]
                                            else "it can take the node's memory and get other pods OOM-killed"))
        at = ("resources", want, missing[0]) if len(missing) == 1 else ("resources", want)
        yield ctx.hit(f"{ctx.resource.describe()}: container '{name}' has no {what} {noun}; {why}; "
                      f"set {fields} (sized for the container)", path + at)


@check("missing-resource-requests")
def missing_resource_requests(ctx: CheckContext) -> Iterator[Hit]:
    yield from _resource_hits(ctx, "requests")


@check("missing-resource-limits")
def missing_resource_limits(ctx: CheckContext) -> Iterator[Hit]:
    yield from _resource_hits(ctx, "limits")


@check("run-as-root")
def run_as_root(ctx: CheckContext) -> Iterator[Hit]:
    """Pod Security Standards "restricted": runAsNonRoot true (pod or container) and runAsUser never 0.

    The container's value overrides the pod's (PodSecurityContext docs), so a
    pod-level ``runAsNonRoot: true`` is undone by a container's ``false``.
    """
    res = ctx.resource
    spec = res.pod_spec() or {}
    pod_sc = res.pod_spec_path + ("securityContext",) if res.pod_spec_path else ()
    for path, name, c in containers(res):
        who = f"{res.describe()}: container '{name}'"
        uid, uid_from = security_value(spec, c, "runAsUser")
        if isinstance(uid, int) and not isinstance(uid, bool) and uid == 0:
            at = pod_sc + ("runAsUser",) if uid_from == "pod" else path + ("securityContext", "runAsUser")
            inherited = " (inherited from the pod's securityContext)" if uid_from == "pod" else ""
            yield ctx.hit(f"{who} runs as root: runAsUser is 0{inherited}; set runAsUser to a non-zero UID "
                          "and runAsNonRoot: true", at)
            continue
        nonroot, from_where = security_value(spec, c, "runAsNonRoot")
        if nonroot is True:
            continue
        if nonroot is not None and from_where == "pod":
            at = pod_sc + ("runAsNonRoot",)
        else:
            at = path + ("securityContext", "runAsNonRoot")
        if nonroot is not None:
            where = " in the pod's securityContext" if from_where == "pod" else ""
            state = f"runAsNonRoot is {_yaml(nonroot)}{where}"
        elif uid is not None:
            state = f"runAsUser is {uid} but runAsNonRoot is not set, so an image change back to root goes unnoticed"
        else:
            state = "neither it nor the pod sets runAsNonRoot, so it runs as whatever user the image says (often root)"
        yield ctx.hit(f"{who} may run as root: {state}; set securityContext.runAsNonRoot: true "
                      "(and a non-zero runAsUser if the image has no numeric user)", at)


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _cap(name: Any) -> str:
    """``cap_sys_admin`` and ``SYS_ADMIN`` are the same capability to the container runtime."""
    text = str(name).upper()
    return text[4:] if text.startswith("CAP_") else text


@check("dangerous-capabilities")
def dangerous_capabilities(ctx: CheckContext) -> Iterator[Hit]:
    wanted = {_cap(x) for x in as_list(ctx.params.get("capabilities"))}
    for path, name, c in containers(ctx.resource):
        added = as_list(as_dict(as_dict(c.get("securityContext")).get("capabilities")).get("add"))
        found: list[str] = []
        for cap in added:
            if isinstance(cap, str) and _cap(cap) in wanted and cap not in found:
                found.append(cap)
        if not found:
            continue
        listed = ", ".join(found)
        what = (f"capabilities {listed}, each of which" if len(found) > 1 else f"capability {listed}, which")
        them = "them" if len(found) > 1 else "it"
        yield ctx.hit(f"{ctx.resource.describe()}: container '{name}' adds the {what} can be used to take over the "
                      f"node; remove {them} from securityContext.capabilities.add and grant only what the process "
                      "needs (e.g. NET_BIND_SERVICE)", path + ("securityContext", "capabilities", "add"))
