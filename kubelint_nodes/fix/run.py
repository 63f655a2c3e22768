"""The fix run: lint, plan, apply in memory, re-lint, roll back what misbehaves, then write or diff.

Re-linting is the arbiter (issue 12): after the edits the whole run is linted
again with the edited files substituted in memory. A fix whose finding is
still reported, or that brings a finding its rule file does not declare as
intended (``introduces``), is rolled back and the rest is tried again; a fix
that was only blamed because it shared an object with a culprit gets a second
chance on its own. Nothing touches the disk until the final set is known, and
then each file is replaced atomically.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..loader.yamlparse import parse_yaml
from .declarations import catalogue_fixes
from .edit import apply_ops
from .model import DELETE_AT, CannotFix, FixDecl, PlannedFix
from .plan import FixContext, locate, make_plan, read_bytes
from .source import Source
from .verify import check, expected_data

if TYPE_CHECKING:
    from ..engine.registry import Catalogue
    from ..findings import Finding
    from ..lint import LintResult
    from ..loader.read import LoadedFile
    from ..settings import Settings

# Fixes blamed together with a culprit are retried one by one, each costing a re-lint; beyond this many the
# rest stay rolled back (the report says why).
MAX_RETRIES = 25


@dataclass
class FixOptions:
    unsafe: bool = False
    rules: tuple[str, ...] = ()


@dataclass
class FileChange:
    lf: LoadedFile
    source: Source
    text: str

    @property
    def changed(self) -> bool:
        return self.text != self.source.text

    def new_bytes(self) -> bytes:
        return self.source.encode(self.text)


@dataclass
class FixRun:
    before: LintResult
    after: LintResult
    fixes: list[PlannedFix] = field(default_factory=list)
    not_fixable: list[tuple[Finding, FixDecl, str]] = field(default_factory=list)
    unsafe_available: int = 0
    changes: dict[str, FileChange] = field(default_factory=dict)
    after_settings: Settings | None = None
    sources: dict[str, Source] = field(default_factory=dict)

    @property
    def applied(self) -> list[PlannedFix]:
        return [f for f in self.fixes if f.status == "applied"]

    def changed_files(self) -> list[FileChange]:
        return sorted((c for c in self.changes.values() if c.changed), key=lambda c: c.lf.file.display)


def lint_settings(settings: Settings, overrides: dict[str, bytes] | None = None) -> Settings:
    """The settings of an intermediate lint: no baseline written, no extra reports."""
    # jobs=1: fixing edits the loaded documents, which a parallel run sends back without their data
    return dataclasses.replace(settings, write_baseline=None, reports=[], jobs=1, overrides=dict(overrides or {}))


def run_fix(settings: Settings, catalogue: Catalogue, options: FixOptions) -> FixRun:
    from ..lint import run_lint

    before = run_lint(lint_settings(settings), catalogue)
    out = settle_fixes(before, settings, catalogue, options)
    out.after_settings = lint_settings(settings, _overrides(out.changes))
    return out


def settle_fixes(before: LintResult, settings: Settings, catalogue: Catalogue, options: FixOptions) -> FixRun:
    """Plan fixes for the findings of ``before`` and keep those that re-lint cleanly (nothing is written)."""
    out = FixRun(before, before)
    out.fixes = plan_fixes(before, settings, catalogue, options, out)
    _accepted, out.changes = _settle(out.fixes, before, lint_settings(settings), catalogue, out)
    if not _overrides(out.changes):
        out.after = before
    return out


def plan_fixes(result: LintResult, settings: Settings, catalogue: Catalogue, options: FixOptions,
               out: FixRun | None = None) -> list[PlannedFix]:
    """A planned fix for every finding with an applicable fix (the first applicable declaration wins)."""
    decls = catalogue_fixes(catalogue)
    by_display = {lf.file.display: lf for lf in result.loaded}
    state: dict[str, Any] = {}
    planned: list[PlannedFix] = []
    seen: set[tuple] = set()
    for f in result.findings:
        if options.rules and f.rule not in options.rules:
            continue
        candidates = decls.get(f.rule) or []
        usable = [d for d in candidates if d.safety == "safe" or options.unsafe]
        if out is not None and len(usable) < len(candidates) and not usable:
            out.unsafe_available += 1
        lf = by_display.get(f.file)
        reason = ""
        for decl in usable:
            if lf is None or lf.file.is_stdin:
                reason = "the file is not an input of this run" if lf is None else "standard input cannot be fixed"
                break
            params = dict(catalogue.rules[f.rule].defaults) if f.rule in catalogue.rules else {}
            params.update(settings.rule_params.get(f.rule, {}))
            try:
                resource, path = locate(lf, f)
                fx = make_plan(FixContext(f, decl, lf, resource, path, params, settings, state))
            except CannotFix as exc:
                reason = str(exc)
                continue
            except Exception as exc:  # noqa: BLE001 - a fixer bug must not stop the run (SPEC §9)
                reason = f"internal error in the fixer: {type(exc).__name__}: {exc}"
                continue
            ident = (lf.file.abspath, fx.doc_index, repr(fx.ops))
            if ident in seen:
                reason = ""
                break
            seen.add(ident)
            planned.append(fx)
            reason = ""
            break
        if reason and out is not None and usable:
            out.not_fixable.append((f, usable[0], reason))
    return planned


# -- applying -----------------------------------------------------------------------------------------------

def _order(fixes: list[PlannedFix]) -> list[PlannedFix]:
    """Position-addressed deletions first, bottom-up, so earlier edits never move their target."""
    by_pos = [f for f in fixes if any(op.kind == DELETE_AT for op in f.ops)]
    rest = [f for f in fixes if not any(op.kind == DELETE_AT for op in f.ops)]
    by_pos.sort(key=lambda f: (-f.finding.line, -f.finding.column))
    return by_pos + rest


def _apply_all(fixes: list[PlannedFix], out: FixRun) -> dict[str, FileChange]:
    """Apply ``fixes`` to fresh copies of their files; each fix is verified on its own step."""
    groups: dict[str, list[PlannedFix]] = {}
    for fx in fixes:
        groups.setdefault(fx.lf.file.abspath, []).append(fx)
    changes: dict[str, FileChange] = {}
    for abspath, group in groups.items():
        lf = group[0].lf
        try:
            source = _source(lf, out)
        except CannotFix as exc:
            for fx in group:
                fx.status, fx.reason = "failed", str(exc)
            continue
        text = source.text
        parsed = parse_yaml(text)
        for fx in _order(group):
            try:
                if not 0 <= fx.doc_index < len(parsed.documents):
                    raise CannotFix("the document is missing")
                new = apply_ops(text, fx.doc_index, fx.ops)
                new_parsed = parse_yaml(new)
                check(parsed, new_parsed, fx.doc_index, expected_data(parsed.documents[fx.doc_index].data, fx.ops))
            except CannotFix as exc:
                fx.status, fx.reason = "failed", str(exc)
                continue
            except Exception as exc:  # noqa: BLE001 - never a traceback for any input (SPEC §9)
                fx.status, fx.reason = "failed", f"internal error while editing: {type(exc).__name__}: {exc}"
                continue
            text, parsed = new, new_parsed
            fx.status, fx.reason = "applied", ""
        changes[abspath] = FileChange(lf, source, text)
    return changes


def _source(lf: LoadedFile, out: FixRun) -> Source:
    cache = out.sources
    if lf.file.abspath not in cache:
        source = Source.from_bytes(read_bytes(lf))
        if lf.text is None or source.text != lf.text.replace("\r\n", "\n"):
            raise CannotFix("the file changed since it was linted (or is not valid YAML text)")
        cache[lf.file.abspath] = source
    return cache[lf.file.abspath]


def _overrides(changes: dict[str, FileChange]) -> dict[str, bytes]:
    return {path: c.new_bytes() for path, c in changes.items() if c.changed}


# -- judging ------------------------------------------------------------------------------------------------

def finding_key(f: Finding) -> tuple:
    """A finding without its position and message, which an edit above it may change, and with its object
    named by identity, not apiVersion, which a fix may change."""
    return (f.rule, f.file, json.dumps(_identity(f.object)), f.path or "")


def _identity(obj: dict | None) -> tuple | None:
    if obj is None:
        return None
    return (obj.get("kind"), obj.get("namespace"), obj.get("name"), obj.get("role"))


def _judge(applied: list[PlannedFix], before: LintResult, after: LintResult) -> dict[int, str]:
    """Why each misbehaving fix is blamed (by ``id``)."""
    blame: dict[int, str] = {}
    old = Counter(finding_key(f) for f in before.findings)
    new = Counter(finding_key(f) for f in after.findings)
    targeted = Counter(finding_key(fx.finding) for fx in applied)
    for fx in applied:
        k = finding_key(fx.finding)
        if new[k] > old[k] - targeted[k]:
            blame[id(fx)] = "its finding is still reported after the fix"
    added = new - old
    if not added:
        return blame
    first = {}
    for f in after.findings:
        first.setdefault(finding_key(f), f)
    for k in sorted(added):
        rule, file, _obj, _path = k
        where = first[k]
        in_file = [fx for fx in applied if fx.display == file]
        # The same object, by identity: a fix may change its apiVersion (extensions/v1beta1 -> apps/v1).
        owners = [fx for fx in in_file if where.object is None or _identity(where.object) ==
                  _identity(fx.finding.object)]
        if any(rule in fx.introduces for fx in owners):
            continue
        if not owners:
            owners = in_file or applied
        for fx in owners:
            blame.setdefault(id(fx), f"it would add a new {rule} finding at {where.file}:{where.line}:{where.column}")
    return blame


def _evaluate(fixes: list[PlannedFix], before: LintResult, base: Settings, catalogue: Catalogue,
              out: FixRun) -> tuple[list[PlannedFix], dict[int, str], dict[str, FileChange]]:
    from ..lint import run_lint

    changes = _apply_all(fixes, out)
    applied = [fx for fx in fixes if fx.status == "applied"]
    overrides = _overrides(changes)
    if not overrides:
        out.after = before
        return applied, {}, changes
    after = run_lint(dataclasses.replace(base, overrides=overrides), catalogue)
    out.after = after
    return applied, _judge(applied, before, after), changes


def _settle(planned: list[PlannedFix], before: LintResult, base: Settings, catalogue: Catalogue,
            out: FixRun) -> tuple[list[PlannedFix], dict[str, FileChange]]:
    """The fixes that re-lint cleanly together, and the files they produce."""
    candidates = list(planned)
    reasons: dict[int, str] = {}
    rolled: list[PlannedFix] = []
    while True:
        applied, blame, changes = _evaluate(candidates, before, base, catalogue, out)
        if not blame:
            accepted = applied
            break
        for fx in applied:
            if id(fx) in blame:
                reasons[id(fx)] = blame[id(fx)]
                rolled.append(fx)
        candidates = [fx for fx in applied if id(fx) not in blame]
    retried = False
    for fx in rolled[:MAX_RETRIES]:  # blamed with a culprit that shared its object: try it alone
        retried = True
        applied, blame, _changes = _evaluate(accepted + [fx], before, base, catalogue, out)
        if not blame and any(a is fx for a in applied):
            accepted = applied
            reasons.pop(id(fx), None)
        elif id(fx) in blame:
            reasons[id(fx)] = blame[id(fx)]
    if retried:
        _applied, _blame, changes = _evaluate(accepted, before, base, catalogue, out)
    kept = {id(fx) for fx in accepted}
    for fx in planned:
        if id(fx) not in kept and fx.status != "failed":
            fx.status, fx.reason = "rolled-back", reasons.get(id(fx), fx.reason)
    return accepted, changes


# -- writing ------------------------------------------------------------------------------------------------

def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` via a temporary file in the same directory and a rename.

    The temporary name starts with ``.``: the kubelet skips such files in a
    static pod directory, so it never sees a half-written manifest. The mode is
    kept; a symlink is followed, so the link stays a link.
    """
    real = os.path.realpath(path)
    directory, name = os.path.split(real)
    mode = os.stat(real).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".kubelint-fix", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_changes(run: FixRun) -> list[str]:
    """Write every changed file; returns the display paths written."""
    written = []
    for change in run.changed_files():
        write_atomic(change.lf.file.abspath, change.new_bytes())
        written.append(change.lf.file.display)
    return written
