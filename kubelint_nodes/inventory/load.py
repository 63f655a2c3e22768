"""Load a node inventory (``-i FILE``) in either form of SPEC §5 into :class:`~.model.Inventory`.

* kubectl form: ``kubectl get nodes -o yaml|json`` (``kind: List`` of ``Node``) or ``Node`` documents —
  :mod:`.kubectl`;
* compact form: one ``kind: NodeInventory`` document with pools, nodes and ``nodesFrom`` —
  :mod:`.compact`, after its ``!include`` tags are expanded by :mod:`.include`.

Everything is read with the project's own YAML loader, so every error names a file, line and column, and
no YAML tag ever constructs an object.  Any problem raises :class:`InventoryError` (exit 2): an inventory
that is wrong would make every prediction wrong.
"""

from __future__ import annotations

import os

from ..gcpause import gc_paused
from ..loader.files import display_path
from ..settings import Settings
from .compact import Names, load_compact
from .context import LoadContext
from .errors import InventoryError
from .include import Includes
from .kubectl import KubectlNodes
from .model import Inventory, Node
from .source import (
    MAX_INVENTORY_FILE,
    FileProblem,
    Tree,
    decode_text,
    parse_documents,
    read_regular_file,
)

__all__ = ["InventoryError", "load_inventory", "inventory_display"]

INVENTORY_KIND = "NodeInventory"


def inventory_display(path: str, settings: Settings) -> str:
    """The inventory's name in messages: as given, or relative to the cwd when given absolute below it."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path, settings.cwd)
        except ValueError:
            rel = path
        if not rel.startswith(".."):
            return display_path(rel)
    return display_path(path)


def load_inventory(path: str, settings: Settings) -> Inventory:
    """Read, validate and resolve the inventory; raises :class:`InventoryError` for any problem."""
    with gc_paused():
        return _load(path, settings)


def _load(path: str, settings: Settings) -> Inventory:
    full = os.path.abspath(os.path.join(settings.cwd, path))
    display = inventory_display(path, settings)
    if not os.path.lexists(full):
        raise InventoryError(display, None, None, None, "inventory file does not exist")
    try:
        data = read_regular_file(os.path.realpath(full), MAX_INVENTORY_FILE)
    except FileProblem as exc:
        raise InventoryError(display, None, None, None, f"cannot read the inventory: {exc}") from None
    docs = parse_documents(decode_text(data, display), display, settings.limits)
    if not docs:
        raise InventoryError(display, 1, 1, None, "the inventory is empty: expected Node objects or a "
                                                  "NodeInventory")
    ctx = LoadContext(full, display, settings)
    names = Names()
    compact = [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == INVENTORY_KIND]
    nodes: list[Node]
    name: str | None = None
    if compact:
        if len(docs) > 1:
            other = docs[1] if docs[0] is compact[0] else docs[0]
            raise InventoryError(display, other.start[0], other.start[1], None,
                                 "a NodeInventory is the only document of its file")
        doc = docs[0]
        tree = Tree.of(doc, display)
        if doc.tags:
            Includes(full, display, settings.limits).expand(doc, tree, display)
            tree.root = doc.data
        nodes = load_compact(tree, ctx, names)
        meta = doc.data.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) and isinstance(meta.get("name"), str) else None
    else:
        kubectl = KubectlNodes(ctx.conv)
        nodes = []
        seen = names.where
        for node in kubectl.from_documents(docs, display):
            src = node.source
            where = f"{src.file}:{src.line}:{src.column}" if src else display
            if seen.setdefault(node.name, where) is not where:
                raise kubectl.duplicate(node.name, seen[node.name])
            nodes.append(node)
        ctx.assumptions.update(kubectl.assumptions())
    return Inventory(nodes=nodes, assumptions=sorted(ctx.assumptions), source=display, name=name,
                     kubelet_sources=ctx.kubelet_sources)
