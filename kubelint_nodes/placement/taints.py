"""Tolerations against taints (reference R1.1–R1.3, R2.2, R3.9).

Tolerations are normalised to tuples ``(key, operator, value, effect)`` once per workload, so the per-node
check is a few string comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..inventory.model import (
    NO_EXECUTE,
    NO_SCHEDULE,
    TAINT_DISK_PRESSURE,
    TAINT_MEMORY_PRESSURE,
    TAINT_NETWORK_UNAVAILABLE,
    TAINT_NOT_READY,
    TAINT_PID_PRESSURE,
    TAINT_UNREACHABLE,
    TAINT_UNSCHEDULABLE,
    Taint,
)
from ..model.values import as_str

Toleration = tuple[str, str, str, str]  # key, operator, value, effect

# R1.2: which taint effects each caller considers.
EFFECTS_SCHEDULE = (NO_SCHEDULE, NO_EXECUTE)
EFFECTS_EXECUTE = (NO_EXECUTE,)


def normalise_toleration(t: object) -> Toleration | None:
    """A YAML toleration as a tuple; None for something that is not a mapping (schema rules report it)."""
    if not isinstance(t, dict):
        return None
    op = t.get("operator")
    return (as_str(t.get("key")), "" if op is None else as_str(op), as_str(t.get("value")),
            as_str(t.get("effect")))


def tolerations_of(spec: dict) -> list[Toleration]:
    raw = spec.get("tolerations")
    if not isinstance(raw, list):
        return []
    return [n for n in (normalise_toleration(t) for t in raw) if n is not None]


def tolerates(tol: Toleration, taint: Taint) -> bool:
    """kubernetes/api core/v1/toleration.go ``Toleration.ToleratesTaint`` (R1.1).

    ``Lt``/``Gt`` (R1.3) sit behind the TaintTolerationComparisonOperators gate, alpha and off by default in
    every release we model, so they never match; ``tolerationSeconds`` is never consulted.
    """
    key, op, value, effect = tol
    if effect and effect != taint.effect:
        return False
    if key and key != taint.key:
        return False
    if op == "" or op == "Equal":
        return value == taint.value
    return op == "Exists"


def untolerated(taints: Iterable[Taint], tolerations: list[Toleration], effects: tuple[str, ...]) -> list[Taint]:
    """Every taint with one of ``effects`` that no toleration tolerates.

    component-helpers scheduling/corev1/helpers.go ``FindMatchingUntoleratedTaint`` stops at the first; SPEC
    §6 wants every failing check, so all are returned (R1.2).
    """
    return [t for t in taints if t.effect in effects and not any(tolerates(tol, t) for tol in tolerations)]


def daemonset_tolerations(host_network: bool) -> list[Toleration]:
    """Tolerations the DaemonSet controller adds to every daemon pod (R2.2,
    pkg/controller/daemon/util/daemonset_util.go ``AddOrUpdateDaemonPodTolerations``)."""
    out: list[Toleration] = [
        (TAINT_NOT_READY, "Exists", "", NO_EXECUTE),
        (TAINT_UNREACHABLE, "Exists", "", NO_EXECUTE),
        (TAINT_DISK_PRESSURE, "Exists", "", NO_SCHEDULE),
        (TAINT_MEMORY_PRESSURE, "Exists", "", NO_SCHEDULE),
        (TAINT_PID_PRESSURE, "Exists", "", NO_SCHEDULE),
        (TAINT_UNSCHEDULABLE, "Exists", "", NO_SCHEDULE),
    ]
    if host_network:
        out.append((TAINT_NETWORK_UNAVAILABLE, "Exists", "", NO_SCHEDULE))
    return out


def default_toleration_seconds(tolerations: list[Toleration]) -> list[Toleration]:
    """The DefaultTolerationSeconds admission plugin (on by default, R3.9): pods that do not tolerate the
    not-ready/unreachable NoExecute taints get a 300 s toleration for each; they never help against the
    NoSchedule variants."""
    out: list[Toleration] = []
    for key in (TAINT_NOT_READY, TAINT_UNREACHABLE):
        probe = Taint(key, "", NO_EXECUTE)
        if not any(tolerates(t, probe) for t in tolerations):
            out.append((key, "Exists", "", NO_EXECUTE))
    return out


def toleration_yaml(taint: Taint) -> str:
    """The toleration that fixes an untolerated taint, as YAML (used by ``daemonset-untolerated-taint``)."""
    lines = [f"- key: {_yaml_scalar(taint.key)}"]
    if taint.value:
        lines += ["  operator: Equal", f"  value: {_yaml_scalar(taint.value)}"]
    else:
        lines.append("  operator: Exists")
    lines.append(f"  effect: {taint.effect}")
    return "\n".join(lines)


def _yaml_scalar(s: str) -> str:
    plain = s and all(c.isalnum() or c in "-_./" for c in s) and s.lower() not in (
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~") and not s[0].isdigit()
    return s if plain else '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
