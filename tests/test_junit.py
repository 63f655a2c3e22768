"""``--format junit``: JUnit XML, one test case per rule and file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from conftest import FIXTURES, run_cli, run_json

MULTI = FIXTURES / "integrations" / "multi"


def junit(*args: str, cwd: Path, stdin: str | None = None) -> ET.Element:
    res = run_cli("lint", "--format", "junit", *args, cwd=cwd, stdin=stdin)
    assert res.exit_code in (0, 1), res.stderr
    assert res.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(res.stdout.encode("utf-8"))


def test_one_test_case_per_rule_and_file(tmp_path: Path) -> None:
    root = junit(".", cwd=MULTI)
    report = run_json(".", cwd=MULTI)
    pairs = Counter((f["file"], f["rule"]) for f in report["findings"])
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    got = [(c.get("classname").rsplit("/", 1)[-1], c.get("name")) for c in cases]
    assert sorted(got) == sorted(pairs)  # one case per pair, however many findings it has
    assert int(root.get("tests")) == len(cases) == len(pairs)
    assert int(root.get("failures")) == len(cases)
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert all(c.get("classname") == suite.get("name") for c in suite.findall("testcase"))
    # log-agent.yaml has image-tag-latest twice (two containers): one case, both findings in it
    (case,) = [c for c in cases
               if c.get("name") == "image-tag-latest" and c.get("classname").endswith("log-agent.yaml")]
    failure = case.find("failure")
    assert failure.get("type") == "warning"
    assert failure.get("message").startswith("2 findings: ")
    assert [line.split(": ")[0] for line in failure.text.splitlines()] == ["log-agent.yaml:18:9", "log-agent.yaml:22:9"]
    priv = next(c for c in cases if c.get("name") == "privileged-container")
    assert priv.find("failure").get("type") == "error"
    assert "spec.template.spec.containers[0].securityContext.privileged" in priv.find("failure").text


def test_control_characters_from_input_do_not_break_the_xml(tmp_path: Path) -> None:
    # A message quoting a value with a control character (here through the image name).
    pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n'
    (tmp_path / "p.yaml").write_text(pod + '    image: "bad\\x01img"\n', encoding="utf-8")
    assert any("\x01" in f["message"] for f in run_json("p.yaml", cwd=tmp_path)["findings"])
    root = junit("p.yaml", cwd=tmp_path)  # parses, so the character was neutralised
    text = ET.tostring(root, encoding="unicode")
    assert "\x01" not in text and "bad\\x01img" in text


def test_clean_run_is_an_empty_suite_list(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", encoding="utf-8")
    root = junit(".", cwd=tmp_path)
    assert root.get("tests") == "0" and root.get("failures") == "0" and root.findall("testsuite") == []
