"""Our control-plane verdicts against Checkov's own fixtures (``../shared/corpus/peer-fixtures/checkov``).

For each Checkov check mapped to one of our rules (issue 13), every fixture
Checkov's test harness counts (``EXPECTED.tsv``: PASS or FAIL; ``n/a`` files
are not lint inputs) gets our verdict: FAIL when our rule reports at least one
finding in the file. The verdicts must be equal, except for the differences
listed below, each with its reason. Runs with the default
``--kubernetes-version`` (the newest supported).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import findings, run_json

MAPPING = {
    "CKV_K8S_68": "apiserver-anonymous-auth",
    "CKV_K8S_74": "apiserver-authorization-always-allow",
    "CKV_K8S_75": "apiserver-authorization-missing-node-rbac",
    "CKV_K8S_77": "apiserver-authorization-missing-node-rbac",
    "CKV_K8S_79": "apiserver-admission-always-admit",
    "CKV_K8S_85": "apiserver-node-restriction-missing",
    "CKV_K8S_86": "control-plane-removed-flag",
    "CKV_K8S_88": "control-plane-removed-flag",
    "CKV_K8S_90": "apiserver-profiling-enabled",
    "CKV_K8S_91": "apiserver-audit-log-missing",
    "CKV_K8S_73": "apiserver-kubelet-ca-missing",
    "CKV_K8S_96": "apiserver-service-account-lookup-disabled",
    "CKV_K8S_104": "apiserver-encryption-config-missing",
    "CKV_K8S_105": "apiserver-weak-tls",
    "CKV_K8S_108": "controller-manager-sa-credentials-disabled",
    "CKV_K8S_107": "controller-manager-profiling-enabled",
    "CKV_K8S_113": "controller-manager-bind-address",
    "CKV_K8S_114": "scheduler-profiling-enabled",
    "CKV_K8S_115": "scheduler-bind-address",
    "CKV_K8S_117": "etcd-client-cert-auth-disabled",
    "CKV_K8S_121": "etcd-peer-client-cert-auth-disabled",
    "CKV_K8S_118": "etcd-auto-tls",
}

# (fixture path below checkov/checks/, our verdict): why we differ from Checkov.
DIFFERENCES = {
    ("example_ApiServerAuthorizationModeNotAlwaysAllow/ApiServer-PASSED-2.yaml", "FAIL"):
        "no --authorization-mode and no --authorization-config: kube-apiserver defaults to AlwaysAllow "
        "(a default Checkov ignores)",
    ("example_ApiServerAuthorizationModeRBAC/ApiServer-PASSED-2.yaml", "FAIL"):
        "--authorization-mode=RBAC has RBAC but not Node; our rule covers both CIS 1.2.7 and 1.2.8, "
        "while CKV_K8S_77 only asks for RBAC",
    ("example_ApiServerServiceAccountLookup/ApiServer-FAILED-2.yaml", "PASS"):
        "--service-account-lookup is not set and defaults to true (a default Checkov ignores; kube-bench "
        "1.2.21 also accepts it unset)",
    ("example_ApiServerAuditLog/ApiServer-PASSED.yaml", "FAIL"):
        "--audit-log-path without --audit-policy-file: the API server records no events "
        "(k8s.io/apiserver audit options: 'no events will be recorded')",
    ("example_ApiServerInsecurePort/api-server-insecure-port-PASSED.yaml", "FAIL"):
        "--insecure-port=0 is a flag removed in Kubernetes 1.24: kube-apiserver of the version in force "
        "exits with 'unknown flag'",
    ("example_ApiServerInsecurePort/api-server-insecure-port-FAILED.yaml", "PASS"):
        "a Deployment (role workload): the catalogue scopes the control-plane rules to roles pod and "
        "static-pod",
    ("example_ApiServerInsecureBindAddress/api-server-insecure-bind-address-FAILED.yaml", "PASS"):
        "a Deployment (role workload): the catalogue scopes the control-plane rules to roles pod and "
        "static-pod",
}


def _expected(shared: Path) -> list[tuple[str, str, str]]:
    rows = []
    with open(shared / "corpus" / "peer-fixtures" / "EXPECTED.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["peer"] != "checkov":
                continue
            check_id = row["check"].split()[0]
            if check_id in MAPPING and row["expected"] in ("PASS", "FAIL"):
                rows.append((row["local_path"], check_id, row["expected"]))
    return rows


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict[str, list]]:
    """Our findings per fixture file, from one run over Checkov's fixture tree."""
    shared = Path(__file__).resolve().parent.parent.parent / "shared"
    if not shared.is_dir():
        pytest.skip("../shared is not present")
    root = shared / "corpus" / "peer-fixtures" / "checkov" / "checks"
    report = run_json(str(root))
    assert not findings(report, "internal-error")
    by_file: dict[str, dict[str, list]] = {}
    for f in report["findings"]:
        rel = Path(f["file"]).resolve().relative_to(root.resolve()).as_posix()
        by_file.setdefault(rel, {}).setdefault(f["rule"], []).append(f)
    return by_file


def test_mapping_covers_issue_checks(shared_dir: Path) -> None:
    rows = _expected(shared_dir)
    assert {c for _, c, _ in rows} == set(MAPPING)
    assert len(rows) == 59


def test_verdicts_match_checkov(shared_dir: Path, verdicts: dict) -> None:
    rows = _expected(shared_dir)
    mismatches = []
    used = set()
    for local_path, check_id, expected in rows:
        rel = local_path.removeprefix("checkov/checks/")
        rule = MAPPING[check_id]
        ours = "FAIL" if verdicts.get(rel, {}).get(rule) else "PASS"
        if ours == expected:
            assert (rel, ours) not in DIFFERENCES, f"{rel}: listed as a difference but we agree"
            continue
        if (rel, ours) in DIFFERENCES:
            used.add((rel, ours))
            continue
        mismatches.append(f"{rel} ({check_id} -> {rule}): Checkov {expected}, we {ours}")
    assert not mismatches, "\n".join(mismatches)
    assert used == set(DIFFERENCES), set(DIFFERENCES) - used


def test_differences_are_few(shared_dir: Path) -> None:
    """Agreement on all but the listed files: 59 mapped fixtures, 7 reasoned differences."""
    assert len(DIFFERENCES) == 7
    assert len(_expected(shared_dir)) - len(DIFFERENCES) == 52


def test_peer_fixture_findings_point_at_the_flag(verdicts: dict) -> None:
    """Spot checks, by hand from the fixture text: line and column of the offending list item."""
    anon = verdicts["example_ApiServerAnonymousAuth/ApiServer-AnonymousAuth-True-FAILED.yaml"]
    assert [(f["line"], f["column"]) for f in anon["apiserver-anonymous-auth"]] == [(14, 7)]
    missing = verdicts["example_ApiServerAnonymousAuth/ApiServer-AnonymousAuth-Missing-FAILED.yaml"]
    assert [(f["line"], f["column"], f["path"]) for f in missing["apiserver-anonymous-auth"]] == [
        (12, 5, "spec.containers[0].command")]
    peer = verdicts["example_PeerClientCertAuthTrue/PeerClientCertAuthTrue-FAILED.yaml"]
    (f,) = peer["etcd-peer-client-cert-auth-disabled"]
    assert (f["line"], f["path"]) == (27, "spec.containers[0].args[15]")
    assert "inferred from the image 'b.gcr.io/kuar/etcd:2.2.0'" in f["message"]
    assert "the image tag '2.2.0' is etcd 2.2" in f["message"]
