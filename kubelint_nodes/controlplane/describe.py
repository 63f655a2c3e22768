"""Message pieces shared by the control-plane rules: who, where a flag was set, which version decided."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import versions as V

if TYPE_CHECKING:
    from ..model.resource import Resource
    from . import Invocation, VersionInForce
    from .flags import Occurrence


def subject(res: Resource, inv: Invocation) -> str:
    text = f"{res.describe()}: {inv.component} (container '{inv.container_name}')"
    if inv.how == "image":
        text += f", inferred from the image '{inv.image}' because the container sets no command"
    return text


def where(res: Resource, inv: Invocation, occ: Occurrence) -> str:
    """``command[3], line 14``; ``the sh -c script in command[2], line 13``; ``env ETCD_AUTO_TLS, line 9``."""
    w = occ.word
    line = res.locate(inv.path_of(occ))[0]
    if w.key == "env":
        return f"env {occ.env_name}, line {line}"
    item = f"{w.key}[{w.index}]"
    if w.script:
        return f"in the sh -c script of {item}, line {line}"
    return f"{item}, line {line}"


def setting(res: Resource, inv: Invocation, occ: Occurrence) -> str:
    return f"{occ.shown()} ({where(res, inv, occ)})"


def default_phrase(inv: Invocation, flag: str, value: str, vif: VersionInForce) -> str:
    """``--profiling is not set, so it is true (the default in Kubernetes 1.37)``."""
    if inv.component == V.ETCD:
        return f"--{flag} is not set, so it is {value} (etcd's default)"
    return f"--{flag} is not set, so it is {value} (the default in {vif.label(inv.component)})"


def version_note(inv: Invocation, vif: VersionInForce) -> str:
    """Said when the image tag pins another minor than the one the flags are judged for."""
    pinned = inv.image_version
    if pinned is None:
        return ""
    tag = inv.image.split("@", 1)[0].rsplit(":", 1)[-1] if inv.image else ""
    if inv.component == V.ETCD:
        if pinned[0] not in (2, 3) or pinned == vif.etcd:
            return ""
        return (f" (the image tag '{tag}' is etcd {V.fmt(pinned)}; checked as etcd {V.fmt(vif.etcd)}, "
                f"which kubeadm runs with Kubernetes {V.fmt(vif.kubernetes)})")
    if pinned[0] != 1 or pinned == vif.kubernetes:
        return ""
    return (f" (the image tag '{tag}' is Kubernetes {V.fmt(pinned)}; checked as "
            f"{V.fmt(vif.kubernetes)}, see --kubernetes-version)")


def message(res: Resource, inv: Invocation, vif: VersionInForce, body: str) -> str:
    return f"{subject(res, inv)}: {body}{version_note(inv, vif)}"
