"""The declarative check vocabulary: operators, targets, and user rule directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubelint_nodes.engine.declarative import Scope, evaluate, image_tag, normalize_path, path_under
from kubelint_nodes.engine.registry import RuleFileError, load_catalogue
from kubelint_nodes.lint import run_lint
from kubelint_nodes.settings import Settings


@pytest.mark.parametrize(("image", "tag", "pinned"), [
    ("nginx", None, False),
    ("nginx:1.27", "1.27", False),
    ("registry.example.com:5000/team/app", None, False),  # a registry port is not a tag
    ("registry.example.com:5000/team/app:2.1", "2.1", False),
    ("app@sha256:abc", None, True),
    ("app:latest@sha256:abc", "latest", True),
    ("localhost:5000/app:latest", "latest", False),
])
def test_image_tag(image: str, tag: str | None, pinned: bool) -> None:
    assert image_tag(image) == (tag, pinned)


def _eval(cond: dict, node: object, params: dict | None = None) -> bool:
    return evaluate(cond, Scope(node, {}), params or {})


def test_equality_is_typed() -> None:
    assert _eval({"field": "a", "equals": True}, {"a": True})
    assert not _eval({"field": "a", "equals": True}, {"a": 1})  # YAML's true is not 1
    assert not _eval({"field": "a", "equals": 1}, {"a": True})
    assert _eval({"field": "a", "not_equals": True}, {"a": "true"})
    assert _eval({"field": "a", "in": {"param": "p"}}, {"a": "x"}, {"p": ["x", "y"]})
    assert _eval({"field": "a", "missing": True}, {"a": None})


def test_paths() -> None:
    assert normalize_path("/etc/") == "/etc" and normalize_path("//var//run/") == "/var/run"
    assert normalize_path("/") == "/"
    assert _eval({"field": "p", "path_in": ["/etc"]}, {"p": "/etc///"})
    assert not _eval({"field": "p", "path_in": ["/etc"]}, {"p": "/etc/ssl"})
    assert path_under("/proc/1/root", ["/proc/"]) == "/proc/"
    assert path_under("/proc", ["/proc/"]) is None  # a prefix ending in / matches only below it
    assert path_under("/var/lib/kubelet", ["/var/lib/kubelet"]) == "/var/lib/kubelet"
    assert path_under("/var/lib/kubelet/pods", ["/var/lib/kubelet"]) == "/var/lib/kubelet"
    assert path_under("/var/lib/kubelet-plugins", ["/var/lib/kubelet"]) is None


def test_image_tag_operator() -> None:
    cond = {"field": "image", "image_tag_in": ["", "latest"]}
    assert _eval(cond, {"image": "host:5000/app"})
    assert _eval(cond, {"image": "app:latest"})
    assert not _eval(cond, {"image": "app:latest@sha256:abc"})
    assert not _eval(cond, {"image": "app:1.0"})


USER_RULE = """\
id: no-tmp-hostpath
severity: warning
roles: [pod, daemonset, workload]
summary: A hostPath below /tmp.
rationale: Anything can write there.
fix: Use an emptyDir.
parameters:
  prefixes: {type: list, default: [/tmp], description: prefixes}
check:
- target: volume
  fail_when: {field: hostPath.path, path_under: {param: prefixes}}
  at: hostPath.path
  message: "{object}: volume '{item}' uses '{value}'"
- target: volumeMount
  fail_when:
    all:
    - {volume_field: hostPath.path, path_under: {param: prefixes}}
    - not: {field: readOnly, equals: true}
  at: ""
  message: "{object}: container '{container}' writes to {node[mountPath]}"
- target: container
  each: ports
  fail_when: {field: hostPort, equals: 22}
  at: hostPort
  message: "{object}: container '{container}' port {item} exposes ssh"
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: registry.example.com/c:1.0.0
    ports:
    - name: ssh
      containerPort: 22
      hostPort: 22
    volumeMounts:
    - name: scratch
      mountPath: /scratch
  volumes:
  - name: scratch
    hostPath:
      path: /tmp/scratch
"""


def test_user_rule_directory_uses_the_vocabulary(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "no-tmp-hostpath.yaml").write_text(USER_RULE, encoding="utf-8")
    (tmp_path / "pod.yaml").write_text(POD, encoding="utf-8")
    settings = Settings(paths=["pod.yaml"], cwd=str(tmp_path), rules_dirs=[str(rules)])
    result = run_lint(settings, load_catalogue([str(rules)]))
    got = [(f.line, f.column, f.path, f.message) for f in result.findings if f.rule == "no-tmp-hostpath"]
    assert got == [
        (12, 7, "spec.containers[0].ports[0].hostPort", "Pod 'p': container 'c' port ssh exposes ssh"),
        (14, 7, "spec.containers[0].volumeMounts[0]", "Pod 'p': container 'c' writes to /scratch"),
        (19, 7, "spec.volumes[0].hostPath.path", "Pod 'p': volume 'scratch' uses '/tmp/scratch'"),
    ]


def test_invalid_user_rule_names_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    bad = USER_RULE.replace("path_under: {param: prefixes}}\n  at: hostPath.path", "starts_with: /tmp}\n  at: x", 1)
    (rules / "no-tmp-hostpath.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"no-tmp-hostpath\.yaml:\d+:\d+: "):
        load_catalogue([str(rules)])


# -- the compiled closures agree with the interpreter ---------------------------------------------------
_VALUES = ["/var/run/docker.sock", "/var/run/docker.sock/", "/etc", "/etc/kubernetes/admin.conf", "/etc//",
           "relative/", "nginx", "nginx:latest", "host:5000/app", "app:latest@sha256:ab", "", "latest", True, 1,
           None, 0, ["NET_ADMIN", "sys_admin"], {"k": "v"}]
_OPERANDS = [["/etc", "/var/run/docker.sock"], ["/var/lib/kubelet/", "/etc"], ["", "latest"], ["latest"],
             ["NET_ADMIN"], [True, 1], r"\.sock/*$", "^nginx", True, 1, "latest", None]
_OPERATORS = ["equals", "not_equals", "in", "not_in", "missing", "present", "matches", "contains_any",
              "path_in", "path_under", "image_tag_in"]


def _fits(op: str, operand: object) -> bool:
    if op in ("missing", "present"):
        return isinstance(operand, bool)
    if op == "matches":
        return isinstance(operand, str)
    if op in ("in", "not_in", "contains_any", "path_in", "path_under", "image_tag_in"):
        return isinstance(operand, list)
    return True


@pytest.mark.parametrize("op", _OPERATORS)
@pytest.mark.parametrize("as_param", [False, True])
def test_compiled_conditions_agree_with_the_interpreter(op: str, as_param: bool) -> None:
    from kubelint_nodes.engine.declarative import compiled

    checked = 0
    for operand in _OPERANDS:
        if not _fits(op, operand):
            continue
        ref = {"param": "p"} if as_param and op not in ("missing", "present") else operand
        leaf, top = {"field": "a.b", op: ref}, {"field": "b", op: ref}
        params = {"p": operand}
        absent, present = {"field": "a.c", "missing": True}, {"field": "a.c", "present": True}
        for cond in (leaf, top, {"not": leaf}, {"all": [leaf, absent]}, {"any": [present, leaf]},
                     {"all": [top, absent, leaf]}, {"any": [present, top, leaf]},
                     {"all": [absent, top, leaf, {"not": present}]}, {"any": [present, top, leaf, absent]},
                     {"all": [top]}, {"any": [leaf]}):
            fn = compiled(cond)
            for value in _VALUES:
                for node in ({"a": {"b": value}}, {"a": {"b": value, "c": 1}}, {"a": {}}, {}, {"b": value},
                             {"b": value, "a": {"c": None}}, {"a": "text"}, {"a": [value]}):
                    scope = Scope(node, {})
                    assert fn(scope, params) == evaluate(cond, scope, params), (cond, node)
                    checked += 1
    assert checked > 0
