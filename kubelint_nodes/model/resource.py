"""Resources: one Kubernetes object with its identity, role and source positions.

The role (SPEC §4) decides which rules see an object. It depends on the kind
and, for Pods, on whether the kubelet would read the file as a static pod —
never on the inventory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..loader.files import InputFile
from ..loader.yamlparse import ParsedDocument, Position

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"}
ROLES = ("pod", "static-pod", "daemonset", "workload", "kubelet-config", "node", "inventory", "other")
POD_ROLES = ("pod", "static-pod", "daemonset", "workload")


def role_of(kind: Any, api_version: Any, in_static_dir: bool = False, first_document: bool = True) -> str:
    if not isinstance(kind, str):
        return "other"
    if kind == "Pod":
        return "static-pod" if in_static_dir and first_document else "pod"
    if kind == "DaemonSet":
        return "daemonset"
    if kind in WORKLOAD_KINDS:
        return "workload"
    if kind == "KubeletConfiguration":
        return "kubelet-config"
    if kind == "Node":
        return "node"
    if kind == "NodeInventory":
        return "inventory"
    return "other"


def pod_spec_path(kind: Any) -> tuple | None:
    """Where the pod spec of a kind lives (SPEC §4 roles)."""
    if not isinstance(kind, str):
        return None
    if kind == "Pod":
        return ("spec",)
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    if kind == "DaemonSet" or kind in WORKLOAD_KINDS:
        return ("spec", "template", "spec")
    return None


@dataclass
class Resource:
    """An object of the input; ``data`` is the plain value as the API server would decode it."""

    file: InputFile
    doc: ParsedDocument
    data: dict
    start: Position
    role: str
    prefix: tuple = ()  # path of the object inside its document (``('items', 3)`` for List items)
    extra: dict[str, Any] = field(default_factory=dict)  # facts the loader found (e.g. not a Pod in a static dir)
    # Memo of derived views (container walks, parsed flags) shared by the rules of one run; never sent between
    # processes (``--jobs``), where it would cost more to pickle than to recompute.
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        fields = ("file", "doc", "data", "start", "role", "prefix", "extra")
        return {k: self.__dict__[k] for k in fields}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.cache = {}

    # Identity is read by every rule for every finding: computed once (the data is never mutated).
    @cached_property
    def api_version(self) -> Any:
        return self.data.get("apiVersion")

    @cached_property
    def kind(self) -> Any:
        return self.data.get("kind")

    @cached_property
    def metadata(self) -> dict:
        md = self.data.get("metadata")
        return md if isinstance(md, dict) else {}

    @cached_property
    def name(self) -> str | None:
        n = self.metadata.get("name")
        return n if isinstance(n, str) else (None if n is None else str(n))

    @cached_property
    def namespace(self) -> str | None:
        ns = self.metadata.get("namespace")
        if ns is None:
            return "default" if self.role == "static-pod" else None
        return ns if isinstance(ns, str) else str(ns)

    def object_ref(self) -> dict[str, Any]:
        """The SPEC §4 ``object`` of this resource's findings (one shared dict: treat it as read-only)."""
        return self._object_ref

    @cached_property
    def _object_ref(self) -> dict[str, Any]:
        av = self.api_version
        kind = self.kind
        return {
            "apiVersion": av if isinstance(av, str) else None,
            "kind": kind if isinstance(kind, str) else None,
            "name": self.name,
            "namespace": self.namespace,
            "role": self.role,
        }

    def describe(self) -> str:
        """How messages name the object: ``DaemonSet 'fluent-bit'``, ``static pod 'etcd'``."""
        label = "static pod" if self.role == "static-pod" else (self.kind or "object")
        return f"{label} '{self.name}'" if self.name else str(label)

    @cached_property
    def pod_spec_path(self) -> tuple | None:
        return pod_spec_path(self.kind)

    def get(self, path: tuple, default: Any = None) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    return default
            elif not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def pod_spec(self) -> dict | None:
        return self._pod_spec

    @cached_property
    def _pod_spec(self) -> dict | None:
        p = self.pod_spec_path
        if p is None:
            return None
        spec = self.get(p)
        return spec if isinstance(spec, dict) else None

    def locate(self, path: tuple | None) -> Position:
        """Line/column of ``path``: the key itself, else its nearest existing parent (SPEC §4)."""
        return locate(self.doc.positions, self.data, self.start, path or ())


def locate(positions: dict[int, Any], root: Any, root_pos: Position, path: tuple) -> Position:
    # The walk keeps where the answer would come from and resolves it once at the end: a mapping reached
    # through a list index (or the root) anchors at its first key, which costs a min() over its keys.
    node = root
    key_pos: Position | None = None  # the position of the last mapping key walked
    anchor_node, anchor_default = root, root_pos  # else: the anchor of this node
    for part in path:
        table = positions.get(id(node))
        if table is None:
            break
        if isinstance(part, int):
            if not isinstance(node, list) or not 0 <= part < len(node):
                break
            node = node[part]
            key_pos, anchor_node, anchor_default = None, node, table[part]
        else:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
            found = table.get(part)
            if found is not None:
                key_pos = found
    return key_pos if key_pos is not None else _anchor(positions, anchor_node, anchor_default)


def _anchor(positions: dict[int, Any], node: Any, default: Position) -> Position:
    """A mapping anchors at its first key (sequence items and document roots)."""
    if isinstance(node, dict) and node:
        table = positions.get(id(node))
        if table:
            return min(table.values())
    return default
