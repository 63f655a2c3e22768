"""Which findings the user has silenced, and why.

Kept apart from the engine so that checks never need to know about it: the
engine reports everything, this module removes what annotations, comments,
per-path ignores and the baseline silence (SPEC §7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine.registry import Catalogue
    from .findings import Finding
    from .loader.read import LoadedFile
    from .settings import Settings


def filter_findings(findings: list[Finding], loaded: list[LoadedFile], settings: Settings,
                    catalogue: Catalogue) -> tuple[list[Finding], list[Finding]]:
    """Return (kept, suppressed). Suppressed findings carry ``suppressed`` only with --show-suppressed."""
    return findings, []
