"""Never a traceback: any damage to an inventory is an :class:`InventoryError` with a one-line message."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelint_nodes.inventory.load import InventoryError, load_inventory
from kubelint_nodes.loader.yamlparse import parse_yaml
from kubelint_nodes.settings import Settings

FULL = FIXTURES / "inventory" / "full"
_BASE = parse_yaml((FULL / "inventory.yaml").read_text(encoding="utf-8").replace(
    "- !include pools/gpu.yaml\n", "")).documents[0].data
_VALUES = [None, True, 0, -1, 3.5, "", "x", "NoSchedule", "1Gi", "-1", "../x", "/etc/passwd", "*.yaml",
           [], {}, [1, {}], {"a": [None]}, 2**70]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


_PATHS = [p for p in _paths(_BASE) if p]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(_PATHS), st.sampled_from(range(len(_VALUES))),
                                st.booleans()), min_size=1, max_size=3))
def test_damaged_inventory_is_a_clean_error(tmp_path_factory: Any, edits: list) -> None:
    doc = copy.deepcopy(_BASE)
    for path, vi, add_key in edits:
        node = doc
        try:
            for part in path[:-1]:
                node = node[part]
            if add_key and isinstance(node, dict):
                node["unknownKey"] = _VALUES[vi]
            else:
                node[path[-1]] = copy.deepcopy(_VALUES[vi])
        except (KeyError, IndexError, TypeError):
            continue
    work: Path = tmp_path_factory.mktemp("inv")
    for sub in ("kubelet", "nodes", "clusters"):
        src = FULL / sub
        for f in src.rglob("*"):
            if f.is_file():
                dest = work / f.relative_to(FULL)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(f.read_bytes())
    (work / ".git").mkdir()
    (work / "inventory.yaml").write_text(json.dumps(doc), encoding="utf-8")
    try:
        inv = load_inventory("inventory.yaml", Settings(cwd=str(work)))
    except InventoryError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith("inventory.yaml") or str(exc).startswith(("kubelet/", "clusters/"))
    else:
        assert all(n.name for n in inv.nodes)
