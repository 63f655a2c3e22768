"""``kubelint-nodes fix`` end to end: examples, rollback, exit codes, options, writes, SARIF fixes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

from conftest import ROOT, run_cli

EXAMPLES = ROOT / "examples"
SAFE = {"schema-invalid", "kubelet-unknown-field", "yaml-duplicate-key"}


def _copy_examples(tmp_path: Path) -> Path:
    dest = tmp_path / "examples"
    shutil.copytree(EXAMPLES, dest)
    return dest


def _lint(cwd: Path, *args: str) -> dict:
    res = run_cli("lint", "--format", "json", *args, cwd=cwd)
    assert res.exit_code in (0, 1), res.stderr
    return json.loads(res.stdout)


def _keys(report: dict) -> Counter:
    return Counter((f["rule"], f["file"], (f["object"] or {}).get("kind"), (f["object"] or {}).get("name"),
                    f["path"]) for f in report["findings"])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fix_then_lint_examples_safe_findings_gone_nothing_new(tmp_path: Path):
    ex = _copy_examples(tmp_path)
    before = _lint(ex, ".")
    safe_before = [f for f in before["findings"] if f["rule"] in SAFE]
    assert {(f["rule"], f["file"]) for f in safe_before} == {
        ("schema-invalid", "daemonsets/nvidia-device-plugin.yaml"), ("kubelet-unknown-field", "kubelet/gpu.yaml")}
    res = run_cli("fix", ".", cwd=ex)
    assert res.exit_code == 1, res.stderr  # errors remain (privileged pod, read-only port, ...)
    assert "2 fixes applied in 2 files" in res.stdout
    after = _lint(ex, ".")
    assert not [f for f in after["findings"] if f["rule"] in SAFE]
    assert not (_keys(after) - _keys(before)), _keys(after) - _keys(before)
    assert (ex / "daemonsets/nvidia-device-plugin.yaml").read_text().count('nvidia.com/gpu.present: "on"') == 1
    assert "staticPodPath: /etc/kubernetes/manifests" in (ex / "kubelet/gpu.yaml").read_text()
    # the original examples are untouched
    assert "nvidia.com/gpu.present: on\n" in (EXAMPLES / "daemonsets/nvidia-device-plugin.yaml").read_text()
    # idempotent: a second run finds nothing to fix and changes no byte
    snapshot = _tree(ex)
    again = run_cli("fix", ".", cwd=ex)
    assert "0 fixes applied in 0 files" in again.stdout
    assert _tree(ex) == snapshot


def test_with_the_inventory_a_quote_that_reveals_a_new_problem_is_rolled_back(tmp_path: Path):
    """The GPU pool is labelled "true"; `on` quoted as "on" would select no node of the inventory. The
    quote is right, but it brings a finding it does not declare, so it is rolled back and explained."""
    ex = _copy_examples(tmp_path)
    before = _lint(ex, "-i", "inventory.yaml", ".")
    res = run_cli("fix", "-i", "inventory.yaml", ".", cwd=ex)
    assert ("rolled back: daemonsets/nvidia-device-plugin.yaml:17:9: schema-invalid (safe): quote `on` as \"on\" "
            "(YAML 1.1 reads it as a boolean): it would add a new daemonset-no-matching-nodes finding at "
            "daemonsets/nvidia-device-plugin.yaml:2:1") in res.stdout
    assert "fixed: kubelet/gpu.yaml:14:1: kubelet-unknown-field" in res.stdout
    assert (ex / "daemonsets/nvidia-device-plugin.yaml").read_bytes() == \
        (EXAMPLES / "daemonsets/nvidia-device-plugin.yaml").read_bytes()
    after = _lint(ex, "-i", "inventory.yaml", ".")
    assert not (_keys(after) - _keys(before))
    assert not [f for f in after["findings"] if f["rule"] == "kubelet-unknown-field"]


def test_unsafe_fixes_on_examples_add_nothing_undeclared_and_are_idempotent(tmp_path: Path):
    ex = _copy_examples(tmp_path)
    before = _lint(ex, "-i", "inventory.yaml", ".")
    res = run_cli("fix", "--unsafe", "-i", "inventory.yaml", ".", cwd=ex)
    assert res.exit_code == 1
    fixed = Counter(line.split(": ")[2].split(" ")[0] for line in res.stdout.splitlines() if line.startswith("fixed:"))
    assert fixed["privilege-escalation-allowed"] == 6
    assert fixed["daemonset-untolerated-taint"] == 1
    assert fixed["kubelet-read-only-port"] == fixed["kubelet-anonymous-auth"] == 1
    after = _lint(ex, "-i", "inventory.yaml", ".")
    assert not (_keys(after) - _keys(before))
    for rule in ("privilege-escalation-allowed", "kubelet-read-only-port", "daemonset-untolerated-taint"):
        assert not [f for f in after["findings"] if f["rule"] == rule], rule
    snapshot = _tree(ex)
    again = run_cli("fix", "--unsafe", "-i", "inventory.yaml", ".", cwd=ex)
    assert "0 fixes applied" in again.stdout and _tree(ex) == snapshot


def test_suggested_fixes_need_unsafe(tmp_path: Path):
    ex = _copy_examples(tmp_path)
    res = run_cli("fix", "--rule", "kubelet-read-only-port", ".", cwd=ex)
    assert "0 fixes applied" in res.stdout and "with a suggested fix (--unsafe)" in res.stdout
    assert "readOnlyPort: 10255" in (ex / "kubelet/gpu.yaml").read_text()


def test_rule_option_limits_and_unknown_ids_are_usage_errors(tmp_path: Path):
    ex = _copy_examples(tmp_path)
    res = run_cli("fix", "--rule", "kubelet-unknown-field", ".", cwd=ex)
    assert "1 fix applied in 1 file" in res.stdout
    assert "nvidia.com/gpu.present: on\n" in (ex / "daemonsets/nvidia-device-plugin.yaml").read_text()
    bad = run_cli("fix", "--rule", "schema-invalidd", ".", cwd=ex)
    assert bad.exit_code == 2
    assert "unknown rule id 'schema-invalidd' (did you mean 'schema-invalid'?)" in bad.stderr


def test_usage_errors(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n")
    assert run_cli("fix", "-", cwd=tmp_path, stdin="a: 1\n").exit_code == 2
    res = run_cli("fix", "--diff", "--format", "json", "a.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "--output" in res.stderr
    assert run_cli("fix", "missing.yaml", cwd=tmp_path).exit_code == 2


def test_exit_code_follows_the_remaining_findings(tmp_path: Path):
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {debug: yes}\nspec:\n"
                   "  containers: [{name: c, image: 'x:1'}]\n")
    res = run_cli("fix", "pod.yaml", cwd=tmp_path)
    assert res.exit_code == 0, res.stdout  # the schema error is fixed; only warnings and infos remain
    assert "labels: {debug: \"yes\"}" in pod.read_text()
    assert run_cli("fix", "--fail-on", "warning", "pod.yaml", cwd=tmp_path).exit_code == 1


def test_a_fix_that_adds_an_undeclared_finding_is_rolled_back(tmp_path: Path):
    cfg = tmp_path / "kubelet.yaml"
    text = ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
            "readonlyPort: 10255\nstaticPodPaht: /etc/kubernetes/manifests\n")
    cfg.write_text(text)
    res = run_cli("fix", "kubelet.yaml", cwd=tmp_path)
    # renaming the typo would switch the read-only port on: rolled back; the other typo is fixed alone
    assert ("rolled back: kubelet.yaml:3:1: kubelet-unknown-field (safe): rename 'readonlyPort' to 'readOnlyPort': "
            "it would add a new kubelet-read-only-port finding at kubelet.yaml:3:1") in res.stdout
    assert "fixed: kubelet.yaml:4:1: kubelet-unknown-field" in res.stdout
    assert cfg.read_text() == text.replace("staticPodPaht", "staticPodPath")


def test_a_fix_that_leaves_its_finding_is_rolled_back(tmp_path: Path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "no-host-network.yaml").write_text(
        "id: no-host-network\nseverity: warning\nroles: [pod]\nsummary: No host network.\nrationale: House rule.\n"
        "fix: Remove it.\ncheck:\n  target: pod\n  fail_when: {field: hostNetwork, equals: true}\n  at: hostNetwork\n"
        "fixes:\n- safety: safe\n  description: set the wrong field\n  at: pod\n"
        "  set: {field: hostIPC, value: false}\n")
    (tmp_path / ".kubelint-nodes.yaml").write_text("rules-dirs: [rules]\n")
    pod = tmp_path / "pod.yaml"
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: []\n"
    pod.write_text(text)
    res = run_cli("fix", "--rule", "no-host-network", "pod.yaml", cwd=tmp_path)
    assert "rolled back: pod.yaml:5:3: no-host-network (safe): set the wrong field: its finding is still reported" \
        in res.stdout
    assert pod.read_text() == text


def test_static_pod_file_keeps_its_documents(tmp_path: Path):
    manifests = tmp_path / "etc/kubernetes/manifests"
    manifests.mkdir(parents=True)
    f = manifests / "agent.yaml"
    second = "---\n# ignored by the kubelet\napiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n  labels: {x: on}\n"
    first = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: kube-system\n"
             "  labels: {tier: on}\nspec:\n  containers:\n  - name: a\n    image: x:1\n")
    f.write_text(first + second)
    res = run_cli("fix", "--unsafe", ".", cwd=tmp_path)
    assert res.exit_code in (0, 1)
    out = f.read_text()
    assert out.endswith(second)  # the document the kubelet never reads is left alone, byte for byte
    assert out.count("\n---\n") == 1 and out.startswith("apiVersion: v1\nkind: Pod\n")
    assert 'labels: {tier: "on"}' in out and "allowPrivilegeEscalation: false" in out


def test_writes_are_atomic_and_keep_mode_and_symlinks(tmp_path: Path):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "pod.yaml"
    target.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: on}\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    res = run_cli("fix", "link.yaml", cwd=tmp_path)
    assert "1 fix applied" in res.stdout
    assert link.is_symlink() and 'labels: {a: "on"}' in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.iterdir()) == ["pod.yaml"]  # no temporary file left


def test_format_prints_the_remaining_findings_and_the_log_goes_to_stderr(tmp_path: Path):
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: on}\n"
                                       "spec:\n  containers: [{name: c, image: 'x:1'}]\n")
    res = run_cli("fix", "--format", "json", "--report", "sarif:out.sarif", "pod.yaml", cwd=tmp_path)
    report = json.loads(res.stdout)
    assert report["findings"] and not [f for f in report["findings"] if f["rule"] == "schema-invalid"]
    assert "fixed: pod.yaml:5:12: schema-invalid" in res.stderr
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert not any("fixes" in r for r in sarif["runs"][0]["results"])


def test_sarif_offers_the_safe_fixes_only(tmp_path: Path, shared_dir: Path):
    import jsonschema

    ex = _copy_examples(tmp_path)
    res = run_cli("lint", "--format", "sarif", ".", cwd=ex)
    log = json.loads(res.stdout)
    schema = json.loads((shared_dir / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert not errors, errors[0]
    with_fixes = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r["fixes"]
                  for r in log["runs"][0]["results"] if "fixes" in r}
    assert set(with_fixes) == {("schema-invalid", "daemonsets/nvidia-device-plugin.yaml"),
                               ("kubelet-unknown-field", "kubelet/gpu.yaml")}
    (fix,) = with_fixes[("schema-invalid", "daemonsets/nvidia-device-plugin.yaml")]
    (change,) = fix["artifactChanges"]
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 17, "startColumn": 33, "endLine": 17, "endColumn": 35},
        "insertedContent": {"text": '"on"'}}]
    # applying the replacement gives what `fix` writes
    lines = (ex / "daemonsets/nvidia-device-plugin.yaml").read_text().split("\n")
    lines[16] = lines[16][:32] + '"on"' + lines[16][34:]
    run_cli("fix", "daemonsets/nvidia-device-plugin.yaml", cwd=ex)
    assert (ex / "daemonsets/nvidia-device-plugin.yaml").read_text() == "\n".join(lines)


def test_lint_does_not_import_ruamel(tmp_path: Path):
    """ruamel.yaml is for the files being fixed: a plain lint (even a SARIF one without safe-fixable
    findings) never imports it."""
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                       "spec:\n  containers: [{name: c, image: 'x:1'}]\n")
    code = ("import sys\nfrom kubelint_nodes.cli import main\n"
            "try:\n    main(['lint', '--format', 'sarif', 'pod.yaml'])\nexcept SystemExit:\n    pass\n"
            "print('ruamel' in ' '.join(sys.modules), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr


def test_explain_says_how_a_rule_is_fixed():
    safe = run_cli("explain", "schema-invalid")
    assert "Fixable:" in safe.stdout and "yes, with kubelint-nodes fix\n" in safe.stdout
    suggested = run_cli("explain", "kubelet-read-only-port")
    assert "yes, with kubelint-nodes fix --unsafe" in suggested.stdout
    assert "Fixable" not in run_cli("explain", "host-network").stdout


def test_rule_files_declare_fixes_the_schema_accepts():
    from kubelint_nodes.engine.registry import parse_rule_file

    for path in sorted((ROOT / "rules").glob("*.yaml")):
        parse_rule_file(path, validate=True)  # raises on a malformed `fixes:` entry
