"""``unsafe-sysctls``: pod sysctls outside the set the kubelet allows by default.

The default parameter is Kubernetes' safe set, kubernetes/kubernetes
pkg/kubelet/sysctl/safe_sysctls.go ``safeSysctls`` (read at commit b0cb9cc1):
every other sysctl is refused by the kubelet unless listed in its
``allowedUnsafeSysctls`` (the pod is then rejected with ``SysctlForbidden``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import CheckContext, Hit
from ..engine.registry import check
from ..model.values import as_dict, as_list


def canonical_sysctl(name: str) -> str:
    """``net/ipv4/ip_forward`` is ``net.ipv4.ip_forward``.

    Kubernetes accepts ``/`` as the separator when it comes first and swaps
    ``.`` and ``/`` (k8s.io/component-helpers node/util/sysctl ``ConvertPodSysctlsVariableToDotsSeparator``),
    so ``net/ipv4/conf/eth0.100/rp_filter`` names interface ``eth0.100``.
    """
    for ch in name:
        if ch == ".":
            return name
        if ch == "/":
            return name.translate(str.maketrans("./", "/."))
    return name


@check("unsafe-sysctls")
def unsafe_sysctls(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    spec = res.pod_spec()
    base = res.pod_spec_path
    if spec is None or base is None:
        return
    listed = [*as_list(ctx.params.get("safe")), *as_list(ctx.params.get("allowed"))]
    safe = {canonical_sysctl(s) for s in listed if isinstance(s, str)}
    for i, entry in enumerate(as_list(as_dict(spec.get("securityContext")).get("sysctls"))):
        name = as_dict(entry).get("name")
        if not isinstance(name, str) or not name or canonical_sysctl(name) in safe:
            continue
        yield ctx.hit(f"{res.describe()}: sysctl '{name}' is not in the kubelet's safe set, so the pod is refused "
                      "(SysctlForbidden) on every node whose kubelet does not list it in allowedUnsafeSysctls; "
                      "drop it from securityContext.sysctls or set it on the node instead",
                      base + ("securityContext", "sysctls", i, "name"))
