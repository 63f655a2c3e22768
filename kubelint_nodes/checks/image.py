"""``image-tag-latest``: an image with no tag, or ``:latest``, and no digest."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import CheckContext, Hit
from ..engine.declarative import iter_containers
from ..engine.registry import check


def image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, pinned by digest) of an image reference.

    A ``:`` before the last ``/`` belongs to a registry port (``host:5000/app``
    has no tag); a ``@sha256:…`` digest pins the image whatever the tag says
    (distribution/reference grammar).
    """
    name, at, _digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else None
    return tag, bool(at)


@check("image-tag-latest")
def image_tag_latest(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    spec = res.pod_spec()
    if spec is None or res.pod_spec_path is None:
        return
    for kind, i, c in iter_containers(spec):
        image = c.get("image")
        if not isinstance(image, str) or not image:
            continue
        tag, pinned = image_tag(image)
        if pinned or (tag is not None and tag != "latest"):
            continue
        what = "has no tag" if tag is None else "uses the tag ':latest'"
        yield ctx.hit(
            f"{res.describe()}: container '{c.get('name', f'#{i}')}' image '{image}' {what}, so every node may "
            "pull a different version; pin a version tag or a digest",
            res.pod_spec_path + (kind, i, "image"),
        )
