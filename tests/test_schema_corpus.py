"""``schema-invalid`` on the real-world corpus (../shared/corpus): real mistakes found, valid upstream YAML clean.

Every finding below was checked by hand against the file and the Kubernetes API rules (see the report in
docs/schema-validation.md). A new finding on this corpus is either a newly caught real mistake (add it
here) or a false alarm (fix the schema handling).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_json

# (file relative to the corpus, line, column, path, message start) of every schema-invalid finding
# on daemonsets/, pods/, static-pods/ and nodes/.
EXPECTED = [
    ("daemonsets/fluentd/fluentd-daemonset-gcs.yaml", 9, 1, "spec", "spec: missing required field `selector`"),
    ("daemonsets/kubernetes-addons/npd.yaml", 46, 7, "spec.template.spec.nodeSelectors",
     "spec.template.spec.nodeSelectors: unknown field `nodeSelectors`; did you mean `nodeSelector`?"),
    ("static-pods/kubeadm-testdata/reset-etcd-pod.yaml", 4, 1, "spec", "spec: missing required field `containers`"),
    ("static-pods/kubeadm-testdata/staticpod-valid-pod.yaml", 11, 5, "spec.containers[0]",
     "spec.containers[0]: missing required field `name`"),
]


@pytest.fixture
def corpus(shared_dir: Path) -> Path:
    path = shared_dir / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is not present")
    return path


def schema_findings(corpus: Path, *dirs: str) -> list[tuple]:
    report = run_json("--disable", "image-tag-latest", *dirs, cwd=corpus)
    return [(f["file"], f["line"], f["column"], f["path"], f["message"]) for f in report["findings"]
            if f["rule"] == "schema-invalid"]


def test_corpus_findings_are_exactly_the_real_mistakes(corpus: Path) -> None:
    found = schema_findings(corpus, "daemonsets", "pods", "static-pods", "nodes")
    assert [f[:4] for f in found] == [e[:4] for e in EXPECTED]
    for f, e in zip(found, EXPECTED, strict=True):
        assert f[4] == e[4]


def test_minikube_dumps_are_clean(corpus: Path) -> None:
    assert schema_findings(corpus, "static-pods/minikube-dumps") == []


def test_kubeadm_testdata_is_reported(corpus: Path) -> None:
    found = schema_findings(corpus, "static-pods/kubeadm-testdata")
    assert {f[0] for f in found} == {"static-pods/kubeadm-testdata/reset-etcd-pod.yaml",
                                     "static-pods/kubeadm-testdata/staticpod-valid-pod.yaml"}


def test_placeholders_are_valid_strings(corpus: Path) -> None:
    files = ["daemonsets/kubernetes-addons/calico-node-daemonset.yaml", "static-pods/kubeadm-ha-docs/haproxy.yaml",
             "static-pods/kubernetes-doc-yaml-ha/etcd.yaml"]
    assert "__CALICO_CNI_DIR__" in (corpus / files[0]).read_text(encoding="utf-8")
    assert schema_findings(corpus, *files) == []


def test_full_dumps_and_every_field_fixtures_are_clean(corpus: Path) -> None:
    files = ["pods/kubernetes-api-testdata/core.v1.Pod.yaml", "nodes/kubernetes-api-testdata/core.v1.Node.yaml",
             "nodes/k8s-apimachinery-managedfields/gke-node.yaml", "nodes/kube-router",
             "static-pods/minikube-dumps/kube-apiserver-minikube.yaml"]
    for f in files:
        assert (corpus / f).exists(), f
    assert schema_findings(corpus, *files) == []
