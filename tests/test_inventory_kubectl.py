"""The kubectl form of an inventory (SPEC §5): the real Node dumps of the corpus load, or are refused with
file and line exactly as SPEC §5 says."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from kubelint_nodes.inventory.load import InventoryError, load_inventory
from kubelint_nodes.settings import Settings


def _load(cwd: Path, name: str):
    return load_inventory(name, Settings(cwd=str(cwd)))


def _error(cwd: Path, name: str) -> InventoryError:
    with pytest.raises(InventoryError) as info:
        _load(cwd, name)
    return info.value


@pytest.fixture
def nodes_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "nodes"


# -- corpus dumps that load ----------------------------------------------------------------------------

def test_gke_dump_uses_status_allocatable(nodes_dir: Path) -> None:
    inv = _load(nodes_dir, "k8s-apimachinery-managedfields/gke-node.yaml")
    [node] = inv.nodes
    assert node.name == "node-default-pool-something"
    assert node.pool is None
    assert node.labels["cloud.google.com/gke-nodepool"] == "default-pool"
    # status.allocatable, not capacity: cpu 3920m, memory 12700100Ki, pods "110"
    assert node.allocatable == {"cpu": 3920, "ephemeral-storage": 104638878617, "hugepages-2Mi": 0,
                                "memory": 12700100 * 1024, "pods": 110}
    # Every condition is healthy (Ready True, pressures False): no implied taint.
    assert node.taints == []
    assert node.condition("Ready") == "True"
    assert node.source is not None and (node.source.file, node.source.line) == (
        "k8s-apimachinery-managedfields/gke-node.yaml", 1)
    assert inv.assumptions == []


def test_kube_router_list_of_nodes(nodes_dir: Path) -> None:
    inv = _load(nodes_dir, "kube-router/ipset_test_1-nodes-list.yaml")
    assert [n.name for n in inv.nodes] == ["kube-router-vm1", "kube-router-vm2"]
    # Neither allocatable nor capacity: not checked for resources (allocatable None), no labels invented.
    assert [n.allocatable for n in inv.nodes] == [None, None]
    assert [n.labels for n in inv.nodes] == [{}, {}]
    assert [(n.source.line, n.source.column) for n in inv.nodes] == [(3, 3), (18, 3)]


@pytest.mark.parametrize("name", ["minikube-node-v1.21.json", "minikube-node-v1.25.json"])
def test_minikube_json_dumps(nodes_dir: Path, name: str) -> None:
    [node] = _load(nodes_dir, f"kubescape-regolibrary/{name}").nodes
    assert node.name == "minikube"
    assert node.allocatable is not None and node.allocatable["cpu"] == 4000 and node.allocatable["pods"] == 110
    assert "node-role.kubernetes.io/control-plane" in node.labels


def test_kwok_unquoted_numbers_are_quantities(nodes_dir: Path) -> None:
    # status.allocatable: {cpu: 32, memory: 256Gi, pods: 110} with cpu and pods as YAML integers.
    [node] = _load(nodes_dir, "kwok/examples-node.yaml").nodes
    assert node.allocatable == {"cpu": 32000, "memory": 256 * 2**30, "pods": 110}


def test_kwok_fake_node_taint_and_no_resources(nodes_dir: Path) -> None:
    [node] = _load(nodes_dir, "kwok/test-fake-node.yaml").nodes
    assert [str(t) for t in node.taints] == ["kwok-controller/provider=fake:NoSchedule"]
    assert node.allocatable is None


def test_kwok_gpu_node(nodes_dir: Path) -> None:
    [node] = _load(nodes_dir, "kwok/virtual-gpu-node.yaml").nodes
    assert node.allocatable is not None
    assert node.allocatable["nvidia.com/gpu"] == 8
    assert node.allocatable["ephemeral-storage"] == 15 * 2**40
    # NetworkUnavailable False, pressures False, Ready True, custom conditions ignored: only the listed taint.
    assert [str(t) for t in node.taints] == ["kwok.x-k8s.io/node=fake:NoSchedule"]
    assert len(node.conditions) == 18


# -- corpus dumps SPEC §5 refuses ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["node-default.yaml", "nodeadd-node-with-taint.yaml"])
def test_scheduler_perf_templates_have_no_name(nodes_dir: Path, name: str) -> None:
    err = _error(nodes_dir, f"kubernetes-scheduler-perf/{name}")
    assert (err.file, err.line, err.column) == (f"kubernetes-scheduler-perf/{name}", 3, 1)
    assert err.field == "metadata.name"
    assert "generateName" in err.problem


def test_api_testdata_invalid_taint_effect(nodes_dir: Path) -> None:
    err = _error(nodes_dir, "kubernetes-api-testdata/core.v1.Node.yaml")
    assert (err.file, err.line, err.column) == ("kubernetes-api-testdata/core.v1.Node.yaml", 52, 5)
    assert err.field == "spec.taints[0].effect"
    assert "'effectValue' is not a taint effect" in err.problem


def test_cli_exit_2_with_file_and_line(nodes_dir: Path) -> None:
    res = run_cli("lint", "-i", "kubernetes-api-testdata/core.v1.Node.yaml", "kwok", cwd=nodes_dir)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("kubelint-nodes: error: kubernetes-api-testdata/core.v1.Node.yaml:52:5: "
                               "spec.taints[0].effect: ")


def test_cli_valid_dump_lints(nodes_dir: Path) -> None:
    res = run_cli("lint", "-i", "kwok/virtual-gpu-node.yaml", "kwok", cwd=nodes_dir)
    assert res.exit_code in (0, 1), res.stderr


# -- the kubectl form in detail ----------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_node_documents_and_capacity_only(tmp_path: Path) -> None:
    _write(tmp_path, "nodes.yaml", """\
apiVersion: v1
kind: Node
metadata: {name: a}
status:
  capacity: {cpu: "8", memory: 32Gi}
---
apiVersion: v1
kind: Node
metadata: {name: b}
spec: {unschedulable: true}
status:
  conditions:
  - {type: Ready, status: "False"}
  - {type: PIDPressure, status: "True"}
""")
    inv = _load(tmp_path, "nodes.yaml")
    a, b = inv.nodes
    assert a.allocatable == {"cpu": 8000, "memory": 32 * 2**30}
    assert inv.assumptions == ["Nodes with only status.capacity use it as allocatable: a"]
    assert [str(t) for t in b.taints] == [
        "node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute",
        "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"]
    assert b.source is not None and b.source.line == 7


def test_listed_taints_are_not_duplicated(tmp_path: Path) -> None:
    _write(tmp_path, "nodes.yaml", """\
apiVersion: v1
kind: Node
metadata: {name: a}
spec:
  unschedulable: true
  taints:
  - {key: node.kubernetes.io/unschedulable, effect: NoSchedule, timeAdded: "2024-01-01T00:00:00Z"}
  - {key: node.kubernetes.io/not-ready, effect: NoExecute}
status:
  conditions: [{type: Ready, status: "False"}]
""")
    [node] = _load(tmp_path, "nodes.yaml").nodes
    assert [str(t) for t in node.taints] == [
        "node.kubernetes.io/unschedulable:NoSchedule", "node.kubernetes.io/not-ready:NoExecute",
        "node.kubernetes.io/not-ready:NoSchedule"]


def test_duplicate_name_in_dump(tmp_path: Path) -> None:
    _write(tmp_path, "nodes.yaml", """\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Node, metadata: {name: a}}
- apiVersion: v1
  kind: Node
  metadata:
    name: a
""")
    err = _error(tmp_path, "nodes.yaml")
    assert (err.file, err.line, err.column, err.field) == ("nodes.yaml", 8, 5, "items[1].metadata.name")
    assert "defined twice (also nodes.yaml:4:4)" in err.problem


@pytest.mark.parametrize(("text", "where", "field", "fragment"), [
    ("apiVersion: v1\nkind: Node\nmetadata: {name: a}\nstatus:\n  allocatable: {cpu: lots}\n",
     (5, 17), "status.allocatable.cpu", "'lots' is not a quantity"),
    ("apiVersion: v1\nkind: Node\nmetadata:\n  name: a\n  labels: {gpu: true}\n",
     (5, 12), "metadata.labels.gpu", "quote it"),
    ("apiVersion: v1\nkind: Node\nmetadata: {name: a}\nspec: {unschedulable: \"yes\"}\n",
     (4, 8), "spec.unschedulable", "expected true or false"),
    ("apiVersion: v1\nkind: Node\nmetadata: {name: a}\nstatus:\n  conditions: [{type: Ready, status: Maybe}]\n",
     (5, 30), "status.conditions[0].status", "'Maybe' is not a condition status"),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", (2, 1), "kind", "found kind 'Pod'"),
    ("apiVersion: v2\nkind: Node\nmetadata: {name: a}\n", (1, 1), "apiVersion", "apiVersion v1"),
    ("apiVersion: v1\nkind: Node\nmetadata: {name: a}\nspec:\n  taints:\n  - {key: a, effect: NoSchedule}\n"
     "  - {key: a, value: b, effect: NoSchedule}\n", (7, 6), "spec.taints[1]", "listed twice"),
])
def test_invalid_fields(tmp_path: Path, text: str, where: tuple[int, int], field: str, fragment: str) -> None:
    _write(tmp_path, "nodes.yaml", text)
    err = _error(tmp_path, "nodes.yaml")
    assert (err.line, err.column) == where
    assert err.field == field
    assert fragment in err.problem


def test_first_problem_in_file_order(tmp_path: Path) -> None:
    # status comes before spec in this file: its error is the one reported.
    _write(tmp_path, "nodes.yaml", """\
apiVersion: v1
kind: Node
metadata: {name: a}
status:
  allocatable: {memory: -1Gi}
spec:
  taints: [{key: a, effect: Sometimes}]
""")
    err = _error(tmp_path, "nodes.yaml")
    assert (err.line, err.field) == (5, "status.allocatable.memory")


def test_missing_and_empty_inventory(tmp_path: Path) -> None:
    err = _error(tmp_path, "nope.yaml")
    assert str(err) == "nope.yaml: inventory file does not exist"
    _write(tmp_path, "empty.yaml", "# nothing\n")
    assert "empty" in _error(tmp_path, "empty.yaml").problem


def test_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    _write(tmp_path, "nodes.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: a\n")
    err = _error(tmp_path, "nodes.yaml")
    assert err.file == "nodes.yaml" and err.line is not None and err.line >= 3


def test_tags_refused_in_kubectl_form(tmp_path: Path) -> None:
    _write(tmp_path, "nodes.yaml", "apiVersion: v1\nkind: Node\nmetadata: {name: !include x.yaml}\n")
    err = _error(tmp_path, "nodes.yaml")
    assert (err.line, err.column, err.field) == (3, 18, "metadata.name")
    assert "NodeInventory only" in err.problem
