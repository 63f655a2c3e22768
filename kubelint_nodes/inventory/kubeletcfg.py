"""The few kubelet settings an inventory node needs, and allocatable derived from capacity (reference R6).

A node's kubelet configuration is a KubeletConfiguration file (or an inline one) with optional drop-ins
(``*.conf`` in lexical order, merged over it: ``cmd/kubelet/app/server.go mergeKubeletConfigurations``,
a JSON merge patch per drop-in).  Only the fields placement depends on are read here, with the v1beta1
defaults of ``reference/kubelet-config-v1beta1.md``: ``staticPodPath``, ``maxPods``, ``podsPerCore``,
``kubeReserved``, ``systemReserved``, ``reservedSystemCPUs``, ``evictionHard`` and
``mergeDefaultEvictionSettings``.  A field with an unusable value falls back to its default and the
fallback is stated (the kubelet-config rules report the value itself when the file is linted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..quantity import QuantityError, to_base_units
from .model import KubeletInfo

KUBELET_API_VERSION = "kubelet.config.k8s.io/v1beta1"
KUBELET_KIND = "KubeletConfiguration"
DEFAULT_MAX_PODS = 110

# pkg/kubelet/eviction/defaults_linux.go (DefaultEvictionHard); applied when evictionHard is absent.
DEFAULT_EVICTION_HARD = {
    "memory.available": "100Mi",
    "nodefs.available": "10%",
    "nodefs.inodesFree": "5%",
    "imagefs.available": "15%",
    "imagefs.inodesFree": "5%",
}
# pkg/kubelet/cm/helpers.go hardEvictionReservation: only these two signals reserve a resource.
_EVICTION_RESOURCE = {"memory.available": "memory", "nodefs.available": "ephemeral-storage"}


@dataclass(frozen=True)
class Threshold:
    """A hard eviction threshold: an absolute quantity in base units, or a fraction of capacity."""

    absolute: int | None = None
    fraction: Fraction | None = None

    def reservation(self, capacity: int) -> int:
        if self.absolute is not None:
            return self.absolute
        # GetThresholdQuantity: percentage x capacity, truncated.  (The kubelet computes it with a float32
        # percentage, which can differ from this exact figure by a few bytes.)
        return int(self.fraction * capacity) if self.fraction is not None else 0


@dataclass
class KubeletSettings:
    """The effective settings of one kubelet configuration (file + drop-ins, or inline)."""

    present: bool = False
    source: str | None = None
    static_pod_path: str | None = None
    max_pods: int = DEFAULT_MAX_PODS
    pods_per_core: int = 0
    kube_reserved: dict[str, int] = field(default_factory=dict)
    system_reserved: dict[str, int] = field(default_factory=dict)
    eviction: dict[str, Threshold] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def info(self) -> KubeletInfo:
        return KubeletInfo(present=self.present, static_pod_path=self.static_pod_path or None,
                           max_pods=self.max_pods if self.present else None, source=self.source)


def merge_patch(base: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: mappings merge key by key, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(base) if isinstance(base, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _cpuset_size(text: str) -> int | None:
    """Number of CPUs in a Linux cpuset list such as ``0-3,8`` (k8s.io/utils/cpuset Parse)."""
    total = 0
    for part in text.split(","):
        part = part.strip()
        if not part:
            return None
        lo, dash, hi = part.partition("-")
        if not lo.isdigit() or (dash and not hi.isdigit()):
            return None
        if dash:
            if int(hi) < int(lo):
                return None
            total += int(hi) - int(lo) + 1
        else:
            total += 1
    return total


def _threshold(signal: str, value: Any) -> Threshold | None:
    """pkg/kubelet/eviction/helpers.go parseThresholdStatement: ``0%``/``100%`` disable the signal."""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if value.endswith("%"):
        if value in ("0%", "100%"):
            return None
        try:
            pct = Fraction(value[:-1])
        except (ValueError, ZeroDivisionError):
            raise QuantityError(f"{value!r} is not a percentage") from None
        if pct < 0 or pct > 100:
            raise QuantityError(f"{value!r} is not a percentage between 0% and 100%")
        return Threshold(fraction=pct / 100)
    n = to_base_units(_EVICTION_RESOURCE.get(signal, signal), value)
    if n < 0:
        raise QuantityError(f"{value!r} is negative")
    return Threshold(absolute=n)


def settings_from(config: dict[str, Any] | None, source: str | None) -> KubeletSettings:
    """The effective settings of a merged KubeletConfiguration (None: no kubelet config at all)."""
    ks = KubeletSettings(present=config is not None, source=source)
    cfg = config or {}
    where = f"kubelet config {source}" if source else "kubelet config"

    def note(msg: str) -> None:
        ks.notes.append(f"{where}: {msg}")

    spp = cfg.get("staticPodPath")
    if spp is not None and not isinstance(spp, str):
        note("staticPodPath is not a string; static pods are taken as off")
        spp = None
    ks.static_pod_path = spp or None

    mp = cfg.get("maxPods")
    if mp is not None and (isinstance(mp, bool) or not isinstance(mp, int) or mp < 0):
        note(f"maxPods {mp!r} is not a non-negative integer; the default {DEFAULT_MAX_PODS} is assumed")
        mp = None
    ks.max_pods = mp or DEFAULT_MAX_PODS  # non-pointer int32: 0 means unset (defaults.go)

    ppc = cfg.get("podsPerCore")
    if ppc is not None and (isinstance(ppc, bool) or not isinstance(ppc, int) or ppc < 0):
        note(f"podsPerCore {ppc!r} is not a non-negative integer; it is ignored")
        ppc = None
    ks.pods_per_core = ppc or 0

    for name, target in (("kubeReserved", ks.kube_reserved), ("systemReserved", ks.system_reserved)):
        raw = cfg.get(name)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            note(f"{name} is not a mapping; it is ignored")
            continue
        for res, q in raw.items():
            try:
                target[str(res)] = to_base_units(str(res), q)
            except QuantityError:
                note(f"{name}.{res} {q!r} is not a quantity; it is ignored")

    rsc = cfg.get("reservedSystemCPUs")
    if isinstance(rsc, str) and rsc.strip():
        # cmd/kubelet/app/server.go: reservedSystemCPUs overrides the cpu entries of both reservations.
        size = _cpuset_size(rsc)
        if size is None:
            note(f"reservedSystemCPUs {rsc!r} is not a CPU list; it is ignored")
        else:
            ks.system_reserved["cpu"] = size * 1000
            ks.kube_reserved.pop("cpu", None)

    eh = cfg.get("evictionHard")
    merge = cfg.get("mergeDefaultEvictionSettings") is True
    if eh is None:
        signals = dict(DEFAULT_EVICTION_HARD)
    elif not isinstance(eh, dict):
        note("evictionHard is not a mapping; the default thresholds are assumed")
        signals = dict(DEFAULT_EVICTION_HARD)
    else:
        signals = {str(k): v for k, v in eh.items()}
        if merge:
            for k, v in DEFAULT_EVICTION_HARD.items():
                signals.setdefault(k, v)
    for signal in _EVICTION_RESOURCE:
        if signal not in signals:
            continue
        try:
            t = _threshold(signal, signals[signal])
        except QuantityError as exc:
            note(f"evictionHard.{signal}: {exc}; it is ignored")
            continue
        if t is not None:
            ks.eviction[signal] = t
    return ks


def effective_settings(main: dict[str, Any] | None, dropins: list[tuple[str, dict[str, Any]]],
                       source: str | None) -> KubeletSettings:
    """The settings of a kubelet run with ``main`` as its config file and ``dropins`` (name, data) merged over.

    The merge and the defaults are :mod:`kubelint_nodes.kubelet.effective`'s (the same code the kubelet
    config rules use); without that package, a JSON merge patch over the defaulted main file does the same
    for the fields read here (cmd/kubelet/app/server.go: the main file is defaulted, then each drop-in is
    merged over it).
    """
    try:
        from ..kubelet.effective import Layer, build
        from ..kubelet.node import node_settings
    except ImportError:  # pragma: no cover - the kubelet package ships with the tool
        merged = dict(main or {})
        if dropins and merged.get("evictionHard") is None:
            merged["evictionHard"] = dict(DEFAULT_EVICTION_HARD)
        for _name, patch in dropins:
            merged = merge_patch(merged, patch)
        return settings_from(merged, source)

    def nowhere(_path: tuple) -> tuple[int, int]:
        return (1, 1)

    layers = [Layer(source or "", main, nowhere)] if main is not None else []
    layers += [Layer(name, data, nowhere, dropin=True) for name, data in dropins]
    ns = node_settings(build(layers))
    return settings_from({
        "staticPodPath": ns.static_pod_path,
        "maxPods": ns.max_pods,
        "podsPerCore": ns.pods_per_core,
        "kubeReserved": ns.kube_reserved,
        "systemReserved": ns.system_reserved,
        "evictionHard": ns.eviction_hard,  # the enabled signals, defaults already merged
    }, source)


def derive_allocatable(capacity: dict[str, int], ks: KubeletSettings) -> dict[str, int]:
    """Allocatable = capacity - kubeReserved - systemReserved - hard eviction reservation, never below 0.

    pkg/kubelet/cm/node_container_manager_linux.go GetNodeAllocatableReservation and helpers.go
    hardEvictionReservation (memory.available -> memory, nodefs.available -> ephemeral-storage); hugepages
    held in capacity are taken out of memory; ``pods`` comes from maxPods / podsPerCore
    (pkg/kubelet/nodestatus/setters.go MachineInfo) unless the capacity states it.
    """
    reserve: dict[str, int] = {}
    for res, n in ks.kube_reserved.items():
        reserve[res] = reserve.get(res, 0) + n
    for res, n in ks.system_reserved.items():
        reserve[res] = reserve.get(res, 0) + n
    for signal, threshold in ks.eviction.items():
        res = _EVICTION_RESOURCE[signal]
        if res in capacity:
            reserve[res] = reserve.get(res, 0) + threshold.reservation(capacity[res])
    if "memory" in capacity:
        hugepages = sum(n for res, n in capacity.items() if res.startswith("hugepages-"))
        if hugepages:
            reserve["memory"] = reserve.get("memory", 0) + hugepages
    out = {res: max(0, n - reserve.get(res, 0)) for res, n in capacity.items()}
    if "pods" not in out:
        out["pods"] = pods_capacity(capacity.get("cpu"), ks)
    return out


def pods_capacity(cpu_millis: int | None, ks: KubeletSettings) -> int:
    """maxPods, or cores x podsPerCore when that is smaller (MachineInfo)."""
    pods = ks.max_pods
    if ks.pods_per_core > 0 and cpu_millis is not None:
        pods = min(pods, (cpu_millis // 1000) * ks.pods_per_core)
    return pods
