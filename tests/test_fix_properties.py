"""Property test of the fix editor: on generated YAML, an edit is either refused or exactly right.

"Exactly right" is what :func:`verify.check` proves (the edited document decodes to the intended data and
nothing else changed); on top of that every comment line of the input is still there, in order.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelint_nodes.fix.edit import apply_ops
from kubelint_nodes.fix.model import ADD, DELETE, SET, CannotFix, Op
from kubelint_nodes.fix.verify import check, expected_data
from kubelint_nodes.loader.yamlparse import parse_yaml

KEYS = st.sampled_from(["a", "b", "spec", "name", "on", "x.y/z", "image"])
SCALARS = st.one_of(st.sampled_from(["on", "0755", "x", "", "a: b", "#c", "Webhook"]), st.integers(-5, 5),
                    st.booleans(), st.none())
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(KEYS, DATA, min_size=1, max_size=4), flow=st.booleans(), indent=st.sampled_from([2, 4]),
       pick=st.integers(0, 1000), kind=st.sampled_from([SET, ADD, DELETE]), tail=st.lists(KEYS, max_size=2),
       value=DATA)
def test_edit_is_refused_or_exact(data, flow, indent, pick, kind, tail, value):
    body = yaml.safe_dump(data, default_flow_style=flow, indent=indent, sort_keys=False, width=1000)
    text = "# head comment\n" + body + "# tail comment\n"
    parsed = parse_yaml(text)
    if parsed.issues or len(parsed.documents) != 1:
        return
    paths = [p for p in _paths(parsed.documents[0].data) if p]
    if not paths:
        return
    path = paths[pick % len(paths)] + tuple(tail)
    op = Op(kind, path, [value] if kind == ADD else value)
    try:
        new = apply_ops(text, 0, [op])
        check(parsed, parse_yaml(new), 0, expected_data(parsed.documents[0].data, [op]))
    except CannotFix:
        return
    comments = [ln for ln in new.splitlines() if ln.lstrip().startswith("# ")]
    assert comments == ["# head comment", "# tail comment"]
