"""Control-plane findings on ``../shared/corpus/static-pods/``, each subfolder linted as a static pod directory.

The expected lists were checked by hand against the manifests:

* ``minikube-dumps`` (kubeadm 1.24 output): kubeadm sets ``--authorization-mode=Node,RBAC``,
  ``NodeRestriction``, loopback ``--bind-address`` and service account credentials, but never
  ``--anonymous-auth=false``, ``--profiling=false``, audit, encryption or a kubelet CA; kubescape's edited
  etcd dump lacks ``--cert-file`` and ``--peer-cert-file`` and still carries ``--proxy-refresh-interval``,
  which etcd 3.6 (paired with Kubernetes 1.37) no longer accepts.
* ``kubernetes-doc-yaml-ha`` (the old HA guide): every flag in one ``sh -c`` string, ``--address``
  (removed in 1.24), ``--admission-control`` without NodeRestriction, a token file, ``--etcd-servers`` over
  plain HTTP, no authorization mode; etcd on ``http://`` URLs given as separate words, no TLS at all.
* ``kubeadm-testdata``: the etcd container has no command, so nothing says what runs; the reset pod has no
  container. ``kubernetes-cluster``: ``/etcd-version-monitor`` is not etcd. ``kubeadm-ha-docs``: kube-vip,
  haproxy and keepalived are not control-plane components.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import run_json

MINE = ("apiserver-", "etcd-", "controller-manager-", "scheduler-", "control-plane-")

EXPECTED = {
    "minikube-dumps": [
        ("etcd.yaml", 14, "etcd-cert-missing"), ("etcd.yaml", 14, "etcd-cert-missing"),
        ("etcd.yaml", 29, "control-plane-removed-flag"),
        ("kube-apiserver-minikube.yaml", 27, "apiserver-anonymous-auth"),
        ("kube-apiserver-minikube.yaml", 27, "apiserver-audit-log-missing"),
        ("kube-apiserver-minikube.yaml", 27, "apiserver-encryption-config-missing"),
        ("kube-apiserver-minikube.yaml", 27, "apiserver-kubelet-ca-missing"),
        ("kube-apiserver-minikube.yaml", 27, "apiserver-profiling-enabled"),
        ("kube-controller-manager.yaml", 12, "controller-manager-profiling-enabled"),
        ("kube-scheduler.yaml", 12, "scheduler-profiling-enabled"),
    ],
    "kubernetes-doc-yaml-ha": [
        ("etcd.yaml", 10, "etcd-cert-missing"), ("etcd.yaml", 10, "etcd-cert-missing"),
        ("etcd.yaml", 10, "etcd-client-cert-auth-disabled"), ("etcd.yaml", 10, "etcd-peer-client-cert-auth-disabled"),
        ("etcd.yaml", 16, "etcd-plain-http"), ("etcd.yaml", 20, "etcd-plain-http"),
        ("kube-apiserver.yaml", 10, "apiserver-anonymous-auth"),
        ("kube-apiserver.yaml", 10, "apiserver-audit-log-missing"),
        ("kube-apiserver.yaml", 10, "apiserver-authorization-always-allow"),
        ("kube-apiserver.yaml", 10, "apiserver-authorization-missing-node-rbac"),
        ("kube-apiserver.yaml", 10, "apiserver-encryption-config-missing"),
        ("kube-apiserver.yaml", 10, "apiserver-kubelet-ca-missing"),
        ("kube-apiserver.yaml", 10, "apiserver-kubelet-client-cert-missing"),
        ("kube-apiserver.yaml", 10, "apiserver-profiling-enabled"),
        ("kube-apiserver.yaml", 13, "apiserver-node-restriction-missing"),
        ("kube-apiserver.yaml", 13, "apiserver-token-auth-file"),
        ("kube-apiserver.yaml", 13, "control-plane-removed-flag"),
        ("kube-apiserver.yaml", 13, "etcd-plain-http"),
        ("kube-controller-manager.yaml", 7, "controller-manager-bind-address"),
        ("kube-controller-manager.yaml", 7, "controller-manager-profiling-enabled"),
        ("kube-controller-manager.yaml", 7, "controller-manager-root-ca-missing"),
        ("kube-controller-manager.yaml", 7, "controller-manager-sa-credentials-disabled"),
        ("kube-scheduler.yaml", 10, "scheduler-bind-address"),
        ("kube-scheduler.yaml", 10, "scheduler-profiling-enabled"),
    ],
    "kubeadm-testdata": [],
    "kubernetes-cluster": [],
    "kubeadm-ha-docs": [],
}


def _lint(folder: Path) -> dict:
    return run_json("--static-pod-dir", str(folder), str(folder))


@pytest.mark.parametrize("sub", sorted(EXPECTED))
def test_static_pod_corpus(shared_dir: Path, sub: str) -> None:
    folder = shared_dir / "corpus" / "static-pods" / sub
    report = _lint(folder)
    got = [(Path(f["file"]).name, f["line"], f["rule"]) for f in report["findings"] if f["rule"].startswith(MINE)]
    assert Counter(got) == Counter(EXPECTED[sub])
    assert all(f["object"]["role"] == "static-pod" for f in report["findings"] if f["rule"].startswith(MINE))


def test_ha_guide_messages_name_flag_value_and_place(shared_dir: Path) -> None:
    report = _lint(shared_dir / "corpus" / "static-pods" / "kubernetes-doc-yaml-ha")
    by_rule = {(Path(f["file"]).name, f["rule"]): f for f in report["findings"]}
    removed = by_rule[("kube-apiserver.yaml", "control-plane-removed-flag")]
    assert removed["path"] == "spec.containers[0].command[2]"
    assert "--address=127.0.0.1 (in the sh -c script of command[2], line 13)" in removed["message"]
    assert "removed in Kubernetes 1.24" in removed["message"]
    node = by_rule[("kube-apiserver.yaml", "apiserver-node-restriction-missing")]
    assert "--admission-control=NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota" in node["message"]
    peer = [f for f in report["findings"] if f["rule"] == "etcd-plain-http" and f["line"] == 16][0]
    assert "--listen-peer-urls http://${NODE_IP}:2380 (command[5], line 16)" in peer["message"]
    assert "the image tag '2.0.9' is etcd 2.0" in peer["message"]


def test_minikube_messages_say_the_image_pins_another_minor(shared_dir: Path) -> None:
    report = _lint(shared_dir / "corpus" / "static-pods" / "minikube-dumps")
    msgs = [f["message"] for f in report["findings"] if f["rule"] == "apiserver-anonymous-auth"]
    assert len(msgs) == 1
    assert "--anonymous-auth is not set, so it is true (the default in Kubernetes 1.37)" in msgs[0]
    assert "the image tag 'v1.24.1' is Kubernetes 1.24" in msgs[0]
    etcd = [f for f in report["findings"] if f["rule"] == "control-plane-removed-flag"][0]
    assert "--proxy-refresh-interval=70000 (command[14], line 29)" in etcd["message"]
    assert "removed in etcd 3.6" in etcd["message"] and "'3.5.1-0' is etcd 3.5" in etcd["message"]
