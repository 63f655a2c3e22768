"""Reading inventory files safely and naming positions in them, across ``!include`` boundaries.

Every file the inventory reaches (the inventory itself, its includes, ``nodesFrom`` dumps, kubelet configs)
goes through :func:`read_regular_file`: read-only, regular files only (a FIFO or a device would block or
never end), size-capped.  Trees assembled from several files keep, per container, which file it came from,
so that an error deep inside an included fragment still names that fragment's file and line.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
from dataclasses import dataclass, field
from typing import Any

from ..loader.files import display_path
from ..loader.yamlparse import Limits, ParsedDocument, Position, parse_yaml
from .errors import InventoryError, field_name

#: A kubectl dump of a large fleet is far bigger than a manifest: the lint file-size limit does not apply.
MAX_INVENTORY_FILE = 512 * 1024 * 1024
MAX_INVENTORY_DOCUMENTS = 1_000_000


class FileProblem(Exception):
    """A file that cannot be read as an inventory input; the caller adds where it was named."""


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file, opened read-only; never follows a final symlink (callers pass real paths)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileProblem("file does not exist") from None
    except OSError as exc:
        raise FileProblem(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileProblem("is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise FileProblem("is not a regular file")
        if st.st_size > max_bytes:
            raise FileProblem(f"file is {st.st_size} bytes, over the {max_bytes}-byte limit")
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FileProblem(f"file is over the {max_bytes}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise FileProblem(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def inside(real: str, root: str) -> bool:
    """Whether the real path ``real`` is ``root`` or below it."""
    try:
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives
        return False


def inventory_limits(base: Limits, text_length: int) -> Limits:
    """Parser bounds for an inventory file.

    Fleet dumps hold far more documents and nodes than a manifest, so the counts scale with the text: an
    alias-free file has fewer YAML nodes than characters, and alias expansion stays bounded by the size.
    """
    return dataclasses.replace(
        base,
        max_file_size=max(base.max_file_size, MAX_INVENTORY_FILE),
        max_nodes=max(base.max_nodes, text_length + 1000),
        max_documents=max(base.max_documents, MAX_INVENTORY_DOCUMENTS),
    )


def decode_text(data: bytes, display: str) -> str:
    from ..loader.read import decode

    text, issue = decode(data)
    if issue is not None or text is None:
        line, col = (issue.line, issue.column) if issue is not None else (1, 1)
        raise InventoryError(display, line, col, None, issue.message if issue else "cannot decode the file")
    return text


def parse_documents(text: str, display: str, limits: Limits) -> list[ParsedDocument]:
    """The non-empty documents of ``text``; any parse problem (syntax, duplicate key, limits) is exit 2."""
    res = parse_yaml(text, inventory_limits(limits, len(text)))
    if res.issues:
        first = min(res.issues, key=lambda i: (i.line, i.column))
        where = field_name(first.path) if first.path else None
        raise InventoryError(display, first.line, first.column, where, first.message)
    return [d for d in res.documents if d.data is not None]


def join_display(base_display: str, rel: str) -> str:
    """How a path named inside a file is shown: joined to that file's directory as the user reached it."""
    return display_path(posixpath.join(posixpath.dirname(base_display), rel.replace(os.sep, "/")))


@dataclass
class Tree:
    """One document, possibly with included fragments grafted in, that can name the file and line of a path."""

    root: Any
    start: Position
    file: str
    positions: dict[int, Any]
    files: dict[int, str] = field(default_factory=dict)  # id(container) -> file, for grafted containers only

    @classmethod
    def of(cls, doc: ParsedDocument, file: str) -> Tree:
        return cls(doc.data, doc.start, file, doc.positions)

    def graft(self, doc: ParsedDocument, file: str) -> None:
        self.positions.update(doc.positions)
        self.files.update(dict.fromkeys(doc.positions, file))

    def _anchor(self, node: Any, default: Position, file: str) -> tuple[str, Position]:
        # SPEC §4: a mapping anchors at its first key.
        if isinstance(node, dict) and node:
            table = self.positions.get(id(node))
            if table:
                return self.files.get(id(node), self.file), min(table.values())
        return file, default

    def where(self, path: tuple) -> tuple[str, int, int]:
        """File, line and column of ``path``: the key itself, else its nearest existing parent."""
        node = self.root
        file, pos = self._anchor(node, self.start, self.file)
        for part in path:
            table = self.positions.get(id(node))
            if table is None:
                break
            owner = self.files.get(id(node), self.file)
            if isinstance(part, int):
                if not isinstance(node, list) or not 0 <= part < len(node) or part >= len(table):
                    break
                child = node[part]
                file, pos = self._anchor(child, table[part], owner)
            else:
                if not isinstance(node, dict) or part not in node:
                    break
                child = node[part]
                file, pos = owner, table.get(part, pos)
            node = child
        return file, pos[0], pos[1]

    def error(self, path: tuple, problem: str) -> InventoryError:
        file, line, col = self.where(path)
        return InventoryError(file, line, col, field_name(path) or None, problem)
