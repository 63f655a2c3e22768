"""Single-node vectors whose outcomes are facts from Kubernetes' own test tables (see the YAML's header).

Each case builds one node the way the compact inventory describes it and one workload, runs the placement
engine, and checks ``runs``, ``targeted`` and the reason codes against the Kubernetes test it cites.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubelint_nodes.inventory.model import (
    Condition,
    ExistingUsage,
    HostPort,
    Inventory,
    Node,
    Taint,
    with_implied_taints,
)
from kubelint_nodes.placement import place, workload_from_object
from kubelint_nodes.placement.codes import REASON_CODES
from kubelint_nodes.quantity import parse_resource_list

VECTORS = Path(__file__).parent / "fixtures" / "placement" / "k8s-vectors.yaml"
CASES = yaml.safe_load(VECTORS.read_text(encoding="utf-8"))["cases"]


def compact_node(d: dict) -> Node:
    """A compact-inventory node item as the inventory loader resolves it (SPEC §5): conditions and the
    cordon imply taints; quantities in base units."""
    conditions = [Condition(c["type"], c["status"]) for c in d.get("conditions", [])]
    taints = [Taint(t["key"], t.get("value", ""), t["effect"]) for t in d.get("taints", [])]
    unschedulable = bool(d.get("unschedulable", False))
    ex = d.get("existing", {})
    return Node(
        name=d["name"],
        labels={str(k): str(v) for k, v in (d.get("labels") or {}).items()},
        taints=with_implied_taints(taints, conditions, unschedulable),
        unschedulable=unschedulable,
        conditions=conditions,
        allocatable=parse_resource_list(d["allocatable"]) if "allocatable" in d else None,
        existing=ExistingUsage(
            requests=parse_resource_list(ex.get("requests", {})),
            pods=ex.get("pods", 0),
            host_ports=[HostPort(p["hostPort"], p.get("protocol", "TCP"), p.get("hostIP", ""))
                        for p in ex.get("hostPorts", [])],
        ),
    )


def workload(case: dict):
    w = case["workload"]
    meta = {"name": case["id"], "namespace": w.get("namespace", "default")}
    if w["kind"] == "DaemonSet":
        obj = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
               "spec": {"template": {"metadata": {"labels": {"app": case["id"]}}, "spec": w["spec"]}}}
    else:
        obj = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": w["spec"]}
    return workload_from_object(obj, "vectors.yaml", 1, static=w["kind"] == "StaticPod")


def run_case(case: dict):
    node = compact_node(case["node"])
    w = workload(case)
    static = {}
    if w.kind == "StaticPod":
        from kubelint_nodes.inventory.model import StaticPodAssignment

        node.static_pods = [StaticPodAssignment(w.file)]
        static = {w.file: w}
        result = place(Inventory(nodes=[node]), [], static_pods=static)
    else:
        result = place(Inventory(nodes=[node]), [w])
    return result.verdict(w, node.name)


def test_enough_vectors_with_sources() -> None:
    assert len(CASES) >= 80
    assert len({c["id"] for c in CASES}) == len(CASES)
    for c in CASES:
        assert c["source"].startswith("kubernetes/kubernetes "), c["id"]
        assert set(c["expect"]["reasons"]) <= set(REASON_CODES), c["id"]
        # runs and reasons are consistent: a workload that runs has no reason, one that does not has some
        assert c["expect"]["runs"] == (not c["expect"]["reasons"]), c["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_kubernetes_vector(case: dict) -> None:
    v = run_case(case)
    assert v is not None
    got = {"runs": v.runs, "targeted": v.targeted, "reasons": list(v.codes)}
    assert got == case["expect"], (case["source"], [r.detail for r in v.reasons])
