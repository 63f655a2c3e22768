"""Control-plane flag rules: kube-apiserver, kube-controller-manager, kube-scheduler and etcd.

Every rule reads the flags the component really receives (``command`` plus
``args``, ``sh -c`` scripts, ``$(VAR)`` expansion, etcd's ``ETCD_*``
variables; see :mod:`kubelint_nodes.controlplane`) and judges the effective
value: an unset flag has its default for the version in force, so a missing
``--profiling=false`` is a finding and a missing ``--service-account-lookup``
is not. A value only known at run time is not judged. A finding points at the
list item that sets the flag, or at the ``command``/``args`` key when the flag
is missing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from ..controlplane import Invocation, VersionInForce, invocations, tls, version_in_force
from ..controlplane import versions as V
from ..controlplane.describe import default_phrase, message, setting
from ..controlplane.flags import Occurrence, parse_bool, split_list
from ..engine.context import CheckContext, Hit
from ..engine.registry import check
from ..model.resource import Resource
from .gates import runs_control_plane


def _runs(ctx: CheckContext, component: str) -> Iterator[tuple[Resource, Invocation, VersionInForce]]:
    res = ctx.resource
    found = invocations(res)
    if not found:
        return
    vif = version_in_force(ctx.settings.kubernetes_version)
    for inv in found:
        if inv.component != component:
            continue
        if component == V.ETCD and inv.config_file is not None:
            continue  # etcd ignores every other flag and variable when --config-file is given
        yield res, inv, vif


def _bool(inv: Invocation, name: str, vif: VersionInForce) -> tuple[bool, Occurrence | None] | None:
    """Effective boolean and the occurrence that set it; None when it cannot be judged."""
    occ = inv.flags.last(name)
    if occ is None:
        value = parse_bool(V.default(inv.component, name, vif.of(inv.component)) or "")
        return None if value is None else (value, None)
    if occ.unresolved or occ.value is None:
        return None
    value = parse_bool(occ.value)
    return None if value is None else (value, occ)


def _int_param(ctx: CheckContext, name: str, default: int) -> int:
    value = ctx.params.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _items_of(occ: Occurrence) -> list[tuple[str, Occurrence]]:
    return [(item, occ) for item in split_list(occ.value or "")]


def _hit(ctx: CheckContext, res: Resource, inv: Invocation, vif: VersionInForce, body: str,
         occ: Occurrence | None) -> Hit:
    path = inv.path_of(occ) if occ is not None else inv.anchor_path
    return ctx.hit(message(res, inv, vif, body), path)


def _shown(res: Resource, inv: Invocation, vif: VersionInForce, flag: str, occ: Occurrence | None,
           value: str) -> str:
    """How a message names the setting judged: the occurrence that sets it, or the default in force."""
    return setting(res, inv, occ) if occ else default_phrase(inv, flag, value, vif)


def _has_value(inv: Invocation, flag: str) -> bool:
    """Set to a non-empty value; a value known only at run time gets the benefit of the doubt."""
    occ = inv.flags.last(flag)
    return occ is not None and bool(occ.unresolved or occ.value)


def _not_set(flags: list[str]) -> str:
    return f"{' and '.join(f'--{f}' for f in flags)} {'is' if len(flags) == 1 else 'are'} not set"


def _bool_hit(ctx: CheckContext, res: Resource, inv: Invocation, vif: VersionInForce, flag: str, bad: bool,
              consequence: str, fix: str) -> Hit | None:
    """A finding when the flag's effective value (set or default) is ``bad``."""
    judged = _bool(inv, flag, vif)
    if judged is None or judged[0] is not bad:
        return None
    value, occ = judged
    return _hit(ctx, res, inv, vif, f"{_shown(res, inv, vif, flag, occ, str(value).lower())}: {consequence}; "
                f"{fix}", occ)


def _bool_rule(ctx: CheckContext, component: str, flag: str, bad: bool, consequence: str,
               fix: str) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, component):
        hit = _bool_hit(ctx, res, inv, vif, flag, bad, consequence, fix)
        if hit is not None:
            yield hit


def _missing_rule(ctx: CheckContext, component: str, flag: str, consequence: str, fix: str) -> Iterator[Hit]:
    """A file/path flag that must be set to a non-empty value."""
    for res, inv, vif in _runs(ctx, component):
        occ = inv.flags.last(flag)
        if occ is not None and (occ.unresolved or occ.value):
            continue
        shown = f"--{flag} is not set" if occ is None else f"{setting(res, inv, occ)} is empty"
        yield _hit(ctx, res, inv, vif, f"{shown}: {consequence}; {fix}", occ)


# -- kube-apiserver -----------------------------------------------------------------
@check("apiserver-anonymous-auth", when=runs_control_plane)
def apiserver_anonymous_auth(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        if inv.flags.is_set("authentication-config") and not inv.flags.is_set("anonymous-auth"):
            continue  # the AuthenticationConfiguration file may configure the anonymous authenticator
        hit = _bool_hit(ctx, res, inv, vif, "anonymous-auth", True,
                        "requests without credentials are served as system:anonymous", "set --anonymous-auth=false")
        if hit is not None:
            yield hit


def _authorization_modes(inv: Invocation) -> tuple[list[str], Occurrence | None] | None:
    """Effective modes and the last occurrence; None when --authorization-config decides or unknown."""
    if inv.flags.is_set("authorization-config"):
        return None  # mutually exclusive with --authorization-mode; the file is not visible
    occs = inv.flags.all("authorization-mode")
    if any(o.unresolved or o.value is None for o in occs):
        return None  # a run-time value, or a flag without its value (the API server will not start)
    if not occs:
        return ["AlwaysAllow"], None
    return [m for m, _ in inv.flags.items("authorization-mode")], occs[-1]


@check("apiserver-authorization-always-allow", when=runs_control_plane)
def apiserver_authorization_always_allow(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        modes = _authorization_modes(inv)
        if modes is None or "AlwaysAllow" not in modes[0]:
            continue
        occ = next((o for m, o in inv.flags.items("authorization-mode") if m == "AlwaysAllow"), None)
        if occ is None:
            shown = ("--authorization-mode is not set and --authorization-config is not used, so the API "
                     f"server authorizes with AlwaysAllow (the default in {vif.label(inv.component)})")
        else:
            shown = f"{setting(res, inv, occ)} includes AlwaysAllow"
        yield _hit(ctx, res, inv, vif, f"{shown}: every authenticated request is allowed whatever RBAC says; "
                   "use --authorization-mode=Node,RBAC", occ)


@check("apiserver-authorization-missing-node-rbac", when=runs_control_plane)
def apiserver_authorization_missing_node_rbac(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        modes = _authorization_modes(inv)
        if modes is None:
            continue
        effective, occ = modes
        missing = [m for m in ("Node", "RBAC") if m not in effective]
        if not missing:
            continue
        what = " and ".join(missing)
        hints = [m for m in effective if m not in V.AUTHORIZATION_MODES and m.lower() in ("node", "rbac")]
        note = f" ('{hints[0]}' is not a mode: names are case-sensitive)" if hints else ""
        if occ is not None:
            shown = f"{setting(res, inv, occ)} does not include {what}{note}"
        else:
            shown = (f"--authorization-mode is not set, so the only mode is AlwaysAllow (the default in "
                     f"{vif.label(inv.component)}), without {what}")
        why = []
        if "Node" in missing:
            why.append("kubelets are not limited to their own node's objects")
        if "RBAC" in missing:
            why.append("Roles and RoleBindings are not enforced")
        yield _hit(ctx, res, inv, vif, f"{shown}: {' and '.join(why)}; use --authorization-mode=Node,RBAC", occ)


@check("apiserver-profiling-enabled", when=runs_control_plane)
def apiserver_profiling_enabled(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.APISERVER, "profiling", True,
                          "/debug/pprof exposes profiling data and can slow the server down",
                          "set --profiling=false")


@check("apiserver-audit-log-missing", when=runs_control_plane)
def apiserver_audit_log_missing(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        path = inv.flags.last("audit-log-path")
        webhook = inv.flags.last("audit-webhook-config-file")
        policy = inv.flags.last("audit-policy-file")
        if any(o is not None and o.unresolved for o in (path, webhook, policy)):
            continue
        has_backend = bool(path and path.value) or bool(webhook and webhook.value)
        if not has_backend:
            yield _hit(ctx, res, inv, vif, "neither --audit-log-path nor --audit-webhook-config-file is set: "
                       "API requests are not audited; set --audit-log-path and --audit-policy-file", path)
        elif not (policy and policy.value):
            anchor = path if path and path.value else webhook
            assert anchor is not None
            # k8s.io/apiserver options/audit.go: no policy file -> "no events will be recorded"
            yield _hit(ctx, res, inv, vif, f"{setting(res, inv, anchor)} is set but --audit-policy-file is "
                       "not, so the API server records no audit events; set --audit-policy-file", anchor)


@check("apiserver-kubelet-ca-missing", when=runs_control_plane)
def apiserver_kubelet_ca_missing(ctx: CheckContext) -> Iterator[Hit]:
    yield from _missing_rule(ctx, V.APISERVER, "kubelet-certificate-authority",
                             "the API server does not verify the kubelets' serving certificates, so exec, "
                             "logs and port-forward traffic can be intercepted",
                             "set it to the CA that signs kubelet serving certificates")


@check("apiserver-service-account-lookup-disabled", when=runs_control_plane)
def apiserver_service_account_lookup_disabled(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.APISERVER, "service-account-lookup", False,
                          "tokens of deleted ServiceAccounts stay valid until they expire",
                          "remove it or set --service-account-lookup=true")


@check("apiserver-encryption-config-missing", when=runs_control_plane)
def apiserver_encryption_config_missing(ctx: CheckContext) -> Iterator[Hit]:
    yield from _missing_rule(ctx, V.APISERVER, "encryption-provider-config",
                             "Secrets are stored in etcd unencrypted",
                             "set --encryption-provider-config to an EncryptionConfiguration")


@check("apiserver-weak-tls", when=runs_control_plane)
def apiserver_weak_tls(ctx: CheckContext) -> Iterator[Hit]:
    patterns = ctx.params.get("weak-patterns")
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        patterns = list(tls.DEFAULT_WEAK_PATTERNS)
    for res, inv, vif in _runs(ctx, V.APISERVER):
        occ = inv.flags.last("tls-min-version")
        if occ is not None and not occ.unresolved and occ.value:
            if occ.value in ("VersionTLS10", "VersionTLS11"):
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} accepts TLS older than 1.2; "
                           "set --tls-min-version=VersionTLS12 or VersionTLS13", occ)
            elif occ.value not in tls.TLS_VERSIONS:
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} is not a TLS version "
                           f"({', '.join(tls.TLS_VERSIONS)}): the API server will not start", occ)
        for occ in inv.flags.all("tls-cipher-suites"):
            if occ.unresolved or occ.value is None:
                continue
            names = [n for n in occ.value.split(",") if n]
            weak = [n for n in names if tls.classify(n, patterns) == "weak"]
            unknown = [n for n in names if tls.classify(n, patterns) == "unknown"]
            parts = []
            if weak:
                parts.append(f"names weak suites ({', '.join(weak)}: RC4, 3DES or CBC mode)")
            if unknown:
                parts.append(f"names {', '.join(unknown)}, which no Go TLS stack knows, so the API server "
                             "will not start")
            if parts:
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} {' and '.join(parts)}; keep only "
                           "AES-GCM and ChaCha20-Poly1305 suites", occ)


def _admission(inv: Invocation) -> tuple[set[str], dict[str, Occurrence], dict[str, Occurrence]] | None:
    """(enabled plugins, where each name was enabled, where each was disabled); None if unknown."""
    legacy = inv.flags.all("admission-control")
    occs = legacy + inv.flags.all("enable-admission-plugins") + inv.flags.all("disable-admission-plugins")
    if any(o.unresolved or o.value is None for o in occs):
        return None
    enabled_at = {}
    disabled_at = {}
    if legacy:  # the whole list; everything else is off (options/admission.go computePluginNames)
        for name, occ in inv.flags.items("admission-control"):
            enabled_at.setdefault(name, occ)
        return set(enabled_at), enabled_at, disabled_at
    for name, occ in inv.flags.items("enable-admission-plugins"):
        enabled_at.setdefault(name, occ)
    for name, occ in inv.flags.items("disable-admission-plugins"):
        disabled_at.setdefault(name, occ)
    enabled = (set(V.DEFAULT_ADMISSION_PLUGINS) | set(enabled_at)) - set(disabled_at)
    return enabled, enabled_at, disabled_at


@check("apiserver-admission-always-admit", when=runs_control_plane)
def apiserver_admission_always_admit(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        adm = _admission(inv)
        if adm is None or "AlwaysAdmit" not in adm[0]:
            continue
        occ = adm[1]["AlwaysAdmit"]
        yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} enables AlwaysAdmit, which admits every "
                   "request and is deprecated; remove it from the list", occ)


@check("apiserver-node-restriction-missing", when=runs_control_plane)
def apiserver_node_restriction_missing(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        adm = _admission(inv)
        if adm is None or "NodeRestriction" in adm[0]:
            continue
        _enabled, enabled_at, disabled_at = adm
        if "NodeRestriction" in disabled_at:
            occ: Occurrence | None = disabled_at["NodeRestriction"]
            shown = f"{setting(res, inv, occ)} disables NodeRestriction"
        else:
            occ = inv.flags.last("admission-control") or inv.flags.last("enable-admission-plugins")
            shown = (f"{setting(res, inv, occ)} does not enable NodeRestriction" if occ else
                     "--enable-admission-plugins is not set and NodeRestriction is not enabled by default")
        yield _hit(ctx, res, inv, vif, f"{shown}: a kubelet can modify other nodes and pods bound to them; "
                   "add NodeRestriction to --enable-admission-plugins", occ)


# -- every component ------------------------------------------------------------------
@check("control-plane-removed-flag", when=runs_control_plane)
def control_plane_removed_flag(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    found = invocations(res)
    if not found:
        return
    vif = version_in_force(ctx.settings.kubernetes_version)
    for inv in found:
        version = vif.of(inv.component)
        product = "etcd" if inv.component == V.ETCD else "Kubernetes"
        runs = f"{inv.component} {V.fmt(version)}"
        if inv.component == V.ETCD:
            runs += f" (the etcd kubeadm runs with Kubernetes {V.fmt(vif.kubernetes)})"
        for occ in inv.flags.parsed.occurrences:
            removal = V.removed_flag(inv.component, occ.name, version)
            if removal is None:
                continue
            yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)}: --{occ.name} was removed in {product} "
                       f"{V.fmt(removal.removed_in)} ({removal.source}), so {runs} exits with \"unknown flag\"; "
                       f"{removal.instead}", occ)
        if inv.component != V.APISERVER:
            continue
        for flag in ("admission-control", "enable-admission-plugins", "disable-admission-plugins"):
            for name, occ in inv.flags.items(flag):
                if occ.unresolved:
                    continue
                removal = V.removed_plugin(name, version)
                if removal is None:
                    continue
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} names the admission plugin {name}, "
                           f"removed in Kubernetes {V.fmt(removal.removed_in)} ({removal.source}), so {runs} "
                           f"refuses to start; {removal.instead}", occ)


# -- kube-controller-manager and kube-scheduler ----------------------------------------
def _bind_address(ctx: CheckContext, component: str) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, component):
        port = inv.flags.last("secure-port")
        if port is not None and port.value == "0":
            continue  # secure serving is off: nothing listens
        occ = inv.flags.last("bind-address")
        if occ is not None and (occ.unresolved or occ.value is None):
            continue
        value = occ.value if occ is not None else V.default(component, "bind-address", vif.kubernetes) or ""
        try:
            if value and ipaddress.ip_address(value).is_loopback:
                continue
        except ValueError:
            pass
        shown = _shown(res, inv, vif, "bind-address", occ, value)
        what = "every interface" if value in ("", "0.0.0.0", "::") else f"{value}, not the loopback interface"
        yield _hit(ctx, res, inv, vif, f"{shown}: the health, metrics and profiling endpoints listen on {what}; "
                   "set --bind-address=127.0.0.1", occ)


@check("controller-manager-bind-address", when=runs_control_plane)
def controller_manager_bind_address(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bind_address(ctx, V.CONTROLLER_MANAGER)


@check("scheduler-bind-address", when=runs_control_plane)
def scheduler_bind_address(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bind_address(ctx, V.SCHEDULER)


@check("controller-manager-profiling-enabled", when=runs_control_plane)
def controller_manager_profiling_enabled(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.CONTROLLER_MANAGER, "profiling", True,
                          "/debug/pprof exposes profiling data", "set --profiling=false")


@check("controller-manager-sa-credentials-disabled", when=runs_control_plane)
def controller_manager_sa_credentials_disabled(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.CONTROLLER_MANAGER, "use-service-account-credentials", False,
                          "every controller runs with the controller manager's own, all-powerful credentials",
                          "set --use-service-account-credentials=true")


@check("scheduler-profiling-enabled", when=runs_control_plane)
def scheduler_profiling_enabled(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.SCHEDULER):
        cfg = inv.config_file
        occ = inv.flags.last("profiling")
        if cfg is not None:
            # --profiling is a deprecated flag the scheduler ignores when --config is given
            # (cmd/kube-scheduler/app/options/options.go ApplyTo): only a false value misleads
            if occ is not None and not occ.unresolved and parse_bool(occ.value or "") is False:
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} is ignored because --config is "
                           "set; the KubeSchedulerConfiguration's enableProfiling (default true) decides; set "
                           "enableProfiling: false in that file", occ)
            continue
        hit = _bool_hit(ctx, res, inv, vif, "profiling", True, "/debug/pprof exposes profiling data",
                        "set --profiling=false")
        if hit is not None:
            yield hit


# -- etcd -----------------------------------------------------------------------------
@check("etcd-client-cert-auth-disabled", when=runs_control_plane)
def etcd_client_cert_auth_disabled(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.ETCD, "client-cert-auth", False,
                          "any client that reaches the client port reads and writes all cluster data, Secrets "
                          "included", "set --client-cert-auth=true with --trusted-ca-file")


@check("etcd-peer-client-cert-auth-disabled", when=runs_control_plane)
def etcd_peer_client_cert_auth_disabled(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.ETCD, "peer-client-cert-auth", False,
                          "any host that reaches the peer port can join or feed the cluster",
                          "set --peer-client-cert-auth=true with --peer-trusted-ca-file")


@check("etcd-auto-tls", when=runs_control_plane)
def etcd_auto_tls(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.ETCD, "auto-tls", True,
                          "clients get a self-signed certificate they cannot verify",
                          "use --cert-file and --key-file signed by the etcd CA, and --auto-tls=false")


@check("etcd-plain-http", when=runs_control_plane)
def etcd_plain_http(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        for occ in inv.flags.all("etcd-servers"):
            plain = [u for u, _ in _items_of(occ) if u.strip().lower().startswith("http://")]
            if plain:
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)}: the API server reaches etcd over "
                           f"plain HTTP ({', '.join(plain)}), so all cluster data, Secrets included, crosses "
                           "the wire unencrypted and unauthenticated; use https:// with --etcd-cafile, "
                           "--etcd-certfile and --etcd-keyfile", occ)
    for res, inv, vif in _runs(ctx, V.ETCD):
        for flag, what in (("listen-client-urls", "clients"), ("listen-peer-urls", "peers")):
            occ = inv.flags.last(flag)
            if occ is not None and occ.value is None:
                continue
            # judged even when a host is a run-time variable: "http://${NODE_IP}:2380" is plain HTTP anyway
            value = occ.value if occ is not None else V.default(V.ETCD, flag, vif.etcd) or ""
            plain = [u for u in value.split(",") if u.strip().lower().startswith("http://")]
            if not plain:
                continue
            shown = _shown(res, inv, vif, flag, occ, value)
            yield _hit(ctx, res, inv, vif, f"{shown}: etcd serves {what} over plain HTTP on "
                       f"{', '.join(plain)}, with no TLS and no client certificates; use https:// URLs with "
                       "--cert-file/--key-file (--peer-cert-file/--peer-key-file for peers)", occ)


# -- further CIS controls ---------------------------------------------------------------
@check("apiserver-token-auth-file", when=runs_control_plane)
def apiserver_token_auth_file(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        occ = inv.flags.last("token-auth-file")
        if occ is None or not (occ.value or occ.unresolved):
            continue
        yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)}: static bearer tokens live in a plain file, "
                   "never expire and can only be changed by restarting the API server; use client "
                   "certificates, OIDC or webhook token authentication and remove the flag", occ)


@check("apiserver-audit-log-retention", when=runs_control_plane)
def apiserver_audit_log_retention(ctx: CheckContext) -> Iterator[Hit]:
    minimum = {
        "audit-log-maxage": (_int_param(ctx, "min-age-days", 30), "days"),
        "audit-log-maxbackup": (_int_param(ctx, "min-backups", 10), "rotated files"),
        "audit-log-maxsize": (_int_param(ctx, "min-size-mb", 100), "MB per file"),
    }
    for res, inv, vif in _runs(ctx, V.APISERVER):
        path = inv.flags.last("audit-log-path")
        if path is None or path.unresolved or path.value in (None, "", "-"):
            continue  # no log file (or standard output): nothing is rotated
        for flag, (least, unit) in minimum.items():
            occ = inv.flags.last(flag)
            if occ is None or occ.unresolved or occ.value is None:
                continue  # unset is 0: nothing is deleted (lumberjack keeps every file; 100 MB files)
            try:
                value = int(occ.value)
            except ValueError:
                continue
            if 0 < value < least:
                yield _hit(ctx, res, inv, vif, f"{setting(res, inv, occ)} keeps less audit history than "
                           f"{least} {unit}; raise it to at least {least} (0 keeps everything)", occ)


@check("apiserver-kubelet-client-cert-missing", when=runs_control_plane)
def apiserver_kubelet_client_cert_missing(ctx: CheckContext) -> Iterator[Hit]:
    for res, inv, vif in _runs(ctx, V.APISERVER):
        missing = [f for f in ("kubelet-client-certificate", "kubelet-client-key") if not _has_value(inv, f)]
        if missing:
            yield _hit(ctx, res, inv, vif, f"{_not_set(missing)}: the API server cannot authenticate to kubelets, "
                       "which then must allow anonymous or unauthenticated access for logs and exec; set both to a "
                       "client certificate the kubelets trust", None)


@check("controller-manager-sa-private-key-missing", when=runs_control_plane)
def controller_manager_sa_private_key_missing(ctx: CheckContext) -> Iterator[Hit]:
    yield from _missing_rule(ctx, V.CONTROLLER_MANAGER, "service-account-private-key-file",
                             "the token controller cannot sign ServiceAccount token Secrets, and keys cannot "
                             "be rotated in step with the API server's --service-account-key-file",
                             "set it to the private key matching the API server's --service-account-key-file")


@check("controller-manager-root-ca-missing", when=runs_control_plane)
def controller_manager_root_ca_missing(ctx: CheckContext) -> Iterator[Hit]:
    yield from _missing_rule(ctx, V.CONTROLLER_MANAGER, "root-ca-file",
                             "ServiceAccount token Secrets carry no CA bundle, so pods cannot verify the API "
                             "server's certificate", "set --root-ca-file to the cluster CA")


@check("etcd-peer-auto-tls", when=runs_control_plane)
def etcd_peer_auto_tls(ctx: CheckContext) -> Iterator[Hit]:
    yield from _bool_rule(ctx, V.ETCD, "peer-auto-tls", True,
                          "peers get self-signed certificates nobody verifies",
                          "use --peer-cert-file and --peer-key-file signed by the etcd CA, and "
                          "--peer-auto-tls=false")


@check("etcd-cert-missing", when=runs_control_plane)
def etcd_cert_missing(ctx: CheckContext) -> Iterator[Hit]:
    pairs = (("cert-file", "key-file", "auto-tls", "clients"),
             ("peer-cert-file", "peer-key-file", "peer-auto-tls", "peers"))
    for res, inv, vif in _runs(ctx, V.ETCD):
        for cert, key, auto, who in pairs:
            judged = _bool(inv, auto, vif)
            if judged is not None and judged[0]:
                continue  # self-signed certificates: reported by etcd-auto-tls / etcd-peer-auto-tls
            missing = [f for f in (cert, key) if not _has_value(inv, f)]
            if not missing:
                continue
            yield _hit(ctx, res, inv, vif, f"{_not_set(missing)}: etcd has no certificate to serve {who} over "
                       f"TLS (an https:// URL then fails at start-up); set --{cert} and --{key}", None)
