"""Read one input file into resources: bytes -> text -> documents -> objects.

Every problem becomes a :class:`LoadIssue` carrying a rule id; nothing here
raises for bad input, so one broken file never stops the run.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from ..model.resource import Resource, role_of
from .files import InputFile
from .helm_source import SourceMap, helm_source_map
from .yamlparse import Limits, ParsedDocument, parse_yaml


@dataclass
class LoadIssue:
    rule: str
    message: str
    line: int = 1
    column: int = 1
    resource: Resource | None = None
    path: tuple | None = None


@dataclass
class LoadedFile:
    file: InputFile
    resources: list[Resource] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    documents: int = 0
    text: str | None = None
    # Documents of a static pod file after the first one, which the kubelet never reads.
    extra_documents: list[ParsedDocument] = field(default_factory=list)
    first_document: ParsedDocument | None = None
    # Rendered Helm output: which template each line came from (built while the file is at hand, so that
    # --jobs workers build it in parallel).
    helm_sources: SourceMap | None = None


def read_bytes(f: InputFile, limits: Limits) -> tuple[bytes | None, LoadIssue | None]:
    if f.is_stdin:
        data = sys.stdin.buffer.read(limits.max_file_size + 1)
    else:
        try:
            with open(f.abspath, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > limits.max_file_size:
                    return None, LoadIssue(
                        "yaml-limits-exceeded",
                        f"file is {size} bytes, over the {limits.max_file_size}-byte limit (max_file_size); skipped",
                    )
                # Ask for the size stat gave: a read sized by the limit allocates (and faults in) 10 MB per
                # file, which cost more than parsing a small one. A file that grew, or a special file that
                # reports no size, is read on up to the limit.
                data = fh.read(size + 1)
                if len(data) > size:
                    data += fh.read(limits.max_file_size + 1 - len(data))
        except OSError as exc:
            if os.path.isdir(f.abspath):  # IsADirectoryError, or PermissionError on Windows
                return None, LoadIssue("file-unreadable", "is a directory, not a file")
            return None, LoadIssue("file-unreadable", f"cannot read file: {exc.strerror or exc}")
    if len(data) > limits.max_file_size:
        return None, LoadIssue(
            "yaml-limits-exceeded", f"input is over the {limits.max_file_size}-byte limit (max_file_size); skipped"
        )
    return data, None


def decode(data: bytes) -> tuple[str | None, LoadIssue | None]:
    """UTF-8 (BOM dropped) or BOM-marked UTF-16, as YAML allows; anything else is a finding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, LoadIssue("yaml-syntax", "not valid UTF-16 despite its byte order mark")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line = head.count(b"\n") + 1
        col_bytes = head[head.rfind(b"\n") + 1 :]
        col = len(col_bytes.decode("utf-8", errors="replace")) + 1
        return None, LoadIssue("yaml-syntax", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, col)


def load_file(f: InputFile, limits: Limits, data: bytes | None = None) -> LoadedFile:
    out = LoadedFile(f)
    if data is None:
        data, issue = read_bytes(f, limits)
        if issue is not None:
            out.issues.append(issue)
            return out
    text, issue = decode(data)
    if issue is not None:
        out.issues.append(issue)
        return out
    out.text = text
    out.helm_sources = helm_source_map(text)
    result = parse_yaml(text, limits)
    in_static = f.static_dir is not None
    nonempty = [d for d in result.documents if d.data is not None]
    out.documents = len(nonempty)
    by_doc: dict[int, list[Resource]] = {}
    for n, doc in enumerate(nonempty):
        first = n == 0
        if in_static:
            if first:
                out.first_document = doc
            else:
                out.extra_documents.append(doc)
                continue
        for res in _resources(f, doc, in_static and first):
            by_doc.setdefault(doc.index, []).append(res)
            out.resources.append(res)
        for tag, _path, (line, col) in doc.tags:
            if tag == "!include" and isinstance(doc.data, dict) and doc.data.get("kind") == "NodeInventory":
                continue
            owner = by_doc.get(doc.index, [None])[0]
            out.issues.append(LoadIssue("yaml-unsupported-tag",
                                        f"unsupported YAML tag '{tag}': nothing is constructed from it",
                                        line, col, owner))
    for pi in result.issues:
        res, path = _owner(by_doc.get(pi.doc_index, []) if pi.doc_index is not None else [], pi.path)
        message = pi.message
        if pi.rule == "yaml-syntax" and "{{" in text:
            message += " (this looks like a Helm or Go template: lint the output of `helm template` instead)"
        out.issues.append(LoadIssue(pi.rule, message, pi.line, pi.column, res, path))
    return out


def _resources(f: InputFile, doc: ParsedDocument, static_first: bool) -> list[Resource]:
    data = doc.data
    if static_first:
        # The kubelet reads this document whatever it holds (pkg/kubelet/config/file.go); anything but a
        # Pod is refused by it, and gets the input and schema rules only (SPEC §7).
        if isinstance(data, dict) and data.get("kind") == "Pod":
            return [Resource(f, doc, data, doc.start, "static-pod")]
        return [Resource(f, doc, data if isinstance(data, dict) else {}, doc.start, "other",
                         extra={"static_not_pod": True, "value": data})]
    if not isinstance(data, dict) or "apiVersion" not in data or "kind" not in data:
        return []  # SPEC §7: documents without apiVersion/kind are skipped outside static pod dirs
    kind = data.get("kind")
    if kind != "List":
        return [Resource(f, doc, data, doc.start, role_of(kind, data.get("apiVersion"), False, True))]
    out = []
    items = data.get("items")
    if isinstance(items, list):
        table = doc.positions.get(id(items)) or []
        for i, item in enumerate(items):
            if isinstance(item, dict) and "apiVersion" in item and "kind" in item:
                pos = table[i] if i < len(table) else doc.start
                out.append(Resource(f, doc, item, pos, role_of(item.get("kind"), item.get("apiVersion"), False, False),
                                    prefix=("items", i)))
    return out


def _owner(resources: list[Resource], path: tuple) -> tuple[Resource | None, tuple | None]:
    """The object a document-level issue belongs to, and the path relative to it."""
    if not resources:
        return None, path or None
    for res in resources:
        if res.prefix and path[: len(res.prefix)] == res.prefix:
            return res, path[len(res.prefix):]
    first: Any = resources[0]
    if first.prefix:
        return None, path or None
    return first, path or None
