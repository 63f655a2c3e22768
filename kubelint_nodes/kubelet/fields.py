"""The KubeletConfiguration v1beta1 type, field by field: the one source for typing, defaults and the schema.

Written from ``k8s.io/kubelet/config/v1beta1/types.go`` (field names, Go types, whether a field is a
pointer) and ``pkg/kubelet/apis/config/v1beta1/defaults.go`` (``SetDefaults_KubeletConfiguration``, the
code that fills defaults), as summarised in ``reference/kubelet-config-v1beta1.md``. The nested types come
from ``k8s.io/component-base/logs/api/v1`` (logging), ``component-base/tracing/api/v1`` (tracing) and
``k8s.io/api/core/v1`` (Taint, ResourceList).

Why the pointer flag matters: for a non-pointer field the defaulting code tests the zero value
(``if obj.Port == 0 { obj.Port = 10250 }``), so writing ``0``/``""``/``0s`` is the same as omitting it;
a pointer field keeps an explicit zero (``eventRecordQPS: 0`` really means "no limit").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

API_GROUP = "kubelet.config.k8s.io"
API_VERSION = "kubelet.config.k8s.io/v1beta1"
KIND = "KubeletConfiguration"


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True)
class Type:
    """A Go type as the JSON decoder sees it.

    kinds: ``bool``, ``int32``, ``uint32``, ``int64``, ``float64``, ``string``, ``duration`` (metav1.Duration:
    a Go duration string), ``duration-or-int`` (logging.flushFrequency: a duration string or nanoseconds),
    ``quantity`` (resource.Quantity: a string or a number), ``time`` (metav1.Time, RFC 3339), ``list``,
    ``map`` (string keys), ``struct``.
    """

    kind: str
    item: Type | None = None
    fields: dict[str, Field] | None = None
    name: str = ""

    def describe(self) -> str:
        if self.kind == "list":
            return f"a list of {self.item.describe() if self.item else 'values'}"
        if self.kind == "map":
            return f"a map of {self.item.describe() if self.item else 'values'}"
        if self.kind == "struct":
            return f"an object ({self.name})" if self.name else "an object"
        return _DESCRIPTIONS.get(self.kind, self.kind)


_DESCRIPTIONS = {
    "bool": "a boolean",
    "int32": "an integer (int32)",
    "uint32": "a non-negative integer (uint32)",
    "int64": "an integer (int64)",
    "float64": "a number",
    "string": "a string",
    "duration": "a Go duration string such as \"20s\" or \"2m0s\"",
    "duration-or-int": "a Go duration string or a number of nanoseconds",
    "quantity": "a quantity such as \"100Mi\" or 1",
    "time": "an RFC 3339 time string",
}


@dataclass(frozen=True)
class Field:
    type: Type
    pointer: bool = False
    default: Any = NO_DEFAULT
    doc: str = ""
    deprecated: str = ""


BOOL, INT32, UINT32, INT64 = Type("bool"), Type("int32"), Type("uint32"), Type("int64")
FLOAT64, STRING, DURATION = Type("float64"), Type("string"), Type("duration")
QUANTITY, TIME = Type("quantity"), Type("time")


def list_of(item: Type) -> Type:
    return Type("list", item=item)


def map_of(item: Type) -> Type:
    return Type("map", item=item)


def struct(name: str, **fields: Field) -> Type:
    return Type("struct", fields=dict(fields), name=name)


def f(t: Type, default: Any = NO_DEFAULT, doc: str = "", deprecated: str = "") -> Field:
    """A non-pointer field: its zero value means "unset" to the defaulting code."""
    return Field(t, False, default, doc, deprecated)


def p(t: Type, default: Any = NO_DEFAULT, doc: str = "", deprecated: str = "") -> Field:
    """A pointer field: only absence (or null) means "unset"; an explicit zero is kept."""
    return Field(t, True, default, doc, deprecated)


_ROUTING = struct(
    "OutputRoutingOptions",
    splitStream=f(BOOL, doc="Errors to stderr, info to stdout, buffered (alpha)."),
    infoBufferSize=f(QUANTITY, doc="Size of the info stream buffer with split streams (alpha)."),
)

LOGGING = struct(
    "LoggingConfiguration",
    format=f(STRING, "text", doc="Log format: text or json."),
    flushFrequency=f(Type("duration-or-int"), "5s", doc="Maximum time between log flushes."),
    verbosity=f(UINT32, 0, doc="Log verbosity threshold."),
    vmodule=f(list_of(struct("VModuleItem", filePattern=f(STRING), verbosity=f(UINT32))),
              doc="Per-file verbosity overrides (text format only)."),
    options=f(struct("FormatOptions", text=f(_ROUTING), json=f(_ROUTING)), doc="Format-specific options."),
)

TAINT = struct(
    "Taint",
    key=f(STRING, doc="Taint key (a qualified name)."),
    value=f(STRING, doc="Taint value (a label value)."),
    effect=f(STRING, doc="NoSchedule, PreferNoSchedule or NoExecute."),
    timeAdded=p(TIME, doc="Only for NoExecute taints; must not be set in a kubelet config."),
)

AUTHENTICATION = struct(
    "KubeletAuthentication",
    x509=f(struct("KubeletX509Authentication",
                  clientCAFile=f(STRING, "", doc="CA bundle for client-certificate authentication.")),
           doc="x509 client certificate authentication."),
    webhook=f(struct("KubeletWebhookAuthentication",
                     enabled=p(BOOL, True, doc="Bearer-token authentication via TokenReview."),
                     cacheTTL=f(DURATION, "2m0s", doc="How long authentication results are cached.")),
              doc="Webhook bearer-token authentication."),
    anonymous=f(struct("KubeletAnonymousAuthentication",
                       enabled=p(BOOL, False, doc="Serve unauthenticated requests as system:anonymous.")),
                doc="Anonymous authentication."),
)

AUTHORIZATION = struct(
    "KubeletAuthorization",
    mode=f(STRING, "Webhook", doc="AlwaysAllow or Webhook."),
    webhook=f(struct("KubeletWebhookAuthorization",
                     cacheAuthorizedTTL=f(DURATION, "5m0s", doc="Cache of allow decisions."),
                     cacheUnauthorizedTTL=f(DURATION, "30s", doc="Cache of deny decisions.")),
              doc="Webhook (SubjectAccessReview) authorization."),
)

_STRINGS = list_of(STRING)
_STRING_MAP = map_of(STRING)

KUBELET_CONFIGURATION = struct(
    "KubeletConfiguration",
    apiVersion=f(STRING, doc="kubelet.config.k8s.io/v1beta1"),
    kind=f(STRING, doc="KubeletConfiguration"),
    enableServer=p(BOOL, True, doc="Enables the kubelet's secured (authenticated) server."),
    staticPodPath=f(STRING, "", doc="Directory (or single file) of static pod manifests."),
    podLogsDir=f(STRING, "/var/log/pods", doc="Root directory of pod logs."),
    syncFrequency=f(DURATION, "1m0s", doc="Max period between synchronizing running containers and config."),
    fileCheckFrequency=f(DURATION, "20s", doc="How often staticPodPath is re-read."),
    httpCheckFrequency=f(DURATION, "20s", doc="How often staticPodURL is polled."),
    staticPodURL=f(STRING, "", doc="URL polled for static pod manifests."),
    staticPodURLHeader=f(map_of(_STRINGS), doc="HTTP headers sent to staticPodURL."),
    address=f(STRING, "0.0.0.0", doc="Bind address of the kubelet server."),
    port=f(INT32, 10250, doc="Port of the authenticated kubelet server."),
    readOnlyPort=f(INT32, doc="Unauthenticated read-only port; 0 disables it (the file default)."),
    tlsCertFile=f(STRING, "", doc="Serving certificate."),
    tlsPrivateKeyFile=f(STRING, "", doc="Serving key."),
    tlsCipherSuites=f(_STRINGS, doc="Allowed TLS 1.2 cipher suites (Go constant names)."),
    tlsCurvePreferences=f(list_of(INT32), doc="Key exchange curves (Go CurveID values)."),
    tlsMinVersion=f(STRING, "", doc="Minimum TLS version (VersionTLS12, VersionTLS13)."),
    rotateCertificates=f(BOOL, False, doc="Client certificate rotation."),
    serverTLSBootstrap=f(BOOL, False, doc="Request the serving certificate from the certificates API."),
    authentication=f(AUTHENTICATION, doc="How requests to the kubelet server are authenticated."),
    authorization=f(AUTHORIZATION, doc="How requests to the kubelet server are authorized."),
    registryPullQPS=p(INT32, 5, doc="Registry pulls per second; 0 means no limit."),
    registryBurst=f(INT32, 10, doc="Burst of registry pulls."),
    imagePullCredentialsVerificationPolicy=f(STRING, doc="Credential verification for cached images."),
    preloadedImagesVerificationAllowlist=f(_STRINGS, doc="Images exempt from credential re-verification."),
    eventRecordQPS=p(INT32, 50, doc="Event creations per second; 0 means no limit."),
    eventBurst=f(INT32, 100, doc="Burst of event creations."),
    enableDebuggingHandlers=p(BOOL, True, doc="exec, attach, logs and port-forward endpoints."),
    enableContentionProfiling=f(BOOL, False, doc="Block profiling."),
    healthzPort=p(INT32, 10248, doc="Localhost healthz port; 0 disables it."),
    healthzBindAddress=f(STRING, "127.0.0.1", doc="Bind address of the healthz server."),
    oomScoreAdj=p(INT32, -999, doc="OOM score adjustment of the kubelet process."),
    clusterDomain=f(STRING, "", doc="Cluster DNS domain."),
    clusterDNS=f(_STRINGS, doc="Cluster DNS server IPs."),
    streamingConnectionIdleTimeout=f(DURATION, "4h0m0s", doc="Idle timeout of streaming connections.",
                                     deprecated="no longer has any effect"),
    nodeStatusUpdateFrequency=f(DURATION, "10s", doc="How often node status is computed."),
    nodeStatusReportFrequency=f(DURATION, "5m0s", doc="How often unchanged node status is posted."),
    nodeLeaseDurationSeconds=f(INT32, 40, doc="Duration of the node Lease."),
    imageMinimumGCAge=f(DURATION, "2m0s", doc="Minimum age of an unused image before GC."),
    imageMaximumGCAge=f(DURATION, doc="Maximum age of an unused image; 0s disables it."),
    imageGCHighThresholdPercent=p(INT32, 85, doc="Disk usage above which image GC always runs."),
    imageGCLowThresholdPercent=p(INT32, 80, doc="Disk usage below which image GC never runs."),
    volumeStatsAggPeriod=f(DURATION, "1m0s", doc="Period of volume disk usage calculation."),
    kubeletCgroups=f(STRING, "", doc="Cgroup of the kubelet."),
    systemCgroups=f(STRING, "", doc="Cgroup of non-kernel processes outside containers."),
    cgroupRoot=f(STRING, "", doc="Root cgroup for pods."),
    cgroupsPerQOS=p(BOOL, True, doc="QoS-class cgroup hierarchy."),
    cgroupDriver=f(STRING, "cgroupfs", doc="cgroupfs or systemd."),
    cpuManagerPolicy=f(STRING, "none", doc="CPU manager policy: none or static."),
    singleProcessOOMKill=p(BOOL, doc="OOM-kill single processes instead of the container's cgroup."),
    cpuManagerPolicyOptions=f(_STRING_MAP, doc="CPU manager policy options."),
    cpuManagerReconcilePeriod=f(DURATION, "10s", doc="CPU manager reconciliation period."),
    draManagerReconcilePeriod=f(DURATION, "1m0s", doc="DRA manager reconciliation period."),
    memoryManagerPolicy=f(STRING, "None", doc="Memory manager policy: None or Static."),
    topologyManagerPolicy=f(STRING, "none", doc="none, best-effort, restricted or single-numa-node."),
    topologyManagerScope=f(STRING, "container", doc="container or pod."),
    topologyManagerPolicyOptions=f(_STRING_MAP, doc="Topology manager policy options."),
    qosReserved=f(_STRING_MAP, doc="Percentage of a resource reserved for Guaranteed pods."),
    runtimeRequestTimeout=f(DURATION, "2m0s", doc="Timeout of runtime requests."),
    hairpinMode=f(STRING, "promiscuous-bridge", doc="promiscuous-bridge, hairpin-veth or none."),
    maxPods=f(INT32, 110, doc="Maximum number of pods on the node."),
    podCIDR=f(STRING, "", doc="Pod CIDR in standalone mode."),
    podPidsLimit=p(INT64, -1, doc="Maximum PIDs per pod; negative means unlimited (-1)."),
    resolvConf=p(STRING, "/etc/resolv.conf", doc="Resolver configuration for pods; empty disables DNS."),
    runOnce=f(BOOL, False, doc="Run the pods once and exit (deprecated, rejected)."),
    cpuCFSQuota=p(BOOL, True, doc="CFS quota enforcement for CPU limits."),
    cpuCFSQuotaPeriod=p(DURATION, "100ms", doc="CFS quota period (needs CustomCPUCFSQuotaPeriod)."),
    nodeStatusMaxImages=p(INT32, 50, doc="Images reported in Node status; -1 means no cap."),
    maxOpenFiles=f(INT64, 1000000, doc="Open files of the kubelet process."),
    contentType=f(STRING, "application/vnd.kubernetes.protobuf", doc="Content type of API requests."),
    kubeAPIQPS=p(INT32, 50, doc="QPS towards the API server."),
    kubeAPIBurst=f(INT32, 100, doc="Burst towards the API server."),
    serializeImagePulls=p(BOOL, True, doc="Pull one image at a time (false when maxParallelImagePulls >= 2)."),
    maxParallelImagePulls=p(INT32, doc="Maximum parallel image pulls."),
    evictionHard=f(_STRING_MAP, doc="Hard eviction thresholds per signal."),
    evictionSoft=f(_STRING_MAP, doc="Soft eviction thresholds per signal."),
    evictionSoftGracePeriod=f(_STRING_MAP, doc="Grace period per soft eviction signal."),
    evictionPressureTransitionPeriod=f(DURATION, "5m0s", doc="Wait before leaving a pressure condition."),
    evictionMaxPodGracePeriod=f(INT32, 0, doc="Maximum pod grace period in soft evictions."),
    evictionMinimumReclaim=f(_STRING_MAP, doc="Minimum reclaim per signal."),
    mergeDefaultEvictionSettings=p(BOOL, False, doc="Keep the default signals not set in evictionHard."),
    podsPerCore=f(INT32, 0, doc="Pods per core; 0 means no limit."),
    enableControllerAttachDetach=p(BOOL, True, doc="Attach/detach controller manages volumes."),
    protectKernelDefaults=f(BOOL, False, doc="Fail when kernel tunables differ instead of changing them."),
    makeIPTablesUtilChains=p(BOOL, True, doc="Create the KUBE-IPTABLES-HINT chain."),
    iptablesMasqueradeBit=p(INT32, 14, doc="Formerly the KUBE-MARK-MASQ bit.", deprecated="no longer has any effect"),
    iptablesDropBit=p(INT32, 15, doc="Formerly the KUBE-MARK-DROP bit.", deprecated="no longer has any effect"),
    featureGates=f(map_of(BOOL), doc="Feature gate overrides."),
    failSwapOn=p(BOOL, True, doc="Refuse to start when swap is on."),
    memorySwap=f(struct("MemorySwapConfiguration", swapBehavior=f(STRING, doc="\"\", NoSwap or LimitedSwap.")),
                 doc="Swap available to workloads."),
    containerLogMaxSize=f(STRING, "10Mi", doc="Container log size before rotation (a quantity)."),
    containerLogMaxFiles=p(INT32, 5, doc="Container log files kept."),
    containerLogMaxWorkers=p(INT32, 1, doc="Concurrent log rotation workers."),
    containerLogMonitorInterval=p(DURATION, "10s", doc="Log rotation check interval."),
    configMapAndSecretChangeDetectionStrategy=f(STRING, "Watch", doc="Get, Cache or Watch."),
    systemReserved=f(_STRING_MAP, doc="Resources reserved for OS daemons."),
    kubeReserved=f(_STRING_MAP, doc="Resources reserved for Kubernetes daemons."),
    reservedSystemCPUs=f(STRING, "", doc="CPU list reserved for system and Kubernetes daemons."),
    showHiddenMetricsForVersion=f(STRING, "", doc="Previous minor version whose hidden metrics to show."),
    systemReservedCgroup=f(STRING, "", doc="Cgroup enforcing systemReserved."),
    kubeReservedCgroup=f(STRING, "", doc="Cgroup enforcing kubeReserved."),
    enforceNodeAllocatable=f(_STRINGS, ["pods"], doc="Node allocatable enforcements."),
    allowedUnsafeSysctls=f(_STRINGS, doc="Unsafe sysctls pods may set."),
    volumePluginDir=f(STRING, "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/",
                      doc="Directory of flexvolume plugins."),
    providerID=f(STRING, "", doc="Cloud provider instance ID."),
    kernelMemcgNotification=f(BOOL, False, doc="Kernel memcg notifications for memory eviction."),
    logging=f(LOGGING, doc="Logging options."),
    enableSystemLogHandler=p(BOOL, True, doc="Serve node logs at /logs/."),
    enableSystemLogQuery=p(BOOL, False, doc="Node log query on /logs (needs NodeLogQuery)."),
    shutdownGracePeriod=f(DURATION, doc="Graceful node shutdown period; 0s disables it."),
    shutdownGracePeriodCriticalPods=f(DURATION, doc="Part of shutdownGracePeriod for critical pods."),
    shutdownGracePeriodByPodPriority=f(list_of(struct("ShutdownGracePeriodByPodPriority",
                                                      priority=f(INT32),
                                                      shutdownGracePeriodSeconds=f(INT64))),
                                       doc="Shutdown grace period per pod priority."),
    crashLoopBackOff=f(struct("CrashLoopBackOffConfig",
                              maxContainerRestartPeriod=p(DURATION, doc="Maximum crash loop back-off (1s-300s).")),
                       doc="Container restart back-off."),
    reservedMemory=f(list_of(struct("MemoryReservation", numaNode=f(INT32), limits=f(map_of(QUANTITY)))),
                     doc="Memory reserved per NUMA node."),
    enableProfilingHandler=p(BOOL, True, doc="/debug/pprof/ on the kubelet server."),
    enableDebugFlagsHandler=p(BOOL, True, doc="/debug/flags/v on the kubelet server."),
    seccompDefault=p(BOOL, False, doc="RuntimeDefault seccomp for every workload without a profile."),
    memoryThrottlingFactor=p(FLOAT64, 0.9, doc="memory.high factor for MemoryQoS."),
    memoryReservationPolicy=f(STRING, "None", doc="None or TieredReservation (MemoryQoS)."),
    registerWithTaints=f(list_of(TAINT), doc="Taints added when the node registers."),
    registerNode=p(BOOL, True, doc="Register the node with the API server."),
    tracing=p(struct("TracingConfiguration",
                     endpoint=p(STRING, doc="OTLP collector endpoint."),
                     samplingRatePerMillion=p(INT32, doc="Samples per million spans.")),
              doc="OpenTelemetry tracing."),
    localStorageCapacityIsolation=p(BOOL, True, doc="Ephemeral storage isolation."),
    containerRuntimeEndpoint=f(STRING, "unix:///run/containerd/containerd.sock", doc="CRI endpoint."),
    imageServiceEndpoint=f(STRING, "", doc="CRI image service endpoint."),
    failCgroupV1=p(BOOL, True, doc="Refuse to start on cgroup v1 hosts."),
    userNamespaces=p(struct("UserNamespaces", idsPerPod=p(INT64, doc="UID/GID range length per pod.")),
                     doc="User namespace settings."),
    # Newer than the v1.36 types.go the reference cites; known so that they are not reported as typos.
    defaultPodSysctls=f(_STRING_MAP, doc="Sysctls applied to every pod (DefaultPodSysctls, v1.37)."),
    podHousekeepingPeriod=p(DURATION, doc="Pod housekeeping period (newer releases)."),
)


@dataclass
class FieldInfo:
    """A field reached by a path, with the type that holds it."""

    field: Field | None
    type: Type | None
    in_map: bool = False


def type_at(path: tuple, root: Type = KUBELET_CONFIGURATION) -> Type | None:
    """The declared type at ``path`` (struct fields, map values and list items), or None if unknown."""
    t: Type | None = root
    for part in path:
        if t is None:
            return None
        if t.kind == "struct":
            fld = (t.fields or {}).get(part) if isinstance(part, str) else None
            t = fld.type if fld else None
        elif t.kind in ("map", "list"):
            t = t.item
        else:
            return None
    return t


def field_at(path: tuple, root: Type = KUBELET_CONFIGURATION) -> Field | None:
    """The struct field named by the last element of ``path``, or None (map entries, list items, unknown)."""
    if not path:
        return None
    parent = type_at(path[:-1], root)
    if parent is None or parent.kind != "struct" or not isinstance(path[-1], str):
        return None
    return (parent.fields or {}).get(path[-1])


def iter_fields(t: Type = KUBELET_CONFIGURATION, prefix: tuple = ()) -> list[tuple[tuple, Field]]:
    """Every struct field reachable without going through a list or map, depth first."""
    out: list[tuple[tuple, Field]] = []
    for name, fld in (t.fields or {}).items():
        out.append((prefix + (name,), fld))
        if fld.type.kind == "struct":
            out.extend(iter_fields(fld.type, prefix + (name,)))
    return out


def field_names(t: Type) -> list[str]:
    return sorted((t.fields or {}).keys())
