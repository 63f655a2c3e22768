"""The place report of SPEC §6 as a JSON object, and a fast writer for it.

:func:`build_report` returns the object (what the schema validates); :func:`render_json` writes the same
content as text without building a million small dicts first, one node or placement per line, so a
5,000-node fleet serialises in well under a second.  ``json.loads(render_json(r)) == build_report(r)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .codes import Verdict
from .engine import PlacementResult, gc_paused
from .workload import KIND_STATIC, Workload

TOOL_NAME = "kubelint-nodes"


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


def _node_entries(result: PlacementResult) -> list[dict]:
    out = []
    for n in result.nodes:
        out.append({
            "name": n.name,
            "pool": n.pool,
            "allocatable": None if n.allocatable is None else dict(sorted(n.allocatable.items())),
            "requested": result.requested(n),
            "pods": [_pod_entry(w, n.name) for w in result.booked(n)],
        })
    return out


def build_report(result: PlacementResult, version: str | None = None) -> dict:
    return {
        "tool": {"name": TOOL_NAME, "version": version or _tool_version()},
        "assumptions": list(result.assumptions),
        "nodes": _node_entries(result),
        "workloads": [
            {"kind": w.kind, "name": w.name, "namespace": w.namespace, "file": w.file, "line": w.line,
             "placements": [_placement(n.name, v) for n, v in result.placements(w)]}
            for w in result.workloads
        ],
    }


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
    yield ",".join("\n    " + dumps(e) for e in _node_entries(result))
    yield ("\n  ]" if result.nodes else "]") + ',\n  "workloads": ['
    node_rows = [('\n      {"node": ' + dumps(n.name), result.group_of[n.name].index) for n in result.nodes]
    suffix_cache: dict[int, str] = {}
    for i, w in enumerate(result.workloads):
        with gc_paused():
            chunk = _workload_chunk(w, result, node_rows, suffix_cache)
        yield ("," if i else "") + chunk
    yield "\n  ]\n}\n" if result.workloads else "]\n}\n"


def _workload_chunk(w: Workload, result: PlacementResult, node_rows: list[tuple[str, int]],
                    suffix_cache: dict[int, str]) -> str:
    """One workload's JSON: one tail per group (verdicts are shared objects), one concatenation per node."""
    dumps = json.dumps
    head = dumps({"kind": w.kind, "name": w.name, "namespace": w.namespace, "file": w.file, "line": w.line})
    tails: list[str | None] = []
    for v in result.verdicts[id(w)]:
        if v is None:
            tails.append(None)
            continue
        s = suffix_cache.get(id(v))
        if s is None:
            s = dumps(_placement("", v))[len('{"node": ""'):]
            suffix_cache[id(v)] = s
        tails.append(s)
    rows = [prefix + tails[gi] for prefix, gi in node_rows if tails[gi] is not None]
    return "\n    " + head[:-1] + ', "placements": [' + ",".join(rows) + ("\n    ]}" if rows else "]}")
