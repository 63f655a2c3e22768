"""The control-plane command-line reader: words, sh -c scripts, flag parsing, recognition, version data."""

from __future__ import annotations

import pytest
from conftest import findings, run_json

from kubelint_nodes.controlplane import tls
from kubelint_nodes.controlplane import versions as V
from kubelint_nodes.controlplane.flags import Flags, etcd_env_occurrences, parse_bool, parse_goflag, parse_pflag
from kubelint_nodes.controlplane.recognise import find, image_component
from kubelint_nodes.controlplane.words import Word, container_argv, expand_kubernetes, read_env, script_commands


def _words(*texts: str, key: str = "command") -> list[Word]:
    return [Word(t, key, i) for i, t in enumerate(texts)]


def _found(container: dict):
    env = read_env(container)
    return find(container_argv(container, env), env, container.get("image"),
                has_command=bool(container.get("command")))


# -- $(VAR) expansion (the kubelet's) ---------------------------------------------------
def test_kubernetes_expansion_follows_the_kubelet() -> None:
    env = read_env({"env": [{"name": "A", "value": "x"}, {"name": "B", "value": "$(A)-y"},
                            {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]})
    assert expand_kubernetes("--a=$(A)", env) == ("--a=x", False)
    assert expand_kubernetes("$(B)", env) == ("x-y", False)  # a later variable may use an earlier one
    assert expand_kubernetes("$$(A)", env) == ("$(A)", False)  # $$ escapes
    assert expand_kubernetes("$(NOPE)", env) == ("$(NOPE)", False)  # undefined: kept verbatim
    assert expand_kubernetes("--ip=$(C)", env) == ("--ip=$(C)", True)  # known only at run time
    assert expand_kubernetes("$(A", env) == ("$(A", False)


def test_env_from_makes_unknown_references_run_time() -> None:
    env = read_env({"envFrom": [{"configMapRef": {"name": "x"}}]})
    assert expand_kubernetes("$(ANY)", env) == ("$(ANY)", True)


# -- sh -c scripts ------------------------------------------------------------------------
def test_script_is_split_into_simple_commands_without_redirections() -> None:
    script = ("/usr/local/bin/kube-apiserver --a=1 --b 'two words' 1>>/var/log/x.log 2>&1; "
              "echo done && exec foo\nbar --x")
    assert script_commands(script) == [
        ["/usr/local/bin/kube-apiserver", "--a=1", "--b", "two words"], ["echo", "done"], ["exec", "foo"],
        ["bar", "--x"]]


def test_script_fd_number_is_dropped_only_when_glued_to_the_redirection() -> None:
    assert script_commands("kube-scheduler --v 2 >/dev/null") == [["kube-scheduler", "--v", "2"]]
    assert script_commands("kube-scheduler --v=2 2>/dev/null") == [["kube-scheduler", "--v=2"]]


def test_backslash_newline_continues_and_unbalanced_quotes_run_nothing() -> None:
    assert script_commands("exec etcd \\\n  --name a") == [["exec", "etcd", "--name", "a"]]
    assert script_commands("etcd --name 'a") == []  # sh refuses the whole script


# -- pflag (kube-apiserver, kube-controller-manager, kube-scheduler) -----------------------
def test_pflag_forms() -> None:
    parsed = parse_pflag(V.APISERVER, _words(
        "--authorization-mode=Node,RBAC", "--etcd-servers", "https://e:2379", "--anonymous-auth", "false",
        "--profiling=false", "--audit_log_path=/a.log", "-v=2", "--", "--anonymous-auth=true"))
    got = [(o.name, o.value, o.bare) for o in parsed.occurrences]
    assert got == [("authorization-mode", "Node,RBAC", False), ("etcd-servers", "https://e:2379", False),
                   ("anonymous-auth", "true", True), ("profiling", "false", False),
                   ("audit-log-path", "/a.log", False), ("v", "2", False)]
    assert [w.text for w in parsed.positional] == ["false", "--anonymous-auth=true"]


def test_pflag_slices_append_and_scalars_take_the_last() -> None:
    flags = Flags(V.APISERVER, parse_pflag(V.APISERVER, _words(
        "--authorization-mode=Node", "--authorization-mode", "RBAC,Webhook", "--profiling=true",
        "--profiling=false")))
    assert [m for m, _ in flags.items("authorization-mode")] == ["Node", "RBAC", "Webhook"]
    assert flags.value("profiling") == "false"


def test_pflag_unknown_single_dash_words_are_refused() -> None:
    parsed = parse_pflag(V.APISERVER, _words("-anonymous-auth=false", "-v", "4"))
    assert [w.text for w in parsed.bad] == ["-anonymous-auth=false"]
    assert [(o.name, o.value) for o in parsed.occurrences] == [("v", "4")]


# -- Go flag (etcd) -------------------------------------------------------------------------
def test_goflag_stops_at_the_first_positional_word() -> None:
    parsed = parse_goflag(V.ETCD, _words("-name", "a", "--client-cert-auth", "false", "--auto-tls"))
    assert [(o.name, o.value) for o in parsed.occurrences] == [("name", "a"), ("client-cert-auth", "true")]
    assert [w.text for w in parsed.positional] == ["false", "--auto-tls"]


def test_etcd_environment_fills_unset_flags_only() -> None:
    env = read_env({"env": [{"name": "ETCD_AUTO_TLS", "value": "true"}, {"name": "ETCD_NAME", "value": "x"}]})
    flags = Flags(V.ETCD, parse_goflag(V.ETCD, _words("--name=y")), etcd_env_occurrences(env))
    assert flags.value("name") == "y"
    assert flags.value("auto-tls") == "true"
    assert flags.last("auto-tls").env_name == "ETCD_AUTO_TLS"


def test_parse_bool_is_strconv() -> None:
    assert [parse_bool(t) for t in ("1", "t", "TRUE", "True", "0", "F", "false", "yes", "")] == [
        True, True, True, True, False, False, False, None, None]


# -- recognition ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("container", "component", "how"), [
    ({"command": ["/usr/local/bin/kube-apiserver", "--v=2"]}, "kube-apiserver", "command"),
    ({"args": ["kube-scheduler", "--v=2"]}, "kube-scheduler", "args"),
    ({"command": ["/go-runner", "--log-file=/x.log", "--", "/usr/local/bin/kube-controller-manager"]},
     "kube-controller-manager", "command"),
    ({"command": ["/hyperkube", "apiserver", "--v=2"]}, "kube-apiserver", "command"),
    ({"command": ["/bin/sh", "-c"], "args": ["X=1 exec etcd --name a"]}, "etcd", "script"),
    ({"command": ["bash", "-ec", "set -x; /usr/local/bin/kube-scheduler --v=2 2>&1 | tee /x"]},
     "kube-scheduler", "script"),
    ({"image": "gcr.io/google_containers/etcd-amd64:3.1.11", "args": ["--name=a"]}, "etcd", "image"),
])
def test_component_is_found(container: dict, component: str, how: str) -> None:
    found = _found(container)
    assert found is not None and (found.component, found.how) == (component, how)


@pytest.mark.parametrize("container", [
    {"name": "kube-apiserver", "command": ["nginx"]},  # the name says nothing
    {"command": ["etcdctl", "get", "etcd"]},
    {"command": ["/etcd-version-monitor"]},
    {"image": "registry.k8s.io/etcd:3.6.5-0"},  # no command, no args: the entrypoint is unknown
    {"image": "registry.k8s.io/etcd:3.6.5-0", "command": ["/bin/sh"], "args": ["--name=a"]},
    {"command": ["sh", "/start.sh", "kube-apiserver"]},  # a script file, not -c
])
def test_component_is_not_guessed(container: dict) -> None:
    assert _found(container) is None


def test_image_component_strips_registry_tag_digest_and_arch() -> None:
    assert image_component("registry.k8s.io/kube-apiserver:v1.35.0@sha256:ab") == "kube-apiserver"
    assert image_component("gcr.io/google_containers/kube-scheduler-arm64:v1.6.0") == "kube-scheduler"
    assert image_component("registry.k8s.io/etcd-version-monitor:0.1.3") is None


# -- version data ---------------------------------------------------------------------------------
def test_supported_versions_cover_the_schema_releases() -> None:
    from kubelint_nodes.schema import DEFAULT_VERSION, SUPPORTED_VERSIONS

    assert set(SUPPORTED_VERSIONS) <= set(V.SUPPORTED)
    assert V.default_kubernetes_version() == DEFAULT_VERSION


def test_removals_apply_from_their_release_on() -> None:
    assert V.removed_flag(V.APISERVER, "insecure-port", (1, 23)) is None
    assert V.removed_flag(V.APISERVER, "insecure-port", (1, 24)).source == "kubernetes/kubernetes#95856"
    assert V.removed_flag(V.SCHEDULER, "policy-config-file", (1, 22)) is None
    assert V.removed_flag(V.SCHEDULER, "policy-config-file", (1, 23)) is not None
    assert V.removed_flag(V.CONTROLLER_MANAGER, "pod-eviction-timeout", (1, 26)) is None
    assert V.removed_flag(V.ETCD, "enable-v2", (3, 5)) is None and V.removed_flag(V.ETCD, "enable-v2", (3, 6))
    assert V.removed_plugin("SecurityContextDeny", (1, 29)) is None
    assert V.removed_plugin("SecurityContextDeny", (1, 30)) is not None
    for minor in V.SUPPORTED:
        version = V.parse_minor(minor)
        assert V.removed_flag(V.APISERVER, "logtostderr", version) is not None
        assert V.default(V.APISERVER, "anonymous-auth", version) == "true"
        assert V.default(V.CONTROLLER_MANAGER, "use-service-account-credentials", version) == "false"
        assert V.etcd_for(version) == (3, 6)


def test_parse_minor() -> None:
    assert V.parse_minor("v1.24.1") == (1, 24)
    assert V.parse_minor("3.5.1-0") == (3, 5)
    assert V.parse_minor("1.37") == (1, 37)
    assert V.parse_minor("9680e782e08a1a1c94c656190011bd02") is None
    assert V.parse_minor("latest") is None


def test_cipher_classes() -> None:
    assert tls.classify("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") == "ok"
    assert tls.classify("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305") == "ok"  # legacy spelling, still accepted
    assert tls.classify("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA") == "weak"
    assert tls.classify("TLS_RSA_WITH_RC4_128_SHA") == "weak"
    assert tls.classify("TLS_ECDHE_ECDSA_WITH_AES_64_GCM_SHA256") == "unknown"


# -- end to end: messages and the version in force ------------------------------------------------
POD = """apiVersion: v1
kind: Pod
metadata: {name: api, namespace: kube-system}
spec:
  containers:
  - name: api
    image: registry.k8s.io/kube-apiserver:v1.33.2
    command:
    - kube-apiserver
    - --profiling
    - --insecure-port=0
"""


def test_messages_name_flag_value_place_and_versions() -> None:
    report = run_json("--kubernetes-version", "1.35", "--stdin-filename", "api.yaml", "-", stdin=POD)
    (prof,) = findings(report, "apiserver-profiling-enabled")
    assert (prof["line"], prof["column"], prof["path"]) == (10, 7, "spec.containers[0].command[1]")
    assert "--profiling (command[1], line 10)" in prof["message"]
    assert "the image tag 'v1.33.2' is Kubernetes 1.33; checked as 1.35" in prof["message"]
    (anon,) = findings(report, "apiserver-anonymous-auth")
    assert (anon["line"], anon["column"], anon["path"]) == (8, 5, "spec.containers[0].command")
    assert "the default in Kubernetes 1.35" in anon["message"]
    (removed,) = findings(report, "control-plane-removed-flag")
    assert "kube-apiserver 1.35 exits" in removed["message"] and removed["line"] == 11


def test_default_version_is_the_newest_supported() -> None:
    report = run_json("--stdin-filename", "api.yaml", "-", stdin=POD.replace("v1.33.2", "v1.37.0"))
    (anon,) = findings(report, "apiserver-anonymous-auth")
    assert "the default in Kubernetes 1.37" in anon["message"]
    assert "image tag" not in anon["message"]


def test_workloads_are_not_judged() -> None:
    deployment = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
      - name: api
        image: registry.k8s.io/kube-apiserver:v1.37.0
        command: [kube-apiserver, --insecure-port=0]
"""
    report = run_json("--stdin-filename", "d.yaml", "-", stdin=deployment)
    assert not [f for f in report["findings"] if f["rule"].startswith(("apiserver-", "control-plane-"))]


# -- robustness -------------------------------------------------------------------------------------
def test_hostile_containers_never_break_a_rule() -> None:
    """Wrong types and odd scripts become 'not recognised' or 'not judged', never an internal error."""
    pod = """apiVersion: v1
kind: Pod
metadata: {name: odd}
spec:
  containers:
  - name: a
    command: kube-apiserver
  - name: b
    command: [kube-apiserver, 7, null, {x: 1}, "--profiling=$(", "--anonymous-auth=maybe", --authorization-mode]
    env: [7, {name: 8}, {name: X, value: 9}, {name: Y}]
  - name: c
    command: [sh, -c, "kube-scheduler --bind-address 'unterminated"]
  - name: d
    command: [sh, -c, ";;&&|| > < ( ) \\n"]
  - name: e
    command: [etcd, --, --auto-tls, -, ---x]
    env: {not: a-list}
  - name: f
    args: [--listen-client-urls]
    image: [not, a, string]
  - name: g
    command: [/bin/sh, -c]
    args: [exec etcd --config-file=/etc/etcd.yml --auto-tls]
"""
    report = run_json("--stdin-filename", "odd.yaml", "-", stdin=pod)
    assert not findings(report, "internal-error")
    assert not findings(report, "etcd-auto-tls")  # container g: --config-file makes etcd ignore the rest


def test_random_words_parse_without_error() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kubelint_nodes.controlplane.words import Environment

    text = st.text(alphabet=st.sampled_from(list("-=ab $()'\"\\;&|<>\n0")), max_size=30)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(text, max_size=8), st.sampled_from(V.COMPONENTS))
    def check(items: list[str], component: str) -> None:
        words = _words(*items)
        parse_pflag(component, words)
        parse_goflag(component, words)
        for item in items:
            script_commands(item)
        env = Environment({}, set(), False, [])
        find(words, env, "registry.k8s.io/etcd:3.6.5-0", has_command=False)
        find(_words("sh", "-c", *items), env, None, has_command=True)

    check()
