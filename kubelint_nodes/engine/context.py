"""What a check receives and what it returns.

A check only judges: the engine selects objects by role, walks containers,
resolves positions, applies severity, suppression and configuration. A check
yields :class:`Hit` objects — a message and the path of the offending key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..loader.read import LoadedFile
    from ..model.resource import Resource
    from ..settings import Settings
    from .registry import Rule


@dataclass(slots=True)
class Hit:
    """One finding as a check sees it.

    ``path`` is relative to the resource root; ``resource`` defaults to the
    context's; ``file``/``line``/``column`` place a finding that has no
    resource (a directory, an inventory entry). ``severity`` overrides the
    configured one only when the rule's semantics demand it (a kubelet auth
    rule with the server off reports at info).
    """

    message: str
    path: tuple | None = None
    resource: Resource | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    related: list[dict[str, Any]] | None = None
    severity: str | None = None
    object: dict[str, Any] | None = None


@dataclass(slots=True)
class CheckContext:
    """Per-resource context for ``scope: document`` checks."""

    rule: Rule
    resource: Resource
    params: dict[str, Any]
    settings: Settings

    def hit(self, message: str, path: tuple | None = None, **kw: Any) -> Hit:
        return Hit(message, path, self.resource, **kw)


@dataclass
class RunContext:
    """Whole-run context for ``scope: run`` checks (directories, inventory, cross-object rules)."""

    rule: Rule
    params: dict[str, Any]
    settings: Settings
    files: list[LoadedFile]
    whole_repo: bool
    state: dict[str, Any]  # shared per run: e.g. the loaded inventory, computed placement

    def resources(self, *roles: str) -> Iterator[Resource]:
        for lf in self.files:
            for res in lf.resources:
                if not roles or res.role in roles:
                    yield res

    def hit(self, message: str, path: tuple | None = None, resource: Resource | None = None, **kw: Any) -> Hit:
        return Hit(message, path, resource, **kw)
