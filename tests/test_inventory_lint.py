"""``inventory-invalid``: a NodeInventory met in a lint walk is checked against its schema, with its
``!include`` values left unexpanded and their statements checked (SPEC §5)."""

from __future__ import annotations

from conftest import FIXTURES, findings, run_cli, run_json, where

LINT = FIXTURES / "inventory" / "lint"
BAD = "tests/fixtures/inventory/lint/bad-inventory.yaml"


def test_bad_inventory_findings() -> None:
    report = run_json("tests/fixtures/inventory/lint", cwd=FIXTURES.parent.parent)
    got = [(f["line"], f["column"], f["path"]) for f in findings(report, "inventory-invalid")]
    assert got == [
        (7, 3, "pools[0].taint"),
        (8, 12, "pools[0].labels.nvidia.com/gpu.present"),
        (9, 3, "pools[1]"),
        (10, 3, "pools[2].name"),
        (11, 3, "pools[2].count"),
        (12, 17, "pools[2].allocatable.cpu"),
        (13, 21, "pools[2].taints[0].effect"),
        (14, 13, "pools[3]"),
    ]
    assert {f["file"] for f in findings(report, "inventory-invalid")} == {BAD}
    messages = [f["message"] for f in findings(report, "inventory-invalid")]
    assert messages[0] == "inventory pools[0].taint: unknown key 'taint' (did you mean 'taints'?)"
    assert messages[2] == ("inventory pools[1]: unsafe !include: '..' is not allowed: includes stay inside the "
                           "inventory's directory tree")
    assert "mode 'wb' is not allowed" in messages[7]
    f0 = findings(report, "inventory-invalid")[0]
    assert f0["severity"] == "error"
    assert f0["object"] == {"apiVersion": "kubelint-nodes.io/v1alpha1", "kind": "NodeInventory", "name": None,
                            "namespace": None, "role": "inventory"}
    # The !include tags are allowed in the inventory (no yaml-unsupported-tag), and fragments are skipped.
    assert where(report, "yaml-unsupported-tag") == []


def test_good_inventory_and_fragments_are_clean() -> None:
    report = run_json("good-inventory.yaml", "pools/gpu.yaml", "nodes.yaml", cwd=LINT)
    assert report["findings"] == []
    assert report["summary"]["files"] == 3


def test_full_fixture_inventory_is_clean() -> None:
    report = run_json("inventory.yaml", cwd=FIXTURES / "inventory" / "full")
    assert findings(report, "inventory-invalid") == []


def test_rule_is_in_the_catalogue() -> None:
    res = run_cli("explain", "inventory-invalid")
    assert res.exit_code == 0
    assert "inventory-invalid" in res.stdout and "!include" in res.stdout
