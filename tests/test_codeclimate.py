"""``--format codeclimate``: GitLab's Code Quality report format."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli, run_json

MULTI = FIXTURES / "integrations" / "multi"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def codeclimate(*args: str, cwd: Path) -> list[dict]:
    res = run_cli("lint", "--format", "codeclimate", *args, cwd=cwd)
    assert res.exit_code in (0, 1), res.stderr
    return json.loads(res.stdout)


def test_issues_have_the_fields_gitlab_reads(tmp_path: Path) -> None:
    work = tmp_path / "multi"
    shutil.copytree(MULTI, work)
    issues = codeclimate(".", cwd=work)
    report = run_json(".", cwd=work)
    assert isinstance(issues, list) and len(issues) == len(report["findings"]) >= 5
    for issue, f in zip(issues, report["findings"], strict=True):
        assert issue["type"] == "issue"
        assert issue["check_name"] == f["rule"]
        assert issue["description"] == f["message"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"]["path"] == f["file"]
        assert issue["location"]["lines"]["begin"] == f["line"]
        assert isinstance(issue["fingerprint"], str) and len(issue["fingerprint"]) == 32
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab shows one issue per fingerprint
    from kubelint_nodes.engine.registry import builtin_catalogue

    rules = builtin_catalogue().rules
    for issue, f in zip(issues, report["findings"], strict=True):
        security = "security" in rules[f["rule"]].tags
        ladder = ({"error": "critical", "warning": "major", "info": "minor"} if security
                  else {"error": "major", "warning": "minor", "info": "info"})
        assert issue["severity"] == ladder[f["severity"]]
        assert issue["categories"] == (["Security"] if security else ["Bug Risk"])
    by_rule = {i["check_name"]: i for i in issues}
    assert by_rule["privileged-container"]["severity"] == "critical"  # a security rule at error
    assert by_rule["yaml-duplicate-key"]["severity"] == "major"  # error

def test_fingerprints_are_stable_when_lines_move(tmp_path: Path) -> None:
    src = (MULTI / "log-agent.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(src, encoding="utf-8")
    before = {i["check_name"] + str(i["location"]["lines"]["begin"]): i["fingerprint"]
              for i in codeclimate("a.yaml", cwd=tmp_path)}
    (tmp_path / "a.yaml").write_text("# moved down\n\n" + src, encoding="utf-8")
    after = codeclimate("a.yaml", cwd=tmp_path)
    assert sorted(before.values()) == sorted(i["fingerprint"] for i in after)
    assert all(i["location"]["lines"]["begin"] > 2 for i in after)


def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    sub = tmp_path / "clusters" / "prod"
    sub.mkdir(parents=True)
    shutil.copy(MULTI / "log-agent.yaml", sub / "ds.yaml")
    issues = codeclimate("ds.yaml", cwd=sub)
    assert {i["location"]["path"] for i in issues} == {"clusters/prod/ds.yaml"}


def test_clean_run_is_an_empty_array(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", encoding="utf-8")
    assert codeclimate(".", cwd=tmp_path) == []
