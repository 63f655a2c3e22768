"""Converting the node fields both inventory forms share: labels, taints, conditions, resource lists.

The checks are the API server's own (``k8s.io/apimachinery/pkg/util/validation`` IsQualifiedName and
IsValidLabelValue; ``pkg/apis/core/validation`` validateNodeTaints: effect enum, unique key+effect), so a
Node that a cluster could never hold is refused.  Problems are collected, not raised, so the caller can
report the first one in file order.  Fleet dumps repeat the same labels and quantities thousands of times,
hence the caches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..inventory.model import TAINT_EFFECTS, Condition, HostPort, Taint
from ..model.valuetypes import described_type
from ..quantity import QuantityError, to_base_units

Report = Callable[[tuple, str], None]

_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_NAME_RE = re.compile(f"^{_NAME}$")
_DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
CONDITION_STATUSES = ("True", "False", "Unknown")
PROTOCOLS = ("TCP", "UDP", "SCTP")



def qualified_name_problem(key: str) -> str | None:
    """IsQualifiedName: ``[prefix/]name``, prefix a DNS subdomain (<= 253), name <= 63 characters."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN_RE.match(prefix)):
        return f"'{key}': the prefix before '/' must be a lowercase DNS subdomain"
    if not name or len(name) > 63 or not _NAME_RE.match(name):
        return (f"'{key}': a name must be 1-63 characters, alphanumeric at both ends, "
                "with '-', '_' or '.' in between")
    return None


def label_value_problem(value: str) -> str | None:
    if value == "" or (len(value) <= 63 and _NAME_RE.match(value)):
        return None
    return (f"'{value}': a label value must be empty or 1-63 characters, alphanumeric at both ends, "
            "with '-', '_' or '.' in between")


class Converter:
    """Field converters with the per-load caches."""

    def __init__(self) -> None:
        self._keys_ok: set[str] = set()
        self._values_ok: set[str] = set()
        self._quantities: dict[tuple, int] = {}
        self._conditions: dict[tuple[str, str], Condition] = {}  # immutable, so shared between nodes
        self._taints: dict[tuple[str, str, str], Taint] = {}

    # -- labels -----------------------------------------------------------------------------------------
    def labels(self, value: Any, path: tuple, report: Report) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            report(path, f"expected a mapping of label names to values, got {described_type(value)}")
            return {}
        keys_ok, values_ok = self._keys_ok, self._values_ok
        for k, v in value.items():
            if k not in keys_ok:
                problem = qualified_name_problem(k)
                if problem:
                    report(path + (k,), f"invalid label name {problem}")
                    continue
                keys_ok.add(k)
            if v.__class__ is not str:
                hint = " (quote it)" if isinstance(v, (bool, int, float)) else ""
                report(path + (k,), f"a label value is a string, got {described_type(v)}{hint}")
                continue
            if v not in values_ok:
                problem = label_value_problem(v)
                if problem:
                    report(path + (k,), f"invalid label value {problem}")
                    continue
                values_ok.add(v)
        return value

    # -- taints -----------------------------------------------------------------------------------------
    def taints(self, value: Any, path: tuple, report: Report) -> list[Taint]:
        if value is None:
            return []
        if not isinstance(value, list):
            report(path, f"expected a list of taints, got {described_type(value)}")
            return []
        out: list[Taint] = []
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(value):
            p = path + (i,)
            if not isinstance(t, dict):
                report(p, f"a taint is a mapping with key and effect, got {described_type(t)}")
                continue
            key, val, effect = t.get("key"), t.get("value", ""), t.get("effect")
            ok = True
            if not isinstance(key, str) or not key:
                report(p + ("key",) if "key" in t else p, "a taint needs a non-empty string 'key'")
                ok = False
            elif key not in self._keys_ok:
                problem = qualified_name_problem(key)
                if problem:
                    report(p + ("key",), f"invalid taint key {problem}")
                    ok = False
                else:
                    self._keys_ok.add(key)
            if val is None:
                val = ""
            if not isinstance(val, str):
                report(p + ("value",), f"a taint value is a string, got {described_type(val)}")
                ok = False
            elif val and val not in self._values_ok:
                problem = label_value_problem(val)
                if problem:
                    report(p + ("value",), f"invalid taint value {problem}")
                    ok = False
                else:
                    self._values_ok.add(val)
            if effect not in TAINT_EFFECTS:
                from .errors import did_you_mean

                shown = f"'{effect}'" if isinstance(effect, str) else described_type(effect)
                report(p + ("effect",) if "effect" in t else p,
                       f"{shown} is not a taint effect: one of {', '.join(TAINT_EFFECTS)}"
                       f"{did_you_mean(effect, TAINT_EFFECTS) if isinstance(effect, str) else ''}")
                ok = False
            if not ok:
                continue
            if (key, effect) in seen:
                report(p, f"taint {key}:{effect} is listed twice (taints are unique by key and effect)")
                continue
            seen.add((key, effect))
            taint = self._taints.get((key, val, effect))
            if taint is None:
                taint = self._taints[(key, val, effect)] = Taint(key, val, effect)
            out.append(taint)
        return out

    # -- conditions -------------------------------------------------------------------------------------
    def conditions(self, value: Any, path: tuple, report: Report) -> list[Condition]:
        if value is None:
            return []
        if not isinstance(value, list):
            report(path, f"expected a list of conditions, got {described_type(value)}")
            return []
        out: list[Condition] = []
        for i, c in enumerate(value):
            p = path + (i,)
            if not isinstance(c, dict):
                report(p, f"a condition is a mapping with type and status, got {described_type(c)}")
                continue
            ctype, status = c.get("type"), c.get("status")
            if not isinstance(ctype, str) or not ctype:
                report(p + ("type",) if "type" in c else p, "a condition needs a non-empty string 'type'")
                continue
            if status not in CONDITION_STATUSES:
                shown = f"'{status}'" if isinstance(status, str) else described_type(status)
                report(p + ("status",) if "status" in c else p,
                       f"{shown} is not a condition status: one of {', '.join(CONDITION_STATUSES)}")
                continue
            cond = self._conditions.get((ctype, status))
            if cond is None:
                cond = self._conditions[(ctype, status)] = Condition(ctype, status)
            out.append(cond)
        return out

    # -- resource lists ---------------------------------------------------------------------------------
    def resources(self, value: Any, path: tuple, report: Report) -> dict[str, int] | None:
        """Base units per resource (cpu in millicores); unquoted numbers (``cpu: 32``) are quantities too."""
        if value is None:
            return None
        if not isinstance(value, dict):
            report(path, f"expected a mapping of resource names to quantities, got {described_type(value)}")
            return None
        cache = self._quantities
        out: dict[str, int] = {}
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                report(path + (k,), f"a quantity is a string or a number, got {described_type(v)}")
                continue
            ck = (k, v.__class__, v)
            n = cache.get(ck)
            if n is None:
                try:
                    n = to_base_units(k, v)
                except QuantityError:
                    shown = f"'{v}'" if isinstance(v, str) else described_type(v)
                    report(path + (k,), f"{shown} is not a quantity (e.g. 500m, 4, 16Gi)")
                    continue
                if n < 0:
                    report(path + (k,), f"'{v}': a negative quantity")
                    continue
                cache[ck] = n
            out[k] = n
        return out

    # -- host ports -------------------------------------------------------------------------------------
    def host_ports(self, value: Any, path: tuple, report: Report) -> list[HostPort]:
        if value is None:
            return []
        if not isinstance(value, list):
            report(path, f"expected a list of host ports, got {described_type(value)}")
            return []
        out = []
        for i, hp in enumerate(value):
            p = path + (i,)
            if not isinstance(hp, dict):
                report(p, "a host port is a mapping with hostPort")
                continue
            port = hp.get("hostPort")
            if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
                report(p + ("hostPort",) if "hostPort" in hp else p, "hostPort must be an integer 1-65535")
                continue
            proto = hp.get("protocol") or "TCP"
            if proto not in PROTOCOLS:
                report(p + ("protocol",), f"'{proto}' is not a protocol: one of {', '.join(PROTOCOLS)}")
                continue
            ip = hp.get("hostIP") or ""
            if not isinstance(ip, str):
                report(p + ("hostIP",), "hostIP must be a string")
                continue
            out.append(HostPort(port, proto, "" if ip in ("0.0.0.0", "::") else ip))
        return out


def check_bool(value: Any, path: tuple, report: Report) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        report(path, f"expected true or false, got {described_type(value)}")
        return False
    return value


def is_dns_subdomain(name: str) -> bool:
    return len(name) <= 253 and bool(_DNS_SUBDOMAIN_RE.match(name))
