"""The kubelet configurations of ../shared/corpus/kubelet-configs (written by other projects)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from conftest import SHARED, run_json


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[tuple[str, str, int, int]]]:
    root = SHARED / "corpus" / "kubelet-configs"
    if not root.is_dir():
        pytest.skip("../shared/corpus/kubelet-configs is not present")
    report = run_json(".", cwd=root)
    out: dict[str, list[tuple[str, str, int, int]]] = defaultdict(list)
    for f in report["findings"]:
        out[f["file"]].append((f["rule"], f["severity"], f["line"], f["column"]))
    return {k: sorted(v) for k, v in out.items()}


def test_kube_vip_e2e_config_is_caught(corpus):
    """Anonymous auth on, webhook authentication off, AlwaysAllow, with the server disabled: reported at info,
    saying the server is off; its three-signal evictionHard drops memory.available."""
    assert corpus["kube-vip/testing-e2e-etcd-kubelet.yaml"] == [
        ("kubelet-anonymous-auth", "info", 5, 5),
        ("kubelet-authorization-always-allow", "info", 9, 3),
        ("kubelet-client-ca-missing", "info", 3, 1),
        ("kubelet-partial-eviction-hard", "warning", 23, 1),
        ("kubelet-protect-kernel-defaults", "info", 1, 1),
        ("kubelet-seccomp-default-disabled", "info", 1, 1),
        ("kubelet-webhook-authn-disabled", "info", 7, 5),
    ]


@pytest.mark.parametrize("name", ["amazon-eks-ami/kubelet-config-dir-expected-kubelet-config.json",
                                  "amazon-eks-ami/kubelet-config-new-instance-type-expected-kubelet-config.json"])
def test_eks_configs_have_no_error(corpus, name):
    found = corpus[name]
    assert [f for f in found if f[1] == "error"] == []
    # The one warning: evictionHard lists memory and nodefs signals only, so the imagefs defaults are dropped.
    assert [f[0] for f in found if f[1] == "warning"] == ["kubelet-partial-eviction-hard"]
    assert [f[0] for f in found if f[1] == "info"] == ["kubelet-seccomp-default-disabled"]


def test_kubeadm_testdata_unknown_and_duplicate_fields(corpus):
    assert ("kubelet-unknown-field", "error", 3, 1) in corpus["kubeadm-testdata/invalid_unknown_field_kubeletcfg.yaml"]
    assert ("yaml-duplicate-key", "error", 4, 1) in corpus["kubeadm-testdata/invalid_duplicate_field_kubeletcfg.yaml"]
    assert [f for f in corpus["kubeadm-testdata/valid_kubeletcfg.yaml"] if f[1] == "error"] == []
    # The removed v1alpha1 is deprecated-api-version, and no kubelet rule judges it.
    assert [f[0] for f in corpus["kubeadm-testdata/init-old-component-config.yaml"]] == ["deprecated-api-version"]


def test_defaulted_upstream_configs_start(corpus):
    """The kubelet's own scheme test data and the kubeadm-style node-feature-discovery config (every duration
    0s) contain no field and no value the kubelet would refuse."""
    for name in ("kubelet-scheme-testdata/after-v1beta1.yaml", "kubelet-scheme-testdata/roundtrip-default-v1beta1.yaml",
                 "kubelet-scheme-testdata/before-v1beta1.yaml", "node-feature-discovery/kubeletconf.yaml",
                 "kubernetes-e2e-node/default-kubelet-config.yaml"):
        assert [f for f in corpus[name] if f[1] == "error"] == [], name
