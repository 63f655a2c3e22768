"""The lint pipeline: files -> documents -> resources -> findings -> report data.

Data flows one way; each stage lives in its own package and this module only
wires them together.
"""

from __future__ import annotations

import gc
import os
import traceback
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .engine.registry import Catalogue, load_catalogue
from .engine.runner import Engine
from .findings import SEVERITY_RANK, Finding, sort_findings
from .gcpause import gc_paused
from .loader.files import InputFile, discover
from .loader.read import LoadedFile, LoadIssue, load_file
from .settings import Settings


class UsageError(Exception):
    """Exit 2 with a one-line message (SPEC §3)."""


@dataclass
class LintResult:
    """What a lint run found. ``findings`` is in report order (``sort_findings``); ``suppressed`` is not."""

    findings: list[Finding]
    suppressed: list[Finding]
    files: int
    documents: int
    loaded: list[LoadedFile] = field(default_factory=list)
    catalogue: Catalogue | None = None
    debug_traces: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return {"files": self.files, "documents": self.documents, "findings": len(self.findings),
                "suppressed": len(self.suppressed), **counts}

    def shown(self) -> list[Finding]:
        """The findings a report lists, in report order: kept ones, and suppressed ones when asked to show them."""
        suppressed = [f for f in self.suppressed if f.suppressed is not None]
        return sort_findings(self.findings + suppressed) if suppressed else self.findings

    @staticmethod
    def tool() -> dict[str, str]:
        return {"name": "kubelint-nodes", "version": __version__}

    def report(self) -> dict[str, Any]:
        return {"tool": self.tool(), "findings": [f.to_json() for f in self.shown()], "summary": self.summary()}

    def exit_code(self, fail_on: str) -> int:
        if any(f.rule == "internal-error" for f in self.findings):
            return 2
        if fail_on == "never":
            return 0
        threshold = SEVERITY_RANK[fail_on]
        return 1 if any(SEVERITY_RANK.get(f.severity, 0) >= threshold for f in self.findings) else 0


def safe_load(f: InputFile, settings: Settings, traces: list[str] | None = None) -> LoadedFile:
    """Load one file behind the guard: a loader bug becomes an ``internal-error`` finding, never a crash."""
    try:
        return load_file(f, settings.limits, settings.overrides.get(f.abspath) if settings.overrides else None)
    except Exception as exc:  # noqa: BLE001 - the file boundary guard of SPEC §9
        if traces is not None and settings.debug:
            traces.append(traceback.format_exc())
        lf = LoadedFile(f)
        cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        lf.issues.append(LoadIssue("internal-error", f"loading {f.display} failed: {cause}"))
        return lf


def _lint_files(files: list[InputFile], settings: Settings, engine: Engine) -> list[tuple[LoadedFile, list[Finding]]]:
    out = []
    for f in files:
        lf = safe_load(f, settings, engine.debug_traces)
        out.append((lf, engine.lint_file(lf)))
    return out


def _worker(settings: Settings, catalogue: Catalogue, chunks: list[list[InputFile]], next_chunk: Any,
            results: Any) -> None:
    """A worker process: take chunk numbers from the shared counter until none is left, lint each chunk and
    send back (number, what the parent still needs, debug traces)."""
    gc.disable()  # this process lives for the run only; see gcpause.py
    _exit_with_parent()
    try:
        engine = Engine(catalogue, settings)
        roles = engine.run_roles()
        for i in _take(next_chunk, len(chunks)):
            engine.debug_traces = []
            pairs = _lint_files(chunks[i], settings, engine)
            for lf, _ in pairs:
                if not _needed_after_per_file_rules(lf, settings, roles):
                    _slim(lf)
            results.put((i, pairs, engine.debug_traces))
    except BaseException:  # noqa: BLE001 - never a traceback (Ctrl-C included): the parent redoes what is missing
        results.close()
        os._exit(1)


def _exit_with_parent() -> None:
    """Leave as soon as the parent is gone (killed, say): a worker outliving it would wait forever to hand
    over its results."""
    import multiprocessing as mp
    import threading

    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _take(next_chunk: Any, count: int) -> Any:
    """Chunk numbers claimed from the counter shared by the parent and its workers, in increasing order."""
    while True:
        with next_chunk.get_lock():
            i = next_chunk.value
            if i >= count:
                return
            next_chunk.value = i + 1
        yield i


def _needed_after_per_file_rules(lf: LoadedFile, settings: Settings, run_roles: frozenset[str]) -> bool:
    """Whether the parent still reads this file's documents: the active run-scope rules (by the roles they
    declare; the inventory rules also read PriorityClasses, so an inventory keeps everything), the static pod
    directory and kubelet files those rules locate by path, suppression (``suppression.has_silencers``) and
    Helm sources (``loader/helm_source.py``)."""
    if settings.inventory:
        return True
    f = lf.file
    if f.static_dir or f.below_static_dir or f.explicit_kubelet_config or getattr(f, "kubelet_dropin", False):
        return True
    if any(r.role in run_roles for r in lf.resources):
        return True
    from .suppression import has_silencers

    return has_silencers(lf) or "Source:" in (lf.text or "")


def _slim(lf: LoadedFile) -> None:
    """Drop what only the per-file rules needed: unpickling it in the parent cost more than the rules."""
    lf.resources = []
    lf.issues = []
    lf.text = None
    lf.first_document = None
    lf.extra_documents = []


AUTO_PARALLEL_MIN_FILES = 200  # below this, starting workers costs more than it saves (measured)


def worker_count(settings: Settings, nfiles: int) -> int:
    """``--jobs``, or with 0 the CPUs (at most 4) for trees large enough to gain from them."""
    if nfiles < 2:
        return 1
    if settings.jobs > 0:
        return settings.jobs
    if nfiles < AUTO_PARALLEL_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _parallel(files: list[InputFile], settings: Settings, catalogue: Catalogue,
              engine: Engine) -> list[tuple[LoadedFile, list[Finding]]]:
    """Per-file work shared by this process and ``jobs - 1`` workers; results are put back in input order,
    so the output is identical to a serial run.

    The parent lints chunks too instead of waiting on a pool: its own chunks are never pickled, and on two
    cores two busy processes (not two workers plus a parent unpickling their results) is what fits. A worker
    that dies leaves chunks without a result; the parent lints those itself.
    """
    import multiprocessing as mp
    import queue as queue_errors

    if any(f.is_stdin for f in files):
        return _lint_files(files, settings, engine)
    jobs = worker_count(settings, len(files))
    chunks = _chunks(files, jobs)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    next_chunk = ctx.Value("i", 0)
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(settings, catalogue, chunks, next_chunk, results), daemon=True)
               for _ in range(jobs - 1)]
    done: dict[int, list[tuple[LoadedFile, list[Finding]]]] = {}
    try:
        for w in workers:
            w.start()
        for i in _take(next_chunk, len(chunks)):
            done[i] = _lint_files(chunks[i], settings, engine)
        while len(done) < len(chunks):
            try:
                i, pairs, traces = results.get(timeout=0.2)
            except queue_errors.Empty:
                if any(w.is_alive() for w in workers):
                    continue
                break  # every worker is gone and nothing more is coming
            except Exception:  # noqa: BLE001 - a worker died in the middle of a message: stop reading
                break
            done[i] = pairs
            engine.debug_traces.extend(traces)
        if len(done) == len(chunks):
            for w in workers:
                w.join()
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
        results.close()
    out: list[tuple[LoadedFile, list[Finding]]] = []
    for i, chunk in enumerate(chunks):
        out.extend(done[i] if i in done else _lint_files(chunk, settings, engine))  # a worker died on it
    return out


def _chunks(files: list[InputFile], jobs: int, smallest: int = 8) -> list[list[InputFile]]:
    """Consecutive chunks of shrinking size (guided scheduling): large ones first keep the hand-offs few,
    small ones last let every process finish at about the same time, even when one core is slower than
    the other (on the 2-vCPU reference machine one consistently is)."""
    out: list[list[InputFile]] = []
    i = 0
    while i < len(files):
        size = max(smallest, (len(files) - i) // (2 * jobs))
        out.append(files[i:i + size])
        i += size
    return out


def run_lint(settings: Settings, catalogue: Catalogue | None = None) -> LintResult:
    with gc_paused():
        return _run_lint(settings, catalogue)


def _run_lint(settings: Settings, catalogue: Catalogue | None) -> LintResult:
    catalogue = catalogue or load_catalogue(settings.rules_dirs)
    for kc in settings.kubelet_configs:
        full = os.path.join(settings.cwd, kc)
        if not os.path.isfile(full) or not os.access(full, os.R_OK):
            raise UsageError(f"--kubelet-config {kc}: not a readable file")
    discovery = discover(settings)
    if discovery.missing:
        raise UsageError(f"path does not exist: {discovery.missing[0]}")
    engine = Engine(catalogue, settings)
    if settings.inventory:  # SPEC §3: an invalid inventory is exit 2; inventory rules read it from the state
        from .inventory.load import load_inventory

        engine.state["inventory"] = load_inventory(settings.inventory, settings)
    if worker_count(settings, len(discovery.files)) > 1:
        pairs = _parallel(discovery.files, settings, catalogue, engine)
    else:
        pairs = _lint_files(discovery.files, settings, engine)
    loaded = [lf for lf, _ in pairs]
    if settings.kubelet_configs:
        from .kubelet.sources import explicit_config_error  # SPEC §3 exit 2 (issue 7)

        problem = explicit_config_error(loaded)
        if problem:
            raise UsageError(problem)
    findings: list[Finding] = [f for _, fs in pairs for f in fs]
    findings.extend(engine.lint_run(loaded))
    for notice in discovery.notices:
        if engine.enabled(notice.rule):
            findings.append(Finding(notice.rule, engine.severity(notice.rule), notice.message, notice.display, 1, 1))
    annotate_helm_sources(findings, loaded)
    kept, suppressed = apply_filters(findings, loaded, settings, catalogue)
    return LintResult(sort_findings(kept), suppressed, len(discovery.files), sum(lf.documents for lf in loaded),
                      loaded, catalogue, engine.debug_traces)


def apply_filters(findings: list[Finding], loaded: list[LoadedFile], settings: Settings,
                  catalogue: Catalogue) -> tuple[list[Finding], list[Finding]]:
    """Suppression (annotations, comments, per-path config) and baseline; see suppression.py."""
    from .suppression import filter_findings

    return filter_findings(findings, loaded, settings, catalogue)


def annotate_helm_sources(findings: list[Finding], loaded: list[LoadedFile]) -> None:
    """SPEC §4 ``source``: the Helm template named by ``# Source:`` in rendered input; see loader/helm_source.py."""
    from .loader.helm_source import annotate_sources

    annotate_sources(findings, loaded)
