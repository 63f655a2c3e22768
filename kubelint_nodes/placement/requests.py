"""What a pod asks of a node: effective resource requests, QoS class and host ports.

Resource arithmetic follows component-helpers resource/helpers.go ``PodRequests`` /
``AggregateContainerRequests`` (reference R3.8), after the API defaulting that turns limits into requests
(pkg/apis/core/v1/defaults.go ``SetDefaults_Pod``, ``defaultPodRequests``; R3.9).  Host ports follow
pkg/scheduler/util/utils.go ``GetHostPorts`` and R3.6.
"""

from __future__ import annotations

from ..inventory.model import HostPort
from ..model.values import as_dict, as_int, as_list, as_str
from ..quantity import QuantityError, to_base_units


# component-helpers resource ``IsSupportedPodLevelResource`` (cpu, memory, hugepages-* since v1.34).
def _pod_level_supported(name: str) -> bool:
    return name in ("cpu", "memory") or name.startswith("hugepages-")


def _resource_list(raw: object, where: str, problems: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, v in as_dict(raw).items():
        name = as_str(k)
        try:
            out[name] = to_base_units(name, v)
        except QuantityError:
            problems.append(f"{where}: {name}: {v!r} is not a quantity (ignored)")
    return out


def _container_requests(c: dict, where: str, problems: list[str]) -> dict[str, int]:
    """Requests after defaulting: a resource with a limit and no request gets request = limit (R3.9.1)."""
    res = as_dict(c.get("resources"))
    req = _resource_list(res.get("requests"), where + ".resources.requests", problems)
    for k, v in _resource_list(res.get("limits"), where + ".resources.limits", problems).items():
        req.setdefault(k, v)
    return req


def is_sidecar(c: object) -> bool:
    """A restartable init container (``restartPolicy: Always``), GA since v1.33."""
    return isinstance(c, dict) and c.get("restartPolicy") == "Always"


def _add(into: dict[str, int], other: dict[str, int]) -> None:
    for k, v in other.items():
        into[k] = into.get(k, 0) + v


def _max_into(into: dict[str, int], other: dict[str, int]) -> None:
    for k, v in other.items():
        if v > into.get(k, 0):
            into[k] = v


def pod_requests(spec: dict, problems: list[str] | None = None) -> dict[str, int]:
    """Effective pod requests in base units (R3.8): containers + sidecars, max'd with each init container's
    need (its own requests plus the sidecars started before it), pod-level requests replacing the aggregate
    for the resources they name, plus ``spec.overhead``.  Zero entries are dropped."""
    problems = problems if problems is not None else []
    reqs: dict[str, int] = {}
    for i, c in enumerate(as_list(spec.get("containers"))):
        if isinstance(c, dict):
            _add(reqs, _container_requests(c, f"spec.containers[{i}]", problems))
    sidecars: dict[str, int] = {}
    init_need: dict[str, int] = {}
    for i, c in enumerate(as_list(spec.get("initContainers"))):
        if not isinstance(c, dict):
            continue
        cr = _container_requests(c, f"spec.initContainers[{i}]", problems)
        if is_sidecar(c):
            _add(reqs, cr)
            _add(sidecars, cr)
            need = dict(sidecars)
        else:
            need = dict(cr)
            _add(need, sidecars)
        _max_into(init_need, need)
    _max_into(reqs, init_need)

    pod_res = as_dict(spec.get("resources"))
    if pod_res:
        pod_req = {k: v for k, v in _resource_list(pod_res.get("requests"), "spec.resources.requests",
                                                   problems).items() if _pod_level_supported(k)}
        # defaultPodRequests: a pod-level limit with no pod-level request and no container request for
        # that resource becomes the pod-level request (with container requests the aggregate stands).
        for k, v in _resource_list(pod_res.get("limits"), "spec.resources.limits", problems).items():
            if _pod_level_supported(k) and k not in pod_req and k not in reqs:
                pod_req[k] = v
        reqs.update(pod_req)

    _add(reqs, _resource_list(spec.get("overhead"), "spec.overhead", problems))
    return {k: v for k, v in reqs.items() if v}


def is_best_effort(spec: dict) -> bool:
    """QoS BestEffort: no cpu/memory request or limit on any container, init container or the pod level
    (pkg/apis/core/helper/qos ``GetPodQOS``, which only looks at cpu and memory)."""
    def has(res: object) -> bool:
        res = as_dict(res)
        return any(k in ("cpu", "memory") for part in ("requests", "limits") for k in as_dict(res.get(part)))

    if has(spec.get("resources")):
        return False
    for key in ("containers", "initContainers"):
        for c in as_list(spec.get(key)):
            if isinstance(c, dict) and has(c.get("resources")):
                return False
    return True


def host_ports(spec: dict) -> list[HostPort]:
    """Host ports the pod binds (R3.6): regular containers and sidecars, ``hostPort > 0``; with
    ``hostNetwork: true`` a port without hostPort gets hostPort = containerPort (R3.9.2)."""
    host_network = spec.get("hostNetwork") is True
    out: list[HostPort] = []
    containers = list(as_list(spec.get("containers"))) + [c for c in as_list(spec.get("initContainers"))
                                                           if is_sidecar(c)]
    for c in containers:
        if not isinstance(c, dict):
            continue
        for p in as_list(c.get("ports")):
            if not isinstance(p, dict):
                continue
            hp = as_int(p.get("hostPort")) or 0
            if hp <= 0 and host_network:
                hp = as_int(p.get("containerPort")) or 0
            if hp > 0:
                out.append(HostPort(hp, as_str(p.get("protocol")) or "TCP", _norm_ip(as_str(p.get("hostIP")))))
    return out


def _norm_ip(ip: str) -> str:
    return "" if ip in ("", "0.0.0.0") else ip


def port_conflicts(wanted: list[HostPort], held: list[HostPort]) -> list[HostPort]:
    """Wanted ports that clash with held ones (kube-scheduler framework ``HostPortInfo.CheckConflict``):
    same protocol and port, and the same IP or either side 0.0.0.0."""
    if not wanted or not held:
        return []
    out = []
    for w in wanted:
        wip = _norm_ip(w.host_ip)
        for h in held:
            if h.port == w.port and h.protocol == w.protocol:
                hip = _norm_ip(h.host_ip)
                if not wip or not hip or wip == hip:
                    out.append(w)
                    break
    return out


def describe_port(p: HostPort) -> str:
    return f"{p.host_ip or '0.0.0.0'}:{p.port}/{p.protocol}"
