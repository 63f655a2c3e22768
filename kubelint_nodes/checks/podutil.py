"""Small readers of a pod spec shared by the pod-spec checks.

They answer questions the way the kubelet and the API server do (a container
field overrides the pod's, a Windows pod ignores Linux-only fields), so each
check stays a few lines of judgement.
"""

from __future__ import annotations

from typing import Any

from ..engine.declarative import CONTAINER_KINDS, container_name, iter_containers
from ..model.resource import Resource
from ..model.values import as_dict


def is_windows_pod(spec: dict) -> bool:
    """A pod that runs on Windows, where Linux-only securityContext fields are ignored or refused.

    ``spec.os.name: windows`` is what the API validation and the Pod Security
    Standards key on (the fields "cannot be set when spec.os.name is windows",
    core/v1 SecurityContext docs); a ``kubernetes.io/os: windows`` node
    selector places the pod on Windows nodes just as surely.
    """
    if as_dict(spec.get("os")).get("name") == "windows":
        return True
    return as_dict(spec.get("nodeSelector")).get("kubernetes.io/os") == "windows"


def containers(res: Resource, kinds: tuple[str, ...] = CONTAINER_KINDS) -> list[tuple[tuple, str, dict]]:
    """(path of the container, display name, container) for each container of the resource's pod spec.

    Listed once per resource and kinds: a dozen checks walk the same containers.
    """
    key = ("podutil.containers", kinds)
    found = res.cache.get(key)
    if found is None:
        spec = res.pod_spec()
        base = res.pod_spec_path
        found = [] if spec is None or base is None else [
            (base + (kind, i), container_name(c, i), c) for kind, i, c in iter_containers(spec, kinds)]
        res.cache[key] = found
    return found


def pod_metadata_path(res: Resource) -> tuple | None:
    """Where the pod's own metadata lives: ``metadata`` of a Pod, ``…template.metadata`` of a template."""
    base = res.pod_spec_path
    if base is None:
        return None
    return base[:-1] + ("metadata",)


def pod_annotations(res: Resource) -> dict:
    path = pod_metadata_path(res)
    if path is None:
        return {}
    return as_dict(as_dict(res.get(path)).get("annotations"))


def security_value(spec: dict, container: dict, field: str) -> tuple[Any, str | None]:
    """The effective value of a securityContext field and where it comes from ('container', 'pod' or None).

    A container's securityContext overrides the pod's for the fields both
    have (core/v1 PodSecurityContext: "the value specified in SecurityContext
    takes precedence").
    """
    csc = as_dict(container.get("securityContext"))
    if csc.get(field) is not None:
        return csc[field], "container"
    psc = as_dict(spec.get("securityContext"))
    if psc.get(field) is not None:
        return psc[field], "pod"
    return None, None
