"""The placement engine: every workload against every node, with SPEC §6's booking order.

Scale comes from grouping: nodes that agree on everything placement reads (labels other than the hostname,
taints, cordon, conditions, allocatable, existing usage, kubelet config, static pod assignments) are
evaluated once.  Workloads that look at the node's name (``nodeName``, the hostname label, ``matchFields``)
split a group further by how each of them sees each member, so results stay exact.

Groups are what reports show (identical nodes).  Evaluation goes one step further: groups that differ only
in labels no workload of the run reads (a rack or zone label nobody selects on) see every check the same
way, so one of them is evaluated and its verdicts and booking are shared with the others ("twins").  A
fleet of 5,000 distinct nodes then costs what its few placement-relevant kinds of node cost.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..inventory.model import LABEL_HOSTNAME, Inventory, Node, StaticPodAssignment
from .codes import STAGE_KUBELET, Verdict
from .selectors import Term
from .stages import (
    RUNS,
    Compiled,
    NodeView,
    TaintCache,
    compile_workload,
    daemonset_after,
    daemonset_gate,
    evaluate_static,
    pinned_after,
    pinned_gate,
    pod_after,
    pod_gate,
    static_path_reason,
)
from .workload import KIND_DAEMONSET, KIND_POD, KIND_STATIC, Workload

DEFAULT_KUBERNETES_VERSION = (1, 36)

A_UNBOOKED = "Pods without nodeName are not booked on any node"
A_TEMPLATES = ("Pod templates of Deployments, StatefulSets, ReplicaSets, Jobs, CronJobs and "
               "ReplicationControllers are not placed")
A_NOT_EVALUATED = ("Not evaluated: LimitRange defaults, RuntimeClass overhead not written in spec.overhead, "
                   "admission webhooks, scheduler profiles, inter-pod affinity, topology spread, volumes")
A_TOLERATION_SECONDS = ("Pods carry the not-ready/unreachable NoExecute tolerations that the "
                        "DefaultTolerationSeconds admission plugin adds")
A_PARTIAL = ("Not whole-repository mode: resources and host ports are booked from each node's existing usage "
             "and the workloads of this run only")
A_EVICTION = ("Critical pods (static pods, priority >= 2000000000) are admitted by the kubelet by evicting "
              "non-critical pods; the requests of the pods they evict are still counted in requested")
A_OLD_API_REFS = ("Before v1.34 the kubelet runs static pods that reference API objects (their mirror pods are "
                  "refused), so such references are not reported as placement failures")


@dataclass
class Group:
    """Nodes that placement cannot tell apart; ``view`` is evaluated for all of them."""

    index: int
    members: list[Node]
    view: NodeView
    static: list[tuple[StaticPodAssignment, Workload]] = field(default_factory=list)
    superseded: dict[int, str] = field(default_factory=dict)  # id(workload) → the file that wins
    gate_key: tuple = ()  # (taint set id, cordoned): what the first stage reads besides labels and name

    @property
    def representative(self) -> Node:
        return self.members[0]


@dataclass
class PlacementResult:
    nodes: list[Node]  # sorted by name
    workloads: list[Workload]  # sorted by (file, line, kind, namespace, name)
    groups: list[Group]
    group_of: dict[str, Group]
    verdicts: dict[int, list[Verdict | None]]  # id(workload) → per group (None: not placed there)
    compiled: dict[int, Compiled]
    assumptions: list[str]
    whole_repository: bool = True
    # group index → index of the group evaluated for it (itself, or a twin with the same verdicts and
    # booking); empty means every group was evaluated on its own
    twin_of: list[int] = field(default_factory=list)

    def distinct_groups(self) -> list[tuple[Group, int]]:
        """One group per set of twins, with the number of nodes of the set: enough to summarise verdicts."""
        if not self.twin_of:
            return [(g, len(g.members)) for g in self.groups]
        sizes: dict[int, int] = {}
        for g, t in zip(self.groups, self.twin_of, strict=True):
            sizes[t] = sizes.get(t, 0) + len(g.members)
        return [(self.groups[t], n) for t, n in sizes.items()]

    def verdict(self, workload: Workload, node: str | Node) -> Verdict | None:
        name = node if isinstance(node, str) else node.name
        g = self.group_of.get(name)
        return None if g is None else self.verdicts[id(workload)][g.index]

    def placements(self, workload: Workload) -> Iterable[tuple[Node, Verdict]]:
        """(node, verdict) by node name; static pods only on the nodes they are assigned to."""
        per_group = self.verdicts[id(workload)]
        group_of = self.group_of
        for n in self.nodes:
            v = per_group[group_of[n.name].index]
            if v is not None:
                yield n, v

    def group_placements(self, workload: Workload) -> Iterable[tuple[Group, Verdict]]:
        for g, v in zip(self.groups, self.verdicts[id(workload)], strict=True):
            if v is not None:
                yield g, v

    def booked(self, node: str | Node) -> list[Workload]:
        g = self.group_of[node if isinstance(node, str) else node.name]
        return list(g.view.booking.booked)

    def requested(self, node: str | Node) -> dict[str, int]:
        """Existing usage plus everything booked; always has cpu, memory and pods (SPEC §6)."""
        g = self.group_of[node if isinstance(node, str) else node.name]
        b = g.view.booking
        out = {k: v for k, v in b.requested.items() if v}
        out.setdefault("cpu", 0)
        out.setdefault("memory", 0)
        out["pods"] = b.pods
        return dict(sorted(out.items()))

    def demand(self, node: str | Node) -> dict[str, int]:
        """What everything that would run on the node asks for, booked or not (``node-overcommitted``):
        the existing usage, static pods the kubelet reads, Pods pinned to it and DaemonSets that target it.
        Always has cpu, memory and pods."""
        g = self.group_of[node if isinstance(node, str) else node.name]
        rep = g.representative
        out = dict(rep.existing.requests)
        pods = rep.existing.pods
        for w in self.workloads:
            v = self.verdicts[id(w)][g.index]
            if v is None or (w.kind == KIND_POD and w.node_name is None):
                continue
            counts = (v.runs or v.stage == STAGE_KUBELET) if w.kind == KIND_STATIC else v.targeted
            if counts:
                for k, q in self.compiled[id(w)].requests.items():
                    out[k] = out.get(k, 0) + q
                pods += 1
        out = {k: v for k, v in out.items() if v}
        out.setdefault("cpu", 0)
        out.setdefault("memory", 0)
        out["pods"] = pods
        return dict(sorted(out.items()))

    def runs_anywhere(self, workload: Workload) -> bool:
        return any(v.runs for _, v in self.group_placements(workload))

    def runs_nowhere(self) -> list[Workload]:
        """Workloads that make ``place`` exit 1 (SPEC §3): a DaemonSet, static pod or pinned Pod running on no
        node, or a Pod feasible on no node."""
        return [w for w in self.workloads if not self.runs_anywhere(w)]


def _node_key(node: Node, memo: dict[int, tuple]) -> tuple:
    """Everything placement reads from a node except its name and hostname label.  Pool members share the
    taint list, allocatable, usage and kubelet objects, so those parts are memoised by identity (the nodes
    outlive the call, so identities are stable)."""
    rest_labels = node.labels.copy()
    rest_labels.pop(LABEL_HOSTNAME, None)
    labels = frozenset(rest_labels.items())
    shared = (id(node.taints), id(node.conditions), id(node.allocatable), id(node.existing), id(node.kubelet),
              id(node.static_pods))
    rest = memo.get(shared)
    if rest is None:
        e = node.existing
        k = node.kubelet
        rest = (
            tuple(node.taints),
            tuple(sorted((c.type, c.status) for c in node.conditions)),
            None if node.allocatable is None else tuple(sorted(node.allocatable.items())),
            tuple(sorted(e.requests.items())), e.pods, tuple(e.host_ports),
            (k.present, k.static_pod_path, k.max_pods, k.source),
            tuple((a.manifest, a.directory) for a in node.static_pods),
        )
        memo[shared] = rest
    return (labels, node.unschedulable, rest)


def _name_parts(cw: Compiled) -> tuple[tuple[tuple[str, str], ...], tuple[Term, ...]]:
    """The parts of a name-sensitive selection that read the node's name: nodeSelector entries on the
    hostname label, and each affinity requirement on the hostname label or on a field (one-requirement
    terms, so each can be matched alone)."""
    sel = cw.selection
    entries = tuple((k, v) for k, v in sel.selector if k == LABEL_HOSTNAME)
    reqs = tuple(Term((r,)) for t in (sel.terms or ()) if not t.error for r in t.requirements
                 if r[0] or r[1] == LABEL_HOSTNAME)
    return entries, reqs


def _name_signature(pinned: frozenset[str], by_selection: list[tuple], node: Node) -> tuple:
    """How the name-dependent workloads see this node; members of a group must agree on it.  Within a group
    the labels differ only by hostname, so the outcome of every name-reading part of each selection fixes
    the verdict and its detail text (which lists the failing requirements)."""
    labels, name = node.labels, node.name
    return (name if name in pinned else None,
            tuple([(tuple([labels.get(k) == v for k, v in entries]),
                    tuple([t.matches(labels, name) for t in reqs])) for entries, reqs in by_selection]))


def booking_key(w: Workload) -> tuple:
    """Sort key of SPEC §6's booking order after the existing usage: static pods by file path, Pods with
    nodeName by namespace/name, DaemonSets by descending priority then namespace/name.

    Public because findings that name who took a node's room first (``host-port-conflict``) must rank the
    workloads exactly as the engine booked them."""
    if w.kind == KIND_STATIC:
        return (0, 0, w.file, w.namespace, w.name)
    if w.kind == KIND_POD:
        return (1, 0, w.namespace, w.name, w.file)
    return (2, -w.priority, w.namespace, w.name, w.file)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: placement allocates millions of small acyclic objects, and the
    collector's repeated scans of everything alive would make large fleets cost more than linear time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def place(inventory: Inventory, workloads: Sequence[Workload], *,
          static_pods: Mapping[str, Workload | None] | None = None,
          whole_repository: bool = True,
          kubernetes_version: tuple[int, int] = DEFAULT_KUBERNETES_VERSION) -> PlacementResult:
    """Predict every workload on every node.

    ``workloads``: DaemonSets, Pods and StaticPods of the run.  ``static_pods`` maps each
    ``StaticPodAssignment.manifest`` string of the inventory to the static pod read from that file (its first
    document), or None when it is not a Pod; those workloads are placed on the nodes they are assigned to.
    """
    with gc_paused():
        return _place(inventory, workloads, static_pods=static_pods, whole_repository=whole_repository,
                      kubernetes_version=kubernetes_version)


def _place(inventory: Inventory, workloads: Sequence[Workload], *,
           static_pods: Mapping[str, Workload | None] | None,
           whole_repository: bool, kubernetes_version: tuple[int, int]) -> PlacementResult:
    static_pods = dict(static_pods or {})
    api_check = kubernetes_version >= (1, 34)
    assumptions: set[str] = {A_UNBOOKED, A_TEMPLATES, A_NOT_EVALUATED, A_TOLERATION_SECONDS}
    assumptions.update(inventory.assumptions)
    if not whole_repository:
        assumptions.add(A_PARTIAL)

    # The workload list: the run's workloads plus the static pods the inventory assigns (once each).
    all_w: list[Workload] = []
    seen: set[int] = set()
    by_file: dict[str, Workload] = {}
    for w in workloads:
        if id(w) not in seen and w.kind in (KIND_DAEMONSET, KIND_POD, KIND_STATIC):
            seen.add(id(w))
            all_w.append(w)
            if w.kind == KIND_STATIC:
                by_file.setdefault(w.file, w)
    resolved: dict[str, Workload] = {}
    for manifest, w in sorted(static_pods.items()):
        if w is None:
            assumptions.add(f"Static pod manifest {manifest} is not a Pod; it is not placed")
            continue
        w = by_file.get(w.file, w)
        resolved[manifest] = w
        if id(w) not in seen:
            seen.add(id(w))
            all_w.append(w)
    all_w.sort(key=lambda w: w.key)

    compiled = {id(w): compile_workload(w, api_reference_check=api_check) for w in all_w}
    for w in all_w:
        for note in w.notes + compiled[id(w)].problems:
            assumptions.add(f"{w.kind} {w.namespace}/{w.name}: {note}")
    if not api_check and any(cw.kind == KIND_STATIC for cw in compiled.values()):
        assumptions.add(A_OLD_API_REFS)

    # Group the nodes.
    nodes = sorted(inventory.nodes, key=lambda n: n.name)
    pinned = frozenset(cw.node_name for cw in compiled.values() if cw.node_name is not None)
    by_selection = [_name_parts(cw) for cw in compiled.values() if cw.selection.name_sensitive]
    taint_ids: dict[tuple, int] = {}
    buckets: dict[tuple, list[Node]] = {}
    key_memo: dict[int, tuple] = {}
    for n in nodes:
        key = _node_key(n, key_memo)
        if pinned or by_selection:
            key = (key, _name_signature(pinned, by_selection, n))
        buckets.setdefault(key, []).append(n)
    groups: list[Group] = []
    group_of: dict[str, Group] = {}
    # Twins: the group key with the labels narrowed to the keys some workload reads.  The hostname label is
    # left out: the name signature in the key already says how each name-reading selection sees the node.
    read_keys = sorted({k for cw in compiled.values() for k in cw.selection.label_keys} - {LABEL_HOSTNAME})
    first_twin: dict[tuple, Group] = {}
    twin_of: list[int] = []
    for key, members in buckets.items():
        rep = members[0]
        tid = taint_ids.setdefault(tuple(rep.taints), len(taint_ids))
        g = Group(len(groups), members, NodeView.of(rep, tid), gate_key=(tid, rep.unschedulable))
        labels = rep.labels
        twin_key = (tuple([labels.get(k) for k in read_keys]), key[1:] if not (pinned or by_selection)
                    else (key[0][1:], key[1]))
        twin = first_twin.setdefault(twin_key, g)
        if twin is not g:
            g.view.booking = twin.view.booking  # one booking, booked once for all twins
        twin_of.append(twin.index)
        groups.append(g)
        for m in members:
            group_of[m.name] = g
    evaluated = [g for g in groups if twin_of[g.index] == g.index]
    position = {g.index: i for i, g in enumerate(evaluated)}
    twin_pos = [position[t] for t in twin_of]  # group index → position of its twin in ``evaluated``
    if len(evaluated) == len(groups):
        twin_of = []

    _assign_static(groups, resolved, compiled, assumptions)

    # Evaluate in booking order; Pods without nodeName last, against the final booking.
    order = sorted((w for w in all_w if not (w.kind == KIND_POD and w.node_name is None)), key=booking_key)
    order += [w for w in all_w if w.kind == KIND_POD and w.node_name is None]
    taints = TaintCache()
    interned: dict[Verdict, Verdict] = {}
    known: set[int] = set()
    verdicts: dict[int, list[Verdict | None]] = {}
    evicted = False
    for w in order:
        cw = compiled[id(w)]
        per_group: list[Verdict | None]
        if w.kind == KIND_STATIC:
            per_group = []
            for g in evaluated:
                a = next((a for a, sw in g.static if sw is w), None)
                v = None if a is None else evaluate_static(cw, g.view, a, g.superseded.get(id(w)))
                if v is not None:
                    v = interned.setdefault(v, v)
                    if v.runs:
                        g.view.booking.book(w, cw.requests, cw.ports, True)
                        evicted = evicted or v.evicts
                per_group.append(v)
        else:
            if w.kind == KIND_DAEMONSET:
                gate, after = daemonset_gate, daemonset_after
            elif w.node_name is not None:
                gate, after = pinned_gate, pinned_after
            else:
                gate, after = pod_gate, pod_after
            per_group, ev = _evaluate_groups(cw, evaluated, gate, after, taints, interned, known,
                                             bookable=w.node_name is not None or w.kind == KIND_DAEMONSET)
            evicted = evicted or ev
        if twin_of:
            per_group = list(map(per_group.__getitem__, twin_pos))
        verdicts[id(w)] = per_group
    if evicted:
        assumptions.add(A_EVICTION)

    without_alloc = [n.name for n in nodes if n.allocatable is None]
    if without_alloc:
        shown = ", ".join(without_alloc[:10]) + (f" and {len(without_alloc) - 10} more"
                                                   if len(without_alloc) > 10 else "")
        assumptions.add(f"Nodes without allocatable or capacity are not checked for resources: {shown}")

    return PlacementResult(nodes=nodes, workloads=all_w, groups=groups, group_of=group_of, verdicts=verdicts,
                           compiled=compiled, assumptions=sorted(assumptions), whole_repository=whole_repository,
                           twin_of=twin_of)


def _intern(v: Verdict, interned: dict[Verdict, Verdict], known: set[int]) -> Verdict:
    """One object per distinct verdict (the JSON writer caches its text by identity)."""
    if id(v) in known:
        return v
    v = interned.setdefault(v, v)
    known.add(id(v))
    return v


def _evaluate_groups(cw: Compiled, groups: list[Group], gate, after, taints: TaintCache,
                     interned: dict[Verdict, Verdict], known: set[int],
                     bookable: bool) -> tuple[list[Verdict | None], bool]:
    """One workload on every group, booking it where it runs.

    The first stage (controller / scheduler filters / node name) reads only the node's name, labels, taints
    and cordon, so its outcome is memoised on exactly the inputs it reads: the values of the label keys the
    workload selects on, the taint set, the cordon flag, and the name only when the workload looks at it.
    The common "fits" case of the later stages is checked inline, without building any reason.
    """
    w = cw.workload
    keys = cw.selection.label_keys
    by_name = cw.selection.uses_fields
    pinned = cw.node_name
    simple = not keys and not by_name and pinned is None
    # Inline fast path: the scheduler-fit stages (no template nodeName); pressure is checked below.
    fast = pinned is None
    req_items = cw.request_items
    ports = cw.ports
    port_keys = [(p.protocol or "TCP", p.port) for p in ports]
    holder = f"{w.kind} {w.namespace}/{w.name}"
    critical = cw.critical
    memo: dict[tuple, Verdict | None] = {}
    out: list[Verdict | None] = []
    append = out.append
    evicted = False
    for g in groups:
        view = g.view
        if simple:
            key = g.gate_key
        else:
            node = view.node
            labels = node.labels
            key = (tuple([labels.get(k) for k in keys]), g.gate_key,
                   node.name if by_name else (pinned == node.name if pinned is not None else None))
        try:
            v = memo[key]
        except KeyError:
            v = gate(cw, view, taints)
            if v is not None:
                v = _intern(v, interned, known)
            memo[key] = v
        if v is not None:
            append(v)
            continue
        b = view.booking
        if fast and not view.pressure:
            ok = True
            if port_keys:
                held = b.ports
                for pk in port_keys:
                    if pk in held:
                        ok = False
                        break
            alloc = view.node.allocatable
            if ok and alloc is not None:
                cap = alloc.get("pods")
                if cap is not None and b.pods >= cap:
                    ok = False
                else:
                    used = b.requested
                    for name, want in req_items:
                        if want > alloc.get(name, 0) - used.get(name, 0):
                            ok = False
                            break
            if ok:
                if bookable:
                    used = b.requested
                    for name, want in req_items:
                        used[name] = used.get(name, 0) + want
                    b.pods += 1
                    if critical:
                        crit = b.crit_requested
                        for name, want in req_items:
                            crit[name] = crit.get(name, 0) + want
                        b.crit_pods += 1
                    for p in ports:
                        b.add_port(p, holder)
                    b.booked.append(w)
                append(RUNS)
                continue
        v = after(cw, view, taints)
        if v is not RUNS:
            v = _intern(v, interned, known)
        if bookable and v.runs:
            b.book(w, cw.requests, ports, critical)
            evicted = evicted or v.evicts
        append(v)
    return out, evicted


def _assign_static(groups: list[Group], resolved: Mapping[str, Workload], compiled: Mapping[int, Compiled],
                   assumptions: set[str]) -> None:
    """Attach each group's static pods, and find the ones the kubelet drops as duplicates: pods with the same
    namespace/name read from one directory keep only the file that sorts last (R5.2.7, file.go
    ``replaceStore``)."""
    for g in groups:
        node = g.representative
        seen: set[int] = set()
        for a in node.static_pods:
            w = resolved.get(a.manifest)
            if w is None or id(w) in seen:
                continue
            seen.add(id(w))
            g.static.append((a, w))
        if not node.kubelet.present and g.static:
            assumptions.add("Nodes without a kubelet config are assumed to read static pods from "
                            "staticPods.path")
        readable: dict[tuple[str, str], list[tuple[str, Workload]]] = {}
        for a, w in g.static:
            if static_path_reason(a, node) is None and not compiled[id(w)].api_refs:
                readable.setdefault((w.namespace, w.name), []).append((a.landed_path.encode(), w))
        for entries in readable.values():
            if len(entries) > 1:
                entries.sort(key=lambda e: e[0])  # byte-wise name order
                winner = entries[-1][1]
                for _, w in entries[:-1]:
                    g.superseded[id(w)] = winner.file
