"""``--format github``: workflow commands the Actions runner parses back into the findings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import FIXTURES, run_cli, run_json

from kubelint_nodes.reporters.github import command, escape_data, escape_property

MULTI = FIXTURES / "integrations" / "multi"
HELM = FIXTURES / "integrations" / "helm"

_UNESCAPE = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def unescape(text: str) -> str:
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: _UNESCAPE[m.group()], text)


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Split a command as the runner does: ``::name k=v,k=v::data``."""
    assert line.startswith("::")
    head, sep, data = line[2:].partition("::")
    assert sep, line
    name, _, props = head.partition(" ")
    properties = {}
    for pair in props.split(",") if props else []:
        key, eq, value = pair.partition("=")
        assert eq, pair
        properties[key] = unescape(value)
    return name, properties, unescape(data)


def test_escaping_follows_the_workflow_command_syntax() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    # '%' first, so an existing escape sequence is not decoded by the runner
    assert escape_data("%0A") == "%250A"
    assert command("warning", {"file": "a,b:c.yaml", "line": 3, "title": None}, "x\ny") == \
        "::warning file=a%2Cb%3Ac.yaml,line=3::x%0Ay"


def test_annotations_match_the_json_findings() -> None:
    res = run_cli("lint", "--format", "github", ".", cwd=MULTI)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    report = run_json(".", cwd=MULTI)
    assert len(lines) == len(report["findings"])
    for line, f in zip(lines, report["findings"], strict=True):
        name, props, data = parse(line)
        assert name == {"error": "error", "warning": "warning", "info": "notice"}[f["severity"]]
        assert props["file"].endswith(f["file"])
        assert int(props["line"]) == f["line"] == int(props["endLine"])
        assert int(props["col"]) == f["column"] < int(props["endColumn"])
        assert props["title"] == f"kubelint-nodes {f['rule']}"
        assert data == f["message"]
    priv = next(line for line in lines if "privileged-container" in line)
    _, props, _ = parse(priv)
    assert (props["line"], props["col"], props["endColumn"]) == ("20", "11", "21")  # `privileged`


def test_paths_and_messages_with_special_characters_are_escaped(tmp_path: Path) -> None:
    name = "pool:gpu,edge 100%.yaml"
    shutil.copy(MULTI / "log-agent.yaml", tmp_path / name)
    res = run_cli("lint", "--format", "github", name, cwd=tmp_path)
    line = next(x for x in res.stdout.splitlines() if "privileged-container" in x)
    assert "file=pool%3Agpu%2Cedge 100%25.yaml," in line
    # data keeps ':' and ',' (only properties escape them)
    assert "::DaemonSet 'log-agent': container 'shipper' runs privileged (securityContext.privileged: true)" in line
    assert parse(line)[1]["file"] == name


def test_multi_line_messages_stay_on_one_command_line() -> None:
    """A Helm source note is a second line of the message: it must arrive as %0A, not a line break."""
    rendered = (HELM / "rendered.yaml").read_text(encoding="utf-8")
    res = run_cli("lint", "--format", "github", "-", "--stdin-filename", "rendered.yaml", stdin=rendered)
    lines = res.stdout.splitlines()
    assert all(line.startswith("::") for line in lines)
    priv = next(line for line in lines if "privileged-container" in line)
    assert "%0Arendered from Helm template node-agent/templates/daemonset.yaml" in priv
    _, props, data = parse(priv)
    assert props["file"] == "rendered.yaml" and props["line"] == "36"
    assert data.splitlines()[1] == "rendered from Helm template node-agent/templates/daemonset.yaml"


def test_clean_run_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", encoding="utf-8")
    res = run_cli("lint", "--format", "github", ".", cwd=tmp_path)
    assert res.exit_code == 0 and res.stdout == ""
