#!/usr/bin/env python3
"""Regenerate the vendored Kubernetes object schemas in ``schemas/k8s/``.

Why a script: the schemas are derived data. The PyPI package
``kubernetes-validate`` (Apache-2.0) ships the strict JSON Schemas generated
from the official Kubernetes OpenAPI for many releases, but installs 108 MB;
kubelint-nodes needs a few kinds of a few releases, so this script cuts that
subset out, rewrites the handful of types a JSON Schema cannot say right
(int-or-string, quantities, integer widths), dedupes definitions shared
between releases, and records where everything came from. It is never a
runtime dependency: install the package into a throwaway venv and run

    python3 -m venv /tmp/kv-venv && /tmp/kv-venv/bin/pip install kubernetes-validate==1.37.0
    /tmp/kv-venv/bin/python tools/gen_k8s_schemas.py            # rewrite schemas/k8s/
    /tmp/kv-venv/bin/python tools/gen_k8s_schemas.py --check    # exit 1 if the files differ

The output is byte-for-byte reproducible from the same package version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path

PACKAGE = "kubernetes-validate"
OUT_DIR = Path(__file__).resolve().parent.parent / "schemas" / "k8s"
SCHEMA_FILE = "kubernetes-objects.json"
REMOVED_FILE = "removed-apis.json"
PROVENANCE_FILE = "PROVENANCE.json"

# The kinds this tool reads (issue 4), by their served group/version.
KINDS = {
    ("v1", "Pod"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "ReplicaSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("v1", "ReplicationController"),
    ("v1", "Node"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
}

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
LIST_DEF = "kubelint.v1.List"

# resource.ParseQuantity (k8s.io/apimachinery/pkg/api/resource/quantity.go): a signed decimal number, then
# nothing, a decimal SI suffix (n u m k M G T P E), a binary suffix (Ki .. Ei) or a decimal exponent
# (e3, E-2). Surrounding blanks are trimmed by Quantity.UnmarshalJSON before parsing.
QUANTITY_PATTERN = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)?\s*$"

# Go integer widths: encoding/json refuses a number that overflows the field ("cannot unmarshal number
# ... into Go struct field ... of type int32").
INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}

# Fields API validation requires although the OpenAPI does not mark them (the Go field has omitempty):
# an object without them is refused on create ("spec.containers: Required value", pkg/apis/core/validation).
REQUIRED_OVERLAY = {
    "io.k8s.api.core.v1.Pod": ["spec"],
    "io.k8s.api.core.v1.ReplicationController": ["spec"],
    "io.k8s.api.apps.v1.Deployment": ["spec"],
    "io.k8s.api.apps.v1.StatefulSet": ["spec"],
    "io.k8s.api.apps.v1.ReplicaSet": ["spec"],
    "io.k8s.api.batch.v1.Job": ["spec"],
    "io.k8s.api.batch.v1.CronJob": ["spec"],
}

# apiVersions removed before the oldest release kubernetes-validate carries (1.25), from the Kubernetes
# deprecated API migration guide (kubernetes.io/docs/reference/using-api/deprecation-guide/), plus the
# kubelet's config group. Keyed by group/version AND kind: a group/version may still serve other kinds.
_APPS = ("DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision")
CURATED_REMOVALS: list[tuple[str, tuple[str, ...], str, str | None]] = [
    ("extensions/v1beta1", ("DaemonSet", "Deployment", "ReplicaSet"), "1.16", "apps/v1"),
    ("extensions/v1beta1", ("NetworkPolicy",), "1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", ("PodSecurityPolicy",), "1.16", "policy/v1beta1"),
    ("extensions/v1beta1", ("Ingress",), "1.22", "networking.k8s.io/v1"),
    ("apps/v1beta1", _APPS, "1.16", "apps/v1"),
    ("apps/v1beta2", _APPS, "1.16", "apps/v1"),
    ("admissionregistration.k8s.io/v1beta1", ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
     "1.22", "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", ("CustomResourceDefinition",), "1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", ("APIService",), "1.22", "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", ("TokenReview",), "1.22", "authentication.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1",
     ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"), "1.22", "authorization.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", ("CertificateSigningRequest",), "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", ("Lease",), "1.22", "coordination.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", ("Ingress", "IngressClass"), "1.22", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
     "1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1alpha1", ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
     "1.22", "rbac.authorization.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", ("PriorityClass",), "1.22", "scheduling.k8s.io/v1"),
    ("scheduling.k8s.io/v1alpha1", ("PriorityClass",), "1.17", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"), "1.22",
     "storage.k8s.io/v1"),
    ("batch/v1beta1", ("CronJob",), "1.25", "batch/v1"),
    ("batch/v2alpha1", ("CronJob",), "1.21", "batch/v1"),
    ("discovery.k8s.io/v1beta1", ("EndpointSlice",), "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", ("Event",), "1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", ("HorizontalPodAutoscaler",), "1.25", "autoscaling/v2"),
    ("policy/v1beta1", ("PodDisruptionBudget",), "1.25", "policy/v1"),
    ("policy/v1beta1", ("PodSecurityPolicy",), "1.25", None),
    ("node.k8s.io/v1beta1", ("RuntimeClass",), "1.25", "node.k8s.io/v1"),
    # kubelet.config.k8s.io/v1beta1 replaced v1alpha1 for KubeletConfiguration in 1.10; the group/version
    # still serves other kinds (CredentialProviderConfig, ImagePullIntent), so only this kind is listed.
    ("kubelet.config.k8s.io/v1alpha1", ("KubeletConfiguration",), "1.10", "kubelet.config.k8s.io/v1beta1"),
]


def vkey(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def find_source() -> Path:
    try:
        import kubernetes_validate  # type: ignore[import-not-found]
    except ImportError:
        sys.exit(f"error: {PACKAGE} is not installed in this interpreter (use a throwaway venv, see --help)")
    return Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"


def package_version() -> str:
    from importlib.metadata import version

    return version(PACKAGE)


def available_versions(src: Path) -> list[str]:
    out = []
    for name in os.listdir(src):
        m = re.fullmatch(r"v(\d+\.\d+)\.0-local-strict", name)
        if m:
            out.append(m.group(1))
    return sorted(out, key=vkey)


def version_rank(gv: str) -> tuple:
    """Sort key putting the most stable, newest group/version first: v2 < v1 < v2beta1 < v1alpha1."""
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", gv.rsplit("/", 1)[-1])
    if not m:
        return (3, gv)
    stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (stage, -int(m.group(1)), -int(m.group(3) or 0), gv)


def gv_of(gvk: dict) -> str:
    return f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def transform(name: str, schema: object) -> object:
    """One definition, reduced to what validation needs and made exact where JSON Schema is not."""
    if name == QUANTITY:
        return {"type": ["string", "number", "null"], "pattern": QUANTITY_PATTERN}
    if name == INT_OR_STRING:
        return {"type": ["string", "integer", "null"]}
    out = _reduce(schema)
    assert isinstance(out, dict)
    extra = REQUIRED_OVERLAY.get(name)
    if extra:
        out["required"] = sorted(set(out.get("required", [])) | set(extra))
    return out


def _reduce(node: object) -> object:
    if isinstance(node, list):
        return [_reduce(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict = {}
    for k, v in node.items():
        if k in ("description", "$schema", "$id", "format") or k.startswith("x-kubernetes-"):
            continue
        if k == "properties":
            out[k] = {pk: _reduce(pv) for pk, pv in v.items()}
        elif k == "$ref":
            out[k] = "#/$defs/" + ref_name(v)
        else:
            out[k] = _reduce(v)
    fmt = node.get("format")
    types = node.get("type")
    if fmt in INT_BOUNDS and types and "integer" in (types if isinstance(types, list) else [types]):
        out["minimum"], out["maximum"] = INT_BOUNDS[fmt]
    unknown = set(out) - {"type", "properties", "additionalProperties", "required", "items", "enum", "$ref",
                          "minimum", "maximum", "pattern"}
    if unknown:
        raise SystemExit(f"error: unsupported schema keywords {sorted(unknown)}: extend the validator first")
    return out


def refs_of(node: object, out: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.add(ref_name(v))
            elif k == "properties":
                for pv in v.values():
                    refs_of(pv, out)
            else:
                refs_of(v, out)
    elif isinstance(node, list):
        for v in node:
            refs_of(v, out)


def list_definition() -> dict:
    """``kind: List`` is a client-side envelope (kubectl get -o yaml), absent from the OpenAPI: v1.List in
    k8s.io/api/core/v1 is ListMeta plus ``items`` of raw objects, each validated as its own kind."""
    return {
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"type": ["string", "null"], "enum": ["v1"]},
            "kind": {"type": ["string", "null"], "enum": ["List"]},
            "metadata": {"$ref": "#/$defs/" + META + "ListMeta"},
            "items": {"type": ["array", "null"], "items": {"type": "object"}},
        },
    }


def load_version(src: Path, version: str) -> tuple[dict[str, object], dict[str, str], dict[tuple[str, str], str]]:
    """(reduced definitions in the closure of our kinds, kinds -> root def, every GVK -> def name)."""
    path = src / f"v{version}.0-local-strict" / "_definitions.json"
    defs = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    roots: dict[str, str] = {}
    gvks: dict[tuple[str, str], str] = {}
    for name, d in defs.items():
        for gvk in d.get("x-kubernetes-group-version-kind", []):
            key = (gv_of(gvk), gvk["kind"])
            gvks.setdefault(key, name)
            if key in KINDS and name.startswith("io.k8s.api."):
                if f"{key[0]}/{key[1]}" in roots:
                    raise SystemExit(f"error: two definitions for {key} in {version}")
                roots[f"{key[0]}/{key[1]}"] = name
    missing = {f"{g}/{k}" for g, k in KINDS} - set(roots)
    if missing:
        raise SystemExit(f"error: {version} lacks {sorted(missing)}")
    reduced: dict[str, object] = {}
    todo = list(roots.values()) + [META + "ListMeta"]
    while todo:
        n = todo.pop()
        if n in reduced:
            continue
        reduced[n] = transform(n, defs[n])
        deps: set[str] = set()
        refs_of(reduced[n], deps)
        todo.extend(sorted(deps))
    reduced[LIST_DEF] = list_definition()
    roots["v1/List"] = LIST_DEF
    return reduced, roots, gvks


def canonical(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def dedupe(per_version: dict[str, dict[str, object]], versions: list[str]) -> tuple[dict[str, object], dict[str, dict]]:
    """Share identical definitions between releases.

    A definition is identical when its text and everything it references are; variants are named
    ``<name>@<newest release using it>`` except the newest release's own, which keeps the plain name.
    Returns the shared pool and, per release, old name -> pooled name.
    """
    deep: dict[str, dict[str, str]] = {}

    def deep_hash(v: str, name: str, stack: tuple[str, ...] = ()) -> str:
        memo = deep.setdefault(v, {})
        if name in memo:
            return memo[name]
        if name in stack:
            raise SystemExit(f"error: recursive definition {name}: dedupe needs acyclic references")
        d = per_version[v][name]
        deps: set[str] = set()
        refs_of(d, deps)
        h = hashlib.sha256(canonical(d).encode())
        for dep in sorted(deps):
            h.update(dep.encode() + b"=" + deep_hash(v, dep, stack + (name,)).encode())
        memo[name] = h.hexdigest()
        return memo[name]

    variants: dict[str, dict[str, list[str]]] = {}  # name -> hash -> versions
    for v in versions:
        for name in per_version[v]:
            variants.setdefault(name, {}).setdefault(deep_hash(v, name), []).append(v)
    rename: dict[str, dict[str, str]] = {v: {} for v in versions}
    for name, by_hash in variants.items():
        for _h, vs in by_hash.items():
            newest = max(vs, key=vkey)
            pooled = name if newest == versions[-1] or len(by_hash) == 1 else f"{name}@{newest}"
            for v in vs:
                rename[v][name] = pooled

    def rewrite(node: object, table: dict[str, str]) -> object:
        if isinstance(node, dict):
            out = {}
            for k, val in node.items():
                if k == "$ref":
                    out[k] = "#/$defs/" + table[ref_name(val)]
                elif k == "properties":
                    out[k] = {pk: rewrite(pv, table) for pk, pv in val.items()}
                else:
                    out[k] = rewrite(val, table)
            return out
        if isinstance(node, list):
            return [rewrite(x, table) for x in node]
        return node

    pool: dict[str, object] = {}
    for v in versions:
        for name, d in per_version[v].items():
            pooled = rename[v][name]
            new = rewrite(d, rename[v])
            if pooled in pool and pool[pooled] != new:
                raise SystemExit(f"error: dedupe collision on {pooled}")
            pool[pooled] = new
    return pool, rename


def removed_apis(all_gvks: dict[str, dict[tuple[str, str], str]], versions_all: list[str],
                 source_label: str) -> list[dict]:
    """Curated removals, plus beta/GA group/versions that vanish between the releases the package carries."""
    rows: dict[tuple[str, str], dict] = {}
    for gv, kinds, removed, repl in CURATED_REMOVALS:
        for kind in kinds:
            rows[(gv, kind)] = {"apiVersion": gv, "kind": kind, "removedIn": removed, "replacement": repl,
                                "source": "Kubernetes deprecated API migration guide"}
    newest = versions_all[-1]
    present: dict[tuple[str, str], list[str]] = {}
    for v in versions_all:
        for (gv, kind), name in all_gvks[v].items():
            if not name.startswith("io.k8s.api.") or kind.endswith("List"):
                continue
            present.setdefault((gv, kind), []).append(v)
    for (gv, kind), vs in sorted(present.items()):
        version = gv.rsplit("/", 1)[-1]
        if newest in vs or "alpha" in version or (gv, kind) in rows:
            continue
        last = max(vs, key=vkey)
        removed_in = versions_all[versions_all.index(last) + 1]
        # the replacement: the same kind in a group/version of the same group still served by the newest
        group = gv.rsplit("/", 1)[0] if "/" in gv else ""
        candidates = [g for (g, k) in present if k == kind and newest in present[(g, k)]
                      and (g.rsplit("/", 1)[0] if "/" in g else "") == group]
        stable = sorted(candidates, key=version_rank)
        rows[(gv, kind)] = {"apiVersion": gv, "kind": kind, "removedIn": removed_in,
                            "replacement": stable[0] if stable else None, "source": source_label}
    return [rows[k] for k in sorted(rows)]


def dump_schema(pool: dict[str, object], kinds: dict[str, dict[str, str]]) -> str:
    """One definition per line: small diffs when a release is added."""
    lines = ["{",
             ' "$schema": "https://json-schema.org/draft/2020-12/schema",',
             ' "$comment": "Generated by tools/gen_k8s_schemas.py from the official Kubernetes OpenAPI; do not edit. '
             'versions maps each Kubernetes release to apiVersion/kind -> $defs entry.",',
             ' "versions": ' + json.dumps(kinds, sort_keys=True, separators=(",", ":")) + ",",
             ' "$defs": {']
    names = sorted(pool)
    for i, name in enumerate(names):
        sep = "," if i < len(names) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {canonical(pool[name])}{sep}")
    lines += [" }", "}", ""]
    return "\n".join(lines)


def pretty(obj: object) -> str:
    return json.dumps(obj, indent=1, sort_keys=True) + "\n"


def generate(src: Path, versions: list[str], pkg_version: str) -> dict[str, str]:
    all_versions = available_versions(src)
    per_version: dict[str, dict[str, object]] = {}
    kinds: dict[str, dict[str, str]] = {}
    all_gvks: dict[str, dict[tuple[str, str], str]] = {}
    for v in all_versions:
        defs, roots, gvks = load_version(src, v)
        all_gvks[v] = gvks
        if v in versions:
            per_version[v], kinds[v] = defs, roots
    pool, rename = dedupe(per_version, versions)
    kinds = {v: {k: rename[v][n] for k, n in sorted(kinds[v].items())} for v in versions}
    schema_text = dump_schema(pool, kinds)
    label = f"{PACKAGE} {pkg_version}: GVKs absent from later releases"
    removed_text = pretty({"$comment": "Generated by tools/gen_k8s_schemas.py; do not edit.",
                           "removed": removed_apis(all_gvks, all_versions, label)})
    files = {}
    for v in versions:
        p = src / f"v{v}.0-local-strict" / "_definitions.json"
        files[v] = {"path": f"kubernetes_validate/kubernetes-json-schema/v{v}.0-local-strict/_definitions.json",
                    "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
    provenance = {
        "$comment": "Generated by tools/gen_k8s_schemas.py; do not edit.",
        "source": {"package": PACKAGE, "version": pkg_version, "license": "Apache-2.0",
                   "origin": "strict JSON Schemas generated from the Kubernetes OpenAPI (api/openapi-spec)",
                   "files": files},
        "kubernetesVersions": versions,
        "defaultVersion": versions[-1],
        "releasesInSource": all_versions,
        "kinds": sorted(kinds[versions[-1]]),
        "transformations": [
            "kept the definitions reachable from the kinds listed, descriptions and x-kubernetes-* dropped",
            "IntOrString -> type [string, integer, null]",
            f"Quantity -> type [string, number, null] with pattern {QUANTITY_PATTERN} (resource.ParseQuantity)",
            "format int32/int64 -> minimum/maximum of the Go type",
            "spec required for " + ", ".join(sorted(n.rsplit(".", 1)[-1] for n in REQUIRED_OVERLAY))
            + " (API validation rejects these kinds without a spec)",
            "kind List (v1): synthesized envelope, ListMeta plus items of objects",
            "definitions identical across releases stored once; variants named <name>@<newest release>",
        ],
        "outputs": {SCHEMA_FILE: hashlib.sha256(schema_text.encode()).hexdigest(),
                    REMOVED_FILE: hashlib.sha256(removed_text.encode()).hexdigest()},
    }
    return {SCHEMA_FILE: schema_text, REMOVED_FILE: removed_text, PROVENANCE_FILE: pretty(provenance)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, help="kubernetes_validate/kubernetes-json-schema directory "
                    "(default: the installed package's)")
    ap.add_argument("--package-version", help="version of the source package (default: the installed one)")
    ap.add_argument("--versions", help="comma-separated X.Y releases (default: the newest three it carries)")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = ap.parse_args(argv)
    src = args.source or find_source()
    pkg_version = args.package_version or package_version()
    carried = available_versions(src)
    versions = sorted(args.versions.split(","), key=vkey) if args.versions else carried[-3:]
    for v in versions:
        if v not in carried:
            ap.error(f"{v} is not in the source (it carries {', '.join(carried)})")
    outputs = generate(src, versions, pkg_version)
    if args.check:
        stale = [n for n, text in outputs.items()
                 if not (args.out / n).is_file() or (args.out / n).read_text(encoding="utf-8") != text]
        for n in stale:
            print(f"{args.out / n}: differs from a fresh generation", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n, text in outputs.items():
        (args.out / n).write_text(text, encoding="utf-8")
    total = sum(len(t.encode()) for t in outputs.values())
    print(f"wrote {len(outputs)} files, {total} bytes, Kubernetes {', '.join(versions)} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
