"""``!include`` in an inventory, through pyyaml-include, made safe (SPEC §5).

pyyaml-include 2.2 is not a sandbox: ``../`` and absolute paths, ``file://`` and every other fsspec URL,
symlinks and globs all read outside its base directory; an include loop ends in RecursionError; and a
statement such as ``!include {urlpath: x.yaml, mode: wb}`` is handed to ``open`` as is, which truncates the
file.  So it is wrapped, not trusted:

* the statement is checked first (:func:`parse_statement`): one relative local path, no URL scheme, no
  ``..``, no absolute or home path, no glob, and no option except a read-only ``mode``;
* only the checked path reaches pyyaml-include's :class:`yaml_include.Constructor`, with no options, no
  ``base_dir`` and our :class:`_Sandbox` as its file system, so it can take only its "local file, no
  wildcard" branch, which calls ``fs.open(path)``;
* the sandbox resolves the real path (symlinks included) inside the inventory's own directory, refuses
  anything but a regular file, opens it read-only itself, and counts includes and bytes;
* the Constructor's ``custom_loader`` parses the bytes with our own loader (positions, no object
  construction), and includes inside the fragment are expanded the same way, with the chain of open files
  checked for loops.

Nothing here ever writes: the sandbox has no write path at all.
"""

from __future__ import annotations

import io
import os
import re
from typing import Any
from urllib.parse import urlsplit

from ..loader.yamlparse import Limits, ParsedDocument, Position
from .errors import InventoryError, field_name
from .source import FileProblem, Tree, decode_text, inside, join_display, parse_documents, read_regular_file

INCLUDE_TAG = "!include"
MAX_INCLUDES = 256
MAX_INCLUDE_BYTES = 32 * 1024 * 1024

# The characters pyyaml-include treats as a wildcard (yaml_include.constructor.WILDCARDS_PATTERN).
_WILDCARDS = re.compile(r"[*?\[\]]")
_READ_MODES = {"r", "rb", "rt"}


class StatementProblem(ValueError):
    """An ``!include`` statement that is refused before any file is touched."""


def parse_statement(value: Any) -> str:
    """The relative path of an include statement, or :class:`StatementProblem` saying why it is refused.

    pyyaml-include accepts three forms: ``!include path``, ``!include [path, *open_args]`` and
    ``!include {urlpath: path, **open_kwargs}``; the extra arguments go to ``open``, so only a read mode is
    let through.
    """
    if isinstance(value, str):
        path, options = value, {}
    elif isinstance(value, list):
        if not value:
            raise StatementProblem("an empty !include statement")
        path = value[0]
        if len(value) > 2:
            raise StatementProblem("!include takes a path and at most a read mode")
        options = {"mode": value[1]} if len(value) == 2 else {}
    elif isinstance(value, dict):
        if "urlpath" not in value:
            raise StatementProblem("an !include mapping needs 'urlpath'")
        path = value["urlpath"]
        options = {k: v for k, v in value.items() if k != "urlpath"}
    else:
        raise StatementProblem("an !include statement is a path, [path] or {urlpath: path}")
    if not isinstance(path, str) or not path.strip():
        raise StatementProblem("the included path must be a non-empty string")
    for key, opt in options.items():
        if key == "mode":
            if not isinstance(opt, str) or opt not in _READ_MODES:
                raise StatementProblem(f"mode {opt!r} is not allowed: includes are read-only (use no mode)")
        elif key == "flatten":
            raise StatementProblem("'flatten' applies to globs, and globs are not allowed")
        else:
            raise StatementProblem(f"option '{key}' is not allowed: an include takes only a path")
    _check_path(path)
    return path


def _check_path(path: str) -> None:
    if "\0" in path:
        raise StatementProblem("the path contains a NUL character")
    if "::" in path or "://" in path or urlsplit(path).scheme:
        raise StatementProblem("URLs are not allowed: include a local file inside the inventory's directory")
    if path.startswith(("/", "\\")) or os.path.isabs(path):
        raise StatementProblem("absolute paths are not allowed: give a path relative to the inventory file")
    if path.startswith("~"):
        raise StatementProblem("home-relative paths are not allowed: give a path relative to the inventory file")
    if ".." in re.split(r"[/\\]", path):
        raise StatementProblem("'..' is not allowed: includes stay inside the inventory's directory tree")
    if _WILDCARDS.search(path):
        raise StatementProblem("globs are not allowed: include one file per statement")


class _Sandbox:
    """The only file system pyyaml-include is given: read-only opens of regular files inside ``base``."""

    def __init__(self, resolver: Includes, problem: Any):
        self._resolver = resolver
        self._problem = problem  # raises the InventoryError for this statement

    def open(self, path: str, *args: Any, **kwargs: Any) -> io.BytesIO:
        if args or kwargs:  # never passed: statements are reduced to a bare path first
            self._problem("open options are not allowed")
        return io.BytesIO(self._resolver.read_included(path, self._problem))

    def glob(self, *args: Any, **kwargs: Any) -> list[str]:
        self._problem("globs are not allowed: include one file per statement")
        return []


class Includes:
    """Expands the ``!include`` tags of one inventory; every path is relative to the inventory file."""

    def __init__(self, inventory_abspath: str, inventory_display: str, limits: Limits):
        self.given_dir = os.path.dirname(os.path.abspath(inventory_abspath))
        self.base = os.path.realpath(self.given_dir)
        self.display = inventory_display
        self.limits = limits
        self.chain: list[tuple[str, str]] = [(os.path.realpath(inventory_abspath), inventory_display)]
        self.count = 0
        self.total = 0
        self._current: tuple[str, str] | None = None  # (real path, display) of the file being opened

    # -- the sandboxed read ---------------------------------------------------------------------------
    def read_included(self, path: str, problem: Any) -> bytes:
        try:
            _check_path(path)
        except StatementProblem as exc:
            problem(str(exc))
        real = os.path.realpath(os.path.join(self.given_dir, path))
        if not inside(real, self.base):
            problem(f"resolves to {real}, outside the inventory's directory tree {self.base} (a symlink out?)")
        for i, (seen, _display) in enumerate(self.chain):
            if seen == real:
                names = [d for _, d in self.chain[i:]] + [join_display(self.display, path)]
                problem("include loop: " + " -> ".join(names))
        if self.count >= MAX_INCLUDES:
            problem(f"more than {MAX_INCLUDES} includes in one inventory")
        self.count += 1
        try:
            data = read_regular_file(real, MAX_INCLUDE_BYTES - self.total)
        except FileProblem as exc:
            msg = str(exc)
            if "limit" in msg:
                msg = f"the included files total more than {MAX_INCLUDE_BYTES} bytes"
            problem(msg)
        self.total += len(data)
        self._current = (real, join_display(self.display, path))
        return data

    # -- expansion --------------------------------------------------------------------------------------
    def expand(self, doc: ParsedDocument, tree: Tree, file: str) -> Any:
        """Replace every ``!include`` of ``doc`` by the included value, in place; returns the new root."""
        root = doc.data
        tags = sorted(doc.tags, key=lambda t: t[2])
        paths = [t[1] for t in tags]
        for tag, path, pos in tags:
            if tag != INCLUDE_TAG:
                raise InventoryError(file, pos[0], pos[1], field_name(path) or None,
                                     f"unsupported YAML tag '{tag}': only !include is allowed in an inventory")
            if any(len(p) > len(path) and p[: len(path)] == path for p in paths):
                raise InventoryError(file, pos[0], pos[1], field_name(path) or None,
                                     "a tag inside an !include statement")
            try:
                parent, key = _parent(root, path)
                statement = root if parent is None else parent[key]
            except (KeyError, IndexError, TypeError):
                raise InventoryError(file, pos[0], pos[1], field_name(path) or None,
                                     "an !include where no value can be replaced (a merge key or an alias?)"
                                     ) from None
            value = self._include(statement, tree, file, pos, path)
            if parent is None:
                root = value
            else:
                parent[key] = value
        doc.data = root
        return root

    def _include(self, statement: Any, tree: Tree, file: str, pos: Position, path: tuple) -> Any:
        shown = statement if isinstance(statement, str) else (
            statement[0] if isinstance(statement, list) and statement else
            statement.get("urlpath") if isinstance(statement, dict) else statement)

        def problem(msg: str) -> None:
            raise InventoryError(file, pos[0], pos[1], field_name(path) or None, f"!include {shown!r}: {msg}")

        try:
            rel = parse_statement(statement)
        except StatementProblem as exc:
            problem(str(exc))
            raise  # unreachable: problem() raises

        from yaml import SafeLoader
        from yaml_include import Constructor, Data

        loaded: list[Any] = []

        def custom_loader(_urlpath: str, fh: Any, _loader_type: Any) -> Any:
            real, display = self._current or ("", rel)
            text = decode_text(fh.read(), display)
            docs = parse_documents(text, display, self.limits)
            if len(docs) > 1:
                raise InventoryError(display, docs[1].start[0], docs[1].start[1], None,
                                     "an included file holds one YAML document")
            if not docs:
                loaded.append(None)
                return None
            frag = docs[0]
            tree.graft(frag, display)
            self.chain.append((real, display))
            try:
                value = self.expand(frag, tree, display)
            finally:
                self.chain.pop()
            loaded.append(value)
            return value

        ctor = Constructor(fs=_Sandbox(self, problem), base_dir=None, autoload=True, custom_loader=custom_loader)
        return ctor.load(SafeLoader, Data(rel))


def _parent(root: Any, path: tuple) -> tuple[Any, Any]:
    """The container holding ``path`` and the key in it; (None, None) for the root itself."""
    if not path:
        return None, None
    node = root
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


def statement_problems(doc: ParsedDocument) -> list[tuple[tuple, Position, str]]:
    """Problems of the include statements of one document, found without touching any file (``lint``)."""
    out = []
    for tag, path, pos in doc.tags:
        if tag != INCLUDE_TAG:
            continue
        try:
            parent, key = _parent(doc.data, path)
            parse_statement(doc.data if parent is None else parent[key])
        except StatementProblem as exc:
            out.append((path, pos, str(exc)))
        except (KeyError, IndexError, TypeError):
            continue
    return out
