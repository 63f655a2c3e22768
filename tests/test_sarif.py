"""``--format sarif``: valid SARIF 2.1.0 carrying what GitHub code scanning reads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli, run_json, where

MULTI = FIXTURES / "integrations" / "multi"
HELM = FIXTURES / "integrations" / "helm"


def sarif(*args: str, cwd: str | Path | None = None, stdin: str | None = None) -> tuple[dict, int]:
    res = run_cli("lint", "--format", "sarif", *args, cwd=cwd, stdin=stdin)
    assert res.exit_code in (0, 1), (res.exit_code, res.stderr, res.stdout[:2000])
    return json.loads(res.stdout), res.exit_code


def results_by_rule(log: dict, rule: str) -> list[dict]:
    return [r for r in log["runs"][0]["results"] if r["ruleId"] == rule]


def region_text(path: Path, region: dict) -> str:
    line = path.read_text(encoding="utf-8").split("\n")[region["startLine"] - 1]
    return line[region["startColumn"] - 1: region["endColumn"] - 1]


def test_multi_rule_run_is_valid_sarif_with_github_fields(shared_dir: Path) -> None:
    import jsonschema

    schema = json.loads((shared_dir / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log, code = sarif(".", cwd=MULTI)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]

    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    from kubelint_nodes import __version__

    assert driver["name"] == "kubelint-nodes"
    assert driver["version"] == __version__ and driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "unicodeCodePoints"

    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        tags = rule["properties"]["tags"]
        assert isinstance(tags, list)
        if "security" in tags:
            sev = rule["properties"]["security-severity"]
            assert isinstance(sev, str) and 0.0 < float(sev) <= 10.0
        else:
            assert "security-severity" not in rule["properties"]
    priv = rules[ids.index("privileged-container")]
    assert priv["defaultConfiguration"]["level"] == "error"
    assert float(priv["properties"]["security-severity"]) >= 7.0  # an error-level security rule is "high"
    assert "```yaml" in priv["help"]["markdown"]  # the rule's examples
    assert "Remove `privileged: true`" in priv["help"]["text"]  # the rule's fix

    # every JSON finding is a SARIF result at the same place, pointing at the key
    report = run_json(".", cwd=MULTI)
    results = run["results"]
    assert len(results) == len(report["findings"]) >= 5
    assert {r["ruleId"] for r in results} >= {"privileged-container", "image-tag-latest", "yaml-duplicate-key",
                                               "deprecated-api-version"}
    from kubelint_nodes.settings import find_repo_root

    root = Path(find_repo_root(str(MULTI)))
    for res, f in zip(results, report["findings"], strict=True):
        assert res["ruleId"] == f["rule"]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        assert res["message"]["text"] == f["message"]
        phys = res["locations"][0]["physicalLocation"]
        art = phys["artifactLocation"]
        assert art["uri"] == (MULTI / f["file"]).resolve().relative_to(root.resolve()).as_posix()
        assert art["uriBaseId"] == "%SRCROOT%"
        assert not re.match(r"^[a-z]+:|^/", art["uri"])  # relative
        region = phys["region"]
        assert (region["startLine"], region["startColumn"]) == (f["line"], f["column"])
        assert region["endLine"] == f["line"] and region["endColumn"] > region["startColumn"]
        assert re.fullmatch(r"[0-9a-f]{16}:\d+", res["partialFingerprints"]["primaryLocationLineHash"])

    (priv_result,) = results_by_rule(log, "privileged-container")
    region = priv_result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == where(report, "privileged-container")[0][1:]
    assert region_text(MULTI / "log-agent.yaml", region) == "privileged"
    dup = results_by_rule(log, "yaml-duplicate-key")[0]["locations"][0]["physicalLocation"]["region"]
    assert region_text(MULTI / "dup.yaml", dup) == "image"

    inv = run["invocations"][0]
    assert inv["exitCode"] == code == 1
    assert inv["executionSuccessful"] is True
    assert inv["workingDirectory"]["uri"] == MULTI.resolve().as_uri() + "/"


def test_sarif_is_deterministic_and_has_no_timestamps() -> None:
    first = run_cli("lint", "--format", "sarif", ".", cwd=MULTI).stdout
    second = run_cli("lint", "--format", "sarif", ".", cwd=MULTI).stdout
    assert first == second
    assert not re.search(r'"[a-zA-Z]*(Time|time)[a-zA-Z]*"\s*:', first)


def test_clean_run_has_empty_results_and_exit_code_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", encoding="utf-8")
    log, code = sarif(".", cwd=tmp_path)
    assert code == 0
    assert log["runs"][0]["results"] == []  # present, not missing (kube-linter #213)
    assert log["runs"][0]["invocations"][0]["exitCode"] == 0


def test_fingerprints_survive_lines_inserted_above(tmp_path: Path) -> None:
    src = (MULTI / "log-agent.yaml").read_text(encoding="utf-8")
    (tmp_path / "log-agent.yaml").write_text(src, encoding="utf-8")
    before, _ = sarif("log-agent.yaml", cwd=tmp_path)
    edited = ("# Owner: platform team\n# Reviewed 2024\n"
              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: agent-extra\ndata:\n  a: b\n---\n") + src
    (tmp_path / "log-agent.yaml").write_text(edited, encoding="utf-8")
    after, _ = sarif("log-agent.yaml", cwd=tmp_path)

    def prints(log: dict) -> dict[tuple[str, str], tuple[str, int]]:
        out = {}
        for r in log["runs"][0]["results"]:
            key = (r["ruleId"], r.get("properties", {}).get("path", ""))
            assert key not in out
            out[key] = (r["partialFingerprints"]["primaryLocationLineHash"],
                        r["locations"][0]["physicalLocation"]["region"]["startLine"])
        return out

    old, new = prints(before), prints(after)
    assert old.keys() == new.keys() and len(old) >= 3
    for key in old:
        assert new[key][1] == old[key][1] + 9  # the finding moved ...
        assert new[key][0] == old[key][0]  # ... and kept its fingerprint
    # a change on the offending line itself is a different finding
    (tmp_path / "log-agent.yaml").write_text(src.replace("fluent-bit:latest", "fluent-bit"), encoding="utf-8")
    changed = prints(sarif("log-agent.yaml", cwd=tmp_path)[0])
    key = ("image-tag-latest", "spec.template.spec.containers[0].image")
    assert changed[key][0] != old[key][0]


def test_identical_findings_get_distinct_fingerprints(tmp_path: Path) -> None:
    doc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
    (tmp_path / "twice.yaml").write_text(doc + "---\n" + doc, encoding="utf-8")
    log, _ = sarif("twice.yaml", cwd=tmp_path)
    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results_by_rule(log, "image-tag-latest")]
    assert len(prints) == 2
    assert prints[0].split(":")[0] == prints[1].split(":")[0]
    assert [p.split(":")[1] for p in prints] == ["1", "2"]


def test_uris_are_relative_to_the_git_root_and_percent_encoded(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    sub = tmp_path / "clusters" / "prod 1"
    sub.mkdir(parents=True)
    shutil.copy(MULTI / "log-agent.yaml", sub / "log agent.yaml")
    log, _ = sarif("log agent.yaml", cwd=sub)
    res = results_by_rule(log, "privileged-container")[0]
    art = res["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "clusters/prod%201/log%20agent.yaml", "uriBaseId": "%SRCROOT%"}
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert run["invocations"][0]["workingDirectory"]["uri"] == sub.resolve().as_uri() + "/"


def test_report_option_writes_sarif_while_printing_text(tmp_path: Path) -> None:
    out = tmp_path / "out.sarif"
    res = run_cli("lint", "--report", f"sarif:{out}", ".", cwd=MULTI)
    assert res.exit_code == 1
    assert "log-agent.yaml:20:11: error privileged-container" in res.stdout
    assert json.loads(out.read_text(encoding="utf-8")) == sarif(".", cwd=MULTI)[0]


def test_related_locations_and_suppressions_from_findings(tmp_path: Path) -> None:
    """``related`` entries (e.g. the inventory pool of an untolerated taint) become relatedLocations."""
    from kubelint_nodes.engine.registry import builtin_catalogue
    from kubelint_nodes.findings import Finding
    from kubelint_nodes.lint import LintResult
    from kubelint_nodes.reporters.sarif import build
    from kubelint_nodes.settings import Settings

    (tmp_path / "inventory.yaml").write_text("pools:\n- name: gpu\n  taints: [{key: gpu}]\n", encoding="utf-8")
    f = Finding("image-tag-latest", "warning", "m", "ds.yaml", 3, 5,
                related=[{"file": "inventory.yaml", "line": 3, "column": 3, "message": "pool 'gpu' taints"}],
                suppressed={"by": "annotation", "reason": "vendor image"})
    result = LintResult([], [f], 1, 1, [], builtin_catalogue())
    log = build(result, Settings(cwd=str(tmp_path), repo_root=str(tmp_path)))
    (res,) = log["runs"][0]["results"]
    (rel,) = res["relatedLocations"]
    assert rel["message"]["text"] == "pool 'gpu' taints"
    assert rel["physicalLocation"]["artifactLocation"] == {"uri": "inventory.yaml", "uriBaseId": "%SRCROOT%"}
    region = rel["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (3, 3, 9)  # `taints`
    assert res["suppressions"] == [{"kind": "inSource", "justification": "vendor image"}]


def test_action_lint_step_writes_sarif_and_exit_code(tmp_path: Path) -> None:
    """Run the shell of action.yml's lint step as the runner would, with the installed CLI."""
    import yaml

    exe = shutil.which("kubelint-nodes") or str(Path(sys.executable).parent / "kubelint-nodes")
    if not os.path.exists(exe) or shutil.which("bash") is None:
        pytest.skip("kubelint-nodes console script or bash not available")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = {s.get("id") or s["name"]: s for s in action["runs"]["steps"]}
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps.values())
    assert {"paths", "inventory", "fail-on"} <= set(action["inputs"])
    script = steps["lint"]["run"]
    work = tmp_path / "repo"
    shutil.copytree(MULTI, work)
    outputs = tmp_path / "github_output"
    env = dict(os.environ, PATH=f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               GITHUB_OUTPUT=str(outputs), GITHUB_WORKSPACE=str(work), KLN_PATHS="log-agent.yaml dup.yaml",
               KLN_INVENTORY="", KLN_FAIL_ON="error", KLN_CONFIG="", KLN_SARIF="kubelint-nodes.sarif",
               KLN_ANNOTATIONS="true")
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr  # findings (exit 1) fail a later step, after the upload
    assert "::error file=log-agent.yaml,line=20," in proc.stdout
    out = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    assert out["exit-code"] == "1"
    log = json.loads(Path(out["sarif-file"]).read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert {u.rsplit("/", 1)[-1] for u in uris} == {"log-agent.yaml", "dup.yaml"}
