"""The pod-spec, DaemonSet and static pod rules match the catalogue, and every rule has fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from test_rules_fixtures import CASES

from kubelint_nodes.engine.registry import builtin_catalogue, parse_rule_file

SECTIONS = ("Pod spec", "DaemonSet", "Static pods")
POD_ROLES = {"pod", "static-pod", "daemonset", "workload"}
# Pod Security Standards level of each control (kubernetes.io/docs/concepts/security/pod-security-standards):
# baseline forbids privileged, host namespaces, hostPath, host ports, added capabilities beyond the default set,
# Unconfined AppArmor/seccomp, Unmasked /proc, unsafe sysctls and HostProcess; restricted adds
# allowPrivilegeEscalation false, runAsNonRoot and a seccomp profile. Resources, tags, probes and a read-only
# root filesystem are no PSS control.
PSS = {
    "privileged-container": "baseline", "static-pod-privileged": "baseline", "host-namespaces": "baseline",
    "host-network": "baseline", "host-port": "baseline", "sensitive-host-path": "baseline",
    "writable-host-path": "baseline", "dangerous-capabilities": "baseline", "apparmor-unconfined": "baseline",
    "seccomp-unconfined": "baseline", "proc-mount-unmasked": "baseline", "unsafe-sysctls": "baseline",
    "windows-host-process": "baseline", "privilege-escalation-allowed": "restricted",
    "run-as-root": "restricted", "no-seccomp-profile": "restricted",
}


def _catalogue_rows(text: str) -> dict[str, dict[str, str]]:
    """{section: {rule id: severity}} from the catalogue's markdown tables."""
    out: dict[str, dict[str, str]] = {}
    section = None
    for line in text.splitlines():
        heading = re.match(r"^## (.+?)(?: \(|$)", line)
        if heading:
            section = heading.group(1).strip()
            continue
        row = re.match(r"^\| `([a-z0-9-]+)` \| (error|warning|info) \|", line)
        if row and section:
            out.setdefault(section, {})[row.group(1)] = row.group(2)
    return out


@pytest.fixture
def catalogue_rows(shared_dir: Path) -> dict[str, dict[str, str]]:
    rows = _catalogue_rows((shared_dir / "rules-catalogue.md").read_text(encoding="utf-8"))
    for section in SECTIONS:
        assert rows.get(section), f"catalogue section {section!r} not found"
    return rows


def test_every_catalogue_rule_exists_with_its_severity(catalogue_rows: dict) -> None:
    rules = builtin_catalogue().rules
    for section in SECTIONS:
        for rule_id, severity in catalogue_rows[section].items():
            assert rule_id in rules, f"{rule_id} ({section}) has no rules/{rule_id}.yaml"
            assert rules[rule_id].severity == severity, rule_id


def test_roles_follow_the_catalogue(catalogue_rows: dict) -> None:
    rules = builtin_catalogue().rules
    for rule_id in catalogue_rows["Pod spec"]:
        want = POD_ROLES - {"static-pod"} if rule_id == "privileged-container" else POD_ROLES
        assert set(rules[rule_id].roles) == want, rule_id
    for rule_id in catalogue_rows["DaemonSet"]:
        assert rules[rule_id].roles == ("daemonset",), rule_id
    for rule_id in catalogue_rows["Static pods"]:
        assert rules[rule_id].roles == ("static-pod",), rule_id


def test_pod_spec_rules_carry_their_pss_level(catalogue_rows: dict) -> None:
    rules = builtin_catalogue().rules
    for rule_id in [*catalogue_rows["Pod spec"], "static-pod-privileged"]:
        levels = [t.split(":", 1)[1] for t in rules[rule_id].tags if t.startswith("pss:")]
        assert levels == ([PSS[rule_id]] if rule_id in PSS else []), rule_id


def test_sensitive_host_path_defaults_are_the_catalogue_lists() -> None:
    params = builtin_catalogue().rules["sensitive-host-path"].defaults
    assert params["exact"] == [
        "/", "/etc", "/var", "/usr", "/lib", "/root", "/home", "/boot", "/dev", "/proc", "/sys", "/run",
        "/var/run", "/var/lib", "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
        "/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
        "/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"]
    assert params["prefix"] == ["/proc/", "/sys/", "/dev/", "/boot/", "/root/", "/var/lib/kubelet"]


def test_rule_files_validate_against_the_schema() -> None:
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        parse_rule_file(path, validate=True)


def _owned_by_others(rule) -> bool:
    """Rules other issues test: kubelet, schema, inventory, control-plane, loader (file role), suppression."""
    prefixes = ("kubelet-", "apiserver-", "etcd-", "controller-manager-", "scheduler-", "control-plane-")
    others = {"schema-invalid", "deprecated-api-version", "suppression-unknown-rule", "host-port-conflict",
              "daemonset-insufficient-resources", "node-overcommitted"}
    return (rule.id.startswith(prefixes) or rule.id in others or rule.needs_inventory or rule.needs_all
            or "file" in rule.roles or not set(rule.roles) & POD_ROLES)


def test_every_rule_has_trigger_and_no_trigger_fixtures() -> None:
    cases: dict[str, set[str]] = {}
    for rule_id, path in CASES:
        cases.setdefault(rule_id, set()).add(path.name.split("-", 1)[0])
    missing = [rule.id for rule in builtin_catalogue().rules.values()
               if not _owned_by_others(rule) and cases.get(rule.id, set()) != {"fail", "pass"}]
    assert not missing, f"rules without fail- and pass- fixtures in tests/fixtures/rules/: {missing}"


def test_catalogue_cache_is_used_only_under_the_same_fingerprint(tmp_path, monkeypatch) -> None:
    """The parsed catalogue is cached with its fingerprint (rule and check files' sizes and mtimes, the
    version) and compared whole: a changed file, a truncated or foreign cache all mean a rebuild."""
    from kubelint_nodes.engine import registry

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_text("id: a\n")
    before = registry._fingerprint([rules])
    monkeypatch.setenv("KUBELINT_NODES_CACHE_DIR", str(tmp_path / "cache"))
    cache = registry._cache_file([rules])
    assert cache is not None and cache.parent == tmp_path / "cache"
    assert registry._read_cache(cache, before) is None  # nothing yet
    registry._write_cache(cache, before, {"payload": 1})
    assert registry._read_cache(cache, before) == {"payload": 1}
    (rules / "a.yaml").write_text("id: a\nseverity: error\n")  # another size
    after = registry._fingerprint([rules])
    assert after != before and registry._read_cache(cache, after) is None
    cache.write_bytes(b"\x80\x05not a pickle")
    assert registry._read_cache(cache, before) is None
    monkeypatch.setenv("KUBELINT_NODES_CACHE_DIR", "off")
    assert registry._cache_file([rules]) is None
