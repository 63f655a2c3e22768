"""The effective configuration of one kubelet: file defaults, drop-ins merged, provenance per value.

How the kubelet builds it (``cmd/kubelet/app/server.go``, reference R6):

1. The ``--config`` file is decoded and defaulted (``SetDefaults_KubeletConfiguration``): an absent
   field, or a non-pointer field holding its zero value, gets the v1beta1 default. ``loadConfigFile``
   then fills ``evictionHard`` with the Linux defaults only when the file has no ``evictionHard`` at all.
   Without a ``--config`` file the kubelet starts from its command-line defaults instead
   (``options.go applyLegacyDefaults``): anonymous auth on, webhook authentication off, ``AlwaysAllow``,
   read-only port 10255.
2. ``mergeKubeletConfigurations`` walks the ``--config-dir`` directory (``filepath.WalkDir``: lexical
   order, subdirectories included) and applies every ``*.conf`` file as a JSON merge patch over the
   defaulted configuration: objects and maps merge key by key, lists are replaced, scalars overwrite.
   Drop-ins are decoded into an unstructured object, which runs no defaulting, and nothing is defaulted
   after the merge: a zero in a drop-in is taken literally (``port: 0`` in a drop-in is port 0).
3. Command-line flags override all of it; a file linter cannot see them.

Every value of the result remembers the document and path that set it (:class:`Origin`), so a finding
can point at the line of the file that set the value, or say that the value is a default.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .featuregates import enabled as gate_enabled
from .fields import KUBELET_CONFIGURATION, Field, Type
from .typecheck import check_document, dotted
from .values import format_duration, is_zero, parse_duration

Position = tuple[int, int]

# pkg/kubelet/eviction/defaults_linux.go (reference R6.1): applied only when the main file has none.
DEFAULT_EVICTION_HARD: dict[str, str] = {
    "memory.available": "100Mi",
    "nodefs.available": "10%",
    "nodefs.inodesFree": "5%",
    "imagefs.available": "15%",
    "imagefs.inodesFree": "5%",
}

# cmd/kubelet/app/options/options.go applyLegacyDefaults: what a kubelet without --config runs with.
LEGACY_FLAG_DEFAULTS: dict[tuple, Any] = {
    ("authentication", "anonymous", "enabled"): True,
    ("authentication", "webhook", "enabled"): False,
    ("authorization", "mode"): "AlwaysAllow",
    ("readOnlyPort",): 10255,
}

DEFAULT_VERSION = (1, 37)


@dataclass(eq=False)
class Layer:
    """One KubeletConfiguration document contributing to a kubelet's configuration.

    ``locate(path)`` gives the 1-based (line, column) of ``path`` in the document, or of its nearest
    existing parent (SPEC §4). ``resource`` is the engine's object for the document, when there is one.
    """

    file: str
    data: dict
    locate: Callable[[tuple], Position]
    dropin: bool = False
    resource: Any = None

    def position(self, path: tuple) -> Position:
        try:
            return self.locate(path)
        except Exception:  # noqa: BLE001 - a position is never worth a crash
            return (1, 1)

    def where(self, path: tuple) -> str:
        line, _ = self.position(path)
        return f"{self.file}:{line}"


@dataclass(frozen=True, eq=False)
class Origin:
    """Who set an effective value: a layer at a path, or nobody (a default, ``layer is None``).

    ``zero_default``: the layer wrote the zero value of a non-pointer field, which the kubelet replaces
    with the default (kubeadm writes ``0s`` everywhere). ``legacy``: a command-line default of a kubelet
    started without a config file.
    """

    layer: Layer | None
    path: tuple
    zero_default: bool = False
    legacy: bool = False
    written: Any = None


@dataclass
class EffectiveConfig:
    data: dict
    layers: list[Layer]
    origins: dict[tuple, Origin] = field(default_factory=dict)
    overridden: dict[tuple, Origin] = field(default_factory=dict)
    legacy: bool = False
    version: tuple[int, int] = DEFAULT_VERSION

    # -- reading -------------------------------------------------------------------------
    def get(self, path: tuple, default: Any = None) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or not 0 <= part < len(node):
                    return default
            elif not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def origin(self, path: tuple) -> Origin | None:
        """The origin of the value at ``path``: set at that path or by a parent set wholesale."""
        for n in range(len(path), 0, -1):
            o = self.origins.get(path[:n])
            if o is not None:
                return o if n == len(path) or o.layer is None else Origin(o.layer, path, o.zero_default,
                                                                        o.legacy, o.written)
        return None

    def set_by_file(self, path: tuple) -> bool:
        o = self.origin(path)
        return o is not None and o.layer is not None and not o.zero_default

    @property
    def main(self) -> Layer | None:
        for layer in self.layers:
            if not layer.dropin:
                return layer
        return None

    def anchor(self, path: tuple) -> tuple[Layer | None, tuple]:
        """Where a finding about ``path`` is reported: the layer that set the value, else the main
        file (or, without one, the first drop-in) at the nearest existing parent."""
        o = self.origin(path)
        if o is not None and o.layer is not None:
            return o.layer, path
        base = self.main or (self.layers[0] if self.layers else None)
        return base, path

    def gate(self, name: str) -> bool:
        gates = self.data.get("featureGates")
        return gate_enabled(name, gates if isinstance(gates, dict) else {}, self.version)

    def describe_origin(self, path: tuple, here: Layer | None = None) -> str:
        """Where the effective value comes from, in words; ``here`` is the layer the finding is reported
        in (a value set there is named by its line only)."""
        o = self.origin(path)
        if o is None:
            if self.legacy:
                return "the kubelet's command-line default, as no --config file is given"
            return "the v1beta1 default, not set in the file"
        if o.legacy:
            return "the kubelet's command-line default, as no --config file is given"
        if o.layer is None:
            return "the v1beta1 default"
        kind = "drop-in " if o.layer.dropin else ""
        where = f"line {o.layer.position(o.path)[0]}" if o.layer is here else f"{kind}{o.layer.where(o.path)}"
        if o.zero_default:
            return f"{where} writes {o.written!r}, a zero value the kubelet replaces with the v1beta1 default"
        text = f"set at {where}" if o.layer is here else f"set in {where}"
        prev = self.overridden.get(o.path)
        if prev is not None and prev.layer is not None:
            text += f", overriding {prev.layer.where(prev.path)}"
        return text


# -- building ----------------------------------------------------------------------------------------
def invalid_paths(data: dict) -> set[tuple]:
    """Paths the kubelet cannot decode (type errors) or ignores (unknown fields)."""
    return {p.path for p in check_document(data)}


def build(layers: Iterable[Layer], version: tuple[int, int] = DEFAULT_VERSION) -> EffectiveConfig:
    """The effective configuration of a main file (the first non-drop-in layer, optional) followed by
    drop-ins in the order given."""
    layers = list(layers)
    main = next((lay for lay in layers if not lay.dropin), None)
    eff = EffectiveConfig({}, layers, legacy=main is None, version=version)
    if main is not None:
        _merge(eff, main.data, main, (), KUBELET_CONFIGURATION, invalid_paths(main.data))
    _apply_defaults(eff)
    if main is None:
        for path, value in LEGACY_FLAG_DEFAULTS.items():
            _put(eff.data, path, value)
            eff.origins[path] = Origin(None, path, legacy=True)
    for layer in layers:
        if layer.dropin:
            _merge(eff, layer.data, layer, (), KUBELET_CONFIGURATION, invalid_paths(layer.data))
    return eff


def _skip(path: tuple, invalid: set[tuple]) -> bool:
    return path in invalid


def _has_invalid_below(path: tuple, invalid: set[tuple]) -> bool:
    n = len(path)
    return any(len(p) > n and p[:n] == path for p in invalid)


def _merge(eff: EffectiveConfig, src: dict, layer: Layer, path: tuple, t: Type, invalid: set[tuple]) -> None:
    """JSON merge patch of ``src`` (the layer's object at ``path``) into the effective data."""
    target = _ensure_dict(eff.data, path)
    for key, value in src.items():
        sub = path + (key,)
        if not path and key in ("apiVersion", "kind"):
            continue
        if value is None or _skip(sub, invalid):
            continue  # null (see module doc) or a value the kubelet cannot decode / ignores
        if t.kind == "struct":
            fld = (t.fields or {}).get(key)
            if fld is None:
                continue
            sub_t = fld.type
        else:
            sub_t = t.item or Type("string")
        if sub_t.kind in ("struct", "map") and isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
                _forget(eff, sub)
            _merge(eff, value, layer, sub, sub_t, invalid)
            continue
        if sub_t.kind == "list" and _has_invalid_below(sub, invalid):
            continue
        old = eff.origin(sub)
        _forget(eff, sub)
        target[key] = copy.deepcopy(value)
        eff.origins[sub] = Origin(layer, sub)
        if old is not None and old.layer is not None and old.layer is not layer:
            eff.overridden[sub] = old


def _forget(eff: EffectiveConfig, path: tuple) -> None:
    n = len(path)
    for p in [p for p in eff.origins if p[:n] == path]:
        del eff.origins[p]


def _ensure_dict(root: dict, path: tuple) -> dict:
    node = root
    for part in path:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            node[part] = nxt
        node = nxt
    return node


def _put(root: dict, path: tuple, value: Any) -> None:
    _ensure_dict(root, path[:-1])[path[-1]] = value


def _apply_defaults(eff: EffectiveConfig) -> None:
    data = eff.data
    # nodeStatusReportFrequency defaults to an explicitly set nodeStatusUpdateFrequency (defaults.go).
    report, update = data.get("nodeStatusReportFrequency"), data.get("nodeStatusUpdateFrequency")
    if is_zero("duration", report) and not is_zero("duration", update):
        _default(eff, ("nodeStatusReportFrequency",), format_duration(parse_duration(update)), report)
    if data.get("serializeImagePulls") is None:  # true unless maxParallelImagePulls >= 2 (defaults.go)
        mpp = data.get("maxParallelImagePulls")
        data["serializeImagePulls"] = not (isinstance(mpp, int) and not isinstance(mpp, bool) and mpp >= 2)
    _defaults_for(eff, KUBELET_CONFIGURATION, ())
    pids = data.get("podPidsLimit")
    if isinstance(pids, int) and not isinstance(pids, bool) and pids < 0:
        data["podPidsLimit"] = -1
    if data.get("evictionHard") is None:
        data["evictionHard"] = dict(DEFAULT_EVICTION_HARD)
    if eff.gate("KubeletCrashLoopBackOffMax"):
        clb = _ensure_dict(data, ("crashLoopBackOff",))
        if clb.get("maxContainerRestartPeriod") is None:
            clb["maxContainerRestartPeriod"] = "5m0s"
    if eff.gate("KubeletEnsureSecretPulledImages") and not data.get("imagePullCredentialsVerificationPolicy"):
        _default(eff, ("imagePullCredentialsVerificationPolicy",), "NeverVerifyPreloadedImages",
                 data.get("imagePullCredentialsVerificationPolicy"))


def _defaults_for(eff: EffectiveConfig, t: Type, path: tuple) -> None:
    node = _ensure_dict(eff.data, path) if path else eff.data
    for name, fld in (t.fields or {}).items():
        sub = path + (name,)
        if fld.type.kind == "struct" and not fld.pointer:
            _defaults_for(eff, fld.type, sub)
            continue
        if not _has_default(fld):
            continue
        current = node.get(name)
        if current is None:
            _default(eff, sub, copy.deepcopy(fld.default), None)
        elif not fld.pointer and is_zero(fld.type.kind, current) and not is_zero(fld.type.kind, fld.default):
            _default(eff, sub, copy.deepcopy(fld.default), current)


def _has_default(fld: Field) -> bool:
    from .fields import NO_DEFAULT

    return fld.default is not NO_DEFAULT


def _default(eff: EffectiveConfig, path: tuple, value: Any, written: Any) -> None:
    old = eff.origins.get(path)
    _put(eff.data, path, value)
    if old is not None and old.layer is not None and written is not None:
        eff.origins[path] = Origin(old.layer, path, zero_default=True, written=written)
    else:
        eff.origins.pop(path, None)


def describe_path(path: tuple) -> str:
    return dotted(path)
