"""Reason codes of the place report (SPEC §6, a closed list) and the verdict objects built from them.

The order of :data:`REASON_CODES` is the order reasons appear in a placement (SPEC §6: "``reasons`` in the
order of the code list above"); adding a code needs a changelog entry.
"""

from __future__ import annotations

from dataclasses import dataclass

REASON_CODES: tuple[str, ...] = (
    "node-name-mismatch",
    "node-selector-mismatch",
    "node-affinity-mismatch",
    "untolerated-taint",
    "node-unschedulable",
    "insufficient-cpu",
    "insufficient-memory",
    "insufficient-ephemeral-storage",
    "insufficient-resource",
    "too-many-pods",
    "host-port-conflict",
    "not-in-static-pod-path",
    "static-pods-disabled",
    "static-pod-api-reference",
    "node-pressure-admission",
)
CODE_ORDER = {c: i for i, c in enumerate(REASON_CODES)}

#: Short forms for the text matrix (legend printed with it).
SHORT_CODES = {
    "node-name-mismatch": "name",
    "node-selector-mismatch": "sel",
    "node-affinity-mismatch": "aff",
    "untolerated-taint": "taint",
    "node-unschedulable": "cordon",
    "insufficient-cpu": "cpu",
    "insufficient-memory": "mem",
    "insufficient-ephemeral-storage": "eph",
    "insufficient-resource": "res",
    "too-many-pods": "pods",
    "host-port-conflict": "port",
    "not-in-static-pod-path": "path",
    "static-pods-disabled": "nostatic",
    "static-pod-api-reference": "apiref",
    "node-pressure-admission": "pressure",
}

# Stages, for drill-down text ("refused at <stage>").
STAGE_CONTROLLER = "DaemonSet controller"
STAGE_SCHEDULER_FILTERS = "scheduler filters"
STAGE_FIT = "scheduler fit"
STAGE_KUBELET = "kubelet admission"
STAGE_NODE_NAME = "node name"
STAGE_STATIC_PATH = "static pod path"
STAGE_API_REFS = "API-object references"


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of one workload on one node.

    ``selected``: nodeName (if any), nodeSelector and required affinity match; ``targeted``: as SPEC §6
    defines it per kind; ``stage``: the first stage that failed (None when the workload runs).
    """

    targeted: bool
    runs: bool
    selected: bool
    reasons: tuple[Reason, ...] = ()
    stage: str | None = None
    evicts: bool = False  # a critical pod admitted only by evicting non-critical pods (R4.3)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


def sort_reasons(reasons: list[Reason]) -> tuple[Reason, ...]:
    return tuple(sorted(reasons, key=lambda r: CODE_ORDER[r.code]))
