"""The resolved node inventory: plain data shared by the inventory loader and the placement engine.

The loader (``kubelint_nodes.inventory.load``) turns either inventory form of SPEC §5 into these objects
with every default already applied (pool member names, default labels, condition-implied taints, quantities
in base units, kubelet config resolved).  The placement engine only reads them, so they carry no behaviour
beyond a few pure helpers both sides need (the condition → taint map of reference R2.6a).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Well-known taint keys (kubernetes/api core/v1/well_known_taints.go).
TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure"
TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"

NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
TAINT_EFFECTS = (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_OS = "kubernetes.io/os"
LABEL_ARCH = "kubernetes.io/arch"
LABEL_POOL = "kubelint-nodes.io/pool"

#: Where kubeadm writes static pod manifests, and the SPEC §5 default of ``staticPods.path``.
DEFAULT_STATIC_POD_PATH = "/etc/kubernetes/manifests"


@dataclass(frozen=True)
class Location:
    """A place in an input file (1-based line and column), used for ``related`` locations.

    ``path`` is set for a pool or node item of a NodeInventory (``("pools", 2)``): findings about the item
    point at it there, as they point at a Node object of the kubectl form as a whole."""

    file: str
    line: int = 1
    column: int = 1
    path: tuple | None = None


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = NO_SCHEDULE

    def __str__(self) -> str:
        # kubectl's notation: key=value:Effect, or key:Effect for an empty value.
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"


@dataclass(frozen=True)
class Condition:
    type: str
    status: str  # "True" | "False" | "Unknown"


@dataclass(frozen=True)
class HostPort:
    """A host port held on a node.  ``host_ip`` "" means 0.0.0.0 and ``protocol`` defaults to TCP (R3.6.2)."""

    port: int
    protocol: str = "TCP"
    host_ip: str = ""


@dataclass
class ExistingUsage:
    """What pods outside the manifests already hold on the node; booked before anything else (SPEC §6)."""

    requests: dict[str, int] = field(default_factory=dict)  # base units: cpu millicores, bytes, counts
    pods: int = 0
    host_ports: list[HostPort] = field(default_factory=list)


@dataclass
class KubeletInfo:
    """The part of a node's effective kubelet configuration that placement needs.

    ``present`` is False when the inventory gives the node no kubelet config at all: SPEC §5 then assumes the
    kubelet reads ``staticPods.path``.  With a config, an empty/missing ``staticPodPath`` means static pods are
    off (the config-file default is "", reference R6.1).
    """

    present: bool = False
    static_pod_path: str | None = None
    max_pods: int | None = None
    source: str | None = None  # repository path of the KubeletConfiguration (or the inventory, when inline)


@dataclass(frozen=True)
class StaticPodAssignment:
    """One manifest that provisioning writes onto the node: ``manifest`` is the repository path,
    ``directory`` the ``staticPods.path`` it lands in (as ``<directory>/<basename>``)."""

    manifest: str
    directory: str = DEFAULT_STATIC_POD_PATH

    @property
    def landed_path(self) -> str:
        base = self.manifest.replace("\\", "/").rsplit("/", 1)[-1]
        return self.directory.rstrip("/") + "/" + base if self.directory != "/" else "/" + base


@dataclass
class Node:
    """One node with every inventory default resolved.

    ``taints`` already includes the taints implied by ``conditions`` and ``unschedulable`` (computed by the
    loader with :func:`with_implied_taints`).  ``allocatable`` is None when the inventory gives neither
    allocatable nor capacity: such a node is not checked for resources (SPEC §5).
    """

    name: str
    pool: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    unschedulable: bool = False
    conditions: list[Condition] = field(default_factory=list)
    allocatable: dict[str, int] | None = None
    existing: ExistingUsage = field(default_factory=ExistingUsage)
    kubelet: KubeletInfo = field(default_factory=KubeletInfo)
    static_pods: list[StaticPodAssignment] = field(default_factory=list)
    source: Location | None = None  # the pool item or node item that defines the node
    notes: list[str] = field(default_factory=list)

    def condition(self, type_: str) -> str | None:
        for c in self.conditions:
            if c.type == type_:
                return c.status
        return None


@dataclass
class Inventory:
    nodes: list[Node] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    source: str | None = None  # the inventory file as given on the command line
    name: str | None = None  # metadata.name of a NodeInventory
    # Absolute (kubeletConfig file, kubeletConfigDir or None) pairs the inventory names, in file order: the
    # kubelet rules lint them as chains even when the run does not include them.
    kubelet_sources: list[tuple[str, str | None]] = field(default_factory=list)


# --- R2.6a: node conditions → taints ------------------------------------------------------------------------

# kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go nodeConditionToTaintKeyStatusMap
# (NoSchedule), plus the NoExecute not-ready/unreachable taints of the same controller.
_CONDITION_TAINTS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("Ready", "False"): ((TAINT_NOT_READY, NO_SCHEDULE), (TAINT_NOT_READY, NO_EXECUTE)),
    ("Ready", "Unknown"): ((TAINT_UNREACHABLE, NO_SCHEDULE), (TAINT_UNREACHABLE, NO_EXECUTE)),
    ("MemoryPressure", "True"): ((TAINT_MEMORY_PRESSURE, NO_SCHEDULE),),
    ("DiskPressure", "True"): ((TAINT_DISK_PRESSURE, NO_SCHEDULE),),
    ("PIDPressure", "True"): ((TAINT_PID_PRESSURE, NO_SCHEDULE),),
    ("NetworkUnavailable", "True"): ((TAINT_NETWORK_UNAVAILABLE, NO_SCHEDULE),),
}


def implied_taints(conditions: list[Condition], unschedulable: bool) -> list[Taint]:
    """Taints the node lifecycle controller puts on a node with these conditions (reference R2.6a, SPEC §5).

    A missing Ready condition means Ready (SPEC §5), so it implies nothing.
    """
    out: list[Taint] = []
    for c in conditions:
        for key, effect in _CONDITION_TAINTS.get((c.type, c.status), ()):
            t = Taint(key, "", effect)
            if t not in out:
                out.append(t)
    if unschedulable:
        t = Taint(TAINT_UNSCHEDULABLE, "", NO_SCHEDULE)
        if t not in out:
            out.append(t)
    return out


def with_implied_taints(taints: list[Taint], conditions: list[Condition], unschedulable: bool) -> list[Taint]:
    """The node's taints plus the implied ones it does not already list (same key and effect)."""
    have = {(t.key, t.effect) for t in taints}
    return list(taints) + [t for t in implied_taints(conditions, unschedulable) if (t.key, t.effect) not in have]


def pressure_conditions(conditions: list[Condition]) -> set[str]:
    """The pressure signals the kubelet's eviction manager would see (reference R4.4)."""
    return {c.type for c in conditions
            if c.status == "True" and c.type in ("MemoryPressure", "DiskPressure", "PIDPressure")}
