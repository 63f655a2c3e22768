"""Human and machine views of the rule catalogue: ``rules`` and ``explain``."""

from __future__ import annotations

import json

from .engine.registry import Rule, builtin_catalogue


def render_rules(fmt: str) -> str:
    cat = builtin_catalogue()
    rules = [cat.rules[i] for i in cat.ids()]
    if fmt == "json":
        return json.dumps([_rule_json(r) for r in rules], indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| id | severity | roles | summary |", "|---|---|---|---|"]
        lines += [f"| `{r.id}` | {r.severity} | {', '.join(r.roles)} | {r.summary} |" for r in rules]
        return "\n".join(lines) + "\n"
    from tabulate import tabulate

    rows = [[r.id, r.severity, ",".join(r.roles), _flags(r), r.summary] for r in rules]
    return tabulate(rows, headers=["id", "severity", "roles", "needs", "summary"], tablefmt="simple",
                    maxcolwidths=[None, None, 30, None, 70]) + "\n"


def _flags(r: Rule) -> str:
    return ",".join(f for f, on in (("inventory", r.needs_inventory), ("all", r.needs_all)) if on)


def _rule_json(r: Rule) -> dict:
    return {"id": r.id, "severity": r.severity, "roles": list(r.roles), "summary": r.summary,
            "tags": list(r.tags), "needs": {"inventory": r.needs_inventory, "all": r.needs_all},
            "parameters": r.parameters}


def render_explain(r: Rule) -> str:
    out = [f"{r.id} ({r.severity})", "", r.summary, "", "Why:", _indent(r.rationale.strip())]
    if r.examples.get("bad"):
        out += ["", "Bad:", _indent(r.examples["bad"].rstrip())]
    if r.examples.get("good"):
        out += ["", "Good:", _indent(r.examples["good"].rstrip())]
    if r.fix:
        out += ["", "Fix:", _indent(r.fix.strip())]
    out += ["", f"Applies to roles: {', '.join(r.roles)}"]
    if r.tags:
        out.append(f"Tags: {', '.join(r.tags)}")
    if r.parameters:
        out.append("Parameters:")
        for name, p in r.parameters.items():
            out.append(f"  {name} (default {p.get('default')!r}): {p.get('description', '')}")
    return "\n".join(out) + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.splitlines())
