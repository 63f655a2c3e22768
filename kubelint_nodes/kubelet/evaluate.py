"""The kubelet-config rules, judged on one file ("explicit") or on the effective configuration.

The catalogue's "fires on" column decides which is which (:data:`EXPLICIT_RULES`,
:data:`EFFECTIVE_RULES`): an explicit rule reads what a file says, so a drop-in linted on its own gets
it; an effective rule reads what the kubelet will run with — defaults applied, drop-ins merged — and is
reported at the file and line that set the value, or at the nearest existing parent for a default.

Command-line flags override the file; a file linter cannot see them, so messages about effective values
name the flag that would change the verdict.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from .effective import DEFAULT_EVICTION_HARD, EffectiveConfig, Layer
from .typecheck import check_document, dotted
from .validation import validate
from .values import describe_value

EXPLICIT_RULES = (
    "schema-invalid",
    "kubelet-unknown-field",
    "kubelet-partial-eviction-hard",
    "kubelet-static-pod-path-relative",
    "kubelet-static-pod-url",
    "kubelet-certificate-rotation-disabled",
    "kubelet-weak-tls",
)
EFFECTIVE_RULES = (
    "kubelet-config-invalid",
    "kubelet-anonymous-auth",
    "kubelet-authorization-always-allow",
    "kubelet-webhook-authn-disabled",
    "kubelet-client-ca-missing",
    "kubelet-read-only-port",
    "kubelet-protect-kernel-defaults",
    "kubelet-seccomp-default-disabled",
)
# Rules about the authenticated server: with enableServer false they still report, at info.
SERVER_AUTH_RULES = (
    "kubelet-anonymous-auth",
    "kubelet-authorization-always-allow",
    "kubelet-webhook-authn-disabled",
    "kubelet-client-ca-missing",
)
DEFAULT_WEAK_PATTERNS = ("RC4", "3DES", "CBC")
DEFAULT_MIN_TLS = "VersionTLS12"
_TLS_ORDER = {"VersionTLS10": 10, "VersionTLS11": 11, "VersionTLS12": 12, "VersionTLS13": 13}


@dataclass
class KubeletFinding:
    """A finding before the engine places it: ``layer`` and ``path`` give file and position."""

    rule: str
    layer: Layer | None
    path: tuple
    message: str
    severity: str | None = None  # set only when the rule's semantics demand it (server off -> info)


# -- explicit -----------------------------------------------------------------------------------------
def explicit_findings(layer: Layer, params: dict[str, dict[str, Any]] | None = None,
                      merge_default_eviction: bool | None = None) -> list[KubeletFinding]:
    """Rules that judge what one document says. ``merge_default_eviction`` is the effective
    ``mergeDefaultEvictionSettings`` when known (a drop-in may set it for the main file)."""
    params = params or {}
    data = layer.data
    out: list[KubeletFinding] = []
    for problem in check_document(data):
        rule = "kubelet-unknown-field" if problem.kind == "unknown-field" else "schema-invalid"
        out.append(KubeletFinding(rule, layer, problem.path, problem.message))
    out.extend(_partial_eviction(layer, merge_default_eviction))
    out.extend(_static_pods(layer))
    if data.get("rotateCertificates") is False:
        out.append(KubeletFinding(
            "kubelet-certificate-rotation-disabled", layer, ("rotateCertificates",),
            "rotateCertificates is false: the kubelet does not renew its client certificate through the "
            "certificates API, so the node loses access to the API server when it expires (or runs with a "
            "long-lived credential), unless overridden by a flag (--rotate-certificates on the kubelet command "
            "line)"))
    out.extend(_weak_tls(layer, params.get("kubelet-weak-tls", {})))
    return out


def _partial_eviction(layer: Layer, merge_default: bool | None) -> list[KubeletFinding]:
    hard = layer.data.get("evictionHard")
    if not isinstance(hard, dict) or layer.dropin:
        # A drop-in merges its evictionHard key by key into the configuration it patches (JSON merge patch,
        # cmd/kubelet/app/server.go mergeKubeletConfigurations): it adds or changes signals but never drops
        # the others, so only a main file can be partial.
        return []
    if merge_default is None:
        merge_default = layer.data.get("mergeDefaultEvictionSettings") is True
    if merge_default:
        return []
    missing = [s for s in DEFAULT_EVICTION_HARD if s not in hard]
    if not missing:
        return []
    dropped = ", ".join(f"{s} {DEFAULT_EVICTION_HARD[s]}" for s in missing)
    if hard:
        shown = ", ".join(str(k) for k in hard)
        head = f"evictionHard sets {shown} but not {', '.join(missing)}"
    else:
        head = "evictionHard is empty"
    tail = ""
    return [KubeletFinding(
        "kubelet-partial-eviction-hard", layer, ("evictionHard",),
        f"{head}: the kubelet then applies no threshold for the others (the defaults {dropped} are "
        f"dropped), unless mergeDefaultEvictionSettings is true{tail}")]


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or path.startswith("\\") or (len(path) > 2 and path[1] == ":"
                                                            and path[2] in "/\\")


def _static_pods(layer: Layer) -> list[KubeletFinding]:
    out = []
    spp = layer.data.get("staticPodPath")
    if isinstance(spp, str) and spp and not _is_absolute(spp):
        if layer.dropin:
            msg = (f"staticPodPath {spp!r} is relative: drop-in files are merged without resolving relative "
                   "paths, so it depends on the kubelet's working directory; write an absolute path")
        else:
            here = posixpath.dirname(layer.file) or "."
            resolved = posixpath.normpath(posixpath.join(here, spp))
            on_node = posixpath.normpath(posixpath.join("/var/lib/kubelet", spp))
            msg = (f"staticPodPath {spp!r} is relative: the kubelet resolves it against the directory of its "
                   f"config file, so it reads {resolved!r} for this file as laid out here, and {on_node!r} when "
                   "the file is installed as /var/lib/kubelet/config.yaml; write the absolute path you mean")
        out.append(KubeletFinding("kubelet-static-pod-path-relative", layer, ("staticPodPath",), msg))
    url = layer.data.get("staticPodURL")
    if isinstance(url, str) and url:
        plain = " over plain http," if url.lower().startswith("http://") else ""
        out.append(KubeletFinding(
            "kubelet-static-pod-url", layer, ("staticPodURL",),
            f"staticPodURL is set to {url!r}: the kubelet fetches pod manifests from the network{plain} and runs "
            "them as static pods outside API admission control; whoever controls that URL runs pods on the node"))
    return out


def _weak_tls(layer: Layer, params: dict[str, Any]) -> list[KubeletFinding]:
    out = []
    minimum = params.get("min-version", DEFAULT_MIN_TLS)
    patterns = [str(p).upper() for p in params.get("weak-patterns", DEFAULT_WEAK_PATTERNS)]
    version = layer.data.get("tlsMinVersion")
    if isinstance(version, str) and version in _TLS_ORDER and _TLS_ORDER[version] < _TLS_ORDER.get(minimum, 12):
        out.append(KubeletFinding(
            "kubelet-weak-tls", layer, ("tlsMinVersion",),
            f"tlsMinVersion {version} lets clients negotiate TLS below {minimum}; set {minimum} or higher"))
    suites = layer.data.get("tlsCipherSuites")
    if isinstance(suites, list):
        for i, name in enumerate(suites):
            if not isinstance(name, str):
                continue
            tokens = name.upper().split("_")
            weak = [p for p in patterns if p in tokens]
            if weak:
                out.append(KubeletFinding(
                    "kubelet-weak-tls", layer, ("tlsCipherSuites", i),
                    f"tlsCipherSuites allows {name}, which uses {', '.join(weak)}; keep only AES-GCM or "
                    "ChaCha20-Poly1305 suites"))
    return out


# -- effective ----------------------------------------------------------------------------------------
def _flag_note(flag: str) -> str:
    return f", unless overridden by a flag ({flag} on the kubelet command line)"


def effective_findings(eff: EffectiveConfig) -> list[KubeletFinding]:
    """Rules that judge the configuration the kubelet will run with."""
    out: list[KubeletFinding] = []
    for inv in validate(eff):
        layer, path = eff.anchor(inv.path)
        out.append(KubeletFinding("kubelet-config-invalid", layer, path, inv.message))
    server_off = eff.get(("enableServer",)) is False

    def origin(path: tuple) -> str:
        return eff.describe_origin(path, eff.anchor(path)[0])

    def add(rule: str, path: tuple, text: str) -> None:
        layer, at = eff.anchor(path)
        severity = None
        if server_off and rule in SERVER_AUTH_RULES:
            severity = "info"
            text = (f"{text} — the authenticated kubelet server is off (enableServer: false, "
                    f"{eff.describe_origin(('enableServer',), layer)}), so this matters only if it is turned on")
        out.append(KubeletFinding(rule, layer, at, text, severity))

    g = eff.get
    p = ("authentication", "anonymous", "enabled")
    if g(p) is True:
        add("kubelet-anonymous-auth", p,
            f"authentication.anonymous.enabled is true ({origin(p)}): requests that no other "
            "authenticator rejects reach the kubelet API (exec, logs, pod listing) as system:anonymous"
            + _flag_note("--anonymous-auth"))
    p = ("authorization", "mode")
    if g(p) == "AlwaysAllow":
        add("kubelet-authorization-always-allow", p,
            f"authorization.mode is AlwaysAllow ({origin(p)}): every authenticated request, and "
            "every anonymous one if anonymous auth is on, may exec into pods and read their logs"
            + _flag_note("--authorization-mode"))
    p = ("authentication", "webhook", "enabled")
    if g(p) is False:
        add("kubelet-webhook-authn-disabled", p,
            f"authentication.webhook.enabled is false ({origin(p)}): the kubelet does not check "
            "bearer tokens with the API server (TokenReview), so service account and user tokens are not "
            "accepted" + _flag_note("--authentication-token-webhook"))
    p = ("authentication", "x509", "clientCAFile")
    if not g(p):
        add("kubelet-client-ca-missing", p,
            f"authentication.x509.clientCAFile is not set ({origin(p)}): the kubelet verifies no "
            "client certificate, so the API server cannot authenticate to it with its kubelet client "
            "certificate" + _flag_note("--client-ca-file"))
    p = ("readOnlyPort",)
    port = g(p)
    if isinstance(port, int) and not isinstance(port, bool) and port != 0:
        note = " (it is served even with enableServer: false)" if server_off else ""
        add("kubelet-read-only-port", p,
            f"readOnlyPort is {port} ({origin(p)}): that port serves pod and node information with "
            f"no authentication or authorization{note}" + _flag_note("--read-only-port=0"))
    p = ("protectKernelDefaults",)
    if g(p) is not True:
        add("kubelet-protect-kernel-defaults", p,
            f"protectKernelDefaults is {describe_value(g(p))} ({origin(p)}): the kubelet rewrites "
            "kernel tunables it disagrees with instead of refusing to start on a node tuned otherwise"
            + _flag_note("--protect-kernel-defaults"))
    p = ("seccompDefault",)
    if g(p) is not True:
        add("kubelet-seccomp-default-disabled", p,
            f"seccompDefault is {describe_value(g(p))} ({origin(p)}): containers that set no "
            "seccomp profile run Unconfined instead of RuntimeDefault" + _flag_note("--seccomp-default"))
    return out


def path_text(path: tuple) -> str:
    return dotted(path)
