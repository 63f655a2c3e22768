"""The placement engine: every workload against every node, with SPEC §6's booking order.

Scale comes from grouping: nodes that agree on everything placement reads (labels other than the hostname,
taints, cordon, conditions, allocatable, existing usage, kubelet config, static pod assignments) are
evaluated once.  Workloads that look at the node's name (``nodeName``, the hostname label, ``matchFields``)
split a group further by how each of them sees each member, so results stay exact.

Groups are what reports show (identical nodes).  Evaluation goes one step further: groups that differ only
in labels see every check the same way until a workload reads one of those labels, so one of them is
evaluated and its verdicts and booking are shared with the others ("twins", :class:`_Twins`); a set of
twins splits when a workload reads a label its members disagree on.  A fleet of 5,000 distinct nodes then
costs what its few placement-relevant kinds of node cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..gcpause import gc_paused
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
    # group index → index of the group evaluated for it (itself, or a twin with the same verdicts for every
    # workload and the same booking object); empty means every group was evaluated on its own
    twin_of: list[int] = field(default_factory=list)

    def distinct_groups(self) -> list[tuple[Group, int]]:
        """One group per set of twins, with the number of nodes of the set: enough to summarise verdicts."""
        if not self.twin_of:
            return [(g, len(g.members)) for g in self.groups]
        sizes: dict[int, int] = {}
        for g, t in zip(self.groups, self.twin_of, strict=True):
            sizes[t] = sizes.get(t, 0) + len(g.members)
        return [(self.groups[t], n) for t, n in sizes.items()]

    def _distinct_indices(self) -> list[int]:
        cached = self.__dict__.get("_distinct")
        if cached is None:
            cached = self.__dict__["_distinct"] = [g.index for g, _ in self.distinct_groups()]
        return cached

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
        per_group = self.verdicts[id(workload)]
        for i in self._distinct_indices():
            v = per_group[i]
            if v is not None and v.runs:
                return True
        return False

    def runs_nowhere(self) -> list[Workload]:
        """Workloads that make ``place`` exit 1 (SPEC §3): a DaemonSet, static pod or pinned Pod running on no
        node, or a Pod feasible on no node."""
        return [w for w in self.workloads if not self.runs_anywhere(w)]


def _node_key(node: Node, memo: dict[tuple, tuple]) -> tuple:
    """Everything placement reads from a node except its name and hostname label.  Pool members share the
    taint list, allocatable, usage and kubelet objects, so those parts are memoised by identity (the nodes
    outlive the call, so identities are stable).  Their labels differ only by hostname: the last label set
    seen with the same shared parts is compared first (a C-level dict comparison) before a new one is made."""
    rest_labels = node.labels.copy()
    rest_labels.pop(LABEL_HOSTNAME, None)
    shared = (id(node.taints), id(node.conditions), id(node.allocatable), id(node.existing), id(node.kubelet),
              id(node.static_pods))
    last = memo.get(("labels",) + shared)
    if last is not None and last[0] == rest_labels:
        labels = last[1]
    else:
        labels = frozenset(rest_labels.items())
        memo[("labels",) + shared] = (rest_labels, labels)
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
    key_memo: dict[tuple, tuple] = {}
    for n in nodes:
        key = _node_key(n, key_memo)
        if pinned or by_selection:
            key = (key, _name_signature(pinned, by_selection, n))
        buckets.setdefault(key, []).append(n)
    groups: list[Group] = []
    group_of: dict[str, Group] = {}
    twin_keys: list[tuple] = []  # the group key without the labels: twins until a workload reads them
    for key, members in buckets.items():
        rep = members[0]
        tid = taint_ids.setdefault(tuple(rep.taints), len(taint_ids))
        g = Group(len(groups), members, NodeView.of(rep, tid), gate_key=(tid, rep.unschedulable))
        twin_keys.append(key[1:] if not (pinned or by_selection) else (key[0][1:], key[1]))
        groups.append(g)
        for m in members:
            group_of[m.name] = g
    twins = _Twins(groups, twin_keys)

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
        twins.split(cw.selection.label_keys)
        per_group: list[Verdict | None]
        if w.kind == KIND_STATIC:
            per_group = []
            for g in twins.evaluated():
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
            per_group, ev = _evaluate_groups(cw, twins.slots, gate, after, taints, interned, known,
                                             bookable=w.node_name is not None or w.kind == KIND_DAEMONSET)
            evicted = evicted or ev
        verdicts[id(w)] = twins.expand(per_group)
    if evicted:
        assumptions.add(A_EVICTION)

    without_alloc = [n.name for n in nodes if n.allocatable is None]
    if without_alloc:
        shown = ", ".join(without_alloc[:10]) + (f" and {len(without_alloc) - 10} more"
                                                   if len(without_alloc) > 10 else "")
        assumptions.add(f"Nodes without allocatable or capacity are not checked for resources: {shown}")

    return PlacementResult(nodes=nodes, workloads=all_w, groups=groups, group_of=group_of, verdicts=verdicts,
                           compiled=compiled, assumptions=sorted(assumptions), whole_repository=whole_repository,
                           twin_of=twins.twin_of())


def _intern(v: Verdict, interned: dict[Verdict, Verdict], known: set[int]) -> Verdict:
    """One object per distinct verdict (the JSON writer caches its text by identity)."""
    if id(v) in known:
        return v
    v = interned.setdefault(v, v)
    known.add(id(v))
    return v


class _Twins:
    """Sets of groups evaluated as one: groups that differ only in labels, until a workload reads one of them.

    All groups of a set share one booking and get the same verdicts.  They start as the groups that agree on
    everything but labels (the name signature included); before each workload is evaluated, every set is
    split by the values of the label keys that workload reads (once per distinct key set), and a part that
    splits off takes a copy of the booking, since everything booked so far applies to it as well.  A fleet
    whose nodes differ in a rack label that one late workload selects on is thus evaluated as a handful of
    sets until that workload, not as thousands of groups.
    """

    def __init__(self, groups: list[Group], keys: list[tuple]):
        self.groups = groups
        self.members: list[list[Group]] = []  # per set, its groups; the first is the one evaluated
        self.set_of: list[int] = []  # per group, its set
        first: dict[tuple, int] = {}
        for g, key in zip(groups, keys, strict=True):
            i = first.setdefault(key, len(self.members))
            if i == len(self.members):
                self.members.append([g])
            else:
                self.members[i].append(g)
                g.view.booking = self.members[i][0].view.booking
            self.set_of.append(i)
        self.merged = len(self.members) < len(groups)  # else sets are the groups, in order, for good
        self.slots = [_Slot(m[0]) for m in self.members]
        self._split_by: set[tuple[str, ...]] = set()

    def split(self, label_keys: tuple[str, ...]) -> None:
        """Make every set agree on ``label_keys`` (the hostname label is covered by the name signature)."""
        keys = tuple(k for k in label_keys if k != LABEL_HOSTNAME)
        if not keys or not self.merged or keys in self._split_by:
            return
        self._split_by.add(keys)
        for i in range(len(self.members)):  # parts appended below already agree on ``keys``
            members = self.members[i]
            if len(members) == 1:
                continue
            parts: dict[tuple, list[Group]] = {}
            for g in members:
                labels = g.representative.labels
                parts.setdefault(tuple([labels.get(k) for k in keys]), []).append(g)
            if len(parts) == 1:
                continue
            first, *rest = parts.values()  # ``first`` holds members[0]: it keeps the booking and the slot
            self.members[i] = first
            booking = members[0].view.booking
            for part in rest:
                own = booking.copy()
                j = len(self.members)
                for g in part:
                    g.view.booking = own
                    self.set_of[g.index] = j
                self.members.append(part)
                self.slots.append(_Slot(part[0]))

    def evaluated(self) -> list[Group]:
        return [m[0] for m in self.members]

    def expand(self, per_set: list[Verdict | None]) -> list[Verdict | None]:
        """Per-set verdicts → per-group verdicts."""
        return list(map(per_set.__getitem__, self.set_of)) if self.merged else per_set

    def twin_of(self) -> list[int]:
        if len(self.members) == len(self.groups):
            return []
        return [self.members[i][0].index for i in self.set_of]


class _Slot:
    """One evaluated group as the inner loop reads it: everything fixed for the run, looked up once."""

    __slots__ = ("view", "gate_key", "labels", "name", "booking", "alloc", "cap", "pressure", "alloc_key")

    def __init__(self, g: Group):
        view = g.view
        node = view.node
        self.view = view
        self.gate_key = g.gate_key
        self.labels = node.labels
        self.name = node.name
        self.booking = view.booking
        self.alloc = node.allocatable
        self.cap = None if node.allocatable is None else node.allocatable.get("pods")
        self.pressure = bool(view.pressure)
        self.alloc_key = view.alloc_key


def _evaluate_groups(cw: Compiled, slots: list[_Slot], gate, after, taints: TaintCache,
                     interned: dict[Verdict, Verdict], known: set[int],
                     bookable: bool) -> tuple[list[Verdict | None], bool]:
    """One workload on every group, booking it where it runs.

    The first stage (controller / scheduler filters / node name) reads only the node's name, labels, taints
    and cordon, so its outcome is memoised on exactly the inputs it reads: the values of the label keys the
    workload selects on, the taint set, the cordon flag, and the name only when the workload looks at it.
    The scheduler-fit stage of a workload without a template nodeName is checked inline: "fits" books
    without building anything, and a resource shortfall is memoised on what its verdict depends on (the
    allocatable, whether the pod count is exhausted, which resources are short), so only port conflicts
    and node pressure go through the stage functions on every group.
    """
    w = cw.workload
    keys = cw.selection.label_keys
    by_name = cw.selection.uses_fields
    pinned = cw.node_name
    simple = not keys and not by_name and pinned is None
    fast = pinned is None
    req_items = cw.request_items
    ports = cw.ports
    port_keys = [(p.protocol or "TCP", p.port) for p in ports]
    holder = f"{w.kind} {w.namespace}/{w.name}"
    critical = cw.critical
    memo: dict[tuple, Verdict | None] = {}
    short_memo: dict[tuple, Verdict] = {}
    out: list[Verdict | None] = []
    append = out.append
    evicted = False
    for slot in slots:
        if simple:
            key = slot.gate_key
        else:
            labels = slot.labels
            name = slot.name
            key = (tuple([labels.get(k) for k in keys]), slot.gate_key,
                   name if by_name else (pinned == name if pinned is not None else None))
        try:
            v = memo[key]
        except KeyError:
            v = gate(cw, slot.view, taints)
            if v is not None:
                v = _intern(v, interned, known)
            memo[key] = v
        if v is not None:
            append(v)
            continue
        b = slot.booking
        if fast and not slot.pressure:
            clash = False
            if port_keys:
                held = b.ports
                for pk in port_keys:
                    if pk in held:
                        clash = True
                        break
            if not clash:
                alloc = slot.alloc
                ok = True
                if alloc is not None:
                    cap = slot.cap
                    full = cap is not None and b.pods >= cap
                    used = b.requested
                    if not full:
                        for name, want in req_items:
                            if want > alloc.get(name, 0) - used.get(name, 0):
                                ok = False
                                break
                    if full or not ok:
                        # What the fit stage's verdict depends on (fit.resource_shortfalls, R3.7).
                        short = tuple([name for name, want in req_items
                                       if want > alloc.get(name, 0) - used.get(name, 0)])
                        skey = (slot.alloc_key, full, short)
                        v = short_memo.get(skey)
                        if v is None:
                            v = _intern(after(cw, slot.view, taints), interned, known)
                            short_memo[skey] = v
                        append(v)
                        continue
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
        v = after(cw, slot.view, taints)
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
