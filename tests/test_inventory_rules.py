"""The inventory-aware rules (catalogue section "Inventory-aware") against hand-written fixtures.

Layout: ``tests/fixtures/inventory-rules/<rule-id>/<fail|pass>-<case>/`` holds an inventory, manifests and a
``case.yaml``: ``args`` (run with ``lint --format json`` from the case directory) and ``expect``, a list of
findings of that rule with ``file``, ``line``, ``column`` and optionally ``contains`` (substrings of the
message), ``related`` (``file:line:column`` of each related location, in order), ``path`` and ``object``
(keys that must match).  A pass case expects nothing of its rule.  Expectations are written by hand from the
catalogue and SPEC §6, never generated from the tool's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, findings, run_json

CASES_DIR = FIXTURES / "inventory-rules"
INVENTORY_RULES = ("daemonset-untolerated-taint", "daemonset-no-matching-nodes", "daemonset-insufficient-resources",
                   "host-port-conflict", "pod-unschedulable", "pod-node-not-found", "pod-rejected-by-kubelet",
                   "static-pod-path-mismatch", "static-pod-rejected", "node-overcommitted")
ALL_RULES = ("daemonset-insufficient-resources", "host-port-conflict", "node-overcommitted")


def _cases() -> list[tuple[str, Path]]:
    return [(rule.name, case) for rule in sorted(p for p in CASES_DIR.iterdir() if p.is_dir())
            for case in sorted(rule.iterdir()) if (case / "case.yaml").is_file()]


CASES = _cases()


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r}/{c.name}" for r, c in CASES])
def test_inventory_rule_fixture(rule: str, case: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8")) or {}
    report = run_json(*[str(a) for a in spec["args"]], cwd=case)
    got = findings(report, rule)
    expected = spec.get("expect") or []
    if case.name.startswith("fail-"):
        assert expected, f"{case}: a fail case needs an 'expect' list"
    else:
        assert not expected, f"{case}: a pass case expects nothing"
    shown = "\n".join(f"{f['file']}:{f['line']}:{f['column']} {f['message']}" for f in got)
    assert sorted((f["file"], f["line"], f["column"]) for f in got) == \
        sorted((e["file"], e["line"], e["column"]) for e in expected), shown
    unmatched = list(got)
    for e in expected:
        match = next((f for f in unmatched if (f["file"], f["line"], f["column"]) == (e["file"], e["line"], e["column"])
                      and all(s in f["message"] for s in e.get("contains", ()))), None)
        assert match is not None, \
            f"no finding at {e['file']}:{e['line']}:{e['column']} with {e.get('contains')}\n{shown}"
        unmatched.remove(match)
        if "related" in e:
            assert [f"{r['file']}:{r['line']}:{r['column']}" for r in match.get("related") or []] == e["related"], match
        if "path" in e:
            assert match["path"] == e["path"], match
        for key, value in (e.get("object") or {}).items():
            assert match["object"][key] == value, match


def test_every_inventory_rule_has_trigger_and_no_trigger_fixtures() -> None:
    kinds: dict[str, set[str]] = {}
    for rule, case in CASES:
        kinds.setdefault(rule, set()).add(case.name.split("-", 1)[0])
    assert {r: kinds.get(r) for r in INVENTORY_RULES} == {r: {"fail", "pass"} for r in INVENTORY_RULES}


def test_inventory_rules_are_declared_as_the_catalogue_says() -> None:
    from kubelint_nodes.engine.registry import builtin_catalogue

    cat = builtin_catalogue()
    for rid in INVENTORY_RULES:
        rule = cat.get(rid)
        assert rule is not None and rule.needs_inventory, rid
        assert rule.needs_all == (rid in ALL_RULES), rid


# --- modes, scope and sharing --------------------------------------------------------------------------

def _rules(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"]}


def test_whole_repository_rules_run_only_with_all_or_without_paths() -> None:
    """SPEC §7: host-port-conflict, daemonset-insufficient-resources and node-overcommitted need every workload."""
    from conftest import ROOT

    per_file = run_json("-i", "examples/inventory.yaml", "examples/", cwd=ROOT)
    assert not _rules(per_file) & set(ALL_RULES)
    assert "daemonset-untolerated-taint" in _rules(per_file)
    whole = run_json("-i", "examples/inventory.yaml", "--all", "examples/", cwd=ROOT)
    assert [(f["file"], f["line"], f["column"]) for f in findings(whole, "daemonset-insufficient-resources")] == [
        ("examples/daemonsets/fluent-bit.yaml", 8, 1)]  # priority 0 under edge-1's DiskPressure
    assert [(f["file"], f["line"], f["path"]) for f in findings(whole, "node-overcommitted")] == []
    no_paths = run_json("-i", "inventory.yaml", cwd=ROOT / "examples")
    assert [(f["file"], f["line"]) for f in findings(no_paths, "daemonset-insufficient-resources")] == [
        ("daemonsets/fluent-bit.yaml", 8)]


def test_inventory_rules_are_silent_without_an_inventory() -> None:
    from conftest import ROOT

    report = run_json("--all", "examples/", cwd=ROOT)
    assert not _rules(report) & set(INVENTORY_RULES)


def test_only_files_of_the_run_get_findings() -> None:
    """The inventory's static pods are placed even when not linted, but get no finding of their own."""
    case = CASES_DIR / "static-pod-path-mismatch" / "fail-paths"
    report = run_json("-i", "inventory.yaml", "kubelet/default.yaml", cwd=case)
    assert findings(report, "static-pod-path-mismatch") == []


def test_placement_is_computed_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import ROOT

    from kubelint_nodes.placement import collect

    calls = []
    real = collect.collect_placement

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(collect, "collect_placement", counting)
    report = run_json("-i", "examples/inventory.yaml", "--all", "examples/", cwd=ROOT)
    assert _rules(report) & set(INVENTORY_RULES)
    assert len(calls) == 1


def test_kubelet_configs_named_by_the_inventory_are_linted() -> None:
    """The inventory's kubeletConfig files reach the kubelet rules (``inventory.kubelet_sources``)."""
    from conftest import ROOT

    report = run_json("-i", "examples/inventory.yaml", "examples/daemonsets", cwd=ROOT)
    assert ("examples/kubelet/gpu.yaml", 6, 5) in [(f["file"], f["line"], f["column"])
                                                   for f in findings(report, "kubelet-anonymous-auth")]


def test_untolerated_taint_finding_feeds_the_fixer(tmp_path: Path) -> None:
    import shutil

    from conftest import run_cli

    case = tmp_path / "case"
    shutil.copytree(CASES_DIR / "daemonset-untolerated-taint" / "fail-pools", case)
    res = run_cli("fix", "--unsafe", "--rule", "daemonset-untolerated-taint", "-i", "inventory.yaml", "agent.yaml",
                  cwd=case)
    assert res.exit_code == 0, res.stderr
    fixed = yaml.safe_load((case / "agent.yaml").read_text(encoding="utf-8"))
    assert fixed["spec"]["template"]["spec"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"},
        {"key": "dedicated", "operator": "Equal", "value": "edge", "effect": "NoExecute"}]
    report = run_json("-i", "inventory.yaml", "agent.yaml", cwd=case)
    assert findings(report, "daemonset-untolerated-taint") == []


@pytest.mark.parametrize("mode", [(), ("--all",)])
def test_corpus_daemonsets_with_the_example_inventory(shared_dir: Path, mode: tuple[str, ...]) -> None:
    from conftest import ROOT

    report = run_json("-i", "examples/inventory.yaml", *mode, str(shared_dir / "corpus" / "daemonsets"), cwd=ROOT)
    rules = _rules(report)
    assert {"daemonset-untolerated-taint", "daemonset-no-matching-nodes"} <= rules
    assert bool(rules & set(ALL_RULES)) == bool(mode)
    # Every finding of an inventory rule on a workload is on a file of the run.
    corpus = str(shared_dir / "corpus" / "daemonsets")
    assert all(f["file"].startswith(corpus) for f in report["findings"] if f["rule"] in INVENTORY_RULES
               and f["rule"] != "node-overcommitted")


def test_node_overcommitted_adds_up_what_the_engine_calls_demand() -> None:
    """The rule's one-pass sum agrees with ``PlacementResult.demand`` on every group of a real run."""
    from conftest import ROOT

    from kubelint_nodes.checks.inventory_rules import _demands
    from kubelint_nodes.inventory.load import load_inventory
    from kubelint_nodes.lint import safe_load
    from kubelint_nodes.loader.files import discover
    from kubelint_nodes.placement.collect import collect_placement
    from kubelint_nodes.settings import Settings

    case = CASES_DIR / "node-overcommitted" / "fail-pool"
    for cwd, paths, inv in ((ROOT, ["examples/"], "examples/inventory.yaml"), (case, ["ds", "static-pods"],
                                                                                "inventory.yaml")):
        settings = Settings(paths=paths, inventory=inv, cwd=str(cwd), whole_repo=True)
        files = [safe_load(f, settings) for f in discover(settings).files]
        run = collect_placement(load_inventory(inv, settings), files, settings)
        for g, d in zip(run.result.groups, _demands(run), strict=True):
            want = run.result.demand(g.representative)
            got = {k: v for k, v in d.requests.items() if v}
            got.setdefault("cpu", 0)
            got.setdefault("memory", 0)
            got["pods"] = d.pods
            assert got == want, g.representative.name
