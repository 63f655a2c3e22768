"""The rule catalogue: metadata from ``rules/*.yaml``, logic declarative or registered Python.

A rule is data first (yamllint keeps metadata beside the check; Polaris keeps
checks declarative): ``rules/<id>.yaml`` holds the id, severity, roles,
documentation, parameters and, where it can be said declaratively, the check.
Python is registered under the same id with :func:`check` when logic is
needed. Rule files are discovered by listing the folder (kube-linter), so
there is no list to keep in sync.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..packaged import data_dir

# scope -> what the Python function receives:
#   "document": a CheckContext per resource whose role the rule lists
#   "run": a RunContext once per run (directory rules, inventory rules, cross-object rules)
SCOPES = ("document", "run")

_PYTHON_CHECKS: dict[str, tuple[str, Callable[..., Any]]] = {}


# rule id -> a cheap predicate; when it is false the check is not called at all (nor its module imported).
# Document scope: on the resource, shared per resource between rules with the same predicate (e.g. "runs a
# control-plane component"); run scope: on the RunContext, asked once per run and shared by the rules with
# the same gate, so it may read the run but not the rule (e.g. "the run has a kubelet configuration").
_GATES: dict[str, Callable[[Any], bool]] = {}
# rule id -> (module, function name) of its gate, known without importing the check module (cached on disk)
_GATE_REFS: dict[str, tuple[str, str]] = {}


def check(rule_id: str, scope: str = "document",
          when: Callable[[Any], bool] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the logic of ``rule_id`` (its metadata stays in ``rules/``).

    ``when`` skips what the check can never report on, before any context is built and before the check's
    module is imported: with ~90 rules the calls themselves are a real share of a large run, and importing
    the kubelet or control-plane libraries a real share of a one-file run. It must be a module-level function
    of a light module (``checks/gates.py``), since the engine imports it by name.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    if when is not None and when.__qualname__ != when.__name__:
        raise ValueError(f"the gate of {rule_id!r} must be a module-level function")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        existing = _PYTHON_CHECKS.get(rule_id)
        if existing is not None and existing[1].__module__ != fn.__module__:
            if existing[1].__module__.startswith(__package__.rsplit(".", 1)[0] + ".checks."):
                raise ValueError(f"rule {rule_id!r} registered twice")
            return fn  # a test replaced it before its module was (lazily) imported: keep the replacement
        _PYTHON_CHECKS[rule_id] = (scope, fn)
        if when is not None:
            _GATES[rule_id] = when
            _GATE_REFS[rule_id] = (when.__module__, when.__name__)
        return fn

    return deco


class RuleFileError(Exception):
    """An invalid rule file: the message names the file and line."""


@dataclass
class Rule:
    id: str
    severity: str
    roles: tuple[str, ...]
    summary: str
    rationale: str = ""
    fix: str = ""
    message: str = ""
    examples: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    needs_inventory: bool = False
    needs_all: bool = False
    check: dict[str, Any] | None = None
    source: str = ""
    builtin: bool = True
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: v.get("default") for k, v in self.parameters.items()}

    @property
    def security(self) -> bool:
        return "security" in self.tags


def _rule_from(data: dict[str, Any], source: str, builtin: bool) -> Rule:
    needs = data.get("needs") or {}
    return Rule(
        id=data["id"],
        severity=data["severity"],
        roles=tuple(data.get("roles") or ()),
        summary=data.get("summary", ""),
        rationale=data.get("rationale", ""),
        fix=data.get("fix", ""),
        message=data.get("message", ""),
        examples=dict(data.get("examples") or {}),
        parameters=dict(data.get("parameters") or {}),
        tags=tuple(data.get("tags") or ()),
        needs_inventory=bool(needs.get("inventory")),
        needs_all=bool(needs.get("all")),
        check=data.get("check"),
        source=source,
        builtin=builtin,
        raw=data,
    )


def parse_rule_file(path: Path, builtin: bool = True, validate: bool = False) -> Rule:
    from ..loader.yamlparse import parse_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read rule file: {exc}") from None
    res = parse_yaml(text)
    errs = [i for i in res.issues]
    if errs:
        raise RuleFileError(f"{path}:{errs[0].line}:{errs[0].column}: {errs[0].message}")
    if len(res.documents) != 1 or not isinstance(res.documents[0].data, dict):
        raise RuleFileError(f"{path}:1:1: a rule file holds one mapping")
    doc = res.documents[0]
    data = doc.data
    if validate or not builtin:
        problem = validate_rule_data(data)
        if problem:
            where, msg = problem
            from ..model.resource import locate

            line, col = locate(doc.positions, data, doc.start, where)
            raise RuleFileError(f"{path}:{line}:{col}: {msg}")
    if data.get("id") != path.stem:
        raise RuleFileError(f"{path}:1:1: rule id {data.get('id')!r} does not match the file name")
    return _rule_from(data, str(path), builtin)


def validate_rule_data(data: dict[str, Any]) -> tuple[tuple, str] | None:
    """Check a rule file against ``schemas/rule.schema.json``; returns (path, message) of the first error."""
    import json

    import jsonschema

    schema = json.loads((data_dir("schemas") / "rule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    err = errors[0]
    path = tuple(err.absolute_path)
    shown = ".".join(str(p) for p in path) or "(root)"
    return path, f"{shown}: {err.message}"


@dataclass
class Catalogue:
    """The rules, and where their Python lives: carried by the catalogue itself (not only the module's
    registry) so that a worker started with ``spawn`` (Windows, macOS) knows every Python check too."""

    rules: dict[str, Rule]
    modules: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(_CHECK_MODULES))
    gate_refs: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(_GATE_REFS))

    def get(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)

    def python_check(self, rule_id: str) -> tuple[str, Callable[..., Any]] | None:
        """(scope, function) of a Python rule, importing its module on first use."""
        entry = _PYTHON_CHECKS.get(rule_id)
        if entry is None and rule_id in self.modules:
            import importlib

            importlib.import_module(self.modules[rule_id][1])
            entry = _PYTHON_CHECKS.get(rule_id)
        return entry

    def gate(self, rule_id: str) -> Callable[[Any], bool] | None:
        """The rule's gate, imported from its own (light) module: the check's module is not imported."""
        gate = _GATES.get(rule_id)
        if gate is None and rule_id in self.gate_refs:
            import importlib

            module, name = self.gate_refs[rule_id]
            gate = _GATES[rule_id] = getattr(importlib.import_module(module), name)
        return gate

    def python_scope(self, rule_id: str) -> str | None:
        """The scope of a Python rule without importing its module (None for declarative rules)."""
        entry = _PYTHON_CHECKS.get(rule_id)
        if entry is not None:
            return entry[0]
        known = self.modules.get(rule_id)
        return known[0] if known else None

    def ids(self) -> list[str]:
        return sorted(self.rules)


# rule id -> (scope, module) of every built-in Python check, known without importing the modules
_CHECK_MODULES: dict[str, tuple[str, str]] = {}


def _import_checks() -> None:
    import importlib
    import pkgutil

    from .. import checks

    for mod in sorted(pkgutil.iter_modules(checks.__path__), key=lambda m: m.name):
        importlib.import_module(f"{checks.__name__}.{mod.name}")
    for rule_id, (scope, fn) in _PYTHON_CHECKS.items():
        _CHECK_MODULES.setdefault(rule_id, (scope, fn.__module__))


def _fingerprint(folders: list[Path]) -> str:
    """Changes whenever a rule file or check module (or the tool's version) changes: the text itself is kept
    in the cache and compared whole, so no hash (``hashlib`` alone cost 4 ms of every run) can collide."""
    from .. import __version__

    lines = [__version__]
    for folder in folders:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".py")):
                st = entry.stat()
                lines.append(f"{folder}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(lines)


def _cache_file(folders: list[Path]) -> Path | None:
    """One cache file per tool version and installation (the folders' paths name it; a clash costs a rebuild,
    never a wrong catalogue, since the fingerprint inside decides)."""
    import zlib

    from .. import __version__

    base = os.environ.get("KUBELINT_NODES_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "kubelint-nodes")
    if base == "off":
        return None
    where = zlib.crc32("\n".join(str(f) for f in folders).encode("utf-8", "surrogateescape"))
    return Path(base) / f"catalogue-{__version__}-{where:08x}.pickle"


def _read_cache(cache: Path, fingerprint: str) -> Any:
    """What was saved under ``fingerprint``; None when the file is missing, unreadable or stale."""
    import pickle

    try:
        with open(cache, "rb") as fh:
            saved, payload = pickle.load(fh)
    except Exception:  # noqa: BLE001 - a missing, truncated or foreign cache is rebuilt
        return None
    return payload if saved == fingerprint else None


def _write_cache(cache: Path, fingerprint: str, payload: Any) -> None:
    """Write atomically (concurrent runs each replace the file whole); an unwritable cache is not used."""
    import pickle

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((fingerprint, payload), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass


@lru_cache(maxsize=1)
def builtin_catalogue() -> Catalogue:
    """The built-in rules. Parsing ~90 rule files and importing every check costs more than linting a small
    file, so the parsed catalogue is cached on disk with the files' fingerprint; a cache that cannot be read
    or written is simply not used, and never changes a result."""
    from .. import checks

    folder = data_dir("rules")
    folders = [folder, Path(checks.__path__[0])]
    fingerprint = _fingerprint(folders)
    cache = _cache_file(folders)
    cached = _read_cache(cache, fingerprint) if cache is not None else None
    if cached is not None:
        rules, modules, gates = cached
        _CHECK_MODULES.update(modules)
        for rule_id, ref in gates.items():
            _GATE_REFS.setdefault(rule_id, ref)
        return Catalogue(rules)
    _import_checks()
    rules = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".yaml"):
            rule = parse_rule_file(folder / name)
            rules[rule.id] = rule
    if cache is not None:
        _write_cache(cache, fingerprint, (rules, dict(_CHECK_MODULES), dict(_GATE_REFS)))
    return Catalogue(rules)


def load_catalogue(rules_dirs: list[str] | None = None) -> Catalogue:
    """Built-in rules plus declarative rules from user directories (never Python from a repository)."""
    base = builtin_catalogue()
    if not rules_dirs:
        return base
    rules = dict(base.rules)
    for d in rules_dirs:
        folder = Path(d)
        if not folder.is_dir():
            raise RuleFileError(f"{d}: rules directory does not exist")
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".yaml", ".yml")):
                continue
            rule = parse_rule_file(folder / name, builtin=False)
            if rule.id in rules:
                line, col = _key_position(folder / name, ("id",))
                raise RuleFileError(f"{folder / name}:{line}:{col}: rule id {rule.id!r} already exists")
            if not rule.check or "python" in rule.check:
                line, col = _key_position(folder / name, ("check", "python"))
                raise RuleFileError(f"{folder / name}:{line}:{col}: user rules must have a declarative `check` "
                                    "(rules-dirs never load Python)")
            rules[rule.id] = rule
    return Catalogue(rules, base.modules, base.gate_refs)


def _key_position(path: Path, key_path: tuple) -> tuple[int, int]:
    """Line and column of a key in a rule file (its nearest existing parent), for error messages."""
    from ..loader.yamlparse import parse_yaml
    from ..model.resource import locate

    doc = parse_yaml(path.read_text(encoding="utf-8")).documents[0]
    return locate(doc.positions, doc.data, doc.start, key_path)
