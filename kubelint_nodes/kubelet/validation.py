"""What the kubelet rejects at start-up, evaluated on the effective configuration.

Sources (kubernetes/kubernetes; facts only, re-expressed here):

* ``pkg/kubelet/apis/config/validation/validation.go`` ``ValidateKubeletConfiguration`` — ranges,
  enums, cross-field rules and the feature gates they depend on; ``validation_reserved_memory.go``;
* ``component-base/featuregate`` ``SetFromMap`` — unknown gates and gates locked to their default;
* ``pkg/kubelet/eviction/helpers.go`` ``ParseThresholdConfig`` — eviction signals and thresholds,
  called by ``cmd/kubelet/app/server.go`` before the kubelet runs;
* ``cmd/kubelet/app/server.go`` ``parseResourceList`` (kubeReserved/systemReserved) and ``InitializeTLS``
  (``tlsMinVersion``, ``tlsCipherSuites`` via component-base ``cli/flag``);
* ``cmd/kubelet/app/auth.go`` ``BuildAuthz`` (``authorization.mode``);
* ``pkg/kubelet/logs`` ``NewContainerLogManager`` (``containerLogMaxSize`` must be a quantity);
* ``component-base/logs/api/v1`` and ``component-base/tracing/api/v1`` validation.

Host-dependent checks (``failCgroupV1`` on a cgroup v1 host) cannot be judged from a file and are
left out.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import featuregates
from .effective import EffectiveConfig
from .values import SECOND, DurationError, format_duration, parse_duration

EVICTION_SIGNALS = (
    "memory.available", "allocatableMemory.available", "nodefs.available", "nodefs.inodesFree",
    "imagefs.available", "imagefs.inodesFree", "containerfs.available", "containerfs.inodesFree",
    "pid.available",
)
TLS_VERSIONS = ("VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13")
# Go crypto/tls CipherSuites() and InsecureCipherSuites() names, plus the two legacy ChaCha20 aliases
# component-base cli/flag keeps for backward compatibility.
CIPHER_SUITES = frozenset({
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
})
ENFORCEMENTS = ("pods", "system-reserved", "system-reserved-compressible", "kube-reserved",
                "kube-reserved-compressible", "none")
RESERVABLE = ("cpu", "memory", "ephemeral-storage", "pid")

_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_GO_FLOAT = re.compile(r"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)

WONT_START = "the kubelet fails its start-up validation and does not start"


@dataclass(frozen=True)
class Invalid:
    """One start-up failure: ``path`` is the effective field to report it at."""

    path: tuple
    message: str


def validate(eff: EffectiveConfig) -> list[Invalid]:
    out = list(_validate(eff))
    seen: set[tuple[tuple, str]] = set()
    unique = []
    for item in out:
        key = (item.path, item.message)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _int(v: Any) -> int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return int(v)


def _dur(v: Any) -> int | None:
    if v is None:
        return 0
    try:
        return parse_duration(v)
    except DurationError:
        return None


def _pick(eff: EffectiveConfig, *paths: tuple) -> tuple:
    """Report a cross-field error at the field a file set (the later one when several did)."""
    for p in reversed(paths):
        if eff.set_by_file(p):
            return p
    return paths[0]


def _validate(eff: EffectiveConfig) -> Iterator[Invalid]:  # noqa: C901 - a list of independent rules
    g = eff.get
    yield from _feature_gates(eff)

    def neg(path: tuple, label: str) -> Iterator[Invalid]:
        v = _int(g(path))
        if v is not None and v < 0:
            yield Invalid(path, f"{label} {v} must not be a negative number: {WONT_START}")

    v = _int(g(("nodeLeaseDurationSeconds",)))
    if v is not None and v <= 0:
        yield Invalid(("nodeLeaseDurationSeconds",),
                      f"nodeLeaseDurationSeconds {v} must be greater than 0: {WONT_START}")
    if g(("systemCgroups",)) and not g(("cgroupRoot",)):
        yield Invalid(("systemCgroups",), f"systemCgroups is set but cgroupRoot is not: {WONT_START}")
    for name in ("eventBurst", "eventRecordQPS", "kubeAPIBurst", "kubeAPIQPS", "maxOpenFiles", "maxPods",
                 "podsPerCore", "registryBurst", "registryPullQPS"):
        yield from neg((name,), name)
    hz = _int(g(("healthzPort",)))
    if hz is not None and hz != 0 and not 1 <= hz <= 65535:
        yield Invalid(("healthzPort",), f"healthzPort {hz} must be between 1 and 65535, inclusive: {WONT_START}")

    period = _dur(g(("cpuCFSQuotaPeriod",)))
    if period is not None:
        if not eff.gate("CustomCPUCFSQuotaPeriod"):
            if period != 100_000_000:
                yield Invalid(("cpuCFSQuotaPeriod",),
                              f"cpuCFSQuotaPeriod {format_duration(period)} requires the feature gate "
                              f"CustomCPUCFSQuotaPeriod: {WONT_START}")
        elif not 1_000_000 <= period <= SECOND:
            yield Invalid(("cpuCFSQuotaPeriod",), f"cpuCFSQuotaPeriod {format_duration(period)} must be between "
                                                  f"1ms and 1s, inclusive: {WONT_START}")

    high, low = _int(g(("imageGCHighThresholdPercent",))), _int(g(("imageGCLowThresholdPercent",)))
    for name, val in (("imageGCHighThresholdPercent", high), ("imageGCLowThresholdPercent", low)):
        if val is not None and not 0 <= val <= 100:
            yield Invalid((name,), f"{name} {val} must be between 0 and 100, inclusive: {WONT_START}")
    if high is not None and low is not None and low >= high:
        at = _pick(eff, ("imageGCLowThresholdPercent",), ("imageGCHighThresholdPercent",))
        yield Invalid(at, f"imageGCLowThresholdPercent {low} must be less than imageGCHighThresholdPercent "
                          f"{high}: {WONT_START}")
    min_age, max_age = _dur(g(("imageMinimumGCAge",))), _dur(g(("imageMaximumGCAge",)))
    if max_age and not eff.gate("ImageMaximumGCAge"):
        yield Invalid(("imageMaximumGCAge",), f"imageMaximumGCAge requires the feature gate ImageMaximumGCAge: "
                                              f"{WONT_START}")
    if min_age is not None and min_age < 0:
        yield Invalid(("imageMinimumGCAge",), f"imageMinimumGCAge {format_duration(min_age)} must not be "
                                              f"negative: {WONT_START}")
    if max_age is not None and max_age < 0:
        yield Invalid(("imageMaximumGCAge",), f"imageMaximumGCAge {format_duration(max_age)} must not be "
                                              f"negative: {WONT_START}")
    if max_age and min_age is not None and 0 < max_age <= min_age:
        yield Invalid(_pick(eff, ("imageMinimumGCAge",), ("imageMaximumGCAge",)),
                      f"imageMaximumGCAge {format_duration(max_age)} must be greater than imageMinimumGCAge "
                      f"{format_duration(min_age)}: {WONT_START}")
    dra = _dur(g(("draManagerReconcilePeriod",)))
    if dra is not None and g(("draManagerReconcilePeriod",)) is not None and dra <= 0:
        yield Invalid(("draManagerReconcilePeriod",), f"draManagerReconcilePeriod {format_duration(dra)} must be "
                                                      f"greater than zero: {WONT_START}")
    for name in ("iptablesDropBit", "iptablesMasqueradeBit"):
        val = _int(g((name,)))
        if val is not None and not 0 <= val <= 31:
            yield Invalid((name,), f"{name} {val} must be between 0 and 31, inclusive: {WONT_START}")
    nsmi = _int(g(("nodeStatusMaxImages",)))
    if nsmi is not None and nsmi < -1:
        yield Invalid(("nodeStatusMaxImages",), f"nodeStatusMaxImages {nsmi} must be -1 or greater: {WONT_START}")
    oom = _int(g(("oomScoreAdj",)))
    if oom is not None and not -1000 <= oom <= 1000:
        yield Invalid(("oomScoreAdj",), f"oomScoreAdj {oom} must be between -1000 and 1000, inclusive: {WONT_START}")
    port = _int(g(("port",)))
    if port is not None and not 1 <= port <= 65535:
        yield Invalid(("port",), f"port {port} must be between 1 and 65535, inclusive: {WONT_START}")
    rop = _int(g(("readOnlyPort",)))
    if rop is not None and rop != 0 and not 1 <= rop <= 65535:
        yield Invalid(("readOnlyPort",), f"readOnlyPort {rop} must be between 0 and 65535, inclusive: {WONT_START}")
    mpp = _int(g(("maxParallelImagePulls",)))
    if mpp is not None and mpp < 1:
        yield Invalid(("maxParallelImagePulls",), f"maxParallelImagePulls {mpp} must be a positive number: "
                                                  f"{WONT_START}")
    if g(("serializeImagePulls",)) is True and mpp is not None and mpp > 1:
        yield Invalid(_pick(eff, ("maxParallelImagePulls",), ("serializeImagePulls",)),
                      "maxParallelImagePulls cannot be larger than 1 unless serializeImagePulls is false: "
                      f"{WONT_START}")
    if g(("serverTLSBootstrap",)) is True and not eff.gate("RotateKubeletServerCertificate"):
        yield Invalid(("serverTLSBootstrap",), "serverTLSBootstrap requires the feature gate "
                                               f"RotateKubeletServerCertificate: {WONT_START}")
    if g(("runOnce",)) is True:
        yield Invalid(("runOnce",), f"runOnce mode has been deprecated and must not be set: {WONT_START}")

    yield from _taints(eff)

    tmp = g(("topologyManagerPolicy",))
    if tmp not in ("none", "best-effort", "restricted", "single-numa-node"):
        yield Invalid(("topologyManagerPolicy",), f"topologyManagerPolicy {tmp!r} must be one of none, "
                                                  f"best-effort, restricted, single-numa-node: {WONT_START}")
    tms = g(("topologyManagerScope",))
    if tms not in ("container", "pod"):
        yield Invalid(("topologyManagerScope",), f"topologyManagerScope {tms!r} must be container or pod: "
                                                 f"{WONT_START}")
    yield from _shutdown(eff)
    swap = g(("memorySwap", "swapBehavior"))
    if eff.gate("NodeSwap"):
        if swap not in (None, "", "NoSwap", "LimitedSwap"):
            yield Invalid(("memorySwap", "swapBehavior"), f"memorySwap.swapBehavior {swap!r} must be \"\", "
                                                          f"NoSwap or LimitedSwap: {WONT_START}")
    elif swap:
        yield Invalid(("memorySwap", "swapBehavior"), "memorySwap.swapBehavior cannot be set when the NodeSwap "
                                                      f"feature gate is disabled: {WONT_START}")
    clb = g(("crashLoopBackOff", "maxContainerRestartPeriod"))
    if eff.gate("KubeletCrashLoopBackOffMax"):
        d = _dur(clb)
        if clb is not None and d is not None and not SECOND <= d <= 300 * SECOND:
            yield Invalid(("crashLoopBackOff", "maxContainerRestartPeriod"),
                          f"crashLoopBackOff.maxContainerRestartPeriod {format_duration(d)} must be between 1s "
                          f"and 300s: {WONT_START}")
    elif clb is not None:
        yield Invalid(("crashLoopBackOff", "maxContainerRestartPeriod"),
                      "crashLoopBackOff.maxContainerRestartPeriod must not be set when the feature gate "
                      f"KubeletCrashLoopBackOffMax is disabled: {WONT_START}")
    yield from _enforcements(eff)
    hp = g(("hairpinMode",))
    if hp not in ("none", "hairpin-veth", "promiscuous-bridge"):
        yield Invalid(("hairpinMode",), f"hairpinMode {hp!r} must be none, hairpin-veth or promiscuous-bridge: "
                                        f"{WONT_START}")
    yield from _image_pull_policy(eff)
    yield from _reserved(eff)
    yield from _hidden_metrics(eff)
    yield from _logging_tracing(eff)
    yield from _memory_qos(eff)
    if not g(("containerRuntimeEndpoint",)):
        yield Invalid(("containerRuntimeEndpoint",), f"containerRuntimeEndpoint is empty: {WONT_START}")
    if g(("enableSystemLogQuery",)) is True:
        if not eff.gate("NodeLogQuery"):
            yield Invalid(("enableSystemLogQuery",), "enableSystemLogQuery requires the feature gate NodeLogQuery: "
                                                     f"{WONT_START}")
        if g(("enableSystemLogHandler",)) is False:
            yield Invalid(_pick(eff, ("enableSystemLogHandler",), ("enableSystemLogQuery",)),
                          f"enableSystemLogQuery requires enableSystemLogHandler: {WONT_START}")
    yield from _logs(eff)
    yield from _eviction(eff)
    yield from _tls_and_authz(eff)


def _feature_gates(eff: EffectiveConfig) -> Iterator[Invalid]:
    gates = eff.get(("featureGates",))
    if not isinstance(gates, dict):
        return
    minor = eff.version[1]
    table = featuregates.gates()
    for name, value in gates.items():
        if not isinstance(value, bool):
            continue
        known = featuregates.is_known(str(name), eff.version)
        if known is False:
            hint = featuregates.closest(str(name))
            guess = f" (did you mean \"{hint}\"?)" if hint and hint != name else ""
            yield Invalid(("featureGates", name),
                          f"unrecognized feature gate \"{name}\"{guess}: Kubernetes "
                          f"{eff.version[0]}.{eff.version[1]} has no such gate (removed, misspelled or newer), "
                          f"so {WONT_START}")
            continue
        gate = table.get(str(name))
        if gate is not None and gate.locked(minor) and value != gate.default(minor):
            yield Invalid(("featureGates", name),
                          f"cannot set feature gate {name} to {str(value).lower()}, it is locked to "
                          f"{str(gate.default(minor)).lower()} in Kubernetes {eff.version[0]}.{minor}: {WONT_START}")


def _qualified_name(key: str) -> bool:
    if "/" in key:
        prefix, _, name = key.partition("/")
        if not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix):
            return False
    else:
        name = key
    return 0 < len(name) <= 63 and bool(_NAME.match(name))


def _taints(eff: EffectiveConfig) -> Iterator[Invalid]:
    taints = eff.get(("registerWithTaints",))
    if not isinstance(taints, list):
        return
    for i, t in enumerate(taints):
        if not isinstance(t, dict):
            continue
        base = ("registerWithTaints", i)
        key, value, effect = t.get("key") or "", t.get("value") or "", t.get("effect") or ""
        if not _qualified_name(str(key)):
            yield Invalid(base + ("key",), f"invalid taint key {key!r}: it must be a qualified name "
                                           f"(optional DNS prefix, then at most 63 alphanumerics, '-', '_' or "
                                           f"'.'): {WONT_START}")
        if value and (len(value) > 63 or not _NAME.match(str(value))):
            yield Invalid(base + ("value",), f"invalid taint value {value!r}: it must be a valid label value: "
                                             f"{WONT_START}")
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            yield Invalid(base + ("effect",), f"invalid taint effect {effect!r}: it must be NoSchedule, "
                                              f"PreferNoSchedule or NoExecute: {WONT_START}")
        if t.get("timeAdded") is not None:
            yield Invalid(base + ("timeAdded",), f"taint timeAdded must not be set: {WONT_START}")


def _shutdown(eff: EffectiveConfig) -> Iterator[Invalid]:
    total_p, crit_p = ("shutdownGracePeriod",), ("shutdownGracePeriodCriticalPods",)
    total, crit = _dur(eff.get(total_p)) or 0, _dur(eff.get(crit_p)) or 0
    by_prio = eff.get(("shutdownGracePeriodByPodPriority",)) or []
    if eff.gate("GracefulNodeShutdown"):
        if crit > total:
            yield Invalid(_pick(eff, total_p, crit_p),
                          f"shutdownGracePeriodCriticalPods {format_duration(crit)} must be <= shutdownGracePeriod "
                          f"{format_duration(total)}: {WONT_START}")
        for p, d in ((total_p, total), (crit_p, crit)):
            if d < 0 or 0 < d < SECOND:
                yield Invalid(p, f"{p[0]} {format_duration(d)} must be either zero or otherwise >= 1 sec: "
                                 f"{WONT_START}")
    elif total > 0 or crit > 0:
        yield Invalid(_pick(eff, total_p, crit_p), "shutdownGracePeriod and shutdownGracePeriodCriticalPods "
                                                   f"require the feature gate GracefulNodeShutdown: {WONT_START}")
    if by_prio:
        at = ("shutdownGracePeriodByPodPriority",)
        if not eff.gate("GracefulNodeShutdownBasedOnPodPriority"):
            yield Invalid(at, "shutdownGracePeriodByPodPriority requires the feature gate "
                              f"GracefulNodeShutdownBasedOnPodPriority: {WONT_START}")
        elif total > 0 or crit > 0:
            yield Invalid(at, "shutdownGracePeriodByPodPriority and shutdownGracePeriod cannot both be set: "
                              f"{WONT_START}")


def _enforcements(eff: EffectiveConfig) -> Iterator[Invalid]:
    items = eff.get(("enforceNodeAllocatable",))
    if not isinstance(items, list):
        return
    at = ("enforceNodeAllocatable",)
    values = [v for v in items if isinstance(v, str)]
    if "system-reserved" in values and "system-reserved-compressible" in values:
        yield Invalid(at, "\"system-reserved\" and \"system-reserved-compressible\" cannot both be in "
                          f"enforceNodeAllocatable: {WONT_START}")
    if "kube-reserved" in values and "kube-reserved-compressible" in values:
        yield Invalid(at, "\"kube-reserved\" and \"kube-reserved-compressible\" cannot both be in "
                          f"enforceNodeAllocatable: {WONT_START}")
    seen: set[str] = set()
    for i, val in enumerate(values):
        here = at + (i,)
        if val in seen:
            yield Invalid(here, f"duplicated enforcement {val!r} in enforceNodeAllocatable: {WONT_START}")
            continue
        seen.add(val)
        if val not in ENFORCEMENTS:
            yield Invalid(here, f"option {val!r} in enforceNodeAllocatable is not one of "
                                f"{', '.join(ENFORCEMENTS)}: {WONT_START}")
            continue
        if val == "none":
            if len(values) > 1:
                yield Invalid(here, "enforceNodeAllocatable may not contain other enforcements with \"none\": "
                                    f"{WONT_START}")
            continue
        if val.startswith("system-reserved") and not eff.get(("systemReservedCgroup",)):
            yield Invalid(here, f"systemReservedCgroup must be set when {val!r} is in enforceNodeAllocatable: "
                                f"{WONT_START}")
        if val.startswith("kube-reserved") and not eff.get(("kubeReservedCgroup",)):
            yield Invalid(here, f"kubeReservedCgroup must be set when {val!r} is in enforceNodeAllocatable: "
                                f"{WONT_START}")
        if eff.get(("cgroupsPerQOS",)) is False:
            yield Invalid(here, f"cgroupsPerQOS must be true when {val!r} is in enforceNodeAllocatable: "
                                f"{WONT_START}")


def _image_pull_policy(eff: EffectiveConfig) -> Iterator[Invalid]:
    policy = eff.get(("imagePullCredentialsVerificationPolicy",)) or ""
    allow = eff.get(("preloadedImagesVerificationAllowlist",)) or []
    p_at, a_at = ("imagePullCredentialsVerificationPolicy",), ("preloadedImagesVerificationAllowlist",)
    if eff.gate("KubeletEnsureSecretPulledImages"):
        if policy not in ("NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages",
                          "AlwaysVerify"):
            yield Invalid(p_at, f"imagePullCredentialsVerificationPolicy {policy!r} must be NeverVerify, "
                                "NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages or AlwaysVerify: "
                                f"{WONT_START}")
        elif allow and policy != "NeverVerifyAllowlistedImages":
            yield Invalid(a_at, "preloadedImagesVerificationAllowlist requires imagePullCredentialsVerificationPolicy "
                                f"NeverVerifyAllowlistedImages: {WONT_START}")
    else:
        if policy:
            yield Invalid(p_at, "imagePullCredentialsVerificationPolicy must not be set when the feature gate "
                                f"KubeletEnsureSecretPulledImages is disabled: {WONT_START}")
        if allow:
            yield Invalid(a_at, "preloadedImagesVerificationAllowlist must not be set when the feature gate "
                                f"KubeletEnsureSecretPulledImages is disabled: {WONT_START}")


def parse_cpuset(text: str) -> bool:
    """k8s.io/utils/cpuset Parse: comma-separated CPUs or inclusive ranges ``a-b`` with a <= b."""
    if text == "":
        return True
    for part in text.split(","):
        bounds = part.split("-")
        if len(bounds) > 2 or not all(re.fullmatch(r"[+-]?\d+", b) for b in bounds):
            return False
        if len(bounds) == 2 and int(bounds[0]) > int(bounds[1]):
            return False
    return True


def _reserved(eff: EffectiveConfig) -> Iterator[Invalid]:
    from ..quantity import QuantityError, parse_quantity

    cpus = eff.get(("reservedSystemCPUs",))
    if cpus:
        if eff.get(("systemReservedCgroup",)) or eff.get(("kubeReservedCgroup",)):
            yield Invalid(("reservedSystemCPUs",), "reservedSystemCPUs cannot be used with systemReservedCgroup "
                                                   f"or kubeReservedCgroup: {WONT_START}")
        if not parse_cpuset(str(cpus)):
            yield Invalid(("reservedSystemCPUs",), f"reservedSystemCPUs {cpus!r} is not a CPU list such as "
                                                   f"\"0-1,3\": {WONT_START}")
    for name in ("kubeReserved", "systemReserved"):
        entries = eff.get((name,))
        if not isinstance(entries, dict):
            continue
        for key, val in entries.items():
            here = (name, key)
            if key not in RESERVABLE:
                yield Invalid(here, f"cannot reserve {key!r} resource in {name} (only {', '.join(RESERVABLE)}): "
                                    f"{WONT_START}")
                continue
            try:
                q = parse_quantity(val)
            except QuantityError:
                yield Invalid(here, f"{name}.{key} {val!r} is not a quantity: {WONT_START}")
                continue
            if q < 0:
                yield Invalid(here, f"{name}.{key} {val!r} cannot be negative: {WONT_START}")
    memory = eff.get(("reservedMemory",))
    if isinstance(memory, list):
        seen: set[tuple[Any, str]] = set()
        for i, item in enumerate(memory):
            if not isinstance(item, dict):
                continue
            numa = item.get("numaNode", 0)
            limits = item.get("limits") or {}
            for res, val in limits.items() if isinstance(limits, dict) else ():
                here = ("reservedMemory", i, "limits", res)
                if res != "memory" and not str(res).startswith("hugepages-"):
                    yield Invalid(here, f"reserved memory type {res!r} for NUMA node {numa} is not supported "
                                        f"(only memory and hugepages-<size>): {WONT_START}")
                try:
                    zero = parse_quantity(val) == 0
                except QuantityError:
                    zero = False
                if zero:
                    yield Invalid(here, f"reserved memory may not be zero for NUMA node {numa} and resource "
                                        f"{res!r}: {WONT_START}")
                if (numa, res) in seen:
                    yield Invalid(here, f"reservedMemory repeats NUMA node {numa} and resource {res!r}: "
                                        f"{WONT_START}")
                seen.add((numa, res))


def _hidden_metrics(eff: EffectiveConfig) -> Iterator[Invalid]:
    value = eff.get(("showHiddenMetricsForVersion",))
    if not value:
        return
    major, minor = eff.version
    allowed = f"{major}.{minor - 1}"
    m = re.fullmatch(r"v?(\d+)\.(\d+)(\.\d+)?", str(value))
    if not m or (int(m.group(1)), int(m.group(2))) != (major, minor - 1):
        yield Invalid(("showHiddenMetricsForVersion",),
                      f"showHiddenMetricsForVersion {value!r} must be omitted or be {allowed!r}, the previous minor "
                      f"version of Kubernetes {major}.{minor}: {WONT_START}")


def _logging_tracing(eff: EffectiveConfig) -> Iterator[Invalid]:
    fmt = eff.get(("logging", "format"))
    if fmt not in (None, "", "text", "json"):
        yield Invalid(("logging", "format"), f"logging.format {fmt!r} is not a registered log format (text, json): "
                                             f"{WONT_START}")
    if fmt == "json" and eff.get(("logging", "vmodule")):
        yield Invalid(("logging", "vmodule"), f"logging.vmodule is only supported for the text log format: "
                                              f"{WONT_START}")
    rate = eff.get(("tracing", "samplingRatePerMillion"))
    if isinstance(rate, int) and not isinstance(rate, bool):
        if rate < 0:
            yield Invalid(("tracing", "samplingRatePerMillion"),
                          f"tracing.samplingRatePerMillion {rate} must be positive: {WONT_START}")
        elif rate > 1_000_000:
            yield Invalid(("tracing", "samplingRatePerMillion"),
                          f"tracing.samplingRatePerMillion {rate} must be at most 1000000: {WONT_START}")


def _memory_qos(eff: EffectiveConfig) -> Iterator[Invalid]:
    factor = eff.get(("memoryThrottlingFactor",))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not (math.isfinite(factor) and 0 < factor <= 1.0):
            yield Invalid(("memoryThrottlingFactor",), f"memoryThrottlingFactor {factor} must be greater than 0 "
                                                       f"and less than or equal to 1.0: {WONT_START}")
    policy = eff.get(("memoryReservationPolicy",))
    if policy == "TieredReservation" and not eff.gate("MemoryQoS"):
        yield Invalid(("memoryReservationPolicy",), "memoryReservationPolicy TieredReservation requires the "
                                                    f"feature gate MemoryQoS: {WONT_START}")
    if policy not in ("None", "TieredReservation"):
        yield Invalid(("memoryReservationPolicy",), f"memoryReservationPolicy {policy!r} must be None or "
                                                    f"TieredReservation: {WONT_START}")


def _logs(eff: EffectiveConfig) -> Iterator[Invalid]:
    from ..quantity import QuantityError, parse_quantity

    workers = _int(eff.get(("containerLogMaxWorkers",)))
    if workers is not None and workers < 1:
        yield Invalid(("containerLogMaxWorkers",), f"containerLogMaxWorkers must be greater than or equal to 1: "
                                                   f"{WONT_START}")
    interval = _dur(eff.get(("containerLogMonitorInterval",)))
    if interval is not None and interval < 3 * SECOND:
        yield Invalid(("containerLogMonitorInterval",), "containerLogMonitorInterval must be a duration of at "
                                                        f"least 3s: {WONT_START}")
    files = _int(eff.get(("containerLogMaxFiles",)))
    if files is not None and files <= 1:
        yield Invalid(("containerLogMaxFiles",), f"containerLogMaxFiles must be greater than 1: {WONT_START}")
    size = eff.get(("containerLogMaxSize",))
    if isinstance(size, str):
        try:
            parse_quantity(size)
        except QuantityError:
            yield Invalid(("containerLogMaxSize",), f"containerLogMaxSize {size!r} is not a quantity such as "
                                                    f"\"10Mi\": {WONT_START}")
    logs_dir = eff.get(("podLogsDir",))
    at = ("podLogsDir",)
    if not logs_dir:
        yield Invalid(at, f"podLogsDir is empty: {WONT_START}")
    elif isinstance(logs_dir, str):
        if not (logs_dir.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", logs_dir)):
            yield Invalid(at, f"podLogsDir {logs_dir!r} must be an absolute path: {WONT_START}")
        elif posixpath.normpath(logs_dir) != logs_dir:
            yield Invalid(at, f"podLogsDir {logs_dir!r} must be normalized (write "
                              f"{posixpath.normpath(logs_dir)!r}): {WONT_START}")
        if any(ord(c) > 127 for c in logs_dir):
            yield Invalid(at, f"podLogsDir {logs_dir!r} must contain ASCII characters only: {WONT_START}")


def _percentage(text: str) -> float | None:
    body = text.rstrip("%")
    if not _GO_FLOAT.match(body):
        return None
    return float(body) / 100


def _eviction(eff: EffectiveConfig) -> Iterator[Invalid]:
    from ..quantity import QuantityError, parse_quantity

    def signals(name: str) -> Iterator[tuple[str, Any, tuple]]:
        m = eff.get((name,))
        if isinstance(m, dict):
            for sig, val in m.items():
                yield str(sig), val, (name, sig)

    grace = eff.get(("evictionSoftGracePeriod",))
    grace = grace if isinstance(grace, dict) else {}
    for name in ("evictionHard", "evictionSoft"):
        for sig, val, here in signals(name):
            if sig not in EVICTION_SIGNALS:
                yield Invalid(here, f"unsupported eviction signal {sig!r} in {name}: {WONT_START}")
                continue
            if not isinstance(val, str):
                continue
            if val.endswith("%"):
                if val in ("0%", "100%"):
                    continue  # a disabled signal
                pct = _percentage(val)
                if pct is None:
                    yield Invalid(here, f"{name}.{sig} {val!r} is not a percentage: {WONT_START}")
                elif pct < 0:
                    yield Invalid(here, f"eviction percentage threshold {sig} must be >= 0%: {val}: {WONT_START}")
                elif pct > 1:
                    yield Invalid(here, f"eviction percentage threshold {sig} must be <= 100%: {val}: {WONT_START}")
            else:
                try:
                    q = parse_quantity(val)
                except QuantityError:
                    yield Invalid(here, f"{name}.{sig} {val!r} is neither a quantity nor a percentage: {WONT_START}")
                    continue
                if q <= 0:
                    yield Invalid(here, f"eviction threshold {sig} must be positive: {val}: {WONT_START}")
                    continue
            if name == "evictionSoft" and sig not in grace:
                yield Invalid(here, f"grace period must be specified for the soft eviction threshold {sig} "
                                    f"(evictionSoftGracePeriod): {WONT_START}")
    for sig, val, here in signals("evictionSoftGracePeriod"):
        if sig not in EVICTION_SIGNALS:
            yield Invalid(here, f"unsupported eviction signal {sig!r} in evictionSoftGracePeriod: {WONT_START}")
            continue
        d = _dur(val) if isinstance(val, str) else None
        if d is None:
            yield Invalid(here, f"evictionSoftGracePeriod.{sig} {val!r} is not a duration: {WONT_START}")
        elif d < 0:
            yield Invalid(here, f"invalid eviction grace period {val}, must be a positive value: {WONT_START}")
    for sig, val, here in signals("evictionMinimumReclaim"):
        if sig not in EVICTION_SIGNALS:
            yield Invalid(here, f"unsupported eviction signal {sig!r} in evictionMinimumReclaim: {WONT_START}")
            continue
        if not isinstance(val, str):
            continue
        if val.endswith("%"):
            pct = _percentage(val)
            if pct is None or pct <= 0:
                yield Invalid(here, f"eviction percentage minimum reclaim {sig} must be positive: {val}: "
                                    f"{WONT_START}")
        else:
            try:
                q = parse_quantity(val)
            except QuantityError:
                yield Invalid(here, f"evictionMinimumReclaim.{sig} {val!r} is not a quantity: {WONT_START}")
                continue
            if q < 0:
                yield Invalid(here, f"negative eviction minimum reclaim specified for {sig}: {WONT_START}")


def _tls_and_authz(eff: EffectiveConfig) -> Iterator[Invalid]:
    mode = eff.get(("authorization", "mode"))
    if mode not in ("AlwaysAllow", "Webhook"):
        yield Invalid(("authorization", "mode"), f"unknown authorization mode {mode!r} (AlwaysAllow or Webhook): "
                                                 f"{WONT_START}")
    version = eff.get(("tlsMinVersion",))
    if version and version not in TLS_VERSIONS:
        yield Invalid(("tlsMinVersion",), f"unknown tlsMinVersion {version!r} (one of {', '.join(TLS_VERSIONS)}): "
                                          f"{WONT_START}")
    suites = eff.get(("tlsCipherSuites",))
    if isinstance(suites, list):
        for i, name in enumerate(suites):
            if isinstance(name, str) and name not in CIPHER_SUITES:
                yield Invalid(("tlsCipherSuites", i), f"unknown TLS cipher suite {name!r}: {WONT_START}")
