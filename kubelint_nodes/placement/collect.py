"""From the files of a run to a placement: the workloads of the input, the static pods the inventory assigns,
PriorityClass objects, and one :func:`~.engine.place` call shared by ``place`` and the inventory-aware rules.

What is placed (SPEC §6): DaemonSets, Pods (with and without ``nodeName``) and the static pods named by the
inventory's ``staticPods.manifests``.  Those manifests are read even when they are not among the PATHS: the
inventory says they are on its nodes, as it says what ``existing`` usage is.  A static pod file of the run
that the inventory assigns to no node is not placed (nothing says where it lands); the report says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..inventory.model import Inventory
from ..loader.files import InputFile, display_path
from .engine import DEFAULT_KUBERNETES_VERSION, PlacementResult, place
from .workload import PriorityClasses, Workload, workload_from_object

if TYPE_CHECKING:
    from ..loader.read import LoadedFile
    from ..model.resource import Resource
    from ..settings import Settings

PRIORITY_CLASS_GROUP = "scheduling.k8s.io/"


@dataclass
class RunPlacement:
    """One run's placement, with the way back from each workload to the object it was built from."""

    inventory: Inventory
    result: PlacementResult | None = None  # set once placed
    resource_of: dict[int, Resource] = field(default_factory=dict)  # id(workload) → its object
    in_run: set[int] = field(default_factory=set)  # ids of workloads whose file is an input of the run

    def resource(self, w: Workload) -> Resource | None:
        return self.resource_of.get(id(w))


def kubernetes_version(settings: Settings) -> tuple[int, int]:
    """``--kubernetes-version X.Y`` as a tuple; the engine's default when unset or unreadable."""
    text = settings.kubernetes_version
    if text:
        parts = str(text).lstrip("v").split(".")
        try:
            return int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            pass
    return DEFAULT_KUBERNETES_VERSION


def priority_classes(files: list[LoadedFile]) -> PriorityClasses:
    """PriorityClass objects of the input (SPEC §6 booking order)."""
    classes = PriorityClasses()
    for lf in files:
        for res in lf.resources:
            av = res.api_version
            if res.kind == "PriorityClass" and isinstance(av, str) and av.startswith(PRIORITY_CLASS_GROUP):
                classes.add(res.data)
    return classes


def _workload(res: Resource, classes: PriorityClasses, static: bool) -> Workload | None:
    line, column = res.locate(())
    return workload_from_object(res.data, res.file.display, line, static=static, classes=classes, column=column)


def _display(abspath: str, settings: Settings) -> str:
    rel = os.path.relpath(abspath, settings.cwd)
    return display_path(abspath if rel.startswith("..") else rel)


def _static_dir_display(display: str) -> str:
    return display_path(os.path.dirname(display) or ".")


def collect_placement(inventory: Inventory, files: list[LoadedFile], settings: Settings) -> RunPlacement:
    """Build every workload of the run and place them (once per run)."""
    from ..loader.read import load_file

    classes = priority_classes(files)
    run = RunPlacement(inventory)
    workloads: list[Workload] = []
    by_real: dict[str, LoadedFile] = {}
    for lf in files:
        f = lf.file
        if not f.is_stdin:
            by_real.setdefault(os.path.realpath(f.abspath), lf)
        if f.below_static_dir:
            continue  # neither an API object nor a static pod the kubelet reads (static-pod-in-subdirectory)
        for res in lf.resources:
            if res.role in ("daemonset", "pod"):
                w = _workload(res, classes, static=False)
                if w is not None:
                    workloads.append(w)
                    run.resource_of[id(w)] = res
                    run.in_run.add(id(w))

    # The manifests the inventory assigns (pool members share one assignment list: visit each list once).
    manifests: set[str] = set()
    seen_lists: set[int] = set()
    for n in inventory.nodes:
        if n.static_pods and id(n.static_pods) not in seen_lists:
            seen_lists.add(id(n.static_pods))
            manifests.update(a.manifest for a in n.static_pods)
    root = settings.repo_root or settings.cwd
    static_map: dict[str, Workload | None] = {}
    assigned_files: set[str] = set()
    for manifest in sorted(manifests):
        real = os.path.realpath(os.path.join(root, manifest))
        assigned_files.add(real)
        lf = by_real.get(real)
        in_run = lf is not None
        if lf is None:
            display = _display(real, settings)
            lf = load_file(InputFile(display=display, abspath=real, static_dir=_static_dir_display(display)),
                           settings.limits)
        pod = next((r for r in lf.resources if r.role == "static-pod"), None)
        w = _workload(pod, classes, static=True) if pod is not None else None
        static_map[manifest] = w
        if w is not None and pod is not None:
            run.resource_of[id(w)] = pod
            if in_run:
                run.in_run.add(id(w))

    result = place(inventory, workloads, static_pods=static_map, whole_repository=settings.whole_repo,
                   kubernetes_version=kubernetes_version(settings))
    unassigned = sorted(lf.file.display for real, lf in by_real.items()
                        if real not in assigned_files and any(r.role == "static-pod" for r in lf.resources))
    if unassigned:
        shown = ", ".join(unassigned[:10]) + (f" and {len(unassigned) - 10} more" if len(unassigned) > 10 else "")
        result.assumptions = sorted(set(result.assumptions) | {
            f"Static pod files the inventory assigns to no node (staticPods.manifests) are not placed: {shown}"})
    run.result = result
    return run


def placement_of(state: dict, files: list[LoadedFile], settings: Settings) -> RunPlacement | None:
    """The run's placement, computed on first use and shared through the run state (``state["placement"]``);
    None without an inventory."""
    cached = state.get("placement")
    if cached is not None:
        return cached
    inventory = state.get("inventory")
    if inventory is None:
        return None
    failed = state.get("placement_error")
    if failed is not None:
        raise failed  # computed once: every inventory rule reports the same internal error, not ten retries
    try:
        run = collect_placement(inventory, files, settings)
    except Exception as exc:
        state["placement_error"] = exc
        raise
    state["placement"] = run
    return run
