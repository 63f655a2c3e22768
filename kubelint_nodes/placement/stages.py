"""The stages each kind of workload goes through on one node (SPEC §6, reference H1).

A workload that does not run gets every failing check of the first stage that fails.  Each function takes
a compiled workload and a :class:`NodeView` (one node, or the representative of a group of identical
nodes) with its current :class:`~.fit.Booking`, and returns a :class:`~.codes.Verdict`; booking is the
engine's job.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from ..inventory.model import (
    NO_SCHEDULE,
    TAINT_MEMORY_PRESSURE,
    TAINT_UNSCHEDULABLE,
    HostPort,
    Node,
    StaticPodAssignment,
    Taint,
    pressure_conditions,
)
from ..model.apirefs import api_references
from . import codes as C
from .codes import Reason, Verdict, sort_reasons
from .fit import Booking, describe_shortfalls, port_reasons, resource_reasons, resource_shortfalls
from .requests import host_ports, is_best_effort, pod_requests
from .selectors import NodeSelection, compile_selection
from .taints import (
    EFFECTS_EXECUTE,
    EFFECTS_SCHEDULE,
    Toleration,
    daemonset_tolerations,
    default_toleration_seconds,
    tolerates,
    tolerations_of,
    untolerated,
)
from .workload import KIND_DAEMONSET, KIND_POD, KIND_STATIC, Workload

_MEMORY_PRESSURE_TAINT = Taint(TAINT_MEMORY_PRESSURE, "", NO_SCHEDULE)
_UNSCHEDULABLE_TAINT = Taint(TAINT_UNSCHEDULABLE, "", NO_SCHEDULE)


@dataclass
class Compiled:
    """Everything about a workload the per-node checks need, computed once."""

    workload: Workload
    selection: NodeSelection
    node_name: str | None
    tolerations: list[Toleration]
    tol_key: tuple
    requests: dict[str, int]
    request_items: tuple[tuple[str, int], ...]
    ports: list[HostPort]
    critical: bool
    best_effort: bool
    tolerates_memory_pressure: bool
    tolerates_unschedulable: bool
    api_refs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fit_cache: dict = field(default_factory=dict)  # (allocatable, shortfall) → shared fit-stage verdict

    @property
    def kind(self) -> str:
        return self.workload.kind

    @property
    def name_sensitive(self) -> bool:
        return self.node_name is not None or self.selection.name_sensitive


def compile_workload(w: Workload, *, api_reference_check: bool = True) -> Compiled:
    spec = w.spec if isinstance(w.spec, dict) else {}
    tols = tolerations_of(spec)
    if w.kind == KIND_DAEMONSET:
        tols = tols + daemonset_tolerations(spec.get("hostNetwork") is True)  # R2.2
    elif w.kind == KIND_POD:
        tols = tols + default_toleration_seconds(tols)  # SPEC §6: DefaultTolerationSeconds assumed
    problems: list[str] = []
    reqs = pod_requests(spec, problems)
    return Compiled(
        workload=w,
        selection=compile_selection(spec),
        node_name=w.node_name,
        tolerations=tols,
        tol_key=tuple(tols),
        requests=reqs,
        request_items=tuple(reqs.items()),
        ports=host_ports(spec),
        critical=w.critical,
        best_effort=is_best_effort(spec),
        tolerates_memory_pressure=any(tolerates(t, _MEMORY_PRESSURE_TAINT) for t in tols),
        tolerates_unschedulable=any(tolerates(t, _UNSCHEDULABLE_TAINT) for t in tols),
        api_refs=[r.listing for r in api_references(spec)] if (w.kind == KIND_STATIC and api_reference_check) else [],
        problems=problems,
    )


@dataclass
class NodeView:
    """The inputs of the checks for one node or group: the representative node plus its booking."""

    node: Node
    booking: Booking
    taints: tuple[Taint, ...]
    taint_id: int  # interned id of ``taints`` for the toleration cache
    pressure: frozenset[str]
    alloc_key: tuple | None = None

    @classmethod
    def of(cls, node: Node, taint_id: int = 0) -> NodeView:
        alloc = node.allocatable
        return cls(node, Booking.from_node(node), tuple(node.taints), taint_id,
                   frozenset(pressure_conditions(node.conditions)),
                   None if alloc is None else tuple(sorted(alloc.items())))


class TaintCache:
    """Untolerated taints per (tolerations, node taints, effects): few distinct combinations in a fleet."""

    def __init__(self) -> None:
        self._cache: dict[tuple, list[Taint]] = {}

    def untolerated(self, cw: Compiled, view: NodeView, effects: tuple[str, ...]) -> list[Taint]:
        if not view.taints:
            return []
        key = (cw.tol_key, view.taint_id, effects)
        hit = self._cache.get(key)
        if hit is None:
            hit = untolerated(view.taints, cw.tolerations, effects)
            self._cache[key] = hit
        return hit


# --- shared checks ---------------------------------------------------------------------------------------

def _name_reason(cw: Compiled, node: Node) -> Reason | None:
    if cw.node_name is not None and cw.node_name != node.name:
        return Reason("node-name-mismatch", f"spec.nodeName is {cw.node_name!r}")
    return None


def _selection_reasons(cw: Compiled, node: Node) -> list[Reason]:
    """R1.4: nodeSelector first, then required affinity; both must hold."""
    out = []
    sel = cw.selection
    if sel.selector and sel.selector_failures(node.labels):
        out.append(Reason("node-selector-mismatch", sel.selector_detail(node.labels)))
    if sel.terms is not None and not sel.affinity_matches(node.labels, node.name):
        out.append(Reason("node-affinity-mismatch", sel.affinity_detail(node.labels, node.name)))
    return out


def _taint_reason(taints: list[Taint]) -> Reason:
    return Reason("untolerated-taint", ", ".join(str(t) for t in taints))


def _pressure_reason(cw: Compiled, view: NodeView) -> Reason | None:
    """pkg/kubelet/eviction/eviction_manager.go ``managerImpl.Admit`` (R4.4): critical pods always pass;
    Disk/PID pressure refuses every other pod; Memory pressure alone refuses only BestEffort pods that do
    not tolerate the memory-pressure taint."""
    if not view.pressure or cw.critical:
        return None
    hard = sorted(view.pressure & {"DiskPressure", "PIDPressure"})
    if hard:
        return Reason("node-pressure-admission", f"node reports {' and '.join(hard)}; the kubelet refuses "
                      "non-critical pods (priority below 2000000000)")
    if "MemoryPressure" in view.pressure and cw.best_effort and not cw.tolerates_memory_pressure:
        return Reason("node-pressure-admission", "node reports MemoryPressure; the kubelet refuses BestEffort "
                      "pods that do not tolerate node.kubernetes.io/memory-pressure:NoSchedule")
    return None


def _resources(cw: Compiled, view: NodeView, *, kubelet: bool) -> list[Reason]:
    b = view.booking
    alloc = view.node.allocatable
    if kubelet and cw.critical:
        # R4.3: a critical pod evicts lower-priority non-critical pods, so only critical ones count.
        return resource_reasons(cw.requests, alloc, b.crit_requested, b.crit_pods, kubelet=True,
                                evictable_note=" (after evicting every non-critical pod)")
    return resource_reasons(cw.requests, alloc, b.requested, b.pods, kubelet=kubelet)


def _verdict(targeted: bool, selected: bool, reasons: list[Reason], stage: str) -> Verdict:
    return Verdict(targeted=targeted, runs=False, selected=selected, reasons=sort_reasons(reasons), stage=stage)


def _kubelet_admission(cw: Compiled, view: NodeView, taints: TaintCache, *, check_taints: bool) -> list[Reason]:
    """pkg/kubelet/lifecycle/predicate.go ``generalFilter`` (R4.2): resources, selector/affinity, name,
    host ports, NoExecute taints (not for static pods), plus node-pressure admission (R4.4).  All failures
    are collected."""
    node = view.node
    out = _resources(cw, view, kubelet=True)
    out += _selection_reasons(cw, node)
    r = _name_reason(cw, node)
    if r:
        out.append(r)
    out += port_reasons(view.booking, cw.ports)
    if check_taints:
        bad = taints.untolerated(cw, view, EFFECTS_EXECUTE)
        if bad:
            out.append(_taint_reason(bad))
    if cw.kind != KIND_STATIC:
        p = _pressure_reason(cw, view)
        if p:
            out.append(p)
    return out


# --- per kind --------------------------------------------------------------------------------------------

def daemonset_gate(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict | None:
    """The DaemonSet controller's "should run" (R2.3, R2.4): nodeName, nodeSelector, required affinity and
    every NoSchedule/NoExecute taint against the template's tolerations plus those of R2.2.  None: the node
    is targeted.  Depends only on the node's name, labels and taints, so the engine memoises it."""
    node = view.node
    reasons: list[Reason] = []
    r = _name_reason(cw, node)
    if r:
        reasons.append(r)
    sel = _selection_reasons(cw, node)
    reasons += sel
    bad = taints.untolerated(cw, view, EFFECTS_SCHEDULE)
    if bad:
        reasons.append(_taint_reason(bad))
    if reasons:
        return _verdict(False, r is None and not sel, reasons, C.STAGE_CONTROLLER)
    return None


def _fits_quickly(cw: Compiled, view: NodeView) -> bool:
    """The common case, without building any reason: no pressure, no port, everything fits."""
    if view.pressure or (cw.ports and view.booking.ports):
        return False
    alloc = view.node.allocatable
    if alloc is None:
        return True
    b = view.booking
    cap = alloc.get("pods")
    if cap is not None and b.pods >= cap:
        return False
    used = b.requested
    for name, want in cw.request_items:
        if want > alloc.get(name, 0) - used.get(name, 0):
            return False
    return True


def _fit_stage(cw: Compiled, view: NodeView) -> Verdict | None:
    """Scheduler fit: NodePorts (R3.6) and NodeResourcesFit (R3.7).  Resource-only failures are shared
    between nodes with the same allocatable and shortfall."""
    ports = port_reasons(view.booking, cw.ports) if cw.ports else []
    alloc = view.node.allocatable
    pods_full, short = False, ()
    if alloc is not None:
        b = view.booking
        pods_full, short = resource_shortfalls(cw.requests, alloc, b.requested, b.pods)
    if not ports and not pods_full and not short:
        return None
    if ports:
        return _verdict(True, True, ports + describe_shortfalls(cw.requests, alloc or {}, pods_full, short),
                        C.STAGE_FIT)
    key = (view.alloc_key, pods_full, short)
    v = cw.fit_cache.get(key)
    if v is None:
        v = _verdict(True, True, describe_shortfalls(cw.requests, alloc or {}, pods_full, short), C.STAGE_FIT)
        cw.fit_cache[key] = v
    return v


def daemonset_after(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict:
    """A targeted node: scheduler fit (R3.6, R3.7) then kubelet pressure admission (R2.7, R4.4); with a
    template nodeName, kubelet admission replaces the scheduler (R2.9)."""
    if cw.node_name is not None:
        reasons = _kubelet_admission(cw, view, taints, check_taints=True)
        return _verdict(True, True, reasons, C.STAGE_KUBELET) if reasons else _runs_maybe_evicting(cw, view)
    return _fit_then_pressure(cw, view)


def evaluate_daemonset(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict:
    """DaemonSet: controller → scheduler fit → kubelet pressure admission (SPEC §6)."""
    return daemonset_gate(cw, view, taints) or daemonset_after(cw, view, taints)


def pinned_gate(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict | None:
    """Pod with nodeName: only the named node is targeted (R4.1)."""
    r = _name_reason(cw, view.node)
    return _verdict(False, False, [r], C.STAGE_NODE_NAME) if r else None


def pinned_after(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict:
    """Kubelet admission (R4.2–R4.4); cordons and NoSchedule taints do not apply to a pod with nodeName."""
    reasons = _kubelet_admission(cw, view, taints, check_taints=True)
    if not reasons:
        return _runs_maybe_evicting(cw, view)
    selected = not any(x.code in ("node-selector-mismatch", "node-affinity-mismatch") for x in reasons)
    return _verdict(True, selected, reasons, C.STAGE_KUBELET)


def evaluate_pinned_pod(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict:
    return pinned_gate(cw, view, taints) or pinned_after(cw, view, taints)


def pod_gate(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict | None:
    """Pod without nodeName, scheduler filters: NodeUnschedulable (R3.2), TaintToleration (R3.4),
    NodeAffinity (R3.5).  Any failure here also means "not targeted" (SPEC §6)."""
    node = view.node
    reasons: list[Reason] = []
    if node.unschedulable and not cw.tolerates_unschedulable:
        reasons.append(_UNSCHEDULABLE_REASON)
    bad = taints.untolerated(cw, view, EFFECTS_SCHEDULE)
    if bad:
        reasons.append(_taint_reason(bad))
    sel = _selection_reasons(cw, node)
    reasons += sel
    return _verdict(False, not sel, reasons, C.STAGE_SCHEDULER_FILTERS) if reasons else None


def pod_after(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict:
    """Fit (R3.6 NodePorts, R3.7 NodeResourcesFit), then kubelet pressure admission (R4.4)."""
    return _fit_then_pressure(cw, view)


def _fit_then_pressure(cw: Compiled, view: NodeView) -> Verdict:
    """The scheduler's fit stage, then the kubelet's node-pressure admission: shared by DaemonSet and Pod."""
    if _fits_quickly(cw, view):
        return _RUNS
    v = _fit_stage(cw, view)
    if v is not None:
        return v
    p = _pressure_reason(cw, view)
    if p:
        return _verdict(True, True, [p], C.STAGE_KUBELET)
    return _RUNS


def evaluate_pod(cw: Compiled, view: NodeView, taints: TaintCache) -> Verdict:
    return pod_gate(cw, view, taints) or pod_after(cw, view, taints)


_UNSCHEDULABLE_REASON = Reason("node-unschedulable", "node is cordoned (spec.unschedulable) and the pod does "
                               "not tolerate node.kubernetes.io/unschedulable:NoSchedule")


def static_path_reason(assignment: StaticPodAssignment, node: Node) -> Reason | None:
    """Does the node's kubelet read the file the manifest lands at?  (R5.1, R5.2; SPEC §5)

    staticPodPath is a directory (read non-recursively, dot-files skipped) or a single file.  A node with no
    kubelet config at all is assumed to read ``staticPods.path``.
    """
    kubelet = node.kubelet
    if not kubelet.present:
        return None
    spp = kubelet.static_pod_path
    where = f" (kubelet config {kubelet.source})" if kubelet.source else ""
    if not spp:
        return Reason("static-pods-disabled", f"the node's kubelet config sets no staticPodPath{where}, "
                      "so it reads no static pod manifests")
    landed = posixpath.normpath(assignment.landed_path)
    spp_n = posixpath.normpath(spp)
    base = posixpath.basename(landed)
    directory = posixpath.dirname(landed)
    if landed == spp_n:
        return None  # staticPodPath names this very file
    if directory == spp_n:
        if base.startswith("."):
            return Reason("not-in-static-pod-path", f"{landed} is a dot-file, which the kubelet skips in "
                          f"staticPodPath {spp}")
        return None
    if directory.startswith(spp_n.rstrip("/") + "/"):
        return Reason("not-in-static-pod-path", f"{landed} is in a subdirectory of staticPodPath {spp}; "
                      "the kubelet does not read subdirectories")
    return Reason("not-in-static-pod-path", f"lands at {landed} but the kubelet reads staticPodPath {spp}{where}")


def evaluate_static(cw: Compiled, view: NodeView, assignment: StaticPodAssignment,
                    superseded_by: str | None) -> Verdict:
    """Static pod: staticPodPath and file selection → API-object references (R5.4) → kubelet admission
    without taints or pressure (R5.5), resources judged as a critical pod (R4.3)."""
    node = view.node
    sel = not _selection_reasons(cw, node)
    r = static_path_reason(assignment, node)
    if r:
        return _verdict(True, sel, [r], C.STAGE_STATIC_PATH)
    if cw.api_refs:
        return _verdict(True, sel, [Reason("static-pod-api-reference", "the kubelet refuses a static pod "
                                           "that references API objects: " + "; ".join(cw.api_refs))],
                        C.STAGE_API_REFS)
    if superseded_by:
        return _verdict(True, sel, [Reason("not-in-static-pod-path", "another file in the directory defines "
                                           f"the same namespace/name and is kept instead: {superseded_by}")],
                        C.STAGE_STATIC_PATH)
    reasons = _kubelet_admission(cw, view, _NO_TAINTS, check_taints=False)
    return _verdict(True, sel, reasons, C.STAGE_KUBELET) if reasons else _runs_maybe_evicting(cw, view)


def _runs_maybe_evicting(cw: Compiled, view: NodeView) -> Verdict:
    """A critical pod admitted by the kubelet: does it only fit once non-critical pods are evicted?"""
    if cw.critical and _resources(cw, view, kubelet=False):
        return _RUNS_EVICTING
    return _RUNS


_RUNS = Verdict(targeted=True, runs=True, selected=True)
RUNS = _RUNS
_NO_TAINTS = TaintCache()
_RUNS_EVICTING = Verdict(targeted=True, runs=True, selected=True, evicts=True)

EVALUATORS = {KIND_DAEMONSET: evaluate_daemonset, KIND_POD: evaluate_pod}
