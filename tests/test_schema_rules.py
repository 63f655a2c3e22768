"""``schema-invalid`` and ``deprecated-api-version`` end to end: rule, file, line, column, path, message."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, run_json

FIX = Path(__file__).parent / "fixtures" / "schema"
RULES = ("schema-invalid", "deprecated-api-version")


def hits(*args: str) -> list[tuple]:
    report = run_json(*args, cwd=FIX)
    return [(f["rule"], f["file"], f["line"], f["column"], f["path"]) for f in report["findings"]
            if f["rule"] in RULES]


def messages(*args: str) -> dict[tuple[int, int], str]:
    report = run_json(*args, cwd=FIX)
    return {(f["line"], f["column"]): f["message"] for f in report["findings"] if f["rule"] in RULES}


def test_wrong_type() -> None:
    assert hits("wrong-type.yaml") == [
        ("schema-invalid", "wrong-type.yaml", 6, 3, "spec.hostNetwork"),
        ("schema-invalid", "wrong-type.yaml", 10, 20, "spec.containers[0].args[1]"),
        ("schema-invalid", "wrong-type.yaml", 12, 7, "spec.containers[0].ports[0].containerPort"),
        ("schema-invalid", "wrong-type.yaml", 14, 18, "spec.containers[0].resources.requests.cpu"),
    ]
    msg = messages("wrong-type.yaml")
    assert msg[(6, 3)] == "spec.hostNetwork: expected boolean, got string (remove the quotes to make it a boolean)"
    assert msg[(14, 18)] == ("spec.containers[0].resources.requests.cpu: 'lots' is not a valid quantity "
                             "(e.g. 100m, 0.5, 128Mi, 2Gi)")


def test_unknown_field_with_did_you_mean() -> None:
    assert hits("unknown-field.yaml") == [
        ("schema-invalid", "unknown-field.yaml", 13, 7, "spec.template.spec.toleration"),
        ("schema-invalid", "unknown-field.yaml", 18, 9, "spec.template.spec.containers[0].limit"),
        ("schema-invalid", "unknown-field.yaml", 19, 9, "spec.template.spec.containers[0].imagepullpolicy"),
    ]
    msg = messages("unknown-field.yaml")
    assert msg[(13, 7)] == "spec.template.spec.toleration: unknown field `toleration`; did you mean `tolerations`?"
    assert msg[(18, 9)].endswith("did you mean `resources.limits`?")
    assert msg[(19, 9)].endswith("did you mean `imagePullPolicy`?")


def test_missing_required_field_at_the_parent() -> None:
    assert hits("missing-required.yaml") == [
        ("schema-invalid", "missing-required.yaml", 5, 1, "spec"),
        ("schema-invalid", "missing-required.yaml", 11, 9, "spec.template.spec.containers[0]"),
        ("schema-invalid", "missing-required.yaml", 13, 11, "spec.template.spec.containers[0].volumeMounts[0]"),
        ("schema-invalid", "missing-required.yaml", 16, 9, "spec.template.spec.volumes[0].hostPath"),
    ]
    assert messages("missing-required.yaml")[(5, 1)] == "spec: missing required field `selector`"


def test_yaml11_booleans_and_octal_numbers() -> None:
    assert hits("yaml11-scalars.yaml") == [
        ("schema-invalid", "yaml11-scalars.yaml", 6, 5, "metadata.labels.monitored"),
        ("schema-invalid", "yaml11-scalars.yaml", 7, 5, "metadata.labels.build"),
        ("schema-invalid", "yaml11-scalars.yaml", 8, 5, "metadata.labels.release"),
        ("schema-invalid", "yaml11-scalars.yaml", 17, 9, "spec.template.spec.nodeSelector.gpu"),
        ("schema-invalid", "yaml11-scalars.yaml", 23, 11, "spec.template.spec.containers[0].env[0].value"),
        ("schema-invalid", "yaml11-scalars.yaml", 24, 25, "spec.template.spec.containers[0].env[1].value"),
    ]
    msg = messages("yaml11-scalars.yaml")
    assert msg[(17, 9)] == ("spec.template.spec.nodeSelector.gpu: expected string, got boolean "
                            "(unquoted `on` is a boolean in YAML 1.1; quote it)")
    assert msg[(6, 5)] == ("metadata.labels.monitored: expected string, got boolean "
                           "(unquoted `yes` is a boolean in YAML 1.1; quote it)")
    assert msg[(7, 5)] == ("metadata.labels.build: expected string, got integer "
                           "(`0777` is read as the octal number 511 in YAML 1.1; quote it)")
    assert msg[(23, 11)].endswith("(`0022` is read as the octal number 18 in YAML 1.1; quote it)")
    assert msg[(24, 25)].endswith("(unquoted `off` is a boolean in YAML 1.1; quote it)")
    assert msg[(8, 5)].endswith("(`1.10` is read as the number 1.1 in YAML; quote it)")


def test_yaml11_hint_from_stdin_without_the_file() -> None:
    text = (FIX / "yaml11-scalars.yaml").read_text(encoding="utf-8")
    res = run_cli("lint", "--format", "json", "-", "--stdin-filename", "ds.yaml", stdin=text, cwd=FIX)
    found = [f for f in res.json["findings"] if f["rule"] == "schema-invalid"]
    assert [(f["line"], f["column"]) for f in found] == [(6, 5), (7, 5), (8, 5), (17, 9), (23, 11), (24, 25)]
    assert "YAML 1.1; quote it" in found[3]["message"]


def test_extensions_v1beta1_daemonset_and_other_removed_versions() -> None:
    assert hits("extensions-daemonset.yaml") == [
        ("deprecated-api-version", "extensions-daemonset.yaml", 1, 1, "apiVersion"),
        ("deprecated-api-version", "extensions-daemonset.yaml", 14, 1, "apiVersion"),
        ("deprecated-api-version", "extensions-daemonset.yaml", 27, 1, "apiVersion"),
    ]
    msg = messages("extensions-daemonset.yaml")
    assert msg[(1, 1)] == ("DaemonSet extensions/v1beta1 is no longer served (removed in Kubernetes 1.16; "
                           "selected 1.37); use apiVersion: apps/v1")
    assert msg[(14, 1)].endswith("use apiVersion: apps/v1")
    assert msg[(27, 1)].endswith("use apiVersion: batch/v1")


def test_kubelet_v1alpha1_keyed_by_kind() -> None:
    # the same group/version still serves CredentialProviderConfig: only the KubeletConfiguration is reported
    assert hits("kubelet-v1alpha1.yaml") == [
        ("deprecated-api-version", "kubelet-v1alpha1.yaml", 1, 1, "apiVersion"),
    ]
    assert messages("kubelet-v1alpha1.yaml")[(1, 1)].endswith("use apiVersion: kubelet.config.k8s.io/v1beta1")


def test_valid_objects_are_clean() -> None:
    assert hits("valid.yaml") == []


def test_list_items_and_envelope() -> None:
    report = run_json("list.yaml", cwd=FIX)
    found = [f for f in report["findings"] if f["rule"] == "schema-invalid"]
    assert [(f["line"], f["column"], f["path"], f["object"]["kind"], f["object"]["name"]) for f in found] == [
        (5, 3, "metadata.selfLink2", "List", None),
        (19, 7, "spec.containers[0].tty", "Pod", "bad"),
    ]


def test_unshipped_kinds_are_silent_unless_strict() -> None:
    assert hits("other-kinds.yaml") == [("schema-invalid", "other-kinds.yaml", 6, 1, "apiVersion")]
    assert hits("--strict-kinds", "other-kinds.yaml") == [
        ("schema-invalid", "other-kinds.yaml", 2, 1, "kind"),
        ("schema-invalid", "other-kinds.yaml", 6, 1, "apiVersion"),
        ("schema-invalid", "other-kinds.yaml", 12, 1, "kind"),
    ]


def test_kubernetes_version_selects_the_schema() -> None:
    assert hits("version-field.yaml") == []
    assert hits("--kubernetes-version", "1.36", "version-field.yaml") == []
    assert hits("--kubernetes-version", "1.35", "version-field.yaml") == [
        ("schema-invalid", "version-field.yaml", 5, 3, "spec.schedulingGroup"),
    ]


@pytest.mark.parametrize("version", ["1.20", "latest"])
def test_unsupported_kubernetes_version_is_a_usage_error(version: str) -> None:
    res = run_cli("lint", "--kubernetes-version", version, "valid.yaml", cwd=FIX)
    assert res.exit_code == 2
    assert "1.35, 1.36, 1.37" in res.stderr or "X.Y" in res.stderr


def test_yaml11_hint_with_crlf_line_ends_and_flow_items(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_bytes(
        b"apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n  labels:\r\n    a: on\r\n"
        b"spec:\r\n  containers: [{name: a, image: 'x:1', args: [0755, '-v']}]\r\n")
    report = run_json("pod.yaml", cwd=tmp_path)
    found = [(f["line"], f["column"], f["message"]) for f in report["findings"] if f["rule"] == "schema-invalid"]
    assert found == [
        (6, 5, "metadata.labels.a: expected string, got boolean (unquoted `on` is a boolean in YAML 1.1; quote it)"),
        (8, 47, "spec.containers[0].args[0]: expected string, got integer "
                "(`0755` is read as the octal number 493 in YAML 1.1; quote it)"),
    ]
