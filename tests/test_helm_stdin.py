"""Rendered Helm output on stdin: findings keep the rendered place and name the template (SPEC §4 ``source``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, findings, run_cli, run_json

from kubelint_nodes.loader.helm_source import SourceMap

HELM = FIXTURES / "integrations" / "helm"
RENDERED = (HELM / "rendered.yaml").read_text(encoding="utf-8") if (HELM / "rendered.yaml").exists() else ""


def lint_rendered(text: str, *extra: str) -> dict:
    return run_json("-", "--stdin-filename", "rendered.yaml", *extra, stdin=text)


def test_findings_name_the_template_and_keep_rendered_lines() -> None:
    report = lint_rendered(RENDERED)
    got = [(f["rule"], f["file"], f["line"], f["column"], f.get("source")) for f in report["findings"]
           if f["rule"] in ("privileged-container", "image-tag-latest")]
    ds = {"file": "node-agent/templates/daemonset.yaml"}
    pod = {"file": "node-agent/templates/debug-pod.yaml"}
    assert got == [
        ("image-tag-latest", "rendered.yaml", 31, 9, ds),
        ("privileged-container", "rendered.yaml", 36, 11, ds),
        ("image-tag-latest", "rendered.yaml", 47, 5, pod),
    ]


def test_plain_input_gets_no_source() -> None:
    text = "\n".join(line for line in RENDERED.splitlines() if not line.startswith("# Source:")) + "\n"
    report = lint_rendered(text)
    assert findings(report, "privileged-container")
    assert all("source" not in f for f in report["findings"])


def test_source_also_applies_to_a_rendered_file_on_disk(tmp_path: Path) -> None:
    (tmp_path / "out.yaml").write_text(RENDERED, encoding="utf-8")
    report = run_json("out.yaml", cwd=tmp_path)
    assert [f["source"]["file"] for f in findings(report, "privileged-container")] == [
        "node-agent/templates/daemonset.yaml"]


def test_a_syntax_error_in_one_template_names_that_template() -> None:
    broken = RENDERED.replace('  LOG_LEVEL: "info"', '  LOG_LEVEL: "info"\n  other: value: here')
    report = lint_rendered(broken)
    (err,) = findings(report, "yaml-syntax")
    assert err["source"] == {"file": "node-agent/templates/configmap.yaml"}


def test_sarif_lists_the_template_as_a_related_location(tmp_path: Path) -> None:
    res = run_cli("lint", "--format", "sarif", "-", "--stdin-filename", "rendered.yaml", stdin=RENDERED,
                  cwd=tmp_path)
    log = json.loads(res.stdout)
    (priv,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "privileged-container"]
    loc = priv["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "rendered.yaml" and loc["region"]["startLine"] == 36
    (rel,) = priv["relatedLocations"]
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "node-agent/templates/daemonset.yaml"
    assert "node-agent/templates/daemonset.yaml" in rel["message"]["text"]


def test_sarif_related_location_points_into_the_repository_when_the_chart_is_there(tmp_path: Path) -> None:
    shutil.copytree(HELM / "node-agent", tmp_path / "node-agent")
    res = run_cli("lint", "--format", "sarif", "-", "--stdin-filename", "rendered.yaml", stdin=RENDERED,
                  cwd=tmp_path)
    (priv,) = [r for r in json.loads(res.stdout)["runs"][0]["results"] if r["ruleId"] == "privileged-container"]
    art = priv["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "node-agent/templates/daemonset.yaml", "uriBaseId": "%SRCROOT%"}


def test_source_map_segments() -> None:
    text = ("# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n"
            "# Source: not/a/header.yaml\n--- # Source: c/templates/c.yaml\nkind: C\n---\nkind: D\n")
    smap = SourceMap(text)
    assert [smap.source_of(n) for n in range(1, 11)] == [
        "c/templates/a.yaml", "c/templates/a.yaml",
        "c/templates/b.yaml", "c/templates/b.yaml", "c/templates/b.yaml", "c/templates/b.yaml",
        "c/templates/c.yaml", "c/templates/c.yaml",
        None, None]


def test_real_helm_template_output_matches_the_fixture(tmp_path: Path) -> None:
    helm = shutil.which("helm")
    if helm is None:
        pytest.skip("helm is not installed; tests/fixtures/integrations/helm/rendered.yaml stands in for it")
    proc = subprocess.run([helm, "template", "agent", str(HELM / "node-agent"), "--namespace", "kube-system"],
                          capture_output=True, text=True, timeout=120, check=True)
    report = lint_rendered(proc.stdout)
    priv = findings(report, "privileged-container")
    assert [f["source"]["file"] for f in priv] == ["node-agent/templates/daemonset.yaml"]
    assert proc.stdout.splitlines()[priv[0]["line"] - 1].strip() == "privileged: true"
