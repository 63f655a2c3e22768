"""Workloads as the placement engine sees them: a pod spec plus identity, location and priority.

Built from plain YAML dicts (what the loader gives).  Priority follows the Priority admission plugin
(reference R3.9): the two system classes, PriorityClass objects found in the input, else the input's
``globalDefault`` class, else 0 (SPEC §6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.values import as_dict, as_int, as_str

KIND_DAEMONSET = "DaemonSet"
KIND_POD = "Pod"
KIND_STATIC = "StaticPod"
KINDS = (KIND_DAEMONSET, KIND_POD, KIND_STATIC)

# pkg/apis/scheduling/types.go SystemCriticalPriority and the two built-in classes.
SYSTEM_PRIORITY_CLASSES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
CRITICAL_PRIORITY = 2000000000  # pkg/kubelet/types/pod_update.go IsCriticalPodBasedOnPriority


@dataclass
class PriorityClasses:
    """PriorityClass objects found in the input."""

    values: dict[str, int] = field(default_factory=dict)
    global_default: int | None = None

    def add(self, obj: dict) -> None:
        name = as_str(as_dict(obj.get("metadata")).get("name"))
        value = as_int(obj.get("value"))
        if not name or value is None:
            return
        self.values[name] = value
        if obj.get("globalDefault") is True and (self.global_default is None or value > self.global_default):
            self.global_default = value


@dataclass
class Workload:
    kind: str  # DaemonSet | Pod | StaticPod
    name: str
    namespace: str
    file: str
    line: int
    spec: dict
    labels: dict = field(default_factory=dict)  # the pod's labels (template labels for a DaemonSet)
    priority: int = 0
    column: int = 1
    notes: list[str] = field(default_factory=list)  # assumptions specific to this workload

    @property
    def key(self) -> tuple[str, int, str, str, str]:
        """SPEC §6 workload order: (file, line, kind, namespace, name)."""
        return (self.file, self.line, self.kind, self.namespace, self.name)

    @property
    def node_name(self) -> str | None:
        """``spec.nodeName``; a static pod's is overwritten by the kubelet (R5.3), so it has none."""
        if self.kind == KIND_STATIC:
            return None
        return as_str(self.spec.get("nodeName")) or None

    @property
    def critical(self) -> bool:
        """pkg/kubelet/types/pod_update.go ``IsCriticalPod``: static pods, or priority ≥ 2,000,000,000."""
        return self.kind == KIND_STATIC or self.priority >= CRITICAL_PRIORITY

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


def resolve_priority(spec: dict, classes: PriorityClasses | None = None) -> tuple[int, str | None]:
    """The pod's priority and, when it had to be guessed, a note saying so."""
    classes = classes or PriorityClasses()
    name = as_str(spec.get("priorityClassName"))
    if name:
        if name in SYSTEM_PRIORITY_CLASSES:
            return SYSTEM_PRIORITY_CLASSES[name], None
        if name in classes.values:
            return classes.values[name], None
        return 0, f"PriorityClass {name!r} is not in the input; priority 0 assumed"
    explicit = as_int(spec.get("priority"))
    if explicit is not None:
        return explicit, None
    return (classes.global_default or 0), None


def workload_from_object(obj: dict, file: str, line: int, *, static: bool = False,
                         classes: PriorityClasses | None = None, column: int = 1) -> Workload | None:
    """A Pod or DaemonSet document as a workload (a Pod as ``StaticPod`` when ``static``); None otherwise."""
    if not isinstance(obj, dict):
        return None
    kind = obj.get("kind")
    meta = as_dict(obj.get("metadata"))
    if kind == "Pod":
        spec, labels = as_dict(obj.get("spec")), as_dict(meta.get("labels"))
        wkind = KIND_STATIC if static else KIND_POD
    elif kind == "DaemonSet" and not static:
        template = as_dict(as_dict(obj.get("spec")).get("template"))
        spec, labels = as_dict(template.get("spec")), as_dict(as_dict(template.get("metadata")).get("labels"))
        wkind = KIND_DAEMONSET
    else:
        return None
    priority, note = resolve_priority(spec, classes)
    w = Workload(kind=wkind, name=as_str(meta.get("name")), namespace=as_str(meta.get("namespace")) or "default",
                 file=file, line=line, column=column, spec=spec, labels=labels, priority=priority)
    if note:
        w.notes.append(note)
    return w
