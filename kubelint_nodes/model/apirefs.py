"""API-object references that make the kubelet refuse a static pod (reference R5.4).

Mirrors pkg/api/pod/util.go ``HasAPIObjectReference`` with ``VisitPodSecretNames`` and
``VisitPodConfigmapNames`` (empty names skipped, as their ``skipEmptyNames`` does), called by
pkg/kubelet/config/common.go ``tryDecodeSinglePod`` since v1.34 (feature PreventStaticPodAPIReferences).
Every reference is listed instead of stopping at the first.  One walk serves both the
``static-pod-api-reference`` rule and the placement engine's ``static-pod-api-reference`` reason, so the two
can never disagree on what the kubelet refuses.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .values import as_dict, as_list, as_str

# Volume types refused outright (HasAPIObjectReference's volume switch).
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


class ApiReference(NamedTuple):
    """One reference the kubelet refuses, worded twice because its two readers list it differently.

    ``description`` names the object first, for a finding anchored at ``path``: "Secret 'tok' (container
    'vip' env TOKEN)".  ``listing`` names the field first, for a reason that lists every reference in one
    line: "container 'vip' env 'TOKEN' from Secret 'tok'".
    """

    path: tuple  # below the pod spec
    description: str
    listing: str


def _named(ref: Any) -> str:
    """The non-empty ``name`` of a reference, else ''. Empty names are skipped (``skipEmptyNames``)."""
    name = as_dict(ref).get("name")
    return name if isinstance(name, str) else ""


def _kind(what: str) -> str:
    return what[2:] if what.startswith("a ") else what


def api_references(spec: dict) -> list[ApiReference]:
    """Every reference in a pod spec that the kubelet refuses (empty: none)."""
    out: list[ApiReference] = []
    for field in ("serviceAccountName", "serviceAccount"):
        sa = spec.get(field)
        if isinstance(sa, str) and sa:
            # v1 conversion copies the deprecated serviceAccount into serviceAccountName
            out.append(ApiReference((field,), f"ServiceAccount '{sa}' ({field})", f"serviceAccountName {sa!r}"))
            break
    for i, ref in enumerate(as_list(spec.get("imagePullSecrets"))):
        if _named(ref):
            out.append(ApiReference(("imagePullSecrets", i), f"Secret '{_named(ref)}' (imagePullSecrets)",
                                    f"imagePullSecrets Secret {_named(ref)!r}"))
    for kind in _CONTAINER_KINDS:
        for ci, c in enumerate(as_list(spec.get(kind))):
            c = as_dict(c)
            cname = c.get("name") if isinstance(c.get("name"), str) else f"#{ci}"
            for j, e in enumerate(as_list(c.get("envFrom"))):
                for key, what in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                    name = _named(as_dict(e).get(key))
                    if name:
                        out.append(ApiReference((kind, ci, "envFrom", j, key),
                                                f"{what} '{name}' (container '{cname}' envFrom)",
                                                f"container {cname!r} envFrom {what} {name!r}"))
            for j, e in enumerate(as_list(c.get("env"))):
                vf = as_dict(as_dict(e).get("valueFrom"))
                for key, what in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                    name = _named(vf.get(key))
                    if name:
                        env = as_dict(e).get("name")
                        out.append(ApiReference((kind, ci, "env", j, "valueFrom", key),
                                                f"{what} '{name}' (container '{cname}' env {env})",
                                                f"container {cname!r} env {as_str(env)!r} from {what} {name!r}"))
    for i, claim in enumerate(as_list(spec.get("resourceClaims"))):
        name = _named(claim) or i
        out.append(ApiReference(("resourceClaims", i), f"ResourceClaim '{name}' (resourceClaims)",
                                f"resourceClaims ResourceClaim '{name}'"))
    for i, v in enumerate(as_list(spec.get("volumes"))):
        v = as_dict(v)
        vname = v.get("name") if isinstance(v.get("name"), str) else f"#{i}"
        for key, what in _REFUSED_VOLUMES.items():
            if v.get(key) is not None:
                out.append(ApiReference(("volumes", i, key), f"{what} (volume '{vname}')",
                                        f"volume {vname!r}: {_kind(what)}"))
        for key in _SECRET_REF_VOLUMES:
            name = _named(as_dict(v.get(key)).get("secretRef"))
            if name:
                out.append(ApiReference(("volumes", i, key, "secretRef"),
                                        f"Secret '{name}' (volume '{vname}' {key}.secretRef)",
                                        f"volume {vname!r}: {key} secretRef names Secret {name!r}"))
        for k, src in enumerate(as_list(as_dict(v.get("projected")).get("sources"))):
            for key, what in _REFUSED_PROJECTIONS.items():
                if as_dict(src).get(key) is not None:
                    out.append(ApiReference(("volumes", i, "projected", "sources", k, key),
                                            f"{what} (projected volume '{vname}')",
                                            f"volume {vname!r}: projected {_kind(what)}"))
    return out
