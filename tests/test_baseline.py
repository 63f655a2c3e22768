"""--write-baseline / --baseline (SPEC §7): keyed by rule, repository-relative file, object and path."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import findings, run_cli, run_json
from conftest import only_rules as only

RULES = ("privileged-container", "image-tag-latest")


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: monitoring
spec:
  containers:
  - name: agent
    image: registry.example.com/agent:1.4.2
    securityContext:
      privileged: true
"""


def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "agent.yaml").write_text(POD)
    return tmp_path


def lint(cwd: Path, *args: str) -> dict:
    return run_json(*only(*RULES), *args, cwd=cwd)


def test_write_baseline_records_and_accepts_current_findings(tmp_path):
    root = repo(tmp_path)
    res = run_cli("lint", *only(*RULES), "--format", "json", "--write-baseline", "baseline.json", "manifests",
                  cwd=root)
    assert res.exit_code == 0
    assert res.json["summary"]["findings"] == 0 and res.json["summary"]["suppressed"] == 1
    data = json.loads((root / "baseline.json").read_text())
    assert data == {"kubelint-nodes-baseline": 1, "findings": [
        {"rule": "privileged-container", "file": "manifests/agent.yaml",
         "object": {"kind": "Pod", "namespace": "monitoring", "name": "agent"},
         "path": "spec.containers[0].securityContext.privileged", "count": 1}]}
    # No line numbers anywhere in the file.
    assert '"line"' not in (root / "baseline.json").read_text()


def test_baseline_survives_lines_inserted_above_and_catches_a_second_identical_finding(tmp_path):
    root = repo(tmp_path)
    assert run_cli("lint", *only(*RULES), "--write-baseline", "baseline.json", "manifests", cwd=root).exit_code == 0
    before = lint(root, "manifests")
    assert [f["line"] for f in findings(before, "privileged-container")] == [11]

    # Lines inserted above the finding: it moves to line 14 but stays baselined.
    (root / "manifests" / "agent.yaml").write_text("# owned by the node team\n# see RUNBOOK.md\n\n" + POD)
    report = lint(root, "--baseline", "baseline.json", "manifests")
    assert findings(report) == []
    assert report["summary"]["suppressed"] == 1
    assert run_cli("lint", *only(*RULES), "--baseline", "baseline.json", "manifests", cwd=root).exit_code == 0

    # The same object pasted again below: an identical key, but only one was recorded.
    (root / "manifests" / "agent.yaml").write_text("# owned by the node team\n# see RUNBOOK.md\n\n" + POD
                                                   + "---\n" + POD)
    report = lint(root, "--show-suppressed", "--baseline", "baseline.json", "manifests")
    got = [(f["line"], f.get("suppressed")) for f in findings(report, "privileged-container")]
    assert got == [(14, {"by": "baseline", "reason": "in baseline baseline.json"}), (26, None)]
    assert report["summary"]["findings"] == 1 and report["summary"]["suppressed"] == 1
    assert run_cli("lint", *only(*RULES), "--baseline", "baseline.json", "manifests", cwd=root).exit_code == 1


def test_counts_match_one_for_one(tmp_path):
    root = repo(tmp_path)
    (root / "manifests" / "agent.yaml").write_text(POD + "---\n" + POD)
    run_cli("lint", *only(*RULES), "--write-baseline", "baseline.json", "manifests", cwd=root)
    data = json.loads((root / "baseline.json").read_text())
    assert [e["count"] for e in data["findings"]] == [2]
    assert findings(lint(root, "--baseline", "baseline.json", "manifests")) == []
    (root / "manifests" / "agent.yaml").write_text(POD + "---\n" + POD + "---\n" + POD)
    report = lint(root, "--baseline", "baseline.json", "manifests")
    assert [f["line"] for f in findings(report, "privileged-container")] == [35]


def test_new_place_or_object_or_rule_is_new(tmp_path):
    root = repo(tmp_path)
    run_cli("lint", *only(*RULES), "--write-baseline", "baseline.json", "manifests", cwd=root)
    # A second container: another path.  A renamed object: another key.  An untagged image: another rule.
    second = POD + "  - name: helper\n    image: registry.example.com/helper\n    securityContext:\n" \
                   "      privileged: true\n"
    (root / "manifests" / "agent.yaml").write_text(second)
    report = lint(root, "--baseline", "baseline.json", "manifests")
    assert [(f["rule"], f["path"]) for f in findings(report)] == [
        ("image-tag-latest", "spec.containers[1].image"),
        ("privileged-container", "spec.containers[1].securityContext.privileged")]
    (root / "manifests" / "agent.yaml").write_text(POD.replace("name: agent\n  namespace", "name: agent2\n  namespace"))
    report = lint(root, "--baseline", "baseline.json", "manifests")
    assert [f["object"]["name"] for f in findings(report)] == ["agent2"]


def test_keys_are_repository_relative_whatever_the_cwd(tmp_path):
    root = repo(tmp_path)
    run_cli("lint", *only(*RULES), "--write-baseline", "baseline.json", "manifests/agent.yaml", cwd=root)
    report = lint(root / "manifests", "--baseline", "../baseline.json", "agent.yaml")
    assert findings(report) == [] and report["summary"]["suppressed"] == 1


def test_baseline_applies_after_other_suppression(tmp_path):
    root = repo(tmp_path)
    run_cli("lint", *only(*RULES), "--write-baseline", "baseline.json", "manifests", cwd=root)
    text = POD.replace("      privileged: true\n",
                       "      privileged: true  # kubelint-nodes: ignore=privileged-container\n")
    (root / "manifests" / "agent.yaml").write_text(text)
    report = lint(root, "--show-suppressed", "--baseline", "baseline.json", "manifests")
    assert [f["suppressed"]["by"] for f in findings(report)] == ["comment"]


def test_missing_or_malformed_baseline_is_exit_2(tmp_path):
    root = repo(tmp_path)
    res = run_cli("lint", "--baseline", "nope.json", "manifests", cwd=root)
    assert res.exit_code == 2 and "--baseline nope.json: file does not exist" in res.stderr
    (root / "bad.json").write_text("{\n  \"findings\": [,]\n}\n")
    res = run_cli("lint", "--baseline", "bad.json", "manifests", cwd=root)
    assert res.exit_code == 2 and "bad.json:2:16: not a kubelint-nodes baseline" in res.stderr
    (root / "other.json").write_text("[]\n")
    res = run_cli("lint", "--baseline", "other.json", "manifests", cwd=root)
    assert res.exit_code == 2 and "other.json: not a kubelint-nodes baseline" in res.stderr
    res = run_cli("lint", "--write-baseline", "no/such/dir/b.json", "manifests", cwd=root)
    assert res.exit_code == 2 and "--write-baseline no/such/dir/b.json: cannot write" in res.stderr


def test_baseline_output_is_deterministic(tmp_path):
    root = repo(tmp_path)
    (root / "manifests" / "b.yaml").write_text(POD.replace("1.4.2", "latest"))
    run_cli("lint", *only(*RULES), "--write-baseline", "one.json", "manifests", cwd=root)
    run_cli("lint", *only(*RULES), "--jobs", "2", "--write-baseline", "two.json", "manifests", cwd=root)
    one = (root / "one.json").read_text()
    assert one == (root / "two.json").read_text()
    entries = json.loads(one)["findings"]
    assert [(e["file"], e["rule"]) for e in entries] == [
        ("manifests/agent.yaml", "privileged-container"), ("manifests/b.yaml", "image-tag-latest"),
        ("manifests/b.yaml", "privileged-container")]
