"""Per-version facts about the control-plane components' command lines.

Only facts a rule needs are kept: flag defaults, which flags are booleans
(pflag and Go's ``flag`` package do not let a boolean take the next word as
its value, so parsing depends on it), which flags and admission plugins a
release no longer accepts, and which etcd minor kubeadm pairs with a
Kubernetes minor.

Sources (read for this table, cited per entry below):

* ``kube-apiserver`` flag reference for v1.35 (``kubernetes/website``
  ``content/en/docs/reference/command-line-tools-reference/kube-apiserver.md``):
  ``--anonymous-auth`` default true, ``--profiling`` default true,
  ``--service-account-lookup`` default true, ``--authorization-mode``
  "Defaults to AlwaysAllow if --authorization-config is not used", the
  default-enabled admission plugins (neither ``NodeRestriction`` nor
  ``AlwaysAdmit`` is among them), the cipher-suite lists.
* ``pkg/kubeapiserver/options/admission.go``: ``--admission-control`` is the
  whole enabled list and is mutually exclusive with the enable/disable flags.
* kube-controller-manager and kube-scheduler serve on ``--bind-address``
  0.0.0.0 by default (``k8s.io/apiserver`` ``SecureServingOptions``), both
  profile by default; kube-scheduler ignores its deprecated ``--profiling``
  when ``--config`` is given (``cmd/kube-scheduler/app/options/options.go``,
  ``ApplyTo``). ``--use-service-account-credentials`` defaults to false.
* etcd: ``--client-cert-auth``, ``--peer-client-cert-auth``, ``--auto-tls``
  and ``--peer-auto-tls`` default to false; client and peer URLs default to
  ``http://localhost:2379`` and ``http://localhost:2380``; every flag may also
  come from an ``ETCD_*`` environment variable, and ``--config-file`` makes
  etcd ignore all other flags and variables (etcd configuration docs).
* kubeadm ``cmd/kubeadm/app/constants/constants.go`` ``SupportedEtcdVersion``:
  Kubernetes 1.34-1.36 run etcd 3.6.x.

The three newest minors (1.35, 1.36, 1.37) share these values: no default
named here changed between them. Older minors reuse the nearest known data,
which only matters for removals, whose versions are exact.
"""

from __future__ import annotations

from dataclasses import dataclass

APISERVER = "kube-apiserver"
CONTROLLER_MANAGER = "kube-controller-manager"
SCHEDULER = "kube-scheduler"
ETCD = "etcd"
COMPONENTS = (APISERVER, CONTROLLER_MANAGER, SCHEDULER, ETCD)

# The Kubernetes minors whose defaults this module was checked against.
SUPPORTED: tuple[str, ...] = ("1.35", "1.36", "1.37")

Version = tuple[int, int]


def parse_minor(text: str | None) -> Version | None:
    """``"1.37"``, ``"v1.24.1"`` or ``"3.5.1-0"`` -> (major, minor); None when it is not a version."""
    if not isinstance(text, str):
        return None
    s = text.strip()
    if s[:1] in ("v", "V"):
        s = s[1:]
    parts = s.split(".")
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    minor = ""
    for ch in parts[1]:
        if not ch.isdigit():
            break
        minor += ch
    if not minor:
        return None
    return int(parts[0]), int(minor)


def fmt(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


def default_kubernetes_version() -> str:
    """The newest release the rest of the tool supports (schema module), else ours."""
    try:
        from ..schema import DEFAULT_VERSION
    except ImportError:  # pragma: no cover - the schema module ships with the package
        return SUPPORTED[-1]
    return DEFAULT_VERSION


def etcd_for(k8s: Version) -> Version:
    """The etcd minor kubeadm runs with a Kubernetes minor (``SupportedEtcdVersion``)."""
    if k8s >= (1, 34):
        return (3, 6)
    if k8s >= (1, 22):
        return (3, 5)
    return (3, 4)


# -- flag kinds -------------------------------------------------------------------
# Booleans never consume the next word: ``--profiling false`` leaves ``false``
# as a positional argument (pflag ``NoOptDefVal``; Go ``flag`` ``boolFlag``).
# Removed booleans stay listed so old manifests still parse as their own release did.
_K8S_COMMON_BOOL = frozenset({
    "help", "log-text-split-stream", "log-json-split-stream", "permit-address-sharing",
    "permit-port-sharing", "disable-http2-serving", "contention-profiling", "profiling",
    # klog flags, removed in 1.26 (kubernetes/kubernetes#112120)
    "logtostderr", "alsologtostderr", "one-output", "skip-headers", "skip-log-headers", "add-dir-header",
})

BOOL_FLAGS: dict[str, frozenset[str]] = {
    APISERVER: _K8S_COMMON_BOOL | {
        "aggregator-reject-forwarding-redirect", "allow-privileged", "anonymous-auth",
        "audit-log-batch-throttle-enable", "audit-log-compress", "audit-log-truncate-enabled",
        "audit-webhook-batch-throttle-enable", "audit-webhook-truncate-enabled",
        "emulation-forward-compatible", "enable-aggregator-routing", "enable-bootstrap-token-auth",
        "enable-garbage-collector", "enable-logs-handler", "enable-priority-and-fairness",
        "encryption-provider-config-automatic-reload", "runtime-config-emulation-forward-compatible",
        "service-account-extend-token-expiration", "service-account-lookup", "shutdown-send-retry-after",
        "watch-cache", "kubelet-https", "enable-swagger-ui",
    },
    CONTROLLER_MANAGER: _K8S_COMMON_BOOL | {
        "allocate-node-cidrs", "allow-untagged-cloud", "authentication-skip-lookup",
        "authentication-tolerate-lookup-failure", "configure-cloud-routes",
        "disable-attach-detach-reconcile-sync", "enable-dynamic-provisioning", "enable-garbage-collector",
        "enable-hostpath-provisioner", "enable-leader-migration", "leader-elect",
        "use-service-account-credentials", "enable-taint-manager",
    },
    SCHEDULER: _K8S_COMMON_BOOL | {
        "authentication-skip-lookup", "authentication-tolerate-lookup-failure", "leader-elect",
        "use-legacy-policy-config",
    },
    ETCD: frozenset({
        "auto-tls", "client-cert-auth", "peer-auto-tls", "peer-client-cert-auth", "enable-pprof",
        "force-new-cluster", "strict-reconfig-check", "enable-v2", "enable-grpc-gateway", "debug",
        "socket-reuse-port", "socket-reuse-address", "enable-log-rotation", "version", "help",
        "experimental-initial-corrupt-check", "experimental-enable-lease-checkpoint",
        "experimental-enable-lease-checkpoint-persist", "experimental-memory-mlock", "memory-mlock",
        "experimental-peer-skip-client-san-verification", "peer-skip-client-san-verification",
        "experimental-enable-distributed-tracing", "enable-distributed-tracing",
        "experimental-compact-hash-check-enabled", "experimental-stop-grpc-service-on-defrag",
        "experimental-txn-mode-write-with-shared-buffer", "unsafe-no-fsync",
    }),
}

# pflag ``StringSlice``: the first occurrence replaces the default, later ones append
# (spf13/pflag string_slice.go ``Set``); values are comma-separated.
SLICE_FLAGS: dict[str, frozenset[str]] = {
    APISERVER: frozenset({
        "authorization-mode", "enable-admission-plugins", "disable-admission-plugins",
        "admission-control", "tls-cipher-suites", "etcd-servers", "service-account-key-file",
        "service-account-issuer", "api-audiences",
    }),
    CONTROLLER_MANAGER: frozenset({"tls-cipher-suites", "controllers"}),
    SCHEDULER: frozenset({"tls-cipher-suites"}),
    ETCD: frozenset(),  # etcd's URL lists are one comma-separated value; a repeat replaces it
}

# -- defaults ---------------------------------------------------------------------
# (since, {flag: default}): later entries override earlier ones for versions >= since.
_DEFAULTS: dict[str, list[tuple[Version, dict[str, str]]]] = {
    APISERVER: [((1, 0), {
        "anonymous-auth": "true",
        "authorization-mode": "AlwaysAllow",
        "profiling": "true",
        "service-account-lookup": "true",
    })],
    CONTROLLER_MANAGER: [((1, 0), {
        "profiling": "true",
        "use-service-account-credentials": "false",
        "bind-address": "0.0.0.0",
        "secure-port": "10257",
        "terminated-pod-gc-threshold": "12500",
    })],
    SCHEDULER: [((1, 0), {
        "profiling": "true",
        "bind-address": "0.0.0.0",
        "secure-port": "10259",
    })],
    ETCD: [((3, 0), {
        "client-cert-auth": "false",
        "peer-client-cert-auth": "false",
        "auto-tls": "false",
        "peer-auto-tls": "false",
        "listen-client-urls": "http://localhost:2379",
        "listen-peer-urls": "http://localhost:2380",
    })],
}


def default(component: str, flag: str, version: Version) -> str | None:
    value = None
    for since, table in _DEFAULTS.get(component, ()):
        if version >= since and flag in table:
            value = table[flag]
    return value


# Admission plugins on by default (kube-apiserver reference, v1.35, ``--enable-admission-plugins``).
DEFAULT_ADMISSION_PLUGINS = frozenset({
    "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "TaintNodesByCondition", "PodSecurity", "Priority",
    "DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection",
    "PersistentVolumeClaimResize", "RuntimeClass", "CertificateApproval", "CertificateSigning",
    "ClusterTrustBundleAttest", "CertificateSubjectRestriction", "DefaultIngressClass", "PodTopologyLabels",
    "NodeDeclaredFeatureValidator", "MutatingAdmissionPolicy", "MutatingAdmissionWebhook",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota",
})

AUTHORIZATION_MODES = ("AlwaysAllow", "AlwaysDeny", "ABAC", "Webhook", "RBAC", "Node")


# -- removals ---------------------------------------------------------------------
@dataclass(frozen=True)
class Removal:
    name: str
    removed_in: Version  # a Kubernetes minor, or an etcd minor for etcd
    source: str
    instead: str = ""


def _r(names: str, version: Version, source: str, instead: str = "") -> list[Removal]:
    return [Removal(n, version, source, instead) for n in names.split()]


_KLOG = _r("log-dir log-file log-file-max-size logtostderr alsologtostderr one-output stderrthreshold "
           "skip-headers skip-log-headers add-dir-header log-backtrace-at", (1, 26),
           "kubernetes/kubernetes#112120", "components always log to stderr; keep only -v and --vmodule")

REMOVED_FLAGS: dict[str, list[Removal]] = {
    APISERVER: [
        *_r("basic-auth-file", (1, 19), "kubernetes/kubernetes#89069", "use another authenticator"),
        *_r("kubelet-https", (1, 22), "kubernetes/kubernetes#101178",
            "connections to kubelets always use HTTPS"),
        *_r("insecure-port insecure-bind-address port address", (1, 24), "kubernetes/kubernetes#95856",
            "there is no insecure port any more; use --secure-port and --bind-address"),
        *_KLOG,
    ],
    CONTROLLER_MANAGER: [
        *_r("port address", (1, 24), "CHANGELOG-1.24 (insecure serving removed)",
            "use --secure-port and --bind-address"),
        *_r("experimental-cluster-signing-duration", (1, 25), "kubernetes/kubernetes#108476",
            "use --cluster-signing-duration"),
        *_r("enable-taint-manager pod-eviction-timeout", (1, 27), "kubernetes/kubernetes#115840",
            "taint-based eviction is always on"),
        *_KLOG,
    ],
    SCHEDULER: [
        *_r("hard-pod-affinity-symmetric-weight scheduler-name", (1, 22), "kubernetes/kubernetes#102805",
            "set it in the KubeSchedulerConfiguration (--config)"),
        *_r("policy-config-file policy-configmap policy-configmap-namespace use-legacy-policy-config", (1, 23),
            "kubernetes/kubernetes#105424", "use a KubeSchedulerConfiguration (--config)"),
        *_r("port address", (1, 24), "kubernetes/kubeadm#2716 (unknown flag: --address in 1.24)",
            "use --secure-port and --bind-address"),
        *_KLOG,
    ],
    ETCD: _r("enable-v2 experimental-enable-v2v3 proxy proxy-failure-wait proxy-refresh-interval "
             "proxy-dial-timeout proxy-write-timeout proxy-read-timeout", (3, 6),
             "etcd v3.6 upgrade guide, \"Flags removed\"", "the v2 API and the proxy mode are gone"),
}

# Admission plugin names the API server refuses as unknown once removed.
REMOVED_ADMISSION_PLUGINS: list[Removal] = [
    Removal("PodSecurityPolicy", (1, 25), "KEP-5 (PodSecurityPolicy removal)", "use the PodSecurity plugin"),
    Removal("SecurityContextDeny", (1, 30), "kubernetes/kubernetes#122612", "use the PodSecurity plugin"),
]


def removed_flag(component: str, flag: str, version: Version) -> Removal | None:
    for r in REMOVED_FLAGS.get(component, ()):
        if r.name == flag and version >= r.removed_in:
            return r
    return None


def removed_plugin(name: str, version: Version) -> Removal | None:
    for r in REMOVED_ADMISSION_PLUGINS:
        if r.name == name and version >= r.removed_in:
            return r
    return None
