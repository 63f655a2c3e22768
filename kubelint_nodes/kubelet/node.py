"""What placement needs from a kubelet's effective configuration (reference R6.1, R6.2).

Capacity becomes allocatable by subtracting ``kubeReserved``, ``systemReserved`` and the hard-eviction
reservation (``memory.available`` and ``nodefs.available`` only); ``reservedSystemCPUs``, when set,
replaces the cpu entries (systemReserved.cpu = the number of listed CPUs, kubeReserved.cpu dropped;
``cmd/kubelet/app/server.go``). ``mergeDefaultEvictionSettings: true`` keeps the default signals a file
does not set; a ``0%``/``100%`` threshold disables its signal (``pkg/kubelet/eviction/helpers.go``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .effective import DEFAULT_EVICTION_HARD, EffectiveConfig


@dataclass
class NodeKubeletSettings:
    static_pod_path: str = ""  # "" means static pods are off
    max_pods: int = 110
    pods_per_core: int = 0
    kube_reserved: dict[str, Any] = field(default_factory=dict)
    system_reserved: dict[str, Any] = field(default_factory=dict)
    eviction_hard: dict[str, str] = field(default_factory=dict)  # enabled signals only
    reserved_system_cpus: str = ""
    register_with_taints: list[dict] = field(default_factory=list)
    register_node: bool = True


def cpuset_size(text: str) -> int | None:
    """Number of CPUs in a cpuset list such as ``0-1,3``; None if it does not parse."""
    from .validation import parse_cpuset

    if not parse_cpuset(text):
        return None
    total = 0
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        total += (int(hi) - int(lo) + 1) if hi else 1
    return total


def effective_eviction_hard(eff: EffectiveConfig) -> dict[str, str]:
    hard = eff.get(("evictionHard",))
    out = {str(k): v for k, v in hard.items() if isinstance(v, str)} if isinstance(hard, dict) else {}
    if eff.get(("mergeDefaultEvictionSettings",)) is True:
        for sig, val in DEFAULT_EVICTION_HARD.items():
            out.setdefault(sig, val)
    return {k: v for k, v in out.items() if v not in ("0%", "100%")}


def node_settings(eff: EffectiveConfig) -> NodeKubeletSettings:
    def as_int(v: Any, default: int) -> int:
        return v if isinstance(v, int) and not isinstance(v, bool) else default

    kube = dict(eff.get(("kubeReserved",)) or {})
    system = dict(eff.get(("systemReserved",)) or {})
    cpus = eff.get(("reservedSystemCPUs",)) or ""
    if isinstance(cpus, str) and cpus:
        n = cpuset_size(cpus)
        if n is not None:
            system["cpu"] = str(n)
            kube.pop("cpu", None)
    taints = eff.get(("registerWithTaints",))
    spp = eff.get(("staticPodPath",))
    return NodeKubeletSettings(
        static_pod_path=spp if isinstance(spp, str) else "",
        max_pods=as_int(eff.get(("maxPods",)), 110),
        pods_per_core=as_int(eff.get(("podsPerCore",)), 0),
        kube_reserved=kube,
        system_reserved=system,
        eviction_hard=effective_eviction_hard(eff),
        reserved_system_cpus=cpus if isinstance(cpus, str) else "",
        register_with_taints=[t for t in taints if isinstance(t, dict)] if isinstance(taints, list) else [],
        register_node=eff.get(("registerNode",)) is not False,
    )
