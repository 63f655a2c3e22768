"""API-object references that make the kubelet refuse a static pod (reference R5.4).

Mirrors pkg/api/pod/util.go ``HasAPIObjectReference`` (with ``VisitPodSecretNames`` /
``VisitPodConfigmapNames``), called by pkg/kubelet/config/common.go ``tryDecodeSinglePod`` since v1.34
(feature PreventStaticPodAPIReferences, beta and on).  Every reference found is listed, not only the first.
"""

from __future__ import annotations

from .values import as_dict, as_list, as_str

# Volume sources that name a Secret through a ``secretRef`` (VisitPodSecretNames).
_SECRET_REF_VOLUMES = ("cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos")
# Volume types refused outright (HasAPIObjectReference's volume switch).
_REFUSED_VOLUMES = {
    "configMap": "ConfigMap",
    "secret": "Secret",
    "csi": "CSI volume",
    "glusterfs": "Endpoints (glusterfs volume)",
    "persistentVolumeClaim": "PersistentVolumeClaim",
    "ephemeral": "PersistentVolumeClaim (ephemeral volume)",
    "azureFile": "Secret (azureFile volume)",
}
_REFUSED_PROJECTIONS = {
    "configMap": "ConfigMap",
    "secret": "Secret",
    "serviceAccountToken": "ServiceAccount token",
    "clusterTrustBundle": "ClusterTrustBundle",
    "podCertificate": "PodCertificate",
}


def api_references(spec: dict) -> list[str]:
    """Human descriptions of every API-object reference in a pod spec (empty: none)."""
    out: list[str] = []
    # v1 conversion copies the deprecated ``serviceAccount`` into ``serviceAccountName``.
    sa = as_str(spec.get("serviceAccountName")) or as_str(spec.get("serviceAccount"))
    if sa:
        out.append(f"serviceAccountName {sa!r}")
    for s in as_list(spec.get("imagePullSecrets")):
        out.append(f"imagePullSecrets Secret {as_str(as_dict(s).get('name'))!r}")
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for c in as_list(spec.get(kind)):
            c = as_dict(c)
            cname = as_str(c.get("name"))
            for e in as_list(c.get("envFrom")):
                e = as_dict(e)
                if "secretRef" in e:
                    out.append(f"container {cname!r} envFrom Secret {as_str(as_dict(e['secretRef']).get('name'))!r}")
                if "configMapRef" in e:
                    out.append(f"container {cname!r} envFrom ConfigMap "
                               f"{as_str(as_dict(e['configMapRef']).get('name'))!r}")
            for e in as_list(c.get("env")):
                vf = as_dict(as_dict(e).get("valueFrom"))
                if "secretKeyRef" in vf:
                    out.append(f"container {cname!r} env {as_str(as_dict(e).get('name'))!r} from Secret "
                               f"{as_str(as_dict(vf['secretKeyRef']).get('name'))!r}")
                if "configMapKeyRef" in vf:
                    out.append(f"container {cname!r} env {as_str(as_dict(e).get('name'))!r} from ConfigMap "
                               f"{as_str(as_dict(vf['configMapKeyRef']).get('name'))!r}")
    if as_list(spec.get("resourceClaims")):
        out.append("resourceClaims")
    for v in as_list(spec.get("volumes")):
        v = as_dict(v)
        vname = as_str(v.get("name"))
        for key, what in _REFUSED_VOLUMES.items():
            if key in v and v[key] is not None:
                out.append(f"volume {vname!r}: {what}")
        for key in _SECRET_REF_VOLUMES:
            src = as_dict(v.get(key))
            if src.get("secretRef"):
                out.append(f"volume {vname!r}: {key} secretRef names a Secret")
        for s in as_list(as_dict(v.get("projected")).get("sources")):
            s = as_dict(s)
            for key, what in _REFUSED_PROJECTIONS.items():
                if key in s and s[key] is not None:
                    out.append(f"volume {vname!r}: projected {what}")
    return out
