"""Static pod rules about one file: API-object references, not a Pod, several documents.

Reference R5 (placement-semantics.md): the kubelet reads only the first YAML
document of a static pod file, accepts only ``kind: Pod``, and since v1.34
refuses a pod that references API objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.context import CheckContext, Hit, RunContext
from ..engine.registry import check
from ..model.resource import Resource, locate
from .podutil import as_dict, as_list

# Volume types refused outright: pkg/api/pod/util.go ``HasAPIObjectReference``.
_REFUSED_VOLUMES = {
    "secret": "a Secret",
    "configMap": "a ConfigMap",
    "csi": "a CSIDriver (CSI volume)",
    "glusterfs": "Endpoints (glusterfs volume)",
    "persistentVolumeClaim": "a PersistentVolumeClaim",
    "ephemeral": "a PersistentVolumeClaim (ephemeral volume)",
    "azureFile": "a Secret (azureFile volume)",
}
# Volume types whose ``secretRef`` names a Secret (``VisitPodSecretNames``).
_SECRET_REF_VOLUMES = ("cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos")
_REFUSED_PROJECTIONS = {
    "secret": "a Secret",
    "configMap": "a ConfigMap",
    "serviceAccountToken": "a ServiceAccount token",
    "clusterTrustBundle": "a ClusterTrustBundle",
    "podCertificate": "a PodCertificate",
}
_CONTAINER_KINDS = ("initContainers", "containers", "ephemeralContainers")


def _named(ref: Any) -> str:
    """The non-empty ``name`` of a reference, else ''. Empty names are skipped (``skipEmptyNames``)."""
    name = as_dict(ref).get("name")
    return name if isinstance(name, str) else ""


def api_references(spec: dict) -> list[tuple[tuple, str]]:
    """(path below the pod spec, what it references) for every reference the kubelet refuses.

    Mirrors ``HasAPIObjectReference`` with ``VisitPodSecretNames`` and
    ``VisitPodConfigmapNames`` (pkg/api/pod/util.go), but lists every
    reference instead of stopping at the first.
    """
    out: list[tuple[tuple, str]] = []
    for field in ("serviceAccountName", "serviceAccount"):
        sa = spec.get(field)
        if isinstance(sa, str) and sa:
            # v1 conversion copies the deprecated serviceAccount into serviceAccountName
            out.append(((field,), f"ServiceAccount '{sa}' ({field})"))
            break
    for i, ref in enumerate(as_list(spec.get("imagePullSecrets"))):
        if _named(ref):
            out.append((("imagePullSecrets", i), f"Secret '{_named(ref)}' (imagePullSecrets)"))
    for kind in _CONTAINER_KINDS:
        for ci, c in enumerate(as_list(spec.get(kind))):
            c = as_dict(c)
            cname = c.get("name") if isinstance(c.get("name"), str) else f"#{ci}"
            for j, e in enumerate(as_list(c.get("envFrom"))):
                for key, what in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                    if _named(as_dict(e).get(key)):
                        out.append(((kind, ci, "envFrom", j, key),
                                    f"{what} '{_named(as_dict(e)[key])}' (container '{cname}' envFrom)"))
            for j, e in enumerate(as_list(c.get("env"))):
                vf = as_dict(as_dict(e).get("valueFrom"))
                for key, what in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                    if _named(vf.get(key)):
                        env = as_dict(e).get("name")
                        out.append(((kind, ci, "env", j, "valueFrom", key),
                                    f"{what} '{_named(vf[key])}' (container '{cname}' env {env})"))
    for i, claim in enumerate(as_list(spec.get("resourceClaims"))):
        out.append((("resourceClaims", i), f"ResourceClaim '{_named(claim) or i}' (resourceClaims)"))
    for i, v in enumerate(as_list(spec.get("volumes"))):
        v = as_dict(v)
        vname = v.get("name") if isinstance(v.get("name"), str) else f"#{i}"
        for key, what in _REFUSED_VOLUMES.items():
            if v.get(key) is not None:
                out.append((("volumes", i, key), f"{what} (volume '{vname}')"))
        for key in _SECRET_REF_VOLUMES:
            if _named(as_dict(v.get(key)).get("secretRef")):
                out.append((("volumes", i, key, "secretRef"),
                            f"Secret '{_named(as_dict(v[key])['secretRef'])}' (volume '{vname}' {key}.secretRef)"))
        for k, src in enumerate(as_list(as_dict(v.get("projected")).get("sources"))):
            for key, what in _REFUSED_PROJECTIONS.items():
                if as_dict(src).get(key) is not None:
                    out.append((("volumes", i, "projected", "sources", k, key),
                                f"{what} (projected volume '{vname}')"))
    return out


@check("static-pod-api-reference")
def static_pod_api_reference(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    spec = res.pod_spec()
    base = res.pod_spec_path
    if spec is None or base is None:
        return
    for path, what in api_references(spec):
        yield ctx.hit(f"{res.describe()} refers to {what}: the kubelet (v1.34+) refuses to run a static pod that "
                      "references API objects, and older API servers reject its mirror pod; use a hostPath or "
                      "emptyDir volume or a literal value instead, or run it as a DaemonSet", base + path)


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
