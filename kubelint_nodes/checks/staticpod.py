"""Static pod rules about one file: API-object references, not a Pod, several documents.

Reference R5 (placement-semantics.md): the kubelet reads only the first YAML
document of a static pod file, accepts only ``kind: Pod``, and since v1.34
refuses a pod that references API objects.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import CheckContext, Hit, RunContext
from ..engine.registry import check
from ..model.apirefs import api_references
from ..model.resource import Resource, locate


@check("static-pod-api-reference")
def static_pod_api_reference(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    spec = res.pod_spec()
    base = res.pod_spec_path
    if spec is None or base is None:
        return
    for ref in api_references(spec):
        yield ctx.hit(f"{res.describe()} refers to {ref.description}: the kubelet (v1.34+) refuses to run a "
                      "static pod that references API objects, and older API servers reject its mirror pod; use a "
                      "hostPath or emptyDir volume or a literal value instead, or run it as a DaemonSet",
                      base + ref.path)


@check("static-pod-not-a-pod", scope="run")
def static_pod_not_a_pod(ctx: RunContext) -> Iterator[Hit]:
    """The loader gives such a first document role ``other`` and ``extra["static_not_pod"]`` (SPEC §7)."""
    for res in ctx.resources("other"):
        if res.extra.get("static_not_pod"):
            yield _not_a_pod(ctx, res)


def _not_a_pod(ctx: RunContext, res: Resource) -> Hit:
    directory = res.file.static_dir or "."
    kind = res.data.get("kind") if res.data else None
    if kind == "PodList" or (kind == "List" and res.data.get("items") is not None):
        what = f"a {kind}: the kubelet reads one Pod per file, so it rejects the whole file; put each pod in its " \
               "own file"
    elif isinstance(kind, str) and kind:
        what = f"a {kind}, not a Pod: the kubelet only runs `kind: Pod` from a static pod directory and rejects " \
               f"it; move it out of {directory} and apply it to the API server instead"
    elif isinstance(res.extra.get("value"), dict):
        what = "an object without `kind: Pod`: the kubelet rejects it; add `apiVersion: v1` and `kind: Pod`, or " \
               f"move the file out of {directory}"
    else:
        what = "not a Kubernetes object: the kubelet rejects it; remove the file from " + directory
    return ctx.hit(f"{res.file.display}: the first document is {what}", ("kind",), res)


@check("static-pod-multi-document", scope="run")
def static_pod_multi_document(ctx: RunContext) -> Iterator[Hit]:
    for lf in ctx.files:
        if lf.file.static_dir is None or not lf.extra_documents:
            continue
        doc = lf.extra_documents[0]
        line, col = locate(doc.positions, doc.data, doc.start, ())
        owner = lf.resources[0] if lf.resources else None
        n = len(lf.extra_documents)
        ignored = "the next document is" if n == 1 else f"the next {n} documents are"
        yield ctx.hit(f"{lf.file.display} holds {n + 1} YAML documents: the kubelet reads only the first one, so "
                      f"{ignored} silently ignored; put each pod in its own file", None, owner,
                      file=lf.file.display, line=line, column=col,
                      object=owner.object_ref() if owner is not None else None)
