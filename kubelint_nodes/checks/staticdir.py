"""Static pod directory rules: duplicates, stray files, manifests in subdirectories.

They judge a file by its directory, so they read the directory from disk
whatever subset of files the run was given (SPEC §7), and report only on the
run's own files; a sibling read for comparison only appears in ``related``.

What the kubelet does (kubernetes/kubernetes pkg/kubelet/config/file.go,
``extractFromDir`` and ``replaceStore``): it globs ``<dir>/[^.]*`` (every name
not starting with ``.``, any extension), ``sort.Strings`` the paths (byte-wise
order), follows symlinks (``os.Stat``), skips subdirectories without
recursing, and parses each regular file as one Pod. The pods go into a store
keyed by namespace/name (``cache.MetaNamespaceKeyFunc``) through
``store.Replace``, which fills a map in list order: of two pods with the same
namespace/name, the file that sorts **last** wins and the other is silently
dropped. Files the kubelet refuses (not a Pod, unnamed, or referencing API
objects since v1.34) never reach the store, so they neither win nor lose.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator

from ..engine.context import Hit, RunContext
from ..engine.registry import check
from ..loader.files import InputFile, StaticPodDirs, display_path
from ..loader.read import LoadedFile, load_file
from ..model.apirefs import api_references
from ..model.resource import Resource

# Since this version the kubelet refuses static pods with API-object references (reference R5.4).
_API_REFS_REFUSED_FROM = (1, 34)


def _version(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    parts = text.lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def _byte_key(name: str) -> bytes:
    """Go's ``sort.Strings`` order: byte-wise on the UTF-8 path."""
    return name.encode("utf-8", "surrogateescape")


def _static_pod(lf: LoadedFile) -> Resource | None:
    for res in lf.resources:
        if res.role == "static-pod":
            return res
    return None


def _contender(lf: LoadedFile, refs_refused: bool) -> tuple[str, str] | None:
    """The namespace/name the kubelet would store this file's pod under, or None if it refuses the file."""
    res = _static_pod(lf)
    if res is None or not res.name:
        return None
    if refs_refused and api_references(res.pod_spec() or {}):
        return None
    return res.namespace or "default", res.name


def _directory_files(ctx: RunContext, directory: str, display_dir: str, run: dict[str, LoadedFile]
                     ) -> list[LoadedFile]:
    """Every file the kubelet reads in ``directory``, in its order: the run's own, siblings loaded from disk."""
    try:
        names = [n for n in os.listdir(directory) if not n.startswith(".")]
    except OSError:
        return []
    out = []
    for name in sorted(names, key=_byte_key):
        path = os.path.join(directory, name)
        try:
            if not os.path.isfile(path):  # follows symlinks, as os.Stat does
                continue
        except OSError:
            continue
        lf = run.get(os.path.abspath(path))
        if lf is None:
            sibling = InputFile(display=display_path(posixpath.join(display_dir, name)), abspath=os.path.abspath(path),
                                static_dir=display_dir)
            lf = load_file(sibling, ctx.settings.limits)
        out.append(lf)
    return out


def _run_static_files(ctx: RunContext) -> dict[str, dict[str, LoadedFile]]:
    """The run's files directly in a static pod directory, grouped by that directory's real path."""
    groups: dict[str, dict[str, LoadedFile]] = {}
    for lf in ctx.files:
        f = lf.file
        if f.static_dir is None or f.is_stdin or posixpath.basename(f.display).startswith("."):
            continue
        groups.setdefault(os.path.dirname(f.abspath), {})[f.abspath] = lf
    return groups


def _where(lf: LoadedFile) -> tuple[Resource | None, int, int]:
    res = lf.resources[0] if lf.resources else None
    if res is None:
        return None, 1, 1
    line, col = res.locate(())
    return res, line, col


@check("static-pod-duplicate", scope="run")
def static_pod_duplicate(ctx: RunContext) -> Iterator[Hit]:
    version = _version(ctx.settings.kubernetes_version)
    refs_refused = version is None or version >= _API_REFS_REFUSED_FROM
    for directory, run in sorted(_run_static_files(ctx).items()):
        display_dir = next(iter(run.values())).file.static_dir or "."
        by_key: dict[tuple[str, str], list[LoadedFile]] = {}
        for lf in _directory_files(ctx, directory, display_dir, run):
            key = _contender(lf, refs_refused)
            if key is not None:
                by_key.setdefault(key, []).append(lf)
        for (namespace, name), group in sorted(by_key.items()):
            if len(group) < 2:
                continue
            winner = group[-1]
            wres = _static_pod(winner)
            wline, wcol = wres.locate(("metadata", "name")) if wres is not None else (1, 1)
            for lf in group[:-1]:
                if os.path.abspath(lf.file.abspath) not in run:
                    continue  # a sibling read for comparison gets no finding of its own
                res = _static_pod(lf)
                yield ctx.hit(
                    f"static pod '{name}' (namespace {namespace}) is also defined by {winner.file.display}: the "
                    "kubelet reads the directory in byte-wise file name order and keeps the last pod of each "
                    f"namespace/name, so {winner.file.display} runs and this file is silently ignored; delete "
                    f"this file or move it out of {display_dir}",
                    ("metadata", "name"), res,
                    related=[{"file": winner.file.display, "line": wline, "column": wcol,
                              "message": f"this file sorts last, so the kubelet runs its pod '{name}'"}])


@check("static-pod-stray-file", scope="run")
def static_pod_stray_file(ctx: RunContext) -> Iterator[Hit]:
    suffixes = tuple(s for s in (ctx.params.get("suffixes") or ()) if isinstance(s, str) and s)
    for run in _run_static_files(ctx).values():
        for lf in run.values():
            base = posixpath.basename(lf.file.display)
            hit = next((s for s in suffixes if base.endswith(s)), None)
            if hit is None:
                continue
            res, line, col = _where(lf)
            yield ctx.hit(
                f"{lf.file.display} ends in '{hit}', but the kubelet reads every file of {lf.file.static_dir} whose "
                "name does not start with '.', whatever its extension, so this leftover is loaded as a static pod "
                "too (and may shadow the real manifest); delete it or move it out of the directory",
                None, res, file=lf.file.display, line=line, column=col,
                object=res.object_ref() if res is not None else None)


def _static_parent(f: InputFile, spd: StaticPodDirs, cwd: str) -> str:
    """How to name the static pod directory that ``f`` lies below."""
    real = os.path.dirname(os.path.abspath(f.abspath))
    while True:
        up = os.path.dirname(real)
        if up == real:
            return "its static pod directory"
        real = up
        if spd.is_static(real):
            break
    return display_path(real if f.display.startswith("/") else os.path.relpath(real, cwd))


@check("static-pod-in-subdirectory", scope="run")
def static_pod_in_subdirectory(ctx: RunContext) -> Iterator[Hit]:
    spd = StaticPodDirs(ctx.settings.static_pod_dirs, ctx.settings.cwd)
    for lf in ctx.files:
        if not lf.file.below_static_dir:
            continue
        parent = None
        for res in lf.resources:
            if res.kind != "Pod":
                continue
            parent = parent or _static_parent(lf.file, spd, ctx.settings.cwd)
            yield ctx.hit(
                f"{res.describe()} is in a subdirectory of the static pod directory {parent}: the kubelet does not "
                f"recurse, so it never runs; move the file up into {parent}, or declare its directory with "
                "--static-pod-dir (or static-pod-dirs in the config) if a kubelet reads it",
                None, res)
