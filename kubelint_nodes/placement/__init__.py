"""Placement prediction: which nodes each DaemonSet, Pod and static pod runs on, and why not elsewhere.

Pure functions over the resolved inventory (:mod:`kubelint_nodes.inventory.model`) and plain pod-spec dicts;
the semantics are SPEC §6 and ``reference/placement-semantics.md`` (R-numbers cited in each module).
"""

from .codes import REASON_CODES, Reason, Verdict
from .engine import PlacementResult, place
from .workload import PriorityClasses, Workload, resolve_priority, workload_from_object

__all__ = ["REASON_CODES", "Reason", "Verdict", "PlacementResult", "place", "PriorityClasses", "Workload",
           "resolve_priority", "workload_from_object"]
