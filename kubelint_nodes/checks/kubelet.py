"""The kubelet-config rules, wired into the engine; the judging lives in :mod:`kubelint_nodes.kubelet`.

* Explicit rules run per document (scope ``document``), on main files and drop-ins alike.
* Effective rules run once per run (scope ``run``): every kubelet configuration of the run is a chain —
  a main file alone, or a main file (or none) with the drop-in directories merged over it — and each
  chain is judged on its effective configuration, reported at the file and line that set the value.
* ``schema-invalid`` for KubeletConfiguration comes from the schema check, through the validator this
  module registers (type errors only; unknown fields are ``kubelet-unknown-field``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ..engine.context import CheckContext, Hit, RunContext
from ..engine.registry import check
from ..kubelet import API_VERSION, KIND, Layer, build, explicit_findings
from ..kubelet.effective import EffectiveConfig
from ..kubelet.evaluate import EFFECTIVE_RULES, KubeletFinding, effective_findings
from ..kubelet.sources import dropin_files, read_layer
from ..kubelet.typecheck import check_document
from .gates import has_kubelet_configuration


def _register_schema() -> None:
    from .. import schema

    def validator(obj: dict) -> list[Any]:
        return [schema.SchemaProblem(p.path, p.message) for p in check_document(obj) if p.kind == "type"]

    schema.register_validator(API_VERSION, KIND, validator)


_register_schema()


def _version(settings: Any) -> tuple[int, int]:
    from .. import schema

    text = schema.resolve_version(getattr(settings, "kubernetes_version", None))
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def is_v1beta1(res: Any) -> bool:
    return res.data.get("apiVersion") == API_VERSION and res.data.get("kind") == KIND


def layer_of(res: Any) -> Layer:
    return Layer(res.file.display, res.data, res.locate, dropin=bool(getattr(res.file, "kubelet_dropin", False)),
                 resource=res)


def _norm(path: str, cwd: str) -> str:
    return os.path.realpath(os.path.join(cwd, path))


# -- explicit rules (per document) -----------------------------------------------------------------------
def _explicit(ctx: CheckContext) -> list[KubeletFinding]:
    res = ctx.resource
    if not is_v1beta1(res):
        return []
    cache = res.cache.get("kubelet_explicit")
    if cache is None:
        params = {"kubelet-weak-tls": ctx.params} if ctx.rule.id == "kubelet-weak-tls" else {}
        cache = explicit_findings(layer_of(res), params, _merge_default(ctx))
        if not params:
            res.cache["kubelet_explicit"] = cache
    return cache


def _merge_default(ctx: CheckContext) -> bool | None:
    """``mergeDefaultEvictionSettings`` of the chain the document belongs to, when it is in one."""
    res = ctx.resource
    me = os.path.realpath(res.file.abspath) if not res.file.is_stdin else None
    for d, main in ctx.settings.kubelet_config_dirs:
        members = {os.path.realpath(p) for p in dropin_files(_norm(d, ctx.settings.cwd))}
        if main:
            members.add(_norm(main, ctx.settings.cwd))
        if me in members:
            eff, _ = _chain(ctx.settings, main, [d])
            return eff.get(("mergeDefaultEvictionSettings",)) is True
    return None


def _explicit_rule(rule_id: str) -> None:
    @check(rule_id)
    def run(ctx: CheckContext) -> Iterator[Hit]:
        for f in _explicit(ctx):
            if f.rule == rule_id:
                yield ctx.hit(f.message, f.path, severity=f.severity)

    run.__name__ = rule_id.replace("-", "_")


for _rule in ("kubelet-unknown-field", "kubelet-partial-eviction-hard", "kubelet-static-pod-path-relative",
              "kubelet-static-pod-url", "kubelet-certificate-rotation-disabled"):
    _explicit_rule(_rule)


@check("kubelet-weak-tls")
def kubelet_weak_tls(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    if not is_v1beta1(res):
        return
    for f in explicit_findings(layer_of(res), {"kubelet-weak-tls": ctx.params}):
        if f.rule == "kubelet-weak-tls":
            yield ctx.hit(f.message, f.path)


# -- effective rules (per run) ---------------------------------------------------------------------------
def _chain(settings: Any, main: str | None, dirs: list[str],
           by_path: dict[str, Any] | None = None) -> tuple[EffectiveConfig, list[Any]]:
    """Build a chain; documents already loaded by the run are reused so findings keep their objects."""
    layers: list[Layer] = []
    problems: list[Any] = []
    by_path = by_path or {}

    def layer_for(path: str, dropin: bool) -> Layer | None:
        real = os.path.realpath(path)
        res = by_path.get(real)
        if res is not None:
            lay = layer_of(res)
            lay.dropin = dropin
            return lay
        read = read_layer(path, display=_display(path, settings), dropin=dropin)
        problems.extend(read.problems)
        return read.layer

    if main:
        lay = layer_for(_norm(main, settings.cwd), False)
        if lay is not None:
            layers.append(lay)
    for d in dirs:
        for path in dropin_files(_norm(d, settings.cwd)):
            lay = layer_for(path, True)
            if lay is not None:
                layers.append(lay)
    return build(layers, _version(settings)), problems


def _display(path: str, settings: Any) -> str:
    from ..loader.files import display_path

    rel = os.path.relpath(path, settings.cwd)
    return display_path(rel if not rel.startswith("..") else path)


def chains(ctx: RunContext) -> list[EffectiveConfig]:
    """Every kubelet configuration of the run, built once and shared by the effective rules."""
    cached = ctx.state.get("kubelet_chains")
    if cached is not None:
        return cached
    settings = ctx.settings
    by_path: dict[str, Any] = {}
    standalone: list[Any] = []
    for res in ctx.resources("kubelet-config"):
        if not is_v1beta1(res) or res.file.is_stdin:
            if is_v1beta1(res):
                standalone.append(res)
            continue
        by_path.setdefault(os.path.realpath(res.file.abspath), res)
    in_chain: set[str] = set()
    groups: dict[str | None, list[str]] = {}
    for d, main in settings.kubelet_config_dirs:
        groups.setdefault(main, []).append(d)
    # The inventory's kubeletConfig/kubeletConfigDir pairs, when its loader exposes them (absolute paths;
    # an inline or absent kubeletConfig is not a file to report on).
    inventory = ctx.state.get("inventory")
    for main, d in getattr(inventory, "kubelet_sources", None) or ():
        if main:
            dirs = groups.setdefault(main, [])
            if d and d not in dirs:
                dirs.append(d)
    out: list[EffectiveConfig] = []
    for main, dirs in groups.items():
        if main is None:
            # Drop-ins with no main file to merge over are linted on their own: explicit rules only
            # (catalogue). The kubelet would start from its command-line defaults, which flags we cannot
            # see usually replace.
            continue
        eff, _ = _chain(settings, main, dirs, by_path)
        out.append(eff)
        for lay in eff.layers:
            if lay.resource is not None:
                in_chain.add(os.path.realpath(lay.resource.file.abspath))
    for real, res in sorted(by_path.items()):
        if real in in_chain or getattr(res.file, "kubelet_dropin", False):
            continue
        for other in _documents_of(ctx, res):
            out.append(build([layer_of(other)], _version(settings)))
    for res in standalone:
        out.append(build([layer_of(res)], _version(settings)))
    ctx.state["kubelet_chains"] = out
    return out


def _documents_of(ctx: RunContext, res: Any) -> list[Any]:
    """All v1beta1 KubeletConfiguration documents of the file holding ``res`` (a kubeadm file may hold one
    after a ClusterConfiguration)."""
    return [r for lf in ctx.files if lf.file is res.file for r in lf.resources
            if r.role == "kubelet-config" and is_v1beta1(r)]


def _object(layer: Layer | None) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": KIND, "name": None, "namespace": None, "role": "kubelet-config"}


def _hit(ctx: RunContext, f: KubeletFinding) -> Hit:
    layer = f.layer
    if layer is not None and layer.resource is not None:
        return ctx.hit(f.message, f.path, layer.resource, severity=f.severity)
    line, col = layer.position(f.path) if layer is not None else (1, 1)
    return Hit(f.message, f.path, None, file=layer.file if layer else "", line=line, column=col,
               severity=f.severity, object=_object(layer))


def _effective_rule(rule_id: str) -> None:
    @check(rule_id, scope="run", when=has_kubelet_configuration)
    def run(ctx: RunContext) -> Iterator[Hit]:
        seen: set[tuple] = set()
        for eff in chains(ctx):
            for f in _effective(ctx, eff):
                if f.rule != rule_id:
                    continue
                key = (f.layer.file if f.layer else "", f.path, f.message)
                if key not in seen:
                    seen.add(key)
                    yield _hit(ctx, f)
        if rule_id == "kubelet-config-invalid":
            yield from _bad_dropins(ctx)

    run.__name__ = rule_id.replace("-", "_")


def _effective(ctx: RunContext, eff: EffectiveConfig) -> list[KubeletFinding]:
    cache = ctx.state.setdefault("kubelet_effective", {})
    key = id(eff)
    if key not in cache:
        cache[key] = effective_findings(eff)
    return cache[key]


def _bad_dropins(ctx: RunContext) -> Iterator[Hit]:
    """A drop-in the kubelet cannot decode as a KubeletConfiguration stops it from starting."""
    for lf in ctx.files:
        if not getattr(lf.file, "kubelet_dropin", False) or lf.text is None:
            continue
        if any(i.rule in ("yaml-syntax", "yaml-limits-exceeded") for i in lf.issues):
            continue
        if any(is_v1beta1(r) for r in lf.resources):
            continue
        yield Hit(f"drop-in {lf.file.display} is not a {API_VERSION} {KIND} (apiVersion and kind are required in "
                  "every drop-in): the kubelet fails to load its --config-dir and does not start",
                  None, None, file=lf.file.display, line=1, column=1, object=None)


for _rule in EFFECTIVE_RULES:
    _effective_rule(_rule)
