"""The compiled predicate, the explaining walker and jsonschema must agree on every document.

jsonschema reads the vendored file as the JSON Schema it is; our two walkers are the fast path and the
explanation. Random mutations of valid objects (hypothesis) and every shipped kind are checked.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelint_nodes import schema
from kubelint_nodes.loader.yamlparse import parse_yaml
from kubelint_nodes.schema import store

FIXTURES = Path(__file__).parent / "fixtures" / "schema"
_VALIDATORS: dict[str, jsonschema.Draft202012Validator] = {}


def reference(name: str) -> jsonschema.Draft202012Validator:
    if name not in _VALIDATORS:
        _VALIDATORS[name] = jsonschema.Draft202012Validator({"$ref": "#/$defs/" + name, "$defs": store.definitions()})
    return _VALIDATORS[name]


def agree(obj: dict, version: str) -> None:
    name = store.kinds_of(version)[f"{obj['apiVersion']}/{obj['kind']}"]
    expected_errors = list(reference(name).iter_errors(obj))
    fast = schema._compiler().definition(name)(obj)
    problems = schema.validate(obj, obj["apiVersion"], obj["kind"], version)
    assert problems is not None
    assert fast == (not expected_errors), (fast, [e.message for e in expected_errors])
    assert (problems == []) == fast
    # every jsonschema error is explained at its place or (unknown fields) at a key below it
    ours = [p.path for p in problems]
    for err in expected_errors:
        where = tuple(err.absolute_path)
        assert any(p[: len(where)] == where for p in ours), (where, ours)


def base_documents() -> list[dict]:
    docs = []
    for name in ("valid.yaml",):
        for d in parse_yaml((FIXTURES / name).read_text(encoding="utf-8")).documents:
            docs.append(d.data)
    return docs


def places(node: object, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += places(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += places(v, path + (i,))
    return out


REPLACEMENTS = [None, True, False, 0, 7, -1, 2**40, 1.5, 2.0, "", "x", "0777", "100m", [], [None], [1], ["a"], {},
                {"zz": 1}, {"name": "n"}]
# Not in the list: float("inf"). JSON Schema calls it a number; the API server cannot even convert the
# YAML to JSON ("json: unsupported value: +Inf"), so we refuse it (test_schema.py checks that).


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=st.data())
def test_mutations_agree(data: st.DataObject) -> None:
    docs = base_documents()
    obj = copy.deepcopy(data.draw(st.sampled_from(docs)))
    version = data.draw(st.sampled_from(schema.SUPPORTED_VERSIONS))
    for _ in range(data.draw(st.integers(1, 3))):
        targets = [p for p in places(obj) if len(p) > 2]
        path = data.draw(st.sampled_from(targets))
        parent = obj
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["zz", "Name", "toleration", "image"]))] = "v"
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(REPLACEMENTS)))
    agree(obj, version)


@pytest.mark.parametrize("version", schema.SUPPORTED_VERSIONS)
def test_fixture_documents_agree(version: str) -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        for d in parse_yaml(path.read_text(encoding="utf-8")).documents:
            obj = d.data
            if isinstance(obj, dict) and f"{obj.get('apiVersion')}/{obj.get('kind')}" in store.kinds_of(version):
                agree(obj, version)
