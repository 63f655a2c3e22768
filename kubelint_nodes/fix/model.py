"""The vocabulary of fixing: declarations, edit operations, planned fixes and their outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..findings import Finding
    from ..loader.read import LoadedFile

# Operation kinds. Paths are absolute inside the YAML document (a List item's path starts with
# ``('items', n)``), so an operation never depends on which object of the document it came from.
SET = "set"            # set a field (created with its missing parents), replacing a scalar or null value
ADD = "add"            # list: append items (created if missing); mapping: add the keys it lacks
RENAME = "rename"      # rename a mapping key, keeping its value and position
DELETE = "delete"      # delete a mapping key and its value
QUOTE = "quote"        # double-quote a plain scalar, keeping its text (YAML 1.1 `on` -> "on")
DELETE_AT = "delete-at"  # delete the mapping entry whose key starts at (line, column): a duplicate key
OP_KINDS = (SET, ADD, RENAME, DELETE, QUOTE, DELETE_AT)


class CannotFix(Exception):
    """This fix does not apply here; the message says why (shown to the user, one line)."""


@dataclass(frozen=True)
class Op:
    kind: str
    path: tuple
    value: Any = None          # SET/ADD value; RENAME: the new key
    position: str = "last"     # where a new key goes in its mapping: "last" or "first"
    at: tuple[int, int] | None = None  # DELETE_AT: 1-based (line, column) of the key

    def describe(self) -> str:
        from ..findings import format_path

        where = format_path(self.path) or "(document)"
        if self.kind == RENAME:
            return f"rename {where} to {self.value}"
        if self.kind == DELETE_AT and self.at:
            return f"delete the key at line {self.at[0]}"
        if self.kind in (SET, ADD):
            return f"{self.kind} {where}"
        return f"{self.kind} {where}"


@dataclass(frozen=True)
class FixDecl:
    """One entry of a rule's ``fixes:`` list."""

    rule: str
    safety: str
    description: str
    python: bool = False
    op: str | None = None            # declarative: one of set/add/rename/delete/quote
    at: str = "finding"              # base of ``field``: finding | container | pod | object
    field: str | None = None         # dotted path below the base (None: the base itself)
    value: Any = None
    param: str | None = None         # take the value from this rule parameter
    to: str | None = None            # rename target
    position: str = "last"
    introduces: tuple[str, ...] = ()  # rules whose new findings are the intended result


@dataclass
class PlannedFix:
    """A fix for one finding: where, what, and (after the run) what became of it."""

    finding: Finding
    decl: FixDecl
    lf: LoadedFile
    doc_index: int
    ops: list[Op]
    description: str
    status: str = "planned"   # planned | applied | rolled-back | failed
    reason: str = ""
    introduces: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        return self.decl.rule

    @property
    def safety(self) -> str:
        return self.decl.safety

    @property
    def display(self) -> str:
        return self.lf.file.display
