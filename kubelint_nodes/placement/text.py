"""Human output of ``place``: a matrix people read at a glance, a booking table, and drill-downs in words.

With few nodes the matrix has a column per node; with many, a column per pool (or per group of identical
nodes), each cell summarising its nodes, so a 50,000-node pool costs what one node costs: cells are built
from the engine's groups, never from the members.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable
from operator import itemgetter

from ..inventory.model import Node
from ..quantity import format_quantity
from .codes import REASON_CODES, SHORT_CODES, Verdict
from .engine import Group, PlacementResult
from .report import mirror_name
from .workload import KIND_DAEMONSET, KIND_POD, KIND_STATIC, Workload

OK, NO, NA = "✓", "✗", "·"
MAX_NODE_COLUMNS = 12
MAX_TABLE_ROWS = 60

_EXPLAIN = {
    "node-name-mismatch": "its spec.nodeName names another node",
    "node-selector-mismatch": "the node's labels do not satisfy its nodeSelector",
    "node-affinity-mismatch": "the node's labels do not satisfy its required node affinity",
    "untolerated-taint": "the node has a taint it does not tolerate",
    "node-unschedulable": "the node is cordoned",
    "insufficient-cpu": "not enough CPU is left",
    "insufficient-memory": "not enough memory is left",
    "insufficient-ephemeral-storage": "not enough ephemeral storage is left",
    "insufficient-resource": "not enough of an extended resource is left",
    "too-many-pods": "the node's pod limit is reached",
    "host-port-conflict": "a host port it needs is already taken",
    "not-in-static-pod-path": "the kubelet does not read the file",
    "static-pods-disabled": "the node's kubelet reads no static pods",
    "static-pod-api-reference": "the kubelet refuses static pods that reference API objects",
    "node-pressure-admission": "the kubelet refuses it because the node reports pressure",
}


def _tabulate(rows: list[list[str]], headers: list[str]) -> str:
    from tabulate import tabulate  # heavy import kept out of the lint path

    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def workload_label(w: Workload) -> str:
    return f"{w.kind} {w.namespace}/{w.name}"


def matrix_labels(workloads: list[Workload]) -> list[str]:
    """Row labels: ``Kind namespace/name``, plus the file (and line, when the file is shared too) for
    workloads that would otherwise look identical, e.g. the same DaemonSet in two overlays."""
    plain = [workload_label(w) for w in workloads]
    counts = Counter(plain)
    files = Counter((label, w.file) for label, w in zip(plain, workloads, strict=True) if counts[label] > 1)
    out = []
    for label, w in zip(plain, workloads, strict=True):
        if counts[label] > 1:
            label += f" ({w.file}:{w.line})" if files[(label, w.file)] > 1 else f" ({w.file})"
        out.append(label)
    return out


def _cell(v: Verdict | None) -> str:
    if v is None:
        return NA
    if v.runs:
        return OK
    return NO + " " + ",".join(SHORT_CODES[c] for c in v.codes)


class _Codes:
    """Reason codes per verdict object: the matrix asks for the same few verdicts thousands of times."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Verdict, tuple[str, ...]]] = {}  # holding v keeps its id unique

    def of(self, v: Verdict) -> tuple[str, ...]:
        hit = self._by_id.get(id(v))
        if hit is None:
            hit = self._by_id[id(v)] = (v, v.codes)
        return hit[1]


# --- columns -------------------------------------------------------------------------------------------

class Column:
    """A matrix column: one node, or a set of groups (with member counts) shown together."""

    def __init__(self, label: str, parts: list[tuple[Group, int]]):
        self.label = label
        self.parts = parts
        self._pickers: list[tuple[int, Callable[[list], tuple]]] | None = None

    @property
    def size(self) -> int:
        return sum(n for _, n in self.parts)

    def tally(self, per_group: list[Verdict | None]) -> list[tuple[Verdict | None, int]]:
        """The distinct verdicts of the column's nodes, each with its number of nodes.

        Parts are picked by weight with C-level ``itemgetter`` and counted by identity (verdicts are shared
        objects), so a column of 20,000 distinct groups costs two passes in C, not 20,000 Python steps."""
        if self._pickers is None:
            by_weight: dict[int, list[int]] = {}
            for g, n in self.parts:
                by_weight.setdefault(n, []).append(g.index)
            self._pickers = [(n, _picker(idx)) for n, idx in by_weight.items()]
        found: dict[int, Verdict | None] = {}
        counts: Counter = Counter()
        for n, pick in self._pickers:
            vs = pick(per_group)
            found.update(zip(map(id, vs), vs, strict=True))
            if n == 1:
                counts.update(map(id, vs))
            else:
                for i, c in Counter(map(id, vs)).items():
                    counts[i] += c * n
        return [(v, counts[i]) for i, v in found.items()]


def _picker(indices: list[int]) -> Callable[[list], tuple]:
    if len(indices) == 1:
        only = indices[0]
        return lambda seq: (seq[only],)
    return itemgetter(*indices)


def _columns(result: PlacementResult) -> list[Column]:
    """With many nodes, a column per pool whose parts are distinct groups: twins (groups with the same
    verdicts for every workload) count as one part, so a cell costs what the kinds of node cost."""
    if len(result.nodes) <= MAX_NODE_COLUMNS:
        return [Column(n.name, [(result.group_of[n.name], 1)]) for n in result.nodes]
    per_pool: dict[str | None, Counter] = {}
    twin_of = result.twin_of
    for g in result.groups:
        t = twin_of[g.index] if twin_of else g.index
        members = g.members
        first = members[0].pool
        if members[-1].pool == first and all(m.pool == first for m in members):
            per_pool.setdefault(first, Counter())[t] += len(members)
            continue
        for pool, count in Counter(m.pool for m in members).items():
            per_pool.setdefault(pool, Counter())[t] += count
    cols = []
    for pool in sorted(per_pool, key=lambda p: (p is None, p or "")):
        parts = [(result.groups[i], c) for i, c in sorted(per_pool[pool].items())]
        size = sum(c for _, c in parts)
        name = pool if pool is not None else "(no pool)"
        cols.append(Column(f"{name} ({size})", parts))
    return cols


def _aggregate(result: PlacementResult, w: Workload, col: Column, codes_of: _Codes, used: set[str]) -> str:
    """The cell of ``w`` in ``col``; adds the codes it shows to ``used`` (for the legend)."""
    per_group = result.verdicts[id(w)]
    if len(col.parts) == 1 and col.parts[0][1] == 1:
        v = per_group[col.parts[0][0].index]
        if v is not None:
            used.update(codes_of.of(v))
        return _cell(v)
    runs = placed = 0
    codes: set[str] = set()
    for v, n in col.tally(per_group):
        if v is None:
            continue
        placed += n
        if v.runs:
            runs += n
        else:
            codes.update(codes_of.of(v))
    used.update(codes)
    if not placed:
        return NA
    short = ",".join(SHORT_CODES[c] for c in REASON_CODES if c in codes)
    if runs == placed:
        return OK
    if runs == 0:
        return f"{NO} {short}"
    return f"{OK} {runs}/{placed} {NO} {short}"


def render_matrix(result: PlacementResult) -> str:
    cols = _columns(result)
    codes_of = _Codes()
    labels = matrix_labels(result.workloads)
    used_set: set[str] = set()  # every code of every placement: the columns cover every node
    rows = [[label] + [_aggregate(result, w, c, codes_of, used_set) for c in cols]
            for label, w in zip(labels, result.workloads, strict=True)]
    used = sorted(used_set, key=REASON_CODES.index)
    out = [_tabulate(rows, ["workload"] + [c.label for c in cols]) if rows else "(no workloads)"]
    legend = [f"{OK} runs   {NO} does not run   {NA} not placed there"]
    if any(len(c.parts) > 1 or c.parts[0][1] > 1 for c in cols):
        legend.append(f"'{OK} k/n' runs on k of the n nodes of the column")
    legend += [f"  {SHORT_CODES[c]:<9} {c}" for c in used]
    return "\n".join(out + [""] + legend)


# --- booking -------------------------------------------------------------------------------------------

def _pair(name: str, used: dict[str, int], alloc: dict[str, int] | None) -> str:
    u = format_quantity(name, used.get(name, 0))
    return f"{u} / {format_quantity(name, alloc[name])}" if alloc and name in alloc else f"{u} / -"


def _booked_names(result: PlacementResult, node: Node) -> str:
    names = []
    for w in result.booked(node):
        names.append(mirror_name(w, node.name) if w.kind == KIND_STATIC else f"{w.namespace}/{w.name}")
    return ", ".join(names) if names else "-"


def render_booking(result: PlacementResult, nodes: Iterable[Node] | None = None) -> str:
    """Requested vs allocatable per node (or per group of identical nodes when there are many)."""
    headers = ["node", "pool", "cpu", "memory", "pods", "booked pods"]
    rows: list[list[str]] = []
    if nodes is not None or len(result.nodes) <= MAX_NODE_COLUMNS:
        for n in (nodes if nodes is not None else result.nodes):
            req = result.requested(n)
            rows.append([n.name, n.pool or "-", _pair("cpu", req, n.allocatable),
                         _pair("memory", req, n.allocatable), _pair("pods", req, n.allocatable),
                         _booked_names(result, n)])
    else:
        for g in sorted(result.groups, key=lambda g: g.members[0].name):
            if len(rows) >= MAX_TABLE_ROWS:
                rest = len(result.groups) - len(rows)
                rows.append([f"… {rest} more groups", "", "", "", "", "use --node NAME or --format json"])
                break
            rep = g.representative
            req = result.requested(rep)
            label = rep.name if len(g.members) == 1 else f"{rep.name} … {g.members[-1].name} ({len(g.members)})"
            booked = ", ".join(f"{w.name}-<node>" if w.kind == KIND_STATIC else f"{w.namespace}/{w.name}"
                               for w in result.booked(rep)) or "-"
            rows.append([label, rep.pool or "-", _pair("cpu", req, rep.allocatable),
                         _pair("memory", req, rep.allocatable), _pair("pods", req, rep.allocatable), booked])
    return _tabulate(rows, headers)


def render_text(result: PlacementResult, *, workload: str | None = None, node: str | None = None) -> str:
    """The whole text report, or a drill-down; raises LookupError for an unknown name."""
    if workload is not None:
        return "\n\n".join(explain_workload(result, w) for w in find_workloads(result, workload)) + "\n"
    if node is not None:
        return explain_node(result, find_node(result, node)) + "\n"
    parts = [f"Placement of {len(result.workloads)} workloads on {len(result.nodes)} nodes", "",
             render_matrix(result), "", "Booking (requested / allocatable)", render_booking(result)]
    if result.assumptions:
        parts += ["", "Assumptions:"] + [f"  - {a}" for a in result.assumptions]
    return "\n".join(parts) + "\n"


# --- drill-downs ---------------------------------------------------------------------------------------

def find_workloads(result: PlacementResult, name: str) -> list[Workload]:
    """Workloads called ``name``, ``namespace/name`` or ``Kind/namespace/name``."""
    hits = [w for w in result.workloads
            if name in (w.name, f"{w.namespace}/{w.name}", f"{w.kind}/{w.namespace}/{w.name}")]
    if not hits:
        close = difflib.get_close_matches(name, sorted({w.name for w in result.workloads}), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise LookupError(f"no workload named {name!r}{hint}")
    return hits


def find_node(result: PlacementResult, name: str) -> Node:
    if name in result.group_of:
        return next(n for n in result.group_of[name].members if n.name == name)
    close = difflib.get_close_matches(name, [n.name for n in result.nodes], n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise LookupError(f"no node named {name!r}{hint}")


def _names(nodes: list[Node]) -> str:
    names = [n.name for n in nodes]
    if len(names) <= 6:
        return ", ".join(names)
    return ", ".join(names[:3]) + f", … , {names[-1]} ({len(names)} nodes)"


def explain_verdict(w: Workload, v: Verdict) -> list[str]:
    """A verdict in sentences."""
    if v.runs:
        text = "runs"
        if w.kind == KIND_POD and w.node_name is None:
            text = "feasible: the scheduler may pick this node"
        if v.evicts:
            text += " (the kubelet evicts lower-priority pods to admit it)"
        return [text]
    lead = {True: "targeted, but refused", False: "not targeted"}[v.targeted]
    lines = [f"does not run: {lead} at the {v.stage} stage"]
    for r in v.reasons:
        lines.append(f"  - {r.code}: {_EXPLAIN[r.code]}: {r.detail}")
    if w.kind == KIND_DAEMONSET and "untolerated-taint" in v.codes and v.selected:
        lines.append("    (add a toleration for the taint to the pod template to run there)")
    return lines


def explain_workload(result: PlacementResult, w: Workload) -> str:
    head = f"{workload_label(w)}  ({w.file}:{w.line})"
    by_verdict: dict[int, tuple[Verdict, list[Node]]] = {}
    for n, v in result.placements(w):
        by_verdict.setdefault(id(v), (v, []))[1].append(n)
    if not by_verdict:
        return head + "\n  placed on no node of the inventory (no node is assigned this static pod)"
    total = sum(len(ns) for _, ns in by_verdict.values())
    runs = sum(len(ns) for v, ns in by_verdict.values() if v.runs)
    lines = [head, f"  runs on {runs} of {total} nodes"]
    for v, ns in sorted(by_verdict.values(), key=lambda e: (not e[0].runs, e[1][0].name)):
        lines.append(f"  {_names(ns)}:")
        lines += ["    " + x for x in explain_verdict(w, v)]
    return "\n".join(lines)


def explain_node(result: PlacementResult, node: Node) -> str:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(node.labels.items())) or "-"
    taints = ", ".join(str(t) for t in node.taints) or "-"
    lines = [f"node {node.name}" + (f" (pool {node.pool})" if node.pool else ""),
             f"  labels: {labels}", f"  taints: {taints}"]
    if node.unschedulable:
        lines.append("  cordoned (spec.unschedulable)")
    if node.conditions:
        lines.append("  conditions: " + ", ".join(f"{c.type}={c.status}" for c in node.conditions))
    if node.allocatable is None:
        lines.append("  no allocatable or capacity: not checked for resources")
    lines.append("")
    for w in result.workloads:
        v = result.verdict(w, node)
        if v is None:
            continue
        expl = explain_verdict(w, v)
        lines.append(f"{workload_label(w)}: {expl[0]}")
        lines += ["  " + x for x in expl[1:]]
    lines += ["", render_booking(result, [node])]
    return "\n".join(lines)
