"""``kubelint-nodes rules`` and ``kubelint-nodes explain`` (SPEC §3, §8)."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, ROOT, run_cli


def tagged(rule_id: str, prefix: str) -> list[str]:
    """Values of ``prefix:`` tags as written in rules/<id>.yaml (read with PyYAML, not the tool's loader)."""
    import yaml

    data = yaml.safe_load((ROOT / "rules" / f"{rule_id}.yaml").read_text())
    return [t.split(":", 1)[1] for t in data.get("tags", []) if t.lower().startswith(prefix + ":")]


def catalogue():
    from kubelint_nodes.engine.registry import builtin_catalogue

    return builtin_catalogue()


def test_rules_table_lists_every_rule_once():
    res = run_cli("rules")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["id", "severity", "roles", "needs", "summary"]
    first_words = [ln.split()[0] for ln in lines[2:] if ln and not ln.startswith(" ")]
    ids = catalogue().ids()
    assert first_words[: len(ids)] == ids
    assert lines[-1] == f"{len(ids)} rules; `kubelint-nodes explain ID` for details."
    row = next(ln for ln in lines if ln.startswith("privileged-container "))
    assert row.split()[1] == "error"


def test_rules_json_carries_the_metadata():
    res = run_cli("rules", "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert [r["id"] for r in data] == catalogue().ids()
    priv = next(r for r in data if r["id"] == "privileged-container")
    assert priv["severity"] == "error"
    assert priv["roles"] == ["pod", "daemonset", "workload"]
    assert priv["pss"] == tagged("privileged-container", "pss") == ["baseline"]
    assert priv["cis"] == tagged("privileged-container", "cis") != []
    assert priv["needs"] == {"inventory": False, "all": False}
    assert "privileged: true" in priv["examples"]["bad"]
    assert priv["docs"].endswith("docs/rules/privileged-container.md")
    for r in data:
        assert set(r) >= {"id", "severity", "roles", "summary", "rationale", "fix", "tags", "parameters", "needs"}


def test_rules_markdown_is_a_table_row_per_rule():
    res = run_cli("rules", "--format", "markdown")
    assert res.exit_code == 0
    rows = res.stdout.splitlines()
    assert rows[0].startswith("| id | severity |")
    assert len(rows) == 2 + len(catalogue().ids())
    assert "| `privileged-container` | error | pod, daemonset, workload | - |" in res.stdout


def test_explain_shows_rationale_examples_fix_and_tags():
    res = run_cli("explain", "privileged-container")
    assert res.exit_code == 0
    out = res.stdout
    assert out.startswith("privileged-container: A container runs privileged.\n")
    for part in ("Why:\n  A privileged container", "Bad:\n  containers:", "Good:\n  containers:",
                 "Fix:\n  Remove `privileged: true`", "PSS level:  baseline",
                 "CIS:        " + ", ".join(tagged("privileged-container", "cis")),
                 "Applies to: pod, daemonset, workload", "Severity:   error"):
        assert part in out, part
    assert out.index("Bad:") < out.index("Good:") < out.index("Fix:")


def test_explain_unknown_rule_is_exit_2_with_did_you_mean():
    res = run_cli("explain", "privileged-containr")
    assert res.exit_code == 2
    assert "unknown rule id 'privileged-containr' (did you mean 'privileged-container'?)" in res.stderr
    assert res.stdout == ""


def test_explain_lists_parameters_with_type_and_default():
    from kubelint_nodes.catalogue_view import render_explain
    from kubelint_nodes.engine.registry import parse_rule_file

    rule = parse_rule_file(FIXTURES / "config" / "rules-dir" / "no-host-network.yaml", builtin=False)
    out = render_explain(rule)
    assert "Parameters (rules.params in the config):\n  allowed-namespaces (list): Namespaces whose pods may " \
           "use the host network.\n    default: [\"kube-system\"]" in out
    assert "Docs:" in out and "no-host-network.yaml" in out


def test_explain_every_rule_renders():
    for rid in catalogue().ids():
        res = run_cli("explain", rid)
        assert res.exit_code == 0, rid
        assert res.stdout.startswith(f"{rid}: ")
        assert "Why:" in res.stdout and "Fix:" in res.stdout


def test_explain_static_pod_api_reference():
    if catalogue().get("static-pod-api-reference") is None:
        pytest.skip("static-pod-api-reference is not in rules/ yet")
    res = run_cli("explain", "static-pod-api-reference")
    assert res.exit_code == 0
    assert "Bad:" in res.stdout and "Good:" in res.stdout and "static-pod" in res.stdout


@pytest.mark.parametrize("tags, cis_key, pss, cis, other", [
    (["security", "pss:baseline", "cis:5.2.1"], None, ["baseline"], ["5.2.1"], ["security"]),
    (["PSS:restricted", "reliability"], "4.2.1", ["restricted"], ["4.2.1"], ["reliability"]),
    ([], None, [], [], []),
])
def test_tag_groups(tags, cis_key, pss, cis, other):
    from kubelint_nodes.catalogue_view import tag_groups
    from kubelint_nodes.engine.registry import Rule

    raw = {"cis": cis_key} if cis_key else {}
    rule = Rule("x", "warning", ("pod",), "s", tags=tuple(tags), raw=raw)
    assert tag_groups(rule) == {"pss": pss, "cis": cis, "other": other}
