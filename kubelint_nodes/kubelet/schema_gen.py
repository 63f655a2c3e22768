"""Generate ``schemas/kubelet-config-v1beta1.schema.json`` from the field table.

The field table (:mod:`.fields`) is the single source; the JSON Schema is published for users and
editors (and checked against the table by the tests). Regenerate with
``python -m kubelint_nodes.kubelet.schema_gen > schemas/kubelet-config-v1beta1.schema.json``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .fields import API_VERSION, KIND, KUBELET_CONFIGURATION, NO_DEFAULT, Field, Type

# time.ParseDuration: an optional sign, then "0" or one or more <decimal><unit> components.
GO_DURATION = r"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"
# apimachinery resource.ParseQuantity (decimal or binary suffix, or a decimal exponent).
QUANTITY = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-(2**63), 2**63 - 1)}


def _type_schema(t: Type) -> dict[str, Any]:
    k = t.kind
    if k == "bool":
        return {"type": ["boolean", "null"]}
    if k in _INT_RANGES:
        lo, hi = _INT_RANGES[k]
        return {"type": ["integer", "null"], "minimum": lo, "maximum": hi}
    if k == "float64":
        return {"type": ["number", "null"]}
    if k == "string":
        return {"type": ["string", "null"]}
    if k == "time":
        return {"type": ["string", "null"], "format": "date-time"}
    if k == "duration":
        return {"type": ["string", "null"], "pattern": GO_DURATION}
    if k == "duration-or-int":
        return {"anyOf": [{"type": "string", "pattern": GO_DURATION}, {"type": "integer"}, {"type": "null"}]}
    if k == "quantity":
        return {"anyOf": [{"type": "string", "pattern": QUANTITY}, {"type": "number"}, {"type": "null"}]}
    if k == "list":
        return {"type": ["array", "null"], "items": _type_schema(t.item) if t.item else {}}
    if k == "map":
        return {"type": ["object", "null"], "additionalProperties": _type_schema(t.item) if t.item else {}}
    if k == "struct":
        return {
            "type": ["object", "null"],
            "properties": {name: _field_schema(fld) for name, fld in (t.fields or {}).items()},
            "additionalProperties": False,
        }
    raise ValueError(f"unknown kind {k}")


def _field_schema(fld: Field) -> dict[str, Any]:
    out = _type_schema(fld.type)
    desc = fld.doc
    if fld.default is not NO_DEFAULT:
        out["default"] = fld.default
        if not fld.pointer and fld.type.kind not in ("list", "map", "struct"):
            desc += " A zero value (0, \"\", 0s) means the default."
    if fld.deprecated:
        out["deprecated"] = True
        desc += f" Deprecated: {fld.deprecated}."
    if desc:
        out["description"] = desc.strip()
    out["x-go-pointer"] = fld.pointer
    return out


def json_schema() -> dict[str, Any]:
    root = _type_schema(KUBELET_CONFIGURATION)
    root["type"] = "object"
    root["properties"]["apiVersion"] = {"const": API_VERSION, "description": "kubelet.config.k8s.io/v1beta1"}
    root["properties"]["kind"] = {"const": KIND, "description": "KubeletConfiguration"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kubelint-nodes.io/schemas/kubelet-config-v1beta1.schema.json",
        "title": "KubeletConfiguration (kubelet.config.k8s.io/v1beta1)",
        "description": ("Every field of the v1beta1 KubeletConfiguration with its type and file default "
                        "(k8s.io/kubelet config/v1beta1 types.go, SetDefaults_KubeletConfiguration). "
                        "Generated from kubelint_nodes/kubelet/fields.py."),
        **{k: v for k, v in root.items()},
        "required": ["apiVersion", "kind"],
    }


def render() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
