"""Offline, strict Kubernetes schema validation for the kinds this tool reads.

The schemas are the official Kubernetes OpenAPI, cut down and vendored in
``schemas/k8s/`` by ``tools/gen_k8s_schemas.py`` (see
``docs/schema-validation.md``). A valid document costs one pass of compiled
predicates; only a refused one is walked again to name every problem.

Public API (the engine and the rules use only this):

* :data:`SUPPORTED_VERSIONS`, :data:`DEFAULT_VERSION`
* :func:`validate` -> list of :class:`SchemaProblem`, or None when the
  apiVersion/kind has no shipped schema
* :func:`deprecated_replacement` -> the apiVersion to use instead of one the
  release no longer serves for that kind
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import store

# Kept in step with schemas/k8s/PROVENANCE.json by tests/test_schema_store.py.
SUPPORTED_VERSIONS: tuple[str, ...] = ("1.35", "1.36", "1.37")
DEFAULT_VERSION: str = SUPPORTED_VERSIONS[-1]

# Groups whose kinds the API server itself defines: a shipped kind under another version of one of
# these is an error ("no matches for kind DaemonSet in version v1"); elsewhere it may be a CRD.
_BUILTIN_GROUPS = {"", "apps", "batch", "extensions", "scheduling.k8s.io", "policy"}


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation. ``path`` is from the object root and names the offending key: for a
    missing required field the object that lacks it, for an unknown field the unknown key."""

    path: tuple[str | int, ...]
    message: str


@lru_cache(maxsize=64)  # asked once per resource, always with the run's one value
def resolve_version(k8s_version: str | None) -> str:
    """The shipped release a ``--kubernetes-version`` value selects; ValueError for one not shipped."""
    if k8s_version is None:
        return DEFAULT_VERSION
    v = store.normalize_version(k8s_version)
    if v is None:
        raise ValueError(f"invalid Kubernetes version {k8s_version!r}: expected X.Y, e.g. {DEFAULT_VERSION}")
    if v not in SUPPORTED_VERSIONS:
        raise ValueError(f"Kubernetes {v} is not supported: choose one of {', '.join(SUPPORTED_VERSIONS)}")
    return v


def has_schema(api_version: Any, kind: Any, k8s_version: str | None = None) -> bool:
    version = resolve_version(k8s_version)
    return isinstance(api_version, str) and isinstance(kind, str) and \
        f"{api_version}/{kind}" in store.kinds_of(version)


def validate(obj: dict, api_version: str, kind: str, k8s_version: str) -> list[SchemaProblem] | None:
    """Every schema problem of ``obj``; ``[]`` when valid; None when no schema is shipped for it."""
    return check(obj, api_version, kind, k8s_version)


def check(obj: Any, api_version: Any, kind: Any, k8s_version: str | None,
          token_of: Any = None) -> list[SchemaProblem] | None:
    """:func:`validate`, plus ``token_of(path)`` giving the source text of a scalar for sharper hints."""
    version = resolve_version(k8s_version)
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    kinds = store.kinds_of(version)
    name = kinds.get(f"{api_version}/{kind}")
    if name is None:
        return _wrong_group(api_version, kind, kinds, version)
    predicate = _compiler().definition(name)
    if predicate(obj):
        return []
    from .explain import Explainer

    ex = Explainer(store.definitions(), token_of)
    ex.walk(store.definitions()[name], obj, ())
    if not ex.problems:  # pragma: no cover - the two walkers agree (tested); never report nothing
        return [SchemaProblem((), f"{kind} does not match the {api_version} schema")]
    return [SchemaProblem(tuple(p), m) for p, m in ex.problems]


def _wrong_group(api_version: str, kind: str, kinds: dict[str, str], version: str) -> list[SchemaProblem] | None:
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    if group not in _BUILTIN_GROUPS or store.removed_apis().get((api_version, kind)):
        return None
    served = sorted(k.rsplit("/", 1)[0] for k in kinds if k.rsplit("/", 1)[1] == kind)
    if not served:
        return None
    return [SchemaProblem(("apiVersion",), f"apiVersion: Kubernetes {version} serves {kind} as "
                                           f"{' or '.join(served)}, not {api_version}")]


def removed_api(api_version: Any, kind: Any, k8s_version: str | None) -> store.RemovedApi | None:
    """The removal record of an apiVersion/kind the release no longer serves, else None."""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    row = store.removed_apis().get((api_version, kind))
    if row is None:
        return None
    version = store.normalize_version(k8s_version) if k8s_version else DEFAULT_VERSION
    if version is None or store.version_key(version) < store.version_key(row.removed_in):
        return None
    return row


def deprecated_replacement(api_version: str, kind: str, k8s_version: str) -> str | None:
    """The apiVersion that replaces ``api_version`` for ``kind`` when release ``k8s_version`` no longer
    serves it (keyed by group/version and kind); None if it is still served or has no successor."""
    row = removed_api(api_version, kind, k8s_version)
    return row.replacement if row else None


_EXTERNAL: dict[tuple[str, str], Callable[[dict], list[SchemaProblem]]] = {}


def register_validator(api_version: str, kind: str, fn: Callable[[dict], list[SchemaProblem]]) -> None:
    """Let another component validate a kind this package ships no schema for (the kubelet configuration,
    kubelint_nodes.checks.kubelet): ``fn(obj)`` returns its problems and ``schema-invalid`` reports them."""
    _EXTERNAL[(api_version, kind)] = fn


# Kinds validated by another component, and the module that registers that validator when imported: check
# modules are imported lazily, so the lookup must not depend on which rule happened to run first.
_EXTERNAL_PROVIDERS = {("kubelet.config.k8s.io/v1beta1", "KubeletConfiguration"): "kubelint_nodes.checks.kubelet"}


def external_validator(api_version: str, kind: str) -> Callable[[dict], list[SchemaProblem]] | None:
    key = (api_version, kind)
    if key not in _EXTERNAL and key in _EXTERNAL_PROVIDERS:
        import importlib

        importlib.import_module(_EXTERNAL_PROVIDERS[key])
    return _EXTERNAL.get(key)


_COMPILER: Any = None


def _compiler() -> Any:
    global _COMPILER
    if _COMPILER is None:
        from .compiler import Compiler

        _COMPILER = Compiler(store.definitions())
    return _COMPILER


__all__ = [
    "SUPPORTED_VERSIONS",
    "DEFAULT_VERSION",
    "SchemaProblem",
    "validate",
    "deprecated_replacement",
    "removed_api",
    "resolve_version",
    "has_schema",
    "register_validator",
]
