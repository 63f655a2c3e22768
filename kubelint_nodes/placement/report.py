"""The place report of SPEC §6 as a JSON object, and a fast writer for it.

:func:`build_report` returns the object (what the schema validates); :func:`render_json` writes the same
content as text without building a million small dicts first, one node or placement per line, so a
5,000-node fleet serialises in well under a second.  ``json.loads(render_json(r)) == build_report(r)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from operator import add, itemgetter
from typing import TYPE_CHECKING

from ..gcpause import gc_paused
from .codes import Verdict
from .engine import PlacementResult
from .workload import KIND_STATIC, Workload

if TYPE_CHECKING:
    from ..inventory.model import Node

TOOL_NAME = "kubelint-nodes"
ROWS_BUDGET = 64 * 1024 * 1024


def _tool_version() -> str:
    try:
        from .. import __version__  # type: ignore[attr-defined]

        return str(__version__)
    except Exception:  # noqa: BLE001 - the package may not define it yet
        try:
            from importlib.metadata import version

            return version("kubelint-nodes")
        except Exception:  # noqa: BLE001
            return "0.0.0"


def mirror_name(workload: Workload, node_name: str) -> str:
    """The mirror pod's name: ``<name>-<node name in lower case>`` (R5.3, pkg/kubelet/config/common.go)."""
    return f"{workload.name}-{node_name.lower()}"


def _pod_entry(w: Workload, node_name: str) -> dict:
    d = {"kind": w.kind, "namespace": w.namespace, "name": w.name}
    if w.kind == KIND_STATIC:
        d["mirror"] = mirror_name(w, node_name)
    return d


def _placement(node_name: str, v: Verdict) -> dict:
    d: dict = {"node": node_name, "targeted": v.targeted, "runs": v.runs}
    if not v.runs:
        d["reasons"] = [{"code": r.code, "detail": r.detail} for r in v.reasons]
    return d


def _node_entries(result: PlacementResult, nodes: Iterable[Node]) -> list[dict]:
    """One entry per node.  Values that many nodes have are shared (read-only) between their entries:
    twins share one booking, so their allocatable, requested and pods are built once, and nodes booked
    with the same workloads in the same order share one pods list of shared pod entries; a static pod's
    entry (its mirror name contains the node's name) is the only one built per node."""
    out = []
    shared: dict[int, tuple] = {}
    pod_lists: dict[tuple[int, ...], list[dict]] = {}
    entries: dict[int, dict] = {}  # id(workload) → its pod entry, for all but static pods
    twin_of = result.twin_of
    for n in nodes:
        g = result.group_of[n.name]
        key = twin_of[g.index] if twin_of else g.index
        parts = shared.get(key)
        if parts is None:
            booked = result.booked(n)
            per_node = any(w.kind == KIND_STATIC for w in booked)
            if per_node:
                pods = [_pod_entry(w, n.name) for w in booked]
            else:
                ids = tuple(map(id, booked))
                pods = pod_lists.get(ids)
                if pods is None:
                    pods = pod_lists[ids] = [entries.get(id(w)) or entries.setdefault(id(w), _pod_entry(w, ""))
                                             for w in booked]
            parts = (None if n.allocatable is None else dict(sorted(n.allocatable.items())),
                     result.requested(n), pods)
            if not per_node:
                shared[key] = parts
        out.append({"name": n.name, "pool": n.pool, "allocatable": parts[0], "requested": parts[1],
                    "pods": parts[2]})
    return out


def build_report(result: PlacementResult, version: str | None = None, *,
                 workloads: Collection[Workload] | None = None, node: Node | None = None) -> dict:
    """The report object; ``workloads`` and ``node`` narrow it to a drill-down (``--workload``/``--node``)
    without building the placements that would be thrown away (millions on a large fleet)."""
    if workloads is None:
        shown = result.workloads
    else:
        wanted = {id(w) for w in workloads}
        shown = [w for w in result.workloads if id(w) in wanted]

    def placements(w: Workload) -> list[dict]:
        if node is None:
            return [_placement(n.name, v) for n, v in result.placements(w)]
        v = result.verdict(w, node)
        return [] if v is None else [_placement(node.name, v)]

    return {
        "tool": {"name": TOOL_NAME, "version": version or _tool_version()},
        "assumptions": list(result.assumptions),
        "nodes": _node_entries(result, result.nodes if node is None else [node]),
        "workloads": [
            {"kind": w.kind, "name": w.name, "namespace": w.namespace, "file": w.file, "line": w.line,
             "placements": placements(w)}
            for w in shown
        ],
    }


def dumps_indented(report: dict) -> str:
    """``json.dumps(report, indent=2)``, byte for byte (see :func:`iter_indented`)."""
    return "".join(iter_indented(report))


def iter_indented(report: dict) -> Iterator[str]:
    """The text of ``json.dumps(report, indent=2)`` in chunks (one per item of the top-level lists), so a
    drill-down of a large fleet is written without copying one huge string around.

    The standard library encodes ``indent`` output in pure Python, one container at a time; a report
    keeps shared objects (the pods of twin nodes) and repeats small ones (a pod entry on every node), so
    each container's text is made once per indentation level and reused: by identity for containers, by
    content for those holding only scalars."""
    enc = _IndentedText().enc
    if not report:
        yield "{}"
        return
    yield "{"
    for i, (k, v) in enumerate(report.items()):
        yield ("," if i else "") + "\n  " + json.dumps(k) + ": "
        if isinstance(v, list) and v:
            yield "["
            for j, x in enumerate(v):
                yield ("," if j else "") + "\n    " + enc(x, 2)
            yield "\n  ]"
        else:
            yield enc(v, 1)
    yield "\n}"


class _IndentedText:
    _SCALARS = (str, int, float, bool, type(None))

    def __init__(self) -> None:
        self.by_id: dict[tuple[int, int], str] = {}  # the report holds every container: ids stay unique
        self.by_content: dict[tuple, str] = {}

    def enc(self, o: object, level: int) -> str:
        if not isinstance(o, (dict, list)):
            return json.dumps(o)
        hit = self.by_id.get((id(o), level))
        if hit is not None:
            return hit
        items = list(o.items()) if isinstance(o, dict) else o
        values = o.values() if isinstance(o, dict) else o
        content = None
        if all(isinstance(v, self._SCALARS) for v in values):
            # with each value's type: True == 1 == 1.0 as keys, but they encode differently
            content = (isinstance(o, dict), level, tuple(items), tuple(map(type, values)))
            hit = self.by_content.get(content)
            if hit is not None:
                self.by_id[(id(o), level)] = hit
                return hit
        if not items:
            text = "{}" if isinstance(o, dict) else "[]"
        else:
            inner = "\n" + "  " * (level + 1)
            enc = self.enc
            if isinstance(o, dict):
                body = ("," + inner).join(json.dumps(k) + ": " + enc(v, level + 1) for k, v in items)
                text = "{" + inner + body + "\n" + "  " * level + "}"
            else:
                body = ("," + inner).join(enc(v, level + 1) for v in items)
                text = "[" + inner + body + "\n" + "  " * level + "]"
        self.by_id[(id(o), level)] = text
        if content is not None:
            self.by_content[content] = text
        return text


def render_json(result: PlacementResult, version: str | None = None) -> str:
    """The report as JSON text, deterministic, one node and one placement per line."""
    return "".join(iter_json(result, version))


def iter_json(result: PlacementResult, version: str | None = None) -> Iterator[str]:
    """The JSON text in chunks (one per node list and per workload), so a large fleet can be written to a
    file without holding the whole text in memory."""
    dumps = json.dumps
    yield '{\n  "tool": ' + dumps({"name": TOOL_NAME, "version": version or _tool_version()})
    yield ',\n  "assumptions": [' + ",".join("\n    " + dumps(a) for a in result.assumptions)
    yield ("\n  ]" if result.assumptions else "]") + ',\n  "nodes": ['
    with gc_paused():
        for i, line in enumerate(_node_lines(result)):  # one chunk per node: a node line can be long
            yield ("," if i else "") + line
    yield ("\n  ]" if result.nodes else "]") + ',\n  "workloads": ['
    rows = _PlacementRows(result)
    # The collector stays paused while the generator runs (closing or dropping it restores it): writing
    # allocates no cycles, and collections between chunks would rescan the whole fleet each time.
    with gc_paused():
        for i, w in enumerate(result.workloads):
            yield ("," if i else "") + rows.workload_chunk(w)
    yield "\n  ]\n}\n" if result.workloads else "]\n}\n"


def _node_lines(result: PlacementResult) -> Iterator[str]:
    """``"\\n    " + json.dumps(entry)`` per node, built from pieces serialised once: each workload's pod
    entry, and everything after name and pool (allocatable, requested, pods) once per group and its twins
    (they share one booking, and allocatable is part of what makes them twins), unless a static pod's
    mirror name (which contains the node's name) is among the pods."""
    dumps = json.dumps
    entries = {id(w): dumps(_pod_entry(w, "")) for w in result.workloads if w.kind != KIND_STATIC}
    static = {id(w) for w in result.workloads if w.kind == KIND_STATIC}
    tails: dict[int, str] = {}
    twin_of = result.twin_of
    for n in result.nodes:
        g = result.group_of[n.name]
        key = twin_of[g.index] if twin_of else g.index
        tail = tails.get(key)
        if tail is None:
            booked = result.booked(n)
            per_node = not static.isdisjoint(map(id, booked))
            if per_node:
                pods = dumps([_pod_entry(w, n.name) for w in booked])
            else:
                pods = "[" + ", ".join(map(entries.__getitem__, map(id, booked))) + "]"
            alloc = None if n.allocatable is None else dict(sorted(n.allocatable.items()))
            tail = ('"allocatable": ' + dumps(alloc) + ', "requested": ' + dumps(result.requested(n))
                    + ', "pods": ' + pods + "}")
            if not per_node:
                tails[key] = tail
        yield '\n    {"name": ' + dumps(n.name) + ', "pool": ' + dumps(n.pool) + ", " + tail


class _PlacementRows:
    """The placements of each workload, one line per node: ``prefix(node) + tail(verdict)``.

    Verdicts are shared objects (one per distinct outcome), so each tail is serialised once per verdict,
    and the per-node work is two C-level maps: pick each node's verdict by its group, then concatenate."""

    def __init__(self, result: PlacementResult):
        self.result = result
        self.prefixes = ['\n      {"node": ' + json.dumps(n.name) for n in result.nodes]
        index = [result.group_of[n.name].index for n in result.nodes]
        if len(index) > 1:
            self.pick: Callable[[list], tuple] = itemgetter(*index)
        else:
            self.pick = lambda seq: tuple(seq[i] for i in index)
        self.tails: dict[int, tuple[Verdict, str]] = {}  # id(verdict) → (verdict kept alive, its tail)
        # Workloads with the same verdict on every node (all run everywhere, say) have the same placement
        # lines: kept by the pattern of verdict ids, within a memory budget (characters).
        self.rows: dict[tuple[int, ...], str] = {}
        self.budget = ROWS_BUDGET

    def _tail(self, v: Verdict) -> str:
        hit = self.tails.get(id(v))
        if hit is None:
            hit = self.tails[id(v)] = (v, json.dumps(_placement("", v))[len('{"node": ""'):])
        return hit[1]

    def _rows(self, per_group: list[Verdict | None]) -> str:
        tail_of = {i: None if v is None else self._tail(v)
                   for i, v in dict(zip(map(id, per_group), per_group, strict=True)).items()}
        tails = map(tail_of.__getitem__, map(id, self.pick(per_group)))
        if None in tail_of.values():  # static pods: placements only on the nodes they are assigned to
            return ",".join([p + t for p, t in zip(self.prefixes, tails, strict=True) if t is not None])
        return ",".join(map(add, self.prefixes, tails))

    def workload_chunk(self, w: Workload) -> str:
        head = json.dumps({"kind": w.kind, "name": w.name, "namespace": w.namespace, "file": w.file,
                           "line": w.line})
        per_group = self.result.verdicts[id(w)]
        pattern = tuple(map(id, per_group))
        rows = self.rows.get(pattern)
        if rows is None:
            rows = self._rows(per_group)
            if self.budget >= len(rows):
                self.budget -= len(rows)
                self.rows[pattern] = rows
        return "\n    " + head[:-1] + ', "placements": [' + rows + ("\n    ]}" if rows else "]}")
