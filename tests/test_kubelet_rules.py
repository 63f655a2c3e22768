"""Kubelet-config rules end to end: rule id, file, line and column of every finding (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, findings, run_cli, run_json

K = FIXTURES / "kubelet"


def lint(*names: str, extra: tuple[str, ...] = ()) -> dict:
    return run_json(*[str(K / n) for n in names], *extra, cwd=K)


def hits(report: dict, rule: str | None = None) -> list[tuple[str, str, int, int]]:
    """(rule, file name, line, column) of the kubelet findings, sorted."""
    return sorted((f["rule"], Path(f["file"]).name, f["line"], f["column"]) for f in findings(report, rule)
                  if f["rule"].startswith("kubelet-") or f["rule"] == "schema-invalid")


def test_kubeadm_style_config_has_no_error_or_warning():
    """kubeadm writes 0s for every duration and "" for containerRuntimeEndpoint: zero means default."""
    report = lint("kubeadm.yaml")
    assert [f for f in report["findings"] if f["severity"] in ("error", "warning")] == []
    # Only the two hardening recommendations it does not set remain, at info.
    assert hits(report) == [("kubelet-protect-kernel-defaults", "kubeadm.yaml", 1, 1),
                            ("kubelet-seccomp-default-disabled", "kubeadm.yaml", 1, 1)]


def test_minimal_config_gets_exactly_what_its_defaults_imply():
    """v1beta1 file defaults: anonymous off, Webhook authn on, mode Webhook, readOnlyPort 0, no client CA,
    protectKernelDefaults false, seccompDefault false, rotateCertificates unset (not reported)."""
    report = lint("minimal.yaml")
    got = [(f["rule"], f["severity"], f["line"], f["column"], f["path"]) for f in report["findings"]]
    assert sorted(got) == [
        ("kubelet-client-ca-missing", "warning", 1, 1, "authentication.x509.clientCAFile"),
        ("kubelet-protect-kernel-defaults", "info", 1, 1, "protectKernelDefaults"),
        ("kubelet-seccomp-default-disabled", "info", 1, 1, "seccompDefault"),
    ]
    ca = findings(report, "kubelet-client-ca-missing")[0]
    assert "the v1beta1 default" in ca["message"] and "--client-ca-file" in ca["message"]
    assert ca["object"] == {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
                            "name": None, "namespace": None, "role": "kubelet-config"}


def test_unknown_fields_at_any_depth_with_did_you_mean():
    report = lint("unknown-field.yaml")
    got = {(f["line"], f["column"]): f["message"] for f in findings(report, "kubelet-unknown-field")}
    assert sorted(got) == [(3, 1), (6, 5), (9, 1), (10, 1), (13, 3)]
    assert 'did you mean "staticPodPath"' in got[(3, 1)]
    assert 'in authentication.anonymous (did you mean "enabled"' in got[(6, 5)]
    assert 'did you mean "authentication.x509.clientCAFile"' in got[(9, 1)]
    assert 'did you mean "readOnlyPort"' in got[(10, 1)]  # field names are case-sensitive
    assert 'in registerWithTaints[0] (did you mean "effect"' in got[(13, 3)]
    # The typo hides nothing else: anonymous stays off by default, the CA is set.
    assert not findings(report, "kubelet-anonymous-auth") and not findings(report, "kubelet-client-ca-missing")


def test_config_invalid_start_up_validation():
    report = lint("config-invalid.yaml")
    got = {(f["line"], f["column"]): f["message"] for f in findings(report, "kubelet-config-invalid")}
    assert sorted(got) == [(3, 1), (5, 3), (7, 3), (14, 3), (16, 3), (18, 3)]
    assert "imageGCLowThresholdPercent 80 must be less than imageGCHighThresholdPercent 70" in got[(3, 1)]
    assert "grace period must be specified for the soft eviction threshold memory.available" in got[(5, 3)]
    assert 'unrecognized feature gate "RotateKubeletServerCertificat"' in got[(7, 3)]
    assert 'did you mean "RotateKubeletServerCertificate"' in got[(7, 3)]
    assert "unsupported eviction signal 'disk.available'" in got[(14, 3)]
    assert "cannot reserve 'gpu' resource" in got[(16, 3)]
    assert "unknown authorization mode 'RBAC'" in got[(18, 3)]


def test_valid_values_and_zero_defaults_are_not_invalid():
    report = lint("config-valid-variants.yaml")
    assert findings(report, "kubelet-config-invalid") == []
    assert findings(report, "schema-invalid") == []
    assert findings(report, "kubelet-weak-tls") == []  # GCM and ChaCha20 suites, with or without ECDHE


def test_partial_eviction_hard_and_merge_defaults():
    assert hits(lint("partial-eviction.yaml"), "kubelet-partial-eviction-hard") == [
        ("kubelet-partial-eviction-hard", "partial-eviction.yaml", 3, 1)]
    msg = findings(lint("partial-eviction.yaml"), "kubelet-partial-eviction-hard")[0]["message"]
    assert "nodefs.available 10%" in msg and "mergeDefaultEvictionSettings" in msg
    assert findings(lint("eviction-merge-defaults.yaml"), "kubelet-partial-eviction-hard") == []
    assert findings(lint("kubeadm.yaml"), "kubelet-partial-eviction-hard") == []


def test_static_pod_path_relative_says_where_it_resolves():
    report = lint("static-pod-path-relative.yaml")
    [f] = findings(report, "kubelet-static-pod-path-relative")
    assert (f["line"], f["column"], f["severity"]) == (3, 1, "warning")
    assert "'/var/lib/kubelet/manifests'" in f["message"] and "'manifests'" in f["message"]
    # A single file is a legal staticPodPath; an absolute directory too.
    assert findings(lint("static-pod-single-file.yaml"), "kubelet-static-pod-path-relative") == []
    assert findings(lint("minimal.yaml"), "kubelet-static-pod-path-relative") == []


def test_static_pod_url():
    report = lint("static-pod-url.yaml")
    assert hits(report, "kubelet-static-pod-url") == [("kubelet-static-pod-url", "static-pod-url.yaml", 3, 1)]
    assert "plain http" in findings(report, "kubelet-static-pod-url")[0]["message"]


def test_insecure_auth_each_rule_at_its_key():
    report = lint("insecure-auth.yaml")
    assert hits(report) == [
        ("kubelet-anonymous-auth", "insecure-auth.yaml", 5, 5),
        ("kubelet-authorization-always-allow", "insecure-auth.yaml", 9, 3),
        ("kubelet-certificate-rotation-disabled", "insecure-auth.yaml", 13, 1),
        ("kubelet-client-ca-missing", "insecure-auth.yaml", 3, 1),  # nearest existing parent
        ("kubelet-protect-kernel-defaults", "insecure-auth.yaml", 11, 1),
        ("kubelet-read-only-port", "insecure-auth.yaml", 10, 1),
        ("kubelet-seccomp-default-disabled", "insecure-auth.yaml", 12, 1),
        ("kubelet-webhook-authn-disabled", "insecure-auth.yaml", 7, 5),
    ]
    sev = {f["rule"]: f["severity"] for f in report["findings"]}
    assert sev["kubelet-anonymous-auth"] == "error" and sev["kubelet-authorization-always-allow"] == "error"
    assert sev["kubelet-read-only-port"] == "error" and sev["kubelet-webhook-authn-disabled"] == "warning"
    anon = findings(report, "kubelet-anonymous-auth")[0]["message"]
    assert "set at line 5" in anon and "--anonymous-auth" in anon


def test_server_off_lowers_server_auth_rules_but_not_read_only_port():
    report = lint("server-off.yaml")
    sev = {f["rule"]: (f["severity"], f["line"]) for f in report["findings"]}
    assert sev["kubelet-anonymous-auth"] == ("info", 6)
    assert sev["kubelet-authorization-always-allow"] == ("info", 8)
    assert sev["kubelet-client-ca-missing"] == ("info", 4)
    assert sev["kubelet-read-only-port"] == ("error", 9)
    anon = findings(report, "kubelet-anonymous-auth")[0]["message"]
    assert "server is off (enableServer: false, set at line 3)" in anon


def test_weak_tls_one_finding_per_weak_entry():
    report = lint("weak-tls.yaml")
    got = [(f["line"], f["path"]) for f in findings(report, "kubelet-weak-tls")]
    assert sorted(got) == [(3, "tlsMinVersion"), (6, "tlsCipherSuites[1]"), (7, "tlsCipherSuites[2]")]


def test_schema_invalid_types_say_the_kubelet_will_not_start():
    report = lint("schema-invalid.yaml")
    got = {(f["line"], f["column"]): f["message"] for f in findings(report, "schema-invalid")}
    assert sorted(got) == [(3, 1), (5, 3), (6, 1), (7, 1)]
    assert all("will not start" in m for m in got.values())
    assert "must be an integer (int32)" in got[(3, 1)]
    assert "kubeReserved.cpu must be a string" in got[(5, 3)]
    assert "Go duration" in got[(7, 1)]
    # A wrongly typed value is left out of the effective configuration (the kubelet would not start).
    assert findings(report, "kubelet-config-invalid") == []


def test_drop_in_chain_reports_at_the_file_that_set_the_value():
    report = run_json("chain/kubelet.yaml", "--kubelet-config", "chain/kubelet.yaml", "--kubelet-config-dir",
                      "chain/conf.d", cwd=K)
    assert hits(report) == [
        ("kubelet-config-invalid", "30-typo.conf", 4, 1),
        ("kubelet-read-only-port", "10-debug.conf", 6, 1),
        ("kubelet-unknown-field", "30-typo.conf", 3, 1),
    ]
    files = {f["file"] for f in report["findings"]}
    assert files == {"chain/conf.d/10-debug.conf", "chain/conf.d/30-typo.conf"}
    rop = findings(report, "kubelet-read-only-port")[0]["message"]
    assert "set at line 6, overriding chain/kubelet.yaml:8" in rop
    # sub/20-eviction.conf (merged after 30-typo.conf, lexical WalkDir order) turns anonymous auth off again
    # and keeps the default eviction signals, so the main file's evictionHard is not partial.
    assert not findings(report, "kubelet-anonymous-auth")
    assert report["summary"]["files"] == 4  # main + three *.conf, README.md is not a drop-in


def test_drop_ins_linted_on_their_own_get_only_the_explicit_rules():
    report = run_json("chain/conf.d", "--kubelet-config-dir", "chain/conf.d", cwd=K)
    assert hits(report) == [("kubelet-unknown-field", "30-typo.conf", 3, 1)]
    assert report["summary"]["files"] == 3


@pytest.mark.parametrize("args, message", [
    (("--kubelet-config", "missing.yaml"), "missing.yaml"),
    (("--kubelet-config", "../podspec/../kubelet/chain"), "not a readable file"),
])
def test_kubelet_config_that_cannot_be_read_is_exit_2(args, message):
    res = run_cli("lint", *args, cwd=K)
    assert res.exit_code == 2 and message in res.stderr


def test_kubelet_config_that_is_not_a_kubelet_configuration_is_exit_2(tmp_path):
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    res = run_cli("lint", "--kubelet-config", "pod.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "not a KubeletConfiguration (kind 'Pod')" in res.stderr
    (tmp_path / "broken.yaml").write_text("apiVersion: [\n")
    res = run_cli("lint", "--format", "json", "--kubelet-config", "broken.yaml", cwd=tmp_path)
    assert res.exit_code == 1 and '"yaml-syntax"' in res.stdout  # content errors are findings


def test_missing_kubelet_config_dir_is_exit_2():
    res = run_cli("lint", "--kubelet-config-dir", "no-such-dir", cwd=K)
    assert res.exit_code == 2 and "no-such-dir" in res.stderr


def test_rules_carry_cis_tags_of_the_cis_1_12_profile():
    from kubelint_nodes.engine.registry import builtin_catalogue

    cat = builtin_catalogue()
    cis = {r.id: [t for t in r.tags if t.startswith("cis:")] for r in cat.rules.values() if r.id.startswith("kubelet-")}
    assert cis["kubelet-anonymous-auth"] == ["cis:4.2.1"]
    assert cis["kubelet-authorization-always-allow"] == ["cis:4.2.2"]
    assert cis["kubelet-client-ca-missing"] == ["cis:4.2.3"]
    assert cis["kubelet-read-only-port"] == ["cis:4.2.4"]
    assert cis["kubelet-certificate-rotation-disabled"] == ["cis:4.2.10"]
    assert cis["kubelet-weak-tls"] == ["cis:4.2.12"]
    assert cis["kubelet-seccomp-default-disabled"] == ["cis:4.2.14"]
    assert cis["kubelet-protect-kernel-defaults"] == []  # dropped from cis-1.7 .. cis-1.12
    expected = {"kubelet-unknown-field": "error", "kubelet-config-invalid": "error",
                "kubelet-partial-eviction-hard": "warning", "kubelet-static-pod-path-relative": "warning",
                "kubelet-static-pod-url": "warning", "kubelet-anonymous-auth": "error",
                "kubelet-authorization-always-allow": "error", "kubelet-webhook-authn-disabled": "warning",
                "kubelet-client-ca-missing": "warning", "kubelet-read-only-port": "error",
                "kubelet-protect-kernel-defaults": "info", "kubelet-certificate-rotation-disabled": "warning",
                "kubelet-weak-tls": "warning", "kubelet-seccomp-default-disabled": "info"}
    assert {i: cat.rules[i].severity for i in expected} == expected
    assert all(cat.rules[i].roles == ("kubelet-config",) for i in expected)


def test_inventory_kubelet_sources_are_linted_as_chains_even_outside_the_run():
    """Files named only by the inventory (not lint input) are read and reported with explicit positions."""
    from types import SimpleNamespace

    from kubelint_nodes.engine.context import RunContext
    from kubelint_nodes.engine.registry import builtin_catalogue
    from kubelint_nodes.settings import Settings

    cat = builtin_catalogue()
    rule = cat.get("kubelet-read-only-port")
    _, fn = cat.python_check(rule.id)
    chain = K / "chain"
    inventory = SimpleNamespace(kubelet_sources=[(str(chain / "kubelet.yaml"), str(chain / "conf.d"))])
    settings = Settings(paths=[], cwd=str(K))
    ctx = RunContext(rule, {}, settings, [], False, {"inventory": inventory})
    [hit] = list(fn(ctx))
    assert (hit.file, hit.line, hit.column) == ("chain/conf.d/10-debug.conf", 6, 1)
    assert hit.object["kind"] == "KubeletConfiguration" and hit.object["role"] == "kubelet-config"
