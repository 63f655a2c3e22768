"""What makes ``place`` scale must not change a single verdict: groups of identical nodes, twins (groups
that differ only in labels no workload reads, evaluated once), the inline fit path, and the fast writers.

The reference is placement one node at a time: booking is per node, so a node's verdicts cannot depend on
the other nodes of the inventory.  Every verdict (codes, detail text, stage) and every booking must be the
same in a fleet as alone.
"""

from __future__ import annotations

import json
import random

import pytest
from test_placement_engine import ds, node, pod, req

from kubelint_nodes.inventory.model import ExistingUsage, HostPort, Inventory, KubeletInfo, StaticPodAssignment
from kubelint_nodes.placement import place
from kubelint_nodes.placement.report import build_report, dumps_indented, render_json
from kubelint_nodes.placement.text import render_matrix, render_text


def _fleet(seed: int, size: int = 80) -> list:
    """Nodes with labels nobody reads (rack), labels some workloads read (zone, tier), and a few kinds of
    taint, allocatable and usage: many groups, far fewer twins."""
    rnd = random.Random(seed)
    out = []
    for i in range(size):
        pool = rnd.choice(["a", "b", None])
        labels = {"rack": f"r{rnd.randrange(9)}", "zone": rnd.choice(["z1", "z2"]), "tier": rnd.choice(["t0", "t1"])}
        taints = [("dedicated", "gpu", "NoSchedule")] if rnd.random() < 0.2 else []
        conditions = [("DiskPressure", "True")] if rnd.random() < 0.05 else []
        pods = rnd.choice(["4", "6", "110"])
        out.append(node(f"n-{i:03d}", pool, labels=labels, taints=taints, conditions=conditions,
                        unschedulable=rnd.random() < 0.05,
                        alloc={"cpu": rnd.choice(["2", "4"]), "memory": "8Gi", "pods": pods},
                        existing=ExistingUsage({"cpu": rnd.choice([0, 1500])}, rnd.choice([0, 2]),
                                               [HostPort(9100)] if rnd.random() < 0.2 else [])))
    return out


def _workloads(split_midway: bool = False) -> list:
    """``split_midway`` adds a DaemonSet, booked in the middle of the order, that reads the rack label: the
    sets of twins must then split, each part taking what was booked before."""
    field_term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n-003"]}],
                  "matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}
    return [
        ds("exporter", {"containers": [{"name": "c", "resources": {"requests": {"cpu": "300m"}},
                                        "ports": [{"containerPort": 9100, "hostPort": 9100}]}]}),
        ds("tolerant", {**req(cpu="700m"), "tolerations": [{"operator": "Exists"}]}),
        ds("tier0", {"nodeSelector": {"tier": "t0"}, **req(cpu="900m", memory="1Gi")}),
        ds("big", req(cpu="1500m")),
        ds("small-1", req(cpu="100m")),
        ds("small-2", req(cpu="100m")),
        ds("small-3", req(cpu="100m")),
        ds("by-host", {"nodeSelector": {"kubernetes.io/hostname": "n-005"}}),
        ds("by-field", {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [field_term]}}}}),
        ds("critical", {"priorityClassName": "system-node-critical", **req(cpu="3")}),
        pod("pinned", {"nodeName": "n-007", **req(cpu="1")}),
        pod("floating", {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}}},
            **req(cpu="1200m")}),
    ] + ([ds("m-rack", {"nodeSelector": {"rack": "r3"}, **req(cpu="600m")})] if split_midway else [])


def _alone(nodes: list, workloads: list) -> dict:
    out = {}
    for n in nodes:
        r = place(Inventory(nodes=[n]), workloads)
        for w in r.workloads:
            v = r.verdict(w, n)
            if v is not None:
                out[(w.name, n.name)] = v
        out[("requested", n.name)] = r.requested(n)
        out[("booked", n.name)] = [w.name for w in r.booked(n)]
    return out


@pytest.mark.parametrize("split_midway", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fleet_verdicts_equal_one_node_at_a_time(seed: int, split_midway: bool) -> None:
    nodes = _fleet(seed)
    fleet = place(Inventory(nodes=nodes), _workloads(split_midway))
    if not split_midway:
        assert fleet.twin_of, "the fleet should have twins (rack is read by no workload)"
        assert len(set(fleet.twin_of)) < len(fleet.groups)
    got = {}
    for w in fleet.workloads:
        for n, v in fleet.placements(w):
            got[(w.name, n.name)] = v
    for n in fleet.nodes:
        got[("requested", n.name)] = fleet.requested(n)
        got[("booked", n.name)] = [w.name for w in fleet.booked(n)]
    assert got == _alone(nodes, _workloads(split_midway))  # Verdict equality: codes, details, stage, flags


def test_match_fields_details_stay_exact_within_a_group() -> None:
    """Nodes that differ only by name but fail different requirements of one term get different details."""
    labels = {"zone": "z2"}
    nodes = [node("n-003", labels=labels), node("n-004", labels=labels)]
    fleet = place(Inventory(nodes=nodes), _workloads())
    w = next(w for w in fleet.workloads if w.name == "by-field")
    d3 = fleet.verdict(w, "n-003").reasons[0].detail
    d4 = fleet.verdict(w, "n-004").reasons[0].detail
    assert d3 == "required node affinity needs zone In [z1]"
    assert d4 == "required node affinity needs zone In [z1], metadata.name In [n-003]"


def test_static_pods_on_twins_are_booked_once_per_node() -> None:
    kubelet = KubeletInfo(present=True, static_pod_path="/etc/kubernetes/manifests", source="k.yaml")
    assign = [StaticPodAssignment("manifests/etcd.yaml", "/etc/kubernetes/manifests")]
    nodes = [node(f"cp-{i}", "cp", labels={"rack": f"r{i}"}, alloc={"cpu": "2", "memory": "4Gi", "pods": "3"},
                  kubelet=kubelet, static=assign) for i in range(4)]
    etcd = pod("etcd", {**req(cpu="1500m")}, ns="kube-system", file="manifests/etcd.yaml", static=True)
    fleet = place(Inventory(nodes=nodes), [etcd, ds("agent", req(cpu="600m"))],
                  static_pods={"manifests/etcd.yaml": etcd})
    assert len(fleet.groups) == 4 and len(set(fleet.twin_of)) == 1
    for n in fleet.nodes:
        assert fleet.requested(n) == {"cpu": 1500, "memory": 0, "pods": 1}
        assert [w.name for w in fleet.booked(n)] == ["etcd"]
        agent = next(w for w in fleet.workloads if w.name == "agent")
        assert fleet.verdict(agent, n).codes == ("insufficient-cpu",)


@pytest.mark.parametrize("seed", [5, 6])
def test_fast_json_writer_equals_the_report_object(seed: int) -> None:
    nodes = _fleet(seed, 40) + [node("zz-no-alloc", labels={"rack": "r1"})]
    etcd = pod("etcd", req(cpu="100m"), ns="kube-system", file="manifests/etcd.yaml", static=True)
    kubelet = KubeletInfo(present=True, static_pod_path="/etc/kubernetes/manifests", source="k.yaml")
    nodes.append(node("cp-1", "cp", kubelet=kubelet, alloc={"cpu": "2", "memory": "4Gi", "pods": "10"},
                      static=[StaticPodAssignment("manifests/etcd.yaml", "/etc/kubernetes/manifests")]))
    r = place(Inventory(nodes=nodes), [*_workloads(), etcd], static_pods={"manifests/etcd.yaml": etcd})
    text = render_json(r, "1.2.3")
    assert json.loads(text) == build_report(r, "1.2.3")
    assert text.endswith("\n  ]\n}\n")
    # the layout: one node and one placement per line
    assert '\n      {"node": "n-000", "targeted": ' in text
    assert '\n    {"name": "cp-1", "pool": "cp", ' in text


def test_text_matrix_names_the_file_of_workloads_that_share_a_name() -> None:
    nodes = [node("n-1", alloc={"cpu": "2", "memory": "4Gi", "pods": "10"})]
    a = ds("agent", req(cpu="100m"), ns="mon", file="a/agent.yaml")
    b = ds("agent", req(cpu="100m"), ns="mon", file="b/agent.yaml")
    c = ds("agent", req(cpu="100m"), ns="mon", file="b/agent.yaml", line=20)
    other = ds("other", req(cpu="100m"), ns="mon", file="a/agent.yaml", line=30)
    matrix = render_matrix(place(Inventory(nodes=nodes), [a, b, c, other]))
    rows = [line.split("  ")[0] for line in matrix.splitlines()[2:6]]
    assert rows == ["DaemonSet mon/agent (a/agent.yaml)", "DaemonSet mon/other",
                    "DaemonSet mon/agent (b/agent.yaml:1)", "DaemonSet mon/agent (b/agent.yaml:20)"]


def test_text_report_of_a_large_pool_is_summarised_per_pool() -> None:
    members = [node(f"p-{i}", "p", alloc={"cpu": "4", "memory": "8Gi", "pods": "110"}) for i in range(1, 2001)]
    r = place(Inventory(nodes=members), _workloads())
    assert len(r.groups) == 1
    out = render_text(r)
    assert "\nworkload                    p (2000)\n" in out
    assert [line.split()[-1] for line in out.splitlines() if line.startswith("DaemonSet default/small-")] == ["✓"] * 3
    booking = out.split("Booking (requested / allocatable)\n")[1].split("\n\n")[0].splitlines()
    assert len(booking) == 3 and booking[2].startswith("p-1 … p-999 (2000)  p       3600m / 4  0 / 8Gi   5 / 110")


def test_indented_writer_is_json_dumps_indent_2() -> None:
    """The drill-down writer reuses the text of shared and repeated containers; the bytes must not change,
    also where values compare equal but encode differently (True, 1, 1.0)."""
    rnd = random.Random(7)

    def value(depth: int) -> object:
        r = rnd.random()
        if depth > 3 or r < 0.4:
            return rnd.choice([True, False, 1, 0, 1.0, 2.5, None, "x", "é", "a\nb", "", -3, 10**20])
        if r < 0.7:
            return [value(depth + 1) for _ in range(rnd.randrange(4))]
        return {rnd.choice("abcde"): value(depth + 1) for _ in range(rnd.randrange(4))}

    shared = {"k": [1, True]}
    for _ in range(500):
        doc = {"a": value(0), "b": [value(0), shared, {"k": [1, True]}, {"k": [True, 1.0]}], "c": shared}
        assert dumps_indented(doc) == json.dumps(doc, indent=2)
    nodes = _fleet(8, 30)
    r = place(Inventory(nodes=nodes), _workloads(split_midway=True))
    w = next(w for w in r.workloads if w.name == "tier0")
    for kw in ({}, {"workloads": [w]}, {"node": nodes[3]}, {"workloads": [w], "node": nodes[3]}):
        rep = build_report(r, "1.2.3", **kw)
        assert dumps_indented(rep) == json.dumps(rep, indent=2)
    narrowed = build_report(r, "1.2.3", workloads=[w], node=nodes[3])
    full = build_report(r, "1.2.3")
    assert narrowed["nodes"] == [n for n in full["nodes"] if n["name"] == nodes[3].name]
    assert narrowed["workloads"] == [
        {**x, "placements": [p for p in x["placements"] if p["node"] == nodes[3].name]}
        for x in full["workloads"] if x["name"] == "tier0"]
