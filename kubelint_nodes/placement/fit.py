"""Node resources and host ports: the booking state of a node and the checks against it.

Resource checks follow pkg/scheduler/framework/plugins/noderesources/fit.go ``fitsRequest`` (reference R3.7)
and, for pods that reach the kubelet directly, pkg/kubelet/lifecycle/predicate.go (R4.2, which first drops
extended resources the node does not advertise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..inventory.model import HostPort, Node
from ..quantity import format_quantity
from .codes import Reason
from .requests import describe_port

_NAMED = {"cpu": "insufficient-cpu", "memory": "insufficient-memory",
          "ephemeral-storage": "insufficient-ephemeral-storage"}


def is_extended_resource(name: str) -> bool:
    """k8s.io/kubernetes pkg/apis/core/v1/helper ``IsExtendedResourceName``: a domain-qualified name outside
    ``kubernetes.io/`` (hugepages, cpu, memory … are native)."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


@dataclass
class Booking:
    """What is booked on a node (or a group of identical nodes) so far, in SPEC §6's booking order."""

    requested: dict[str, int] = field(default_factory=dict)
    pods: int = 0
    # critical pods cannot be evicted; a critical pod only competes with these (R4.3)
    crit_requested: dict[str, int] = field(default_factory=dict)
    crit_pods: int = 0
    ports: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)  # → [(ip, holder)]
    booked: list = field(default_factory=list)  # workloads, in booking order

    @classmethod
    def from_node(cls, node: Node) -> Booking:
        b = cls(requested=dict(node.existing.requests), pods=node.existing.pods)
        for p in node.existing.host_ports:
            b.add_port(p, "the node's existing usage")
        return b

    def add_port(self, p: HostPort, holder: str) -> None:
        self.ports.setdefault((p.protocol or "TCP", p.port), []).append((p.host_ip or "", holder))

    def port_conflicts(self, wanted: list[HostPort]) -> list[tuple[HostPort, str]]:
        """``HostPortInfo.CheckConflict`` (R3.6.3): same protocol and port, same IP or either side 0.0.0.0."""
        out = []
        for w in wanted:
            held = self.ports.get((w.protocol or "TCP", w.port))
            if not held:
                continue
            wip = "" if w.host_ip in ("", "0.0.0.0") else w.host_ip
            for ip, holder in held:
                hip = "" if ip in ("", "0.0.0.0") else ip
                if not wip or not hip or wip == hip:
                    out.append((w, holder))
                    break
        return out

    def book(self, workload, requests: dict[str, int], ports: list[HostPort], critical: bool) -> None:
        for k, v in requests.items():
            self.requested[k] = self.requested.get(k, 0) + v
        self.pods += 1
        if critical:
            for k, v in requests.items():
                self.crit_requested[k] = self.crit_requested.get(k, 0) + v
            self.crit_pods += 1
        for p in ports:
            self.add_port(p, f"{workload.kind} {workload.namespace}/{workload.name}")
        self.booked.append(workload)

    def copy(self) -> Booking:
        return Booking(dict(self.requested), self.pods, dict(self.crit_requested), self.crit_pods,
                       {k: list(v) for k, v in self.ports.items()}, list(self.booked))


def _resource_order(name: str) -> tuple[int, str]:
    return ({"cpu": 0, "memory": 1, "ephemeral-storage": 2}.get(name, 3), name)


def resource_shortfalls(requests: dict[str, int], allocatable: dict[str, int], used: dict[str, int],
                        pods_used: int, *, kubelet: bool = False) -> tuple[bool, tuple[str, ...]]:
    """``fitsRequest`` (R3.7): is the pod count exhausted (every pod counts), and which requested resources
    exceed allocatable minus what is booked (equality fits; an unadvertised resource has allocatable 0).
    ``kubelet`` drops extended resources the node does not advertise first (R4.2.2)."""
    cap = allocatable.get("pods")
    pods_full = cap is not None and pods_used + 1 > cap
    if not requests:
        return pods_full, ()
    short = []
    for name, want in requests.items():
        if kubelet and name not in allocatable and is_extended_resource(name):
            continue
        if want > allocatable.get(name, 0) - used.get(name, 0):
            short.append(name)
    return pods_full, tuple(sorted(short, key=_resource_order))


def describe_shortfalls(requests: dict[str, int], allocatable: dict[str, int], pods_full: bool,
                        short: tuple[str, ...], note: str = "") -> list[Reason]:
    """Reasons for a shortfall.  The text depends only on the request and the allocatable, not on what is
    booked, so identical verdicts are shared between nodes (the booking table shows what is booked)."""
    out: list[Reason] = []
    if pods_full:
        out.append(Reason("too-many-pods", f"all {allocatable.get('pods')} pods the node allows are booked"
                          + note))
    extended: list[str] = []
    for name in short:
        want = format_quantity(name, requests[name])
        if name not in allocatable:
            text = f"requests {want} {name}, which the node does not advertise"
        elif requests[name] > allocatable[name]:
            text = f"requests {want} {name}, more than the {format_quantity(name, allocatable[name])} allocatable"
        else:
            text = (f"requests {want} {name}; not enough is left of the {format_quantity(name, allocatable[name])}"
                    " allocatable after the pods booked before it")
        code = _NAMED.get(name)
        if code:
            out.append(Reason(code, text + note))
        else:
            extended.append(text)
    if extended:
        out.append(Reason("insufficient-resource", "; ".join(extended) + note))
    return out


def resource_reasons(requests: dict[str, int], allocatable: dict[str, int] | None, used: dict[str, int],
                     pods_used: int, *, kubelet: bool = False, evictable_note: str = "") -> list[Reason]:
    """The resource reasons of R3.7 / R4.2.2; a node without allocatable is not checked (SPEC §5)."""
    if allocatable is None:
        return []
    pods_full, short = resource_shortfalls(requests, allocatable, used, pods_used, kubelet=kubelet)
    if not pods_full and not short:
        return []
    return describe_shortfalls(requests, allocatable, pods_full, short, evictable_note)


def port_reasons(booking: Booking, wanted: list[HostPort]) -> list[Reason]:
    clashes = booking.port_conflicts(wanted)
    if not clashes:
        return []
    return [Reason("host-port-conflict", "; ".join(f"host port {describe_port(p)} is held by {holder}"
                                                  for p, holder in clashes))]
