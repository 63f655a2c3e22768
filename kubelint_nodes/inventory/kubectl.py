"""The kubectl form of an inventory: ``kubectl get nodes -o yaml|json`` (a ``List`` of ``Node``) or ``Node``
documents, used as they are (SPEC §5).

Only what placement uses is read: labels, taints, ``spec.unschedulable``, ``status.allocatable`` (or
``status.capacity`` when that is all there is, stated as an assumption) and conditions; everything else a
dump carries (images, managedFields, addresses) is skipped without a look, which keeps a 20,000-node dump
close to the parser's speed.  A Node without ``metadata.name`` (a template such as scheduler-perf's, which
has only ``generateName``) or with an invalid field is refused with its file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..loader.yamlparse import ParsedDocument
from .errors import InventoryError, field_name
from .fields import Converter, check_bool
from .model import KubeletInfo, Location, Node, with_implied_taints
from .source import Tree

LIST_KINDS = ("List", "NodeList")


class KubectlNodes:
    """Converts the Node objects of kubectl-form documents; records which nodes needed an assumption."""

    def __init__(self, conv: Converter, kubelet: KubeletInfo | None = None):
        self.conv = conv
        self.kubelet = kubelet or KubeletInfo()
        self.capacity_only: list[str] = []
        self.last: tuple[Tree, tuple] | None = None  # where the node just yielded is

    def duplicate(self, name: str, other: str) -> InventoryError:
        """The error for the node just yielded when its name was already defined at ``other``."""
        assert self.last is not None
        tree, path = self.last
        return tree.error(path + ("metadata", "name"), f"node name '{name}' is defined twice (also {other})")

    def from_documents(self, docs: list[ParsedDocument], display: str) -> Iterator[Node]:
        for doc in docs:
            for tag, tpath, (line, col) in doc.tags:
                raise InventoryError(display, line, col, field_name(tpath) or None,
                                     f"YAML tag '{tag}' is not allowed here: !include composes a NodeInventory "
                                     "only")
            tree = Tree.of(doc, display)
            data = doc.data
            kind = data.get("kind") if isinstance(data, dict) else None
            if kind in LIST_KINDS:
                if data.get("apiVersion") != "v1":
                    raise tree.error(("apiVersion",), f"a {kind} of Nodes has apiVersion v1")
                items = data.get("items")
                if items is None:
                    continue
                if not isinstance(items, list):
                    raise tree.error(("items",), "expected a list of Node objects")
                for i, item in enumerate(items):
                    self.last = (tree, ("items", i))
                    yield self.node(item, tree, ("items", i), in_list=True)
            elif kind == "Node":
                self.last = (tree, ())
                yield self.node(data, tree, (), in_list=False)
            else:
                shown = f"kind '{kind}'" if isinstance(kind, str) else "no kind"
                path = ("kind",) if isinstance(data, dict) and "kind" in data else ()
                raise tree.error(path, f"expected a Node, a List of Nodes or a NodeInventory, found {shown}")

    def node(self, item: Any, tree: Tree, path: tuple, in_list: bool) -> Node:
        problems: list[tuple[tuple, str]] = []

        def report(p: tuple, msg: str) -> None:
            problems.append((p, msg))

        if not isinstance(item, dict):
            raise tree.error(path, "expected a Node object")
        if item.get("kind") != "Node":
            kind = item.get("kind")
            raise tree.error(path + ("kind",) if "kind" in item else path,
                             f"expected kind Node, found {kind!r}" if kind is not None else "kind: missing (Node)")
        av = item.get("apiVersion")
        if av != "v1" and not (in_list and av is None):
            report(path + ("apiVersion",) if av is not None else path,
                   f"a Node has apiVersion v1, found {av!r}" if av is not None else "apiVersion: missing (v1)")
        md = item.get("metadata")
        name = md.get("name") if isinstance(md, dict) else None
        if not isinstance(md, dict):
            report(path + ("metadata", "name"), "a Node needs metadata with a name")
        elif name is not None and not isinstance(name, str):
            report(path + ("metadata", "name"), "a Node name is a string")
        elif not name:
            gen = md.get("generateName")
            hint = (f" (it has only generateName {gen!r}: a template, not a node)" if isinstance(gen, str)
                    else "")
            report(path + ("metadata", "name"), f"a Node needs a name{hint}")
        conv = self.conv
        labels = conv.labels(md.get("labels") if isinstance(md, dict) else None, path + ("metadata", "labels"),
                             report)
        spec = item.get("spec")
        if spec is None:
            spec = {}
        elif not isinstance(spec, dict):
            report(path + ("spec",), "spec must be a mapping")
            spec = {}
        taints = conv.taints(spec.get("taints"), path + ("spec", "taints"), report)
        unschedulable = check_bool(spec.get("unschedulable"), path + ("spec", "unschedulable"), report)
        status = item.get("status")
        if status is None:
            status = {}
        elif not isinstance(status, dict):
            report(path + ("status",), "status must be a mapping")
            status = {}
        allocatable = conv.resources(status.get("allocatable"), path + ("status", "allocatable"), report)
        capacity = conv.resources(status.get("capacity"), path + ("status", "capacity"), report)
        conditions = conv.conditions(status.get("conditions"), path + ("status", "conditions"), report)
        if problems:
            raise first_problem(tree, problems)
        if allocatable is None and capacity is not None:
            allocatable = capacity
            self.capacity_only.append(name)
        file, line, col = tree.where(path)
        return Node(
            name=name,
            pool=None,
            labels=dict(labels),
            taints=with_implied_taints(taints, conditions, unschedulable),
            unschedulable=unschedulable,
            conditions=conditions,
            allocatable=allocatable,
            kubelet=self.kubelet,
            source=Location(file, line, col),
        )

    def assumptions(self) -> list[str]:
        if not self.capacity_only:
            return []
        names = sorted(self.capacity_only)
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        return [f"Nodes with only status.capacity use it as allocatable: {shown}"]


def first_problem(tree: Tree, problems: list[tuple[tuple, str]]) -> InventoryError:
    """The problem that comes first in the file (errors read top to bottom)."""
    best: InventoryError | None = None
    best_key: tuple | None = None
    for path, msg in problems:
        err = tree.error(path, msg)
        key = (err.file != tree.file, err.file, err.line or 0, err.column or 0)
        if best_key is None or key < best_key:
            best, best_key = err, key
    assert best is not None
    return best
