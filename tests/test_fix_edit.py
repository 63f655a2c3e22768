"""The fix editor on its own: text splices located by ruamel.yaml, verified by the project's loader."""

from __future__ import annotations

import pytest

from kubelint_nodes.fix.edit import apply_ops, same
from kubelint_nodes.fix.model import ADD, DELETE, DELETE_AT, QUOTE, RENAME, SET, CannotFix, Op
from kubelint_nodes.fix.nodes import document_span, layout
from kubelint_nodes.fix.paths import container_base, resolve
from kubelint_nodes.fix.render import plain_ok, scalar
from kubelint_nodes.fix.sarif import replacements_for
from kubelint_nodes.fix.source import Source
from kubelint_nodes.fix.verify import check, expected_data
from kubelint_nodes.loader.yamlparse import parse_yaml


def fix(text: str, *ops: Op, doc: int = 0) -> str:
    """Apply and verify, as the fix run does."""
    new = apply_ops(text, doc, list(ops))
    old = parse_yaml(text)
    check(old, parse_yaml(new), doc, expected_data(old.documents[doc].data, list(ops)))
    return new


def test_quote_keeps_the_rest_of_the_line():
    text = "metadata:\n  labels:\n    gpu: on   # really\n"
    assert fix(text, Op(QUOTE, ("metadata", "labels", "gpu"), "on")) == \
        'metadata:\n  labels:\n    gpu: "on"   # really\n'


def test_quote_refuses_when_the_value_changed_since_planning():
    with pytest.raises(CannotFix, match="no longer"):
        fix("a: off\n", Op(QUOTE, ("a",), "on"))


def test_set_replaces_a_scalar_in_place_keeping_quotes_elsewhere():
    text = "a: 'x'   # c\nb: 10255 # port\n"
    assert fix(text, Op(SET, ("b",), 0)) == "a: 'x'   # c\nb: 0 # port\n"


def test_set_a_string_that_yaml11_would_misread_is_quoted():
    assert fix("a: x\n", Op(SET, ("a",), "on")) == 'a: "on"\n'
    assert fix("a: {b: x}\n", Op(SET, ("a", "c"), "0755")) == 'a: {b: x, c: "0755"}\n'


def test_set_creates_missing_parents_at_the_siblings_indentation():
    text = "spec:\n    containers:\n      - name: a\n        image: b\n    # end\n"
    out = fix(text, Op(SET, ("spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"), False))
    assert out == ("spec:\n    containers:\n      - name: a\n        image: b\n"
                   "        securityContext:\n            allowPrivilegeEscalation: false\n    # end\n")


def test_set_into_flow_mappings():
    assert fix("sc: {}\n", Op(SET, ("sc", "x"), False)) == "sc: {x: false}\n"
    assert fix("sc: { a: 1 }\n", Op(SET, ("sc", "x"), 2)) == "sc: { a: 1, x: 2 }\n"
    assert fix("sc: { a: 1 }\n", Op(SET, ("sc", "x"), 2, "first")) == "sc: { x: 2, a: 1 }\n"


def test_set_first_goes_before_the_first_key():
    text = "spec:\n  template: {}\n"
    out = fix(text, Op(SET, ("spec", "selector"), {"matchLabels": {"app": "x"}}, "first"))
    assert out == "spec:\n  selector:\n    matchLabels:\n      app: x\n  template: {}\n"


@pytest.mark.parametrize("null", ["", " ~", " null", " null   # none"])
def test_set_below_a_null_value(null: str):
    text = f"c:\n  resources:{null}\n  image: x\n"
    out = fix(text, Op(SET, ("c", "resources", "requests", "cpu"), "100m"))
    head = "  resources:" + ("   # none" if "#" in null else "")
    assert out == f"c:\n{head}\n    requests:\n      cpu: 100m\n  image: x\n"


def test_set_after_an_empty_last_value_does_not_jump_past_comments():
    text = "a:\n  b: 1\n  c:\n# a comment for the next document part\nd: 2\n"
    assert fix(text, Op(SET, ("a", "e"), 3)) == \
        "a:\n  b: 1\n  c:\n  e: 3\n# a comment for the next document part\nd: 2\n"


def test_set_after_a_keep_chomped_block_scalar_keeps_its_blank_lines():
    text = "m:\n  s: |+\n    text\n\n\nz: 1\n"
    assert fix(text, Op(SET, ("m", "t"), 1)) == "m:\n  s: |+\n    text\n\n\n  t: 1\nz: 1\n"


def test_a_block_scalar_at_eof_without_newline_is_refused_not_damaged():
    text = "m:\n  s: |\n    text"
    with pytest.raises(CannotFix, match="intended data"):
        fix(text, Op(SET, ("m", "t"), 1))


def test_add_to_lists():
    tol = {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}
    assert fix("spec:\n  tolerations: []   # none\n", Op(ADD, ("spec", "tolerations"), [tol])) == \
        "spec:\n  tolerations:   # none\n  - key: gpu\n    operator: Exists\n    effect: NoSchedule\n"
    assert fix("t: [{key: a}]\n", Op(ADD, ("t",), [tol])) == \
        "t: [{key: a}, {key: gpu, operator: Exists, effect: NoSchedule}]\n"
    assert fix("spec:\n  t:\n    - key: a\n", Op(ADD, ("spec", "t"), [tol])) == \
        "spec:\n  t:\n    - key: a\n    - key: gpu\n      operator: Exists\n      effect: NoSchedule\n"
    assert fix("spec: {}\n", Op(ADD, ("spec", "t"), [{"key": "a"}])) == "spec: {t: [{key: a}]}\n"
    # an item that is there already is not added twice
    assert fix("t: [{key: a}]\n", Op(ADD, ("t",), [{"key": "a"}])) == "t: [{key: a}]\n"


def test_rename_keeps_value_comment_and_position():
    text = "a: 1\nstaticPodPaht: /x   # typo\nb: 2\n"
    assert fix(text, Op(RENAME, ("staticPodPaht",), "staticPodPath")) == \
        "a: 1\nstaticPodPath: /x   # typo\nb: 2\n"
    with pytest.raises(CannotFix, match="already"):
        fix("a: 1\nb: 2\n", Op(RENAME, ("a",), "b"))


def test_delete_removes_the_entry_lines_only():
    text = "spec:\n  a: 1\n  gen:   # old\n    x: [1,\n      2]\n  # keep me\n  b: 2\n"
    assert fix(text, Op(DELETE, ("spec", "gen"))) == "spec:\n  a: 1\n  # keep me\n  b: 2\n"
    with pytest.raises(CannotFix, match="only key"):
        fix("spec:\n  a: 1\n", Op(DELETE, ("spec", "a")))
    with pytest.raises(CannotFix, match="dash"):
        fix("l:\n- a: 1\n  b: 2\n", Op(DELETE, ("l", 0, "a")))


def test_delete_at_removes_one_of_two_equal_duplicates():
    text = "a: 1\nk: v\nb: 2\nk: v   # again\n"
    assert fix(text, Op(DELETE_AT, (), at=(4, 1))) == "a: 1\nk: v\nb: 2\n"


def test_anchors_aliases_and_merges_are_never_edited():
    with pytest.raises(CannotFix, match="anchor"):
        fix("base: &b {x: 1}\nuse: *b\n", Op(SET, ("use", "y"), 2))
    with pytest.raises(CannotFix, match="anchor"):
        fix("a: &v on\nb: *v\n", Op(QUOTE, ("b",), "on"))
    with pytest.raises(CannotFix, match="merge"):
        fix("base: &b {x: on}\nuse:\n  <<: *b\n  y: 1\n", Op(QUOTE, ("use", "x"), "on"))


def test_only_the_target_document_is_composed_and_changed():
    text = "# one\na: 1\n---\n# two\nb: on\n...\n---\nc: 1\nc: 1\n"
    assert document_span(text, 1)[:2] == (text.index("---"), text.index("---", text.index("---") + 1))
    out = fix(text, Op(QUOTE, ("b",), "on"), doc=1)
    assert out == text.replace("b: on", 'b: "on"')
    # DELETE_AT positions are lines of the file, not of the document's slice
    assert fix(text, Op(DELETE_AT, (), at=(9, 1)), doc=2) == text[:-len("c: 1\n")]


def test_layout_follows_the_document():
    from kubelint_nodes.fix.nodes import compose_all

    four = "spec:\n    containers:\n      - name: a\n    x:\n        y: 1\n"
    assert layout(compose_all(four)[0], four) == (4, 2)
    two = "spec:\n  containers:\n  - name: a\n"
    assert layout(compose_all(two)[0], two) == (2, 0)


def test_verification_rejects_an_edit_that_changes_other_data():
    old = parse_yaml("a: 1\n---\nb: 2\n")
    with pytest.raises(CannotFix, match="document 2"):
        check(old, parse_yaml("a: 1\n---\nb: 3\n"), 0, {"a": 1})
    with pytest.raises(CannotFix, match="structure"):
        check(old, parse_yaml("a: 1\n"), 0, {"a": 1})
    with pytest.raises(CannotFix, match="YAML problem"):
        check(parse_yaml("a: 1\n"), parse_yaml("a: 1\na: 1\n"), 0, {"a": 1})


def test_same_tells_booleans_from_numbers():
    assert not same(True, 1) and not same(1, 1.0) and same({"a": [1]}, {"a": [1]})


def test_source_keeps_crlf_bom_mixed_endings_and_missing_final_newline():
    src = Source.from_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    assert src.text == "a: 1\nb: 2\n"
    assert src.encode("a: 1\nx: 0\nb: 2\n") == b"\xef\xbb\xbfa: 1\r\nx: 0\r\nb: 2\r\n"
    mixed = Source.from_bytes(b"a: 1\r\nb: 2\nc: 3\n")
    assert mixed.encode("a: 1\nb: 2\nc: 4\n") == b"a: 1\r\nb: 2\nc: 4\n"
    last = Source.from_bytes(b"a: 1\nb: 2")
    assert last.encode("a: 1\nb: 2\nc: 3\n") == b"a: 1\nb: 2\nc: 3"
    utf16 = Source.from_bytes("a: 1\n".encode("utf-16"))
    assert utf16.encode("a: 2\n").decode("utf-16") == "a: 2\n"
    with pytest.raises(CannotFix):
        Source.from_bytes(b"a: 1\rb: 2\n")


def test_rendering_quotes_what_yaml11_would_misread():
    for s in ("on", "yes", "n", "0755", "1_000", "12", "1.5", "null", "", " x", "a: b", "#x", "true"):
        assert not plain_ok(s), s
        assert scalar(s).startswith('"'), s
    for s in ("Webhook", "apps/v1", "100m", "nvidia.com/gpu", "128Mi"):
        assert plain_ok(s) and scalar(s) == s
    assert scalar(False) == "false" and scalar(0) == "0"


def test_paths_resolve_keys_with_dots_and_missing_tails():
    data = {"spec": {"nodeSelector": {"nvidia.com/gpu.present": True, "nvidia.com": 1}}}
    assert resolve(data, "spec.nodeSelector.nvidia.com/gpu.present") == \
        ("spec", "nodeSelector", "nvidia.com/gpu.present")
    assert resolve({"c": [{"a": 1}]}, "c[0].securityContext.allowPrivilegeEscalation") == \
        ("c", 0, "securityContext", "allowPrivilegeEscalation")
    assert resolve({}, None) is None and resolve({}, "") == ()
    assert container_base(("spec", "template", "spec", "initContainers", 2, "resources")) == \
        ("spec", "template", "spec", "initContainers", 2)


def test_sarif_replacements_are_minimal_and_word_aligned():
    old = "a: 1\nstaticPodPaht: /x\nk: v\nk: v\n"
    assert replacements_for(old, old.replace("Paht", "Path")) == [{
        "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 14},
        "insertedContent": {"text": "staticPodPath"}}]
    assert replacements_for(old, "a: 1\nstaticPodPaht: /x\nk: v\n", "\r\n") == [{
        "deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 1},
        "insertedContent": {"text": ""}}]


def test_json_documents_stay_json():
    import json

    text = '{\n  "a": {"mode": "AlwaysAllow"},\n  "l": [\n    {"k": 1}\n  ]\n}\n'
    out = fix(text, Op(SET, ("a", "mode"), "Webhook"), Op(SET, ("a", "x"), "on"), Op(ADD, ("l",), [{"k": 2}]),
              Op(SET, ("b",), {"c": True}), Op(RENAME, ("a", "x"), "y"))
    assert out == '{\n  "a": {"mode": "Webhook", "y": "on"},\n  "l": [\n    {"k": 1},\n    {"k": 2}\n  ],\n' \
                  '  "b": {"c": true}\n}\n'
    assert json.loads(out)["l"] == [{"k": 1}, {"k": 2}]
