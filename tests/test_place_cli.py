"""``kubelint-nodes place``: the JSON report (both schemas, a golden file), the text matrix and drill-downs,
exit codes (SPEC §3), whole-repository mode, and the real corpus.

The golden file ``tests/fixtures/place/examples.json`` is the report of the examples.  When a deliberate
change alters it, regenerate it from the repository root and review the diff:

    kubelint-nodes place -i examples/inventory.yaml examples/ --format json --output tests/fixtures/place/examples.json
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from conftest import FIXTURES, ROOT, run_cli, schema_validators

GOLDEN = FIXTURES / "place" / "examples.json"
REGENERATE = ("kubelint-nodes place -i examples/inventory.yaml examples/ --format json "
              "--output tests/fixtures/place/examples.json")

def place_validators() -> list:
    """The project's place-report schema, and the shared one when ../shared exists."""
    return schema_validators("place-report.schema.json")


def place_json(*args: str, cwd: Path | str = ROOT, codes: tuple[int, ...] = (0, 1)) -> tuple[int, dict]:
    res = run_cli("place", "--format", "json", *args, cwd=cwd)
    assert res.exit_code in codes, (res.exit_code, res.stderr)
    report = res.json
    for v in place_validators():
        errors = list(v.iter_errors(report))
        assert not errors, errors[0]
    return res.exit_code, report


def workload(report: dict, kind: str, name: str) -> dict:
    hits = [w for w in report["workloads"] if (w["kind"], w["name"]) == (kind, name)]
    assert len(hits) == 1, hits
    return hits[0]


def placement(w: dict, node: str) -> dict:
    return next(p for p in w["placements"] if p["node"] == node)


def write(base: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = base / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(dedent(text), encoding="utf-8")
    return base


def daemonset(name: str, spec: str = "", ns: str = "default") -> str:
    body = dedent(spec).strip("\n")
    body = "\n".join("      " + line for line in body.splitlines())
    return (f"apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
            f"  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n"
            f"      labels: {{app: {name}}}\n"
            f"    spec:\n{body}\n      containers:\n      - name: c\n        image: example.com/{name}:1.0\n")


INVENTORY = """\
apiVersion: kubelint-nodes.io/v1alpha1
kind: NodeInventory
pools:
- name: general
  count: 2
  allocatable: {cpu: "2", memory: 4Gi, pods: "110"}
- name: gpu
  count: 1
  labels: {gpu: "true"}
  taints: [{key: nvidia.com/gpu, effect: NoSchedule}]
  allocatable: {cpu: "8", memory: 16Gi, pods: "110"}
"""


# --- the examples: schema, golden file, text --------------------------------------------------------------

def test_examples_json_is_valid_against_both_schemas_and_matches_the_golden_file() -> None:
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", "--format", "json", cwd=ROOT)
    assert res.exit_code == 0, res.stderr
    report = res.json
    for v in place_validators():
        assert not list(v.iter_errors(report))
    assert res.stdout == GOLDEN.read_text(encoding="utf-8"), f"the place report changed: review, then run {REGENERATE}"


def test_examples_verdicts() -> None:
    """SPEC §6 on the examples: outcomes read from the inventory and manifests by hand."""
    _, report = place_json("-i", "examples/inventory.yaml", "examples/")
    exporter = workload(report, "DaemonSet", "node-exporter")
    cp = placement(exporter, "control-plane-1")
    assert (cp["targeted"], cp["runs"], [r["code"] for r in cp["reasons"]]) == (False, False, ["untolerated-taint"])
    assert placement(exporter, "edge-1") == {"node": "edge-1", "targeted": True, "runs": True}  # critical: admitted
    fluent = placement(workload(report, "DaemonSet", "fluent-bit"), "edge-1")  # priority 0 under DiskPressure
    assert (fluent["targeted"], [r["code"] for r in fluent["reasons"]]) == (True, ["node-pressure-admission"])
    debug = workload(report, "Pod", "node-debugger-gpu-1")
    assert [p["node"] for p in debug["placements"] if p["runs"]] == ["gpu-1"]
    assert placement(debug, "gpu-2")["reasons"][0]["code"] == "node-name-mismatch"
    etcd = workload(report, "StaticPod", "etcd")
    assert [p["node"] for p in etcd["placements"]] == ["control-plane-1", "control-plane-2", "control-plane-3"]
    node = next(n for n in report["nodes"] if n["name"] == "control-plane-2")
    assert {"kind": "StaticPod", "namespace": "kube-system", "name": "etcd", "mirror": "etcd-control-plane-2"} \
        in node["pods"]
    assert [w["file"] for w in report["workloads"]] == sorted(w["file"] for w in report["workloads"])
    assert "Not whole-repository mode: resources and host ports are booked from each node's existing usage and " \
           "the workloads of this run only" in report["assumptions"]
    # The .bak copy sits in the static pod directory, but the inventory assigns only *.yaml.
    assert any("kube-apiserver.yaml.bak" in a for a in report["assumptions"])


def test_text_matrix_booking_and_legend() -> None:
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", cwd=ROOT)
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert out.startswith("Placement of 9 workloads on 11 nodes\n")
    header = next(line for line in out.splitlines() if line.startswith("workload "))
    assert header.split() == ["workload", "control-plane-1", "control-plane-2", "control-plane-3", "edge-1",
                              "general-1", "general-2", "general-3", "general-4", "general-5", "gpu-1", "gpu-2"]
    row = next(line for line in out.splitlines() if line.startswith("DaemonSet monitoring/node-exporter"))
    assert row.split()[2:] == ["✗", "taint"] * 3 + ["✓"] * 6 + ["✗", "taint"] * 2
    static = next(line for line in out.splitlines() if line.startswith("StaticPod kube-system/etcd"))
    assert static.split()[2:] == ["✓"] * 3 + ["·"] * 8
    assert "  taint     untolerated-taint" in out and "  pressure  node-pressure-admission" in out
    assert "Booking (requested / allocatable)" in out
    assert "etcd-control-plane-1" in out and "850m / 2" in out  # edge-1: 500m existing + 250m + 100m


def test_drill_downs_explain_in_words() -> None:
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", "--workload", "monitoring/node-exporter",
                  cwd=ROOT)
    assert res.exit_code == 0
    assert "DaemonSet monitoring/node-exporter  (examples/daemonsets/node-exporter.yaml:2)" in res.stdout
    assert "runs on 6 of 11 nodes" in res.stdout
    assert "untolerated-taint: the node has a taint it does not tolerate: nvidia.com/gpu=present:NoSchedule" \
        in res.stdout
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", "--node", "edge-1", cwd=ROOT)
    assert res.exit_code == 0
    assert "conditions: DiskPressure=True" in res.stdout
    assert "DaemonSet logging/fluent-bit: does not run: targeted, but refused at the kubelet admission stage" \
        in res.stdout


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--workload", "node-exportr", "did you mean node-exporter"),
    ("--node", "edge-2", "did you mean edge-1"),
])
def test_unknown_drill_down_name_is_exit_2_with_a_hint(option: str, value: str, hint: str) -> None:
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", option, value, cwd=ROOT)
    assert res.exit_code == 2
    assert hint in res.stderr and res.stdout == ""


def test_json_drill_down_narrows_the_report() -> None:
    _, report = place_json("-i", "examples/inventory.yaml", "examples/", "--node", "gpu-2")
    assert [n["name"] for n in report["nodes"]] == ["gpu-2"]
    assert all([p["node"] for p in w["placements"]] in ([], ["gpu-2"]) for w in report["workloads"])
    _, report = place_json("-i", "examples/inventory.yaml", "examples/", "--workload", "etcd")
    assert [w["name"] for w in report["workloads"]] == ["etcd"]


def test_output_file_and_extra_report(tmp_path: Path) -> None:
    out, extra = tmp_path / "place.json", tmp_path / "place.txt"
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", "--format", "json", "--output", str(out),
                  "--report", f"text:{extra}", cwd=ROOT)
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    assert extra.read_text(encoding="utf-8").startswith("Placement of 9 workloads")


def test_static_pods_of_the_inventory_are_placed_without_their_files_in_the_paths() -> None:
    _, report = place_json("-i", "examples/inventory.yaml", "examples/daemonsets")
    assert {w["name"] for w in report["workloads"] if w["kind"] == "StaticPod"} == {
        "etcd", "kube-apiserver", "kube-scheduler", "kube-vip"}
    assert workload(report, "StaticPod", "etcd")["file"] == \
        "examples/nodes/control-plane/etc/kubernetes/manifests/etcd.yaml"


# --- exit codes (SPEC §3) -------------------------------------------------------------------------------

def test_exit_1_when_a_daemonset_runs_nowhere(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY,
                     "ds.yaml": daemonset("ssd", "nodeSelector: {disktype: ssd}")})
    code, report = place_json("-i", "inventory.yaml", "ds.yaml", cwd=tmp_path)
    assert code == 1
    assert all(p["reasons"][0]["code"] == "node-selector-mismatch" for p in workload(report, "DaemonSet", "ssd")
               ["placements"])


def test_exit_1_for_a_pinned_pod_on_a_missing_node_and_a_pod_feasible_nowhere(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY,
                     "pinned.yaml": """\
                         apiVersion: v1
                         kind: Pod
                         metadata: {name: pinned}
                         spec:
                           nodeName: general-9
                           containers: [{name: c, image: example.com/c:1.0}]
                         """,
                     "big.yaml": """\
                         apiVersion: v1
                         kind: Pod
                         metadata: {name: big}
                         spec:
                           containers:
                           - {name: c, image: example.com/c:1.0, resources: {requests: {cpu: "4"}}}
                         """})
    assert place_json("-i", "inventory.yaml", "pinned.yaml", cwd=tmp_path)[0] == 1
    code, report = place_json("-i", "inventory.yaml", "big.yaml", cwd=tmp_path)
    assert code == 1
    big = workload(report, "Pod", "big")
    assert [r["code"] for r in placement(big, "general-1")["reasons"]] == ["insufficient-cpu"]
    assert [r["code"] for r in placement(big, "gpu-1")["reasons"]] == ["untolerated-taint"]


def test_exit_0_when_every_workload_runs_somewhere(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY, "ds.yaml": daemonset("agent")})
    code, report = place_json("-i", "inventory.yaml", "ds.yaml", cwd=tmp_path)
    assert code == 0
    assert [p["runs"] for p in workload(report, "DaemonSet", "agent")["placements"]] == [True, True, False]


@pytest.mark.parametrize(("args", "message"), [
    (["place", "ds.yaml"], "place needs an inventory"),
    (["place", "-i", "missing.yaml", "ds.yaml"], "missing.yaml: inventory file does not exist"),
    (["place", "-i", "bad.yaml", "ds.yaml"], "bad.yaml:3:"),
    (["place", "-i", "inventory.yaml", "nope/"], "path does not exist: nope/"),
    (["place", "-i", "inventory.yaml", "--format", "sarif", "ds.yaml"], "place writes text or json"),
])
def test_usage_and_inventory_errors_are_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY, "ds.yaml": daemonset("agent"),
                     "bad.yaml": "apiVersion: kubelint-nodes.io/v1alpha1\nkind: NodeInventory\npools: [{count: 2}]\n"})
    res = run_cli(*args, cwd=tmp_path)
    assert res.exit_code == 2, res.stdout
    assert message in res.stderr
    assert "Traceback" not in res.stderr


def test_an_unparsable_file_places_nothing_and_is_named_on_stderr(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY, "ds.yaml": daemonset("agent"), "broken.yaml": "a: [1, 2\n"})
    res = run_cli("place", "-i", "inventory.yaml", "ds.yaml", "broken.yaml", cwd=tmp_path)
    assert res.exit_code == 0
    assert "kubelint-nodes: warning: broken.yaml:2:1: " in res.stderr and "nothing placed from it" in res.stderr
    assert "DaemonSet default/agent" in res.stdout


# --- booking, modes, priority classes -----------------------------------------------------------------------

def test_priority_class_objects_of_the_input_decide_the_booking_order(tmp_path: Path) -> None:
    """SPEC §6: DaemonSets book by descending priority (PriorityClass objects found in the input), then
    namespace/name; a pod that does not fit is not booked."""
    request = "{name: c, image: example.com/c:1.0, resources: {requests: {cpu: 1500m}}}"
    write(tmp_path, {"inventory.yaml": INVENTORY,
                     "a.yaml": daemonset("a-agent").replace("      containers:\n      - name: c\n"
                                                            "        image: example.com/a-agent:1.0\n",
                                                            f"      containers: [{request}]\n"),
                     "z.yaml": daemonset("z-agent", "priorityClassName: agents").replace(
                         "      containers:\n      - name: c\n        image: example.com/z-agent:1.0\n",
                         f"      containers: [{request}]\n"),
                     "pc.yaml": "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: agents}\n"
                                "value: 1000\n"})
    _, report = place_json("-i", "inventory.yaml", "--all", "a.yaml", "z.yaml", "pc.yaml", cwd=tmp_path)
    assert placement(workload(report, "DaemonSet", "z-agent"), "general-1")["runs"] is True
    a = placement(workload(report, "DaemonSet", "a-agent"), "general-1")
    assert (a["targeted"], a["runs"], [r["code"] for r in a["reasons"]]) == (True, False, ["insufficient-cpu"])
    node = next(n for n in report["nodes"] if n["name"] == "general-1")
    assert [p["name"] for p in node["pods"]] == ["z-agent"] and node["requested"]["cpu"] == 1500
    # Without the PriorityClass object, a-agent sorts first by name and wins.
    _, report = place_json("-i", "inventory.yaml", "--all", "a.yaml", "z.yaml", cwd=tmp_path)
    assert placement(workload(report, "DaemonSet", "a-agent"), "general-1")["runs"] is True


def test_whole_repository_mode_with_all_or_without_paths(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY, "ds.yaml": daemonset("agent")})
    partial = "Not whole-repository mode: resources and host ports are booked from each node's existing usage " \
              "and the workloads of this run only"
    assert partial in place_json("-i", "inventory.yaml", "ds.yaml", cwd=tmp_path)[1]["assumptions"]
    assert partial not in place_json("-i", "inventory.yaml", "--all", "ds.yaml", cwd=tmp_path)[1]["assumptions"]
    report = place_json("-i", "inventory.yaml", cwd=tmp_path)[1]
    assert partial not in report["assumptions"] and [w["name"] for w in report["workloads"]] == ["agent"]


def test_output_is_deterministic() -> None:
    first = run_cli("place", "-i", "examples/inventory.yaml", "examples/", cwd=ROOT).stdout
    assert run_cli("place", "-i", "examples/inventory.yaml", "examples/", cwd=ROOT).stdout == first


def test_many_nodes_are_shown_per_pool(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yaml": INVENTORY.replace("count: 2", "count: 40"),
                     "ds.yaml": daemonset("agent")})
    res = run_cli("place", "-i", "inventory.yaml", "ds.yaml", cwd=tmp_path)
    assert res.exit_code == 0
    header = next(line for line in res.stdout.splitlines() if line.startswith("workload "))
    assert header.split() == ["workload", "general", "(40)", "gpu", "(1)"]
    row = next(line for line in res.stdout.splitlines() if line.startswith("DaemonSet default/agent"))
    assert row.split()[2:] == ["✓", "✗", "taint"]


# --- real inputs ----------------------------------------------------------------------------------------

def test_corpus_daemonsets_place_without_internal_errors(shared_dir: Path) -> None:
    res = run_cli("place", "-i", "examples/inventory.yaml", str(shared_dir / "corpus" / "daemonsets"), "--format",
                  "json", cwd=ROOT)
    assert res.exit_code in (0, 1), res.stderr
    assert "Traceback" not in res.stderr
    report = res.json
    for v in place_validators():
        assert not list(v.iter_errors(report))
    assert len([w for w in report["workloads"] if w["kind"] == "DaemonSet"]) > 40


def test_readme_shows_the_real_matrix_of_the_examples() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- BEGIN place-example -->\n", 1)[1].split("<!-- END place-example -->", 1)[0]
    shown = block.split("$ kubelint-nodes place -i examples/inventory.yaml examples/\n", 1)[1].rsplit("```", 1)[0]
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", cwd=ROOT)
    assert shown == res.stdout, "README.md's Placement section is stale: paste the output of " \
                                "`kubelint-nodes place -i examples/inventory.yaml examples/`"


def test_an_internal_failure_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from kubelint_nodes.placement import engine

    def broken(*_args, **_kwargs):
        raise KeyError("boom")

    monkeypatch.setattr("kubelint_nodes.placement.collect.place", broken)
    res = run_cli("place", "-i", "examples/inventory.yaml", "examples/", cwd=ROOT)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.strip() == "kubelint-nodes: error: internal error while placing: KeyError: 'boom' (run with " \
                                 "--debug for the traceback)"
    assert engine.place is not broken
    # lint: every inventory rule reports it as internal-error (exit 2), from one failed computation.
    res = run_cli("lint", "--format", "json", "-i", "examples/inventory.yaml", "examples/daemonsets", cwd=ROOT)
    assert res.exit_code == 2
    errors = [f for f in res.json["findings"] if f["rule"] == "internal-error"]
    assert errors and all("KeyError: 'boom'" in f["message"] for f in errors)
