"""Gates decide before a check (and its module) runs; a gate that is false where its rule could report would
silently drop findings, so each is checked against the exact logic it stands in front of."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SHARED, run_json, where

from kubelint_nodes.checks.gates import could_run_control_plane, runs_control_plane
from kubelint_nodes.controlplane import invocations
from kubelint_nodes.loader.files import InputFile
from kubelint_nodes.loader.read import load_file
from kubelint_nodes.settings import Settings


def _resources(root: Path):
    limits = Settings().limits
    for dirpath, _dirs, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".yaml", ".yml", ".json", ".manifest")) or "manifests" in dirpath:
                path = os.path.join(dirpath, name)
                lf = load_file(InputFile(display=path, abspath=path), limits)
                yield from lf.resources


@pytest.mark.parametrize("root", [SHARED / "corpus", FIXTURES / "controlplane", FIXTURES / "rules"],
                         ids=["shared-corpus", "controlplane-fixtures", "rule-fixtures"])
def test_control_plane_gate_agrees_with_recognition(root: Path) -> None:
    if not root.is_dir():
        pytest.skip(f"{root} is not present")
    components = pods = 0
    for res in _resources(root):
        if res.pod_spec() is None:
            continue
        pods += 1
        exact = bool(invocations(res))
        components += exact
        assert runs_control_plane(res) == exact, (res.file.display, res.start)
        if exact:
            assert could_run_control_plane(res)
    assert pods > 0
    if root.name == "corpus":  # the static-pod folders hold kubeadm, minikube and HA-guide components
        assert components >= 10


def test_quoted_component_name_in_a_script_still_passes_the_gate(tmp_path: Path) -> None:
    (tmp_path / "kube-apiserver.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: kube-system\nspec:\n  containers:\n"
        "  - name: api\n    image: example.com/base:1\n"
        "    command: [\"/bin/sh\", \"-c\", \"exec kube-'api'server --profiling=true --anonymous-auth=true\"]\n")
    report = run_json(".", cwd=tmp_path)
    assert ("kube-apiserver.yaml", 10, 32) in where(report, "apiserver-profiling-enabled")


def test_one_file_run_imports_neither_kubelet_nor_control_plane_library(tmp_path: Path) -> None:
    ds = FIXTURES / "rules"
    target = next(p for p in sorted(ds.rglob("*.yaml")) if "kind: DaemonSet" in p.read_text(encoding="utf-8"))
    code = ("import sys\n"
            "from kubelint_nodes.cli import main\n"
            "sys.argv = ['kubelint-nodes', 'lint', '--fail-on', 'never', sys.argv[1]]\n"
            "try:\n    main()\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('kubelint_nodes.kubelet', "
            "'kubelint_nodes.controlplane', 'tabulate'))), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, cwd=ROOT)
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr


def test_a_run_gate_is_asked_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The effective kubelet rules share one gate: the run is scanned for kubelet configurations once."""
    from kubelint_nodes.engine import registry
    from kubelint_nodes.kubelet.evaluate import EFFECTIVE_RULES

    calls: list[object] = []

    def counting(ctx: object) -> bool:
        calls.append(ctx)
        return False

    registry.load_catalogue()  # the built-in gate refs are known before they are replaced
    for rule_id in EFFECTIVE_RULES:
        monkeypatch.setitem(registry._GATES, rule_id, counting)
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                                       "  - name: c\n    image: busybox:1.36\n")
    run_json(".", cwd=tmp_path)
    assert len(EFFECTIVE_RULES) > 1 and len(calls) == 1
