"""``docs/rules/`` is generated from ``rules/``: this fails when the two drift apart."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from conftest import ROOT

TOOL = ROOT / "tools" / "gen_rule_docs.py"


def gen():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_rule_docs", module)
    spec.loader.exec_module(module)
    return module


def test_docs_match_a_fresh_generation(tmp_path):
    """Regenerate into a temporary directory and compare with docs/rules/, file by file."""
    tool = gen()
    assert tool.main(["--out", str(tmp_path)]) == 0
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.md")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "rules").glob("*.md")}
    hint = "docs/rules/ is out of date: run `python tools/gen_rule_docs.py`"
    assert sorted(committed) == sorted(fresh), hint
    for name, text in fresh.items():
        assert committed[name] == text, f"{hint} ({name} differs)"


def test_every_rule_has_a_page_and_an_index_entry():
    rule_ids = sorted(p.stem for p in (ROOT / "rules").glob("*.yaml"))
    pages = sorted(p.stem for p in (ROOT / "docs" / "rules").glob("*.md") if p.name != "README.md")
    assert pages == rule_ids
    index = (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8")
    for rid in rule_ids:
        assert f"[`{rid}`]({rid}.md)" in index


def test_check_mode_reports_drift(tmp_path):
    tool = gen()
    assert tool.main(["--out", str(tmp_path)]) == 0
    assert tool.main(["--check", "--out", str(tmp_path)]) == 0
    page = next(p for p in sorted(tmp_path.glob("*.md")) if p.name != "README.md")
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    (tmp_path / "removed-rule.md").write_text("# gone\n", encoding="utf-8")
    assert tool.drift(tool.render_all(ROOT / "rules"), tmp_path) == [
        f"outdated {page.name}", "stale removed-rule.md (no rule file)"]
    assert tool.main(["--check", "--out", str(tmp_path)]) == 1
    # Regenerating repairs both.
    assert tool.main(["--out", str(tmp_path)]) == 0
    assert tool.drift(tool.render_all(ROOT / "rules"), tmp_path) == []


def test_generator_handles_any_rule_file(tmp_path):
    """Rules written by anyone: no examples, no tags, parameters of every type, needs, fixable."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bare-minimum.yaml").write_text(
        "id: bare-minimum\nseverity: info\nroles: [file]\nsummary: S.\nrationale: R.\nfix: F.\n")
    (rules / "everything.yaml").write_text(Path(ROOT / "tests" / "fixtures" / "config" / "rules-dir"
                                                / "no-host-network.yaml").read_text().replace(
        "id: no-host-network", "id: everything") + (
        "tags: [security, 'pss:restricted', 'cis:5.2.6']\nneeds: {inventory: true, all: true}\n"
        "fixable: {safe: false}\nexamples:\n  bad: |\n    spec:\n      hostNetwork: true\n"
        "  good: \"kubelint-nodes lint ```odd``` input\"\n"))
    tool = gen()
    out = tmp_path / "docs"
    assert tool.main(["--rules", str(rules), "--out", str(out)]) == 0
    page = (out / "everything.md").read_text()
    assert "| Pod Security Standards | Restricted |" in page
    assert "| CIS Kubernetes Benchmark | 5.2.6 |" in page
    assert "a node inventory (`-i`); whole-repository mode" in page
    assert "````sh\nkubelint-nodes lint ```odd``` input\n````" in page
    assert "| `allowed-namespaces` | list | `[\"kube-system\"]` |" in page
    assert "      allowed-namespaces:\n        - kube-system\n" in page
    bare = (out / "bare-minimum.md").read_text()
    assert "## Examples" not in bare and "## Parameters" not in bare
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "bare-minimum.md", "everything.md"]


def test_readme_command_outputs_are_current():
    """README.md shows `kubelint-nodes rules` / `explain` output between markers: it must match the CLI."""
    tool = gen()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if "<!-- BEGIN kubelint-nodes " not in readme:
        import pytest

        pytest.skip("README.md has no generated command output")
    assert tool.refresh_readme(readme, ROOT / "rules") == readme, \
        "README.md command output is stale: run `python tools/gen_rule_docs.py`"


def test_readme_blocks_are_what_the_cli_prints():
    from conftest import run_cli

    tool = gen()
    for cmd in ("rules", "explain static-pod-api-reference"):
        expected = tool.command_output(cmd, ROOT / "rules")
        if expected is None:
            continue
        assert run_cli(*cmd.split()).stdout == expected
