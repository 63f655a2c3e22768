"""``inventory-invalid``: a NodeInventory met in a lint walk, checked against its schema (SPEC §5).

Includes are not expanded here (a lint run reads only the files it is given): values tagged ``!include``
are left out of the schema check, and their statements are checked for what the loader would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import CheckContext, Hit
from ..engine.registry import check


@check("inventory-invalid")
def inventory_invalid(ctx: CheckContext) -> Iterator[Hit]:
    from ..inventory.errors import field_name
    from ..inventory.include import INCLUDE_TAG, statement_problems
    from ..inventory.validate import problems

    res = ctx.resource
    if res.prefix:  # a NodeInventory is a document of its own, never a List item
        return
    doc = res.doc
    tagged = [path for tag, path, _pos in doc.tags if tag == INCLUDE_TAG]
    for path, message in problems(res.data, skip=tagged):
        where = field_name(path)
        yield ctx.hit(f"inventory {where}: {message}" if where else f"inventory: {message}", path)
    for path, _pos, message in statement_problems(doc):
        where = field_name(path)
        yield ctx.hit(f"inventory {where}: unsafe !include: {message}" if where else
                      f"inventory: unsafe !include: {message}", path)
