"""The kubelet library on its own: types, defaults, merge with provenance, validation, feature gates."""

from __future__ import annotations

import json
import os

import pytest
from conftest import FIXTURES, ROOT

from kubelint_nodes.kubelet import Layer, build, effective_config, node_settings
from kubelint_nodes.kubelet.effective import DEFAULT_EVICTION_HARD
from kubelint_nodes.kubelet.evaluate import effective_findings, explicit_findings
from kubelint_nodes.kubelet.featuregates import gates, is_known
from kubelint_nodes.kubelet.sources import dropin_files, read_layer
from kubelint_nodes.kubelet.typecheck import check_document
from kubelint_nodes.kubelet.validation import validate
from kubelint_nodes.kubelet.values import DurationError, format_duration, parse_duration

HEAD = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration"}


def layer(data: dict, name: str = "main.yaml", dropin: bool = False) -> Layer:
    """A layer whose positions are fake but distinct: line = depth of the path, column 1."""
    return Layer(name, {**HEAD, **data}, lambda p: (len(p) + 1, 1), dropin=dropin)


def eff_of(data: dict, *dropins: dict, version: tuple[int, int] = (1, 37)):
    layers = [layer(data)] + [layer(d, f"{i}.conf", True) for i, d in enumerate(dropins)]
    return build(layers, version)


def messages(eff) -> dict[tuple, str]:
    return {i.path: i.message for i in validate(eff)}


# -- values ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, ns", [("0", 0), ("0s", 0), ("20s", 20 * 10**9), ("2m0s", 120 * 10**9),
                                      ("1.5h", 5400 * 10**9), ("100ms", 10**8), ("-1s", -(10**9)),
                                      ("4h0m0s", 4 * 3600 * 10**9), ("1µs", 1000), (".5s", 5 * 10**8)])
def test_go_durations(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["", "20", "s", "1x", "1.s2", 20, None, "1h 2m"])
def test_not_go_durations(text):
    with pytest.raises(DurationError):
        parse_duration(text)


def test_format_duration_like_go():
    assert [format_duration(parse_duration(t)) for t in ("4h", "90s", "0s", "100ms", "2m")] == \
        ["4h0m0s", "1m30s", "0s", "100ms", "2m0s"]


# -- typing and unknown fields --------------------------------------------------------------------------
def test_type_errors_follow_the_go_decoder():
    data = {**HEAD, "port": "10250", "maxPods": 1.5, "podPidsLimit": 4096, "kubeReserved": {"cpu": 1},
            "featureGates": {"A": "true"}, "clusterDNS": "10.0.0.10", "logging": {"flushFrequency": 5000000000},
            "reservedMemory": [{"numaNode": 0, "limits": {"memory": 1073741824}}], "enableServer": None,
            "memoryThrottlingFactor": 1, "staticPodPath": True}
    got = {p.path for p in check_document(data) if p.kind == "type"}
    assert got == {("port",), ("maxPods",), ("kubeReserved", "cpu"), ("featureGates", "A"), ("clusterDNS",),
                   ("staticPodPath",)}


def test_unknown_fields_are_found_in_nested_objects_and_list_items_not_in_maps():
    data = {**HEAD, "logging": {"verbosty": 2}, "memorySwap": {"swapbehavior": "LimitedSwap"},
            "shutdownGracePeriodByPodPriority": [{"priority": 1, "gracePeriodSeconds": 3}],
            "evictionHard": {"not.a.signal": "1%"}, "featureGates": {"Nope": True}, "metadata": {"name": "x"}}
    got = {p.path: p.message for p in check_document(data) if p.kind == "unknown-field"}
    assert set(got) == {("logging", "verbosty"), ("memorySwap", "swapbehavior"),
                        ("shutdownGracePeriodByPodPriority", 0, "gracePeriodSeconds"), ("metadata",)}
    assert 'did you mean "verbosity"' in got[("logging", "verbosty")]
    assert 'did you mean "swapBehavior"' in got[("memorySwap", "swapbehavior")]


def test_every_reference_field_is_known():
    """The fields the shared reference documents, nested ones included, are never "unknown"."""
    names = ["enableServer", "address", "port", "readOnlyPort", "healthzPort", "healthzBindAddress", "tlsCertFile",
             "tlsPrivateKeyFile", "tlsCipherSuites", "tlsMinVersion", "tlsCurvePreferences", "rotateCertificates",
             "serverTLSBootstrap", "enableDebuggingHandlers", "enableContentionProfiling", "enableProfilingHandler",
             "enableDebugFlagsHandler", "enableSystemLogHandler", "enableSystemLogQuery",
             "streamingConnectionIdleTimeout", "staticPodPath", "staticPodURL", "staticPodURLHeader",
             "fileCheckFrequency", "httpCheckFrequency", "registerNode", "registerWithTaints", "maxPods",
             "podsPerCore", "podPidsLimit", "systemReserved", "kubeReserved", "reservedSystemCPUs",
             "enforceNodeAllocatable", "evictionHard", "evictionSoft", "cpuManagerPolicy", "topologyManagerPolicy",
             "memoryManagerPolicy", "protectKernelDefaults", "makeIPTablesUtilChains", "cgroupDriver",
             "cgroupsPerQOS", "failCgroupV1", "failSwapOn", "seccompDefault", "allowedUnsafeSysctls",
             "defaultPodSysctls", "eventRecordQPS", "eventBurst", "kubeAPIQPS", "kubeAPIBurst",
             "serializeImagePulls", "imagePullCredentialsVerificationPolicy", "featureGates",
             "containerRuntimeEndpoint", "localStorageCapacityIsolation", "shutdownGracePeriod",
             "shutdownGracePeriodCriticalPods", "clusterDNS", "clusterDomain", "resolvConf", "oomScoreAdj",
             "podLogsDir", "containerLogMaxSize", "containerLogMaxFiles", "nodeStatusUpdateFrequency",
             "nodeLeaseDurationSeconds", "imageGCHighThresholdPercent", "imageGCLowThresholdPercent",
             "mergeDefaultEvictionSettings"]
    data = {**HEAD, **{n: None for n in names},
            "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": True, "cacheTTL": "2m"},
                               "x509": {"clientCAFile": "/ca"}},
            "authorization": {"mode": "Webhook",
                              "webhook": {"cacheAuthorizedTTL": "5m", "cacheUnauthorizedTTL": "30s"}},
            "memorySwap": {"swapBehavior": "NoSwap"}, "userNamespaces": {"idsPerPod": 65536}}
    assert check_document(data) == []


# -- effective configuration ----------------------------------------------------------------------------
def test_file_defaults_apply_and_zero_values_of_non_pointer_fields_mean_default():
    eff = eff_of({"port": 0, "maxPods": 0, "streamingConnectionIdleTimeout": "0s", "address": "",
                  "eventRecordQPS": 0, "healthzPort": 0, "failSwapOn": False, "readOnlyPort": 0})
    assert eff.get(("port",)) == 10250 and eff.get(("maxPods",)) == 110
    assert eff.get(("streamingConnectionIdleTimeout",)) == "4h0m0s" and eff.get(("address",)) == "0.0.0.0"
    # Pointer fields keep an explicit zero; readOnlyPort has no default at all.
    assert eff.get(("eventRecordQPS",)) == 0 and eff.get(("healthzPort",)) == 0
    assert eff.get(("failSwapOn",)) is False and eff.get(("readOnlyPort",)) == 0
    assert eff.get(("authentication", "anonymous", "enabled")) is False
    assert eff.get(("authentication", "webhook", "enabled")) is True
    assert eff.get(("authorization", "mode")) == "Webhook"
    assert eff.get(("evictionHard",)) == DEFAULT_EVICTION_HARD
    assert "zero value the kubelet replaces" in eff.describe_origin(("port",))
    assert eff.describe_origin(("maxPods",)).startswith("main.yaml:2 writes 0")
    assert "v1beta1 default" in eff.describe_origin(("cgroupDriver",))


def test_special_defaults():
    eff = eff_of({"nodeStatusUpdateFrequency": "20s", "podPidsLimit": -7, "maxParallelImagePulls": 3})
    assert eff.get(("nodeStatusReportFrequency",)) == "20s"
    assert eff.get(("podPidsLimit",)) == -1
    assert eff.get(("serializeImagePulls",)) is False
    assert eff_of({}).get(("nodeStatusReportFrequency",)) == "5m0s"
    assert eff_of({"evictionHard": {"memory.available": "1Gi"}}).get(("evictionHard",)) == {"memory.available": "1Gi"}
    assert eff_of({"evictionHard": {}}).get(("evictionHard",)) == {}


def test_drop_ins_merge_maps_by_key_replace_lists_and_keep_zeros_literally():
    eff = eff_of({"featureGates": {"MemoryQoS": True, "KubeletPSI": True}, "clusterDNS": ["10.0.0.1", "10.0.0.2"],
                  "staticPodURLHeader": {"x": ["1"], "y": ["2"]}, "port": 10250},
                 {"featureGates": {"KubeletPSI": False}, "clusterDNS": ["10.0.0.9"], "staticPodURLHeader": {"y": ["3"]},
                  "port": 0, "evictionHard": {"memory.available": "1Gi"}, "readOnlyPort": None})
    assert eff.get(("featureGates",)) == {"MemoryQoS": True, "KubeletPSI": False}
    assert eff.get(("clusterDNS",)) == ["10.0.0.9"]
    assert eff.get(("staticPodURLHeader",)) == {"x": ["1"], "y": ["3"]}
    assert eff.get(("port",)) == 0  # no defaulting after the merge
    assert eff.get(("evictionHard",)) == {**DEFAULT_EVICTION_HARD, "memory.available": "1Gi"}
    o = eff.origin(("featureGates", "KubeletPSI"))
    assert o.layer.file == "0.conf" and eff.origin(("featureGates", "MemoryQoS")).layer.file == "main.yaml"
    assert eff.describe_origin(("port",)) == "set in drop-in 0.conf:2, overriding main.yaml:2"
    assert {(i.path, eff.anchor(i.path)[0].file) for i in validate(eff)} == {(("port",), "0.conf")}


def test_unknown_and_mistyped_values_do_not_reach_the_effective_configuration():
    eff = eff_of({"readOnlyPort": "10255", "seccompDefualt": True})
    assert eff.get(("readOnlyPort",)) is None and eff.get(("seccompDefault",)) is False


def test_without_a_main_file_the_kubelet_starts_from_its_flag_defaults():
    eff = build([layer({"maxPods": 50}, "10.conf", True)])
    assert eff.legacy and eff.get(("readOnlyPort",)) == 10255
    assert eff.get(("authorization", "mode")) == "AlwaysAllow"
    assert eff.get(("authentication", "anonymous", "enabled")) is True
    assert "command-line default" in eff.describe_origin(("readOnlyPort",))
    assert eff.anchor(("readOnlyPort",))[0].file == "10.conf"


# -- validation -----------------------------------------------------------------------------------------
def test_feature_gates_unknown_locked_and_release_dependent():
    assert is_known("RotateKubeletServerCertificate", (1, 37)) and is_known("DefaultPodSysctls", (1, 37))
    assert is_known("DefaultPodSysctls", (1, 36)) is False  # introduced in 1.37
    assert is_known("NoSuchGate", (1, 35)) is None  # the table cannot tell for older releases
    got = messages(eff_of({"featureGates": {"DynamicResourceAllocation": False, "NodeSwap": True, "Bogus": True}}))
    assert "locked to true" in got[("featureGates", "DynamicResourceAllocation")]
    assert "unrecognized feature gate \"Bogus\"" in got[("featureGates", "Bogus")]
    assert ("featureGates", "NodeSwap") not in got
    assert messages(eff_of({"featureGates": {"Bogus": True}}, version=(1, 35))) == {}
    assert gates()["KubeletCrashLoopBackOffMax"].default(35) and not gates()["KubeletCrashLoopBackOffMax"].default(34)


@pytest.mark.parametrize("data, path, text", [
    ({"shutdownGracePeriod": "10s", "shutdownGracePeriodCriticalPods": "20s"}, ("shutdownGracePeriodCriticalPods",),
     "must be <= shutdownGracePeriod"),
    ({"shutdownGracePeriod": "500ms"}, ("shutdownGracePeriod",), ">= 1 sec"),
    ({"cpuCFSQuotaPeriod": "50ms"}, ("cpuCFSQuotaPeriod",), "CustomCPUCFSQuotaPeriod"),
    ({"enforceNodeAllocatable": ["pods", "kube-reserved"]}, ("enforceNodeAllocatable", 1), "kubeReservedCgroup"),
    ({"enforceNodeAllocatable": ["none", "pods"]}, ("enforceNodeAllocatable", 0), "\"none\""),
    ({"enforceNodeAllocatable": ["pods", "pods"]}, ("enforceNodeAllocatable", 1), "duplicated"),
    ({"evictionHard": {"memory.available": "-1Gi"}}, ("evictionHard", "memory.available"), "must be positive"),
    ({"evictionHard": {"nodefs.available": "120%"}}, ("evictionHard", "nodefs.available"), "<= 100%"),
    ({"evictionMinimumReclaim": {"nodefs.available": "0%"}}, ("evictionMinimumReclaim", "nodefs.available"),
     "must be positive"),
    ({"reservedMemory": [{"numaNode": 0, "limits": {"memory": "1Gi"}},
                         {"numaNode": 0, "limits": {"memory": "2Gi", "cpu": "1"}}]},
     ("reservedMemory", 1, "limits", "memory"), "repeats NUMA node 0"),
    ({"showHiddenMetricsForVersion": "1.30"}, ("showHiddenMetricsForVersion",), "'1.36'"),
    ({"podLogsDir": "/var/log/pods/"}, ("podLogsDir",), "normalized"),
    ({"podLogsDir": "logs"}, ("podLogsDir",), "absolute"),
    ({"registerWithTaints": [{"key": "bad key", "effect": "Sometimes"}]}, ("registerWithTaints", 0, "key"),
     "qualified name"),
    ({"containerLogMaxFiles": 1}, ("containerLogMaxFiles",), "greater than 1"),
    ({"serverTLSBootstrap": True, "featureGates": {"RotateKubeletServerCertificate": False}},
     ("serverTLSBootstrap",), "RotateKubeletServerCertificate"),
    ({"maxParallelImagePulls": 5, "serializeImagePulls": True}, ("serializeImagePulls",), "cannot be larger than 1"),
    ({"reservedSystemCPUs": "3-1"}, ("reservedSystemCPUs",), "CPU list"),
    ({"tlsMinVersion": "TLS12"}, ("tlsMinVersion",), "unknown tlsMinVersion"),
    ({"tlsCipherSuites": ["TLS_FOO"]}, ("tlsCipherSuites", 0), "unknown TLS cipher suite"),
    ({"containerLogMaxSize": "ten"}, ("containerLogMaxSize",), "not a quantity"),
    ({"memorySwap": {"swapBehavior": "UnlimitedSwap"}}, ("memorySwap", "swapBehavior"), "NoSwap or LimitedSwap"),
    ({"enableSystemLogQuery": True, "enableSystemLogHandler": False}, ("enableSystemLogQuery",),
     "requires enableSystemLogHandler"),
    ({"crashLoopBackOff": {"maxContainerRestartPeriod": "10m"}}, ("crashLoopBackOff", "maxContainerRestartPeriod"),
     "between 1s and 300s"),
    ({"imageMaximumGCAge": "1m"}, ("imageMaximumGCAge",), "greater than imageMinimumGCAge"),
])
def test_start_up_validation(data, path, text):
    got = messages(eff_of(data))
    assert path in got and text in got[path], got


def test_a_valid_config_has_no_start_up_problem():
    for name in ("kubeadm.yaml", "config-valid-variants.yaml", "minimal.yaml"):
        lay = read_layer(str(FIXTURES / "kubelet" / name)).layer
        assert validate(build([lay])) == [], name


# -- explicit rules on one layer ------------------------------------------------------------------------
def test_explicit_rules_read_only_what_the_file_says():
    rules = {f.rule for f in explicit_findings(layer({"rotateCertificates": False, "staticPodPath": "pods",
                                                      "evictionHard": {"memory.available": "1Gi"}}))}
    assert rules == {"kubelet-certificate-rotation-disabled", "kubelet-static-pod-path-relative",
                     "kubelet-partial-eviction-hard"}
    # A drop-in patches evictionHard key by key: it can never drop the other signals.
    assert not explicit_findings(layer({"evictionHard": {"memory.available": "1Gi"}}, "x.conf", True))
    assert {f.rule for f in explicit_findings(layer({"staticPodPath": "pods"}, "x.conf", True))} == \
        {"kubelet-static-pod-path-relative"}


def test_weak_tls_parameters():
    lay = layer({"tlsMinVersion": "VersionTLS12", "tlsCipherSuites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]})
    params = {"kubelet-weak-tls": {"min-version": "VersionTLS13", "weak-patterns": ["GCM"]}}
    assert [f.path for f in explicit_findings(lay, params)] == [("tlsMinVersion",), ("tlsCipherSuites", 0)]


def test_effective_rules_on_a_secure_config_are_silent():
    eff = eff_of({"authentication": {"x509": {"clientCAFile": "/ca.crt"}}, "protectKernelDefaults": True,
                  "seccompDefault": True})
    assert effective_findings(eff) == []


# -- files, drop-in order, placement view ---------------------------------------------------------------
def test_dropin_files_follow_walkdir_order(tmp_path):
    d = tmp_path / "conf.d"
    (d / "b").mkdir(parents=True)
    for name in ("a.conf", "c.conf", "b/x.conf", "b/y.txt", "z.yaml", ".hidden.conf"):
        (d / name).write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "q.conf").write_text("{}")
    os.symlink(tmp_path / "elsewhere", d / "link")
    got = [os.path.relpath(p, d) for p in dropin_files(str(d))]
    assert got == [".hidden.conf", "a.conf", "b/x.conf", "c.conf"]


def test_effective_config_api_and_node_settings(tmp_path):
    (tmp_path / "main.yaml").write_text(
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 58\n"
        "staticPodPath: /etc/kubernetes/manifests\nkubeReserved: {cpu: 70m, memory: 893Mi}\n"
        "reservedSystemCPUs: 0-1\nevictionHard: {memory.available: 200Mi, nodefs.available: 0%}\n")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "10.conf").write_text(
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 30\n"
        "mergeDefaultEvictionSettings: true\n")
    (tmp_path / "d" / "20.conf").write_text("not: kubelet\n")
    eff, problems = effective_config(str(tmp_path / "main.yaml"), str(tmp_path / "d"))
    assert [p.file.endswith("20.conf") for p in problems] == [True]
    ns = node_settings(eff)
    assert ns.max_pods == 30 and ns.static_pod_path == "/etc/kubernetes/manifests"
    assert ns.system_reserved == {"cpu": "2"} and ns.kube_reserved == {"memory": "893Mi"}
    assert ns.eviction_hard == {"memory.available": "200Mi", "nodefs.inodesFree": "5%",
                                "imagefs.available": "15%", "imagefs.inodesFree": "5%"}
    none, _ = effective_config(None, None)
    assert node_settings(none).static_pod_path == "" and none.legacy


# -- the published JSON Schema --------------------------------------------------------------------------
def test_schema_file_is_generated_from_the_field_table():
    from kubelint_nodes.kubelet.schema_gen import render

    assert (ROOT / "schemas" / "kubelet-config-v1beta1.schema.json").read_text(encoding="utf-8") == render()


def test_schema_accepts_valid_configs_and_rejects_type_errors():
    import jsonschema

    schema = json.loads((ROOT / "schemas" / "kubelet-config-v1beta1.schema.json").read_text(encoding="utf-8"))
    v = jsonschema.Draft202012Validator(schema)
    for name in ("kubeadm.yaml", "config-valid-variants.yaml", "insecure-auth.yaml"):
        assert list(v.iter_errors(read_layer(str(FIXTURES / "kubelet" / name)).layer.data)) == [], name
    bad = read_layer(str(FIXTURES / "kubelet" / "schema-invalid.yaml")).layer.data
    assert sorted(tuple(e.absolute_path) for e in v.iter_errors(bad)) == \
        [("failSwapOn",), ("kubeReserved", "cpu"), ("port",), ("syncFrequency",)]
    assert schema["properties"]["streamingConnectionIdleTimeout"]["deprecated"] is True
    assert schema["properties"]["evictionHard"]["additionalProperties"] == {"type": ["string", "null"]}
