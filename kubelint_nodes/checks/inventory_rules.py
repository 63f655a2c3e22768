"""Inventory-aware rules (catalogue section "Inventory-aware"): what the placement engine predicts, as findings.

How they report (catalogue): on the workload's file, one finding per (workload, reason), counting nodes per
pool, with the inventory entries in ``related``; ``pod-node-not-found`` at ``spec.nodeName``, the others at
the document's first key.  Taint findings count only the nodes a workload *selects*, resource and port
findings only the nodes it *targets* (SPEC §6).  Only workloads whose file is an input of the run get a
finding.  ``node-overcommitted`` is reported on the inventory entry (pool or node item) instead.

The placement is computed once per run (:func:`kubelint_nodes.placement.collect.placement_of`) and shared
through the run state; ``daemonset-insufficient-resources``, ``host-port-conflict`` and ``node-overcommitted``
run only in whole-repository mode (the engine skips them otherwise, SPEC §7).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..engine.context import Hit, RunContext
from ..engine.registry import check

Key = tuple[str, str]  # ("pool", name) or ("node", name): the inventory entry that defines a node
MAX_PLACES = 8  # places named in a message
MAX_RELATED = 20

_FIT_CODES = ("insufficient-cpu", "insufficient-memory", "insufficient-ephemeral-storage", "insufficient-resource",
              "too-many-pods")
_PRESSURE = "node-pressure-admission"
_SELECTION_CODES = ("node-name-mismatch", "node-selector-mismatch", "node-affinity-mismatch")
_STATIC_PATH_CODES = ("not-in-static-pod-path", "static-pods-disabled")

# The scheduler's wording for each filter failure ("0/5 nodes are available: 3 Insufficient cpu, …"),
# kubernetes pkg/scheduler/framework/plugins/*: ErrReason* constants.
_SCHEDULER_WORDS = {
    "node-name-mismatch": "node(s) didn't match the requested node name",
    "node-selector-mismatch": "node(s) didn't match Pod's node selector",
    "node-affinity-mismatch": "node(s) didn't match Pod's node affinity",
    "untolerated-taint": "node(s) had untolerated taint(s)",
    "node-unschedulable": "node(s) were unschedulable",
    "insufficient-cpu": "Insufficient cpu",
    "insufficient-memory": "Insufficient memory",
    "insufficient-ephemeral-storage": "Insufficient ephemeral-storage",
    "insufficient-resource": "Insufficient extended resources",
    "too-many-pods": "Too many pods",
    "host-port-conflict": "node(s) didn't have free ports for the requested pod ports",
    "node-pressure-admission": "node(s) under pressure refuse it (kubelet admission)",
}


# --- shared state ----------------------------------------------------------------------------------------

@dataclass
class Place:
    """A pool or an individual node of the inventory, where findings point."""

    key: Key
    total: int
    file: str
    line: int
    column: int
    node: Any  # a member, for its labels, kubelet and source

    @property
    def label(self) -> str:
        kind, name = self.key
        return f"pool '{name}'" if kind == "pool" else f"node '{name}'"


class Places:
    """Node counts per pool/node for every group of identical nodes, computed once per run."""

    def __init__(self, run: Any):
        result = run.result
        inventory = run.inventory
        default_file = inventory.source or ""
        self.by_key: dict[Key, Place] = {}
        self.of_group: list[tuple[tuple[Key, int], ...]] = []  # per group: (place, member count)
        for n in result.nodes:
            key: Key = ("pool", n.pool) if n.pool else ("node", n.name)
            p = self.by_key.get(key)
            if p is None:
                src = n.source
                p = self.by_key[key] = Place(key, 0, src.file if src else default_file, src.line if src else 1,
                                             src.column if src else 1, n)
            p.total += 1
        for g in result.groups:
            c: dict[Key, int] = {}
            for m in g.members:
                k: Key = ("pool", m.pool) if m.pool else ("node", m.name)
                c[k] = c.get(k, 0) + 1
            self.of_group.append(tuple(c.items()))
        # Pools first, then single nodes, each by name.
        self.rank = {k: i for i, k in enumerate(sorted(self.by_key, key=lambda k: (k[0] != "pool", k[1])))}

    def order(self, key: Key) -> int:
        return self.rank[key]

    def describe(self, counts: dict[Key, int]) -> str:
        parts = []
        keys = sorted(counts, key=self.rank.__getitem__)
        for key in keys[:MAX_PLACES]:
            p = self.by_key[key]
            parts.append(f"{p.label} ({counts[key]} of {p.total} nodes)" if key[0] == "pool" else p.label)
        if len(keys) > MAX_PLACES:
            rest = sum(counts[k] for k in keys[MAX_PLACES:])
            parts.append(f"{len(keys) - MAX_PLACES} more entries ({rest} nodes)")
        return ", ".join(parts)

    def related(self, counts: dict[Key, int], what: Any) -> list[dict[str, Any]]:
        """One related location per pool/node item: ``what(place, count)`` is its message."""
        out = []
        for key in sorted(counts, key=self.rank.__getitem__)[:MAX_RELATED]:
            p = self.by_key[key]
            out.append({"file": p.file, "line": p.line, "column": p.column, "message": what(p, counts[key])})
        return out


def _add(counts: dict[Key, int], pairs: Iterable[tuple[Key, int]]) -> None:
    for k, n in pairs:
        counts[k] = counts.get(k, 0) + n


def _run(ctx: RunContext) -> Any:
    from ..placement.collect import placement_of

    return placement_of(ctx.state, ctx.files, ctx.settings)


def _places(ctx: RunContext, run: Any) -> Places:
    places = ctx.state.get("placement_places")
    if places is None:
        places = ctx.state["placement_places"] = Places(run)
    return places


def _nodes(n: int) -> str:
    return f"{n} node" if n == 1 else f"{n} nodes"


def _describe(w: Any) -> str:
    label = "static pod" if w.kind == "StaticPod" else w.kind
    return f"{label} '{w.name}'"


def _inventory_related(run: Any, message: str) -> list[dict[str, Any]]:
    return [{"file": run.inventory.source or "", "line": 1, "column": 1, "message": message}]


def _own(run: Any, kinds: tuple[str, ...]) -> Iterator[Any]:
    """Workloads of these kinds whose file is an input of the run, with their object."""
    for w in run.result.workloads:
        if w.kind in kinds and id(w) in run.in_run and run.resource(w) is not None:
            yield w


@dataclass
class _Tally:
    """Nodes per place for one reason, with the first detail seen."""

    counts: dict[Key, int]
    detail: str = ""

    def add(self, pairs: Iterable[tuple[Key, int]], detail: str) -> None:
        _add(self.counts, pairs)
        if not self.detail:
            self.detail = detail


def _tally(run: Any, places: Places, w: Any, codes: Iterable[str], want: Any) -> dict[str, _Tally]:
    """code → nodes where ``want(verdict)`` holds and the verdict has that code (in SPEC §6 code order)."""
    from ..placement.codes import CODE_ORDER

    codes = set(codes)
    out: dict[str, _Tally] = {}
    memo: dict[int, list] = {}  # verdicts are shared objects: judge each once
    of_group = places.of_group
    for gi, v in enumerate(run.result.verdicts[id(w)]):
        if v is None or v.runs:
            continue
        hit = memo.get(id(v))
        if hit is None:
            hit = memo[id(v)] = [r for r in v.reasons if r.code in codes] if want(v) else []
        for r in hit:
            t = out.get(r.code)
            if t is None:
                t = out[r.code] = _Tally({})
            t.add(of_group[gi], r.detail)
    return dict(sorted(out.items(), key=lambda e: CODE_ORDER[e[0]]))


def _places_message(what: str) -> Any:
    return lambda p, n: f"{p.label} ({_nodes(n)}): {what}" if p.key[0] == "pool" else f"{p.label}: {what}"


# --- DaemonSets ------------------------------------------------------------------------------------------

@check("daemonset-untolerated-taint", scope="run")
def daemonset_untolerated_taint(ctx: RunContext) -> Iterator[Hit]:
    from ..placement.taints import EFFECTS_SCHEDULE, toleration_yaml, untolerated

    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    result = run.result
    for w in _own(run, ("DaemonSet",)):
        cw = result.compiled[id(w)]
        by_taint: dict[Any, dict[Key, int]] = {}
        skipped: dict[Key, int] = {}
        selected = 0
        bad_taints: dict[int, list] = {}  # per taint set of the nodes
        skips: dict[int, bool] = {}  # per verdict object
        groups = result.groups
        for gi, v in enumerate(result.verdicts[id(w)]):
            if v is None or not v.selected:
                continue
            g = groups[gi]
            selected += len(g.members)
            skip = skips.get(id(v))
            if skip is None:
                skip = skips[id(v)] = not v.runs and "untolerated-taint" in v.codes
            if not skip:
                continue
            c = places.of_group[gi]
            _add(skipped, c)
            view = g.view
            ts = bad_taints.get(view.taint_id)
            if ts is None:
                ts = bad_taints[view.taint_id] = untolerated(view.taints, cw.tolerations, EFFECTS_SCHEDULE)
            for t in ts:
                _add(by_taint.setdefault(t, {}), c)
        if not skipped:
            continue
        taints = sorted(by_taint, key=lambda t: (t.key, t.value, t.effect))
        per_taint = "; ".join(f"{t} on {places.describe(by_taint[t])}" for t in taints)
        fix = "\n".join(toleration_yaml(t) for t in taints)
        n = sum(skipped.values())
        message = (f"{_describe(w)} skips {n} of the {_nodes(selected)} it selects because of taints it does not "
                   f"tolerate: {per_taint}. To run there, add to spec.template.spec.tolerations:\n{fix}")

        def what(p: Place, count: int, _by=by_taint) -> str:
            ts = ", ".join(str(t) for t in sorted(_by, key=lambda t: (t.key, t.value, t.effect)) if p.key in _by[t])
            return (f"{p.label} ({_nodes(count)}) is tainted {ts}" if p.key[0] == "pool"
                    else f"{p.label} is tainted {ts}")

        yield ctx.hit(message, None, resource=run.resource(w), related=places.related(skipped, what))


@check("daemonset-no-matching-nodes", scope="run")
def daemonset_no_matching_nodes(ctx: RunContext) -> Iterator[Hit]:
    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    total = len(run.result.nodes)
    for w in _own(run, ("DaemonSet",)):
        if any(v.selected for _, v in run.result.group_placements(w)):
            continue
        if not total:
            yield ctx.hit(f"{_describe(w)} selects no node: the inventory defines none", None,
                          resource=run.resource(w), related=_inventory_related(run, "the inventory: no node"))
            continue
        tallies = _tally(run, places, w, _SELECTION_CODES, lambda v: True)
        why = "; ".join(f"{code} on {_nodes(sum(t.counts.values()))} (e.g. {t.detail})" for code, t in tallies.items())
        yield ctx.hit(f"{_describe(w)} selects none of the {_nodes(total)} of the inventory, so it runs nowhere: "
                      f"{why}", None, resource=run.resource(w),
                      related=_inventory_related(run, f"the inventory: {_nodes(total)}, none selected"))


@check("daemonset-insufficient-resources", scope="run")
def daemonset_insufficient_resources(ctx: RunContext) -> Iterator[Hit]:
    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    for w in _own(run, ("DaemonSet",)):
        for code, t in _tally(run, places, w, _FIT_CODES + (_PRESSURE,), lambda v: v.targeted).items():
            n = sum(t.counts.values())
            if code == _PRESSURE:
                message = (f"{_describe(w)} is targeted at {_nodes(n)} whose kubelet refuses it for node pressure "
                           f"({code}: {t.detail}), so its pod fails there: {places.describe(t.counts)}")
                what = _places_message("node pressure refuses the DaemonSet's pod")
            else:
                message = (f"{_describe(w)} is targeted at {_nodes(n)} where it does not fit after booking "
                           f"({code}: {t.detail}), so its pod stays Pending there: {places.describe(t.counts)}")
                what = _places_message(f"{code} for {w.kind} {w.namespace}/{w.name}")
            yield ctx.hit(message, None, resource=run.resource(w), related=places.related(t.counts, what))


# --- host ports ------------------------------------------------------------------------------------------

def _clash(a: Any, b: Any) -> bool:
    """``HostPortInfo.CheckConflict`` (reference R3.6.3): same protocol and port, and the same IP or either
    side 0.0.0.0."""
    if (a.protocol or "TCP", a.port) != (b.protocol or "TCP", b.port):
        return False
    ai = "" if a.host_ip in ("", "0.0.0.0") else a.host_ip
    bi = "" if b.host_ip in ("", "0.0.0.0") else b.host_ip
    return not ai or not bi or ai == bi


@check("host-port-conflict", scope="run")
def host_port_conflict(ctx: RunContext) -> Iterator[Hit]:
    from ..placement.engine import booking_key
    from ..placement.requests import describe_port

    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    result = run.result
    bookable = [w for w in result.workloads if w.kind != "Pod" or w.node_name is not None]
    rank = {id(w): i for i, w in enumerate(sorted(bookable, key=booking_key))}
    for w in _own(run, ("DaemonSet", "Pod", "StaticPod")):
        if id(w) not in rank:
            continue  # Pods without nodeName are never booked (pod-unschedulable covers them)
        mine = result.compiled[id(w)].ports
        holders: dict[Any, tuple[Any, dict[Key, int], list[str]]] = {}  # holder key → (workload or None, places, ports)
        for g, v in result.group_placements(w):
            if v.runs or not v.targeted or "host-port-conflict" not in v.codes:
                continue
            c = places.of_group[g.index]
            found = False
            for h in g.view.booking.booked:
                if rank.get(id(h), len(rank)) >= rank[id(w)]:
                    continue
                ports = [describe_port(p) for p in mine
                         if any(_clash(p, q) for q in result.compiled[id(h)].ports)]
                if ports:
                    found = True
                    entry = holders.setdefault(id(h), (h, {}, ports))
                    _add(entry[1], c)
            rep = g.representative
            ports = [describe_port(p) for p in mine if any(_clash(p, q) for q in rep.existing.host_ports)]
            if ports:
                entry = holders.setdefault(("existing", tuple(ports)), (None, {}, ports))
                _add(entry[1], c)
            elif not found:  # not expected: say what the engine said
                detail = next(r.detail for r in v.reasons if r.code == "host-port-conflict")
                entry = holders.setdefault(("detail", detail), ("detail", {}, [detail]))
                _add(entry[1], c)
        if not holders:
            continue
        parts = []
        related: list[dict[str, Any]] = []
        order = sorted(holders.values(), key=lambda e: (isinstance(e[0], str) or e[0] is None,
                                                        rank.get(id(e[0]), 0), e[2]))
        for h, counts, ports in order:
            shown = ", ".join(ports)
            if h == "detail":
                parts.append(f"{shown} on {places.describe(counts)}")
                related += places.related(counts, _places_message(shown))
            elif h is None:
                parts.append(f"host port {shown} is held by the inventory's existing usage on "
                             f"{places.describe(counts)}")
                related += places.related(counts, _places_message(f"existing usage holds host port {shown}"))
            else:
                parts.append(f"host port {shown} is bound first by {h.kind} {h.namespace}/{h.name} ({h.file}) on "
                             f"{places.describe(counts)}")
                related.append({"file": h.file, "line": h.line, "column": h.column,
                                "message": f"{h.kind} {h.namespace}/{h.name} binds host port {shown} first"})
        yield ctx.hit(f"{_describe(w)} cannot bind its host ports where it is placed: {'; '.join(parts)}", None,
                      resource=run.resource(w), related=related[:MAX_RELATED])


# --- Pods ------------------------------------------------------------------------------------------------

@check("pod-unschedulable", scope="run")
def pod_unschedulable(ctx: RunContext) -> Iterator[Hit]:
    from ..placement.codes import REASON_CODES

    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    total = len(run.result.nodes)
    for w in _own(run, ("Pod",)):
        if w.node_name is not None or any(v.runs for _, v in run.result.group_placements(w)):
            continue
        tallies = _tally(run, places, w, REASON_CODES, lambda v: True)
        summary = ", ".join(f"{sum(t.counts.values())} {_SCHEDULER_WORDS.get(code, code)}"
                            for code, t in tallies.items())
        codes = "; ".join(f"{code} on {places.describe(t.counts)} (e.g. {t.detail})" for code, t in tallies.items())
        message = f"Pod '{w.name}' is feasible on no node: 0/{total} nodes are available"
        message += f": {summary}. {codes}" if tallies else ""
        yield ctx.hit(message, None, resource=run.resource(w),
                      related=_inventory_related(run, f"the inventory: {_nodes(total)}, none feasible"))


@check("pod-node-not-found", scope="run")
def pod_node_not_found(ctx: RunContext) -> Iterator[Hit]:
    run = _run(ctx)
    if run is None:
        return
    result = run.result
    for w in _own(run, ("Pod",)):
        name = w.node_name
        if name is None or name in result.group_of:
            continue
        close = difflib.get_close_matches(name, [n.name for n in result.nodes], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        yield ctx.hit(f"Pod '{w.name}': spec.nodeName '{name}' names no node of the inventory{hint}; the Pod stays "
                      "Pending, bound to a node that does not exist", ("spec", "nodeName"), resource=run.resource(w),
                      related=_inventory_related(run, f"the inventory: {_nodes(len(result.nodes))}, none named "
                                                      f"'{name}'"))


@check("pod-rejected-by-kubelet", scope="run")
def pod_rejected_by_kubelet(ctx: RunContext) -> Iterator[Hit]:
    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    result = run.result
    for w in _own(run, ("Pod",)):
        name = w.node_name
        if name is None or name not in result.group_of:
            continue
        v = result.verdict(w, name)
        if v is None or v.runs:
            continue
        g = result.group_of[name]
        node = next(m for m in g.members if m.name == name)
        key: Key = ("pool", node.pool) if node.pool else ("node", node.name)
        for r in v.reasons:
            yield ctx.hit(f"Pod '{w.name}' is bound to node '{name}' (spec.nodeName), whose kubelet would refuse it: "
                          f"{r.code}: {r.detail}", None, resource=run.resource(w),
                          related=places.related({key: 1},
                                                 lambda p, _n, _name=name: f"node '{_name}' is defined here"
                                                 + (f" ({p.label})" if p.key[0] == "pool" else "")))


# --- static pods -----------------------------------------------------------------------------------------

def _kubelet_location(source: str | None, settings: Any, cache: dict) -> dict[str, Any] | None:
    """Where the node's kubelet config sets ``staticPodPath`` (its first key when it sets none)."""
    if not source:
        return None
    if source in cache:
        return cache[source]
    loc = None
    full = os.path.join(settings.cwd, source)
    if os.path.isfile(full):
        line, col = 1, 1
        try:
            from ..loader.yamlparse import parse_yaml
            from ..model.resource import locate

            with open(full, encoding="utf-8") as fh:
                doc = next(d for d in parse_yaml(fh.read(), settings.limits).documents if d.data is not None)
            line, col = locate(doc.positions, doc.data, doc.start, ("staticPodPath",))
        except Exception:  # noqa: BLE001 - the kubelet rules report a broken file; here it is only a hint
            pass
        loc = {"file": source, "line": line, "column": col}
    cache[source] = loc
    return loc


@check("static-pod-path-mismatch", scope="run")
def static_pod_path_mismatch(ctx: RunContext) -> Iterator[Hit]:
    from ..placement.codes import CODE_ORDER, STAGE_STATIC_PATH
    from ..placement.stages import static_path_reason

    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    cache: dict = {}
    for w in _own(run, ("StaticPod",)):
        by_code: dict[str, dict[str, dict[Key, int]]] = {}
        kubelets: dict[str, dict[str, None]] = {}  # code → kubelet config sources, in node order
        for g, v in run.result.group_placements(w):
            if v.runs or v.stage != STAGE_STATIC_PATH:
                continue
            a = next((a for a, sw in g.static if sw is w), None)
            r = static_path_reason(a, g.representative) if a is not None else None
            if r is None:
                continue  # a duplicate the kubelet drops (static-pod-duplicate), not a path problem
            _add(by_code.setdefault(r.code, {}).setdefault(r.detail, {}), places.of_group[g.index])
            if g.representative.kubelet.source:
                kubelets.setdefault(r.code, {})[g.representative.kubelet.source] = None
        for code in sorted(by_code, key=CODE_ORDER.__getitem__):
            details = by_code[code]
            counts: dict[Key, int] = {}
            for c in details.values():
                _add(counts, c.items())
            why = "; ".join(f"{d} on {places.describe(c)}" for d, c in details.items())
            related = places.related(counts, _places_message(f"manifest {w.file} is assigned here"))
            for src in kubelets.get(code, ()):
                loc = _kubelet_location(src, ctx.settings, cache)
                if loc is not None:
                    related.append({**loc, "message": "the kubelet configuration of these nodes"})
            yield ctx.hit(f"static pod '{w.name}' is written to {_nodes(sum(counts.values()))} whose kubelet never "
                          f"reads it ({code}): {why}", None, resource=run.resource(w), related=related)


@check("static-pod-rejected", scope="run")
def static_pod_rejected(ctx: RunContext) -> Iterator[Hit]:
    from ..placement.codes import REASON_CODES, STAGE_KUBELET

    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    codes = [c for c in REASON_CODES if c not in _STATIC_PATH_CODES and c != "static-pod-api-reference"]
    for w in _own(run, ("StaticPod",)):
        for code, t in _tally(run, places, w, codes, lambda v: v.stage == STAGE_KUBELET).items():
            n = sum(t.counts.values())
            what = _places_message(f"its kubelet refuses static pod '{w.name}' ({code})")
            yield ctx.hit(f"static pod '{w.name}' is read by the kubelet of {_nodes(n)} but refused there: {code}: "
                          f"{t.detail}; on {places.describe(t.counts)}", None, resource=run.resource(w),
                          related=places.related(t.counts, what))


# --- nodes -----------------------------------------------------------------------------------------------

_KIND_WORDS = {"DaemonSet": ("DaemonSet", "DaemonSets"), "Pod": ("Pod with nodeName", "Pods with nodeName"),
               "StaticPod": ("static pod", "static pods")}


@dataclass
class _Demand:
    """What everything that would run on a group's nodes asks for (``PlacementResult.demand``'s selection:
    the existing usage, static pods the kubelet reads, Pods pinned there, DaemonSets that target it)."""

    requests: dict[str, int]
    pods: int
    kinds: dict[str, int]
    who: list  # the first MAX_RELATED contributors, in workload order


def _demands(run: Any) -> list[_Demand]:
    """Every group's demand in one pass over the verdicts (a fleet has groups x workloads of them), summed
    column-wise per resource."""
    from ..placement.codes import STAGE_KUBELET

    result = run.result
    size = len(result.groups)
    sums: dict[str, list[int]] = {}
    kinds: dict[str, list[int]] = {}
    who: list[list] = [[] for _ in range(size)]
    for w in result.workloads:
        if w.kind == "Pod" and w.node_name is None:
            continue
        if w.kind == "StaticPod":
            hits = [i for i, v in enumerate(result.verdicts[id(w)])
                    if v is not None and (v.runs or v.stage == STAGE_KUBELET)]
        else:
            hits = [i for i, v in enumerate(result.verdicts[id(w)]) if v is not None and v.targeted]
        if not hits:
            continue
        for k, q in result.compiled[id(w)].requests.items():
            col = sums.setdefault(k, [0] * size)
            for i in hits:
                col[i] += q
        col = kinds.setdefault(w.kind, [0] * size)
        for i in hits:
            col[i] += 1
            if len(who[i]) < MAX_RELATED:
                who[i].append(w)
    out = []
    for i, g in enumerate(result.groups):
        existing = g.representative.existing
        req = dict(existing.requests)
        for k, col in sums.items():
            if col[i]:
                req[k] = req.get(k, 0) + col[i]
        per_kind = {k: col[i] for k, col in kinds.items() if col[i]}
        out.append(_Demand(req, existing.pods + sum(per_kind.values()), per_kind, who[i]))
    return out


def _over(d: _Demand, alloc: dict[str, int]) -> list[tuple[str, int, int]]:
    """Resources the node advertises whose demand exceeds its allocatable (exactly full fits)."""
    wants = dict(d.requests)
    wants["pods"] = d.pods
    return [(name, want, alloc[name]) for name, want in sorted(wants.items())
            if name in alloc and want > alloc[name]]


def _figures(over: list[tuple[str, int, int]]) -> str:
    from ..quantity import format_quantity

    return ", ".join(f"{name} {format_quantity(name, want)} requested of {format_quantity(name, have)} allocatable"
                     for name, want, have in over)


@check("node-overcommitted", scope="run")
def node_overcommitted(ctx: RunContext) -> Iterator[Hit]:
    from ..inventory.validate import API_VERSION, KIND
    from ..quantity import format_quantity

    run = _run(ctx)
    if run is None:
        return
    places = _places(ctx, run)
    result = run.result
    demands = _demands(run)
    hits: dict[Key, list] = {}  # place → [overcommitted node count, example group, its over list]
    for g in result.groups:
        rep = g.representative
        if rep.allocatable is None:
            continue  # not checked for resources (SPEC §5)
        over = _over(demands[g.index], rep.allocatable)
        if not over:
            continue
        for key, n in places.of_group[g.index]:
            entry = hits.setdefault(key, [0, g, over])
            entry[0] += n
    if not hits:
        return
    compact = {"apiVersion": API_VERSION, "kind": KIND, "name": run.inventory.name, "namespace": None,
               "role": "inventory"}
    shown: dict[int, dict[str, Any]] = {}  # related entry per workload (read-only, shared between findings)
    for key in sorted(hits, key=places.order):
        count, g, over = hits[key]
        p = places.by_key[key]
        example = g.representative.name if key[0] == "pool" else key[1]
        path: tuple | None = p.node.source.path if p.node.source is not None else None
        if path is not None:  # the pool or node item of the NodeInventory
            obj = compact
        else:  # kubectl form (or nodesFrom): the Node object
            obj = {"apiVersion": "v1", "kind": "Node", "name": p.node.name if key[0] == "node" else None,
                   "namespace": None, "role": "inventory"}
        d = demands[g.index]
        parts = [f"{n} {_KIND_WORDS[k][n > 1]}" for k, n in sorted(d.kinds.items())]
        existing = g.representative.existing
        if existing.pods or existing.requests:
            parts.insert(0, "its existing usage")
        scope = f"{p.label}: {count} of {p.total} nodes" if key[0] == "pool" else p.label
        message = (f"{scope} overcommitted: what would run there requests more than the allocatable "
                   f"({_figures(over)} on {example}: {', '.join(parts) or 'nothing'})")
        related = []
        for w in d.who:
            entry = shown.get(id(w))
            if entry is None:
                reqs = result.compiled[id(w)].requests
                text = ", ".join(f"{k} {format_quantity(k, v)}" for k, v in sorted(reqs.items())) or "no requests"
                entry = shown[id(w)] = {"file": w.file, "line": w.line, "column": w.column,
                                        "message": f"{w.kind} {w.namespace}/{w.name} requests {text}"}
            related.append(entry)
        yield ctx.hit(message, path, file=p.file, line=p.line, column=p.column, object=obj, related=related or None)
