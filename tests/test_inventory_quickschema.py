"""The quick inventory schema check (``inventory/quickschema.py``) never accepts what jsonschema refuses.

Validation messages still come from jsonschema; the quick check only lets a valid inventory skip it.  So the
property that matters is one-sided: quick says valid ⇒ jsonschema finds no error.  It is checked on every
inventory in the repository and on generated near-valid documents, and the quick check must also accept
the real valid inventories (otherwise it would save nothing).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelint_nodes.inventory import validate
from kubelint_nodes.inventory.quickschema import Unsupported, compile_schema
from kubelint_nodes.loader.yamlparse import Limits, parse_yaml

SCHEMA = json.loads((ROOT / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))


def _jsonschema_valid(doc: object) -> bool:
    return not list(validate._validator().iter_errors(doc))


def _inventories() -> list[Path]:
    out = []
    for base in (FIXTURES, ROOT / "examples"):
        for p in sorted(base.rglob("*.yaml")):
            text = p.read_text(encoding="utf-8", errors="replace")
            if "kind: NodeInventory" in text:
                out.append(p)
    return out


def _doc(path: Path) -> object:
    res = parse_yaml(path.read_text(encoding="utf-8"), Limits())
    return res.documents[0].data if res.documents else None


@pytest.mark.parametrize("path", _inventories(), ids=lambda p: str(p.relative_to(ROOT)))
def test_agrees_with_jsonschema_on_repository_inventories(path: Path) -> None:
    doc = _doc(path)
    valid = _jsonschema_valid(doc)
    assert validate.is_valid(doc) == valid  # these use no float counts or subclasses: exact agreement


def test_accepts_the_valid_ones_and_refuses_the_invalid_fixture() -> None:
    good = _doc(ROOT / "examples" / "inventory.yaml")
    bad = _doc(FIXTURES / "inventory" / "lint" / "bad-inventory.yaml")
    assert validate.is_valid(good) and validate.problems(good) == []
    assert not validate.is_valid(bad)
    assert validate.problems(bad)  # jsonschema's messages, as before


def test_unknown_keywords_are_refused_at_compile_time() -> None:
    for schema in ({"type": "object", "patternProperties": {"^x": {}}}, {"oneOf": [{}]},
                   {"$ref": "https://example.com/other.json"}, {"prefixItems": [{}]},
                   {"enum": [1, 2]}, {"type": "decimal"}):
        with pytest.raises(Unsupported):
            compile_schema(schema)


def test_semantics_of_each_keyword() -> None:
    check = compile_schema(SCHEMA)
    head = {"apiVersion": "kubelint-nodes.io/v1alpha1", "kind": "NodeInventory"}
    assert check(head)
    assert not check({**head, "kind": "Node"})
    assert not check({"kind": "NodeInventory"})  # required
    assert not check({**head, "extra": 1})  # additionalProperties: false
    assert check({**head, "pools": None})  # type union with null
    assert not check({**head, "pools": [{"name": "a", "count": True}]})  # a bool is not an integer
    assert not check({**head, "pools": [{"name": "a", "count": 1_000_001}]})  # maximum
    assert not check({**head, "pools": [{"name": "a", "count": -1}]})  # minimum
    assert not check({**head, "pools": [{"name": "a", "count": 2.0}]})  # not sure: jsonschema decides
    assert _jsonschema_valid({**head, "pools": [{"name": "a", "count": 2.0}]})
    assert not check({**head, "nodes": [{"name": "A"}]})  # pattern
    assert not check({**head, "nodes": [{"name": "a" * 241}]})  # maxLength
    assert not check({**head, "nodes": [{"name": "a", "allocatable": {"cpu": "4 cores"}}]})
    assert check({**head, "nodes": [{"name": "a", "allocatable": {"cpu": 4, "memory": "16Gi"}}]})
    assert not check({**head, "nodes": [{"name": "a", "allocatable": {"cpu": -4}}]})
    assert not check({**head, "nodes": [{"name": "a", "labels": {"x": True}}]})
    assert not check({**head, "nodes": [{"name": "a", "taints": [{"key": "k", "effect": "Sometimes"}]}]})
    assert not check({**head, "kubeletConfig": ""})  # minLength on the string branch
    assert check({**head, "kubeletConfig": {"kind": "KubeletConfiguration"}})


# -- generated near-valid documents ------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 1_000_002), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "a", "4", "500m", "16Gi", "-1", "+2", ".5", "1e3", " 5 ", "5\n", "4 cores", "/abs",
                     "rel/path", "NoSchedule", "NoExecute", "Maybe", "True", "Unknown", "TCP", "ICMP",
                     "node-1", "Node_1", "n.", "kubelint-nodes.io/v1alpha1", "NodeInventory", "x" * 241]))
_KEYS = sorted({k for d in [SCHEMA, *SCHEMA["$defs"].values()] if isinstance(d, dict)
                for k in d.get("properties", {})} | {"extra", "Name"})


def _near(schema_node: dict, depth: int) -> st.SearchStrategy:
    """Values shaped like the schema node most of the time, anything else sometimes."""
    anything = st.recursive(_SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=3)), max_leaves=6)
    if depth > 5:
        return _SCALARS
    if "$ref" in schema_node:
        return _near(SCHEMA["$defs"][schema_node["$ref"].rsplit("/", 1)[1]], depth + 1)
    types = schema_node.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    options = [anything]
    if "object" in types and "properties" in schema_node:
        props = schema_node["properties"]
        required = schema_node.get("required", [])
        options.append(st.fixed_dictionaries({k: _near(props[k], depth + 1) for k in required},
                                             optional={k: _near(v, depth + 1) for k, v in props.items()
                                                       if k not in required}))
    if "object" in types and isinstance(schema_node.get("additionalProperties"), dict):
        options.append(st.dictionaries(st.sampled_from(["cpu", "memory", "pods", "x/y"]),
                                       _near(schema_node["additionalProperties"], depth + 1), max_size=3))
    if "array" in types and "items" in schema_node:
        options.append(st.lists(_near(schema_node["items"], depth + 1), max_size=3))
    if "enum" in schema_node or "const" in schema_node:
        options.append(st.sampled_from(list(schema_node.get("enum", [schema_node.get("const")]))))
    if "pattern" in schema_node or "minLength" in schema_node:
        options.append(st.sampled_from(["a", "node-1", "n.example", "/etc/kubernetes/manifests", "4", "16Gi"]))
    typed = {"integer": [0, 1, 3, 110], "number": [0, 2, 0.5], "string": ["500m", "2", "x"], "null": [None],
             "boolean": [True, False]}
    if types and set(types) <= set(typed):
        options.append(st.sampled_from([v for t in types for v in typed[t]]))
    if len(options) == 1:
        return anything
    shaped = st.one_of(options[1:])
    if depth == 0:
        return shaped
    # Mostly shaped values, so that most documents are valid or fail at one place only.
    return st.integers(0, 29).flatmap(lambda i: anything if i == 7 else shaped)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_near(SCHEMA, 0))
def test_quick_valid_implies_jsonschema_valid(doc: object) -> None:
    if validate.is_valid(doc):
        assert _jsonschema_valid(doc), doc
