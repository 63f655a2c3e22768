"""Gates: cheap preconditions the engine evaluates before a check — and before its module is imported.

Kept in a module that imports nothing heavy: the control-plane and kubelet libraries cost milliseconds to
import, which a one-file pre-commit run without a control-plane pod or a kubelet configuration should not
pay, and the control-plane recognition costs tens of microseconds per pod, which a large tree should pay
only for pods that could run a component. A gate must never be false when its rule could report.
"""

from __future__ import annotations

from typing import Any

from ..engine.declarative import iter_containers

# A container runs kube-apiserver, kube-controller-manager, kube-scheduler or etcd only if its command, args,
# an environment value they expand, or (for an args-only container) its image names one of these; hyperkube
# takes the short forms. Quotes and backslashes are dropped first, as a shell would drop them
# (``kube-"api"server``). Not seen: a name assembled from two variables (``$(A)$(B)``).
_COMPONENT_WORDS = ("apiserver", "controller-manager", "scheduler", "etcd")
_SHELL_QUOTING = str.maketrans("", "", "\"'\\")


def _container_text(container: dict) -> str:
    parts: list[str] = []
    for key in ("command", "args"):
        items = container.get(key)
        if isinstance(items, list):
            parts.extend(item for item in items if isinstance(item, str))
    env = container.get("env")
    if isinstance(env, list):
        parts.extend(item["value"] for item in env if isinstance(item, dict) and isinstance(item.get("value"), str))
    image = container.get("image")
    if isinstance(image, str):
        parts.append(image)
    return "\n".join(parts).translate(_SHELL_QUOTING)


def could_run_control_plane(res: Any) -> bool:
    spec = res.pod_spec()
    if spec is None:
        return False
    for _kind, _i, container in iter_containers(spec):
        text = _container_text(container)
        if any(word in text for word in _COMPONENT_WORDS):
            return True
    return False


def runs_control_plane(res: Any) -> bool:
    """Gate of the control-plane flag rules: the pod runs a component (exact; recognised only when plausible)."""
    if not could_run_control_plane(res):
        return False
    from ..controlplane import invocations

    return bool(invocations(res))


def has_kubelet_configuration(ctx: Any) -> bool:
    """Gate of the effective kubelet rules: a KubeletConfiguration in the run, or one named by an option or
    by the inventory (drop-in directories are read from disk)."""
    settings = ctx.settings
    if settings.kubelet_configs or settings.kubelet_config_dirs:
        return True
    if getattr(ctx.state.get("inventory"), "kubelet_sources", None):
        return True
    return any(True for _ in ctx.resources("kubelet-config"))
