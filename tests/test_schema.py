"""The schema API (kubelint_nodes.schema): what is valid, what is not, and what each problem says."""

from __future__ import annotations

import copy

import pytest

from kubelint_nodes import schema
from kubelint_nodes.loader.yamlparse import parse_yaml
from kubelint_nodes.schema import SchemaProblem, deprecated_replacement, validate

V = schema.DEFAULT_VERSION


def load(text: str) -> dict:
    docs = parse_yaml(text).documents
    assert len(docs) == 1
    return docs[0].data


def pod(**spec) -> dict:
    base = {"containers": [{"name": "app", "image": "registry.example.com/app:1.0.0"}]}
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": base}


def daemonset(pod_spec: dict) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds"},
        "spec": {"selector": {"matchLabels": {"app": "a"}},
                 "template": {"metadata": {"labels": {"app": "a"}}, "spec": pod_spec}},
    }


def run(obj: dict, version: str = V) -> list[SchemaProblem]:
    out = validate(obj, obj["apiVersion"], obj["kind"], version)
    assert out is not None
    return out


def paths(problems: list[SchemaProblem]) -> list[tuple]:
    return [p.path for p in problems]


def test_versions() -> None:
    assert schema.SUPPORTED_VERSIONS == ("1.35", "1.36", "1.37")
    assert schema.DEFAULT_VERSION == "1.37"


def test_valid_pod_has_no_problem() -> None:
    assert run(pod()) == []


@pytest.mark.parametrize("api_version,kind", [
    ("v1", "ConfigMap"),
    ("extensions/v1beta1", "DaemonSet"),
    ("apps/v1beta2", "Deployment"),
    ("kubelet.config.k8s.io/v1beta1", "KubeletConfiguration"),
    ("example.com/v1", "Pod"),
])
def test_kinds_without_schema_return_none(api_version: str, kind: str) -> None:
    assert validate({"apiVersion": api_version, "kind": kind}, api_version, kind, V) is None


def test_shipped_kind_under_a_builtin_group_it_is_not_served_in() -> None:
    problems = validate({"apiVersion": "v1", "kind": "DaemonSet"}, "v1", "DaemonSet", V)
    assert problems == [SchemaProblem(("apiVersion",),
                                      "apiVersion: Kubernetes 1.37 serves DaemonSet as apps/v1, not v1")]


def test_wrong_type() -> None:
    obj = pod(hostNetwork="true")
    obj["spec"]["containers"][0]["ports"] = [{"containerPort": "8080"}]
    problems = run(obj)
    assert problems == [
        SchemaProblem(("spec", "containers", 0, "ports", 0, "containerPort"),
                      "spec.containers[0].ports[0].containerPort: expected integer, got string "
                      "(remove the quotes to make it a number)"),
        SchemaProblem(("spec", "hostNetwork"),
                      "spec.hostNetwork: expected boolean, got string (remove the quotes to make it a boolean)"),
    ]


def test_unknown_field_did_you_mean() -> None:
    problems = run(daemonset({"toleration": [], "containers": [{"name": "a"}]}))
    assert paths(problems) == [("spec", "template", "spec", "toleration")]
    assert problems[0].message == ("spec.template.spec.toleration: unknown field `toleration`; "
                                   "did you mean `tolerations`?")


def test_unknown_field_far_from_any_name_has_no_guess() -> None:
    problems = run(pod(zzz=1))
    assert problems == [SchemaProblem(("spec", "zzz"), "spec.zzz: unknown field `zzz`")]


def test_unknown_field_misplaced_one_level_off() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["runAsUser"] = 1000
    obj["spec"]["securityContext"] = {"privileged": True}
    msgs = {p.path: p.message for p in run(obj)}
    assert msgs[("spec", "containers", 0, "runAsUser")].endswith("did you mean `securityContext.runAsUser`?")
    assert msgs[("spec", "securityContext", "privileged")].endswith(
        "`privileged` is a container field: set it in each container's `securityContext`")


def test_missing_required_points_at_parent() -> None:
    obj = daemonset({"containers": [{"image": "x"}]})
    del obj["spec"]["selector"]
    assert run(obj) == [
        SchemaProblem(("spec",), "spec: missing required field `selector`"),
        SchemaProblem(("spec", "template", "spec", "containers", 0),
                      "spec.template.spec.containers[0]: missing required field `name`"),
    ]


def test_missing_spec_of_a_pod_and_root_message() -> None:
    assert run({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}) == [
        SchemaProblem((), "missing required field `spec`")]


def test_unquoted_on_and_yes_are_booleans() -> None:
    obj = load("""
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds, labels: {monitored: yes}}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      nodeSelector: {gpu: on}
      containers: [{name: a, image: x}]
""")
    problems = run(obj)
    assert paths(problems) == [("metadata", "labels", "monitored"), ("spec", "template", "spec", "nodeSelector", "gpu")]
    assert problems[1].message.startswith("spec.template.spec.nodeSelector.gpu: expected string, got boolean (")
    assert "YAML 1.1; quote it" in problems[1].message


def test_token_lookup_names_the_word_written() -> None:
    obj = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {gpu: on}}\nspec: {containers: [{name: a}]}\n")
    tokens = {("metadata", "labels", "gpu"): "on"}
    problems = schema.check(obj, "v1", "Pod", V, tokens.get)
    assert problems == [SchemaProblem(("metadata", "labels", "gpu"), "metadata.labels.gpu: expected string, got "
                                      "boolean (unquoted `on` is a boolean in YAML 1.1; quote it)")]


def test_octal_looking_value() -> None:
    obj = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {mode: 0777}}\n"
               "spec: {containers: [{name: a}]}\n")
    assert obj["metadata"]["annotations"]["mode"] == 511
    tokens = {("metadata", "annotations", "mode"): "0777"}
    problems = schema.check(obj, "v1", "Pod", V, tokens.get)
    assert problems == [SchemaProblem(("metadata", "annotations", "mode"),
                                      "metadata.annotations.mode: expected string, got integer "
                                      "(`0777` is read as the octal number 511 in YAML 1.1; quote it)")]


def test_octal_into_an_integer_field_is_fine() -> None:
    obj = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]\n"
               "  volumes: [{name: v, configMap: {name: c, defaultMode: 0644}}]\n")
    assert run(obj) == []


def test_null_accepted_where_optional() -> None:
    obj = pod(nodeSelector=None, tolerations=None)
    obj["metadata"] = {"name": "p", "creationTimestamp": None, "labels": {"a": None}, "annotations": None}
    obj["status"] = {}
    assert run(obj) == []
    assert run({**obj, "metadata": None}) == []


def test_null_refused_where_required() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["name"] = None
    assert run(obj) == [SchemaProblem(("spec", "containers", 0, "name"),
                                      "spec.containers[0].name: expected string, got null "
                                      "(an empty value is null in YAML; write \"\" for an empty string)")]


@pytest.mark.parametrize("port,ok", [
    (8080, True), ("http", True), ("8080", True), (8080.0, True),
    (80.5, False), (True, False), ([80], False),
])
def test_int_or_string(port: object, ok: bool) -> None:
    obj = pod()
    obj["spec"]["containers"][0]["livenessProbe"] = {"tcpSocket": {"port": port}}
    problems = run(obj)
    assert (problems == []) is ok
    if not ok:
        assert problems[0].path == ("spec", "containers", 0, "livenessProbe", "tcpSocket", "port")
        assert "expected integer or string" in problems[0].message


@pytest.mark.parametrize("value", ["100m", "0.5", "1", 1, 0.25, "128Mi", "2Gi", "1e3", "1E-2", "+1k", ".5", "5.",
                                   " 1Gi ", "1E", "12n", "3u"])
def test_valid_quantities(value: object) -> None:
    obj = pod()
    obj["spec"]["containers"][0]["resources"] = {"limits": {"memory": value}}
    assert run(obj) == []


@pytest.mark.parametrize("value", ["lots", "", "1GB", "1gi", "1Ki5", "${MEM}", "1.2.3", "-", "1 Gi", True,
                                   float("inf"), float("nan")])
def test_invalid_quantities(value: object) -> None:
    obj = pod()
    obj["spec"]["containers"][0]["resources"] = {"requests": {"cpu": value}}
    problems = run(obj)
    assert paths(problems) == [("spec", "containers", 0, "resources", "requests", "cpu")]


def test_integer_width_and_bool_is_not_an_integer() -> None:
    obj = pod()
    obj["spec"]["containers"][0]["ports"] = [{"containerPort": 2**31}, {"containerPort": True},
                                             {"containerPort": 80.0}]
    problems = run(obj)
    assert problems == [
        SchemaProblem(("spec", "containers", 0, "ports", 0, "containerPort"),
                      "spec.containers[0].ports[0].containerPort: 2147483648 does not fit a 32-bit integer "
                      "(-2147483648 to 2147483647)"),
        SchemaProblem(("spec", "containers", 0, "ports", 1, "containerPort"),
                      "spec.containers[0].ports[1].containerPort: expected integer, got boolean"),
    ]


def test_list_expected_got_mapping() -> None:
    problems = run(pod(containers={"name": "a"}))
    assert problems == [SchemaProblem(("spec", "containers"), "spec.containers: expected array (a list), got "
                                                              "object (list items start with `- `)")]


def test_every_problem_is_collected() -> None:
    obj = pod(hostPID="yes", toleration=[], nodeSelector={"a": 1})
    obj["spec"]["containers"].append({"image": "x", "tty": "no"})
    assert len(run(obj)) == 5


def test_release_selects_the_schema() -> None:
    obj = pod(schedulingGroup={"podGroupName": "training"})
    assert run(obj, "1.37") == []
    assert run(obj, "1.36") == []
    assert paths(run(obj, "1.35")) == [("spec", "schedulingGroup")]


def test_list_envelope() -> None:
    lst = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
           "items": [pod(), {"anything": 1}]}
    assert run(lst) == []
    assert paths(run({**lst, "extra": 1})) == [("extra",)]
    assert paths(run({**lst, "items": [1]})) == [("items", 0)]


def test_node_and_priority_class() -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"gpu": "true"}},
            "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}], "unschedulable": False},
            "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}}
    assert run(node) == []
    node["spec"]["taints"].append({"key": "k2"})
    assert run(node) == [SchemaProblem(("spec", "taints", 1), "spec.taints[1]: missing required field `effect`")]
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}}
    assert run({**pc, "value": 1000, "globalDefault": False}) == []
    assert paths(run({**pc, "value": "high"})) == [("value",)]


@pytest.mark.parametrize("given,expected", [(None, "1.37"), ("1.36", "1.36"), ("v1.35", "1.35"),
                                            ("1.37.4", "1.37")])
def test_resolve_version(given: str | None, expected: str) -> None:
    assert schema.resolve_version(given) == expected


@pytest.mark.parametrize("given", ["1.20", "banana", "2.0"])
def test_resolve_version_refuses(given: str) -> None:
    with pytest.raises(ValueError):
        schema.resolve_version(given)


@pytest.mark.parametrize("api_version,kind,expected", [
    ("extensions/v1beta1", "DaemonSet", "apps/v1"),
    ("extensions/v1beta1", "Deployment", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "apps/v1"),
    ("apps/v1beta1", "Deployment", "apps/v1"),
    ("apps/v1beta1", "StatefulSet", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "apps/v1"),
    ("batch/v1beta1", "CronJob", "batch/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1"),
    ("kubelet.config.k8s.io/v1alpha1", "KubeletConfiguration", "kubelet.config.k8s.io/v1beta1"),
    ("policy/v1beta1", "PodDisruptionBudget", "policy/v1"),
    # still served: same group/version, other kind; or the current version
    ("kubelet.config.k8s.io/v1alpha1", "CredentialProviderConfig", None),
    ("extensions/v1beta1", "Pod", None),
    ("apps/v1", "DaemonSet", None),
    ("kubelet.config.k8s.io/v1beta1", "KubeletConfiguration", None),
    ("v1", "Pod", None),
])
def test_deprecated_replacement(api_version: str, kind: str, expected: str | None) -> None:
    assert deprecated_replacement(api_version, kind, V) == expected


def test_deprecated_replacement_depends_on_release() -> None:
    # networking.k8s.io/v1beta1 IPAddress is in the 1.36 OpenAPI and gone from 1.37's
    assert deprecated_replacement("networking.k8s.io/v1beta1", "IPAddress", "1.36") is None
    assert deprecated_replacement("networking.k8s.io/v1beta1", "IPAddress", "1.37") == "networking.k8s.io/v1"


def test_removed_without_replacement() -> None:
    row = schema.removed_api("policy/v1beta1", "PodSecurityPolicy", V)
    assert row is not None and row.replacement is None and row.removed_in == "1.25"
    assert deprecated_replacement("policy/v1beta1", "PodSecurityPolicy", V) is None


def test_validate_does_not_mutate_input() -> None:
    obj = pod(toleration=[], hostPID="x")
    before = copy.deepcopy(obj)
    run(obj)
    assert obj == before


def test_non_string_keys_are_unknown_fields() -> None:
    obj = pod()
    obj["spec"][True] = 1
    assert run(obj) == [SchemaProblem(("spec", True), "spec.true: unknown field `true`")]
