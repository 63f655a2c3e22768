"""Seccomp and AppArmor profiles: missing, or explicitly ``Unconfined``.

Both have a field (pod and container ``securityContext``) and a legacy
annotation on the pod. The API server still turns the annotations into the
fields when it creates a pod (pkg/registry/core/pod/strategy.go
``applySeccompVersionSkew``, and the AppArmor equivalent,
pkg/api/pod/util.go ``ApparmorFieldForAnnotation``), so both count.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import CheckContext, Hit
from ..engine.registry import check
from ..model.values import as_dict
from .podutil import containers, is_windows_pod, pod_annotations, pod_metadata_path

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _profile_type(sc: object, field: str) -> object:
    return as_dict(as_dict(sc).get(field)).get("type")


@check("no-seccomp-profile")
def no_seccomp_profile(ctx: CheckContext) -> Iterator[Hit]:
    res = ctx.resource
    spec = res.pod_spec() or {}
    if is_windows_pod(spec):
        return  # seccomp is Linux-only; the field cannot be set on a Windows pod
    annotations = pod_annotations(res)
    if _profile_type(spec.get("securityContext"), "seccompProfile") or annotations.get(SECCOMP_POD_ANNOTATION):
        return
    for path, name, c in containers(res):
        if _profile_type(c.get("securityContext"), "seccompProfile"):
            continue
        if annotations.get(SECCOMP_CONTAINER_ANNOTATION + name):
            continue
        yield ctx.hit(f"{res.describe()}: container '{name}' runs without a seccomp profile, so every system call "
                      "is allowed (unless the kubelet sets seccompDefault); set securityContext.seccompProfile.type: "
                      "RuntimeDefault on the pod or the container",
                      path + ("securityContext", "seccompProfile"))


def _unconfined(ctx: CheckContext, field: str, what: str, pod_annotation: str | None,
                container_prefix: str) -> Iterator[Hit]:
    """One finding per place that asks for Unconfined: pod field, container fields, annotations."""
    res = ctx.resource
    spec = res.pod_spec() or {}
    base = res.pod_spec_path
    if base is None:
        return
    fix = f"set {field}.type: RuntimeDefault (or Localhost with a profile that allows what it needs)"
    if _profile_type(spec.get("securityContext"), field) == "Unconfined":
        yield ctx.hit(f"{res.describe()}: the pod's securityContext.{field}.type is Unconfined, which disables "
                      f"{what} for every container that does not set its own; {fix}",
                      base + ("securityContext", field, "type"))
    for path, name, c in containers(res):
        if _profile_type(c.get("securityContext"), field) == "Unconfined":
            yield ctx.hit(f"{res.describe()}: container '{name}' sets securityContext.{field}.type: Unconfined, "
                          f"which disables {what}; {fix}", path + ("securityContext", field, "type"))
    annotations = pod_annotations(res)
    meta = pod_metadata_path(res) or ()
    for key in sorted(k for k in annotations if isinstance(k, str)):
        if annotations[key] != "unconfined":
            continue
        if key == pod_annotation:
            who = "the pod"
        elif key.startswith(container_prefix):
            who = f"container '{key[len(container_prefix):]}'"
        else:
            continue
        yield ctx.hit(f"{res.describe()}: annotation {key}: unconfined disables {what} for {who}; remove the "
                      f"deprecated annotation and {fix}", meta + ("annotations", key))


@check("seccomp-unconfined")
def seccomp_unconfined(ctx: CheckContext) -> Iterator[Hit]:
    yield from _unconfined(ctx, "seccompProfile", "system-call filtering", SECCOMP_POD_ANNOTATION,
                           SECCOMP_CONTAINER_ANNOTATION)


@check("apparmor-unconfined")
def apparmor_unconfined(ctx: CheckContext) -> Iterator[Hit]:
    yield from _unconfined(ctx, "appArmorProfile", "AppArmor confinement", None, APPARMOR_CONTAINER_ANNOTATION)
