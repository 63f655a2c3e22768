"""What the resolved inventory does not keep but findings need: where each pool and node item sits in the
NodeInventory document (``pools[2]``, for ``node-overcommitted``), and the kubelet configuration files it
names (``kubeletConfig`` + ``kubeletConfigDir`` pairs, which the kubelet rules lint as chains).

The inventory has already been loaded and validated by :func:`kubelint_nodes.inventory.load.load_inventory`
when this runs, so reading it again cannot fail in a new way; any surprise simply yields nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..inventory.model import Inventory
from ..settings import Settings

INVENTORY_API_VERSION = "kubelint-nodes.io/v1alpha1"
INVENTORY_KIND = "NodeInventory"


@dataclass
class InventoryDoc:
    """The compact inventory's item indices and kubelet sources; empty for the kubectl form."""

    compact: bool = False
    name: str | None = None  # metadata.name of the NodeInventory, if any
    pools: dict[str, int] = field(default_factory=dict)  # pool name → index in ``pools``
    nodes: dict[str, int] = field(default_factory=dict)  # node name → index in ``nodes``
    kubelet_sources: list[tuple[str, str | None]] = field(default_factory=list)  # absolute (main, drop-in dir)


def read_inventory_doc(path: str, settings: Settings, *, quick: bool = False) -> InventoryDoc:
    """Re-read the inventory document.  ``quick``: skip the parse when the raw text names no kubelet config
    and no include (the common large fleet), since only the kubelet sources are wanted then."""
    try:
        return _read(path, settings, quick)
    except Exception:  # noqa: BLE001 - already validated by the loader; never fail a run over extras
        return InventoryDoc()


def _read(path: str, settings: Settings, quick: bool) -> InventoryDoc:
    from ..inventory.include import Includes
    from ..inventory.load import inventory_display
    from ..inventory.source import MAX_INVENTORY_FILE, Tree, decode_text, parse_documents, read_regular_file

    full = os.path.abspath(os.path.join(settings.cwd, path))
    display = inventory_display(path, settings)
    data = read_regular_file(os.path.realpath(full), MAX_INVENTORY_FILE)
    if quick and b"kubeletConfig" not in data and b"!include" not in data:
        return InventoryDoc()
    docs = parse_documents(decode_text(data, display), display, settings.limits)
    if len(docs) != 1 or not isinstance(docs[0].data, dict) or docs[0].data.get("kind") != INVENTORY_KIND:
        return InventoryDoc()
    doc = docs[0]
    if doc.tags:
        Includes(full, display, settings.limits).expand(doc, Tree.of(doc, display), display)
    root: dict[str, Any] = doc.data
    meta = root.get("metadata")
    out = InventoryDoc(compact=True, name=meta.get("name") if isinstance(meta, dict) else None)
    base = os.path.dirname(full)
    top = (root.get("kubeletConfig"), root.get("kubeletConfigDir"))
    items: list[dict[str, Any]] = []
    for key, index in (("pools", out.pools), ("nodes", out.nodes)):
        for i, item in enumerate(root.get(key) or ()):
            if isinstance(item, dict):
                if isinstance(item.get("name"), str):
                    index.setdefault(item["name"], i)
                items.append(item)
    pairs: list[tuple[str, str | None]] = []
    for cfg, dropins in [top] + [(item.get("kubeletConfig", top[0]), item.get("kubeletConfigDir", top[1]))
                                 for item in items]:
        if not isinstance(cfg, str) or not cfg:
            continue  # inline or absent: no file to lint
        pair = (os.path.normpath(os.path.join(base, cfg)),
                os.path.normpath(os.path.join(base, dropins)) if isinstance(dropins, str) and dropins else None)
        if pair not in pairs:
            pairs.append(pair)
    out.kubelet_sources = pairs
    return out


def attach_kubelet_sources(inventory: Inventory, settings: Settings) -> None:
    """Give the inventory the ``kubelet_sources`` the kubelet rules read, unless its loader already did."""
    if getattr(inventory, "kubelet_sources", None) is not None or not settings.inventory:
        return
    doc = read_inventory_doc(settings.inventory, settings, quick=True)
    inventory.kubelet_sources = doc.kubelet_sources  # type: ignore[attr-defined]
