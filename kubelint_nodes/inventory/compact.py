"""The compact form of an inventory: ``kind: NodeInventory`` with pools, nodes and ``nodesFrom`` (SPEC §5).

A pool is described once and expanded into ``<pool>-<n>`` members that share everything but their name and
labels (taints, allocatable, kubelet settings, static pods and notes are the same objects for every
member, and must be treated as read-only), so 50,000 pool nodes cost one small object each.
"""

from __future__ import annotations

import os
from typing import Any

from .context import LoadContext
from .kubectl import KubectlNodes, first_problem
from .kubeletcfg import KubeletSettings, derive_allocatable, pods_capacity
from .model import (
    DEFAULT_STATIC_POD_PATH,
    LABEL_ARCH,
    LABEL_HOSTNAME,
    LABEL_OS,
    LABEL_POOL,
    ExistingUsage,
    Location,
    Node,
    StaticPodAssignment,
    with_implied_taints,
)
from .source import Tree
from .validate import problems as schema_problems

DEFAULT_OS, DEFAULT_ARCH = "linux", "amd64"
MAX_POOL_NODES = 2_000_000  # a bound on memory, far above any real fleet
A_DEFAULT_LABELS = (f"Inventory nodes without {LABEL_OS} or {LABEL_ARCH} labels get {LABEL_OS}={DEFAULT_OS} "
                    f"and {LABEL_ARCH}={DEFAULT_ARCH}")
A_NO_KUBELET = ("Nodes without a kubelet config are assumed to run with the kubelet's defaults (maxPods 110, "
                "no kubeReserved/systemReserved, hard eviction at memory.available<100Mi and "
                "nodefs.available<10%)")


class Names:
    """Every node name defined so far, and where: a name that two sources define is exit 2."""

    def __init__(self) -> None:
        self.where: dict[str, str] = {}

    def add(self, name: str, where: str, tree: Tree, path: tuple) -> None:
        other = self.where.setdefault(name, where)
        if other is not where:
            raise tree.error(path, f"node name '{name}' is defined twice (also {other})")


def load_compact(tree: Tree, ctx: LoadContext, names: Names) -> list[Node]:
    errors = schema_problems(tree.root)
    if errors:
        raise first_problem(tree, errors)
    data: dict[str, Any] = tree.root
    builder = _Builder(tree, ctx, data)
    builder.kubelet_for({}, ())  # the inventory-level config is checked even when no node inherits it
    nodes: list[Node] = []
    pool_names: dict[str, tuple] = {}
    total = 0
    for i, pool in enumerate(data.get("pools") or ()):
        name = pool["name"]
        total += int(pool["count"])
        if total > MAX_POOL_NODES:
            raise tree.error(("pools", i, "count"), f"the pools hold more than {MAX_POOL_NODES} nodes")
        if name in pool_names:
            file, line, col = tree.where(pool_names[name])
            raise tree.error(("pools", i, "name"), f"pool '{name}' is defined twice (also {file}:{line}:{col})")
        pool_names[name] = ("pools", i, "name")
        nodes.extend(builder.pool(pool, ("pools", i), names))
    for j, item in enumerate(data.get("nodes") or ()):
        nodes.append(builder.single(item, ("nodes", j), names))
    nodes.extend(_nodes_from(tree, ctx, data, builder, names))
    if builder.defaulted_labels:
        ctx.assumptions.add(A_DEFAULT_LABELS)
    return nodes


class _Builder:
    """Turns a pool or node item into resolved nodes, with the inventory-level kubelet defaults."""

    def __init__(self, tree: Tree, ctx: LoadContext, top: dict[str, Any]):
        self.tree = tree
        self.ctx = ctx
        self.top = top
        self.defaulted_labels = False

    def kubelet_for(self, item: dict[str, Any], path: tuple) -> KubeletSettings:
        """The item's kubeletConfig and kubeletConfigDir, each inherited from the top level when not set."""
        if "kubeletConfig" in item:
            cfg, cfg_path = item["kubeletConfig"], path + ("kubeletConfig",)
        else:
            cfg, cfg_path = self.top.get("kubeletConfig"), ("kubeletConfig",)
        if "kubeletConfigDir" in item:
            dropins, dir_path = item["kubeletConfigDir"], path + ("kubeletConfigDir",)
        else:
            dropins, dir_path = self.top.get("kubeletConfigDir"), ("kubeletConfigDir",)
        return self.ctx.kubelet(cfg, cfg_path, dropins, dir_path, self.tree)

    def _common(self, item: dict[str, Any], path: tuple, label: str) -> dict[str, Any]:
        """Everything pool members and single nodes share: converted once per item."""
        tree, conv = self.tree, self.ctx.conv
        problems: list[tuple[tuple, str]] = []

        def report(p: tuple, msg: str) -> None:
            problems.append((p, msg))

        labels = dict(conv.labels(item.get("labels"), path + ("labels",), report))
        taints = conv.taints(item.get("taints"), path + ("taints",), report)
        conditions = conv.conditions(item.get("conditions"), path + ("conditions",), report)
        allocatable = conv.resources(item.get("allocatable"), path + ("allocatable",), report)
        capacity = conv.resources(item.get("capacity"), path + ("capacity",), report)
        ex = item.get("existing") or {}
        requests = conv.resources(ex.get("requests"), path + ("existing", "requests"), report) or {}
        host_ports = conv.host_ports(ex.get("hostPorts"), path + ("existing", "hostPorts"), report)
        if problems:
            raise first_problem(tree, problems)
        unschedulable = bool(item.get("unschedulable", False))
        ks = self.kubelet_for(item, path)
        notes: list[str] = []
        used_kubelet = False
        if allocatable is not None:
            allocatable = dict(allocatable)
            if "pods" not in allocatable:
                allocatable["pods"] = pods_capacity(None, ks)
                notes.append(f"allocatable pods not given: the kubelet's maxPods ({allocatable['pods']}) is used")
                used_kubelet = True
        elif capacity is not None:
            allocatable = derive_allocatable(capacity, ks)
            notes.append("allocatable derived from capacity with the kubelet's reservations and hard eviction "
                         "thresholds")
            used_kubelet = True
        if used_kubelet and not ks.present:
            self.ctx.assumptions.add(A_NO_KUBELET)
        if LABEL_OS not in labels or LABEL_ARCH not in labels:
            labels.setdefault(LABEL_OS, DEFAULT_OS)
            labels.setdefault(LABEL_ARCH, DEFAULT_ARCH)
            self.defaulted_labels = True
        file, line, col = tree.where(path)
        return {
            "labels": labels,
            "taints": with_implied_taints(taints, conditions, unschedulable),
            "unschedulable": unschedulable,
            "conditions": conditions,
            "allocatable": allocatable,
            "existing": ExistingUsage(requests=requests, pods=int(ex.get("pods") or 0), host_ports=host_ports),
            "kubelet": ks.info(),
            "static_pods": self.static_pods(item, path),
            "source": Location(file, line, col, path),
            "notes": notes,
            "where": f"{label} at {file}:{line}:{col}",
        }

    def static_pods(self, item: dict[str, Any], path: tuple) -> list[StaticPodAssignment]:
        sp = item.get("staticPods")
        if not sp:
            return []
        directory = sp.get("path") or DEFAULT_STATIC_POD_PATH
        out: list[StaticPodAssignment] = []
        seen: set[str] = set()
        spd = self.ctx.static_dirs()
        for k, pattern in enumerate(sp.get("manifests") or ()):
            p = path + ("staticPods", "manifests", k)
            for full, shown in self.ctx.expand_glob(pattern, self.tree, p, "staticPods.manifests"):
                if not os.path.isfile(full):
                    raise self.tree.error(p, f"staticPods.manifests {shown}: "
                                             f"{'not a file' if os.path.exists(full) else 'file does not exist'}")
                direct, _below = spd.classify(full)
                if not direct:
                    parent = os.path.dirname(shown) or "."
                    raise self.tree.error(
                        p, f"{shown} is not in a static pod directory, so linting would not treat it as a static "
                           f"pod; add '{parent}' to static-pod-dirs in .kubelint-nodes.yaml "
                           f"(or pass --static-pod-dir {parent})")
                rel = self.ctx.repo_relative(full)
                if rel not in seen:
                    seen.add(rel)
                    out.append(StaticPodAssignment(rel, directory))
        return out

    def pool(self, pool: dict[str, Any], path: tuple, names: Names) -> list[Node]:
        name = pool["name"]
        c = self._common(pool, path, f"pool '{name}'")
        base_labels = c["labels"]
        base_labels[LABEL_POOL] = name
        taints, conditions, allocatable = c["taints"], c["conditions"], c["allocatable"]
        existing, kubelet, static_pods, source, notes = (c["existing"], c["kubelet"], c["static_pods"],
                                                          c["source"], c["notes"])
        unschedulable, where = c["unschedulable"], c["where"]
        seen = names.where
        out: list[Node] = []
        append = out.append
        for n in range(1, int(pool["count"]) + 1):
            member = f"{name}-{n}"
            if seen.setdefault(member, where) is not where:
                raise self.tree.error(path + ("name",), f"pool member '{member}' is defined twice "
                                                       f"(also {seen[member]})")
            labels = base_labels.copy()
            labels[LABEL_HOSTNAME] = member
            append(Node(name=member, pool=name, labels=labels, taints=taints, unschedulable=unschedulable,
                        conditions=conditions, allocatable=allocatable, existing=existing, kubelet=kubelet,
                        static_pods=static_pods, source=source, notes=notes))
        return out

    def single(self, item: dict[str, Any], path: tuple, names: Names) -> Node:
        name = item["name"]
        c = self._common(item, path, f"node '{name}'")
        names.add(name, c["where"], self.tree, path + ("name",))
        labels = c["labels"]
        labels[LABEL_HOSTNAME] = name
        return Node(name=name, pool=None, labels=labels, taints=c["taints"], unschedulable=c["unschedulable"],
                    conditions=c["conditions"], allocatable=c["allocatable"], existing=c["existing"],
                    kubelet=c["kubelet"], static_pods=c["static_pods"], source=c["source"], notes=c["notes"])


def _nodes_from(tree: Tree, ctx: LoadContext, data: dict[str, Any], builder: _Builder,
                names: Names) -> list[Node]:
    """``nodesFrom`` files (kubectl form), merged in with the inventory-level kubelet config."""
    sources = data.get("nodesFrom") or ()
    if not sources:
        return []
    ks = builder.kubelet_for({}, ())
    kubectl = KubectlNodes(ctx.conv, ks.info())
    out: list[Node] = []
    for k, pattern in enumerate(sources):
        p = ("nodesFrom", k)
        for full, shown in ctx.expand_glob(pattern, tree, p, "nodesFrom"):
            docs = ctx.read_documents(full, shown, tree, p, "nodesFrom")
            for doc in docs:
                if isinstance(doc.data, dict) and doc.data.get("kind") == "NodeInventory":
                    raise Tree.of(doc, shown).error(("kind",), "a nodesFrom file holds Node objects (kubectl "
                                                               "form), not a NodeInventory")
            for node in kubectl.from_documents(docs, shown):
                src = node.source
                where = f"{src.file}:{src.line}:{src.column}" if src else shown
                if names.where.setdefault(node.name, where) is not where:
                    raise kubectl.duplicate(node.name, names.where[node.name])
                out.append(node)
    ctx.assumptions.update(kubectl.assumptions())
    return out
