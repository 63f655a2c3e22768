"""The placement engine on multi-node fleets: stages, booking order, static pods, grouping, the report.

Expected outcomes follow SPEC §6 and reference/placement-semantics.md (R-numbers in each test's docstring).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kubelint_nodes.inventory.model import (
    Condition,
    ExistingUsage,
    HostPort,
    Inventory,
    KubeletInfo,
    Node,
    StaticPodAssignment,
    Taint,
    implied_taints,
    with_implied_taints,
)
from kubelint_nodes.placement import place, workload_from_object
from kubelint_nodes.placement.report import build_report, render_json
from kubelint_nodes.placement.requests import host_ports, pod_requests
from kubelint_nodes.placement.text import render_text
from kubelint_nodes.placement.workload import PriorityClasses
from kubelint_nodes.quantity import QuantityError, parse_resource_list, to_base_units

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GiB = 2**30


def node(name: str, pool: str | None = None, *, labels: dict | None = None, taints=(), conditions=(),
         unschedulable: bool = False, alloc: dict | None = None, existing: ExistingUsage | None = None,
         kubelet: KubeletInfo | None = None, static: list[StaticPodAssignment] | None = None) -> Node:
    conds = [Condition(*c) for c in conditions]
    ts = [Taint(*t) for t in taints]
    lab = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", **(labels or {})}
    if pool:
        lab["kubelint-nodes.io/pool"] = pool
    return Node(name=name, pool=pool, labels=lab, taints=with_implied_taints(ts, conds, unschedulable),
                unschedulable=unschedulable, conditions=conds,
                allocatable=None if alloc is None else parse_resource_list(alloc),
                existing=existing or ExistingUsage(), kubelet=kubelet or KubeletInfo(),
                static_pods=static or [])


def ds(name: str, spec: dict | None = None, ns: str = "default", file: str = "ds.yaml", line: int = 1,
       classes: PriorityClasses | None = None):
    obj = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": ns},
           "spec": {"template": {"spec": spec or {}}}}
    return workload_from_object(obj, file, line, classes=classes)


def pod(name: str, spec: dict | None = None, ns: str = "default", file: str = "pod.yaml", line: int = 1,
        static: bool = False, labels: dict | None = None):
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
           "spec": spec or {}}
    return workload_from_object(obj, file, line, static=static)


def req(cpu: str | None = None, memory: str | None = None, **extra: str) -> dict:
    r = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    r.update({k.replace("_", "."): v for k, v in extra.items()})
    return {"containers": [{"name": "c", "resources": {"requests": r}}]}


def codes(result, w, n: str) -> list[str]:
    return list(result.verdict(w, n).codes)


# --- quantities and primitives --------------------------------------------------------------------------

@pytest.mark.parametrize("resource,value,expected", [
    ("cpu", "1.5", 1500), ("cpu", "100m", 100), ("cpu", 32, 32000), ("cpu", 0.5, 500), ("cpu", "1u", 1),
    ("memory", "500m", 1), ("memory", "1000M", 10**9), ("memory", "1Gi", GiB), ("memory", "4G", 4 * 10**9),
    ("memory", "1e3", 1000), ("memory", ".5Ki", 512), ("pods", "110", 110), ("nvidia.com/gpu", 8, 8),
])
def test_quantities_in_base_units(resource, value, expected) -> None:
    """R1.8: CPU in millicores rounded up, everything else in whole units rounded up."""
    assert to_base_units(resource, value) == expected


def test_quantity_comparisons_of_r1_8() -> None:
    assert to_base_units("memory", "1000M") <= to_base_units("memory", "1Gi")
    assert to_base_units("memory", "1100M") > to_base_units("memory", "1Gi")
    assert to_base_units("memory", "4Gi") > to_base_units("memory", "4G")


@pytest.mark.parametrize("bad", ["1.2.3", "abc", "1GiB", "", True, None, [], "1e999"])
def test_bad_quantities_raise(bad) -> None:
    with pytest.raises(QuantityError):
        to_base_units("memory", bad)


def test_condition_taints_of_r2_6a() -> None:
    got = implied_taints([Condition("Ready", "False"), Condition("DiskPressure", "True"),
                          Condition("MemoryPressure", "False")], unschedulable=True)
    assert [str(t) for t in got] == ["node.kubernetes.io/not-ready:NoSchedule",
                                      "node.kubernetes.io/not-ready:NoExecute",
                                      "node.kubernetes.io/disk-pressure:NoSchedule",
                                      "node.kubernetes.io/unschedulable:NoSchedule"]
    assert [str(t) for t in implied_taints([Condition("Ready", "Unknown")], False)] == [
        "node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"]
    assert implied_taints([], False) == []  # a missing Ready condition means Ready
    listed = [Taint("node.kubernetes.io/not-ready", "", "NoExecute")]
    merged = with_implied_taints(listed, [Condition("Ready", "False")], False)
    assert [str(t) for t in merged] == ["node.kubernetes.io/not-ready:NoExecute",
                                         "node.kubernetes.io/not-ready:NoSchedule"]


def test_sidecar_before_init_container_adds_to_it() -> None:
    """R3.8.2-3: a sidecar declared before a big init container adds to that init container's need."""
    spec = {"containers": [{"name": "app", "resources": {"requests": {"cpu": "200m"}}}],
            "initContainers": [
                {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
                {"name": "init", "resources": {"requests": {"cpu": "500m"}}}]}
    assert pod_requests(spec) == {"cpu": 600}
    spec["initContainers"].reverse()
    assert pod_requests(spec) == {"cpu": 500}


def test_limits_default_requests_pod_level_and_overhead() -> None:
    """R3.9.1 limits become requests per resource; R3.8.4 pod-level requests replace the aggregate;
    R3.9.3 pod-level limits alone default the pod-level request; R3.8.5 overhead is added."""
    spec = {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "nvidia.com/gpu": 2},
                                                       "requests": {"cpu": "250m"}}}]}
    assert pod_requests(spec) == {"cpu": 250, "nvidia.com/gpu": 2}
    spec = {"containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}}}],
            "resources": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}},
            "overhead": {"cpu": "50m", "memory": "10Mi"}}
    assert pod_requests(spec) == {"cpu": 1050, "memory": GiB + 10 * 2**20}


def test_host_ports_with_host_network_and_init_containers() -> None:
    """R3.6.1 and R3.9.2: hostNetwork turns container ports into host ports; ordinary init containers'
    ports are ignored, sidecars' are counted; protocol defaults to TCP."""
    spec = {"hostNetwork": True,
            "containers": [{"name": "a", "ports": [{"containerPort": 9100}, {"containerPort": 53,
                                                                               "protocol": "UDP"}]}],
            "initContainers": [{"name": "i", "ports": [{"containerPort": 7000}]},
                               {"name": "s", "restartPolicy": "Always", "ports": [{"containerPort": 7001}]}]}
    assert host_ports(spec) == [HostPort(9100, "TCP", ""), HostPort(53, "UDP", ""), HostPort(7001, "TCP", "")]
    assert host_ports({"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}) == []


# --- DaemonSets ------------------------------------------------------------------------------------------

def test_daemonset_network_unavailable_needs_host_network() -> None:
    """R2.2: the network-unavailable toleration is added only for hostNetwork pods."""
    inv = Inventory(nodes=[node("n1", conditions=[("NetworkUnavailable", "True")])])
    plain, cni = ds("plain"), ds("cni", {"hostNetwork": True})
    r = place(inv, [plain, cni])
    assert codes(r, plain, "n1") == ["untolerated-taint"]
    assert r.verdict(plain, "n1").reasons[0].detail == "node.kubernetes.io/network-unavailable:NoSchedule"
    assert r.verdict(cni, "n1").runs


def test_daemonset_does_not_tolerate_not_ready_no_schedule() -> None:
    """S1 / R2.6a: a NotReady node carries not-ready:NoSchedule, which daemon pods do not tolerate."""
    inv = Inventory(nodes=[node("n1", conditions=[("Ready", "False")])])
    w = ds("agent")
    r = place(inv, [w])
    v = r.verdict(w, "n1")
    assert (v.runs, v.targeted, v.codes) == (False, False, ("untolerated-taint",))
    assert v.reasons[0].detail == "node.kubernetes.io/not-ready:NoSchedule"


def test_daemonset_on_disk_pressure_node_needs_to_be_critical() -> None:
    """R2.7 / R4.4: the pod is scheduled (pressure taints are tolerated) but the kubelet refuses it unless
    it is critical."""
    inv = Inventory(nodes=[node("n1", conditions=[("DiskPressure", "True")])])
    plain = ds("plain")
    crit = ds("crit", {"priorityClassName": "system-node-critical"})
    r = place(inv, [plain, crit])
    v = r.verdict(plain, "n1")
    assert (v.runs, v.targeted, v.codes) == (False, True, ("node-pressure-admission",))
    assert r.verdict(crit, "n1").runs


def test_daemonset_template_node_name_still_respects_taints() -> None:
    """S3 / R2.9: unlike a bare pinned Pod, a DaemonSet with nodeName skips a NoSchedule-tainted node."""
    inv = Inventory(nodes=[node("n1", taints=[("dedicated", "x", "NoSchedule")])])
    d = ds("d", {"nodeName": "n1"})
    p = pod("p", {"nodeName": "n1"})
    r = place(inv, [d, p])
    assert codes(r, d, "n1") == ["untolerated-taint"]
    assert r.verdict(p, "n1").runs


def test_controller_stage_reports_every_failing_check() -> None:
    """SPEC §6: every failing check of the first failing stage (selector and taint together)."""
    inv = Inventory(nodes=[node("gpu-1", taints=[("nvidia.com/gpu", "present", "NoSchedule")])])
    w = ds("d", {"nodeSelector": {"disk": "ssd"},
                 "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                     "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "Exists"}]}]}}}})
    v = place(inv, [w]).verdict(w, "gpu-1")
    assert v.codes == ("node-selector-mismatch", "node-affinity-mismatch", "untolerated-taint")
    assert not v.selected and not v.targeted


def test_empty_node_selector_term_matches_nothing_and_not_in_matches_missing_label() -> None:
    """S4 / R1.5.3, R1.6."""
    inv = Inventory(nodes=[node("n1")])
    empty = ds("empty", {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{}]}}}})
    notin = ds("notin", {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "NotIn", "values": ["x"]}]}]}}}})
    r = place(inv, [empty, notin])
    assert codes(r, empty, "n1") == ["node-affinity-mismatch"]
    assert r.verdict(notin, "n1").runs


def test_comparison_toleration_operators_are_off() -> None:
    """R1.3: Lt/Gt tolerations need an alpha gate that is off by default: they never tolerate."""
    inv = Inventory(nodes=[node("n1", taints=[("score", "5", "NoSchedule")])])
    w = ds("d", {"tolerations": [{"key": "score", "operator": "Gt", "value": "1", "effect": "NoSchedule"}]})
    assert codes(place(inv, [w]), w, "n1") == ["untolerated-taint"]


# --- Pods ------------------------------------------------------------------------------------------------

def test_pinned_pod_ignores_cordon_and_no_schedule_but_not_no_execute() -> None:
    """R4.1 / R4.2.6; SPEC §6 assumes the DefaultTolerationSeconds not-ready/unreachable tolerations."""
    inv = Inventory(nodes=[
        node("cordoned", unschedulable=True, taints=[("x", "", "NoSchedule")]),
        node("noexec", taints=[("y", "", "NoExecute")]),
        node("unreach", taints=[("node.kubernetes.io/unreachable", "", "NoExecute")]),
    ])
    ws = {n: pod(f"p-{n}", {"nodeName": n}) for n in ("cordoned", "noexec", "unreach")}
    r = place(inv, list(ws.values()))
    assert r.verdict(ws["cordoned"], "cordoned").runs
    assert codes(r, ws["noexec"], "noexec") == ["untolerated-taint"]
    assert r.verdict(ws["noexec"], "noexec").targeted
    assert r.verdict(ws["unreach"], "unreach").runs
    v = r.verdict(ws["cordoned"], "noexec")
    assert (v.targeted, v.selected, v.codes) == (False, False, ("node-name-mismatch",))


def test_unpinned_pod_on_cordoned_node_gets_both_filter_reasons() -> None:
    """R3.2 + R3.4: the cordon and its taint both fail in the scheduler-filters stage."""
    inv = Inventory(nodes=[node("n1", unschedulable=True)])
    w = pod("p")
    v = place(inv, [w]).verdict(w, "n1")
    assert (v.runs, v.targeted, v.selected) == (False, False, True)
    assert v.codes == ("untolerated-taint", "node-unschedulable")


def test_pods_without_node_name_are_not_booked() -> None:
    inv = Inventory(nodes=[node("n1", alloc={"cpu": "1", "memory": "1Gi", "pods": "110"})])
    a, b = pod("a", req(cpu="800m")), pod("b", req(cpu="800m"))
    r = place(inv, [a, b])
    assert r.verdict(a, "n1").runs and r.verdict(b, "n1").runs  # each is feasible; neither is booked
    assert r.requested("n1") == {"cpu": 0, "memory": 0, "pods": 0}
    assert "Pods without nodeName are not booked on any node" in r.assumptions


def test_best_effort_pod_under_memory_pressure_unless_tolerated() -> None:
    """R4.4: MemoryPressure alone refuses only BestEffort pods that do not tolerate the taint."""
    inv = Inventory(nodes=[node("n1", conditions=[("MemoryPressure", "True")])])
    be = pod("be", {"nodeName": "n1"})
    tol = pod("tol", {"nodeName": "n1", "tolerations": [
        {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"}]})
    r = place(inv, [be, tol])
    assert codes(r, be, "n1") == ["node-pressure-admission"]
    assert r.verdict(tol, "n1").runs


# --- booking ---------------------------------------------------------------------------------------------

def test_booking_order_existing_static_pinned_then_daemonsets_by_priority() -> None:
    """SPEC §6 booking order; the higher-priority DaemonSet wins the contested host port even though its
    name sorts later, and the loser's detail names the holder."""
    n = node("n1", alloc={"cpu": "2", "memory": "4Gi", "pods": "110"},
             existing=ExistingUsage({"cpu": 500}, 3, [HostPort(9000)]),
             static=[StaticPodAssignment("manifests/etcd.yaml")])
    etcd = pod("etcd", {**req(cpu="500m"), "hostNetwork": True}, ns="kube-system", file="manifests/etcd.yaml",
               static=True)
    etcd.spec["containers"][0]["ports"] = [{"containerPort": 2379}]
    pinned = pod("pinned", {**req(cpu="500m"), "nodeName": "n1"})
    low = ds("a-low", {"containers": [{"name": "c", "ports": [{"containerPort": 9100, "hostPort": 9100}]}]})
    high = ds("z-high", {"priorityClassName": "system-node-critical",
                         "containers": [{"name": "c", "ports": [{"containerPort": 9100, "hostPort": 9100}]}]})
    clash = ds("clash", {"containers": [{"name": "c", "ports": [{"containerPort": 9000, "hostPort": 9000}]}]})
    big = ds("big", req(cpu="1"))
    r = place(Inventory(nodes=[n]), [low, high, clash, big, pinned], static_pods={"manifests/etcd.yaml": etcd})
    assert r.verdict(high, "n1").runs
    v = r.verdict(low, "n1")
    assert v.codes == ("host-port-conflict",) and "DaemonSet default/z-high" in v.reasons[0].detail
    assert "existing usage" in r.verdict(clash, "n1").reasons[0].detail
    assert codes(r, big, "n1") == ["insufficient-cpu"]  # 500 existing + 500 etcd + 500 pinned + 1000 > 2000
    assert [w.name for w in r.booked("n1")] == ["etcd", "pinned", "z-high"]
    assert r.requested("n1") == {"cpu": 1500, "memory": 0, "pods": 6}


def test_priority_classes_from_the_input() -> None:
    classes = PriorityClasses()
    classes.add({"kind": "PriorityClass", "metadata": {"name": "agents"}, "value": 5000})
    classes.add({"kind": "PriorityClass", "metadata": {"name": "base"}, "value": 10, "globalDefault": True})
    assert ds("a", {"priorityClassName": "agents"}, classes=classes).priority == 5000
    assert ds("b", {}, classes=classes).priority == 10
    assert ds("c", {"priorityClassName": "system-cluster-critical"}).priority == 2000000000
    unknown = ds("d", {"priorityClassName": "nope"})
    assert unknown.priority == 0 and "not in the input" in unknown.notes[0]


# --- static pods -----------------------------------------------------------------------------------------

def _static_case(spp: str | None, manifest: str = "m/etcd.yaml", directory: str = "/etc/kubernetes/manifests",
                 present: bool = True, spec: dict | None = None, version=(1, 36)):
    n = node("cp-1", kubelet=KubeletInfo(present=present, static_pod_path=spp, source="kubelet.yaml"),
             static=[StaticPodAssignment(manifest, directory)])
    w = pod("etcd", spec or {}, ns="kube-system", file=manifest, static=True)
    r = place(Inventory(nodes=[n]), [], static_pods={manifest: w}, kubernetes_version=version)
    return r, w, r.verdict(w, "cp-1")


@pytest.mark.parametrize("spp,manifest,expected", [
    ("/etc/kubernetes/manifests", "m/etcd.yaml", []),
    ("/etc/kubernetes/manifests/", "m/etcd.yaml", []),
    ("/etc/kubernetes/manifests/etcd.yaml", "m/etcd.yaml", []),  # staticPodPath names the file itself
    ("/etc/kubernetes/manifests", "m/.etcd.yaml", ["not-in-static-pod-path"]),  # dot-file skipped
    ("/etc/kubernetes", "m/etcd.yaml", ["not-in-static-pod-path"]),  # not recursive
    ("/etc/kubelet.d", "m/etcd.yaml", ["not-in-static-pod-path"]),
    (None, "m/etcd.yaml", ["static-pods-disabled"]),
    ("", "m/etcd.yaml", ["static-pods-disabled"]),
])
def test_static_pod_path_selection(spp, manifest, expected) -> None:
    """R5.1, R5.2, SPEC §5: directory (non-recursive, dot-files skipped) or exact file; a config without
    staticPodPath disables static pods. Static pods are always targeted where assigned."""
    r, w, v = _static_case(spp, manifest)
    assert list(v.codes) == expected and v.targeted
    assert v.runs == (not expected)


def test_node_without_kubelet_config_reads_static_pods_path() -> None:
    r, w, v = _static_case(None, present=False)
    assert v.runs
    assert "Nodes without a kubelet config are assumed to read static pods from staticPods.path" in r.assumptions


def test_static_pod_api_references_refused_since_1_34() -> None:
    """R5.4: serviceAccountName, Secret/ConfigMap references and such volumes make the kubelet refuse it."""
    spec = {"serviceAccountName": "etcd",
            "containers": [{"name": "c", "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cm",
                                                                                               "key": "k"}}}]}],
            "volumes": [{"name": "certs", "secret": {"secretName": "s"}}, {"name": "h", "hostPath": {"path": "/x"}},
                        {"name": "tok", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]}
    r, w, v = _static_case("/etc/kubernetes/manifests", spec=spec)
    assert v.codes == ("static-pod-api-reference",)
    detail = v.reasons[0].detail
    for part in ("serviceAccountName 'etcd'", "ConfigMap 'cm'", "volume 'certs': Secret",
                 "projected ServiceAccount token"):
        assert part in detail
    assert "'h'" not in detail
    r, w, v = _static_case("/etc/kubernetes/manifests", spec=spec, version=(1, 33))
    assert v.runs and any("Before v1.34" in a for a in r.assumptions)


def test_static_pod_references_with_empty_names_are_not_refused() -> None:
    """R5.4: ``VisitPodSecretNames``/``VisitPodConfigmapNames`` skip empty names (``skipEmptyNames``), so an
    unnamed imagePullSecret, envFrom or secretRef is no API reference; a named one still is."""
    spec = {"imagePullSecrets": [{"name": ""}, {}],
            "containers": [{"name": "c", "envFrom": [{"configMapRef": {}}, {"secretRef": {"name": ""}}],
                            "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"key": "k"}}}]}],
            "volumes": [{"name": "ceph", "rbd": {"image": "i", "secretRef": {}}}]}
    r, w, v = _static_case("/etc/kubernetes/manifests", spec=spec)
    assert v.runs and v.codes == ()
    spec["containers"][0]["envFrom"][1]["secretRef"]["name"] = "creds"
    r, w, v = _static_case("/etc/kubernetes/manifests", spec=spec)
    assert v.codes == ("static-pod-api-reference",)
    assert v.reasons[0].detail.endswith("references API objects: container 'c' envFrom Secret 'creds'")


def test_static_pods_ignore_taints_but_not_selectors_and_ports() -> None:
    """R5.5: taints and cordons never stop a static pod; its selector and host ports are enforced."""
    n = node("cp-1", unschedulable=True, taints=[("node-role.kubernetes.io/control-plane", "", "NoSchedule"),
                                                  ("x", "", "NoExecute")],
             static=[StaticPodAssignment("m/a.yaml"), StaticPodAssignment("m/b.yaml"),
                     StaticPodAssignment("m/c.yaml")])
    port = {"hostNetwork": True, "containers": [{"name": "c", "ports": [{"containerPort": 6443}]}]}
    a = pod("apiserver", port, file="m/a.yaml", static=True)
    b = pod("other", port, file="m/b.yaml", static=True)
    c = pod("sel", {"nodeSelector": {"disk": "ssd"}}, file="m/c.yaml", static=True)
    r = place(Inventory(nodes=[n]), [], static_pods={"m/a.yaml": a, "m/b.yaml": b, "m/c.yaml": c})
    assert r.verdict(a, "cp-1").runs
    assert codes(r, b, "cp-1") == ["host-port-conflict"]
    v = r.verdict(c, "cp-1")
    assert v.codes == ("node-selector-mismatch",) and v.targeted and not v.selected


def test_static_pod_duplicates_keep_the_file_sorting_last() -> None:
    """R5.2.7: two manifests with the same namespace/name in one directory: the last file wins."""
    n = node("cp-1", static=[StaticPodAssignment("m/etcd-new.yaml"), StaticPodAssignment("m/etcd-old.yaml")])
    new = pod("etcd", {}, file="m/etcd-new.yaml", static=True)
    old = pod("etcd", {}, file="m/etcd-old.yaml", static=True)
    r = place(Inventory(nodes=[n]), [], static_pods={"m/etcd-new.yaml": new, "m/etcd-old.yaml": old})
    assert r.verdict(old, "cp-1").runs
    v = r.verdict(new, "cp-1")
    assert v.codes == ("not-in-static-pod-path",) and "m/etcd-old.yaml" in v.reasons[0].detail


def test_static_pod_resources_are_judged_after_eviction() -> None:
    """R4.3 / SPEC §6: a static pod lacks resources only beyond allocatable minus other static pods."""
    n = node("cp-1", alloc={"cpu": "2", "memory": "4Gi", "pods": "110"},
             existing=ExistingUsage({"cpu": 1800}, 50),
             static=[StaticPodAssignment("m/a.yaml"), StaticPodAssignment("m/b.yaml")])
    a = pod("a", req(cpu="1500m"), file="m/a.yaml", static=True)
    b = pod("b", req(cpu="600m"), file="m/b.yaml", static=True)
    r = place(Inventory(nodes=[n]), [], static_pods={"m/a.yaml": a, "m/b.yaml": b})
    va, vb = r.verdict(a, "cp-1"), r.verdict(b, "cp-1")
    assert va.runs and va.evicts
    assert vb.codes == ("insufficient-cpu",)  # 1500m held by the other static pod leaves 500m
    assert any("evicting" in x for x in r.assumptions)


def test_mirror_pod_names_and_static_placements_only_where_assigned() -> None:
    cp = node("CP-1", static=[StaticPodAssignment("m/etcd.yaml")])
    worker = node("worker-1")
    w = pod("etcd", {}, ns="kube-system", file="m/etcd.yaml", static=True)
    r = place(Inventory(nodes=[cp, worker]), [w], static_pods={"m/etcd.yaml": w})
    rep = build_report(r, "0.0.0")
    (wl,) = rep["workloads"]
    assert [p["node"] for p in wl["placements"]] == ["CP-1"]
    assert rep["nodes"][0]["pods"] == [{"kind": "StaticPod", "namespace": "kube-system", "name": "etcd",
                                        "mirror": "etcd-cp-1"}]


# --- grouping ----------------------------------------------------------------------------------------------

def _fleet(seed: int, unique: bool) -> list[Node]:
    rnd = random.Random(seed)
    out = []
    for i in range(60):
        pool = rnd.choice(["a", "b", "c"])
        labels = {"zone": rnd.choice(["z1", "z2"]), "disk": "ssd" if pool != "c" else "hdd"}
        if unique:
            labels["unique"] = str(i)
        taints = [("dedicated", pool, "NoSchedule")] if pool == "b" else []
        out.append(node(f"{pool}-{i:02d}", pool, labels=labels, taints=taints,
                        alloc={"cpu": "2", "memory": "4Gi", "pods": "5"},
                        existing=ExistingUsage({"cpu": 500 if pool == "a" else 0}, 1,
                                               [HostPort(9100)] if pool == "c" else [])))
    return out


def _workloads() -> list:
    port = {"containers": [{"name": "c", "resources": {"requests": {"cpu": "300m"}},
                            "ports": [{"containerPort": 9100, "hostPort": 9100}]}]}
    return [
        ds("exporter", port),
        ds("tolerant", {**req(cpu="700m"), "tolerations": [{"operator": "Exists"}]}),
        ds("by-host", {"nodeSelector": {"kubernetes.io/hostname": "a-03"}}),
        ds("by-field", {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "NotIn",
                                                    "values": ["b-10"]}]}]}}}}),
        ds("ssd", {"nodeSelector": {"disk": "ssd"}, **req(cpu="900m")}),
        pod("pinned", {"nodeName": "a-07", **req(cpu="1")}),
        pod("floating", {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}}},
            **req(cpu="1200m")}),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grouping_gives_the_same_verdicts_as_one_node_at_a_time(seed) -> None:
    """Identical nodes are evaluated once; name-dependent workloads split groups so results stay exact."""
    grouped = place(Inventory(nodes=_fleet(seed, unique=False)), _workloads())
    single = place(Inventory(nodes=_fleet(seed, unique=True)), _workloads())
    assert len(grouped.groups) < len(single.groups) == 60

    def view(r):
        return {(w.name, n.name): (v.runs, v.targeted, v.selected, v.codes)
                for w in r.workloads for n, v in r.placements(w)}

    assert view(grouped) == view(single)
    assert {n.name: grouped.requested(n) for n in grouped.nodes} == {n.name: single.requested(n)
                                                                        for n in single.nodes}


# --- the report ----------------------------------------------------------------------------------------

def _validators() -> list:
    import jsonschema

    paths = [ROOT / "schemas" / "place-report.schema.json"]
    if SHARED.is_dir():
        paths.append(SHARED / "schemas" / "place-report.schema.json")
    out = []
    for p in paths:
        schema = json.loads(p.read_text(encoding="utf-8"))
        out.append(jsonschema.validators.validator_for(schema)(schema))
    return out


def test_project_schema_accepts_what_the_shared_one_accepts(shared_dir) -> None:
    ours = json.loads((ROOT / "schemas" / "place-report.schema.json").read_text(encoding="utf-8"))
    theirs = json.loads((shared_dir / "schemas" / "place-report.schema.json").read_text(encoding="utf-8"))
    assert ours == theirs


def test_report_is_valid_sorted_and_matches_the_fast_writer() -> None:
    r = place(Inventory(nodes=_fleet(4, unique=False) + [node("zz-no-alloc")]), _workloads())
    rep = build_report(r, "1.2.3")
    for v in _validators():
        errors = list(v.iter_errors(rep))
        assert not errors, errors[0].message
    assert json.loads(render_json(r, "1.2.3")) == rep
    names = [n["name"] for n in rep["nodes"]]
    assert names == sorted(names)
    keys = [(w["file"], w["line"], w["kind"], w["namespace"], w["name"]) for w in rep["workloads"]]
    assert keys == sorted(keys)
    assert rep["assumptions"] == sorted(rep["assumptions"])
    from kubelint_nodes.placement.codes import REASON_CODES

    for w in rep["workloads"]:
        nodes_ = [p["node"] for p in w["placements"]]
        assert nodes_ == sorted(nodes_)
        for p in w["placements"]:
            assert ("reasons" in p) == (not p["runs"])
            order = [REASON_CODES.index(x["code"]) for x in p.get("reasons", [])]
            assert order == sorted(order)
    last = rep["nodes"][-1]
    assert last["name"] == "zz-no-alloc" and last["allocatable"] is None
    assert set(last["requested"]) >= {"cpu", "memory", "pods"}
    assert any(a.startswith("Nodes without allocatable") for a in rep["assumptions"])


def test_runs_nowhere_lists_the_workloads_that_make_place_exit_1() -> None:
    inv = Inventory(nodes=[node("n1", taints=[("x", "", "NoSchedule")])])
    ok = ds("ok", {"tolerations": [{"key": "x", "operator": "Exists"}]})
    blocked = ds("blocked")
    ghost = pod("ghost", {"nodeName": "missing"})
    r = place(inv, [ok, blocked, ghost])
    assert [w.name for w in r.runs_nowhere()] == ["blocked", "ghost"]


def test_text_report_matrix_legend_booking_and_drill_downs() -> None:
    small = place(Inventory(nodes=_fleet(5, unique=False)[:4]), _workloads())
    text = render_text(small)
    names = [n.name for n in small.nodes]
    header = next(line for line in text.splitlines() if line.startswith("workload"))
    assert all(n in header for n in names)
    assert "✓" in text and "Booking (requested / allocatable)" in text
    big = place(Inventory(nodes=_fleet(5, unique=False)), _workloads())
    text = render_text(big)
    header = next(line for line in text.splitlines() if line.startswith("workload"))
    assert "a (" in header and "b (" in header and "c (" in header
    assert "taint     untolerated-taint" in text
    drill = render_text(big, workload="exporter")
    assert "DaemonSet default/exporter" in drill and "untolerated-taint" in drill
    first = big.nodes[0].name
    assert f"node {first}" in render_text(big, node=first)
    with pytest.raises(LookupError, match="did you mean"):
        render_text(big, workload="exportr")
    with pytest.raises(LookupError, match="no node named"):
        render_text(big, node="nope")


def test_demand_counts_targeted_workloads_booked_or_not() -> None:
    """node-overcommitted (catalogue): existing usage, static pods, pinned Pods and targeting DaemonSets,
    whether they were booked or not; Pods without nodeName never count."""
    n = node("n1", alloc={"cpu": "1", "memory": "1Gi", "pods": "110"}, existing=ExistingUsage({"cpu": 200}, 2),
             static=[StaticPodAssignment("m/s.yaml")])
    s = pod("s", req(cpu="300m"), file="m/s.yaml", static=True)
    a, b = ds("a", req(cpu="400m")), ds("b", req(cpu="400m"))
    floating = pod("f", req(cpu="900m"))
    tainted_out = ds("c", {**req(cpu="5"), "nodeSelector": {"nope": "x"}})
    r = place(Inventory(nodes=[n]), [a, b, floating, tainted_out], static_pods={"m/s.yaml": s})
    assert r.verdict(a, "n1").runs and codes(r, b, "n1") == ["insufficient-cpu"]
    assert r.requested("n1") == {"cpu": 900, "memory": 0, "pods": 4}
    assert r.demand("n1") == {"cpu": 1300, "memory": 0, "pods": 5}


HOSTILE_SPECS = [
    {"containers": "x"},
    {"containers": [None, 5, {"resources": "x"}, {"resources": {"requests": {"cpu": "abc", "memory": [1]}}}]},
    {"tolerations": 5}, {"tolerations": [None, {"key": 5, "operator": None, "value": True}]},
    {"nodeSelector": [1, 2]}, {"nodeSelector": {"a": None, "b": True, "c": 1}}, {"affinity": "x"},
    {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": "x"}}}},
    {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        None, 5, {"matchExpressions": "x"}, {"matchExpressions": [None, {"key": None, "operator": "Gt"}]},
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": "abc"}]}]}}}},
    {"containers": [{"ports": "x"}]},
    {"containers": [{"ports": [None, {"hostPort": "abc"}, {"hostPort": True, "containerPort": -5}]}]},
    {"hostNetwork": "yes", "containers": [{"ports": [{"containerPort": "80"}]}]},
    {"initContainers": [{"restartPolicy": "Always", "resources": {"limits": {"cpu": 1e400}}}]},
    {"overhead": "x", "resources": [1]}, {"priorityClassName": 5, "priority": "x"}, {"nodeName": 5},
    {"volumes": "x", "serviceAccountName": ["a"]}, {"volumes": [None, {"projected": {"sources": "x"}}]},
]


def test_hostile_pod_specs_never_crash_and_report_ignored_quantities() -> None:
    n = node("n1", alloc={"cpu": "1", "memory": "1Gi", "pods": "100"}, static=[StaticPodAssignment("m/x.yaml")])
    ws = [w for i, s in enumerate(HOSTILE_SPECS) for w in (ds(f"d{i}", s), pod(f"p{i}", s))]
    st = pod("s", HOSTILE_SPECS[1], file="m/x.yaml", static=True)
    r = place(Inventory(nodes=[n]), ws, static_pods={"m/x.yaml": st})
    assert json.loads(render_json(r, "1")) == build_report(r, "1")
    assert render_text(r)
    assert codes(r, next(w for w in ws if w.name == "d5"), "n1") == ["node-selector-mismatch"]
    assert codes(r, next(w for w in ws if w.name == "d15"), "n1") == ["node-name-mismatch"]
    assert "DaemonSet default/d1: spec.containers[3].resources.requests: cpu: 'abc' is not a quantity " \
           "(ignored)" in r.assumptions
