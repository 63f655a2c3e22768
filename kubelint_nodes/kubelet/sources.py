"""Finding and reading the files of one kubelet's configuration: the main file and its drop-ins.

The kubelet reads ``--config-dir`` with ``filepath.WalkDir`` (``cmd/kubelet/app/server.go``
``mergeKubeletConfigurations``): entries in lexical order of their names, subdirectories walked where
they sort, symlinked directories not followed, every non-directory whose extension is ``.conf`` applied.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .effective import DEFAULT_VERSION, EffectiveConfig, Layer, build
from .fields import API_VERSION, KIND

DROPIN_SUFFIX = ".conf"


def dropin_files(directory: str) -> list[str]:
    """The drop-in files of ``directory`` in the order the kubelet applies them (paths joined to it)."""
    out: list[str] = []

    def walk(d: str) -> None:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                walk(entry.path)
            elif os.path.splitext(entry.name)[1] == DROPIN_SUFFIX:
                out.append(entry.path)

    walk(directory)
    return out


@dataclass
class ReadProblem:
    """A file that cannot take part in the configuration (unreadable, not YAML, not a KubeletConfiguration)."""

    file: str
    message: str
    line: int = 1
    column: int = 1


@dataclass
class ReadResult:
    layer: Layer | None
    problems: list[ReadProblem] = field(default_factory=list)


def is_kubelet_config(data: object) -> bool:
    return isinstance(data, dict) and data.get("kind") == KIND and data.get("apiVersion") == API_VERSION


def read_layer(path: str, display: str | None = None, dropin: bool = False) -> ReadResult:
    """Read the first YAML/JSON document of ``path`` as a configuration layer (as the kubelet decodes one
    object per file)."""
    from ..loader.files import InputFile
    from ..loader.read import decode, read_bytes
    from ..loader.yamlparse import Limits, parse_yaml
    from ..model.resource import locate

    display = display or path
    limits = Limits()
    raw, issue = read_bytes(InputFile(display=display, abspath=os.path.abspath(path)), limits)
    if issue is not None:
        return ReadResult(None, [ReadProblem(display, issue.message, issue.line, issue.column)])
    text, issue = decode(raw or b"")
    if issue is not None:
        return ReadResult(None, [ReadProblem(display, issue.message, issue.line, issue.column)])
    result = parse_yaml(text or "", limits)
    if result.issues and not result.documents:
        first = result.issues[0]
        return ReadResult(None, [ReadProblem(display, first.message, first.line, first.column)])
    docs = [d for d in result.documents if d.data is not None]
    if not docs:
        return ReadResult(None, [ReadProblem(display, "the file is empty: the kubelet refuses an empty configuration")])
    doc = docs[0]
    if not is_kubelet_config(doc.data):
        return ReadResult(None, [ReadProblem(
            display, f"not a {API_VERSION} {KIND} (apiVersion/kind missing or different)", *doc.start)])
    data = doc.data
    layer = Layer(display, data, lambda p, d=doc, data=data: locate(d.positions, data, d.start, p), dropin=dropin)
    return ReadResult(layer)


def effective_config(main: str | None, dropin_dirs: list[str] | str | None = None,
                     version: tuple[int, int] = DEFAULT_VERSION) -> tuple[EffectiveConfig, list[ReadProblem]]:
    """The effective configuration of a kubelet run with ``--config main --config-dir dir``.

    For the placement and inventory code: files that cannot be read are returned as problems and left
    out, so the result is always usable (all defaults, at worst).
    """
    if isinstance(dropin_dirs, str):
        dropin_dirs = [dropin_dirs]
    layers: list[Layer] = []
    problems: list[ReadProblem] = []
    if main:
        res = read_layer(main)
        problems.extend(res.problems)
        if res.layer is not None:
            layers.append(res.layer)
    for d in dropin_dirs or []:
        for path in dropin_files(d):
            res = read_layer(path, dropin=True)
            problems.extend(res.problems)
            if res.layer is not None:
                layers.append(res.layer)
    return build(layers, version), problems


def explicit_config_error(loaded: list) -> str | None:
    """SPEC §3: a ``--kubelet-config`` that is not a KubeletConfiguration is a usage error (exit 2); one
    that does not parse is a content error, reported as findings."""
    for lf in loaded:
        f = lf.file
        if not getattr(f, "explicit_kubelet_config", False):
            continue
        if any(i.rule in ("yaml-syntax", "yaml-limits-exceeded", "file-unreadable") for i in lf.issues):
            continue
        kinds = [r.data.get("kind") for r in lf.resources]
        if KIND not in kinds:
            what = f"kind {kinds[0]!r}" if kinds else "no apiVersion/kind"
            return f"--kubelet-config {f.display}: not a KubeletConfiguration ({what})"
    return None
