"""The compact NodeInventory form (SPEC §5): every field, the defaults SPEC §5 fixes, allocatable derived
from capacity (reference R6.2, checked by hand arithmetic), condition-implied taints (R2.6a), and invalid
inventories refused with file, line and field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

from kubelint_nodes.inventory.load import InventoryError, load_inventory
from kubelint_nodes.inventory.model import Inventory, Node
from kubelint_nodes.settings import Settings

FULL = FIXTURES / "inventory" / "full"
Ki, Mi, Gi = 2**10, 2**20, 2**30

NO_KUBELET = ("Nodes without a kubelet config are assumed to run with the kubelet's defaults (maxPods 110, "
              "no kubeReserved/systemReserved, hard eviction at memory.available<100Mi and "
              "nodefs.available<10%)")
DEFAULT_LABELS = ("Inventory nodes without kubernetes.io/os or kubernetes.io/arch labels get "
                  "kubernetes.io/os=linux and kubernetes.io/arch=amd64")


def _by_name(inv: Inventory) -> dict[str, Node]:
    return {n.name: n for n in inv.nodes}


@pytest.fixture(scope="module")
def full() -> Inventory:
    return load_inventory("inventory.yaml", Settings(cwd=str(FULL)))


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return tmp_path


def _load(tmp_path: Path, text: str, files: dict[str, str] | None = None, **kw) -> Inventory:
    _repo(tmp_path, {"inventory.yaml": text, **(files or {})})
    return load_inventory("inventory.yaml", Settings(cwd=str(tmp_path), **kw))


def _error(tmp_path: Path, text: str, files: dict[str, str] | None = None, **kw) -> InventoryError:
    with pytest.raises(InventoryError) as info:
        _load(tmp_path, text, files, **kw)
    return info.value


HEAD = "apiVersion: kubelint-nodes.io/v1alpha1\nkind: NodeInventory\n"


# -- the fixture with every field ------------------------------------------------------------------------

def test_every_node_of_the_full_inventory(full: Inventory) -> None:
    names = [n.name for n in full.nodes]
    assert names == ([f"control-plane-{i}" for i in (1, 2, 3)] + [f"gpu-{i}" for i in range(1, 9)]
                     + [f"workers-{i}" for i in range(1, 5)] + ["edge-1", "edge-2", "prod-a", "prod-b"])
    assert full.source == "inventory.yaml"
    assert full.assumptions == [DEFAULT_LABELS, "Nodes with only status.capacity use it as allocatable: prod-a"]


def test_pool_members_get_name_labels_and_shared_fields(full: Inventory) -> None:
    nodes = _by_name(full)
    cp2 = nodes["control-plane-2"]
    assert cp2.pool == "control-plane"
    assert cp2.labels == {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/os": "linux",
                          "kubernetes.io/arch": "amd64", "kubelint-nodes.io/pool": "control-plane",
                          "kubernetes.io/hostname": "control-plane-2"}
    assert [str(t) for t in cp2.taints] == ["node-role.kubernetes.io/control-plane:NoSchedule"]
    assert cp2.allocatable == {"cpu": 4000, "memory": 16 * Gi, "pods": 110}
    assert cp2.kubelet.present and cp2.kubelet.source == "kubelet/control-plane.yaml"
    assert cp2.kubelet.static_pod_path == "/etc/kubernetes/manifests"
    base = "tests/fixtures/inventory/full/nodes/control-plane/etc/kubernetes/manifests/"
    assert [(a.manifest, a.directory, a.landed_path) for a in cp2.static_pods] == [
        (base + "etcd.yaml", "/etc/kubernetes/manifests", "/etc/kubernetes/manifests/etcd.yaml"),
        (base + "kube-apiserver.yaml", "/etc/kubernetes/manifests",
         "/etc/kubernetes/manifests/kube-apiserver.yaml")]
    assert cp2.source is not None and (cp2.source.file, cp2.source.line, cp2.source.column) == (
        "inventory.yaml", 6, 3)
    # Pool members differ only by name and labels.
    cp1 = nodes["control-plane-1"]
    assert cp1.taints is cp2.taints and cp1.allocatable is cp2.allocatable


def test_included_pool(full: Inventory) -> None:
    gpu = _by_name(full)["gpu-8"]
    assert gpu.labels["nvidia.com/gpu.present"] == "true"
    assert gpu.labels["kubernetes.io/hostname"] == "gpu-8"
    assert [str(t) for t in gpu.taints] == ["nvidia.com/gpu=present:NoSchedule"]
    assert gpu.allocatable == {"cpu": 32000, "memory": 256 * Gi, "pods": 110, "nvidia.com/gpu": 8}
    # The pool is defined in the included file: its source names that file.
    assert gpu.source is not None and (gpu.source.file, gpu.source.line) == ("pools/gpu.yaml", 1)


def test_capacity_to_allocatable_with_kubelet_config_and_dropins(full: Inventory) -> None:
    w = _by_name(full)["workers-3"]
    # kubelet/default.yaml: kubeReserved cpu 1, memory 2Gi; systemReserved cpu 500m, memory 1Gi;
    # evictionHard memory.available 500Mi.  Drop-in 10-pods.conf: maxPods 64, evictionHard nodefs.available
    # 10Gi (merged into the map).  Capacity: cpu 16, memory 32Gi, ephemeral-storage 100Gi.
    assert w.allocatable == {
        "cpu": 16000 - 1000 - 500,                          # 14500m
        "memory": 32 * Gi - 2 * Gi - 1 * Gi - 500 * Mi,     # 29196Mi
        "ephemeral-storage": 100 * Gi - 10 * Gi,            # 90Gi
        "pods": 64,
    }
    assert w.allocatable["memory"] == 29196 * Mi
    assert w.labels["kubernetes.io/arch"] == "arm64"  # set by the pool: not defaulted
    assert w.labels["kubernetes.io/os"] == "linux"
    assert w.existing.requests == {"cpu": 250, "memory": 128 * Mi} and w.existing.pods == 3
    assert w.kubelet.max_pods == 64 and w.kubelet.source == "kubelet/default.yaml"


def test_single_nodes(full: Inventory) -> None:
    nodes = _by_name(full)
    e1 = nodes["edge-1"]
    assert e1.pool is None
    assert e1.labels == {"topology.kubernetes.io/zone": "edge", "kubernetes.io/os": "linux",
                         "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "edge-1"}
    assert e1.unschedulable
    assert [str(t) for t in e1.taints] == ["node.kubernetes.io/disk-pressure:NoSchedule",
                                           "node.kubernetes.io/unschedulable:NoSchedule"]
    # allocatable without pods: maxPods of the effective config (inline maxPods 30, drop-in says 64).
    assert e1.allocatable == {"cpu": 2000, "memory": 4 * Gi, "pods": 64}
    assert [(p.port, p.protocol, p.host_ip) for p in e1.existing.host_ports] == [(9100, "TCP", ""),
                                                                                (53, "UDP", "10.0.0.1")]
    assert e1.existing.requests == {"cpu": 1500, "memory": 2 * Gi} and e1.existing.pods == 12
    assert e1.kubelet.source == "inventory.yaml"
    # The drop-in 20-static.conf overrides the inline staticPodPath.
    assert e1.kubelet.static_pod_path == "/etc/kubernetes/manifests"
    e2 = nodes["edge-2"]
    assert e2.allocatable is None
    # Ready Unknown -> unreachable NoSchedule + NoExecute (the listed NoExecute is not repeated);
    # MemoryPressure True -> memory-pressure NoSchedule.
    assert [str(t) for t in e2.taints] == ["node.kubernetes.io/unreachable:NoExecute",
                                           "node.kubernetes.io/unreachable:NoSchedule",
                                           "node.kubernetes.io/memory-pressure:NoSchedule"]


def test_nodes_from(full: Inventory) -> None:
    nodes = _by_name(full)
    a, b = nodes["prod-a"], nodes["prod-b"]
    assert a.pool is None and a.labels == {"kubernetes.io/hostname": "prod-a", "kubernetes.io/os": "linux"}
    assert a.allocatable == {"cpu": 8000, "memory": 32 * Gi, "pods": 110}  # status.capacity used as is
    assert [str(t) for t in a.taints] == ["node.kubernetes.io/not-ready:NoSchedule",
                                          "node.kubernetes.io/not-ready:NoExecute",
                                          "node.kubernetes.io/unschedulable:NoSchedule"]
    assert b.allocatable == {"cpu": 7800, "memory": 30 * Gi, "pods": 110}
    assert a.source is not None and (a.source.file, a.source.line) == ("clusters/prod-nodes.yaml", 4)
    # The inventory-level kubelet config is the default for every node.
    assert b.kubelet.source == "kubelet/default.yaml"


def test_loader_records_item_paths_and_kubelet_sources(full: Inventory) -> None:
    """What findings need from the document: each pool/node item's place in the NodeInventory (an included
    pool keeps its index, a nodesFrom node has none), and the kubelet config files with their drop-in dir
    (inherited from the top level; the inline config of edge-1 is no file; each pair once)."""
    items = {n.pool or n.name: (n.source.path, n.source.file) for n in full.nodes}
    assert items == {"control-plane": (("pools", 0), "inventory.yaml"), "gpu": (("pools", 1), "pools/gpu.yaml"),
                     "workers": (("pools", 2), "inventory.yaml"), "edge-1": (("nodes", 0), "inventory.yaml"),
                     "edge-2": (("nodes", 1), "inventory.yaml"), "prod-a": (None, "clusters/prod-nodes.yaml"),
                     "prod-b": (None, "clusters/prod-nodes.yaml")}
    dropins = str(FULL / "kubelet" / "default.conf.d")
    assert full.kubelet_sources == [(str(FULL / "kubelet" / "default.yaml"), dropins),
                                    (str(FULL / "kubelet" / "control-plane.yaml"), dropins)]


# -- allocatable from capacity, by hand ---------------------------------------------------------------------

def test_capacity_without_kubelet_config_uses_kubelet_defaults(tmp_path: Path) -> None:
    inv = _load(tmp_path, HEAD + """\
pools:
- name: p
  count: 2
  capacity: {cpu: 4, memory: 8Gi, ephemeral-storage: 50Gi, hugepages-2Mi: 1Gi, example.com/fpga: 2}
""")
    n = inv.nodes[0]
    assert n.allocatable == {
        "cpu": 4000,                              # CPU has no eviction reservation
        "memory": 8 * Gi - 100 * Mi - 1 * Gi,     # default memory.available 100Mi, hugepages taken out
        "ephemeral-storage": 50 * Gi - 5 * Gi,    # default nodefs.available 10% of 50Gi
        "hugepages-2Mi": 1 * Gi,
        "example.com/fpga": 2,
        "pods": 110,                              # default maxPods
    }
    assert not n.kubelet.present
    assert NO_KUBELET in inv.assumptions


def test_reference_r6_2_example(tmp_path: Path) -> None:
    # reference R6.2: 16 CPU, 32Gi, kubeReserved cpu=1,memory=2Gi, systemReserved cpu=500m,memory=1Gi,
    # evictionHard memory.available=500Mi -> 14500m CPU and 29196Mi memory.
    inv = _load(tmp_path, HEAD + """\
kubeletConfig:
  kubeReserved: {cpu: "1", memory: 2Gi}
  systemReserved: {cpu: 500m, memory: 1Gi}
  evictionHard: {memory.available: 500Mi}
nodes:
- name: n1
  capacity: {cpu: "16", memory: 32Gi}
""")
    assert inv.nodes[0].allocatable == {"cpu": 14500, "memory": 29196 * Mi, "pods": 110}
    assert NO_KUBELET not in inv.assumptions


def test_reserved_cpus_pods_per_core_and_eviction_merge(tmp_path: Path) -> None:
    inv = _load(tmp_path, HEAD + """\
nodes:
- name: n1
  kubeletConfig: kubelet.yaml
  capacity: {cpu: 8, memory: 16Gi, ephemeral-storage: 200Gi}
""", {"kubelet.yaml": """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
reservedSystemCPUs: 0-1,4
kubeReserved: {cpu: "1", memory: 1Gi}
podsPerCore: 5
maxPods: 100
mergeDefaultEvictionSettings: true
evictionHard:
  memory.available: 1Gi
  nodefs.available: 0%
"""})
    n = inv.nodes[0]
    # reservedSystemCPUs 0-1,4: systemReserved cpu = 3 CPUs, kubeReserved cpu dropped.
    # memory: 16Gi - 1Gi (kubeReserved) - 1Gi (memory.available); nodefs.available 0% disables the signal.
    # pods: min(8 cores x podsPerCore 5, maxPods 100) = 40.
    assert n.allocatable == {"cpu": 8000 - 3000, "memory": 14 * Gi, "ephemeral-storage": 200 * Gi, "pods": 40}
    assert n.kubelet.present and n.kubelet.static_pod_path is None and n.kubelet.max_pods == 100


def test_allocatable_never_below_zero(tmp_path: Path) -> None:
    inv = _load(tmp_path, HEAD + """\
kubeletConfig: {kubeReserved: {memory: 4Gi}}
nodes:
- name: n1
  capacity: {memory: 2Gi}
""")
    assert inv.nodes[0].allocatable == {"memory": 0, "pods": 110}


# -- implied taints ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("conditions", "unschedulable", "taints"), [
    ([], False, []),  # a missing Ready condition means Ready
    ([("Ready", "True")], False, []),
    ([("Ready", "False")], False, ["node.kubernetes.io/not-ready:NoSchedule",
                                    "node.kubernetes.io/not-ready:NoExecute"]),
    ([("Ready", "Unknown")], False, ["node.kubernetes.io/unreachable:NoSchedule",
                                      "node.kubernetes.io/unreachable:NoExecute"]),
    ([("MemoryPressure", "True"), ("DiskPressure", "True"), ("PIDPressure", "True")], False,
     ["node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule"]),
    ([("NetworkUnavailable", "True"), ("DiskPressure", "False")], False,
     ["node.kubernetes.io/network-unavailable:NoSchedule"]),
    ([], True, ["node.kubernetes.io/unschedulable:NoSchedule"]),
])
def test_condition_implied_taints(tmp_path: Path, conditions: list, unschedulable: bool, taints: list) -> None:
    conds = ", ".join(f'{{type: {t}, status: "{s}"}}' for t, s in conditions)
    inv = _load(tmp_path, HEAD + f"""\
pools:
- name: p
  count: 1
  unschedulable: {str(unschedulable).lower()}
  conditions: [{conds}]
""")
    assert [str(t) for t in inv.nodes[0].taints] == taints


# -- invalid inventories -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "where", "field", "problem"), [
    ("pools:\n- name: gpu\n  count: \"3\"\n", (5, 3), "pools[0].count", "expected an integer, got a string"),
    ("pools:\n- name: gpu\n  count: 3\n  taint: []\n", (6, 3), "pools[0].taint",
     "unknown key 'taint' (did you mean 'taints'?)"),
    ("pool:\n- name: gpu\n", (3, 1), "pool", "unknown key 'pool' (did you mean 'pools'?)"),
    ("pools:\n- count: 3\n", (4, 3), "pools[0].name", "missing required key 'name'"),
    ("pools:\n- name: gpu\n  count: 1\n  labels: {nvidia.com/gpu.present: true}\n", (6, 12),
     "pools[0].labels.nvidia.com/gpu.present", "expected a string, got a boolean (quote it: label values are strings)"),
    ("nodes:\n- name: a\n  taints: [{key: k, effect: NoScheduled}]\n", (5, 21), "nodes[0].taints[0].effect",
     "'NoScheduled' is not one of NoSchedule, PreferNoSchedule, NoExecute (did you mean 'NoSchedule'?)"),
    ("nodes:\n- name: a\n  allocatable: {cpu: 2 cores}\n", (5, 17), "nodes[0].allocatable.cpu",
     "'2 cores' is not a quantity (e.g. 500m, 4, 16Gi)"),
    ("nodes:\n- name: Edge_1\n", (4, 3), "nodes[0].name", "'Edge_1' is not a valid node name"),
    ("nodes:\n- name: a\n  labels: {'bad key!': x}\n", (5, 12), "nodes[0].labels.bad key!", "invalid label name"),
    ("nodes:\n- name: a\n  staticPods: {path: etc/manifests}\n", (5, 16), "nodes[0].staticPods.path",
     "not an absolute path"),
])
def test_invalid_compact(tmp_path: Path, body: str, where: tuple, field: str, problem: str) -> None:
    err = _error(tmp_path, HEAD + body)
    assert (err.file, err.line, err.column) == ("inventory.yaml", *where)
    assert err.field == field
    assert problem in err.problem


def test_wrong_apiversion_and_kind_value(tmp_path: Path) -> None:
    err = _error(tmp_path, "apiVersion: kubelint-nodes.io/v1\nkind: NodeInventory\n")
    assert (err.line, err.field) == (1, "apiVersion")
    assert "'kubelint-nodes.io/v1alpha1'" in err.problem


def test_duplicate_node_names(tmp_path: Path) -> None:
    err = _error(tmp_path, HEAD + "pools:\n- name: gpu\n  count: 2\nnodes:\n- name: gpu-2\n")
    assert (err.line, err.column, err.field) == (7, 3, "nodes[0].name")
    assert err.problem == "node name 'gpu-2' is defined twice (also pool 'gpu' at inventory.yaml:4:3)"


def test_duplicate_pool_members_across_pools(tmp_path: Path) -> None:
    # Pool "a" with 11 members makes a-11; pool "a-1" with one member makes a-1-1 (no clash); a node "a-11"
    # clashes with the first pool.
    err = _error(tmp_path, HEAD + "pools:\n- {name: a, count: 11}\n- {name: a-1, count: 1}\n"
                                  "nodes:\n- {name: a-1-1}\n")
    assert (err.line, err.field) == (7, "nodes[0].name")
    assert "also pool 'a-1'" in err.problem


def test_duplicate_pool_name(tmp_path: Path) -> None:
    err = _error(tmp_path, HEAD + "pools:\n- {name: a, count: 1}\n- {name: a, count: 0}\n")
    assert (err.line, err.field) == (5, "pools[1].name")
    assert "pool 'a' is defined twice (also inventory.yaml:4:4)" == err.problem


def test_duplicate_between_nodes_from_and_nodes(tmp_path: Path) -> None:
    err = _error(tmp_path, HEAD + "nodes:\n- name: prod-a\nnodesFrom: [dump.yaml]\n", {
        "dump.yaml": "apiVersion: v1\nkind: Node\nmetadata:\n  name: prod-a\n"})
    assert (err.file, err.line, err.field) == ("dump.yaml", 4, "metadata.name")
    assert "also node 'prod-a' at inventory.yaml:4:3" in err.problem


def test_paths_stay_inside_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.yaml").write_text("apiVersion: kubelet.config.k8s.io/v1beta1\n"
                                          "kind: KubeletConfiguration\n", encoding="utf-8")
    err = _error(repo, HEAD + "kubeletConfig: ../outside.yaml\n")
    assert (err.line, err.field) == (3, "kubeletConfig")
    assert "outside the repository root" in err.problem


def test_kubelet_config_must_be_one(tmp_path: Path) -> None:
    err = _error(tmp_path, HEAD + "nodes:\n- name: a\n  kubeletConfig: pod.yaml\n",
                 {"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"})
    assert (err.line, err.field) == (5, "nodes[0].kubeletConfig")
    assert "is not a KubeletConfiguration (kind: 'Pod')" in err.problem
    err = _error(tmp_path, HEAD + "kubeletConfig: missing.yaml\n")
    assert err.problem == "kubeletConfig missing.yaml: file does not exist"


def test_nodes_from_must_match(tmp_path: Path) -> None:
    err = _error(tmp_path, HEAD + "nodesFrom: [clusters/*.yaml]\n")
    assert (err.line, err.field) == (3, "nodesFrom[0]")
    assert "matches no file" in err.problem


def test_nodes_from_error_names_its_file(tmp_path: Path) -> None:
    err = _error(tmp_path, HEAD + "nodesFrom: [dump.yaml]\n", {
        "dump.yaml": "apiVersion: v1\nkind: Node\nmetadata:\n  generateName: x-\n"})
    assert (err.file, err.line, err.field) == ("dump.yaml", 3, "metadata.name")


def test_static_pod_manifests_must_be_in_static_pod_dirs(tmp_path: Path) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: vip}\nspec:\n  containers: [{name: c, image: i:1}]\n"
    body = HEAD + "pools:\n- name: lb\n  count: 1\n  staticPods:\n    manifests: [lb/manifests/*.yaml]\n"
    err = _error(tmp_path, body, {"lb/manifests/vip.yaml": pod})
    assert (err.line, err.field) == (7, "pools[0].staticPods.manifests[0]")
    assert "add 'lb/manifests' to static-pod-dirs" in err.problem
    # Declared as a static pod directory, the same inventory loads.
    inv = _load(tmp_path, body, static_pod_dirs=["lb/manifests"])
    [a] = inv.nodes[0].static_pods
    assert (a.manifest, a.landed_path) == ("lb/manifests/vip.yaml", "/etc/kubernetes/manifests/vip.yaml")


def test_cli_reports_one_line(tmp_path: Path) -> None:
    _repo(tmp_path, {"inventory.yaml": HEAD + "pools:\n- name: gpu\n  count: 3\n  taint: []\n",
                     "ds.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})
    res = run_cli("lint", "-i", "inventory.yaml", "ds.yaml", cwd=tmp_path)
    assert res.exit_code == 2
    assert res.stderr.strip() == ("kubelint-nodes: error: inventory.yaml:6:3: pools[0].taint: unknown key "
                                  "'taint' (did you mean 'taints'?)")


# -- scale -----------------------------------------------------------------------------------------------------

def test_fifty_thousand_pool_nodes_load_fast(tmp_path: Path) -> None:
    _repo(tmp_path, {"inventory.yaml": HEAD + """\
kubeletConfig: {kubeReserved: {cpu: 500m}}
pools:
- name: workers
  count: 40000
  labels: {node-role.kubernetes.io/worker: "", topology.kubernetes.io/zone: eu-1a}
  taints: [{key: dedicated, value: batch, effect: NoSchedule}]
  capacity: {cpu: 16, memory: 64Gi, ephemeral-storage: 200Gi}
- name: gpu
  count: 10000
  allocatable: {cpu: "32", memory: 256Gi, nvidia.com/gpu: "8"}
"""})
    settings = Settings(cwd=str(tmp_path))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        inv = load_inventory("inventory.yaml", settings)
        best = min(best, time.perf_counter() - start)
    assert len(inv.nodes) == 50000
    assert inv.nodes[-1].name == "gpu-10000" and inv.nodes[-1].labels["kubernetes.io/hostname"] == "gpu-10000"
    assert inv.nodes[0].allocatable is not None and inv.nodes[0].allocatable["cpu"] == 15500
    assert best < 1.0, f"50,000 pool nodes took {best:.2f}s"
