"""Which findings the user has silenced, and why.

Kept apart from the engine so that checks never need to know about it: the
engine reports everything, this module removes what annotations, comments,
per-path ignores and the baseline silence (SPEC §7), in that order; the first
that applies names the finding's ``suppressed.by``.

* ``kubelint-nodes.io/ignore: "id,id"`` (+ ``kubelint-nodes.io/ignore-reason``)
  in the object's annotations or its pod template's: every finding of that
  object for those rules.
* ``# kubelint-nodes: ignore=id[,id] [-- reason]``: findings on the comment's
  line and on the line below it; a comment on a line of its own reaches over
  further comment lines to the next line of YAML.
* ``per-path-ignores`` in the config: findings in files a glob matches.

An id that names no rule is a ``suppression-unknown-rule`` warning (SPEC §3),
reported where it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .findings import Finding

if TYPE_CHECKING:
    from .engine.registry import Catalogue
    from .loader.read import LoadedFile
    from .model.resource import Resource
    from .settings import Settings

IGNORE_ANNOTATION = "kubelint-nodes.io/ignore"
REASON_ANNOTATION = "kubelint-nodes.io/ignore-reason"
UNKNOWN_RULE = "suppression-unknown-rule"

# libyaml's line breaks, so comment lines number like parser positions.
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")
_ID = r"[A-Za-z0-9_.-]+"
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*kubelint-nodes:[ \t]*ignore[ \t]*=[ \t]*"
                      rf"(?P<ids>{_ID}(?:[ \t]*,[ \t]*{_ID})*)(?P<rest>.*)$")
_REASON_PREFIX = re.compile(r"^[\s\-:;,]*(?:reason[ \t]*[=:][ \t]*)?")


@dataclass(frozen=True)
class Silencer:
    rules: frozenset[str]
    by: str
    reason: str | None


def _split_ids(value: str) -> list[str]:
    return [p for p in re.split(r"[\s,]+", value) if p]


def _reason(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# -- annotations -------------------------------------------------------------------------


def _annotation_sites(res: Resource) -> list[tuple[tuple, dict]]:
    """(path of the metadata, its annotations) of the object and of its pod template."""
    sites: list[tuple[tuple, dict]] = []
    ann = res.get(("metadata", "annotations"))
    if isinstance(ann, dict):
        sites.append((("metadata",), ann))
    spec_path = res.pod_spec_path
    if spec_path is not None and len(spec_path) > 1 and spec_path[-2] == "template":
        meta_path = (*spec_path[:-1], "metadata")
        tann = res.get((*meta_path, "annotations"))
        if isinstance(tann, dict):
            sites.append((meta_path, tann))
    return sites


def has_silencers(lf: LoadedFile) -> bool:
    """Whether the file can silence anything: a suppression comment, or an ignore annotation (read from the
    parsed data, so a key written with escapes counts too). Files without are skipped by the index, and
    ``--jobs`` workers do not send their documents back."""
    if lf.text and "kubelint-nodes:" in lf.text:
        return True
    return any(IGNORE_ANNOTATION in ann for res in lf.resources for _path, ann in _annotation_sites(res))


def _object_key(obj: dict[str, Any] | None) -> tuple | None:
    if not obj:
        return None
    return tuple(obj.get(k) for k in ("apiVersion", "kind", "name", "namespace", "role"))


class _Index:
    """What silences which finding, built once per run from the loaded files."""

    def __init__(self, loaded: list[LoadedFile], settings: Settings, catalogue: Catalogue):
        self.settings = settings
        self.catalogue = catalogue
        self.unknown: list[Finding] = []
        # (file, object key) -> [(first line of the object, silencer)], in file order
        self.objects: dict[tuple, list[tuple[int, Silencer | None]]] = {}
        # file -> line -> silencers
        self.lines: dict[str, dict[int, list[Silencer]]] = {}
        # files with an object whose annotations silence something: all others skip the object lookup
        self.annotated_files: set[str] = set()
        for lf in loaded:
            if not has_silencers(lf):
                continue
            for res in lf.resources:
                self._add_object(res)
            if lf.text and "kubelint-nodes:" in lf.text:
                self._add_comments(lf)

    def _add_object(self, res: Resource) -> None:
        ids: set[str] = set()
        reasons: list[str | None] = []
        sites = _annotation_sites(res)
        for meta_path, ann in sites:
            value = ann.get(IGNORE_ANNOTATION)
            if not isinstance(value, str):
                continue
            ann_path = (*meta_path, "annotations", IGNORE_ANNOTATION)
            for rid in _split_ids(value):
                if self._known(rid):
                    ids.add(rid)
                else:
                    line, col = res.locate(ann_path)
                    self._unknown(rid, "annotation " + IGNORE_ANNOTATION, res.file.display, line, col,
                                  res.object_ref(), ann_path)
            reasons.append(_reason(ann.get(REASON_ANNOTATION)))
        # The reason beside the ignore annotation first, else one written in the other metadata.
        reasons += [_reason(ann.get(REASON_ANNOTATION)) for _meta, ann in sites]
        reason = next((r for r in reasons if r), None)
        silencer = Silencer(frozenset(ids), "annotation", reason) if ids else None
        if silencer is not None:
            self.annotated_files.add(res.file.display)
        key = (res.file.display, _object_key(res.object_ref()))
        self.objects.setdefault(key, []).append((res.start[0], silencer))

    def _add_comments(self, lf: LoadedFile) -> None:
        lines = _LINE_BREAK.split(lf.text or "")
        table = self.lines.setdefault(lf.file.display, {})
        for n, text in enumerate(lines, start=1):
            if "kubelint-nodes:" not in text:
                continue
            m = _COMMENT.search(text)
            if m is None or _inside_quotes(text[: m.start()]):
                continue
            known = []
            for idm in re.finditer(_ID, m.group("ids")):
                rid = idm.group(0)
                if self._known(rid):
                    known.append(rid)
                else:
                    self._unknown(rid, "comment", lf.file.display, n, m.start("ids") + idm.start() + 1, None, None)
            if not known:
                continue
            rest = m.group("rest")
            reason = _reason(_REASON_PREFIX.sub("", rest, count=1).strip().strip("\"'")) if rest.strip() else None
            silencer = Silencer(frozenset(known), "comment", reason)
            covered = [n, n + 1]
            if not text[: m.start()].strip():
                # A comment on a line of its own: over further comment lines down to the next line of YAML.
                k = n + 1
                while k <= len(lines) and lines[k - 1].lstrip().startswith("#"):
                    k += 1
                    covered.append(k)
            for line in covered:
                table.setdefault(line, []).append(silencer)

    def _known(self, rid: str) -> bool:
        return rid in self.catalogue.rules

    def _unknown(self, rid: str, where: str, file: str, line: int, col: int, obj: dict | None,
                 path: tuple | None) -> None:
        rule = self.catalogue.get(UNKNOWN_RULE)
        if rule is None or UNKNOWN_RULE in self.settings.disable:
            return
        from .config_schema import did_you_mean
        from .findings import format_path

        severity = self.settings.severity_overrides.get(UNKNOWN_RULE) or rule.severity
        message = (f"{where} names unknown rule '{rid}'{did_you_mean(rid, self.catalogue.ids())}; "
                   "it suppresses nothing")
        self.unknown.append(Finding(UNKNOWN_RULE, severity, message, file, line, col, obj,
                                    format_path(path) if path is not None else None))

    def match(self, f: Finding) -> Silencer | None:
        key = _object_key(f.object) if f.file in self.annotated_files else None
        if key is not None:
            cands = self.objects.get((f.file, key))
            if cands:
                # Two objects with the same identity in one file: the finding belongs to the last one
                # starting at or above its line.
                owner = cands[0]
                for start, s in cands:
                    if start <= f.line:
                        owner = (start, s)
                silencer = owner[1]
                if silencer is not None and f.rule in silencer.rules:
                    return silencer
        lines = self.lines.get(f.file)
        for s in lines.get(f.line, ()) if lines else ():
            if f.rule in s.rules:
                return s
        return None


def _inside_quotes(prefix: str) -> bool:
    """Whether a ``#`` after ``prefix`` sits inside a quoted scalar on that line (then it is not a comment)."""
    single = double = False
    i = 0
    while i < len(prefix):
        c = prefix[i]
        if double and c == "\\":
            i += 2
            continue
        if c == '"' and not single:
            double = not double
        elif c == "'" and not double:
            single = not single
        i += 1
    return single or double


def _per_path(f: Finding, settings: Settings) -> Silencer | None:
    if not settings.per_path_ignores or f.repo_file is None:
        return None
    from .loader.globs import matches

    for glob, ids in settings.per_path_ignores.items():
        if f.rule in ids and matches(f.repo_file, glob):
            return Silencer(frozenset(ids), "config", f"per-path-ignores '{glob}'")
    return None


def filter_findings(findings: list[Finding], loaded: list[LoadedFile], settings: Settings,
                    catalogue: Catalogue) -> tuple[list[Finding], list[Finding]]:
    """Return (kept, suppressed). Suppressed findings carry ``suppressed`` only with --show-suppressed."""
    from .baseline import apply_baseline, repo_relative

    index = _Index(loaded, settings, catalogue)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    repo_files: dict[str, str | None] = {}
    for f in [*findings, *index.unknown]:
        if f.repo_file is None and f.file:
            if f.file not in repo_files:
                repo_files[f.file] = repo_relative(f.file, settings)
            f.repo_file = repo_files[f.file]  # None outside the repository (as reporters expect)
        s = index.match(f) or _per_path(f, settings)
        if s is None:
            kept.append(f)
            continue
        if settings.show_suppressed:
            f.suppressed = {"by": s.by, "reason": s.reason}
        suppressed.append(f)
    kept, baselined = apply_baseline(kept, settings)
    return kept, suppressed + baselined
