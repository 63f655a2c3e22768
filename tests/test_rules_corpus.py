"""The rules on real manifests (../shared/corpus): static pod directories and DaemonSets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings, run_json
from test_rules_fixtures import CASES

STATIC_DIRS = ("kubeadm-ha-docs", "kubeadm-testdata", "kubernetes-cluster", "kubernetes-doc-yaml-ha", "minikube-dumps")

# The rules of this suite (the ones with fixtures in tests/fixtures/rules/); other rules are tested elsewhere.
OURS = {rule for rule, _ in CASES}
# Every error-level finding of these rules on the static pod corpus, and why the kubelet agrees with it.
KUBELET_AGREES = {
    ("kubeadm-ha-docs/kube-vip-arp.yaml", "static-pod-duplicate"):
        "the ARP and BGP variants both define kube-system/kube-vip; in one directory the kubelet keeps "
        "kube-vip-bgp.yaml (sorts last) and drops this one",
    ("minikube-dumps/etcd.yaml", "static-pod-duplicate"):
        "the file is named etcd.yaml but its pod is kube-system/kube-apiserver-minikube, like "
        "kube-apiserver-minikube.yaml, which sorts last and wins",
}


def _static_report(shared: Path, sub: str) -> dict:
    return run_json("--static-pod-dir", sub, sub, cwd=shared / "corpus" / "static-pods")


@pytest.mark.parametrize("sub", STATIC_DIRS)
def test_static_pod_corpus_errors_are_the_kubelets(shared_dir: Path, sub: str) -> None:
    report = _static_report(shared_dir, sub)
    errors = {(f["file"], f["rule"]) for f in report["findings"] if f["severity"] == "error" and f["rule"] in OURS}
    assert errors == {k for k in KUBELET_AGREES if k[0].startswith(sub + "/")}
    assert not findings(report, "internal-error")


def test_static_pod_duplicate_names_the_winner(shared_dir: Path) -> None:
    report = _static_report(shared_dir, "minikube-dumps")
    (dup,) = findings(report, "static-pod-duplicate")
    assert (dup["file"], dup["line"], dup["column"], dup["path"]) == ("minikube-dumps/etcd.yaml", 10, 3,
                                                                      "metadata.name")
    assert [r["file"] for r in dup["related"]] == ["minikube-dumps/kube-apiserver-minikube.yaml"]
    assert "minikube-dumps/kube-apiserver-minikube.yaml runs" in dup["message"]


def test_kube_vip_admin_conf_is_sensitive_but_kubeadm_mounts_are_not(shared_dir: Path) -> None:
    vip = _static_report(shared_dir, "kubeadm-ha-docs")
    assert [(f["file"], f["line"], f["column"]) for f in findings(vip, "sensitive-host-path")] == [
        ("kubeadm-ha-docs/kube-vip-arp.yaml", 56, 7), ("kubeadm-ha-docs/kube-vip-bgp.yaml", 60, 7)]
    for sub in ("minikube-dumps", "kubernetes-doc-yaml-ha"):
        assert not findings(_static_report(shared_dir, sub), "sensitive-host-path"), sub


def test_daemonset_corpus_findings_checked_by_hand(shared_dir: Path) -> None:
    report = run_json("daemonsets", cwd=shared_dir / "corpus")
    assert not findings(report, "internal-error")
    got = {(f["rule"], f["file"], f["line"], f["column"]) for f in report["findings"]}
    # apps/v1 DaemonSet without spec.selector (line 9 is `spec:`): the API server rejects it.
    assert ("daemonset-selector-mismatch", "daemonsets/fluentd/fluentd-daemonset-gcs.yaml", 9, 1) in got
    # kube-rbac-proxy's `hostPort: 9100` (line 80) in kube-prometheus' node-exporter.
    assert ("host-port", "daemonsets/kube-prometheus/nodeExporter-daemonset.yaml", 80, 11) in got
    # pod-level `windowsOptions.hostProcess: true` (line 39) of the Azure Disk Windows node plugin.
    assert ("windows-host-process", "daemonsets/azuredisk-csi-driver/csi-azuredisk-node-windows-hostprocess.yaml",
            39, 11) in got
    # DaemonSet rules only on DaemonSets: every one of them names a DaemonSet.
    for f in report["findings"]:
        if f["rule"].startswith("daemonset-"):
            assert f["object"]["kind"] == "DaemonSet", f
