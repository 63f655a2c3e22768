"""Which files a run reads, under which display names, and what role their directory gives them.

SPEC §7 "What is linted": directory walks read ``*.yaml``, ``*.yml`` and
``*.json``; inside a static pod directory every regular file whose name does
not start with ``.`` (the kubelet reads them all, pkg/kubelet/config/file.go);
``.git``, ``node_modules`` and ``vendor`` are skipped; a Helm chart's
``templates/`` is not read. SPEC §4 fixes the display names.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field

from ..settings import Settings

YAML_SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_EXCLUDED_DIRS = {".git", "node_modules", "vendor"}


@dataclass
class InputFile:
    """One file of the run: where it is, what to call it, and whether the kubelet would read it."""

    display: str
    abspath: str
    static_dir: str | None = None  # display path of the static pod directory holding it
    below_static_dir: bool = False  # in a subdirectory of a static pod directory (the kubelet does not recurse)
    is_stdin: bool = False
    explicit_kubelet_config: bool = False
    kubelet_dropin: bool = False  # a *.conf file of a --kubelet-config-dir (issue 7)


@dataclass
class WalkNotice:
    rule: str
    display: str
    message: str


@dataclass
class Discovery:
    files: list[InputFile] = field(default_factory=list)
    notices: list[WalkNotice] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def display_path(path: str) -> str:
    """``os.path.normpath`` with POSIX separators and no leading ``./`` (SPEC §4)."""
    p = os.path.normpath(path).replace(os.sep, "/")
    while p.startswith("./"):
        p = p[2:]
    try:
        p.encode("utf-8")
    except UnicodeEncodeError:  # a non-UTF-8 file name (surrogate-escaped by the OS layer): show it escaped
        p = p.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return p


class StaticPodDirs:
    """Decides whether a directory is a static pod directory (SPEC §7)."""

    def __init__(self, declared: list[str], cwd: str):
        self._declared = {os.path.realpath(os.path.join(cwd, d)) for d in declared}
        self._known: dict[str, bool] = {}  # every file of a directory asks about the same ancestors
        self._classified: dict[str, tuple[bool, bool]] = {}

    def is_static(self, directory: str) -> bool:
        known = self._known.get(directory)
        if known is None:
            known = self._known[directory] = self._is_static(directory)
        return known

    def _is_static(self, directory: str) -> bool:
        if self._declared and os.path.realpath(directory) in self._declared:
            return True
        norm = display_path(os.path.abspath(directory))
        return norm.endswith("etc/kubernetes/manifests") or posixpath.basename(norm) == "static-pods"

    def classify(self, filepath: str) -> tuple[bool, bool]:
        """(directly in a static pod dir, in a subdirectory of one); decided once per directory."""
        parent = os.path.dirname(os.path.abspath(filepath))
        known = self._classified.get(parent)
        if known is None:
            known = self._classified[parent] = self._classify_dir(parent)
        return known

    def _classify_dir(self, parent: str) -> tuple[bool, bool]:
        if self.is_static(parent):
            return True, False
        d = os.path.dirname(parent)
        while True:
            if self.is_static(d):
                return False, True
            up = os.path.dirname(d)
            if up == d:
                return False, False
            d = up


def _excluded(rel: str, patterns: list[str]) -> bool:
    """gitignore-style matching of a repository-relative path against exclude globs."""
    if not patterns:
        return False
    from .globs import matches_any

    return matches_any(rel, patterns)


def discover(settings: Settings) -> Discovery:
    """Expand the command-line paths into the sorted list of input files."""
    out = Discovery()
    spd = StaticPodDirs(settings.static_pod_dirs, settings.cwd)
    seen: set[str] = set()
    seen_charts: set[str] = set()
    paths = settings.paths or ["."]

    def add(display: str, abspath: str) -> None:
        key = display
        if key in seen:
            return
        seen.add(key)
        direct, below = spd.classify(abspath)
        static_dir = display_path(posixpath.dirname(display) or ".") if direct else None
        out.files.append(
            InputFile(display=display, abspath=abspath, static_dir=static_dir,
                      below_static_dir=below)
        )

    for arg in paths:
        if arg == "-":
            name = settings.stdin_filename or "<stdin>"
            seen.add(name)
            out.files.append(InputFile(display=display_path(name) if settings.stdin_filename else name,
                                       abspath="-", is_stdin=True))
            continue
        full = os.path.join(settings.cwd, arg)
        if not os.path.lexists(full):
            out.missing.append(arg)
            continue
        if os.path.isdir(full):
            _walk(arg, full, settings, spd, add, out)
        else:
            disp = display_path(arg)
            if settings.force_exclude and _excluded(_repo_rel(full, settings), settings.exclude):
                continue
            chart_templates = _chart_templates_dir(full)
            if chart_templates is not None:
                # pre-commit passes chart templates one by one: treat them as a directory walk would
                tdisp = display_path(os.path.join(os.path.dirname(arg) or ".", os.path.relpath(
                    chart_templates, os.path.dirname(os.path.abspath(full)))))
                if tdisp not in seen_charts:
                    seen_charts.add(tdisp)
                    out.notices.append(WalkNotice("helm-template-skipped", tdisp, HELM_MESSAGE))
                continue
            add(disp, os.path.abspath(full))
    for kc in settings.kubelet_configs:
        _add_flagged(out, seen, display_path(kc), os.path.join(settings.cwd, kc), "explicit_kubelet_config")
    _add_kubelet_dropins(settings, seen, out)
    out.files.sort(key=lambda f: f.display)
    out.notices.sort(key=lambda n: n.display)
    return out


def _add_kubelet_dropins(settings: Settings, seen: set[str], out: Discovery) -> None:
    """The *.conf files of each --kubelet-config-dir, in the order the kubelet merges them (issue 7)."""
    if not settings.kubelet_config_dirs:
        return
    from ..kubelet.sources import dropin_files

    for d, _main in settings.kubelet_config_dirs:
        full = os.path.join(settings.cwd, d)
        if not os.path.isdir(full):
            out.missing.append(d)
            continue
        for path in dropin_files(full):
            disp = display_path(posixpath.join(d.replace(os.sep, "/"),
                                               os.path.relpath(path, full).replace(os.sep, "/")))
            _add_flagged(out, seen, disp, path, "kubelet_dropin")


def _add_flagged(out: Discovery, seen: set[str], disp: str, path: str, flag: str) -> None:
    """A file the kubelet options name: flag it where the walk already found it, else add it flagged."""
    if disp in seen:
        for f in out.files:
            if f.display == disp:
                setattr(f, flag, True)
        return
    seen.add(disp)
    out.files.append(InputFile(display=disp, abspath=os.path.abspath(path), **{flag: True}))


HELM_MESSAGE = ("Helm chart templates are not linted; pipe `helm template` output into "
                "`kubelint-nodes lint - --stdin-filename NAME` instead")


def _chart_templates_dir(path: str) -> str | None:
    """The ``templates`` directory of a Helm chart that holds ``path``, if any."""
    d = os.path.dirname(os.path.abspath(path))
    while True:
        parent = os.path.dirname(d)
        if os.path.basename(d) == "templates" and os.path.isfile(os.path.join(parent, "Chart.yaml")):
            return d
        if parent == d:
            return None
        d = parent


def _repo_rel(path: str, settings: Settings) -> str:
    rel = os.path.relpath(os.path.abspath(path), settings.repo_root)
    return rel.replace(os.sep, "/")


def _walk(arg: str, full: str, settings: Settings, spd: StaticPodDirs, add, out: Discovery) -> None:
    visited: set[str] = set()
    stack = [(arg, full)]
    while stack:
        disp_dir, real_dir = stack.pop()
        try:
            key = os.path.realpath(real_dir)
        except OSError:
            continue
        if key in visited:  # a symlink loop or a second path to the same tree
            continue
        visited.add(key)
        try:
            entries = sorted(os.scandir(real_dir), key=lambda e: e.name)
        except OSError as exc:
            out.notices.append(WalkNotice("file-unreadable", display_path(disp_dir),
                                          f"cannot list directory: {exc.strerror or exc}"))
            continue
        static = spd.is_static(real_dir)
        names = {e.name for e in entries}
        chart = "Chart.yaml" in names
        subdirs = []
        for entry in entries:
            disp = display_path(posixpath.join(disp_dir.replace(os.sep, "/"), entry.name))
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS:
                    continue
                if chart and entry.name == "templates":
                    out.notices.append(WalkNotice("helm-template-skipped", disp, HELM_MESSAGE))
                    continue
                if _excluded(_repo_rel(entry.path, settings) + "/", settings.exclude):
                    continue
                subdirs.append((disp, entry.path))
                continue
            if static:
                if entry.name.startswith("."):
                    continue
            elif not entry.name.endswith(YAML_SUFFIXES):
                continue
            if _excluded(_repo_rel(entry.path, settings), settings.exclude):
                continue
            try:
                regular = entry.is_file()
            except OSError:
                regular = False
            if not regular and not entry.is_symlink():
                continue
            add(disp, os.path.abspath(entry.path))
        for sub in reversed(subdirs):
            stack.append(sub)
