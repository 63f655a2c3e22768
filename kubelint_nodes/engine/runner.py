"""Run the catalogue over loaded files and turn hits into findings.

Every check runs behind a guard: an unexpected exception becomes an
``internal-error`` finding naming the file and rule, and the run goes on.
"""

from __future__ import annotations

import traceback
from typing import Any

from ..findings import Finding, format_path
from ..loader.read import LoadedFile, LoadIssue
from ..settings import Settings
from .context import CheckContext, Hit, RunContext
from .declarative import run_declarative
from .registry import Catalogue, Rule


class Engine:
    """Holds the catalogue and the run's settings; produces findings."""

    def __init__(self, catalogue: Catalogue, settings: Settings):
        self.catalogue = catalogue
        self.settings = settings
        self.active = self._active_rules()
        self.state: dict[str, Any] = {}
        self.debug_traces: list[str] = []
        self._params: dict[str, dict[str, Any]] = {}
        self._fns: dict[str, Any] = {}
        self._severities: dict[str, str] = {}
        self._by_role = self._document_rules()

    # -- selection -----------------------------------------------------------------
    def _active_rules(self) -> list[Rule]:
        s = self.settings
        out = []
        for rule in self.catalogue.rules.values():
            if rule.id in s.disable:
                continue
            if rule.needs_inventory and not s.inventory:
                continue
            out.append(rule)
        return sorted(out, key=lambda r: r.id)

    def params(self, rule: Rule) -> dict[str, Any]:
        """The rule's parameters: declared defaults under the configured values (computed once per run)."""
        merged = self._params.get(rule.id)
        if merged is None:
            merged = rule.defaults
            merged.update(self.settings.rule_params.get(rule.id, {}))
            self._params[rule.id] = merged
        return merged

    def _document_rules(self) -> dict[str, list[tuple[Rule, Any, dict[str, Any], Any]]]:
        """role -> (rule, check function or None until first use, parameters, gate) for the per-document
        rules. A gate is imported now (gates are light); a check's module when an object first passes it."""
        by_role: dict[str, list[tuple[Rule, Any, dict[str, Any], Any]]] = {}
        for rule in self.active:
            if rule.needs_all:
                continue
            scope = self.catalogue.python_scope(rule.id)
            if scope is not None and scope != "document":
                continue
            if scope is None and not rule.check:
                continue
            fn = run_declarative if scope is None else None
            gate = self.catalogue.gate(rule.id) if scope is not None else None
            for role in rule.roles:
                by_role.setdefault(role, []).append((rule, fn, self.params(rule), gate))
        return by_role

    def run_roles(self) -> frozenset[str]:
        """Roles the active run-scope rules declare: the objects they read after the per-file pass."""
        roles: set[str] = set()
        for rule in self.active:
            if self.catalogue.python_scope(rule.id) == "run" and (self.settings.whole_repo or not rule.needs_all):
                roles.update(rule.roles)
        return frozenset(roles)

    def _function(self, rule: Rule) -> Any:
        """A Python check's function, its module imported only when an object of its role shows up."""
        fn = self._fns.get(rule.id)
        if fn is None:
            entry = self.catalogue.python_check(rule.id)
            fn = self._fns[rule.id] = entry[1] if entry else run_declarative
        return fn

    def severity(self, rule_id: str, override: str | None = None) -> str:
        if override:
            return override
        known = self._severities.get(rule_id)
        if known is None:
            rule = self.catalogue.get(rule_id)
            known = self._severities[rule_id] = (self.settings.severity_overrides.get(rule_id)
                                                 or (rule.severity if rule else "error"))
        return known

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.settings.disable

    # -- running ---------------------------------------------------------------------
    def lint_file(self, lf: LoadedFile) -> list[Finding]:
        findings = [self.issue_finding(lf, issue) for issue in lf.issues if self.enabled(issue.rule)]
        settings = self.settings
        for res in lf.resources:
            entries = self._by_role.get(res.role)
            if not entries:
                continue
            gates: dict[Any, bool] = {}
            for n, (rule, fn, params, gate) in enumerate(entries):
                try:
                    if gate is not None:  # shared per resource by the rules with the same gate
                        passed = gates.get(gate)
                        if passed is None:
                            passed = gates[gate] = bool(gate(res))
                        if not passed:
                            continue
                    if fn is None:  # a Python check: its module is imported on first use
                        fn = self._function(rule)
                        entries[n] = (rule, fn, params, gate)
                    hits = fn(CheckContext(rule, res, params, settings))
                    if hits is not None:
                        for h in hits:
                            findings.append(self.hit_finding(rule.id, h, res))
                except Exception as exc:  # noqa: BLE001 - the rule boundary guard of SPEC §9
                    findings.append(self._internal_error(rule, lf.file.display, exc, res))
        return findings

    def lint_run(self, files: list[LoadedFile]) -> list[Finding]:
        """Run-scoped checks (directories, inventory, cross-object rules) once over all files."""
        findings: list[Finding] = []
        gates: dict[Any, bool] = {}  # shared by the rules with the same gate, as per resource in lint_file
        for rule in self.active:
            if self.catalogue.python_scope(rule.id) != "run":
                continue
            if rule.needs_all and not self.settings.whole_repo:
                continue
            ctx = RunContext(rule, self.params(rule), self.settings, files, self.settings.whole_repo, self.state)
            gate = self.catalogue.gate(rule.id)
            try:
                if gate is not None:
                    passed = gates.get(gate)
                    if passed is None:
                        passed = gates[gate] = bool(gate(ctx))
                    if not passed:
                        continue
            except Exception as exc:  # noqa: BLE001 - the rule boundary guard of SPEC §9
                findings.append(self._internal_error(rule, None, exc, None))
                continue
            entry = self.catalogue.python_check(rule.id)
            if entry is None:
                continue
            findings.extend(self._guarded(rule, None, lambda fn=entry[1], ctx=ctx: fn(ctx), None))
        return findings

    def _guarded(self, rule: Rule, file: str | None, call: Any, res: Any) -> list[Finding]:
        try:
            hits = call()
            return [self.hit_finding(rule.id, h, res) for h in (hits or ())]
        except Exception as exc:  # noqa: BLE001 - the guard SPEC §9 asks for
            return [self._internal_error(rule, file, exc, res)]

    def _internal_error(self, rule: Rule, file: str | None, exc: Exception, res: Any) -> Finding:
        if self.settings.debug:
            self.debug_traces.append(traceback.format_exc())
        cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        where = file or "<run>"
        ref = res.object_ref() if res is not None else None
        line, col = res.locate(()) if res is not None else (1, 1)
        return Finding("internal-error", "error", f"rule {rule.id} failed on {where}: {cause}",
                       file or "", line, col, ref, None)

    # -- conversion ------------------------------------------------------------------
    def hit_finding(self, rule_id: str, hit: Hit, default_res: Any) -> Finding:
        res = hit.resource if hit.resource is not None else default_res
        if res is not None and hit.line is None:
            line, col = res.locate(hit.path)
            file = res.file.display
            obj = res.object_ref()
        else:
            line, col = hit.line or 1, hit.column or 1
            file = hit.file if hit.file is not None else (res.file.display if res is not None else "")
            obj = hit.object if hit.object is not None else (res.object_ref() if res is not None else None)
        return Finding(rule_id, self.severity(rule_id, hit.severity), hit.message, file, line, col, obj,
                       format_path(hit.path) if hit.path is not None else None, hit.related)

    def issue_finding(self, lf: LoadedFile, issue: LoadIssue) -> Finding:
        res = issue.resource
        return Finding(issue.rule, self.severity(issue.rule), issue.message, lf.file.display, issue.line,
                       issue.column, res.object_ref() if res is not None else None,
                       format_path(issue.path) if issue.path else None)

