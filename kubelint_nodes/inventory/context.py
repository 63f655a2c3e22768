"""What one inventory load shares: where the inventory is, the repository root, caches, and the reading of
the files an inventory names (kubelet configs and drop-in directories, ``nodesFrom`` dumps, static pod
manifests).

Every such path is relative to the inventory file and must stay inside the repository root (SPEC §5);
symlinks are resolved before that check.
"""

from __future__ import annotations

import glob
import os
from typing import Any

from ..loader.files import StaticPodDirs, display_path
from ..loader.yamlparse import ParsedDocument
from ..settings import Settings
from .fields import Converter
from .kubeletcfg import KUBELET_API_VERSION, KUBELET_KIND, KubeletSettings, effective_settings, settings_from
from .source import (
    MAX_INVENTORY_FILE,
    FileProblem,
    Tree,
    decode_text,
    inside,
    join_display,
    parse_documents,
    read_regular_file,
)

MAX_KUBELET_FILE = 10 * 1024 * 1024


class LoadContext:
    def __init__(self, abspath: str, display: str, settings: Settings):
        self.abspath = abspath
        self.display = display
        self.settings = settings
        self.dir = os.path.dirname(abspath)
        self.repo_root = os.path.realpath(settings.repo_root or settings.cwd)
        self.conv = Converter()
        self.assumptions: set[str] = set()
        self._kubelet: dict[Any, KubeletSettings] = {}
        self.kubelet_sources: list[tuple[str, str | None]] = []  # see Inventory.kubelet_sources
        self._static_dirs: StaticPodDirs | None = None

    # -- paths ------------------------------------------------------------------------------------------
    def resolve(self, rel: str, tree: Tree, path: tuple, what: str) -> tuple[str, str]:
        """(absolute path, display path) of a path named in the inventory; exit 2 if it leaves the repo."""
        if "\0" in rel:
            raise tree.error(path, f"{what} {rel!r}: the path contains a NUL character")
        full = os.path.normpath(os.path.join(self.dir, rel))
        real = os.path.realpath(full)
        if not inside(real, self.repo_root):
            raise tree.error(path, f"{what} {rel!r} resolves to {real}, outside the repository root "
                                   f"{self.repo_root}")
        shown = display_path(rel) if os.path.isabs(rel) else join_display(self.display, rel)
        return full, shown

    def expand_glob(self, pattern: str, tree: Tree, path: tuple, what: str) -> list[tuple[str, str]]:
        """The files a path or glob names, sorted; exit 2 when it names none."""
        if not glob.has_magic(pattern):
            return [self.resolve(pattern, tree, path, what)]
        if os.path.isabs(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
        else:
            matches = sorted(glob.glob(pattern, root_dir=self.dir, recursive=True))
        files = [m for m in matches if os.path.isfile(os.path.join(self.dir, m))]
        if not files:
            raise tree.error(path, f"{what} {pattern!r} matches no file")
        return [self.resolve(m, tree, path, what) for m in files]

    def repo_relative(self, full: str) -> str:
        return os.path.relpath(os.path.realpath(full), self.repo_root).replace(os.sep, "/")

    def static_dirs(self) -> StaticPodDirs:
        if self._static_dirs is None:
            self._static_dirs = StaticPodDirs(self.settings.static_pod_dirs, self.settings.cwd)
        return self._static_dirs

    # -- files ------------------------------------------------------------------------------------------
    def read_documents(self, full: str, shown: str, tree: Tree, path: tuple, what: str,
                       max_bytes: int = MAX_INVENTORY_FILE) -> list[ParsedDocument]:
        try:
            data = read_regular_file(os.path.realpath(full), max_bytes)
        except FileProblem as exc:
            raise tree.error(path, f"{what} {shown}: {exc}") from None
        return parse_documents(decode_text(data, shown), shown, self.settings.limits)

    # -- kubelet configuration --------------------------------------------------------------------------
    def kubelet(self, config: Any, config_path: tuple, dropins: Any, dropins_path: tuple,
                tree: Tree) -> KubeletSettings:
        """The effective kubelet settings of a config (path or inline) plus a drop-in directory."""
        key = (id(config) if isinstance(config, dict) else config, dropins)
        cached = self._kubelet.get(key)
        if cached is not None:
            return cached
        if config is None and dropins is None:  # no kubelet config at all: the kubelet's own defaults
            ks = self._kubelet[key] = settings_from(None, None)
            return ks
        main: dict[str, Any] | None = None
        source: str | None = None
        dropin_layers: list[tuple[str, dict[str, Any]]] = []
        main_file: str | None = None
        if isinstance(config, str):
            main_file, shown = self.resolve(config, tree, config_path, "kubeletConfig")
            main = self._kubelet_file(main_file, shown, tree, config_path, "kubeletConfig", require_header=True)
            source = shown
        elif isinstance(config, dict):
            self._check_header(config, tree, config_path, "the inline kubeletConfig", require=False)
            main = config
            source = tree.where(config_path)[0]
        dropin_dir: str | None = None
        if isinstance(dropins, str):
            full, shown = self.resolve(dropins, tree, dropins_path, "kubeletConfigDir")
            dropin_dir = full
            if not os.path.isdir(full):
                raise tree.error(dropins_path, f"kubeletConfigDir {shown}: "
                                               f"{'not a directory' if os.path.exists(full) else 'does not exist'}")
            for dfull, dshown in _dropin_files(full, shown):
                if not inside(os.path.realpath(dfull), self.repo_root):
                    raise tree.error(dropins_path, f"kubelet drop-in {dshown} resolves outside the repository "
                                                   f"root {self.repo_root}")
                patch = self._kubelet_file(dfull, dshown, tree, dropins_path, "kubelet drop-in",
                                           require_header=False)
                dropin_layers.append((dshown, patch))
            source = source or shown
        if main_file and (main_file, dropin_dir) not in self.kubelet_sources:
            self.kubelet_sources.append((main_file, dropin_dir))  # inline configs are not files to lint
        ks = effective_settings(main, dropin_layers, source)
        self.assumptions.update(ks.notes)
        self._kubelet[key] = ks
        return ks

    def _kubelet_file(self, full: str, shown: str, tree: Tree, path: tuple, what: str,
                      require_header: bool) -> dict[str, Any]:
        docs = self.read_documents(full, shown, tree, path, what, MAX_KUBELET_FILE)
        if not docs:
            if require_header:
                raise tree.error(path, f"{what} {shown} is empty, not a KubeletConfiguration")
            return {}
        data = docs[0].data
        if len(docs) > 1 or not isinstance(data, dict):
            raise tree.error(path, f"{what} {shown} must hold one KubeletConfiguration mapping")
        self._check_header(data, tree, path, f"{what} {shown}", require=require_header)
        return data

    @staticmethod
    def _check_header(data: dict[str, Any], tree: Tree, path: tuple, what: str, require: bool) -> None:
        kind, av = data.get("kind"), data.get("apiVersion")
        if (require or kind is not None) and kind != KUBELET_KIND:
            raise tree.error(path, f"{what} is not a KubeletConfiguration (kind: {kind!r})")
        if (require or av is not None) and av != KUBELET_API_VERSION:
            raise tree.error(path, f"{what} has apiVersion {av!r}, not {KUBELET_API_VERSION}")




def _dropin_files(directory: str, shown: str) -> list[tuple[str, str]]:
    """(path, display) of the ``*.conf`` drop-ins in the order the kubelet merges them (a lexical
    ``filepath.WalkDir``, as :func:`kubelint_nodes.kubelet.sources.dropin_files` reproduces it)."""
    from ..kubelet.sources import dropin_files

    base = shown.rstrip("/")
    return [(p, f"{base}/{os.path.relpath(p, directory).replace(os.sep, '/')}") for p in dropin_files(directory)]
