"""Control-plane components in Pods: which one a container runs and the flags it really gets.

Public API (the checks in ``kubelint_nodes/checks/controlplane.py`` use only this):

* :func:`invocations` -> the :class:`Invocation` of every container of a
  resource that runs kube-apiserver, kube-controller-manager, kube-scheduler
  or etcd, with its parsed :class:`~.flags.Flags`;
* :func:`version_in_force` -> the Kubernetes and etcd minors the flags are
  judged against (``--kubernetes-version``, default the newest supported).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from . import versions as V
from .flags import Flags, Occurrence, etcd_env_occurrences, parse_goflag, parse_pflag
from .recognise import find, image_tag
from .words import Word, container_argv, read_env

if TYPE_CHECKING:
    from ..model.resource import Resource

__all__ = ["Invocation", "Occurrence", "VersionInForce", "invocations", "version_in_force"]

_CACHE_KEY = "controlplane.invocations"


@dataclass(frozen=True)
class VersionInForce:
    kubernetes: V.Version
    etcd: V.Version

    def of(self, component: str) -> V.Version:
        return self.etcd if component == V.ETCD else self.kubernetes

    def label(self, component: str) -> str:
        if component == V.ETCD:
            return f"etcd {V.fmt(self.etcd)}"
        return f"Kubernetes {V.fmt(self.kubernetes)}"


@lru_cache(maxsize=16)
def version_in_force(kubernetes_version: str | None) -> VersionInForce:
    k8s = V.parse_minor(kubernetes_version or V.default_kubernetes_version())
    if k8s is None:
        k8s = V.parse_minor(V.SUPPORTED[-1])
        assert k8s is not None
    return VersionInForce(k8s, V.etcd_for(k8s))


@dataclass
class Invocation:
    component: str
    how: str  # "command" | "args" | "script" | "image"
    container_name: str
    container_path: tuple
    exe: Word | None
    flags: Flags
    image: str | None
    image_version: V.Version | None  # the minor the image tag pins, when it is a version

    @property
    def anchor_key(self) -> str:
        """Where findings about a missing flag point: the list that starts the component."""
        return self.exe.key if self.exe is not None else "args"

    @property
    def anchor_path(self) -> tuple:
        return self.container_path + (self.anchor_key,)

    def path_of(self, occ: Occurrence) -> tuple:
        w = occ.word
        if w.key == "env":
            return self.container_path + ("env", w.index, "value")
        return self.container_path + (w.key, w.index)

    @property
    def config_file(self) -> Occurrence | None:
        """etcd ``--config-file`` or kube-scheduler ``--config``: settings we cannot see."""
        if self.component == V.ETCD:
            return self.flags.last("config-file")
        if self.component == V.SCHEDULER:
            return self.flags.last("config")
        return None


def _invocation(container: dict, kind: str, index: int, spec_path: tuple) -> Invocation | None:
    env = read_env(container)
    argv = container_argv(container, env)
    image = container.get("image") if isinstance(container.get("image"), str) else None
    found = find(argv, env, image, has_command=isinstance(container.get("command"), list)
                 and bool(container.get("command")))
    if found is None:
        return None
    if found.component == V.ETCD:
        flags = Flags(V.ETCD, parse_goflag(V.ETCD, found.words), etcd_env_occurrences(env))
    else:
        flags = Flags(found.component, parse_pflag(found.component, found.words))
    name = container.get("name")
    return Invocation(
        component=found.component,
        how=found.how,
        container_name=name if isinstance(name, str) and name else f"#{index}",
        container_path=spec_path + (kind, index),
        exe=found.exe,
        flags=flags,
        image=image,
        image_version=V.parse_minor(image_tag(image)),
    )


def invocations(resource: Resource) -> list[Invocation]:
    """Every container of the resource that runs a control-plane component (cached per resource)."""
    cached: Any = resource.cache.get(_CACHE_KEY)
    if cached is not None:
        return cached
    from ..engine.declarative import iter_containers

    out: list[Invocation] = []
    spec = resource.pod_spec()
    if spec is not None and resource.pod_spec_path is not None:
        for kind, i, c in iter_containers(spec):
            inv = _invocation(c, kind, i, resource.pod_spec_path)
            if inv is not None:
                out.append(inv)
    resource.cache[_CACHE_KEY] = out
    return out
