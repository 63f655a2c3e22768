"""From findings to planned fixes: which object and document each finding is about, and what to edit.

A finding carries its file, position, object and printed path; the loaded
file of the lint run holds the objects, so the finding is matched back to its
object (same identity, and its path locating to the finding's own position)
and its path to a tuple. Declarative fixes become operations here; Python
fixers get a :class:`FixContext` and return a :class:`Proposal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import paths
from .declarations import python_fixer
from .model import ADD, DELETE, QUOTE, RENAME, SET, CannotFix, FixDecl, Op, PlannedFix

if TYPE_CHECKING:
    from ..findings import Finding
    from ..loader.read import LoadedFile
    from ..model.resource import Resource
    from ..settings import Settings


@dataclass
class Proposal:
    """What a fixer wants: operations on one document, and optionally a more specific description."""

    ops: list[Op]
    description: str | None = None
    introduces: tuple[str, ...] = ()


@dataclass
class FixContext:
    finding: Finding
    decl: FixDecl
    lf: LoadedFile
    resource: Resource | None
    path: tuple | None          # the finding's path, relative to the resource
    params: dict[str, Any]
    settings: Settings
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def prefix(self) -> tuple:
        """Where the resource sits in its document (``('items', 3)`` for a List item)."""
        return self.resource.prefix if self.resource is not None else ()

    def doc_path(self, rel: tuple) -> tuple:
        return self.prefix + tuple(rel)

    def text(self) -> str:
        """The file's text as the editor sees it (no BOM, LF line breaks)."""
        from .source import Source

        cache = self.state.setdefault("texts", {})
        key = self.lf.file.abspath
        if key not in cache:
            cache[key] = Source.from_bytes(read_bytes(self.lf)).text
        return cache[key]


def read_bytes(lf: LoadedFile) -> bytes:
    try:
        with open(lf.file.abspath, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise CannotFix(f"cannot read the file: {exc.strerror or exc}") from None


def locate(lf: LoadedFile, f: Finding) -> tuple[Resource | None, tuple | None]:
    """The object a finding is about and its path tuple; (None, None) for file-level findings."""
    if f.object is None:
        return None, None
    candidates = [r for r in lf.resources if r.object_ref() == f.object]
    fallback: tuple[Resource | None, tuple | None] = (None, None)
    for res in candidates:
        path = paths.resolve(res.data, f.path) if f.path is not None else ()
        if path is None:
            continue
        if tuple(res.locate(path)) == (f.line, f.column):
            return res, path
        if fallback[0] is None:
            fallback = (res, path)
    return fallback if len(candidates) == 1 else (None, None)


def doc_index_of(ctx: FixContext) -> int:
    if ctx.resource is not None:
        return ctx.resource.doc.index
    from . import nodes

    line = ctx.finding.line - 1
    for i, root in enumerate(nodes.compose_all(ctx.text())):
        if root is not None and root.start_mark.line <= line <= root.end_mark.line:
            return i
    raise CannotFix("the finding is not inside a YAML document")


def propose(ctx: FixContext) -> Proposal:
    decl = ctx.decl
    if decl.python:
        fn = python_fixer(decl.rule)
        if fn is None:
            raise CannotFix("no fixer is registered for this rule")
        result = fn(ctx)
        if result is None:
            raise CannotFix("the fixer has nothing to change here")
        return result
    return Proposal([declarative_op(ctx)])


def base_path(ctx: FixContext) -> tuple:
    if ctx.resource is None or ctx.path is None:
        raise CannotFix("the finding is not about an object")
    at = ctx.decl.at
    if at == "object":
        return ()
    if at == "pod":
        base = ctx.resource.pod_spec_path
    elif at == "container":
        base = paths.container_base(ctx.path)
    else:
        base = ctx.path
    if base is None:
        raise CannotFix(f"the finding has no {at} to fix")
    return tuple(base)


def declarative_op(ctx: FixContext) -> Op:
    decl = ctx.decl
    rel = base_path(ctx) + paths.split_field(decl.field)
    path = ctx.doc_path(rel)
    if decl.op in (SET, ADD):
        if decl.param:
            if decl.param not in ctx.params or ctx.params[decl.param] in (None, {}, [], ""):
                raise CannotFix(f"the rule parameter '{decl.param}' is not set")
            value = ctx.params[decl.param]
        else:
            value = decl.value
        if decl.op == ADD and not isinstance(value, list):
            value = [value]
        return Op(decl.op, path, value, decl.position)
    if decl.op == RENAME:
        if not decl.to:
            raise CannotFix("the rename has no target")
        return Op(RENAME, path, decl.to)
    if decl.op == DELETE:
        return Op(DELETE, path)
    if decl.op == QUOTE:
        return Op(QUOTE, path, scalar_text(ctx, path))
    raise CannotFix(f"unknown fix operation {decl.op!r}")


def scalar_text(ctx: FixContext, doc_path: tuple) -> str:
    """The source text of the plain scalar at ``doc_path`` (what a quote fix keeps)."""
    from . import nodes

    docs = nodes.compose_all(ctx.text())
    index = doc_index_of(ctx)
    if not 0 <= index < len(docs) or docs[index] is None:
        raise CannotFix("the document is empty")
    found = nodes.walk(docs[index], doc_path)
    if len(found) - 1 != len(doc_path) or not nodes.is_plain(found[-1]) or not found[-1].value:
        raise CannotFix("the value is not a plain scalar")
    return str(found[-1].value)


def make_plan(ctx: FixContext) -> PlannedFix:
    proposal = propose(ctx)
    if not proposal.ops:
        raise CannotFix("the fixer has nothing to change here")
    return PlannedFix(ctx.finding, ctx.decl, ctx.lf, doc_index_of(ctx), list(proposal.ops),
                      proposal.description or ctx.decl.description,
                      introduces=tuple(ctx.decl.introduces) + tuple(proposal.introduces))
